//! BatchUpdateFindingsV2 in the store, one call or many in one transaction, on the machinery of the
//! ASFF BatchUpdateFindings path (`store::update`): the calls split into runs that name no finding
//! twice (`update::runs`), and in each run this thread looks findings up and writes the changed
//! rows in order while either core applies the update to the documents (`parallel::prepare_stream`).

use std::collections::HashSet;

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::write::Writer;
use super::{columns, edited_columns, BY_TRIPLE, BY_UID};
use crate::model::ocsf::import::V2Edited;
use crate::model::ocsf::OcsfFindingIdentifier;
use crate::model::timestamp;
use crate::model::wire::batch_update_v2::{
    BatchUpdateV2Request, BatchUpdateV2Result, V2FindingRef, V2Targets, V2Unprocessed, V2UnprocessedCode,
};
use crate::store::codec::Codec;
use crate::store::rows::{history_updates, parse_stored, record};
use crate::store::update::{denied, runs};
use crate::store::{id_hash, parallel, Caller, Result, Store, StoreError, SOURCE_UPDATE};

/// A named finding's row, found by its identifier (the index alone, not the document, nor what
/// an earlier call may change: `v2_edited` is read with the document).
struct Row {
    rowid: i64,
    account: String,
}

/// A named finding, as looked up on this thread.
enum Looked {
    Unprocessed(usize, V2Unprocessed),
    /// Named again by the same call: answered processed, updated once.
    Again(usize, V2FindingRef),
    Found {
        call: usize,
        target: V2FindingRef,
        rowid: i64,
        edited: V2Edited,
        blob: Vec<u8>,
    },
}

/// A named finding, ready to be written.
enum Ready {
    Unprocessed(usize, V2Unprocessed),
    Again(usize, V2FindingRef),
    Prepared { call: usize, target: V2FindingRef, rowid: i64, prepared: Result<Prepared> },
}

/// One finding's update, made off the database.
struct Prepared {
    /// The row's new columns and `v2_edited`, when anything changed.
    write: Option<(Vec<(&'static str, SqlValue)>, V2Edited)>,
    /// The history row's `updates`.
    updates: Option<String>,
}

/// Applies a call's update to a stored document: its text edited in place
/// (`OcsfUpdate::apply_to_text`), and only the row's columns the edited members give rewritten;
/// a text that reader does not take is parsed and serialised whole. Pure: runs on any thread.
fn prepare(codec: &Codec, blob: &[u8], edited: V2Edited, request: &BatchUpdateV2Request) -> Result<Prepared> {
    let json = codec.decompress(blob)?;
    let now_edited = edited.union(V2Edited::of(&request.update));
    let text = std::str::from_utf8(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut out = Vec::new();
    let (changes, cols) = match request.update.apply_to_text(text, &mut out) {
        Some(edit) => {
            let edit = edit.map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let cols = if edit.changes.is_empty() {
                None
            } else {
                Some(edited_columns(codec, &edit.edited, V2Edited::of(&request.update), &out)?)
            };
            (edit.changes, cols)
        }
        None => {
            let mut doc = parse_stored(&json)?;
            let changes = request.update.apply(&mut doc);
            let cols = if changes.is_empty() { None } else { Some(columns(codec, &doc)?) };
            (changes, cols)
        }
    };
    let write = match cols {
        Some(cols) => Some((cols, now_edited)),
        // Nothing changed in the document, but what BatchUpdateFindingsV2 has set did.
        None if now_edited != edited => Some((Vec::new(), now_edited)),
        None => None,
    };
    Ok(Prepared { write, updates: history_updates(&changes) })
}

fn find(tx: &Transaction<'_>, target: &V2FindingRef, by_uid: bool) -> Result<Option<Row>> {
    let query = |cond: &str, values: &[&dyn rusqlite::ToSql]| -> Result<Option<Row>> {
        Ok(tx
            .prepare_cached(&format!("SELECT rowid, aws_account_id FROM findings WHERE {cond}"))?
            .query_row(values, |r| Ok(Row { rowid: r.get(0)?, account: r.get(1)? }))
            .optional()?)
    };
    match target {
        V2FindingRef { metadata_uid: Some(uid), .. } if by_uid => query(BY_UID, &[&id_hash(uid), uid]),
        V2FindingRef {
            finding_identifier:
                Some(OcsfFindingIdentifier { cloud_account_uid, finding_info_uid, metadata_product_uid }),
            ..
        } => query(BY_TRIPLE, &[finding_info_uid, cloud_account_uid, metadata_product_uid, &id_hash(finding_info_uid)]),
        _ => Ok(None),
    }
}

impl Store {
    /// BatchUpdateFindingsV2: each named finding updated (`OcsfUpdate::apply`; the times are never
    /// touched) and its history recorded, or listed unprocessed with ResourceNotFoundException when
    /// it is not there or the access model hides it (administrator: its own and its members'
    /// findings; member or standalone: its own). One transaction.
    pub fn batch_update_v2_as(
        &mut self,
        caller: &Caller,
        request: &BatchUpdateV2Request,
    ) -> Result<BatchUpdateV2Result> {
        let mut answers = self.batch_updates_v2(caller, std::slice::from_ref(request))?;
        answers.pop().ok_or_else(|| StoreError::Corrupt("an update call went unanswered".into()))
    }

    /// Several BatchUpdateFindingsV2 calls, each processed as its own call (its own answer, its own
    /// history records), committed together in one transaction: all of them land or none does, as
    /// `batch_updates` for ASFF. A finding named twice by one call is updated once and answered each
    /// time; a finding a later call names again is read after the earlier call's write.
    pub fn batch_updates_v2(
        &mut self,
        caller: &Caller,
        requests: &[BatchUpdateV2Request],
    ) -> Result<Vec<BatchUpdateV2Result>> {
        let access = self.access(caller)?;
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let answers = updates_in(&tx, &self.codec, &access, &caller.identity, now, requests)?;
        tx.commit()?;
        self.committed();
        Ok(answers)
    }
}

/// The calls of `batch_updates_v2` inside `tx`, a transaction of the caller's (a logged edit's
/// BatchUpdateFindingsV2 calls share their ASFF calls' one, `Store::batch_updates_both_logged`).
pub(crate) fn updates_in(
    tx: &Transaction<'_>,
    codec: &Codec,
    access: &crate::store::Access,
    identity: &str,
    now: time::OffsetDateTime,
    requests: &[BatchUpdateV2Request],
) -> Result<Vec<BatchUpdateV2Result>> {
    let (now_text, now_ns) = (timestamp::format(now), timestamp::to_nanos(now));
    // Each target's row, from the indexes: a finding can be named by either form of its
    // identity, so runs are split by row, not by identifier.
    let mut found = Vec::with_capacity(requests.len());
    for request in requests {
        let by_uid = matches!(request.targets, V2Targets::MetadataUids(_));
        let targets = request.targets.refs();
        let rows = targets.iter().map(|t| find(tx, t, by_uid)).collect::<Result<Vec<_>>>()?;
        found.push(targets.into_iter().zip(rows).collect::<Vec<_>>());
    }
    let mut answers: Vec<BatchUpdateV2Result> = requests.iter().map(|_| BatchUpdateV2Result::default()).collect();
    let mut read = tx.prepare_cached("SELECT doc, v2_edited FROM findings WHERE rowid = ?1")?;
    let mut writer = Writer::new(tx);
    for range in runs(found.iter().map(|call| call.iter().filter_map(|(_, row)| row.as_ref().map(|r| r.rowid)))) {
        let first = range.start;
        let several = found[range.clone()].iter().map(Vec::len).sum::<usize>() >= parallel::MIN_PARALLEL;
        let mut named = found[range.clone()]
            .iter_mut()
            .enumerate()
            .flat_map(|(i, call)| call.drain(..).map(move |(target, row)| (first + i, target, row)));
        let mut seen = HashSet::new();
        // 1. This thread looks each finding up, in order...
        let next = |_wait: bool| -> Result<parallel::Next<Looked>> {
            let Some((call, target, row)) = named.next() else { return Ok(parallel::Next::End) };
            let not_found = |target: V2FindingRef, message: String| {
                Looked::Unprocessed(
                    call,
                    V2Unprocessed {
                        finding: target,
                        error_code: V2UnprocessedCode::ResourceNotFoundException,
                        error_message: message,
                    },
                )
            };
            let Some(row) = row else {
                return Ok(parallel::Next::Item(not_found(target, "no finding has this identifier".into())));
            };
            if let Some(reason) = denied(access, &row.account) {
                return Ok(parallel::Next::Item(not_found(target, reason)));
            }
            // Named twice (by two forms of its identity, or twice over): updated once, answered each time.
            if !seen.insert((call, row.rowid)) {
                return Ok(parallel::Next::Item(Looked::Again(call, target)));
            }
            let (blob, edited): (Vec<u8>, i64) = read.query_row(params![row.rowid], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let edited = V2Edited(u8::try_from(edited).unwrap_or(0));
            Ok(parallel::Next::Item(Looked::Found { call, target, rowid: row.rowid, edited, blob }))
        };
        // 2. ...either core applies the update to each document...
        let apply = |looked: Looked| match looked {
            Looked::Unprocessed(call, u) => Ready::Unprocessed(call, u),
            Looked::Again(call, target) => Ready::Again(call, target),
            Looked::Found { call, target, rowid, edited, blob } => {
                Ready::Prepared { call, target, rowid, prepared: prepare(codec, &blob, edited, &requests[call]) }
            }
        };
        // 3. ...and this thread writes the changed rows and their history, in order.
        let consume = |ready: Ready| -> Result<()> {
            match ready {
                Ready::Unprocessed(call, u) => answers[call].unprocessed.push(u),
                Ready::Again(call, target) => answers[call].processed.push(target),
                Ready::Prepared { call, target, rowid, prepared } => {
                    let Prepared { write, updates } = prepared?;
                    if let Some((cols, edited)) = write {
                        writer.rewrite(rowid, &cols, edited)?;
                    }
                    record(tx, rowid, now_ns, &now_text, SOURCE_UPDATE, identity, None, updates.as_deref())?;
                    answers[call].processed.push(target);
                }
            }
            Ok(())
        };
        /// Findings looked up ahead of the writes, as for ASFF.
        const LOOKAHEAD: usize = 64;
        parallel::prepare_stream(several, LOOKAHEAD, next, apply, consume)?;
    }
    drop(read);
    drop(writer);
    Ok(answers)
}
