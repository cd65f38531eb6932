//! Time-boxed suppression: a suppressed finding may carry an expiry (kept in the `expiries` table,
//! schema 8, written in the same transaction as the BatchUpdateFindings call that suppressed it).
//! When it passes, `expire_due` sets the finding back to NEW with a note saying why, through the
//! ordinary BatchUpdateFindings path, so history records it with the actor `hubtriage expire`.
//! Any other change of the finding's workflow status drops its expiry (a trigger, see schema 8), so
//! an expiry never reopens a finding someone has since resolved or reopened, and a second run finds
//! nothing left to do. A finding stored in both forms is reopened in its OCSF form too
//! (BatchUpdateFindingsV2 by `hubtriage expire`), as the suppression went to both.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use time::{Duration, OffsetDateTime};

use super::{id_hash, Caller, Result, Store};
use crate::model::enums::WorkflowStatus;
use crate::model::finding::FindingKey;
use crate::model::ocsf::{OcsfUpdate, StatusId};
use crate::model::timestamp;
use crate::model::update::{FindingUpdate, NoteUpdate, MAX_IDENTIFIERS};
use crate::model::wire::batch_update::{BatchUpdateRequest, UpdateResult};
use crate::model::wire::batch_update_v2::{BatchUpdateV2Request, V2Targets};

/// Who history and the note name for the reopening: the expiry acts on its own, for no analyst.
pub const EXPIRE_IDENTITY: &str = "hubtriage expire";

/// Note.Text's limit (BatchUpdateFindings API reference: 512 characters).
const MAX_NOTE_CHARS: usize = 512;

/// A suppression's expiry as an edit sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetExpiry {
    pub expires: OffsetDateTime,
    /// Who suppressed (the caller's identity).
    pub set_by: String,
    /// Why (the suppression's note), quoted in the reopening note.
    pub reason: String,
}

/// A finding's stored expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    pub key: FindingKey,
    pub expires: OffsetDateTime,
    pub set: OffsetDateTime,
    pub set_by: String,
    pub reason: String,
}

impl Expiry {
    /// The note the reopening writes: "suppression expired (set 2026-12-06 by alice: WHY)", cut to
    /// Note.Text's 512 characters.
    pub fn reopen_note(&self) -> String {
        let date = self.set.date();
        let head = format!("suppression expired (set {date} by {}", self.set_by);
        let text =
            if self.reason.trim().is_empty() { format!("{head})") } else { format!("{head}: {})", self.reason.trim()) };
        if text.chars().count() <= MAX_NOTE_CHARS {
            return text;
        }
        let mut cut: String = text.chars().take(MAX_NOTE_CHARS - 2).collect();
        cut.push_str("…)");
        cut
    }
}

/// An expiry as typed: a span from `now` ("30d", "2w", "12h") or an RFC 3339 time. It must lie in
/// the future: an expiry already passed would reopen the finding at the next run.
pub fn parse_expiry(text: &str, now: OffsetDateTime) -> std::result::Result<OffsetDateTime, String> {
    let t = text.trim();
    let span = |n: &str, unit: Duration| -> Option<OffsetDateTime> {
        let n: i64 = n.parse().ok().filter(|n| *n > 0 && *n <= 36_500)?;
        now.checked_add(unit * n as i32)
    };
    let at = if let Some(n) = t.strip_suffix('d') {
        span(n, Duration::DAY)
    } else if let Some(n) = t.strip_suffix('w') {
        span(n, Duration::WEEK)
    } else if let Some(n) = t.strip_suffix('h') {
        span(n, Duration::HOUR)
    } else {
        timestamp::parse(t)
    };
    let Some(at) = at else {
        return Err(format!(
            "expiry {:?}: expected a span such as 30d, 2w or 12h, or an RFC 3339 time such as 2027-01-31T00:00:00Z",
            crate::model::sanitize::line(t)
        ));
    };
    if at <= now {
        return Err(format!("expiry {} is not in the future", timestamp::format(at)));
    }
    Ok(at)
}

/// Records `expiry` for every finding `answers` processed that is SUPPRESSED now, in the
/// transaction that updated them (a finding not suppressed has nothing to expire).
pub(super) fn record(
    tx: &rusqlite::Transaction<'_>,
    answers: &[UpdateResult],
    expiry: &SetExpiry,
    now: OffsetDateTime,
) -> Result<()> {
    let mut lookup = tx.prepare_cached(
        "SELECT rowid FROM findings WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3 \
         AND format = 'asff' AND workflow_status = 'SUPPRESSED'",
    )?;
    let mut write = tx.prepare_cached(
        "INSERT INTO expiries (finding, expires_ns, set_ns, set_by, reason) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (finding) DO UPDATE SET expires_ns = excluded.expires_ns, set_ns = excluded.set_ns, \
         set_by = excluded.set_by, reason = excluded.reason",
    )?;
    let (expires_ns, set_ns) = (timestamp::to_nanos(expiry.expires), timestamp::to_nanos(now));
    for key in answers.iter().flat_map(|a| &a.processed) {
        let mut rows = lookup.query(params![id_hash(&key.id), key.id, key.product_arn])?;
        if let Some(row) = rows.next()? {
            let rowid: i64 = row.get(0)?;
            write.execute(params![rowid, expires_ns, set_ns, expiry.set_by, expiry.reason])?;
        }
    }
    Ok(())
}

const SELECT: &str = "SELECT f.product_arn, f.id, e.expires_ns, e.set_ns, e.set_by, e.reason \
     FROM expiries e JOIN findings f ON f.rowid = e.finding";

fn expiry_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Expiry> {
    Ok(Expiry {
        key: FindingKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
        expires: timestamp::from_nanos(r.get(2)?),
        set: timestamp::from_nanos(r.get(3)?),
        set_by: r.get(4)?,
        reason: r.get(5)?,
    })
}

impl Store {
    /// Every stored expiry, the soonest first.
    pub fn expiries(&self) -> Result<Vec<Expiry>> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} ORDER BY e.expires_ns, f.rowid"))?;
        let rows = stmt.query_map([], expiry_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The finding's expiry, if its suppression has one.
    pub fn expiry_of(&self, key: &FindingKey) -> Result<Option<Expiry>> {
        let mut stmt =
            self.conn.prepare_cached(&format!("{SELECT} WHERE f.id_hash = ?1 AND f.id = ?2 AND f.product_arn = ?3"))?;
        let mut rows = stmt.query_map(params![id_hash(&key.id), key.id, key.product_arn], expiry_row)?;
        Ok(rows.next().transpose()?)
    }

    /// Reopens every suppressed finding whose expiry is at or before `at`: Workflow NEW and a note
    /// saying why, as BatchUpdateFindings calls by `hubtriage expire`, committed together. Returns
    /// the expiries acted on (the findings reopened). Nothing due: nothing is written.
    pub fn expire_due(&mut self, at: OffsetDateTime) -> Result<Vec<Expiry>> {
        let due: Vec<Expiry> = {
            let mut stmt = self.conn.prepare(&format!(
                "{SELECT} WHERE e.expires_ns <= ?1 AND f.workflow_status = 'SUPPRESSED' ORDER BY e.expires_ns, f.rowid"
            ))?;
            let rows = stmt.query_map([timestamp::to_nanos(at)], expiry_row)?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if due.is_empty() {
            return Ok(due);
        }
        // Findings whose notes read the same share calls, at most 100 identifiers a call.
        let mut by_note: BTreeMap<String, Vec<FindingKey>> = BTreeMap::new();
        for e in &due {
            by_note.entry(e.reopen_note()).or_default().push(e.key.clone());
        }
        let mut requests = Vec::new();
        for (note, keys) in by_note {
            let update = FindingUpdate {
                workflow_status: Some(WorkflowStatus::New),
                note: Some(NoteUpdate { text: note, updated_by: EXPIRE_IDENTITY.into() }),
                ..Default::default()
            };
            for chunk in keys.chunks(MAX_IDENTIFIERS) {
                requests.push(BatchUpdateRequest { identifiers: chunk.to_vec(), update: update.clone() });
            }
        }
        // Every due finding is SUPPRESSED and the expiry acts unrestricted, so each is reopened:
        // its OCSF form's calls are made with its own, in the same transaction.
        let v2 = self.ocsf_twin_requests(&due)?;
        // Logged as one bulk edit (`store::changelog`), both forms: `hubtriage log --undo` can
        // suppress them again.
        let description = format!("Reopen {} (suppression expired)", crate::model::words::count(due.len(), "finding"));
        let caller = Caller::unrestricted(EXPIRE_IDENTITY);
        let answers = self.batch_updates_with(&caller, &requests, &v2, None, Some(&description))?.asff;
        let processed: std::collections::HashSet<&FindingKey> = answers.iter().flat_map(|a| &a.processed).collect();
        let reopened: Vec<Expiry> = due.iter().filter(|e| processed.contains(&e.key)).cloned().collect();
        Ok(reopened)
    }

    /// The calls reopening the OCSF form of each due finding stored in both forms
    /// (`model::ocsf::same`), which was suppressed with it (the workbench and `update --expires`
    /// send a suppression to both, the expiry to the ASFF form): the same note as its comment, by
    /// BatchUpdateFindingsV2. One no longer Suppressed was changed since and is left alone.
    fn ocsf_twin_requests(&self, due: &[Expiry]) -> Result<Vec<BatchUpdateV2Request>> {
        let mut by_note: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in due {
            let Some(uid) = self.ocsf_twin_as(&super::Access::Unrestricted, &e.key)? else { continue };
            let suppressed: Option<String> = self
                .conn
                .prepare_cached(&format!("SELECT workflow_status FROM findings WHERE {}", super::ocsf::BY_UID))?
                .query_row(params![id_hash(&uid), uid], |r| r.get(0))
                .optional()?;
            if suppressed.as_deref() == Some(WorkflowStatus::Suppressed.as_str()) {
                by_note.entry(e.reopen_note()).or_default().push(uid);
            }
        }
        let mut requests = Vec::new();
        for (note, uids) in by_note {
            let update = OcsfUpdate { comment: Some(note), status_id: Some(StatusId::New), severity_id: None };
            for chunk in uids.chunks(MAX_IDENTIFIERS) {
                requests.push(BatchUpdateV2Request {
                    targets: V2Targets::MetadataUids(chunk.to_vec()),
                    update: update.clone(),
                });
            }
        }
        Ok(requests)
    }
}

#[cfg(test)]
mod tests;
