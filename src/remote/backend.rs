//! A remote Security Hub as a `Backend`: the worker's operations become GetFindings,
//! BatchUpdateFindings and GetFindingHistory calls through `Client`, and for OCSF findings
//! GetFindingsV2 and BatchUpdateFindingsV2 (`--api v1|v2|both`, both by default, an API the
//! endpoint lacks skipped and said in the header), run on a runtime of the
//! backend's own (the worker thread is synchronous). Edits go through the durable outbox
//! (`remote::outbox`): acknowledged once on disk, sent by a background sender on that runtime, which
//! also resumes what an earlier session left queued. With a read cache (`remote::cache`, opened by
//! `connect`), the list, documents and `:` queries are read from the cache, and each load of the
//! list lists the cached rows, then refreshes the cache from the remote (`refresh_summaries`),
//! streaming the new rows page by page; without one (`new`), reads go straight to the remote.
//! The refresh, the outbox watcher and the recheck pass run on threads of their own
//! (`background`), so that the worker answers details and edits meanwhile.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::cache::{self, Cache, View};
use super::client::{Client, ClientConfig};
use super::endpoint::{Api, Environment, RemoteOptions};
use super::limit::published_rate;
use super::outbox::{self, v2_key, Outbox};
use super::sender::{self, SenderState};
use super::Operation;

mod background;
use crate::backend::{
    Backend, BackendError, Capabilities, OutboxState, Rechecked, RefreshReport, Result, Unprocessed, UpdateOutcome,
};
use crate::model::call::UpdateCall;
use crate::model::filter::Filters;
use crate::model::finding::{FindingId, FindingKey};
use crate::model::history::HistoryEntry;
use crate::model::summary::FindingSummary;
use crate::model::update::FindingUpdate;
use crate::model::wire::batch_update::BatchUpdateRequest;
use crate::model::wire::get_findings::{GetFindingsRequest, SortCriterion};
use crate::model::wire::history::HistoryRequest;
use crate::query::Query;
use background::{describe_cached, guard, refresh_cache, settle, Background, Found};

/// A finding's history is read at most this far (newest first) for the detail pane.
const MAX_HISTORY: usize = 1_000;
/// How many findings a query beyond the cached view brings into the cache at most (100 pages, 34 s
/// at GetFindings' published rate): a query that broad is better synced (`hubtriage sync QUERY`).
const MAX_BEYOND_VIEW: usize = 10_000;
/// Values one string filter may list (GetFindings' Filters: up to 20 values per attribute).
const MAX_FILTER_VALUES: usize = 20;

/// The outbox and the sender working on it.
struct Outgoing {
    outbox: Arc<Mutex<Outbox>>,
    wake: Arc<tokio::sync::Notify>,
    state: Arc<SenderState>,
}

pub struct RemoteBackend {
    client: Arc<Client>,
    /// Shared with the background refresh and recheck threads, so that it outlives a call they
    /// are in the middle of when the workbench quits (a runtime dropped under a call panics).
    runtime: Arc<tokio::runtime::Runtime>,
    outgoing: Option<Outgoing>,
    /// The read cache (taken out while a sync runs on it) and the view it mirrors.
    cache: std::cell::RefCell<Option<Cache>>,
    view: View,
    /// Where the cache is, so that a background refresh opens its own connection to it.
    cache_path: Option<PathBuf>,
    /// Why the last refresh failed (offline, say), for the header; shared with the background
    /// refresh.
    sync_error: Arc<Mutex<Option<String>>>,
    /// Which finding APIs are read and edited (`--api`).
    api: Api,
    /// What the header says of an API `--api both` skipped; shared with the background refresh.
    skipped: Arc<Mutex<Option<String>>>,
    /// The background refresh, while one runs.
    background: Arc<Mutex<Background>>,
    /// Held while the backend lives: its watcher threads stop once it is dropped.
    alive: Arc<()>,
    /// The client's rate limiter, when `connect` made the client: the recheck pass asks it
    /// whether GetFindings' rate is spare.
    limiter: Option<Arc<super::limit::RateLimiter>>,
}

impl std::fmt::Debug for RemoteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteBackend").field("client", &self.client).finish_non_exhaustive()
    }
}

/// One worker thread of its own, so that the sender runs while the worker thread is elsewhere.
fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("hubtriage-remote")
        .enable_all()
        .build()
        .map_err(|e| BackendError::other(format!("cannot start the remote client's runtime: {e}")))
}

/// Most severe first: the order the workbench lists in, which GetFindings can sort by.
fn most_severe_first() -> Vec<SortCriterion> {
    vec![SortCriterion { field: "SeverityNormalized".into(), descending: true }]
}

impl RemoteBackend {
    /// Resolves the profile, region, endpoint and credentials as the AWS CLI does.
    /// Edits go through the outbox of the cache store for this (endpoint, account, region) under
    /// the platform cache directory as `env` names it; what it holds from before is sent now.
    pub fn connect(opts: &RemoteOptions, env: &Environment, config: ClientConfig) -> Result<RemoteBackend> {
        let runtime = runtime()?;
        let limiter = config.limiter.clone();
        let client = runtime.block_on(Client::connect(opts, env, config))?;
        let path = runtime.block_on(outbox_path(&client, env))?;
        let mut backend = RemoteBackend::build(client, runtime, Some(&path))?;
        backend.limiter = Some(limiter);
        backend.use_cache(&cache::cache_path(&path), View::default_view())?;
        Ok(backend)
    }

    /// Mirrors `view` of the remote in the read cache (`connect` opens it on the console's default
    /// view); the next load syncs it, in full if the cache held another view.
    pub fn set_view(&mut self, view: View) {
        self.view = view;
    }

    /// Reads and edits through these finding APIs (`--api`; both by default): GetFindings and
    /// BatchUpdateFindings for ASFF findings, GetFindingsV2 and BatchUpdateFindingsV2 for OCSF ones.
    pub fn set_api(&mut self, api: Api) {
        self.api = api;
    }

    /// Reads through the read cache at `path`, mirroring `view` of the remote.
    pub fn use_cache(&mut self, path: &Path, view: View) -> Result<()> {
        *self.cache.get_mut() = Some(Cache::open(path)?);
        self.cache_path = Some(path.to_path_buf());
        self.view = view;
        Ok(())
    }

    /// Over a client already made (fixed credentials, tests), with the outbox at `outbox` or, with
    /// `None`, none: edits are then sent at once and acknowledged with the remote's answer.
    pub fn new(client: Client, outbox: Option<&Path>) -> Result<RemoteBackend> {
        RemoteBackend::build(client, runtime()?, outbox)
    }

    fn build(client: Client, runtime: tokio::runtime::Runtime, outbox: Option<&Path>) -> Result<RemoteBackend> {
        let client = Arc::new(client);
        let outgoing = match outbox {
            None => None,
            Some(path) => {
                let account = runtime.block_on(client.account_key())?;
                let o = Outbox::open(path, &client.endpoint().url, &account, client.region())?;
                let outgoing = Outgoing {
                    outbox: Arc::new(Mutex::new(o)),
                    wake: Arc::new(tokio::sync::Notify::new()),
                    state: Arc::new(SenderState::default()),
                };
                runtime.spawn(sender::run_background(
                    outgoing.outbox.clone(),
                    client.clone(),
                    outgoing.wake.clone(),
                    outgoing.state.clone(),
                ));
                Some(outgoing)
            }
        };
        Ok(RemoteBackend {
            client,
            runtime: Arc::new(runtime),
            outgoing,
            cache: Default::default(),
            view: View::default_view(),
            cache_path: None,
            sync_error: Default::default(),
            api: Api::Both,
            skipped: Default::default(),
            background: Default::default(),
            alive: Arc::new(()),
            limiter: None,
        })
    }

    /// The outbox's file, when edits go through one.
    pub fn outbox_path(&self) -> Option<PathBuf> {
        self.outgoing.as_ref().map(|o| lock(&o.outbox).path().to_path_buf())
    }

    /// Findings' edits not yet confirmed by the remote.
    pub fn unsent(&self) -> Result<usize> {
        match &self.outgoing {
            Some(o) => lock(&o.outbox).queued(),
            None => Ok(0),
        }
    }

    /// What the client has sent so far. (The client itself is not lent out: its pooled connections
    /// run on this backend's runtime, which only drives them inside the backend's own calls.)
    pub fn stats(&self) -> super::ClientStats {
        self.client.stats()
    }

    /// Every finding `request`'s filters select, page by page, handed to `each`; `each` returns
    /// false to stop.
    fn each_finding(&self, request: GetFindingsRequest, each: &mut dyn FnMut(Value) -> bool) -> Result<()> {
        self.runtime.block_on(self.client.get_all_findings(&request, |page| page.into_iter().all(&mut *each)))?;
        Ok(())
    }
}

fn lock(outbox: &Mutex<Outbox>) -> std::sync::MutexGuard<'_, Outbox> {
    outbox.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The outbox (cache store) of `client`'s endpoint, account and region under `env`'s cache directory.
pub async fn outbox_path(client: &Client, env: &Environment) -> Result<PathBuf> {
    let dir = outbox::cache_dir(env)
        .ok_or_else(|| BackendError::other("no home directory, so no cache directory for the outbox"))?;
    let account = client.account_key().await?;
    Ok(outbox::store_path(&dir, &client.endpoint().url, &account, client.region()))
}

/// A filter on the findings' Id being any of `ids` (the ProductArn is checked on the answers).
pub(super) fn ids_filter(keys: &[&FindingKey]) -> Result<Filters> {
    let values: Vec<Value> = keys.iter().map(|k| json!({"Value": k.id, "Comparison": "EQUALS"})).collect();
    Filters::from_json(&json!({ "Id": values })).map_err(|e| BackendError::invalid(e.to_string()))
}

impl RemoteBackend {
    /// Commits the edit to the outbox and wakes the sender: the acknowledgement, which never waits
    /// for the remote. A call of 100 waited for up to 2 s on the worker thread for the answer, so
    /// that a detail or history asked meanwhile waited behind a large edit to a slow endpoint; the
    /// remote's answer now reaches the workbench through the outbox's watcher (`pending`): the
    /// pending marks clear on confirmation and a refusal becomes the `!` with its code.
    ///
    /// ASFF findings are queued for BatchUpdateFindings, OCSF ones (`outbox::v2_key`) for
    /// BatchUpdateFindingsV2 (`FindingUpdate::to_v2`); a finding in both forms is listed as its ASFF
    /// row and its OCSF form is edited too (`model::ocsf::same`), as on a local store.
    fn enqueue(
        &self,
        o: &Outgoing,
        call: &UpdateCall,
        previous: &HashMap<FindingId, FindingUpdate>,
    ) -> Result<UpdateOutcome> {
        let mut outcome = UpdateOutcome::default();
        let v2 = call.update.to_v2();
        let (mut keys, mut prev) = (Vec::with_capacity(call.ids.len()), HashMap::new());
        let (mut asff, mut uids) = (Vec::new(), Vec::new());
        for id in &call.ids {
            let key = match id {
                FindingId::Asff(k) if self.api.v1() => {
                    asff.push(k.clone());
                    k.clone()
                }
                FindingId::Ocsf(uid) if self.api.v2() && !v2.is_empty() => {
                    uids.push(uid.clone());
                    v2_key(uid)
                }
                _ => {
                    outcome.unprocessed.push(Unprocessed {
                        id: id.clone(),
                        code: "InvalidInput".into(),
                        message: match id {
                            FindingId::Asff(_) => "--api v2 edits OCSF findings only".into(),
                            FindingId::Ocsf(_) if !self.api.v2() => "--api v1 edits ASFF findings only".into(),
                            FindingId::Ocsf(_) => "BatchUpdateFindingsV2 sets status, severity and comment only".into(),
                        },
                    });
                    continue;
                }
            };
            if let Some(p) = previous.get(id) {
                prev.insert(key.clone(), p.clone());
            }
            keys.push(key);
        }
        let twins = if self.api.v2() && !v2.is_empty() { self.cached_twins(&asff, &call.update) } else { Vec::new() };
        for (uid, restore) in &twins {
            let key = v2_key(uid);
            prev.insert(key.clone(), restore.clone());
            keys.push(key);
        }
        if keys.is_empty() {
            return Ok(outcome);
        }
        lock(&o.outbox).enqueue(&keys, &call.update, &prev)?;
        o.wake.notify_one();
        uids.extend(twins.into_iter().map(|(uid, _)| uid));
        self.cache_edit(&asff, &uids, &call.update);
        outcome
            .processed
            .extend(call.ids.iter().filter(|id| !outcome.unprocessed.iter().any(|u| &u.id == *id)).cloned());
        Ok(outcome)
    }

    /// The OCSF forms the cache holds of these ASFF findings, with what undo restores of each.
    fn cached_twins(&self, keys: &[FindingKey], update: &FindingUpdate) -> Vec<(String, FindingUpdate)> {
        let cache = self.cache.borrow();
        let Some(c) = cache.as_ref() else { return Vec::new() };
        let all = crate::store::Access::Unrestricted;
        keys.iter()
            .filter_map(|k| c.store.ocsf_twin_as(&all, k).ok().flatten())
            .filter_map(|uid| {
                let doc = c.store.get_ocsf_as(&all, &uid).ok().flatten()?;
                Some((uid, crate::model::undo::restore_for(&doc, update)))
            })
            .collect()
    }
}

impl RemoteBackend {
    /// The cached rows, most severe first, as a local store of that size lists them.
    fn cached_summaries(&self, sink: &mut dyn FnMut(FindingSummary) -> bool) -> Result<()> {
        let cache = self.cache.borrow();
        let Some(c) = cache.as_ref() else { return Ok(()) };
        // A cache a `--api both` session filled holds both formats: `--api` says which are listed.
        let all = crate::store::Access::Unrestricted;
        let rows = |f| sink(FindingSummary::from_columns(f));
        match self.api {
            Api::Both => c.store.for_each_listed(rows)?,
            Api::V1 => c.store.for_each_listed_of_as(&all, crate::model::finding::Format::Asff, rows)?,
            Api::V2 => c.store.for_each_listed_of_as(&all, crate::model::finding::Format::Ocsf, rows)?,
        }
        Ok(())
    }

    /// Syncs the cache from the remote, streaming the findings it adds as their pages arrive.
    /// Offline (or refused), the cached rows stand and the header says why they were not
    /// refreshed; a cache never synced fails the load.
    fn sync_summaries(&self, sink: &mut dyn FnMut(FindingSummary) -> bool) -> Result<()> {
        let Some(mut cache) = self.cache.borrow_mut().take() else {
            return Err(BackendError::other("the read cache is in use"));
        };
        let synced_before = cache.state().map(|s| s.finished_ms.is_some()).unwrap_or(false);
        let mut alive = true;
        // Only the findings the cache did not hold: those listed already are not listed twice.
        let synced =
            self.runtime.block_on(refresh_cache(&self.client, &mut cache, &self.view, self.api, &mut |found| {
                if let Found::New(rows) = found {
                    for row in rows {
                        alive = alive && sink(row);
                    }
                }
            }));
        let synced = synced.map(|note| *guard(&self.skipped) = note);
        *self.cache.borrow_mut() = Some(cache);
        settle(&self.sync_error, synced, synced_before)
    }

    /// The cached documents of `ids`; `None` where the cache does not hold one.
    fn cached_documents(&self, ids: &[FindingId]) -> Result<Option<Vec<Option<Value>>>> {
        let cache = self.cache.borrow();
        let Some(c) = cache.as_ref() else { return Ok(None) };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(match id {
                FindingId::Asff(k) => c.store.get(k)?,
                FindingId::Ocsf(uid) => c.store.get_ocsf_as(&crate::store::Access::Unrestricted, uid)?,
            });
        }
        Ok(Some(out))
    }

    /// Our own edit, written into the cached documents as the remote will hold them once it is
    /// sent (BatchUpdateFindings does not change `UpdatedAt`, so no refresh would bring it). A
    /// cache that cannot be written only misses the edit until the next full sync.
    fn cache_edit(&self, keys: &[FindingKey], uids: &[String], update: &FindingUpdate) {
        let mut cache = self.cache.borrow_mut();
        let Some(c) = cache.as_mut() else { return };
        let now = time::OffsetDateTime::now_utc();
        let mut docs = Vec::new();
        for k in keys {
            if let Ok(Some(mut doc)) = c.store.get(k) {
                update.apply(&mut doc, now);
                docs.push(doc);
            }
        }
        let _ = c.put_edited(docs, &self.view);
        let v2 = update.to_v2();
        let mut docs = Vec::new();
        for uid in uids {
            if let Ok(Some(mut doc)) = c.store.get_ocsf_as(&crate::store::Access::Unrestricted, uid) {
                v2.apply(&mut doc);
                docs.push(doc);
            }
        }
        let _ = c.put_edited_ocsf(docs, &self.view);
    }
}

impl Backend for RemoteBackend {
    /// The endpoint and region, and with a cache how fresh it is: "synced 3 min ago", or why the
    /// last refresh failed.
    fn describe(&self) -> String {
        let cache = self.cache.borrow();
        let Some(c) = cache.as_ref() else { return self.client.describe() };
        describe_cached(&self.client, c, guard(&self.sync_error).as_ref(), guard(&self.skipped).as_ref())
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            history: true,
            // A real account is never seeded with the demo dataset.
            seed: false,
            read_rate: Some(published_rate(Operation::GetFindings)),
            update_rate: Some(published_rate(Operation::BatchUpdateFindings)),
            fetches_beyond_view: self.cache.borrow().is_some(),
            ..Capabilities::default()
        }
    }

    fn refreshes(&self) -> bool {
        self.cache.borrow().is_some()
    }

    fn refresh_summaries(&self, sink: &mut dyn FnMut(FindingSummary) -> bool) -> Result<()> {
        self.sync_summaries(sink)
    }

    fn refresh_in_background(&self, report: RefreshReport) -> bool {
        self.start_refresh(report)
    }

    fn watch_outbox(&self, report: Box<dyn FnMut(OutboxState) -> bool + Send>) -> bool {
        self.start_outbox_watch(report)
    }

    fn recheck_in_background(&self, report: Box<dyn FnMut(Rechecked) -> bool + Send>) -> bool {
        self.start_recheck(report)
    }

    /// GetFindings gives no total.
    fn count(&self) -> Result<Option<usize>> {
        Ok(None)
    }

    fn for_each_summary(&self, sink: &mut dyn FnMut(FindingSummary) -> bool) -> Result<()> {
        if self.cache.borrow().is_some() {
            return self.cached_summaries(sink);
        }
        let request = GetFindingsRequest { sort: most_severe_first(), ..Default::default() };
        self.each_finding(request, &mut |doc| sink(FindingSummary::from_asff(&doc)))
    }

    /// With a cache, the cached documents only: the list holds exactly the cached findings, so
    /// one the cache lacks has no values of ours to restore, and reading it from the remote held
    /// the edit's acknowledgement behind GetFindings calls.
    fn documents_at_hand(&self, ids: &[FindingId]) -> Result<Vec<Option<Value>>> {
        match self.cached_documents(ids)? {
            Some(docs) => Ok(docs),
            None => self.documents(ids),
        }
    }

    fn documents(&self, ids: &[FindingId]) -> Result<Vec<Option<Value>>> {
        if let Some(docs) = self.cached_documents(ids)? {
            if docs.iter().all(Option::is_some) {
                return Ok(docs);
            }
        }
        let keys: Vec<&FindingKey> = ids.iter().filter_map(FindingId::as_asff).collect();
        let mut found: HashMap<FindingKey, Value> = HashMap::new();
        for chunk in keys.chunks(MAX_FILTER_VALUES) {
            let request = GetFindingsRequest { filters: ids_filter(chunk)?, ..Default::default() };
            self.each_finding(request, &mut |doc| {
                if let Some(k) = FindingKey::of(&doc).filter(|k| chunk.contains(&k)) {
                    found.insert(k, doc);
                }
                true
            })?;
        }
        Ok(ids.iter().map(|id| id.as_asff().and_then(|k| found.get(k).cloned())).collect())
    }

    /// An ASFF finding's OCSF form, when the cache holds both (its twin, listed under the ASFF row).
    fn other_form(&self, id: &FindingId) -> Result<Option<Value>> {
        let FindingId::Asff(key) = id else { return Ok(None) };
        let cache = self.cache.borrow();
        let Some(c) = cache.as_ref() else { return Ok(None) };
        let all = crate::store::Access::Unrestricted;
        match c.store.ocsf_twin_as(&all, key)? {
            Some(uid) => Ok(c.store.get_ocsf_as(&all, &uid)?),
            None => Ok(None),
        }
    }

    /// GetFindingHistory, for an ASFF finding (there is no V2 GetFindingHistory at AWS).
    fn history(&self, id: &FindingId) -> Result<Vec<HistoryEntry>> {
        let Some(key) = id.as_asff() else { return Ok(Vec::new()) };
        let mut request = HistoryRequest::new(key.clone());
        let mut out = Vec::new();
        loop {
            let page = self.runtime.block_on(self.client.get_finding_history(&request))?;
            out.extend(page.records.into_iter().map(HistoryEntry::from));
            match page.next_token {
                Some(t) if out.len() < MAX_HISTORY => request.next_token = Some(t),
                _ => return Ok(out),
            }
        }
    }

    /// The filters run on the remote; the free words, which GetFindings cannot search for, on the
    /// findings it returns.
    fn query(&self, q: &Query) -> Result<Vec<FindingId>> {
        // With a cache, the list holds exactly the cached findings: the cache answers for them.
        if let Some(c) = self.cache.borrow().as_ref() {
            let words = |doc: &Value| q.matches_text(doc);
            let extra: Option<&(dyn Fn(&Value) -> bool + Sync)> = if q.text.is_empty() { None } else { Some(&words) };
            // Of the formats `--api` lists (`cached_summaries`).
            let mut out: Vec<FindingId> = Vec::new();
            if self.api.v1() {
                out.extend(c.store.matching_keys(&q.filters, &q.text, extra)?.into_iter().map(FindingId::Asff));
            }
            let ocsf_extra: Option<&dyn Fn(&Value) -> bool> = if q.text.is_empty() { None } else { Some(&words) };
            let all = crate::store::Access::Unrestricted;
            let uids = match self.api {
                Api::V1 => Vec::new(),
                api => c.store.matching_ocsf_uids_as(&all, &q.filters, ocsf_extra, api.v1())?,
            };
            out.extend(uids.into_iter().map(FindingId::Ocsf));
            return Ok(out);
        }
        let request =
            GetFindingsRequest { filters: q.filters.clone(), sort: most_severe_first(), ..Default::default() };
        let mut out = Vec::new();
        self.each_finding(request, &mut |doc| {
            if q.text.is_empty() || q.matches_text(&doc) {
                out.extend(FindingKey::of(&doc).map(FindingId::Asff));
            }
            true
        })?;
        Ok(out)
    }

    /// GetFindings with the query's filters, most severe first, when the cached view does not hold
    /// everything the query selects; the answers are mirrored into the cache beside the view (a
    /// refresh of the view leaves them unless they change), at most `MAX_BEYOND_VIEW` of them.
    /// With `--api` v2 or both, GetFindingsV2 too, with what of the query OCSF fields carry
    /// (`cache::v2_query_filters`), its answers mirrored and listed as a refresh lists them (a
    /// finding the cache holds in ASFF form is that row).
    fn fetch_beyond_view(&mut self, q: &Query) -> Result<Vec<FindingSummary>> {
        if self.cache.borrow().is_none() || self.view.covers(q) {
            return Ok(Vec::new());
        }
        let mut docs = Vec::new();
        if self.api.v1() {
            let request =
                GetFindingsRequest { filters: q.filters.clone(), sort: most_severe_first(), ..Default::default() };
            self.each_finding(request, &mut |doc| {
                docs.push(doc);
                docs.len() < MAX_BEYOND_VIEW
            })?;
        }
        let ocsf = match super::cache::v2_query_filters(q).filter(|_| self.api.v2()) {
            Some(filters) => self
                .runtime
                .block_on(super::cache::fetch_v2(&self.client, filters, MAX_BEYOND_VIEW))?
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let mut cache = self.cache.borrow_mut();
        let Some(c) = cache.as_mut() else { return Ok(Vec::new()) };
        c.store.mirror(&docs)?;
        c.store.mirror_ocsf(&ocsf)?;
        // Every one, not only those new to the cache: the list may lack some the cache holds (a
        // refresh mirrored them while the list loaded), and it skips those it has.
        let mut rows: Vec<FindingSummary> = docs.iter().map(FindingSummary::from_asff).collect();
        for d in &ocsf {
            let f = crate::model::ocsf::Ocsf(d);
            // With ASFF rows listed, a finding in both forms is its ASFF row (`--api v2`: its OCSF one).
            if !self.api.v1()
                || !c.store.has_asff_twin(&crate::store::Access::Unrestricted, f.finding_uid(), f.product_uid())?
            {
                rows.push(FindingSummary::from_ocsf(d));
            }
        }
        Ok(rows)
    }

    fn batch_update(&mut self, call: &UpdateCall) -> Result<UpdateOutcome> {
        if let Some(o) = &self.outgoing {
            return self.enqueue(o, call, &HashMap::new());
        }
        // Without an outbox (a backend made by `new`, tests): sent at once, ASFF findings only.
        let mut outcome = UpdateOutcome::default();
        let mut identifiers = Vec::with_capacity(call.ids.len());
        for id in &call.ids {
            match id.as_asff() {
                Some(k) => identifiers.push(k.clone()),
                None => outcome.unprocessed.push(Unprocessed {
                    id: id.clone(),
                    code: "FindingNotFound".into(),
                    message: "BatchUpdateFindings updates ASFF findings only".into(),
                }),
            }
        }
        if identifiers.is_empty() {
            return Ok(outcome);
        }
        let request = BatchUpdateRequest { identifiers, update: call.update.clone() };
        let r = self.runtime.block_on(self.client.batch_update_findings(&request))?;
        outcome.processed.extend(r.processed.into_iter().map(FindingId::Asff));
        outcome.unprocessed.extend(r.unprocessed.into_iter().map(|u| Unprocessed {
            id: FindingId::Asff(u.key),
            code: u.code,
            message: u.message,
        }));
        Ok(outcome)
    }

    fn batch_update_undoable(
        &mut self,
        call: &UpdateCall,
        previous: &HashMap<FindingId, FindingUpdate>,
    ) -> Result<UpdateOutcome> {
        match &self.outgoing {
            Some(o) => self.enqueue(o, call, previous),
            None => self.batch_update(call),
        }
    }

    fn seed(&mut self, _calls: Vec<Vec<Value>>) -> Result<usize> {
        Err(BackendError::invalid("a remote Security Hub is not seeded with the demo dataset"))
    }
}
