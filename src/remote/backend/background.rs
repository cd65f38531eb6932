//! The remote backend's background threads: the refresh of the read cache (a first sync takes
//! minutes and must not hold the worker), the watcher of the outbox (the pending marks), and the
//! recheck pass (other analysts' edits). Each opens its own connection to its file and drives its
//! calls on the backend's runtime, which it shares (`Arc`) so that the runtime outlives a call in
//! flight when the workbench quits.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use super::super::cache::{self, Cache};
use super::super::client::Client;
use super::super::endpoint::Api;
use super::RemoteBackend;
use crate::backend::{Backend, BackendError, OutboxState, Rechecked, RefreshReport, Refreshed, Result};
use crate::model::finding::FindingKey;
use crate::model::summary::FindingSummary;

/// A background refresh: whether one is running, and where it reports (replaced when a reload
/// asks while it runs, so that its rows reach the newest load).
#[derive(Default)]
pub(super) struct Background {
    pub(super) running: bool,
    pub(super) report: Option<RefreshReport>,
}

pub(super) fn guard<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// "ENDPOINT (REGION) · synced 3 min ago · not refreshed: WHY", and an API `--api both` skipped
/// ("GetFindingsV2 not available: ASFF only").
pub(super) fn describe_cached(
    client: &Client,
    cache: &Cache,
    error: Option<&String>,
    skipped: Option<&String>,
) -> String {
    let mut s = format!("{} · {}", client.describe(), cache.staleness());
    if let Some(e) = error {
        s.push_str(&format!(" · not refreshed: {}", crate::model::sanitize::line(e)));
    }
    if let Some(k) = skipped {
        s.push_str(&format!(" · {k}"));
    }
    s
}

/// What a refresh finds as it goes: rows new to the list, and listed rows with new values (among
/// them those that left the view, so that the list drops them).
pub(super) enum Found {
    New(Vec<FindingSummary>),
    Updated(Vec<FindingSummary>),
}

/// Said in the header when `--api both` skips GetFindingsV2 (an endpoint that answers 404 or
/// access denied for it: moto, a policy without the V2 actions).
pub(super) const V2_SKIPPED: &str = "GetFindingsV2 not available: ASFF only";

/// The refresh under `--api`: GetFindings (`cache::sync`), then GetFindingsV2 (`cache::sync_v2`)
/// into the same cache, each page's rows handed to `found` as they arrive. Returns what the
/// header says of an API skipped.
pub(super) async fn refresh_cache(
    client: &Client,
    cache: &mut Cache,
    view: &cache::View,
    api: Api,
    found: &mut dyn FnMut(Found),
) -> Result<Option<String>> {
    if api.v1() {
        cache::sync(
            client,
            cache,
            view,
            |docs, written, left| {
                let new: std::collections::HashSet<&FindingKey> = written.new.iter().collect();
                let updated: std::collections::HashSet<&FindingKey> = written.updated.iter().collect();
                // Rows that left the view are told with their new values: the list drops them.
                let (mut added, mut changed): (Vec<_>, Vec<_>) =
                    (Vec::new(), left.iter().map(FindingSummary::from_asff).collect());
                for d in docs {
                    match FindingKey::of(d) {
                        Some(k) if new.contains(&k) => added.push(FindingSummary::from_asff(d)),
                        Some(k) if updated.contains(&k) => changed.push(FindingSummary::from_asff(d)),
                        _ => {}
                    }
                }
                if !added.is_empty() {
                    found(Found::New(added));
                }
                if !changed.is_empty() {
                    found(Found::Updated(changed));
                }
            },
            |_| {},
        )
        .await?;
    }
    if api.v2() {
        let synced = cache::sync_v2(
            client,
            cache,
            view,
            api.v1(),
            |new, updated, left| {
                if !new.is_empty() {
                    found(Found::New(new.iter().map(FindingSummary::from_ocsf).collect()));
                }
                if !updated.is_empty() || !left.is_empty() {
                    found(Found::Updated(updated.iter().chain(left).map(FindingSummary::from_ocsf).collect()));
                }
            },
            |_| {},
        )
        .await?;
        if synced.is_none() {
            return Ok(Some(V2_SKIPPED.to_string()));
        }
    }
    Ok(None)
}

/// Hands `what` to the current report of the background refresh; a report nobody listens to any
/// more is dropped (the refresh still completes the cache).
pub(super) fn tell(background: &Mutex<Background>, what: Refreshed) {
    let mut b = guard(background);
    if let Some(report) = b.report.as_mut() {
        if !report(what) {
            b.report = None;
        }
    }
}

/// Why a refresh failed, short enough for the header beside the endpoint and the counts (the whole
/// error, with the endpoint again and the OS's words, took the header's width at 200 columns).
pub(super) fn short_reason(e: &BackendError) -> String {
    use crate::backend::ErrorKind;
    match e.kind {
        ErrorKind::Unavailable => "endpoint unavailable".into(),
        ErrorKind::Throttled => "throttled".into(),
        ErrorKind::AccessDenied => "access denied".into(),
        _ => {
            let first = e.message.split(": ").next().unwrap_or_default();
            crate::model::sanitize::line(first).chars().take(60).collect()
        }
    }
}

/// The outcome of a refresh: offline (or refused), a cache synced before keeps its rows and the
/// header says why they were not refreshed; a cache never synced fails the load.
pub(super) fn settle(error: &Mutex<Option<String>>, synced: Result<()>, synced_before: bool) -> Result<()> {
    match synced {
        Ok(()) => {
            *guard(error) = None;
            Ok(())
        }
        Err(e) if synced_before => {
            *guard(error) = Some(short_reason(&e));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

impl RemoteBackend {
    /// The refresh of `sync_summaries` on a thread of its own, over its own connection to the
    /// cache (SQLite's WAL lets the worker read and write the cache meanwhile), its calls driven
    /// by the backend's runtime. Pages stream to whichever report is current when they arrive.
    fn spawn_refresh(&self, path: PathBuf) -> Result<()> {
        let mut cache = Cache::open(&path)?;
        let (client, view, handle, api) = (self.client.clone(), self.view.clone(), self.runtime.clone(), self.api);
        let (background, sync_error, skipped) =
            (self.background.clone(), self.sync_error.clone(), self.skipped.clone());
        let run = move || {
            let synced_before = cache.state().map(|s| s.finished_ms.is_some()).unwrap_or(false);
            let synced = handle.block_on(refresh_cache(&client, &mut cache, &view, api, &mut |found| match found {
                Found::New(rows) => tell(&background, Refreshed::New(rows)),
                Found::Updated(rows) => tell(&background, Refreshed::Updated(rows)),
            }));
            let synced = synced.map(|note| *guard(&skipped) = note);
            let result = settle(&sync_error, synced, synced_before);
            let described = describe_cached(&client, &cache, guard(&sync_error).as_ref(), guard(&skipped).as_ref());
            // Told and marked ended under one lock, so a reload asking meanwhile either is told
            // or starts a refresh of its own.
            let mut b = guard(&background);
            if let Some(report) = b.report.as_mut() {
                report(Refreshed::Done { result, described });
            }
            *b = Background::default();
        };
        std::thread::Builder::new()
            .name("hubtriage-refresh".into())
            .spawn(run)
            .map(|_| ())
            .map_err(|e| BackendError::other(format!("cannot start the refresh: {e}")))
    }

    /// `Backend::refresh_in_background`: starts the refresh on its thread, or hands a running one
    /// the new report.
    pub(super) fn start_refresh(&self, mut report: RefreshReport) -> bool {
        let Some(path) = self.cache_path.clone().filter(|_| self.cache.borrow().is_some()) else { return false };
        let mut b = guard(&self.background);
        if b.running {
            b.report = Some(report);
            return true;
        }
        if let Err(e) = self.spawn_refresh(path) {
            drop(b);
            let described = self.describe();
            report(Refreshed::Done { result: Err(e), described });
            return true;
        }
        *b = Background { running: true, report: Some(report) };
        true
    }

    /// `Backend::watch_outbox`: a thread polling the outbox (`remote::pending`) until the
    /// backend is dropped.
    pub(super) fn start_outbox_watch(&self, mut report: Box<dyn FnMut(OutboxState) -> bool + Send>) -> bool {
        let Some(path) = self.outbox_path() else { return false };
        let alive = Arc::downgrade(&self.alive);
        let watch = move || {
            let mut last = None;
            while alive.strong_count() > 0 {
                // A failed read (the file busy being checkpointed) is tried again next time.
                if let Ok(state) = super::super::pending::read(&path) {
                    if last.as_ref() != Some(&state) {
                        if !report(state.clone()) {
                            return;
                        }
                        last = Some(state);
                    }
                }
                std::thread::sleep(super::super::pending::POLL);
            }
        };
        std::thread::Builder::new().name("hubtriage-outbox-watch".into()).spawn(watch).is_ok()
    }

    /// `Backend::recheck_in_background`: the recheck pass (`remote::recheck`) on a thread of its
    /// own, until the backend is dropped.
    pub(super) fn start_recheck(&self, mut report: Box<dyn FnMut(Rechecked) -> bool + Send>) -> bool {
        let Some(path) = self.cache_path.clone().filter(|_| self.cache.borrow().is_some()) else { return false };
        let Some(limiter) = self.limiter.clone() else { return false };
        // The pass reads the ASFF findings with GetFindings and the OCSF ones with GetFindingsV2,
        // as `--api` reads them.
        let (client, view, handle, api) = (self.client.clone(), self.view.clone(), self.runtime.clone(), self.api);
        let (alive, background, outbox) = (Arc::downgrade(&self.alive), self.background.clone(), self.outbox_path());
        let run = move || {
            let Ok(cache) = Cache::open(&path) else { return };
            let Ok(account) = handle.block_on(client.account_key()) else { return };
            let mut pass = super::super::recheck::Pass::new(client.clone(), cache, view, outbox, api);
            loop {
                std::thread::sleep(super::super::recheck::CALL_EVERY);
                if alive.strong_count() == 0 {
                    return;
                }
                let synced = pass.cache.state().is_ok_and(|s| s.finished_ms.is_some());
                let spare = || {
                    limiter.has_spare(
                        &account,
                        client.region(),
                        pass.next_operation(),
                        super::super::recheck::KEEP,
                        Instant::now(),
                    )
                };
                if !synced || guard(&background).running || !spare() {
                    continue;
                }
                match handle.block_on(pass.step()) {
                    Ok(Some(r)) => {
                        if !report(r) {
                            return;
                        }
                    }
                    Ok(None) => {}
                    Err(_) => std::thread::sleep(super::super::recheck::AFTER_FAILURE),
                }
            }
        };
        std::thread::Builder::new().name("hubtriage-recheck".into()).spawn(run).is_ok()
    }
}
