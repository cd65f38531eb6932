//! The BatchImportFindings path: the request limits and the checks that need no database (run on
//! the producer's or a helper thread), the documents of new findings prepared off the database, and
//! the transaction that applies each call. Also the pipelined bulk import and its `ImportQueue`.

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde_json::Value;
use time::OffsetDateTime;

use super::codec::Codec;
use super::parallel::{self, Next};
use super::rows::{history_updates, record, record_auto, summary_params, write_finding, Encoded, Inserter, Scratch};
use super::{decompress, id_hash, Caller, Result, Store, StoreError, BY_KEY, SOURCE_IMPORT};
use crate::model::finding::{self, FindingKey, Summary, MAX_FINDING_BYTES};
use crate::model::import::{apply_import, AutoChange, BufFields, ImportOutcome};
use crate::model::raw::{Incoming, OcsfIncoming};
use crate::model::timestamp;
use crate::model::wire::batch_import::{ImportFailure, ImportResult};

// The tests below build findings with `json!` (the module's own code no longer does).

/// Most findings one BatchImportFindings call may carry (Security Hub user guide, "Using
/// BatchImportFindings").
pub const MAX_IMPORT_FINDINGS: usize = 100;
/// Largest BatchImportFindings call (Security Hub user guide, "Using BatchImportFindings": 6 MB).
pub const MAX_IMPORT_BYTES: usize = 6 * 1024 * 1024;

/// BatchImportFindings calls a bulk import (`import_pipelined`) writes per transaction: 10,000
/// findings. Every commit rewrites the index pages its rows touched, and rows with random keys (the
/// Id's hash, UpdatedAt) touch most of an index's pages, so larger transactions write much less:
/// measured with `cargo bench --bench engine`, 20 calls imported ~28,000 findings/s and 50 calls
/// ~35,000; since calls stream through a transaction (below), `hubtriage import` of 100,000
/// findings took a median 2.29 s with 50 calls, 2.18 s with 100 and 200, 2.12 s with 400 (six runs
/// each, in turn). A transaction holds the store's write lock: 100 calls hold it ~0.2 s.
const IMPORT_CALLS_PER_TRANSACTION: usize = 100;

/// The first transactions of a bulk import are smaller (then IMPORT_CALLS_PER_TRANSACTION): the
/// store trains its compression dictionary before a transaction, once it holds `TRAIN_AFTER`
/// findings, so small first transactions have it trained after 1,500 findings instead of 10,000
/// (the findings before it are stored lz4-compressed, ~4 times larger). Their findings are also
/// readable sooner.
const FIRST_TRANSACTIONS_CALLS: [usize; 2] = [5, 10];

/// Calls waiting between a bulk import's producer and its import thread, and calls the import
/// thread takes ahead of the one it writes (prepared on two cores meanwhile). Calls stream through
/// a transaction, so only these few are in memory at once, however large the transaction: when a
/// whole transaction's calls were handed over at once (three groups of 5,000 findings in memory),
/// the process's memory peaked ~140 MB higher, all of it faulted in and zeroed by the kernel
/// (system CPU 0.85 s, now ~0.5 s). With 4 calls ahead the import thread often waited for the
/// helper with nothing else to do; 16 keep both busy.
const IMPORT_QUEUE_CALLS: usize = 16;
const IMPORT_LOOKAHEAD_CALLS: usize = 16;

/// How long the import thread waits for the producer's next call before it commits what it has:
/// a slow producer (a pipe, say) does not keep the store's write lock while it has nothing to send.
const IMPORT_IDLE: std::time::Duration = std::time::Duration::from_millis(100);

/// The `id_hash` of every finding in the store, known while no other connection writes to it: a
/// store this connection found empty, and has written alone since (SQLite's `data_version` tells).
/// An import then looks up only the findings whose hash is among these (a match may be another Id
/// with the same hash: the row is looked up to tell) instead of every one. Looking each up was
/// ~3% of a bulk import's instructions, on the thread that writes.
pub(super) struct KnownIds {
    /// `PRAGMA data_version` when the set was last right: it changes when another connection commits.
    data_version: i64,
    hashes: HashSet<i64>,
}

impl KnownIds {
    /// The set `kept` holds, in transaction `tx`, if it is still right; else a new one if the
    /// store is empty; else none.
    pub(super) fn take(kept: &mut Option<KnownIds>, tx: &rusqlite::Transaction<'_>) -> Result<Option<KnownIds>> {
        let data_version: i64 = tx.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        Ok(match kept.take() {
            Some(k) if k.data_version == data_version => Some(k),
            _ if !tx.prepare_cached("SELECT 1 FROM findings LIMIT 1")?.exists([])? => {
                Some(KnownIds { data_version, hashes: HashSet::new() })
            }
            _ => None,
        })
    }

    /// Adds `hash`; whether it was not there, that is no stored finding has it.
    pub(super) fn insert(&mut self, hash: i64) -> bool {
        self.hashes.insert(hash)
    }
}

/// Where `Store::import_pipelined`'s producer sends BatchImportFindings calls.
pub struct ImportQueue {
    send: Option<std::sync::mpsc::SyncSender<Queued>>,
    own_account: Option<String>,
}

/// A call on its way to the import thread: ASFF findings, checked (`check_import`), or OCSF
/// findings (checked on the import thread's helper: `store::ocsf::import`).
enum Queued {
    Asff(CheckedCall),
    Ocsf(Vec<OcsfIncoming>),
}

impl ImportQueue {
    /// Queues a BatchImportFindings call; waits while IMPORT_QUEUE_CALLS are waiting. The checks
    /// that need no database (limits, validation, access) run here, on the producer's thread. Fails
    /// once the import has stopped on a store error (which `import_pipelined` returns).
    pub fn send<I: Into<Incoming>>(&mut self, call: Vec<I>) -> Result<()> {
        let stopped = || StoreError::Io("the import stopped".into());
        let send = self.send.as_ref().ok_or_else(stopped)?;
        let checked = check_import(call.into_iter().map(Into::into).collect(), self.own_account.as_deref());
        send.send(Queued::Asff(checked)).map_err(|_| stopped())
    }

    /// Queues a call of OCSF findings, imported by V2's rules (`Store::import_ocsf`), in order with
    /// the BatchImportFindings calls; its result takes its place among theirs. Fails as `send`.
    pub fn send_ocsf<I: Into<OcsfIncoming>>(&mut self, call: Vec<I>) -> Result<()> {
        let send = self.send.as_ref().ok_or_else(|| StoreError::Io("the import stopped".into()))?;
        send.send(Queued::Ocsf(call.into_iter().map(Into::into).collect()))
            .map_err(|_| StoreError::Io("the import stopped".into()))
    }
}

/// The calls of one transaction of a pipelined import, from `first` on, as `import_stream` and
/// `import_ocsf_stream` ask for them: at most `calls`, all of the format `take` takes (a call of
/// the other format ends the transaction and is `held` for the next one), and none once the
/// producer pauses or ends.
fn transaction_calls<'r, T: 'r>(
    receive: &'r std::sync::mpsc::Receiver<Queued>,
    first: T,
    calls: usize,
    held: &'r mut Option<Queued>,
    take: fn(Queued) -> std::result::Result<T, Queued>,
) -> impl FnMut(bool) -> Result<Next<T>> + 'r {
    use std::sync::mpsc::TryRecvError;
    let (mut first, mut taken) = (Some(first), 0);
    move |wait: bool| {
        if taken == calls || held.is_some() {
            return Ok(Next::End);
        }
        let queued = match first.take() {
            Some(call) => {
                taken += 1;
                return Ok(Next::Item(call));
            }
            // Waiting: a pause (or the producer's end) ends the transaction.
            None if wait => match receive.recv_timeout(IMPORT_IDLE) {
                Ok(call) => call,
                Err(_) => return Ok(Next::End),
            },
            None => match receive.try_recv() {
                Ok(call) => call,
                Err(TryRecvError::Empty) => return Ok(Next::Later),
                Err(TryRecvError::Disconnected) => return Ok(Next::End),
            },
        };
        match take(queued) {
            Ok(call) => {
                taken += 1;
                Ok(Next::Item(call))
            }
            Err(other) => {
                *held = Some(other);
                Ok(Next::End)
            }
        }
    }
}

impl Store {
    /// BatchImportFindings (BatchImportFindings API reference and the user guide). Request-level
    /// limits fail the whole call before anything
    /// is written; a finding that is invalid, too large or not the caller's is reported in
    /// FailedFindings and the rest are imported, all in one transaction.
    pub fn batch_import<I: Into<Incoming> + Send>(
        &mut self,
        caller: &Caller,
        findings: Vec<I>,
    ) -> Result<ImportResult> {
        let mut results = self.import_calls(caller, vec![findings])?;
        results.pop().unwrap_or_else(|| Ok(ImportResult::default()))
    }

    /// Several BatchImportFindings calls applied in one transaction, each with exactly the semantics
    /// of its own call and its own result (a call over the limits fails alone). Bulk imports from
    /// files use this: one commit per few thousand findings instead of one per hundred.
    pub fn import_calls<I: Into<Incoming> + Send>(
        &mut self,
        caller: &Caller,
        calls: Vec<Vec<I>>,
    ) -> Result<Vec<Result<ImportResult>>> {
        self.import_calls_with(caller, calls, true)
    }

    /// `import_calls`; with `prepare_new` false every finding takes the one-by-one path (for tests
    /// that compare the two).
    fn import_calls_with<I: Into<Incoming> + Send>(
        &mut self,
        caller: &Caller,
        calls: Vec<Vec<I>>,
        prepare_new: bool,
    ) -> Result<Vec<Result<ImportResult>>> {
        let own_account = caller.account.as_deref();
        let mut checked = Vec::with_capacity(calls.len());
        parallel::prepare_and_consume(
            calls,
            |findings| check_import(findings.into_iter().map(Into::into).collect(), own_account),
            |call| {
                checked.push(call);
                Ok::<(), StoreError>(())
            },
        )?;
        self.import_checked(checked, prepare_new)
    }

    /// Imports calls that have been through `check_import`, in one transaction.
    fn import_checked(&mut self, calls: Vec<CheckedCall>, prepare_new: bool) -> Result<Vec<Result<ImportResult>>> {
        let parallel = calls.len() >= parallel::MIN_PARALLEL;
        let mut calls = calls.into_iter();
        // The calls are in memory already: all may be taken ahead.
        let next = |_wait| Ok(calls.next().map_or(Next::End, Next::Item));
        self.import_stream(parallel, usize::MAX, next, prepare_new)
    }

    /// Imports the calls `next` gives (as `parallel::prepare_stream` asks for them), in one
    /// transaction, each as soon as it is ready.
    fn import_stream(
        &mut self,
        parallel: bool,
        lookahead: usize,
        mut next: impl FnMut(bool) -> Result<Next<CheckedCall>>,
        prepare_new: bool,
    ) -> Result<Vec<Result<ImportResult>>> {
        self.train_dictionary_if_due()?;
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Still right only if no other connection has written since; else known again only while
        // the store is empty.
        let mut known = KnownIds::take(&mut self.known_ids, &tx)?;
        let mut out = Vec::new();
        // Automation rules apply to what this import creates or updates (`store::rules`); without
        // any, nothing is collected and the import is as it was.
        let rules = super::rules::enabled(&tx)?;
        let mut touched: Option<Vec<i64>> = (!rules.is_empty()).then(Vec::new);
        {
            let mut exists = tx.prepare_cached(&format!("SELECT 1 FROM findings WHERE {BY_KEY}"))?;
            let mut seen = HashSet::new();
            // 1. As each call is taken: which of its findings are new, that is not stored and not
            //    named earlier in this transaction (those, and the stored ones, are imported one by
            //    one below, as they need what is stored by then).
            let mut source = |wait| {
                let call = match next(wait)? {
                    Next::Item(call) => call,
                    Next::Later => return Ok(Next::Later),
                    Next::End => return Ok(Next::End),
                };
                let mut new = Vec::new();
                for f in call.iter().flatten() {
                    new.push(match f {
                        PreparedImport::Apply { key, .. } => {
                            let hash = id_hash(&key.id);
                            // By hash: an Id taken for another one that shares its hash only takes
                            // the one-by-one path.
                            let new = match &mut known {
                                // Every finding this import writes is added, created or not: a hash
                                // already there is a stored finding or one named earlier.
                                Some(k) => k.hashes.insert(hash),
                                None => seen.insert(hash) && !exists.exists(params![hash, key.id, key.product_arn])?,
                            };
                            new && prepare_new
                        }
                        _ => false,
                    });
                }
                Ok(Next::Item((call, new)))
            };
            // 2. Each new finding's document as created, serialised and compressed, on two cores;
            //    each call is written as soon as it is ready, while the next ones are prepared.
            let scratch = &mut self.scratch;
            let codec = &self.codec;
            let mut inserter = Inserter::new(&tx)?;
            parallel::prepare_stream(
                parallel,
                lookahead,
                &mut source,
                |(call, new): (CheckedCall, Vec<bool>)| {
                    call.and_then(|findings| create_new(codec, findings, &new, now))
                },
                |call| {
                    out.push(match call {
                        Ok(findings) => {
                            Ok(import_into(&tx, &mut inserter, codec, scratch, now, findings, touched.as_mut())?)
                        }
                        Err(e) => Err(e),
                    });
                    Ok::<(), StoreError>(())
                },
            )?;
        }
        if let Some(rowids) = &touched {
            super::rules::apply(&tx, &self.codec, &rules, rowids, now)?;
        }
        tx.commit()?;
        // This connection's own commits leave data_version as it was.
        self.known_ids = known;
        self.committed();
        Ok(out)
    }

    /// Before an import: trains the store's compression dictionary (`store::codec`) once the store
    /// holds enough findings to learn from, or adopts the one another process trained.
    pub(super) fn train_dictionary_if_due(&mut self) -> Result<()> {
        if self.codec.has_dictionary() {
            return Ok(());
        }
        let rows: i64 = self.conn.query_row("SELECT coalesce(max(rowid), 0) FROM findings", [], |r| r.get(0))?;
        if rows < self.codec.next_training {
            return Ok(());
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if self.codec.train(&tx)? {
            tx.commit()?;
            self.committed();
        } else {
            // Not learnable yet: try again when the store has twice as many findings.
            self.codec.next_training = rows.saturating_mul(2);
        }
        Ok(())
    }

    /// A bulk import on two threads: `produce` runs on this thread (reading and parsing, say) and
    /// hands calls to `queue.send`; another thread imports them as they arrive, in order, in
    /// transactions of IMPORT_CALLS_PER_TRANSACTION calls (fewer first, and fewer when the producer
    /// pauses), while the next are being produced. Returns what `produce` returned and every call's
    /// result, in order. A store error stops the import in that transaction (the ones before it
    /// stay committed), makes later `send`s fail, and is returned.
    pub fn import_pipelined<R>(
        &mut self,
        caller: &Caller,
        produce: impl FnOnce(&mut ImportQueue) -> R,
    ) -> Result<(R, Vec<Result<ImportResult>>)> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Queued>(IMPORT_QUEUE_CALLS);
        let own_account = caller.account.clone();
        let store = &mut *self;
        let (produced, written) = std::thread::scope(|s| {
            // Owned here, so that a panicking producer drops it (ending the writer's loop) before
            // the scope waits for the writer.
            let mut queue = ImportQueue { send: Some(send), own_account };
            let writer = std::thread::Builder::new().name("hubtriage-import".into()).spawn_scoped(s, move || {
                let mut results = Vec::new();
                let mut held = None;
                // Each transaction begins with a call already sent: the store is not locked while
                // the producer has nothing. A transaction holds calls of one format.
                for transaction in 0.. {
                    let first = match held.take() {
                        Some(call) => call,
                        None => match receive.recv() {
                            Ok(call) => call,
                            Err(_) => break,
                        },
                    };
                    let calls =
                        FIRST_TRANSACTIONS_CALLS.get(transaction).copied().unwrap_or(IMPORT_CALLS_PER_TRANSACTION);
                    match first {
                        Queued::Asff(first) => {
                            let take = |q| match q {
                                Queued::Asff(call) => Ok(call),
                                other => Err(other),
                            };
                            let next = transaction_calls(&receive, first, calls, &mut held, take);
                            results.extend(store.import_stream(true, IMPORT_LOOKAHEAD_CALLS, next, true)?);
                        }
                        Queued::Ocsf(first) => {
                            let take = |q| match q {
                                Queued::Ocsf(call) => Ok(call),
                                other => Err(other),
                            };
                            let next = transaction_calls(&receive, first, calls, &mut held, take);
                            let own = caller.account.as_deref();
                            results.extend(store.import_ocsf_stream(own, true, next)?.into_iter().map(Ok));
                        }
                    }
                }
                Ok(results)
            });
            let writer = match writer {
                Ok(w) => w,
                Err(e) => return (None, Err(StoreError::Io(format!("cannot start the import thread: {e}")))),
            };
            let produced = produce(&mut queue);
            queue.send = None;
            let written = writer.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            (Some(produced), written)
        });
        let written = written?;
        let produced = produced.ok_or_else(|| StoreError::Io("the import thread did not start".into()))?;
        Ok((produced, written))
    }
}

/// Request-level limits of one BatchImportFindings call. Returns each finding's encoded size where
/// it is over the 240 KB limit, and otherwise a bound of it that is within the limit: measuring
/// exactly is only needed near a limit (`finding::encoded_len_bound`).
fn check_import_call(findings: &[Incoming]) -> Result<Vec<usize>> {
    if findings.is_empty() || findings.len() > MAX_IMPORT_FINDINGS {
        return Err(StoreError::InvalidInput(format!(
            "Findings has {} items; BatchImportFindings accepts 1 to {MAX_IMPORT_FINDINGS}",
            findings.len()
        )));
    }
    let exact_over = |f: &Incoming, bound: usize| if bound > MAX_FINDING_BYTES { f.exact_size() } else { bound };
    let mut sizes: Vec<usize> = findings.iter().map(|f| exact_over(f, f.size_bound())).collect();
    if sizes.iter().fold(0usize, |a, b| a.saturating_add(*b)) > MAX_IMPORT_BYTES {
        sizes = findings.iter().map(Incoming::exact_size).collect();
    }
    let total = sizes.iter().fold(0usize, |a, b| a.saturating_add(*b));
    if total > MAX_IMPORT_BYTES {
        return Err(StoreError::InvalidInput(format!(
            "the request is {:.1} MB; BatchImportFindings accepts at most 6 MB per call",
            total as f64 / (1024.0 * 1024.0)
        )));
    }
    Ok(sizes)
}

/// One finding of a BatchImportFindings call after the checks that need no database.
enum PreparedImport {
    Failed(ImportFailure),
    /// Valid, and not stored when the call began: the document as created.
    Create {
        key: FindingKey,
        encoded: Box<Encoded>,
        auto: Option<AutoChange>,
    },
    /// Valid; whether and how it changes the store depends on what is stored when it is written.
    Apply {
        key: FindingKey,
        incoming: Incoming,
    },
    /// Valid but without a key (cannot happen after validation): nothing is written.
    Skip,
}

/// A BatchImportFindings call after `check_import`: refused whole, or each finding failed,
/// skipped, or to be applied.
type CheckedCall = Result<Vec<PreparedImport>>;

/// The checks of a BatchImportFindings call that need no database: the request limits, then per
/// finding the size limit, the ASFF rules and the access model. Pure: runs on any thread.
fn check_import(findings: Vec<Incoming>, own_account: Option<&str>) -> CheckedCall {
    let sizes = check_import_call(&findings)?;
    let mut out = Vec::with_capacity(findings.len());
    for (index, (incoming, size)) in findings.into_iter().zip(sizes).enumerate() {
        let view = incoming.view();
        let id = view
            .get("Id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map_or_else(|| format!("Findings[{index}]"), str::to_string);
        let fail = |code: &str, message: String| {
            PreparedImport::Failed(ImportFailure { id: id.clone(), code: code.into(), message })
        };
        // Stored, it could never be read back (and would fail every read of the store).
        if let Some(why) = incoming.unreadable() {
            out.push(fail("InvalidInput", format!("Finding cannot be stored: {why}")));
            continue;
        }
        if size > MAX_FINDING_BYTES {
            out.push(fail(
                "FindingSizeExceeded",
                format!("Finding is {} KB; the maximum size of a finding is 240 KB", size.div_ceil(1024)),
            ));
            continue;
        }
        let valid = match incoming.null_member() {
            Some(member) => Err(finding::null_refused(&crate::model::sanitize::line(member))),
            None => finding::validate_asff(view),
        };
        if let Err(e) = valid {
            out.push(fail("InvalidInput", format!("Finding does not adhere to Amazon Finding Format. {e}")));
            continue;
        }
        if let Some(own) = own_account {
            let account = finding::str_at(view, &["AwsAccountId"]);
            if account != own {
                out.push(fail(
                    "AccessDeniedException",
                    format!("AwsAccountId {account} is not the calling account {own}"),
                ));
                continue;
            }
        }
        out.push(match FindingKey::of(view) {
            Some(key) => PreparedImport::Apply { key, incoming },
            None => PreparedImport::Skip,
        });
    }
    Ok(out)
}

/// Creates the documents of the findings `new[i]` (valid, not stored), serialised and compressed,
/// ready to insert. Pure: runs on any thread.
fn create_new(
    codec: &Codec,
    findings: Vec<PreparedImport>,
    new: &[bool],
    now: OffsetDateTime,
) -> Result<Vec<PreparedImport>> {
    let mut scratch = Scratch::default();
    let mut out = Vec::with_capacity(findings.len());
    for (f, new) in findings.into_iter().zip(new.iter().copied().chain(std::iter::repeat(false))) {
        let PreparedImport::Apply { key, incoming } = f else {
            out.push(f);
            continue;
        };
        if !new {
            out.push(PreparedImport::Apply { key, incoming });
            continue;
        }
        let (doc, auto) = incoming.create(now, &mut scratch.json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let encoded = Box::new(Encoded::of(&doc, &mut scratch, codec)?);
        out.push(PreparedImport::Create { key, encoded, auto });
    }
    Ok(out)
}

fn import_into(
    tx: &rusqlite::Transaction<'_>,
    inserter: &mut Inserter<'_>,
    codec: &Codec,
    scratch: &mut Scratch,
    now: OffsetDateTime,
    findings: Vec<PreparedImport>,
    mut touched: Option<&mut Vec<i64>>,
) -> Result<ImportResult> {
    let now_text = timestamp::format(now);
    let now_ns = timestamp::to_nanos(now);
    let mut result = ImportResult::default();
    for prepared in findings {
        let (key, incoming) = match prepared {
            PreparedImport::Failed(f) => {
                result.failed.push(f);
                continue;
            }
            PreparedImport::Skip => continue,
            PreparedImport::Create { key, encoded, auto } => {
                let rowid = inserter.insert(&key, &encoded, now_ns)?;
                record_auto(tx, rowid, now_ns, &now_text, auto)?;
                if let Some(t) = touched.as_deref_mut() {
                    t.push(rowid);
                }
                result.success_count += 1;
                continue;
            }
            PreparedImport::Apply { key, incoming } => (key, incoming),
        };
        let existing: Option<(i64, Vec<u8>, u8)> = tx
            .prepare_cached(
                "SELECT rowid, doc, buf_fields FROM findings WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3",
            )?
            .query_row(params![id_hash(&key.id), key.id, key.product_arn], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let existing_doc = match &existing {
            // A stored document that cannot be read (stored by an older version that let a member
            // nested too deeply or a number beyond f64 in) is replaced, as if it were not stored:
            // refusing would fail the provider's every re-send, and what it held is lost already.
            Some((_, blob, _)) => match decompress(codec, blob) {
                Ok(doc) => Some(doc),
                Err(StoreError::Corrupt(_)) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let stored = existing_doc.as_ref().zip(existing.as_ref().map(|e| BufFields(e.2)));
        let incoming = incoming.into_value().map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let outcome = apply_import(stored, incoming, now);
        match outcome {
            ImportOutcome::Ignored => {}
            ImportOutcome::Created { doc, auto } => {
                scratch.encode_json(&doc)?;
                let encoded = Encoded::of(&doc, scratch, codec)?;
                let rowid = match &existing {
                    // The unreadable row: every column rewritten (no summary value is a blob).
                    Some((rowid, _, _)) => {
                        let before = std::array::from_fn(|_| rusqlite::types::Value::Blob(Vec::new()));
                        write_finding(tx, *rowid, &before, encoded, BufFields::default())?;
                        *rowid
                    }
                    None => inserter.insert(&key, &encoded, now_ns)?,
                };
                record_auto(tx, rowid, now_ns, &now_text, auto)?;
                if let Some(t) = touched.as_deref_mut() {
                    t.push(rowid);
                }
            }
            ImportOutcome::Updated { doc, changes, auto } => {
                let (rowid, _, buf) = existing.unwrap_or_default();
                let before = summary_params(Summary::of(existing_doc.as_ref().unwrap_or(&Value::Null)));
                scratch.encode_json(&doc)?;
                write_finding(tx, rowid, &before, Encoded::of(&doc, scratch, codec)?, BufFields(buf))?;
                let updates = history_updates(&changes);
                record(tx, rowid, now_ns, &now_text, SOURCE_IMPORT, &key.product_arn, None, updates.as_deref())?;
                record_auto(tx, rowid, now_ns, &now_text, auto)?;
                if let Some(t) = touched.as_deref_mut() {
                    t.push(rowid);
                }
            }
        }
        result.success_count += 1;
    }
    Ok(result)
}

#[cfg(test)]
mod tests;
