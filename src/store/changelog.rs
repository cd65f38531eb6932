//! The change log (schema 10): each bulk edit made through `batch_updates_logged` (`hubtriage
//! update`, and an undo of one) is an entry — who, when, what, how many findings — with, per
//! finding, the BatchUpdateFindings members that put back what the edit changed (`model::undo`),
//! written in the edit's own transaction. So an edit can be undone after the program that made it
//! has quit (`hubtriage log --undo ID`). The per-field history of each finding stays in `history`.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};
use serde_json::Value;
use time::OffsetDateTime;

use super::{id_hash, Caller, Result, Store, StoreError};
use crate::model::finding::FindingKey;
use crate::model::timestamp;
use crate::model::update::FindingUpdate;
use crate::model::wire::batch_update::{BatchUpdateRequest, UpdateResult};

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

/// What undoing an entry sends: each finding with the update that restores it.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoPlan {
    pub entry: LogEntry,
    pub restores: Vec<(FindingKey, FindingUpdate)>,
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

/// Writes the entry for an edit whose answers are `answers`; returns its id (`None` when nothing
/// was processed: an edit that changed nothing is not logged).
pub(super) fn write_entry(
    tx: &rusqlite::Transaction<'_>,
    caller: &Caller,
    description: &str,
    now: OffsetDateTime,
    answers: &[UpdateResult],
    restores: &HashMap<FindingKey, (i64, FindingUpdate)>,
) -> Result<Option<i64>> {
    let processed: Vec<&FindingKey> = answers.iter().flat_map(|a| &a.processed).collect();
    if processed.is_empty() {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO change_log (at_ns, identity, description, findings) VALUES (?1, ?2, ?3, ?4)",
        params![timestamp::to_nanos(now), caller.identity, description, processed.len() as i64],
    )?;
    let id = tx.last_insert_rowid();
    let mut item =
        tx.prepare_cached("INSERT OR IGNORE INTO change_log_items (log, finding, restore) VALUES (?1, ?2, ?3)")?;
    for key in processed {
        if let Some((rowid, restore)) = restores.get(key) {
            item.execute(params![id, rowid, Value::Object(restore.to_json()).to_string()])?;
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
        self.batch_updates_with(caller, requests, expiry, Some(description))
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
            "SELECT f.product_arn, f.id, i.restore FROM change_log_items i JOIN findings f ON f.rowid = i.finding \
             WHERE i.log = ?1 ORDER BY i.finding",
        )?;
        let rows: Vec<(String, String, String)> =
            stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut restores = Vec::new();
        for (arn, fid, restore) in rows {
            let key = FindingKey::new(arn, fid);
            let Ok(Value::Object(mut members)) = serde_json::from_str::<Value>(&restore) else { continue };
            if members.is_empty() {
                continue;
            }
            members.insert("FindingIdentifiers".into(), Value::Array(vec![key.to_json()]));
            if let Ok(r) = BatchUpdateRequest::from_json(&Value::Object(members)) {
                restores.push((key, r.update));
            }
        }
        let unrestorable = entry.findings.saturating_sub(restores.len());
        Ok(UndoPlan { entry, restores, unrestorable })
    }

    /// Logs a bulk edit already applied (the workbench's: its calls are sent one at a time, each in
    /// its own transaction, for progress), with each processed finding's restore as the worker
    /// captured it before the first call. Written in one transaction of its own after the edit's
    /// last call. Returns the entry's id (`None` when nothing is named).
    pub fn log_edit(
        &mut self,
        caller: &Caller,
        description: &str,
        restores: &[(FindingKey, FindingUpdate)],
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
            let mut rowid =
                tx.prepare_cached("SELECT rowid FROM findings WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3")?;
            let mut item = tx
                .prepare_cached("INSERT OR IGNORE INTO change_log_items (log, finding, restore) VALUES (?1, ?2, ?3)")?;
            for (key, restore) in restores {
                let at = params![id_hash(&key.id), key.id, key.product_arn];
                let Some(row) = rowid.query_row(at, |r| r.get::<_, i64>(0)).optional()? else { continue };
                item.execute(params![id, row, Value::Object(restore.to_json()).to_string()])?;
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

#[cfg(test)]
mod tests;
