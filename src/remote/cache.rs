//! The read cache of one (endpoint, account, region): the findings of one view of the remote (by
//! default the console's, RecordState ACTIVE and Workflow NEW or NOTIFIED), mirrored into a local
//! store exactly as GetFindings returned them (`Store::mirror`, no import rules), so that the
//! workbench opens on them at once and `findings` reads them offline; and the sync that keeps it:
//! a full pass the first time (or when the view changes), then only what was updated since.
//!
//! The cache is its own file beside the outbox (`<hash>.cache.db` beside `<hash>.db`): the outbox
//! commits small fsync'd transactions that must not wait behind a page of 100 documents being
//! written, and the cache can be deleted to start afresh without losing a queued edit.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension};
use serde_json::{json, Value};

use super::client::Client;
use super::error::RemoteError;
use super::outbox::now_ms;
use crate::backend::{BackendError, Result};
use crate::model::filter::Filters;
use crate::model::finding::FindingKey;
use crate::model::ocsf::filter::OcsfFindingFilters;
use crate::model::ocsf::Ocsf;
use crate::model::timestamp;
use crate::model::wire::get_findings::{GetFindingsRequest, SortCriterion};
use crate::model::wire::get_findings_v2::GetFindingsV2Request;
use crate::query::{self, Query};
use crate::store::mirror::Mirrored;
use crate::store::Store;

/// The console's default view of findings (Security Hub user guide, "Viewing findings": active
/// findings whose workflow status is NEW or NOTIFIED).
pub const DEFAULT_VIEW: &str = "record:active status:new,notified";

/// A refresh asks for findings updated since the last sync's newest `UpdatedAt` minus this: a
/// finding written while that sync was reading may carry an `UpdatedAt` a little before the newest
/// one it returned.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

const SYNC_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS remote_sync (key TEXT PRIMARY KEY, value TEXT NOT NULL);";

/// The cache file beside the outbox file `outbox` (`remote::outbox::store_path`).
pub fn cache_path(outbox: &Path) -> PathBuf {
    outbox.with_extension("cache.db")
}

/// Which findings are mirrored: a query in the query language, its filters sent as GetFindings'
/// `Filters` and its free words checked on the answers.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub text: String,
    pub query: Query,
}

impl View {
    pub fn parse(text: &str) -> Result<View> {
        let query = query::parse(text).map_err(|e| BackendError::invalid(format!("the view {text:?}: {e}")))?;
        Ok(View { text: text.trim().to_string(), query })
    }

    /// The console's default view.
    pub fn default_view() -> View {
        View::parse(DEFAULT_VIEW).unwrap_or(View { text: String::new(), query: Query::default() })
    }

    /// Whether every finding `q` selects is in this view: the view is every finding, or each of its
    /// attributes is filtered by the query to equal values among the view's.
    pub fn covers(&self, q: &Query) -> bool {
        let (v, q) = (self.query.filters.to_json(), q.filters.to_json());
        let Some(v) = v.as_object() else { return true };
        v.iter().all(|(attr, want)| match (equal_values(want), q.get(attr).and_then(equal_values)) {
            (Some(want), Some(have)) => !have.is_empty() && have.iter().all(|h| want.contains(h)),
            _ => q.get(attr) == Some(want),
        })
    }

    /// Every finding.
    pub fn all() -> View {
        View { text: String::new(), query: Query::default() }
    }

    fn matches(&self, doc: &Value) -> bool {
        self.query.matches(doc, time::OffsetDateTime::now_utc())
    }

    /// An OCSF document against the view, through the mapping the list uses (`asff_view`).
    fn matches_ocsf(&self, doc: &Value) -> bool {
        self.matches(&crate::model::ocsf::asff_view(doc))
    }
}

/// What the last complete sync left.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncState {
    /// The view it mirrored.
    pub view: Option<String>,
    /// The newest `UpdatedAt` it saw (the service's clock).
    pub mark: Option<String>,
    /// When it finished (this machine's clock), ms since the epoch.
    pub finished_ms: Option<i64>,
}

/// Progress of a sync, after each page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub pages: usize,
    pub findings: usize,
    pub elapsed: Duration,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncReport {
    /// A full pass (the first, or after the view changed), not a refresh.
    pub full: bool,
    pub pages: usize,
    /// Findings GetFindings returned.
    pub findings: usize,
    pub new: Vec<FindingKey>,
    pub updated: Vec<FindingKey>,
    /// Findings that left the view (no longer returned by a full pass, or updated out of it).
    pub gone: Vec<FindingKey>,
    pub elapsed: Duration,
    /// GetFindingsV2 pages and the OCSF findings they returned (`sync_v2`; `new`, `updated` and
    /// `gone` then hold both formats' keys).
    pub v2_pages: usize,
    pub v2_findings: usize,
}

/// The cache store and its sync state.
pub struct Cache {
    pub store: Store,
    meta: Connection,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache").field("path", &self.store.path()).finish_non_exhaustive()
    }
}

fn db(e: rusqlite::Error) -> BackendError {
    BackendError::other(format!("the read cache: {e}"))
}

impl Cache {
    /// Opens (creating) the cache at `path`.
    pub fn open(path: &Path) -> Result<Cache> {
        let store = Store::open(path)?;
        let meta = Connection::open(path).map_err(db)?;
        meta.busy_timeout(Duration::from_secs(10)).map_err(db)?;
        meta.execute_batch(SYNC_SCHEMA).map_err(db)?;
        Ok(Cache { store, meta })
    }

    /// The cache at `path` if there is one (a command that only reads creates nothing).
    pub fn open_existing(path: &Path) -> Result<Option<Cache>> {
        if !path.is_file() {
            return Ok(None);
        }
        Cache::open(path).map(Some)
    }

    fn get(&self, key: &str) -> Result<Option<String>> {
        self.meta.query_row("SELECT value FROM remote_sync WHERE key = ?1", [key], |r| r.get(0)).optional().map_err(db)
    }

    pub fn state(&self) -> Result<SyncState> {
        Ok(SyncState {
            view: self.get("view")?,
            mark: self.get("mark")?,
            finished_ms: self.get("finished_ms")?.and_then(|v| v.parse().ok()),
        })
    }

    fn set_state(&self, s: &SyncState) -> Result<()> {
        let mut pairs = vec![("view", s.view.clone()), ("mark", s.mark.clone())];
        pairs.push(("finished_ms", s.finished_ms.map(|v| v.to_string())));
        for (k, v) in pairs {
            match v {
                Some(v) => {
                    self.meta.execute("INSERT OR REPLACE INTO remote_sync (key, value) VALUES (?1, ?2)", [k, &v])
                }
                None => self.meta.execute("DELETE FROM remote_sync WHERE key = ?1", [k]),
            }
            .map_err(db)?;
        }
        Ok(())
    }

    /// Makes the next sync a full pass, of both APIs (the findings stay listed meanwhile).
    pub fn forget_sync(&self) -> Result<()> {
        self.meta.execute("DELETE FROM remote_sync WHERE key IN ('mark', 'mark_v2')", []).map_err(db)?;
        Ok(())
    }

    /// The GetFindingsV2 mark: the view it was taken for and the newest `finding_info`
    /// modification time that sync saw.
    fn v2_mark(&self) -> Result<(Option<String>, Option<String>)> {
        Ok((self.get("view_v2")?, self.get("mark_v2")?))
    }

    fn set_v2_mark(&self, view: &str, mark: &str) -> Result<()> {
        for (k, v) in [("view_v2", view), ("mark_v2", mark)] {
            self.meta.execute("INSERT OR REPLACE INTO remote_sync (key, value) VALUES (?1, ?2)", [k, v]).map_err(db)?;
        }
        Ok(())
    }

    /// "synced 3 min ago", "never synced".
    pub fn staleness(&self) -> String {
        match self.state().ok().and_then(|s| s.finished_ms) {
            Some(ms) => format!("synced {}", ago(now_ms() - ms)),
            None => "never synced".to_string(),
        }
    }

    /// Writes our own edits into the cached documents, as the remote will hold them once they are
    /// sent; a finding the edit takes out of `view` (resolved, say) leaves the cache, as the next
    /// full pass would take it out.
    pub fn put_edited(&mut self, docs: Vec<Value>, view: &View) -> Result<()> {
        let (keep, leave): (Vec<Value>, Vec<Value>) = docs.into_iter().partition(|d| view.matches(d));
        self.store.mirror(&keep)?;
        let gone: Vec<FindingKey> = leave.iter().filter_map(FindingKey::of).collect();
        self.store.forget(&gone)?;
        Ok(())
    }
}

impl Cache {
    /// `put_edited` for OCSF documents (edited by BatchUpdateFindingsV2's members): kept as the
    /// remote will hold them, or out of the cache when the edit takes them out of `view`.
    pub fn put_edited_ocsf(&mut self, docs: Vec<Value>, view: &View) -> Result<()> {
        let (keep, leave): (Vec<Value>, Vec<Value>) = docs.into_iter().partition(|d| view.matches_ocsf(d));
        self.store.mirror_ocsf(&keep)?;
        let gone: Vec<FindingKey> = leave.iter().filter_map(ocsf_key).collect();
        self.store.forget(&gone)?;
        Ok(())
    }
}

/// A duration in the past, said as a person would: "just now", "42 s ago", "3 min ago", "5 h ago",
/// "2 days ago".
pub fn ago(ms: i64) -> String {
    crate::model::words::ago(ms)
}

/// GetFindings' Filters for a refresh: `UpdatedAt` from `mark` minus the margin. The view's
/// filters are not sent with it, so that a finding updated out of the view comes back too and is
/// told as gone.
fn updated_since(mark: &str) -> Result<Filters> {
    let start = timestamp::parse(mark).map(|t| t - REFRESH_MARGIN).map(timestamp::format).ok_or_else(|| {
        BackendError::other(format!("the cache's sync mark {mark:?} is not a date; delete the cache"))
    })?;
    Filters::from_json(&json!({"UpdatedAt": [{"Start": start}]})).map_err(|e| BackendError::invalid(e.to_string()))
}

/// Newest of two `UpdatedAt` values, by time.
fn newer(a: Option<String>, b: &str) -> Option<String> {
    let tb = timestamp::parse(b);
    match a {
        Some(a) if timestamp::parse(&a) >= tb => Some(a),
        _ if tb.is_some() => Some(b.to_string()),
        a => a,
    }
}

/// Brings the cache up to date with `view` on the remote: a full pass when the cache has never
/// mirrored this view, else a refresh of what was updated since. `page` sees each page's documents
/// as they were written (to stream them into a list), then the documents of findings the cache held
/// that the page shows out of the view (so that a list drops their rows), and `progress` each
/// page's count.
pub async fn sync(
    client: &Client,
    cache: &mut Cache,
    view: &View,
    mut page: impl FnMut(&[Value], &Mirrored, &[Value]),
    mut progress: impl FnMut(Progress),
) -> Result<SyncReport> {
    let started = Instant::now();
    let state = cache.state()?;
    let full = state.view.as_deref() != Some(view.text.as_str()) || state.mark.is_none();
    let filters = match (&state.mark, full) {
        (Some(mark), false) => updated_since(mark)?,
        _ => view.query.filters.clone(),
    };
    let request = GetFindingsRequest {
        filters,
        // Most severe first, so that a first sync fills the top of the list first.
        sort: vec![SortCriterion { field: "SeverityNormalized".into(), descending: true }],
        next_token: None,
        max_results: 100,
    };
    let mut report = SyncReport { full, ..SyncReport::default() };
    let mut mark = if full { None } else { state.mark.clone() };
    let mut seen: HashSet<FindingKey> = HashSet::new();
    let mut request = request;
    loop {
        let answer = client.get_findings(&request).await?;
        report.pages += 1;
        report.findings += answer.findings.len();
        let (keep, leave): (Vec<Value>, Vec<Value>) = answer.findings.into_iter().partition(|d| view.matches(d));
        for d in &keep {
            if let Some(u) = d.get("UpdatedAt").and_then(Value::as_str) {
                mark = newer(mark, u);
            }
        }
        let written = cache.store.mirror(&keep)?;
        if full {
            seen.extend(keep.iter().filter_map(FindingKey::of));
        }
        // Only those the cache held are gone from the view.
        let left: Vec<FindingKey> = leave.iter().filter_map(FindingKey::of).collect();
        let gone = cache.store.forget(&left)?;
        let held: HashSet<&FindingKey> = gone.iter().collect();
        let left: Vec<Value> =
            leave.into_iter().filter(|d| FindingKey::of(d).is_some_and(|k| held.contains(&k))).collect();
        report.gone.extend(gone);
        page(&keep, &written, &left);
        report.new.extend(written.new);
        report.updated.extend(written.updated);
        progress(Progress { pages: report.pages, findings: report.findings, elapsed: started.elapsed() });
        match answer.next_token {
            // The same token again would never end.
            Some(t) if request.next_token.as_deref() != Some(t.as_str()) => request.next_token = Some(t),
            _ => break,
        }
    }
    if full {
        // A full pass returned the whole view: what it did not return has left it.
        let gone: Vec<FindingKey> = cache.store.all_keys()?.into_iter().filter(|k| !seen.contains(k)).collect();
        report.gone.extend(cache.store.forget(&gone)?);
    }
    cache.set_state(&SyncState {
        view: Some(view.text.clone()),
        mark: mark.or(state.mark).or_else(|| Some(timestamp::format(time::OffsetDateTime::now_utc()))),
        finished_ms: Some(now_ms()),
    })?;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// GetFindingsV2's filters for `view`: the console's default view is status_id 1 (New) or 2 (In
/// Progress), the OCSF statuses the list shows as NEW and NOTIFIED; every finding is no filter.
/// Another view is not compiled to OCSF filters: every finding is read and the view checked on
/// each answer (`View::matches_ocsf`).
pub fn v2_filters(view: &View) -> Result<OcsfFindingFilters> {
    let text = if view.text == DEFAULT_VIEW {
        json!({"CompositeFilters": [{
            "NumberFilters": [
                {"FieldName": "status_id", "Filter": {"Eq": 1}},
                {"FieldName": "status_id", "Filter": {"Eq": 2}},
            ],
            "Operator": "OR",
        }]})
    } else {
        json!({})
    };
    OcsfFindingFilters::from_json(&text).map_err(|e| BackendError::invalid(e.to_string()))
}

/// The values of one attribute's string filters (GetFindings' `Filters` in JSON) when each is an
/// EQUALS; `None` when one is another comparison.
fn equal_values(list: &Value) -> Option<Vec<String>> {
    list.as_array()?
        .iter()
        .map(|e| {
            (e.get("Comparison").and_then(Value::as_str) == Some("EQUALS"))
                .then(|| e.get("Value").and_then(Value::as_str).map(str::to_string))
                .flatten()
        })
        .collect()
}

/// GetFindingsV2's filters for the OCSF findings `q` selects, as far as OCSF fields carry it: its
/// workflow statuses and severity labels as every `status_id` and `severity_id` the list shows as
/// them (`StatusId::to_workflow`: RESOLVED is Resolved, Archived and Other; `SeverityId::to_label`),
/// its accounts (`cloud.account.uid`) and regions (`cloud.region`), each field's EQUALS values only.
/// The answers may hold more than `q` selects: the list applies the whole query to them. `None`
/// when nothing in `q` can be sent (asking for every OCSF finding is a sync's work, not a query's).
pub fn v2_query_filters(q: &Query) -> Option<OcsfFindingFilters> {
    use crate::model::ocsf::enums::{SeverityId, StatusId};
    let f = q.filters.to_json();
    let values = |attr: &str| f.get(attr).and_then(equal_values);
    let numbers = |field: &str, ids: Vec<i64>| {
        let filters: Vec<Value> = ids.iter().map(|id| json!({"FieldName": field, "Filter": {"Eq": id}})).collect();
        json!({"NumberFilters": filters, "Operator": "OR"})
    };
    let strings = |field: &str, values: Vec<String>| {
        let filters: Vec<Value> = values
            .iter()
            .map(|v| json!({"FieldName": field, "Filter": {"Value": v, "Comparison": "EQUALS"}}))
            .collect();
        json!({"StringFilters": filters, "Operator": "OR"})
    };
    let mut composites = Vec::new();
    if let Some(want) = values("WorkflowStatus") {
        let ids = StatusId::ALL.iter().filter(|s| want.iter().any(|w| w == s.to_workflow().as_str()));
        composites.push(numbers("status_id", ids.map(|s| s.id()).collect()));
    }
    if let Some(want) = values("SeverityLabel") {
        let ids = SeverityId::ALL.iter().filter(|s| s.to_label().is_some_and(|l| want.iter().any(|w| w == l.as_str())));
        composites.push(numbers("severity_id", ids.map(|s| s.id()).collect()));
    }
    if let Some(want) = values("AwsAccountId") {
        composites.push(strings("cloud.account.uid", want));
    }
    if let Some(want) = values("Region") {
        composites.push(strings("cloud.region", want));
    }
    if composites.is_empty() {
        return None;
    }
    OcsfFindingFilters::from_json(&json!({"CompositeFilters": composites, "CompositeOperator": "AND"})).ok()
}

/// The OCSF findings `filters` selects, GetFindingsV2 100 a page, at most `max` of them; `None` when
/// the endpoint has no GetFindingsV2 for this caller (404, access denied).
pub async fn fetch_v2(client: &Client, filters: OcsfFindingFilters, max: usize) -> Result<Option<Vec<Value>>> {
    let request = GetFindingsV2Request { filters, max_results: 100, ..Default::default() };
    let mut out = Vec::new();
    let answer = client
        .get_all_findings_v2(&request, |page| {
            out.extend(page);
            out.len() < max
        })
        .await;
    match answer {
        Err(e) if out.is_empty() && unsupported(&e) => Ok(None),
        Err(e) => Err(e.into()),
        Ok(_) => {
            out.truncate(max);
            Ok(Some(out))
        }
    }
}

/// GetFindingsV2's filters for a refresh: `finding_info.modified_time_dt` from `mark` minus the
/// margin, as `updated_since` asks GetFindings. The view's filters are not sent with it, so that a
/// finding modified out of the view comes back too and is told as gone.
fn modified_since(mark: &str) -> Result<OcsfFindingFilters> {
    let start = timestamp::parse(mark).map(|t| t - REFRESH_MARGIN).map(timestamp::format).ok_or_else(|| {
        BackendError::other(format!("the cache's GetFindingsV2 mark {mark:?} is not a date; delete the cache"))
    })?;
    let text = json!({"CompositeFilters": [{
        "DateFilters": [{"FieldName": "finding_info.modified_time_dt", "Filter": {"Start": start}}],
    }]});
    OcsfFindingFilters::from_json(&text).map_err(|e| BackendError::invalid(e.to_string()))
}

/// Brings the cache's OCSF findings up to date with `view` on the remote: a full GetFindingsV2 pass
/// the first time (or for another view, or after `forget_sync`), else a refresh of the findings
/// modified since the newest `finding_info` modification time the last one saw (`modified_since`:
/// BatchUpdateFindingsV2 does not change it, so others' V2 edits are caught by a full pass only);
/// 100 a page, NextToken paging, the client's bucket setting the pace, each page written as the
/// service returned it (`Store::mirror_ocsf`) and the OCSF findings it no longer returns (a full
/// pass) or returns out of the view removed. With
/// `skip_unsupported`, an endpoint without GetFindingsV2 for this caller is `Ok(None)`. `page` sees
/// each page's findings a list shows as their own rows (those in both forms are listed as their
/// ASFF row: `model::ocsf::same`): the new ones, the updated ones, and those the cache held that
/// left the view, with their new documents.
pub async fn sync_v2(
    client: &Client,
    cache: &mut Cache,
    view: &View,
    skip_unsupported: bool,
    mut page: impl FnMut(&[Value], &[Value], &[Value]),
    mut progress: impl FnMut(Progress),
) -> Result<Option<SyncReport>> {
    let started = Instant::now();
    let (marked_view, old_mark) = cache.v2_mark()?;
    let full = marked_view.as_deref() != Some(view.text.as_str()) || old_mark.is_none();
    let filters = match (&old_mark, full) {
        (Some(mark), false) => modified_since(mark)?,
        _ => v2_filters(view)?,
    };
    let mut request = GetFindingsV2Request { filters, max_results: 100, ..Default::default() };
    let mut report = SyncReport { full, ..SyncReport::default() };
    let mut newest: Option<time::OffsetDateTime> = None;
    let mut seen: HashSet<FindingKey> = HashSet::new();
    loop {
        let answer = match client.get_findings_v2(&request).await {
            Ok(a) => a,
            Err(e) if skip_unsupported && report.v2_pages == 0 && unsupported(&e) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        report.v2_pages += 1;
        report.v2_findings += answer.findings.len();
        let (keep, leave): (Vec<Value>, Vec<Value>) = answer.findings.into_iter().partition(|d| view.matches_ocsf(d));
        for d in &keep {
            newest = newest.max(Ocsf(d).modified_time());
        }
        let written = cache.store.mirror_ocsf(&keep)?;
        seen.extend(written.new.iter().chain(&written.updated).cloned());
        seen.extend(keep.iter().filter_map(ocsf_key));
        let left: Vec<FindingKey> = leave.iter().filter_map(ocsf_key).collect();
        let gone = cache.store.forget(&left)?;
        let (new, updated): (HashSet<&FindingKey>, HashSet<&FindingKey>) =
            (written.new.iter().collect(), written.updated.iter().collect());
        let (mut added, mut changed) = (Vec::new(), Vec::new());
        for d in &keep {
            let Some(k) = ocsf_key(d) else { continue };
            if !new.contains(&k) && !updated.contains(&k) {
                continue;
            }
            let f = Ocsf(d);
            if cache.store.has_asff_twin(&crate::store::Access::Unrestricted, f.finding_uid(), f.product_uid())? {
                continue;
            }
            if new.contains(&k) { &mut added } else { &mut changed }.push(d.clone());
        }
        let held: HashSet<&FindingKey> = gone.iter().collect();
        let departed: Vec<Value> =
            leave.into_iter().filter(|d| ocsf_key(d).is_some_and(|k| held.contains(&k))).collect();
        page(&added, &changed, &departed);
        report.gone.extend(gone);
        report.new.extend(written.new);
        report.updated.extend(written.updated);
        progress(Progress { pages: report.v2_pages, findings: report.v2_findings, elapsed: started.elapsed() });
        match answer.next_token {
            Some(t) if request.next_token.as_deref() != Some(t.as_str()) => request.next_token = Some(t),
            _ => break,
        }
    }
    if full {
        // A full pass returned the whole view: what it did not return has left it.
        let gone: Vec<FindingKey> = cache.store.all_ocsf_keys()?.into_iter().filter(|k| !seen.contains(k)).collect();
        report.gone.extend(cache.store.forget(&gone)?);
    }
    // The newest modification seen (the service's clock); a view with none is marked now.
    let mark = match (newest, old_mark.filter(|_| !full)) {
        (Some(t), Some(old)) => timestamp::format(timestamp::parse(&old).map_or(t, |o| o.max(t))),
        (Some(t), None) => timestamp::format(t),
        (None, Some(old)) => old,
        (None, None) => timestamp::format(time::OffsetDateTime::now_utc()),
    };
    cache.set_v2_mark(&view.text, &mark)?;
    // The cache now mirrors `view` (so that `findings` refreshes the same one, with `--api v2`
    // too); a GetFindings mark kept for another view would make the next V1 sync a refresh of the
    // wrong view, so it goes.
    let state = cache.state()?;
    let same = state.view.as_deref() == Some(view.text.as_str());
    cache.set_state(&SyncState {
        view: Some(view.text.clone()),
        mark: if same { state.mark } else { None },
        finished_ms: Some(now_ms()),
    })?;
    report.elapsed = started.elapsed();
    Ok(Some(report))
}

/// An answer that says the endpoint has no such API for this caller: not implemented (404,
/// UnknownOperation: moto, an older endpoint) or access denied (a policy without the V2 actions).
fn unsupported(e: &RemoteError) -> bool {
    matches!(e, RemoteError::NotImplemented { .. })
        || matches!(e, RemoteError::AccessDenied { code, .. } if code == "AccessDeniedException")
}

/// The key an OCSF row is stored under: (`metadata.product.uid`, `metadata.uid`).
fn ocsf_key(doc: &Value) -> Option<FindingKey> {
    let f = Ocsf(doc);
    let (uid, product) = (f.metadata_uid(), f.product_uid());
    (!uid.trim().is_empty() && !product.trim().is_empty())
        .then(|| FindingKey { product_arn: product.into(), id: uid.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What of a query GetFindingsV2 can be asked: each status and severity as every OCSF id the
    /// list shows as it, accounts and regions as strings; the rest is left to the list, and a
    /// query with nothing OCSF fields carry asks nothing.
    #[test]
    fn a_query_is_asked_of_getfindingsv2_as_far_as_ocsf_fields_carry_it() {
        let v2 = |text: &str| v2_query_filters(&query::parse(text).unwrap()).map(|f| f.to_json());
        let ids = |v: &Value, i: usize| -> Vec<(String, i64)> {
            v["CompositeFilters"][i]["NumberFilters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (f["FieldName"].as_str().unwrap().to_string(), f["Filter"]["Eq"].as_i64().unwrap()))
                .collect()
        };
        let f = v2("status:resolved sev>=high title:bucket").unwrap();
        let status: Vec<(String, i64)> = [4, 5, 99].iter().map(|&i| ("status_id".to_string(), i)).collect();
        assert_eq!(ids(&f, 0), status, "RESOLVED is Resolved, Archived and Other");
        let severity: Vec<(String, i64)> = [4, 5, 6].iter().map(|&i| ("severity_id".to_string(), i)).collect();
        assert_eq!(ids(&f, 1), severity, "HIGH and CRITICAL are High, Critical and Fatal");
        assert_eq!(f["CompositeFilters"].as_array().unwrap().len(), 2, "the title is the list's: {f}");
        assert_eq!(f["CompositeOperator"], "AND");
        let f = v2("account:111122223333,444455556666 region:eu-west-1").unwrap();
        assert_eq!(f["CompositeFilters"][0]["StringFilters"][1]["FieldName"], "cloud.account.uid");
        assert_eq!(f["CompositeFilters"][0]["StringFilters"][1]["Filter"]["Value"], "444455556666");
        assert_eq!(f["CompositeFilters"][0]["Operator"], "OR");
        assert_eq!(f["CompositeFilters"][1]["StringFilters"][0]["FieldName"], "cloud.region");
        assert_eq!(v2("title:bucket product:guardduty"), None);
        assert_eq!(v2("region:eu-*"), None, "a prefix is the list's to apply");
    }

    #[test]
    fn staleness_is_said_as_a_person_would() {
        assert_eq!(ago(1_000), "just now");
        assert_eq!(ago(42_000), "42 s ago");
        assert_eq!(ago(180_000), "3 min ago");
        assert_eq!(ago(5 * 3_600_000), "5 h ago");
        assert_eq!(ago(3 * 86_400_000), "3 days ago");
    }

    #[test]
    fn the_cache_sits_beside_the_outbox() {
        let p = cache_path(Path::new("/c/hubtriage/remote/0123abcd.db"));
        assert_eq!(p, Path::new("/c/hubtriage/remote/0123abcd.cache.db"));
    }

    #[test]
    fn a_refresh_asks_for_what_was_updated_since_the_mark_less_the_margin() {
        let f = updated_since("2026-01-02T00:10:00.000Z").unwrap().to_json();
        assert_eq!(f["UpdatedAt"][0]["Start"], "2026-01-02T00:05:00.000Z", "{f}");
    }

    #[test]
    fn a_v2_refresh_asks_for_what_was_modified_since_the_mark_less_the_margin() {
        let f = modified_since("2026-01-02T00:10:00.000Z").unwrap().to_json();
        let date = &f["CompositeFilters"][0]["DateFilters"][0];
        assert_eq!(date["FieldName"], "finding_info.modified_time_dt", "{f}");
        assert_eq!(date["Filter"]["Start"], "2026-01-02T00:05:00.000Z", "{f}");
    }

    #[test]
    fn the_default_view_asks_getfindingsv2_for_new_and_in_progress() {
        let f = v2_filters(&View::default_view()).unwrap().to_json();
        let numbers = &f["CompositeFilters"][0]["NumberFilters"];
        assert_eq!(numbers[0], json!({"FieldName": "status_id", "Filter": {"Eq": 1}}), "{f}");
        assert_eq!(numbers[1], json!({"FieldName": "status_id", "Filter": {"Eq": 2}}), "{f}");
        assert_eq!(f["CompositeFilters"][0]["Operator"], "OR", "{f}");
        assert_eq!(v2_filters(&View::all()).unwrap().to_json(), json!({}));
    }
}
