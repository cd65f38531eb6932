//! OCSF findings imported in bulk, on the ASFF import's machinery (`store::import`): calls of
//! findings in transactions of many calls (`Store::import_ocsf_calls`, and the OCSF calls a
//! pipelined import queues: `ImportQueue::send_ocsf`), in which this thread looks each finding up
//! and writes it, in order, while either core checks the findings (`validate_ocsf`, the size
//! limit, the access model) and compresses the new ones' text, the text read from a file
//! (`raw::OcsfIncoming`) or a parsed finding serialised once (`parallel::prepare_stream`). The
//! rules are `model::ocsf::import`'s: created by `metadata.uid`, updated when newer (keeping what
//! BatchUpdateFindingsV2 set), or ignored.

use std::collections::HashSet;

use rusqlite::{params, TransactionBehavior};
use serde_json::Value;

use super::write::Writer;
use super::{columns, load, new_row, NewRow, BY_UID};
use crate::model::finding::{encoded_len, MAX_FINDING_BYTES};
use crate::model::ocsf::import::{apply_import_ocsf, OcsfImportOutcome};
use crate::model::ocsf::{validate_ocsf, Ocsf};
use crate::model::raw::OcsfIncoming;
use crate::model::timestamp;
use crate::model::wire::batch_import::{ImportFailure, ImportResult};
use crate::store::codec::Codec;
use crate::store::import::KnownIds;
use crate::store::parallel::{self, Next};
use crate::store::rows::{history_updates, record};
use crate::store::{id_hash, Caller, Result, Store, StoreError, SOURCE_IMPORT};

/// Calls a bulk OCSF import (`import_ocsf_calls`) writes per transaction, as for ASFF
/// (`store::import`'s IMPORT_CALLS_PER_TRANSACTION).
const CALLS_PER_TRANSACTION: usize = 100;

/// Calls looked up ahead of the one being written.
const LOOKAHEAD_CALLS: usize = 16;

/// One OCSF finding after the checks that need no database.
enum Checked {
    Failed(ImportFailure),
    /// Valid, and not stored when its call was taken: its row, ready to insert.
    Create(NewRow),
    /// Valid; how it changes the store depends on what is stored when it is written.
    Apply(Value),
}

/// The checks of one finding that need no database, in the order `import_ocsf` makes them, and a
/// new finding's row made. A finding read from a file is checked on its parsed members and stored
/// as the text read (`OcsfIncoming`); a parsed one is serialised once, which gives both its size
/// and its stored text. Pure: runs on any thread.
fn check(codec: &Codec, index: usize, f: OcsfIncoming, new: bool, own_account: Option<&str>) -> Result<Checked> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt(e.to_string());
    let doc = f.view();
    let o = Ocsf(doc);
    // The failure's id, made only for a failure (most findings pass: no String each).
    let fail = |code: &str, message: String| {
        let uid = o.metadata_uid();
        let id = if uid.is_empty() { format!("Findings[{index}]") } else { uid.to_string() };
        Ok(Checked::Failed(ImportFailure { id, code: code.into(), message }))
    };
    if let Err(e) = validate_ocsf(doc) {
        return fail("InvalidInput", format!("Finding does not adhere to OCSF. {e}"));
    }
    let serialised;
    let json: &[u8] = match f.text() {
        Some(text) => text,
        None => {
            serialised = serde_json::to_vec(doc).map_err(corrupt)?;
            &serialised
        }
    };
    // The limit is on the size serde_json writes the document in (as for a parsed one): measured
    // exactly only when the kept text's bound passes it.
    let size = if f.size_bound() > MAX_FINDING_BYTES && f.text().is_some() {
        encoded_len(&serde_json::from_slice::<Value>(json).map_err(corrupt)?)
    } else {
        json.len()
    };
    if size > MAX_FINDING_BYTES {
        return fail(
            "FindingSizeExceeded",
            format!("Finding is {} KB; the maximum size of a finding is 240 KB", size.div_ceil(1024)),
        );
    }
    if let Some(own) = own_account.filter(|own| *own != o.account()) {
        return fail(
            "AccessDeniedException",
            format!("cloud.account.uid {} is not the calling account {own}", o.account()),
        );
    }
    Ok(if new { Checked::Create(new_row(codec, doc, json)?) } else { Checked::Apply(f.into_value().map_err(corrupt)?) })
}

impl Store {
    /// Imports OCSF findings (hubtriage's rules, `model::ocsf::import`): each validated
    /// (`validate_ocsf`), refused when it is another account's and the caller has one (an import is
    /// for the caller's own account, as BatchImportFindings), then created by `metadata.uid`,
    /// updated when newer (keeping what BatchUpdateFindingsV2 set), or ignored. Updates are recorded
    /// in the history as imports by the product. One transaction.
    pub fn import_ocsf(&mut self, caller: &Caller, findings: Vec<Value>) -> Result<ImportResult> {
        let mut results = self.import_ocsf_calls(caller, vec![findings])?;
        results.pop().ok_or_else(|| StoreError::Corrupt("an import call went unanswered".into()))
    }

    /// Several calls of `import_ocsf`, each with its own result, in transactions of
    /// CALLS_PER_TRANSACTION calls: one commit per many calls instead of one per call.
    pub fn import_ocsf_calls<I: Into<OcsfIncoming>>(
        &mut self,
        caller: &Caller,
        calls: Vec<Vec<I>>,
    ) -> Result<Vec<ImportResult>> {
        let parallel = calls.iter().map(Vec::len).sum::<usize>() >= parallel::MIN_PARALLEL;
        let mut out = Vec::with_capacity(calls.len());
        let mut calls = calls.into_iter().map(|c| c.into_iter().map(Into::into).collect()).peekable();
        while calls.peek().is_some() {
            let mut taken = 0;
            let next = |_wait| {
                if taken == CALLS_PER_TRANSACTION {
                    return Ok(Next::End);
                }
                taken += 1;
                Ok(calls.next().map_or(Next::End, Next::Item))
            };
            out.extend(self.import_ocsf_stream(caller.account.as_deref(), parallel, next)?);
        }
        Ok(out)
    }

    /// Imports the OCSF calls `next` gives (as `parallel::prepare_stream` asks for them), in one
    /// transaction, each as soon as it is ready.
    pub(in crate::store) fn import_ocsf_stream(
        &mut self,
        own_account: Option<&str>,
        parallel: bool,
        mut next: impl FnMut(bool) -> Result<Next<Vec<OcsfIncoming>>>,
    ) -> Result<Vec<ImportResult>> {
        self.train_dictionary_if_due()?;
        let now = self.now();
        let (now_text, now_ns) = (timestamp::format(now), timestamp::to_nanos(now));
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // The `id_hash` of every stored finding, when known (`KnownIds`): a new finding's hash is
        // not among them, and only a finding whose hash is needs the lookup.
        let mut known = KnownIds::take(&mut self.known_ids, &tx)?;
        let codec = &self.codec;
        let mut out = Vec::new();
        {
            let mut writer = Writer::new(&tx);
            let mut exists = tx.prepare_cached(&format!("SELECT 1 FROM findings WHERE {BY_UID}"))?;
            let mut seen = HashSet::new();
            // 1. As each call is taken: which of its findings are new, that is not stored and not
            //    named earlier in this transaction (the others need what is stored by the time
            //    they are written, and are imported one by one below)...
            let source = |wait| {
                let call = match next(wait)? {
                    Next::Item(call) => call,
                    Next::Later => return Ok(Next::Later),
                    Next::End => return Ok(Next::End),
                };
                let mut new = Vec::with_capacity(call.len());
                for f in &call {
                    let uid = Ocsf(f.view()).metadata_uid();
                    let hash = id_hash(uid);
                    // Every finding this import may write is added, new or not.
                    let unknown = known.as_mut().is_some_and(|k| k.insert(hash));
                    // Named earlier in this transaction: told by the uid's hash, with no copy of
                    // the uid. Another uid of the same hash is then taken as not new, and its
                    // lookup when it is written (`Checked::Apply`) finds it is not stored: created
                    // all the same.
                    new.push(!uid.is_empty() && seen.insert(hash) && (unknown || !exists.exists(params![hash, uid])?));
                }
                Ok(Next::Item((call, new)))
            };
            // 2. ...each finding checked, and each new one's row made, on two cores...
            let prepare = |(call, new): (Vec<OcsfIncoming>, Vec<bool>)| -> Result<Vec<Checked>> {
                call.into_iter()
                    .zip(new)
                    .enumerate()
                    .map(|(i, (f, new))| check(codec, i, f, new, own_account))
                    .collect()
            };
            // 3. ...and each call written as soon as it is ready, while the next ones are prepared.
            let consume = |checked: Result<Vec<Checked>>| -> Result<()> {
                let mut result = ImportResult::default();
                for c in checked? {
                    let doc = match c {
                        Checked::Failed(f) => {
                            result.failed.push(f);
                            continue;
                        }
                        Checked::Create(row) => {
                            writer.insert_row(&row, now_ns)?;
                            result.success_count += 1;
                            continue;
                        }
                        Checked::Apply(doc) => doc,
                    };
                    let f = Ocsf(&doc);
                    let (uid, product) = (f.metadata_uid().to_string(), f.product_uid().to_string());
                    let stored = load(codec, &tx, BY_UID, &[&id_hash(&uid), &uid])?;
                    match apply_import_ocsf(stored.as_ref().map(|s| (&s.doc, s.edited)), doc) {
                        OcsfImportOutcome::Ignored => {}
                        OcsfImportOutcome::Created { doc } => {
                            let json = serde_json::to_vec(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                            writer.insert_row(&new_row(codec, &doc, &json)?, now_ns)?;
                        }
                        OcsfImportOutcome::Updated { doc, changes } => {
                            let Some(s) = stored else { continue };
                            writer.rewrite(s.rowid, &columns(codec, &doc)?, s.edited)?;
                            let updates = history_updates(&changes);
                            record(&tx, s.rowid, now_ns, &now_text, SOURCE_IMPORT, &product, None, updates.as_deref())?;
                        }
                    }
                    result.success_count += 1;
                }
                out.push(result);
                Ok(())
            };
            parallel::prepare_stream(parallel, LOOKAHEAD_CALLS, source, prepare, consume)?;
        }
        tx.commit()?;
        // Every row written has its hash in the set; this connection's commit leaves
        // data_version as it was.
        self.known_ids = known;
        self.committed();
        Ok(out)
    }
}
