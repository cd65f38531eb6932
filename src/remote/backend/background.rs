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
use super::super::Operation;
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

/// "ENDPOINT (REGION) · synced 3 min ago · not refreshed: WHY".
pub(super) fn describe_cached(client: &Client, cache: &Cache, error: Option<&String>) -> String {
    let mut s = format!("{} · {}", client.describe(), cache.staleness());
    if let Some(e) = error {
        s.push_str(&format!(" · not refreshed: {}", crate::model::sanitize::line(e)));
    }
    s
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
        let (client, view, handle) = (self.client.clone(), self.view.clone(), self.runtime.clone());
        let (background, sync_error) = (self.background.clone(), self.sync_error.clone());
        let run = move || {
            let synced_before = cache.state().map(|s| s.finished_ms.is_some()).unwrap_or(false);
            let synced = handle.block_on(cache::sync(
                &client,
                &mut cache,
                &view,
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
                        tell(&background, Refreshed::New(added));
                    }
                    if !changed.is_empty() {
                        tell(&background, Refreshed::Updated(changed));
                    }
                },
                |_| {},
            ));
            let result = settle(&sync_error, synced.map(|_| ()), synced_before);
            let described = describe_cached(&client, &cache, guard(&sync_error).as_ref());
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
        let (client, view, handle) = (self.client.clone(), self.view.clone(), self.runtime.clone());
        let (alive, background, outbox) = (Arc::downgrade(&self.alive), self.background.clone(), self.outbox_path());
        let run = move || {
            let Ok(cache) = Cache::open(&path) else { return };
            let Ok(account) = handle.block_on(client.account_key()) else { return };
            let mut pass = super::super::recheck::Pass::new(client.clone(), cache, view, outbox);
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
                        Operation::GetFindings,
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
