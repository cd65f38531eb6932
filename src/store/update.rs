//! The BatchUpdateFindings path: each finding looked up and checked against the access model, the
//! update applied off the database, and the changed rows and their history written in one
//! transaction, answering in the identifiers' order.

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use time::OffsetDateTime;

use super::codec::Codec;
use super::rows::{history_updates, record, summary_params, write_finding, Encoded, Scratch};
use super::{id_hash, parallel, Access, Caller, Result, Store, StoreError, SOURCE_UPDATE};
use crate::model::finding::{Summary, MAX_FINDING_BYTES};
use crate::model::import::BufFields;
use crate::model::raw::StoredDoc;
use crate::model::timestamp;
use crate::model::wire::batch_update::{BatchUpdateRequest, Unprocessed, UpdateResult};

impl Store {
    /// BatchUpdateFindings (BatchUpdateFindings API reference and the user guide's "Using
    /// BatchUpdateFindings"). The request was validated when it was parsed; here each
    /// finding is processed or reported in UnprocessedFindings. One transaction: all or nothing lands.
    pub fn batch_update(&mut self, caller: &Caller, request: &BatchUpdateRequest) -> Result<UpdateResult> {
        let access = self.access(caller)?;
        let now = self.now();
        let now_text = timestamp::format(now);
        let now_ns = timestamp::to_nanos(now);
        // History's UpdateSource.Identity is the calling principal, as at AWS; the Note's UpdatedBy is
        // whatever the caller wrote into the note, so it cannot name who made the change.
        let identity = caller.identity.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let codec = &self.codec;
        // 1. Look every finding up, in order (the answers' order is the identifiers').
        enum Slot {
            Unprocessed(Unprocessed),
            Found,
        }
        let mut slots = Vec::with_capacity(request.identifiers.len());
        let mut found: Vec<(i64, Vec<u8>, u8)> = Vec::with_capacity(request.identifiers.len());
        let mut seen = HashSet::new();
        {
            let mut lookup = tx.prepare_cached(
                "SELECT rowid, doc, buf_fields, aws_account_id FROM findings \
                 WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3",
            )?;
            for key in &request.identifiers {
                let unprocessed = |code: &str, message: String| {
                    Slot::Unprocessed(Unprocessed { key: key.clone(), code: code.into(), message })
                };
                if !seen.insert(key) {
                    slots.push(unprocessed(
                        "DuplicatedFindingIdentifier",
                        "the finding is named more than once in FindingIdentifiers".into(),
                    ));
                    continue;
                }
                let row: Option<(i64, Vec<u8>, u8, String)> = lookup
                    .query_row(params![id_hash(&key.id), key.id, key.product_arn], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })
                    .optional()?;
                let Some((rowid, blob, buf, account)) = row else {
                    slots.push(unprocessed("FindingNotFound", "no finding has this Id and ProductArn".into()));
                    continue;
                };
                if let Some(reason) = denied(&access, &account) {
                    slots.push(unprocessed("FindingNotFound", reason));
                    continue;
                }
                slots.push(Slot::Found);
                found.push((rowid, blob, buf));
            }
        }
        // 2. Apply the update to each document (pure work, on two cores) and write the changed rows in
        //    order, each as soon as it is ready. The answers keep the identifiers' order.
        let mut result = UpdateResult::default();
        let mut slots = request.identifiers.iter().zip(slots);
        // Answers the identifiers the lookup settled, up to the next one found; returns that one.
        let mut settled = |result: &mut UpdateResult| {
            for (key, slot) in slots.by_ref() {
                match slot {
                    Slot::Unprocessed(u) => result.unprocessed.push(u),
                    Slot::Found => return Some(key),
                }
            }
            None
        };
        parallel::prepare_and_consume(
            found.iter().collect(),
            |(rowid, blob, buf)| (*rowid, prepare_update(codec, blob, BufFields(*buf), request, now)),
            |(rowid, prepared)| {
                let key = settled(&mut result).ok_or_else(|| StoreError::Corrupt("an update went missing".into()))?;
                match prepared? {
                    PreparedUpdate::TooLarge(size) => {
                        result.unprocessed.push(Unprocessed {
                            key: key.clone(),
                            code: "FindingSizeExceeded".into(),
                            message: format!(
                                "the updated finding would be {} KB; the maximum is 240 KB",
                                size.div_ceil(1024)
                            ),
                        });
                        return Ok(());
                    }
                    PreparedUpdate::Unchanged => {}
                    PreparedUpdate::Write { before, encoded, buf, updates } => {
                        write_finding(&tx, rowid, &before, *encoded, buf)?;
                        let updates = updates.as_deref();
                        record(&tx, rowid, now_ns, &now_text, SOURCE_UPDATE, &identity, None, updates)?;
                    }
                }
                result.processed.push(key.clone());
                Ok::<(), StoreError>(())
            },
        )?;
        settled(&mut result);
        tx.commit()?;
        self.committed();
        Ok(result)
    }
}

/// Why the access model refuses an update of a finding of `account`, if it does. The service model
/// (BatchUpdateFindings): "Administrator accounts can update findings for their account and their
/// member accounts. A member account can update findings only for their own account", every field
/// the operation takes. The user guide ("Using BatchUpdateFindings") still says members may update
/// only the Note; the
/// model and the BatchUpdateFindings API reference do not, and the model is followed. A finding the caller
/// may not update is one it cannot see: `FindingNotFound`, the documented code, whose message says
/// whose finding it is, since this is a demo of the access model.
pub(super) fn denied(access: &Access, account: &str) -> Option<String> {
    match access {
        Access::Unrestricted => None,
        Access::Administrator { accounts } if accounts.contains(account) => None,
        Access::Administrator { .. } => Some(format!(
            "not visible to the caller: the finding belongs to account {account}, which is neither the caller \
             nor one of its members"
        )),
        Access::Member { account: own } | Access::Standalone { account: own } if own != account => Some(format!(
            "not visible to account {own}: the finding belongs to account {account}, and an account may update \
             only its own findings"
        )),
        Access::Member { .. } | Access::Standalone { .. } => None,
    }
}

/// One finding of a BatchUpdateFindings call, updated off the database: what is to be written.
enum PreparedUpdate {
    /// The updated document would be over the 240 KB limit (its size).
    TooLarge(usize),
    /// Nothing changes: the row is left as it is.
    Unchanged,
    Write {
        before: Box<[rusqlite::types::Value; 27]>,
        encoded: Box<Encoded>,
        buf: BufFields,
        /// The history row's `updates`.
        updates: Option<String>,
    },
}

/// Applies `request` to a stored document (`blob`, with its BatchUpdateFindings-set attributes `buf`).
/// Pure: runs on any thread.
fn prepare_update(
    codec: &Codec,
    blob: &[u8],
    buf: BufFields,
    request: &BatchUpdateRequest,
    now: OffsetDateTime,
) -> Result<PreparedUpdate> {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
    }
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
    let mut doc = StoredDoc::parse(&codec.decompress(blob)?).map_err(corrupt)?;
    let before = summary_params(Summary::of(doc.view()));
    let (changes, set) = request.update.apply(doc.view_mut(), now);
    SCRATCH.with_borrow_mut(|scratch| {
        doc.write(&mut scratch.json).map_err(corrupt)?;
        if scratch.json.len() > MAX_FINDING_BYTES {
            return Ok(PreparedUpdate::TooLarge(scratch.json.len()));
        }
        if changes.is_empty() && buf.contains(set) {
            return Ok(PreparedUpdate::Unchanged);
        }
        Ok(PreparedUpdate::Write {
            before: Box::new(before),
            encoded: Box::new(Encoded::of(doc.view(), scratch, codec)?),
            buf: buf.union(set),
            updates: history_updates(&changes),
        })
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::model::finding::FindingKey;
    use crate::store::tests::clock;

    /// A store in a temp dir (kept alive by the first value) with `count` generated findings imported.
    fn imported(count: usize) -> (tempfile::TempDir, Store, Caller, Vec<Value>) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
        let caller = Caller::unrestricted("t");
        let findings: Vec<Value> =
            crate::generate::generate(&crate::generate::GenOptions { count, ..Default::default() }).collect();
        store.batch_import(&caller, findings.clone()).unwrap();
        (dir, store, caller, findings)
    }

    #[test]
    fn a_store_update_call_answers_in_identifier_order() {
        let (_dir, mut store, caller, findings) = imported(40);
        let mut ids: Vec<Value> = findings.iter().map(|f| FindingKey::of(f).unwrap().to_json()).collect();
        ids.insert(0, json!({"Id": "missing-0", "ProductArn": findings[0]["ProductArn"]}));
        ids.insert(10, json!({"Id": "missing-10", "ProductArn": findings[0]["ProductArn"]}));
        ids.insert(20, ids[5].clone());
        ids.push(json!({"Id": "missing-end", "ProductArn": findings[0]["ProductArn"]}));
        let request = BatchUpdateRequest::from_json(&json!({
            "FindingIdentifiers": ids, "Workflow": {"Status": "NOTIFIED"}
        }))
        .unwrap();
        let r = store.batch_update(&caller, &request).unwrap();
        assert_eq!(r.processed.len(), 40);
        let codes: Vec<(&str, &str)> = r.unprocessed.iter().map(|u| (u.key.id.as_str(), u.code.as_str())).collect();
        assert_eq!(codes[0], ("missing-0", "FindingNotFound"));
        assert_eq!(codes[1], ("missing-10", "FindingNotFound"));
        assert_eq!(codes[2].1, "DuplicatedFindingIdentifier");
        assert_eq!(codes[3], ("missing-end", "FindingNotFound"));
        let expected: Vec<FindingKey> = findings.iter().filter_map(FindingKey::of).collect();
        assert_eq!(r.processed, expected);
        for key in &expected {
            assert_eq!(store.get(key).unwrap().unwrap()["Workflow"]["Status"], "NOTIFIED");
        }
    }

    // An update that changes nothing (the status it already has) is processed, and neither rewrites
    // the row nor writes history; one that changes something writes the row and a history row.
    #[test]
    fn an_update_that_changes_nothing_writes_nothing() {
        let (_dir, mut store, caller, findings) = imported(3);
        let ids: Vec<Value> = findings.iter().map(|f| FindingKey::of(f).unwrap().to_json()).collect();
        let set = |status: &str| {
            BatchUpdateRequest::from_json(&json!({"FindingIdentifiers": ids, "Workflow": {"Status": status}})).unwrap()
        };
        store.batch_update(&caller, &set("SUPPRESSED")).unwrap();
        let history =
            |store: &Store| -> i64 { store.conn.query_row("SELECT count(*) FROM history", [], |r| r.get(0)).unwrap() };
        let (changes, rows) = (store.conn.total_changes(), history(&store));
        assert_eq!(rows, 3);
        let r = store.batch_update(&caller, &set("SUPPRESSED")).unwrap();
        assert_eq!(r.processed.len(), 3);
        assert_eq!((store.conn.total_changes(), history(&store)), (changes, rows), "nothing written");
        store.batch_update(&caller, &set("RESOLVED")).unwrap();
        assert!(store.conn.total_changes() > changes);
        assert_eq!(history(&store), 6);
    }

    // UpdateSource.Identity is the calling principal (GetFindingHistory API reference); a Note's
    // UpdatedBy is the note's own field and must not name the actor in history.
    #[test]
    fn history_records_the_caller_not_the_notes_author() {
        let (_dir, mut store, _, findings) = imported(1);
        let key = FindingKey::of(&findings[0]).unwrap();
        let request = BatchUpdateRequest::from_json(&json!({
            "FindingIdentifiers": [key.to_json()], "Note": {"Text": "looked", "UpdatedBy": "bob"}
        }))
        .unwrap();
        store.batch_update(&Caller::unrestricted("alice"), &request).unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap()["Note"]["UpdatedBy"], "bob");
        let page = store.finding_history(&crate::store::HistoryRequest::new(key)).unwrap();
        assert_eq!(page.records[0].identity, "alice");
    }
}
