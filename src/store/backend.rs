//! The local store as a `Backend`: the workbench's operations run against it as one caller, with
//! its errors sorted into the kinds the UI acts on. Reads, like updates, see only the findings the
//! caller's access allows.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::{Access, Caller, HistoryRequest, Store, StoreError, MAX_IMPORT_FINDINGS};
use crate::backend::{Backend, BackendError, Capabilities, ErrorKind, Result, Unprocessed, UpdateOutcome};
use crate::generate;
use crate::model::call::UpdateCall;
use crate::model::finding::{FindingId, FindingKey};
use crate::model::history::HistoryEntry;
use crate::model::ocsf::OcsfUpdate;
use crate::model::summary::FindingSummary;
use crate::model::update::FindingUpdate;
use crate::model::wire::batch_update::{BatchUpdateRequest, UpdateResult};
use crate::model::wire::batch_update_v2::{BatchUpdateV2Request, V2FindingRef, V2Targets, V2UnprocessedCode};
use crate::query::Query;

/// A finding's history is read at most this far (newest first) for the detail pane.
const MAX_HISTORY: usize = 1_000;

/// The local store, acting as `caller`.
pub struct StoreBackend {
    pub store: Store,
    pub caller: Caller,
    /// The store's `data_version` at the last `changed_elsewhere`.
    seen_version: Option<i64>,
    /// What puts back the OCSF form of each ASFF finding an edit reached in both forms, read just
    /// before the edit's BatchUpdateFindingsV2 call to it: the change log keeps it with the ASFF
    /// finding's restore (`log_edit`), which the worker read from the ASFF document alone.
    twin_restores: HashMap<FindingKey, (String, OcsfUpdate)>,
}

impl From<StoreError> for BackendError {
    fn from(e: StoreError) -> BackendError {
        let kind = match &e {
            StoreError::InvalidInput(_) => ErrorKind::Invalid,
            StoreError::Open { .. } | StoreError::Io(_) => ErrorKind::Unavailable,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) =>
            {
                ErrorKind::Unavailable
            }
            _ => ErrorKind::Other,
        };
        BackendError::new(kind, e.to_string())
    }
}

impl StoreBackend {
    /// The OCSF findings of a call, as one BatchUpdateFindingsV2 call. An edit V2 has no member
    /// for (only Confidence, say) or a comment V2 refuses leaves each finding unprocessed with V2's
    /// ValidationException, as the service answers the request.
    fn batch_update_v2(&mut self, call: &UpdateCall, uids: Vec<String>, outcome: &mut UpdateOutcome) -> Result<()> {
        let update = call.update.to_v2();
        let refused = if update.is_empty() {
            Some(format!(
                "BatchUpdateFindingsV2 cannot set {}",
                call.update.v2_dropped().join(", ").chars().take(200).collect::<String>()
            ))
        } else {
            update.comment.as_deref().and_then(|c| crate::model::ocsf::update::check_comment(c).err())
        };
        if let Some(message) = refused {
            outcome.unprocessed.extend(uids.into_iter().map(|uid| Unprocessed {
                id: FindingId::Ocsf(uid),
                code: V2UnprocessedCode::ValidationException.as_str().into(),
                message: message.clone(),
            }));
            return Ok(());
        }
        let request = BatchUpdateV2Request { targets: V2Targets::MetadataUids(uids), update };
        let r = self.store.batch_update_v2_as(&self.caller, &request)?;
        let id = |f: V2FindingRef| FindingId::Ocsf(f.metadata_uid.unwrap_or_default());
        outcome.processed.extend(r.processed.into_iter().map(id));
        outcome.unprocessed.extend(r.unprocessed.into_iter().map(|u| Unprocessed {
            id: id(u.finding),
            code: u.error_code.as_str().into(),
            message: u.error_message,
        }));
        Ok(())
    }

    /// A call split by format: its ASFF findings go to `asff` (a BatchUpdateFindings call on the
    /// store, with or without an expiry) and its OCSF findings to BatchUpdateFindingsV2, and the
    /// answers are mapped to the workbench's ids. The OCSF form of a finding stored in both forms is
    /// listed under its ASFF row; the edit goes to it too, in a BatchUpdateFindingsV2 call
    /// (`model::ocsf::same`). Only its refusals are reported: the row the workbench shows is the
    /// ASFF one.
    fn update_both_forms(
        &mut self,
        call: &UpdateCall,
        asff: impl FnOnce(&mut Store, &Caller, BatchUpdateRequest) -> super::Result<Vec<UpdateResult>>,
    ) -> Result<UpdateOutcome> {
        let mut outcome = UpdateOutcome::default();
        let mut identifiers = Vec::with_capacity(call.ids.len());
        let mut uids = Vec::new();
        for id in &call.ids {
            match id {
                FindingId::Asff(k) => identifiers.push(k.clone()),
                FindingId::Ocsf(uid) => uids.push(uid.clone()),
            }
        }
        if !identifiers.is_empty() {
            let access = self.access()?;
            let mut twins = Vec::new();
            let v2 = call.update.to_v2();
            for k in &identifiers {
                let Some(twin) = self.store.ocsf_twin_as(&access, k)?.filter(|t| !uids.contains(t)) else { continue };
                if !v2.is_empty() {
                    if let Some(doc) = self.store.get_ocsf_as(&access, &twin)? {
                        self.twin_restores.insert(k.clone(), (twin.clone(), crate::model::undo::restore_v2(&doc, &v2)));
                    }
                }
                twins.push(twin);
            }
            if !twins.is_empty() && !v2.is_empty() {
                let mut twin = UpdateOutcome::default();
                self.batch_update_v2(call, twins, &mut twin)?;
                outcome.unprocessed.extend(twin.unprocessed);
            }
            let request = BatchUpdateRequest { identifiers, update: call.update.clone() };
            for r in asff(&mut self.store, &self.caller, request)? {
                outcome.processed.extend(r.processed.into_iter().map(FindingId::Asff));
                outcome.unprocessed.extend(r.unprocessed.into_iter().map(|u| Unprocessed {
                    id: FindingId::Asff(u.key),
                    code: u.code,
                    message: u.message,
                }));
            }
        }
        if !uids.is_empty() {
            self.batch_update_v2(call, uids, &mut outcome)?;
        }
        Ok(outcome)
    }

    pub fn new(store: Store, caller: Caller) -> StoreBackend {
        StoreBackend { store, caller, seen_version: None, twin_restores: HashMap::new() }
    }

    pub fn open(path: &Path, caller: Caller) -> Result<StoreBackend> {
        Ok(StoreBackend::new(Store::open(path)?, caller))
    }

    /// The caller's access, resolved at each read so that a change of members made meanwhile (`org`)
    /// applies at once, as it does to updates.
    fn access(&self) -> Result<Access> {
        Ok(self.store.access(&self.caller)?)
    }
}

impl Backend for StoreBackend {
    /// The store's path, and "· demo data" while it holds demo findings (`store::demo`), so that the
    /// workbench's header says what the analyst is looking at. (Looking for them reads the summary
    /// columns of a store without any: 70 ms for 100,000 findings, 0.5 s for 1,000,000; the
    /// workbench starts with `first_description` and describes the source once its rows are
    /// loaded, and again after loading or removing the demo.)
    fn describe(&self) -> String {
        let path = self.store.path().display().to_string();
        match self.store.has_demo() {
            Ok(true) => format!("{path} · demo data"),
            _ => path,
        }
    }

    /// `describe`, reading the findings a part of row ids at a time (`Store::has_demo_from`).
    fn describe_from(&self, from: i64) -> crate::backend::Describing {
        let path = self.store.path().display().to_string();
        match self.store.has_demo_from(from) {
            Ok(Some(true)) => crate::backend::Describing::Done(format!("{path} · demo data")),
            Ok(None) => crate::backend::Describing::From(from.saturating_add(super::demo::DEMO_PART)),
            _ => crate::backend::Describing::Done(path),
        }
    }

    /// The store's path: the header at start, before the demo findings are looked for.
    fn first_description(&self) -> Option<String> {
        Some(self.store.path().display().to_string())
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    fn count(&self) -> Result<Option<usize>> {
        Ok(Some(self.store.listed_count_as(&self.access()?)? as usize))
    }

    fn for_each_summary(&self, sink: &mut dyn FnMut(FindingSummary) -> bool) -> Result<()> {
        let access = self.access()?;
        // The first screenful in the list's order, the rest as the table holds it (the list sorts).
        let first = crate::worker::FIRST_CHUNK;
        Ok(self.store.for_each_summary_streamed_as(&access, first, sink)?)
    }

    fn documents(&self, ids: &[FindingId]) -> Result<Vec<Option<Value>>> {
        let access = self.access()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(match id {
                FindingId::Asff(k) => self.store.get_as(&access, k)?,
                FindingId::Ocsf(uid) => self.store.get_ocsf_as(&access, uid)?,
            });
        }
        Ok(out)
    }

    /// An ASFF finding's OCSF form (its twin, listed under the ASFF row).
    fn other_form(&self, id: &FindingId) -> Result<Option<Value>> {
        let FindingId::Asff(key) = id else { return Ok(None) };
        let access = self.access()?;
        match self.store.ocsf_twin_as(&access, key)? {
            Some(uid) => Ok(self.store.get_ocsf_as(&access, &uid)?),
            None => Ok(None),
        }
    }

    /// An OCSF finding's history is the store's (there is no V2 GetFindingHistory at AWS): its
    /// rows are keyed like an ASFF finding's, by (`metadata.product.uid`, `metadata.uid`).
    fn history(&self, id: &FindingId) -> Result<Vec<HistoryEntry>> {
        let access = self.access()?;
        let key = match id {
            FindingId::Asff(k) => k.clone(),
            FindingId::Ocsf(uid) => match self.store.get_ocsf_as(&access, uid)? {
                Some(doc) => FindingKey::new(crate::model::ocsf::Ocsf(&doc).product_uid(), uid.clone()),
                None => return Ok(Vec::new()),
            },
        };
        let mut req = HistoryRequest::new(key);
        let mut out = Vec::new();
        loop {
            let page = self.store.finding_history_as(&access, &req)?;
            out.extend(page.records.into_iter().map(HistoryEntry::from));
            match page.next_token {
                Some(t) if out.len() < MAX_HISTORY => req.next_token = Some(t),
                _ => break,
            }
        }
        Ok(out)
    }

    fn query(&self, q: &Query) -> Result<Vec<FindingId>> {
        let words = |doc: &Value| q.matches_text(doc);
        let access = self.access()?;
        // The store checks the free words itself (from its free-word text, without the documents).
        let keys = self.store.matching_keys_as(&access, &q.filters, &q.text, None)?;
        let mut out: Vec<FindingId> = keys.into_iter().map(FindingId::Asff).collect();
        let ocsf_extra: Option<&dyn Fn(&Value) -> bool> = if q.text.is_empty() { None } else { Some(&words) };
        out.extend(self.store.matching_ocsf_as(&access, &q.filters, ocsf_extra)?.into_iter().map(FindingId::Ocsf));
        Ok(out)
    }

    /// A call's ASFF findings go to BatchUpdateFindings and its OCSF findings to
    /// BatchUpdateFindingsV2 (`FindingUpdate::to_v2`); the workbench's plans never mix them in a
    /// call, but either kind is answered here.
    fn batch_update(&mut self, call: &UpdateCall) -> Result<UpdateOutcome> {
        self.update_both_forms(call, |store, caller, request| Ok(vec![store.batch_update(caller, &request)?]))
    }

    /// OCSF findings are suppressed without an expiry (as `hubtriage update --expires` does): it is
    /// kept for ASFF findings. The OCSF form of an ASFF finding is suppressed too.
    fn batch_update_expiring(&mut self, call: &UpdateCall, expiry: &super::expiry::SetExpiry) -> Result<UpdateOutcome> {
        self.update_both_forms(call, |store, caller, request| {
            store.batch_updates_expiring(caller, std::slice::from_ref(&request), Some(expiry))
        })
    }

    /// Both formats are logged: an OCSF finding's restore is the BatchUpdateFindingsV2 members
    /// the worker read before the edit (`FindingUpdate::v2`), and the OCSF form of an ASFF finding
    /// stored in both has the one read before its call (`twin_restores`).
    fn log_edit(&mut self, description: &str, restores: &[(FindingId, FindingUpdate)]) -> Result<()> {
        let twins: Vec<(String, OcsfUpdate)> =
            restores.iter().filter_map(|(id, _)| self.twin_restores.remove(id.as_asff()?)).collect();
        self.store.log_edit(&self.caller, description, restores, &twins)?;
        Ok(())
    }

    fn change_log(&self, limit: usize) -> Result<Vec<super::changelog::LogEntry>> {
        Ok(self.store.change_log(limit)?)
    }

    fn undo_plan(&self, id: i64) -> Result<super::changelog::UndoPlan> {
        Ok(self.store.undo_plan(id)?)
    }

    /// As `hubtriage log --undo ID --yes`: the plan read again now, sent in one transaction
    /// (`Store::apply_undo`).
    fn undo_logged(&mut self, id: i64) -> Result<(Option<i64>, UpdateOutcome)> {
        let plan = self.store.undo_plan(id)?;
        Ok(self.store.apply_undo(&self.caller, &plan)?)
    }

    /// `PRAGMA data_version` on the backend's own connection: the worker's own edits never
    /// change it, another process's commits do.
    fn changed_elsewhere(&mut self) -> Result<bool> {
        let now = self.store.data_version()?;
        Ok(self.seen_version.replace(now).is_some_and(|before| before != now))
    }

    fn expire_due(&mut self) -> Result<usize> {
        let now = self.store.now();
        Ok(self.store.expire_due(now)?.len())
    }

    fn expiring(&self) -> Result<Vec<(FindingId, time::OffsetDateTime)>> {
        let access = self.access()?;
        let visible = |k: &FindingKey| match &access {
            Access::Unrestricted => true,
            _ => self.store.get_as(&access, k).ok().flatten().is_some(),
        };
        Ok(self
            .store
            .expiries()?
            .into_iter()
            .filter(|e| visible(&e.key))
            .map(|e| (FindingId::Asff(e.key), e.expires))
            .collect())
    }

    fn seed(&mut self, calls: Vec<Vec<Value>>) -> Result<usize> {
        Ok(seed_calls(&mut self.store, calls)?)
    }

    fn remove_demo(&mut self) -> Result<usize> {
        // The demo was loaded by the store's owner for every account; one account of the access
        // model does not take it out of everyone's store.
        if self.caller.account.is_some() {
            return Err(BackendError::invalid(
                "demo findings are removed by the store's owner: open the workbench without --account",
            ));
        }
        Ok(self.store.remove_demo()? as usize)
    }
}

/// Imports calls of findings as the store's owner (the caller "demo", unrestricted); returns how
/// many findings were imported. OCSF findings are imported by V2's rules (`Store::import_ocsf`).
fn seed_calls(store: &mut Store, calls: Vec<Vec<Value>>) -> std::result::Result<usize, StoreError> {
    let caller = Caller::unrestricted("demo");
    let is_ocsf = |f: &Value| crate::model::finding::Format::of(f) == Some(crate::model::finding::Format::Ocsf);
    let (mut asff, mut ocsf) = (Vec::with_capacity(calls.len()), Vec::new());
    for call in calls {
        let (o, a): (Vec<Value>, Vec<Value>) = call.into_iter().partition(is_ocsf);
        if !a.is_empty() {
            asff.push(a);
        }
        ocsf.extend(o);
    }
    let mut n = 0;
    for r in store.import_calls(&caller, asff)? {
        n += r?.success_count;
    }
    for call in ocsf.chunks(MAX_IMPORT_FINDINGS) {
        n += store.import_ocsf(&caller, call.to_vec())?.success_count;
    }
    Ok(n)
}

/// Imports the demo dataset in calls of 100; returns how many findings were imported. The overview
/// seeds an empty store with it.
pub fn import_demo(store: &mut Store) -> std::result::Result<usize, StoreError> {
    let all = generate::demo_all();
    seed_calls(store, all.chunks(MAX_IMPORT_FINDINGS).map(<[Value]>::to_vec).collect())
}

#[cfg(test)]
mod tests;
