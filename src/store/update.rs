//! The BatchUpdateFindings path: each finding looked up and checked against the access model, the
//! update applied off the database, and the changed rows and their history written in one
//! transaction, answering in the identifiers' order.

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use time::OffsetDateTime;

use super::changelog::LoggedAnswers;
use super::codec::Codec;
use super::rows::{history_updates, record, summary_params, write_finding, Encoded, Scratch};
use super::{id_hash, parallel, Access, Caller, Result, Store, StoreError, SOURCE_UPDATE};
use crate::model::finding::{FindingKey, Summary, MAX_FINDING_BYTES};
use crate::model::import::BufFields;
use crate::model::raw::StoredDoc;
use crate::model::timestamp;
use crate::model::wire::batch_update::{BatchUpdateRequest, Unprocessed, UpdateResult};
use crate::model::wire::batch_update_v2::BatchUpdateV2Request;

impl Store {
    /// BatchUpdateFindings (BatchUpdateFindings API reference and the user guide's "Using
    /// BatchUpdateFindings"). The request was validated when it was parsed; here each
    /// finding is processed or reported in UnprocessedFindings. One transaction: all or nothing lands.
    pub fn batch_update(&mut self, caller: &Caller, request: &BatchUpdateRequest) -> Result<UpdateResult> {
        let mut answers = self.batch_updates(caller, std::slice::from_ref(request))?;
        answers.pop().ok_or_else(|| StoreError::Corrupt("an update call went unanswered".into()))
    }

    /// Several BatchUpdateFindings calls, each processed as its own call (its own answer, its own
    /// history records), committed together in one transaction: all of them land or none does.
    /// `hubtriage update` sends a bulk edit's calls of 100 this way, so that SQLite writes the pages
    /// the calls share (the indexes' upper levels) once rather than once a call.
    pub fn batch_updates(&mut self, caller: &Caller, requests: &[BatchUpdateRequest]) -> Result<Vec<UpdateResult>> {
        self.batch_updates_expiring(caller, requests, None)
    }

    /// `batch_updates`, and, when `expiry` is given, the time-boxed suppression of every processed
    /// finding that is SUPPRESSED afterwards, written in the same transaction (`store::expiry`).
    pub fn batch_updates_expiring(
        &mut self,
        caller: &Caller,
        requests: &[BatchUpdateRequest],
        expiry: Option<&super::expiry::SetExpiry>,
    ) -> Result<Vec<UpdateResult>> {
        Ok(self.batch_updates_with(caller, requests, &[], expiry, None)?.asff)
    }

    /// The calls, the expiry (`store::expiry`), the BatchUpdateFindingsV2 calls `v2` and, when
    /// `log` describes the edit, its change log entry (`store::changelog`), in one transaction.
    pub(super) fn batch_updates_with(
        &mut self,
        caller: &Caller,
        requests: &[BatchUpdateRequest],
        v2: &[BatchUpdateV2Request],
        expiry: Option<&super::expiry::SetExpiry>,
        log: Option<&str>,
    ) -> Result<LoggedAnswers> {
        let access = self.access(caller)?;
        let now = self.now();
        // History's UpdateSource.Identity is the calling principal, as at AWS; the Note's UpdatedBy is
        // whatever the caller wrote into the note, so it cannot name who made the change.
        let identity = caller.identity.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // What the entry restores is read before anything is written.
        let restores = match log {
            Some(_) => Some((
                super::changelog::restores_before(&tx, &self.codec, requests)?,
                super::changelog::restores_before_v2(&tx, &self.codec, v2)?,
            )),
            None => None,
        };
        let mut answers = Vec::with_capacity(requests.len());
        for range in runs(requests.iter().map(|r| r.identifiers.iter())) {
            let run = Run { tx: &tx, codec: &self.codec, access: &access, now, identity: &identity };
            answers.extend(run.update(&requests[range])?);
        }
        if let Some(expiry) = expiry {
            super::expiry::record(&tx, &answers, expiry, now)?;
        }
        let v2_answers = if v2.is_empty() {
            Vec::new()
        } else {
            super::ocsf::update::updates_in(&tx, &self.codec, &access, &identity, now, v2)?
        };
        let entry = match (log, &restores) {
            (Some(description), Some((restores, v2_restores))) => {
                let logged =
                    super::changelog::Logged { answers: &answers, restores, v2_answers: &v2_answers, v2_restores };
                super::changelog::write_entry(&tx, caller, description, now, &logged)?
            }
            _ => None,
        };
        tx.commit()?;
        self.committed();
        Ok(LoggedAnswers { asff: answers, v2: v2_answers, entry })
    }
}

/// The calls split into runs, in order, in which no finding is named by two calls (`names` gives
/// each call's findings; a call naming one twice answers that itself). Both formats' batched
/// updates read findings ahead of the writes before them, so a finding a later call names again
/// waits for the next run and is read after the earlier call's write.
pub(super) fn runs<K: Eq + std::hash::Hash, I: IntoIterator<Item = K>>(
    names: impl IntoIterator<Item = I>,
) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut named = HashSet::new();
    let (mut start, mut end) = (0, 0);
    for (call, keys) in names.into_iter().enumerate() {
        let keys: Vec<K> = keys.into_iter().collect();
        if call > start && keys.iter().any(|k| named.contains(k)) {
            out.push(start..call);
            named.clear();
            start = call;
        }
        named.extend(keys);
        end = call + 1;
    }
    if end > start {
        out.push(start..end);
    }
    out
}

/// What the calls of one `batch_updates` share.
struct Run<'a> {
    tx: &'a rusqlite::Transaction<'a>,
    codec: &'a Codec,
    access: &'a Access,
    now: OffsetDateTime,
    identity: &'a str,
}

/// A finding named by a call, as looked up.
enum Looked<'r> {
    /// Answered without an update: unknown, not visible, named twice.
    Unprocessed(usize, Unprocessed),
    Found {
        call: usize,
        key: &'r FindingKey,
        rowid: i64,
        blob: Vec<u8>,
        buf: u8,
    },
}

/// A finding named by a call, ready to be written.
enum Ready<'r> {
    Unprocessed(usize, Unprocessed),
    Prepared { call: usize, key: &'r FindingKey, rowid: i64, prepared: Result<PreparedUpdate> },
}

impl Run<'_> {
    /// Calls that name no finding twice, answered in order. This thread looks each finding up and
    /// writes each change, in the calls' and identifiers' order; either core applies the update to
    /// the documents meanwhile (pure work), so reading, updating and writing overlap across calls.
    fn update<'r>(&self, requests: &'r [BatchUpdateRequest]) -> Result<Vec<UpdateResult>> {
        /// Findings looked up ahead of the writes.
        const LOOKAHEAD: usize = 64;
        let now_text = timestamp::format(self.now);
        let now_ns = timestamp::to_nanos(self.now);
        let mut lookup = self.tx.prepare_cached(
            "SELECT rowid, doc, buf_fields, aws_account_id FROM findings \
             WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3 AND format = 'asff'",
        )?;
        let mut named = requests.iter().enumerate().flat_map(|(call, r)| r.identifiers.iter().map(move |k| (call, k)));
        let mut seen = HashSet::new();
        // 1. This thread looks each finding up, in order (the answers' order is the identifiers')...
        let next = |_wait: bool| -> Result<parallel::Next<Looked<'r>>> {
            let Some((call, key)) = named.next() else { return Ok(parallel::Next::End) };
            let unprocessed = |code: &str, message: String| {
                Looked::Unprocessed(call, Unprocessed { key: key.clone(), code: code.into(), message })
            };
            if !seen.insert((call, key)) {
                return Ok(parallel::Next::Item(unprocessed(
                    "DuplicatedFindingIdentifier",
                    "the finding is named more than once in FindingIdentifiers".into(),
                )));
            }
            let row: Option<(i64, Vec<u8>, u8, String)> = lookup
                .query_row(params![id_hash(&key.id), key.id, key.product_arn], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            let Some((rowid, blob, buf, account)) = row else {
                return Ok(parallel::Next::Item(unprocessed(
                    "FindingNotFound",
                    "no finding has this Id and ProductArn".into(),
                )));
            };
            Ok(parallel::Next::Item(match denied(self.access, &account) {
                Some(reason) => unprocessed("FindingNotFound", reason),
                None => Looked::Found { call, key, rowid, blob, buf },
            }))
        };
        // 2. ...either core applies the update to each document...
        let (codec, now) = (self.codec, self.now);
        let prepare = |looked: Looked<'r>| match looked {
            Looked::Unprocessed(call, u) => Ready::Unprocessed(call, u),
            Looked::Found { call, key, rowid, blob, buf } => Ready::Prepared {
                call,
                key,
                rowid,
                prepared: prepare_update(codec, &blob, BufFields(buf), &requests[call], now),
            },
        };
        // 3. ...and this thread writes the changed rows and their history, in order.
        let mut results: Vec<UpdateResult> = requests.iter().map(|_| UpdateResult::default()).collect();
        let consume = |ready: Ready<'r>| -> Result<()> {
            let (call, key, rowid, prepared) = match ready {
                Ready::Unprocessed(call, u) => {
                    results[call].unprocessed.push(u);
                    return Ok(());
                }
                Ready::Prepared { call, key, rowid, prepared } => (call, key, rowid, prepared),
            };
            match prepared? {
                PreparedUpdate::TooLarge(size) => {
                    results[call].unprocessed.push(Unprocessed {
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
                    write_finding(self.tx, rowid, &before, *encoded, buf)?;
                    let updates = updates.as_deref();
                    record(self.tx, rowid, now_ns, &now_text, SOURCE_UPDATE, self.identity, None, updates)?;
                }
            }
            results[call].processed.push(key.clone());
            Ok(())
        };
        let several = requests.iter().map(|r| r.identifiers.len()).sum::<usize>() >= parallel::MIN_PARALLEL;
        parallel::prepare_stream(several, LOOKAHEAD, next, prepare, consume)?;
        Ok(results)
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
pub(super) enum PreparedUpdate {
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
pub(super) fn prepare_update(
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
            encoded: Box::new(Encoded::keeping_resources(doc.view(), scratch, codec)?),
            buf: buf.union(set),
            updates: history_updates(&changes),
        })
    })
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::store::tests::clock;

    /// A store in a temp dir (kept alive by the first value) with `count` generated findings imported.
    fn imported(count: usize) -> (tempfile::TempDir, Store, Caller, Vec<Value>) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
        let caller = Caller::unrestricted("t");
        let findings: Vec<Value> =
            crate::generate::generate(&crate::generate::GenOptions { count, ..Default::default() }).collect();
        for chunk in findings.chunks(100) {
            store.batch_import(&caller, chunk.to_vec()).unwrap();
        }
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

    // Calls sent together are each answered as a call, and a finding a later call names again is
    // updated from what the earlier call wrote (its lookup is not read ahead of that write).
    #[test]
    fn calls_sent_together_each_see_the_ones_before() {
        let (_dir, mut store, caller, findings) = imported(150);
        let keys: Vec<Value> = findings.iter().map(|f| FindingKey::of(f).unwrap().to_json()).collect();
        let call = |ids: &[Value], update: Value| {
            let mut body = update;
            body["FindingIdentifiers"] = json!(ids);
            BatchUpdateRequest::from_json(&body).unwrap()
        };
        let requests = [
            call(&keys[..100], json!({"Workflow": {"Status": "NOTIFIED"}})),
            // Names the first call's last findings again (read right after their writes), and one unknown.
            call(
                &[
                    keys[99].clone(),
                    json!({"Id": "missing", "ProductArn": findings[0]["ProductArn"]}),
                    keys[98].clone(),
                ],
                json!({"Note": {"Text": "second look", "UpdatedBy": "t"}}),
            ),
            call(&keys[100..], json!({"Workflow": {"Status": "NOTIFIED"}})),
        ];
        let answers = store.batch_updates(&caller, &requests).unwrap();
        let processed: Vec<usize> = answers.iter().map(|a| a.processed.len()).collect();
        assert_eq!(processed, [100, 2, 50]);
        assert_eq!(answers[1].unprocessed.len(), 1);
        assert_eq!(answers[1].unprocessed[0].code, "FindingNotFound");
        for i in [98, 99] {
            let doc = store.get(&FindingKey::of(&findings[i]).unwrap()).unwrap().unwrap();
            assert_eq!(doc["Workflow"]["Status"], "NOTIFIED", "finding {i} keeps the first call's change");
            assert_eq!(doc["Note"]["Text"], "second look");
        }
        let history: i64 = store.conn.query_row("SELECT count(*) FROM history", [], |r| r.get(0)).unwrap();
        // A record for each finding the status changed, and one for each of the second look's notes.
        let changed = findings.iter().filter(|f| f["Workflow"]["Status"] != "NOTIFIED").count() as i64;
        assert!(changed > 100, "the generated findings are mostly not NOTIFIED yet");
        assert_eq!(history, changed + 2);
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
