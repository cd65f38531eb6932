//! The change log (schema 10): each bulk edit made through `batch_updates_logged` or
//! `batch_updates_both_logged` (`hubtriage update`, `hubtriage expire`, an undo of one) or kept by
//! the workbench (`log_edit`) is an entry — who, when, what, how many findings — with, per finding,
//! the members that put back what the edit changed (`model::undo`), written in the edit's own
//! transaction. So an edit can be undone after the program that made it has quit (`hubtriage log
//! --undo ID`, `undo`). The per-field history of each finding stays in `history`.
//!
//! An item names its finding's row, whose `format` says which API its restore is for: an ASFF
//! row's restore is BatchUpdateFindings members (`FindingUpdate::to_json`), an OCSF row's the
//! BatchUpdateFindingsV2 members `StatusId`, `SeverityId` and `Comment`, exactly as the finding had
//! them (an OCSF status such as Archived has no ASFF workflow status). A finding stored in both
//! forms (`model::ocsf::same`) is one finding of the entry, as the list shows it once.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};
use serde_json::Value;
use time::OffsetDateTime;

use super::{id_hash, Caller, Result, Store, StoreError};
use crate::model::finding::{FindingId, FindingKey};
use crate::model::ocsf::OcsfUpdate;
use crate::model::timestamp;
use crate::model::update::FindingUpdate;
use crate::model::wire::batch_update::{BatchUpdateRequest, UpdateResult};
use crate::model::wire::batch_update_v2::{BatchUpdateV2Request, BatchUpdateV2Result, V2Targets};

/// One bulk edit in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub id: i64,
    pub at: OffsetDateTime,
    pub identity: String,
    pub description: String,
    /// How many findings it changed (processed).
    pub findings: usize,
    /// The entry that undid it, if one did.
    pub undone_by: Option<i64>,
}

/// What undoing an entry sends: each finding with the update that restores it. An OCSF finding's
/// update holds the exact BatchUpdateFindingsV2 members in `FindingUpdate::v2` (with the ASFF
/// members they read as, for previews: `undo::from_v2`); so does the ASFF finding whose OCSF form
/// the entry restores too. An ASFF finding stored in both forms without its OCSF form's restore
/// (an entry the workbench kept, or written before OCSF findings were logged) puts its OCSF form
/// back as an edit sends it there (`FindingUpdate::to_v2`).
#[derive(Debug, Clone, PartialEq)]
pub struct UndoPlan {
    pub entry: LogEntry,
    pub restores: Vec<(FindingId, FindingUpdate)>,
    /// Findings the edit changed that have nothing to restore (fields they did not have before:
    /// BatchUpdateFindings can set a field, not delete one) or that are no longer stored.
    pub unrestorable: usize,
}

impl UndoPlan {
    /// What the undo is logged as: "Undo #3 (Set Workflow RESOLVED by alice at 2026-…)", the
    /// entry's own text sanitised (it is shown on terminals).
    pub fn description(&self) -> String {
        let e = &self.entry;
        format!(
            "Undo #{} ({} by {} at {})",
            e.id,
            crate::model::sanitize::line(&e.description),
            crate::model::sanitize::line(&e.identity),
            timestamp::format(e.at)
        )
    }
}

/// Each named finding's update restoring its present values, read before the edit in its
/// transaction (the first call naming a finding decides: later calls see what it wrote). An update
/// of only the fields the summary columns hold (workflow, severity, verification, confidence,
/// criticality, note: every quick edit) reads those columns, not the document, so logging costs a
/// bulk edit one indexed row read per finding.
pub(super) fn restores_before(
    tx: &rusqlite::Transaction<'_>,
    codec: &super::codec::Codec,
    requests: &[BatchUpdateRequest],
) -> Result<HashMap<FindingKey, (i64, FindingUpdate)>> {
    let mut out = HashMap::new();
    let mut by_doc =
        tx.prepare_cached("SELECT rowid, doc FROM findings WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3")?;
    let mut by_columns = tx.prepare_cached(
        "SELECT rowid, workflow_status, severity_label, severity_normalized, verification_state, confidence, \
         criticality, note_text, note_updated_by FROM findings WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3",
    )?;
    for r in requests {
        let from_columns = r.update.types.is_none() && r.update.user_defined_fields.is_none() && r.update.v2.is_none();
        for key in &r.identifiers {
            if out.contains_key(key) {
                continue;
            }
            let at = params![id_hash(&key.id), key.id, key.product_arn];
            if from_columns {
                let row = by_columns.query_row(at, |x| Ok((x.get::<_, i64>(0)?, summary_doc(x)?))).optional()?;
                if let Some((rowid, doc)) = row {
                    out.insert(key.clone(), (rowid, crate::model::undo::restore_for(&doc, &r.update)));
                }
                continue;
            }
            let row: Option<(i64, Vec<u8>)> = by_doc.query_row(at, |x| Ok((x.get(0)?, x.get(1)?))).optional()?;
            let Some((rowid, blob)) = row else { continue };
            let doc = match super::rows::decompress(codec, &blob) {
                Ok(doc) => doc,
                Err(StoreError::Corrupt(_)) => continue,
                Err(e) => return Err(e),
            };
            out.insert(key.clone(), (rowid, crate::model::undo::restore_for(&doc, &r.update)));
        }
    }
    Ok(out)
}

/// The members `undo::restore_for` reads for those fields, rebuilt from the summary columns (an
/// empty column is a member the finding does not have).
fn summary_doc(r: &rusqlite::Row<'_>) -> rusqlite::Result<Value> {
    let text =
        |i: usize| -> rusqlite::Result<Option<String>> { Ok(r.get::<_, Option<String>>(i)?.filter(|s| !s.is_empty())) };
    let mut doc = serde_json::Map::new();
    if let Some(w) = text(1)? {
        doc.insert("Workflow".into(), serde_json::json!({"Status": w}));
    }
    let mut severity = serde_json::Map::new();
    if let Some(l) = text(2)? {
        severity.insert("Label".into(), Value::String(l));
    }
    if let Some(n) = r.get::<_, Option<i64>>(3)? {
        severity.insert("Normalized".into(), Value::from(n));
    }
    if !severity.is_empty() {
        doc.insert("Severity".into(), Value::Object(severity));
    }
    if let Some(v) = text(4)? {
        doc.insert("VerificationState".into(), Value::String(v));
    }
    for (i, member) in [(5, "Confidence"), (6, "Criticality")] {
        if let Some(n) = r.get::<_, Option<i64>>(i)? {
            doc.insert(member.into(), Value::from(n));
        }
    }
    if let Some(t) = text(7)? {
        doc.insert("Note".into(), serde_json::json!({"Text": t, "UpdatedBy": text(8)?.unwrap_or_default()}));
    }
    Ok(Value::Object(doc))
}

/// An OCSF finding's restore, read before the edit.
pub(super) struct V2Restore {
    rowid: i64,
    /// The ASFF key of the finding's ASFF form (`model::ocsf::same`), whether or not it is stored.
    twin: FindingKey,
    restore: OcsfUpdate,
}

/// Each OCSF finding named by `requests` (by `MetadataUids`: every logged edit names them so) with
/// the BatchUpdateFindingsV2 members restoring its present `status_id`, `severity_id` and
/// `comment`, read from its document before the edit in its transaction (the first call naming
/// a finding decides). The summary columns hold the ASFF labels, which cannot name every OCSF
/// value (Fatal, Archived), so the document is read: one per finding.
pub(super) fn restores_before_v2(
    tx: &rusqlite::Transaction<'_>,
    codec: &super::codec::Codec,
    requests: &[BatchUpdateV2Request],
) -> Result<HashMap<String, V2Restore>> {
    let mut out = HashMap::new();
    let mut by_uid = tx.prepare_cached(&format!(
        "SELECT rowid, doc, finding_uid, product_arn FROM findings WHERE {}",
        super::ocsf::BY_UID
    ))?;
    for r in requests {
        let V2Targets::MetadataUids(uids) = &r.targets else { continue };
        for uid in uids {
            if out.contains_key(uid) {
                continue;
            }
            let row: Option<(i64, Vec<u8>, Option<String>, String)> = by_uid
                .query_row(params![id_hash(uid), uid], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?, x.get(3)?)))
                .optional()?;
            let Some((rowid, blob, finding_uid, product_uid)) = row else { continue };
            let doc = match super::rows::decompress(codec, &blob) {
                Ok(doc) => doc,
                Err(StoreError::Corrupt(_)) => continue,
                Err(e) => return Err(e),
            };
            let twin =
                FindingKey::new(crate::model::ocsf::asff_product_arn(&product_uid), finding_uid.unwrap_or_default());
            let restore = crate::model::undo::restore_v2(&doc, &r.update);
            out.insert(uid.clone(), V2Restore { rowid, twin, restore });
        }
    }
    Ok(out)
}

/// An OCSF restore as the item keeps it: the BatchUpdateFindingsV2 request's members.
fn v2_json(restore: &OcsfUpdate) -> String {
    let mut v =
        BatchUpdateV2Request { targets: V2Targets::MetadataUids(Vec::new()), update: restore.clone() }.to_json();
    if let Some(m) = v.as_object_mut() {
        m.remove("MetadataUids");
    }
    v.to_string()
}

/// An OCSF item's restore read back (`None`: nothing to restore, or not readable).
fn v2_of(uid: &str, restore: &str) -> Option<OcsfUpdate> {
    let Ok(Value::Object(mut members)) = serde_json::from_str::<Value>(restore) else { return None };
    if members.is_empty() {
        return None;
    }
    members.insert("MetadataUids".into(), Value::Array(vec![Value::String(uid.to_string())]));
    BatchUpdateV2Request::from_json(&Value::Object(members)).ok().map(|r| r.update)
}

/// What a logged edit changed, as `write_entry` keeps it.
pub(super) struct Logged<'a> {
    pub answers: &'a [UpdateResult],
    pub restores: &'a HashMap<FindingKey, (i64, FindingUpdate)>,
    pub v2_answers: &'a [BatchUpdateV2Result],
    pub v2_restores: &'a HashMap<String, V2Restore>,
}

/// Writes the entry for an edit whose answers are `edit`'s; returns its id (`None` when nothing
/// was processed: an edit that changed nothing is not logged). Its count is of findings as the
/// list counts them: an OCSF finding whose ASFF form the edit also processed is one finding.
pub(super) fn write_entry(
    tx: &rusqlite::Transaction<'_>,
    caller: &Caller,
    description: &str,
    now: OffsetDateTime,
    edit: &Logged<'_>,
) -> Result<Option<i64>> {
    let processed: std::collections::HashSet<&FindingKey> = edit.answers.iter().flat_map(|a| &a.processed).collect();
    let uids: std::collections::HashSet<&str> =
        edit.v2_answers.iter().flat_map(|a| &a.processed).filter_map(|f| f.metadata_uid.as_deref()).collect();
    if processed.is_empty() && uids.is_empty() {
        return Ok(None);
    }
    let twins =
        uids.iter().filter(|uid| edit.v2_restores.get(**uid).is_some_and(|r| processed.contains(&r.twin))).count();
    let findings = processed.len() + uids.len() - twins;
    tx.execute(
        "INSERT INTO change_log (at_ns, identity, description, findings) VALUES (?1, ?2, ?3, ?4)",
        params![timestamp::to_nanos(now), caller.identity, description, findings as i64],
    )?;
    let id = tx.last_insert_rowid();
    let mut item =
        tx.prepare_cached("INSERT OR IGNORE INTO change_log_items (log, finding, restore) VALUES (?1, ?2, ?3)")?;
    for key in processed {
        if let Some((rowid, restore)) = edit.restores.get(key) {
            item.execute(params![id, rowid, Value::Object(restore.to_json()).to_string()])?;
        }
    }
    for uid in uids {
        if let Some(r) = edit.v2_restores.get(uid) {
            item.execute(params![id, r.rowid, v2_json(&r.restore)])?;
        }
    }
    Ok(Some(id))
}

fn entry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LogEntry> {
    Ok(LogEntry {
        id: r.get(0)?,
        at: timestamp::from_nanos(r.get(1)?),
        identity: r.get(2)?,
        description: r.get(3)?,
        findings: r.get::<_, i64>(4)? as usize,
        undone_by: r.get(5)?,
    })
}

const ENTRY: &str = "SELECT id, at_ns, identity, description, findings, undone_by FROM change_log";

/// A logged edit's answers: its BatchUpdateFindings calls', its BatchUpdateFindingsV2 calls', and
/// its entry (`None` when nothing was processed).
#[derive(Debug, Clone, Default)]
pub struct LoggedAnswers {
    pub asff: Vec<UpdateResult>,
    pub v2: Vec<BatchUpdateV2Result>,
    pub entry: Option<i64>,
}

impl Store {
    /// `batch_updates_expiring`, logged as one bulk edit described by `description`. Returns the
    /// answers and the entry's id (`None` when nothing was processed).
    pub fn batch_updates_logged(
        &mut self,
        caller: &Caller,
        requests: &[BatchUpdateRequest],
        expiry: Option<&super::expiry::SetExpiry>,
        description: &str,
    ) -> Result<(Vec<UpdateResult>, Option<i64>)> {
        let a = self.batch_updates_with(caller, requests, &[], expiry, Some(description))?;
        Ok((a.asff, a.entry))
    }

    /// A bulk edit of both formats logged as one: the BatchUpdateFindings calls (`asff`, with the
    /// expiry, which only ASFF findings keep) and the BatchUpdateFindingsV2 calls (`v2`, naming
    /// their findings by `MetadataUids`), each answered as its own call, and the entry with every
    /// finding's restore, all in one transaction.
    pub fn batch_updates_both_logged(
        &mut self,
        caller: &Caller,
        asff: &[BatchUpdateRequest],
        v2: &[BatchUpdateV2Request],
        expiry: Option<&super::expiry::SetExpiry>,
        description: &str,
    ) -> Result<LoggedAnswers> {
        self.batch_updates_with(caller, asff, v2, expiry, Some(description))
    }

    /// The newest `limit` entries, newest first.
    pub fn change_log(&self, limit: usize) -> Result<Vec<LogEntry>> {
        let mut stmt = self.conn.prepare(&format!("{ENTRY} ORDER BY id DESC LIMIT ?1"))?;
        let rows = stmt.query_map([limit as i64], entry_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What undoing entry `id` would send. An unknown id is `InvalidInput`.
    pub fn undo_plan(&self, id: i64) -> Result<UndoPlan> {
        let entry = self
            .conn
            .query_row(&format!("{ENTRY} WHERE id = ?1"), [id], entry_row)
            .optional()?
            .ok_or_else(|| StoreError::InvalidInput(format!("no change log entry #{id}")))?;
        let mut stmt = self.conn.prepare(
            "SELECT f.format, f.product_arn, f.id, f.finding_uid, i.restore FROM change_log_items i \
             JOIN findings f ON f.rowid = i.finding WHERE i.log = ?1 ORDER BY i.finding",
        )?;
        type Item = (String, String, String, Option<String>, String);
        let rows: Vec<Item> = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut restores: Vec<(FindingId, FindingUpdate)> = Vec::new();
        let mut ocsf = Vec::new();
        for (format, arn, fid, finding_uid, restore) in rows {
            if format == "ocsf" {
                if let Some(v2) = v2_of(&fid, &restore) {
                    let twin =
                        FindingKey::new(crate::model::ocsf::asff_product_arn(&arn), finding_uid.unwrap_or_default());
                    ocsf.push((fid, twin, v2));
                }
                continue;
            }
            let key = FindingKey::new(arn, fid);
            let Ok(Value::Object(mut members)) = serde_json::from_str::<Value>(&restore) else { continue };
            if members.is_empty() {
                continue;
            }
            members.insert("FindingIdentifiers".into(), Value::Array(vec![key.to_json()]));
            if let Ok(r) = BatchUpdateRequest::from_json(&Value::Object(members)) {
                restores.push((FindingId::Asff(key), r.update));
            }
        }
        // An OCSF form restored with its ASFF form is one finding: its restore rides on the ASFF one's.
        let at: HashMap<FindingKey, usize> =
            restores.iter().enumerate().filter_map(|(i, (id, _))| id.as_asff().map(|k| (k.clone(), i))).collect();
        for (uid, twin, v2) in ocsf {
            match at.get(&twin) {
                Some(&i) => restores[i].1.v2 = Some(v2),
                None => restores.push((FindingId::Ocsf(uid), crate::model::undo::from_v2(v2))),
            }
        }
        let unrestorable = entry.findings.saturating_sub(restores.len());
        Ok(UndoPlan { entry, restores, unrestorable })
    }

    /// Logs a bulk edit already applied (the workbench's: its calls are sent one at a time, each in
    /// its own transaction, for progress), with each processed finding's restore as the worker
    /// captured it before the first call: an OCSF finding's in `FindingUpdate::v2`. `twins` are
    /// the restores of the OCSF forms of ASFF findings the edit reached too (by `metadata.uid`),
    /// kept with their findings, not counted apart. Written in one transaction of its own after
    /// the edit's last call. Returns the entry's id (`None` when nothing is named).
    pub fn log_edit(
        &mut self,
        caller: &Caller,
        description: &str,
        restores: &[(FindingId, FindingUpdate)],
        twins: &[(String, OcsfUpdate)],
    ) -> Result<Option<i64>> {
        if restores.is_empty() {
            return Ok(None);
        }
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO change_log (at_ns, identity, description, findings) VALUES (?1, ?2, ?3, ?4)",
            params![timestamp::to_nanos(now), caller.identity, description, restores.len() as i64],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut asff =
                tx.prepare_cached("SELECT rowid FROM findings WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3")?;
            let mut ocsf = tx.prepare_cached(&format!("SELECT rowid FROM findings WHERE {}", super::ocsf::BY_UID))?;
            let mut item = tx
                .prepare_cached("INSERT OR IGNORE INTO change_log_items (log, finding, restore) VALUES (?1, ?2, ?3)")?;
            let twins =
                twins.iter().map(|(uid, v2)| (FindingId::Ocsf(uid.clone()), crate::model::undo::from_v2(v2.clone())));
            for (finding, restore) in restores.iter().cloned().chain(twins) {
                let (row, text) = match &finding {
                    FindingId::Asff(key) => (
                        asff.query_row(params![id_hash(&key.id), key.id, key.product_arn], |r| r.get::<_, i64>(0))
                            .optional()?,
                        Value::Object(restore.to_json()).to_string(),
                    ),
                    FindingId::Ocsf(uid) => (
                        ocsf.query_row(params![id_hash(uid), uid.as_str()], |r| r.get::<_, i64>(0)).optional()?,
                        v2_json(&restore.v2.clone().unwrap_or_default()),
                    ),
                };
                let Some(row) = row else { continue };
                item.execute(params![id, row, text])?;
            }
        }
        tx.commit()?;
        Ok(Some(id))
    }

    /// Marks entry `id` as undone by entry `by`.
    pub fn mark_undone(&mut self, id: i64, by: i64) -> Result<()> {
        self.conn.execute("UPDATE change_log SET undone_by = ?2 WHERE id = ?1", params![id, by])?;
        Ok(())
    }
}

mod undo;

#[cfg(test)]
mod tests;
