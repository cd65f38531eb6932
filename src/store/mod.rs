//! The local store: one SQLite file (WAL) holding each finding's full JSON document, compressed,
//! beside an indexed summary; the history of every change; and the demo access model. It implements
//! the Security Hub operations with the service's semantics; the rules themselves live in `model`.
//!
//! Several processes may open one store: writes take an immediate transaction, readers never block,
//! and a busy store is waited for (10 s) rather than failed.

mod listing;
mod parallel;
mod query;
mod schema;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::model::change::FieldChange;
use crate::model::finding::{self, FindingKey, Summary, MAX_FINDING_BYTES};
use crate::model::import::{apply_import, AutoChange, BufFields, ImportOutcome};
use crate::model::timestamp;
use crate::model::update::BatchUpdateRequest;

pub use listing::ListedFinding;
pub use query::{FindingsPage, GetFindingsRequest, HistoryPage, HistoryRequest, SortCriterion, SORT_FIELDS};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store {path}: {source}")]
    Open { path: PathBuf, source: rusqlite::Error },
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("store: a stored finding could not be read ({0}); the store may be damaged")]
    Corrupt(String),
    #[error("store schema version {found} is newer than this hubtriage supports ({supported}); upgrade hubtriage")]
    TooNew { found: i64, supported: i64 },
    /// A request the service would answer with InvalidInputException.
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    Io(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Who is calling: the account (for the access model) and the name recorded in history.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Caller {
    /// `None`: an administrator of every account, with no restriction (the default).
    pub account: Option<String>,
    pub identity: String,
}

impl Caller {
    pub fn unrestricted(identity: impl Into<String>) -> Caller {
        Caller { account: None, identity: identity.into() }
    }
}

/// What a caller may update, from the administrator/member relation (seeds 001 and 003).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Unrestricted,
    /// Its own findings and its members'.
    Administrator {
        accounts: HashSet<String>,
    },
    /// Its own findings, and of them only the Note (seed 003).
    Member {
        account: String,
    },
    /// An account in no organisation: its own findings.
    Standalone {
        account: String,
    },
}

/// BatchImportFindings' answer: exactly `{FailedCount, SuccessCount, FailedFindings}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportResult {
    pub success_count: usize,
    pub failed: Vec<ImportFailure>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportFailure {
    pub id: String,
    pub code: String,
    pub message: String,
}

impl ImportResult {
    pub fn to_json(&self) -> Value {
        json!({
            "FailedCount": self.failed.len(),
            "SuccessCount": self.success_count,
            "FailedFindings": self.failed.iter().map(|f| json!({
                "Id": f.id, "ErrorCode": f.code, "ErrorMessage": f.message
            })).collect::<Vec<_>>(),
        })
    }
}

/// BatchUpdateFindings' answer: exactly `{ProcessedFindings, UnprocessedFindings}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateResult {
    pub processed: Vec<FindingKey>,
    pub unprocessed: Vec<Unprocessed>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Unprocessed {
    pub key: FindingKey,
    pub code: String,
    pub message: String,
}

impl UpdateResult {
    pub fn to_json(&self) -> Value {
        json!({
            "ProcessedFindings": self.processed.iter().map(FindingKey::to_json).collect::<Vec<_>>(),
            "UnprocessedFindings": self.unprocessed.iter().map(|u| json!({
                "FindingIdentifier": u.key.to_json(), "ErrorCode": u.code, "ErrorMessage": u.message
            })).collect::<Vec<_>>(),
        })
    }
}

/// Most findings one BatchImportFindings call may carry (seed 004).
pub const MAX_IMPORT_FINDINGS: usize = 100;
/// Largest BatchImportFindings call (seed 004: 6 MB).
pub const MAX_IMPORT_BYTES: usize = 6 * 1024 * 1024;

/// History sources as stored. The service's own changes are kept apart from the provider's.
pub(crate) const SOURCE_IMPORT: &str = "BATCH_IMPORT_FINDINGS";
pub(crate) const SOURCE_UPDATE: &str = "BATCH_UPDATE_FINDINGS";
pub(crate) const SOURCE_SERVICE: &str = "SERVICE";
/// The identity recorded for Security Hub's automatic changes.
pub const SERVICE_IDENTITY: &str = "securityhub.amazonaws.com";

pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: fn() -> OffsetDateTime,
    /// In a cell so that `checkpoint(&self)` can stop it.
    checkpointer: std::cell::RefCell<Option<Checkpointer>>,
    scratch: Scratch,
}

/// Where `Store::import_pipelined`'s producer sends groups of BatchImportFindings calls.
pub struct ImportQueue {
    send: Option<std::sync::mpsc::SyncSender<Vec<CheckedCall>>>,
    own_account: Option<String>,
}

impl ImportQueue {
    /// Queues a group of calls, imported in one transaction; waits while the previous group is
    /// still waiting. The checks that need no database (limits, validation, access) run here, on
    /// the producer's thread. Fails once the import has stopped on a store error (which
    /// `import_pipelined` returns).
    pub fn send(&mut self, calls: Vec<Vec<Value>>) -> Result<()> {
        let stopped = || StoreError::Io("the import stopped".into());
        let send = self.send.as_ref().ok_or_else(stopped)?;
        let checked = calls.into_iter().map(|findings| check_import(findings, self.own_account.as_deref())).collect();
        send.send(checked).map_err(|_| stopped())
    }
}

/// Buffers one write reuses from finding to finding: each document's JSON and its compressed form.
#[derive(Default)]
struct Scratch {
    json: Vec<u8>,
    blob: Vec<u8>,
}

impl Scratch {
    /// Serialises `doc` into `json` and compresses it into `blob` (lz4, size prepended, as `compress`).
    #[cfg(test)]
    fn encode(&mut self, doc: &Value) -> Result<()> {
        self.encode_json(doc)?;
        self.compress()
    }

    /// Serialises `doc` into `json`.
    fn encode_json(&mut self, doc: &Value) -> Result<()> {
        self.json.clear();
        serde_json::to_writer(&mut self.json, doc).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    fn compress(&mut self) -> Result<()> {
        let len = u32::try_from(self.json.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.blob.clear();
        self.blob.extend_from_slice(&len.to_le_bytes());
        self.blob.resize(4 + lz4_flex::block::get_maximum_output_size(self.json.len()), 0);
        let n = lz4_flex::block::compress_into(&self.json, &mut self.blob[4..])
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.blob.truncate(4 + n);
        Ok(())
    }
}

/// How often, at most, the background checkpointer folds the WAL into the database.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(200);

/// WAL frames after which the background checkpointer also restarts the WAL (64 MB of 8 KB pages).
const RESTART_FRAMES: i64 = 8_192;

/// Folds the WAL into the database file off the writer's path. After a commit the writer nudges a
/// thread that has its own connection; it runs a PASSIVE checkpoint (which never waits for readers
/// or writers) at most every CHECKPOINT_INTERVAL. An acknowledged call so no longer pays for
/// checkpoints; durability is unchanged (a commit is durable once it is in the WAL).
/// Under a steady stream of commits a PASSIVE checkpoint never catches up with the end of the WAL,
/// so the WAL cannot start over from its beginning; once it holds RESTART_FRAMES the thread runs
/// a RESTART checkpoint, which waits (at most 200 ms) for the writer to finish its transaction.
/// The writer's own autocheckpoint stays on, at a much larger size, as a backstop. Started at the
/// first write.
struct Checkpointer {
    nudge: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    fn start(path: &Path) -> Option<Checkpointer> {
        let conn = Connection::open(path).ok()?;
        conn.busy_timeout(std::time::Duration::from_millis(200)).ok()?;
        let (nudge, nudged) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("hubtriage-checkpoint".into())
            .spawn(move || {
                use std::sync::mpsc::RecvTimeoutError;
                let mut last: Option<std::time::Instant> = None;
                while nudged.recv().is_ok() {
                    if let Some(wait) = last.map(|l| CHECKPOINT_INTERVAL.saturating_sub(l.elapsed())) {
                        let deadline = std::time::Instant::now() + wait;
                        loop {
                            let left = deadline.saturating_duration_since(std::time::Instant::now());
                            if left.is_zero() {
                                break;
                            }
                            if let Err(RecvTimeoutError::Disconnected) = nudged.recv_timeout(left) {
                                break;
                            }
                        }
                    }
                    // A failed checkpoint (the store busy, say) is retried at the next nudge.
                    let frames: i64 = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1)).unwrap_or(0);
                    if frames >= RESTART_FRAMES {
                        let _ = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()));
                    }
                    last = Some(std::time::Instant::now());
                }
            })
            .ok()?;
        Some(Checkpointer { nudge: Some(nudge), thread: Some(thread) })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.nudge = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn system_clock() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The 64-bit FNV-1a hash of a finding's Id, stored in `findings.id_hash` and indexed (schema 3):
/// lookups by (ProductArn, Id) or by Id go through it and then compare the text, e.g.
/// `WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3`. Stored, so it must never change.
pub fn id_hash(id: &str) -> i64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)) as i64
}

/// Finds a finding's row by its identity: ?1 its `id_hash`, ?2 its Id, ?3 its ProductArn.
const BY_KEY: &str = "id_hash = ?1 AND id = ?2 AND product_arn = ?3";

pub(crate) fn decompress(blob: &[u8]) -> Result<Value> {
    let bytes = lz4_flex::decompress_size_prepended(blob).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// The default store: `HUBTRIAGE_STORE`, else `findings.db` in the platform data dir.
    pub fn default_path() -> Result<PathBuf> {
        if let Some(p) = std::env::var_os("HUBTRIAGE_STORE") {
            return Ok(PathBuf::from(p));
        }
        let dirs = directories::ProjectDirs::from("", "", "hubtriage")
            .ok_or_else(|| StoreError::Io("no home directory to keep the store in; pass --store PATH".into()))?;
        Ok(dirs.data_dir().join("findings.db"))
    }

    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Io(format!("cannot create {}: {e}", dir.display())))?;
        }
        let open_err = |source| StoreError::Open { path: path.clone(), source };
        let mut conn = Connection::open(&path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(open_err)?;
        // WAL: readers never block the writer. NORMAL: a committed transaction survives the process
        // being killed (it is in the WAL file); only an OS crash may lose the last commits.
        // 8 KB pages hold three ~2.4 KB finding rows (4 KB pages would waste 40% of each page); every
        // finding a BatchUpdateFindings call touches rewrites its whole page into the WAL, so pages no
        // larger than that. Only takes effect on a new file, before its first table; stores created
        // with 16 KB pages (before schema 3) keep them.
        conn.pragma_update(None, "page_size", 8_192).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(open_err)?;
        conn.pragma_update(None, "cache_size", -65_536).map_err(open_err)?;
        // Checkpoints run in the background (see Checkpointer); this is the backstop should that thread
        // be stuck: 65,536 pages (512 MB with 8 KB pages).
        conn.pragma_update(None, "wal_autocheckpoint", 65_536).map_err(open_err)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024).map_err(open_err)?;
        schema::migrate(&mut conn).map_err(|e| match e {
            StoreError::Sqlite(source) => open_err(source),
            other => other,
        })?;
        Ok(Store { conn, path, clock: system_clock, checkpointer: Default::default(), scratch: Scratch::default() })
    }

    /// Replaces the clock, for repeatable tests.
    pub fn with_clock(mut self, clock: fn() -> OffsetDateTime) -> Store {
        self.clock = clock;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn now(&self) -> OffsetDateTime {
        (self.clock)()
    }

    pub fn count(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM findings", [], |r| r.get(0))?)
    }

    /// Declares `members` as member accounts of `administrator` (replacing earlier relations of them).
    pub fn set_members(&mut self, administrator: &str, members: &[String]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for m in members {
            tx.execute(
                "INSERT INTO members (administrator, member) VALUES (?1, ?2)
                 ON CONFLICT (member) DO UPDATE SET administrator = excluded.administrator",
                params![administrator, m],
            )?;
        }
        tx.commit()?;
        self.committed();
        Ok(())
    }

    pub fn remove_member(&mut self, member: &str) -> Result<bool> {
        let removed = self.conn.execute("DELETE FROM members WHERE member = ?1", [member])? > 0;
        self.committed();
        Ok(removed)
    }

    /// (administrator, member) pairs.
    pub fn members(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT administrator, member FROM members ORDER BY 1, 2")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn access(&self, caller: &Caller) -> Result<Access> {
        let Some(account) = &caller.account else { return Ok(Access::Unrestricted) };
        let mut stmt = self.conn.prepare_cached("SELECT member FROM members WHERE administrator = ?1")?;
        let members: HashSet<String> = stmt.query_map([account], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        if !members.is_empty() {
            let mut accounts = members;
            accounts.insert(account.clone());
            return Ok(Access::Administrator { accounts });
        }
        let is_member: bool = self
            .conn
            .query_row("SELECT 1 FROM members WHERE member = ?1", [account], |_| Ok(true))
            .optional()?
            .unwrap_or(false);
        Ok(if is_member {
            Access::Member { account: account.clone() }
        } else {
            Access::Standalone { account: account.clone() }
        })
    }

    /// BatchImportFindings (seeds 002 and 004). Request-level limits fail the whole call before anything
    /// is written; a finding that is invalid, too large or not the caller's is reported in
    /// FailedFindings and the rest are imported, all in one transaction.
    pub fn batch_import(&mut self, caller: &Caller, findings: Vec<Value>) -> Result<ImportResult> {
        let mut results = self.import_calls(caller, vec![findings])?;
        results.pop().unwrap_or_else(|| Ok(ImportResult::default()))
    }

    /// Several BatchImportFindings calls applied in one transaction, each with exactly the semantics
    /// of its own call and its own result (a call over the limits fails alone). Bulk imports from
    /// files use this: one commit per few thousand findings instead of one per hundred.
    pub fn import_calls(&mut self, caller: &Caller, calls: Vec<Vec<Value>>) -> Result<Vec<Result<ImportResult>>> {
        self.import_calls_with(caller, calls, true)
    }

    /// `import_calls`; with `prepare_new` false every finding takes the one-by-one path (for tests
    /// that compare the two).
    fn import_calls_with(
        &mut self,
        caller: &Caller,
        calls: Vec<Vec<Value>>,
        prepare_new: bool,
    ) -> Result<Vec<Result<ImportResult>>> {
        let own_account = caller.account.as_deref();
        let mut checked = Vec::with_capacity(calls.len());
        parallel::prepare_and_consume(
            calls,
            |findings| check_import(findings, own_account),
            |call| {
                checked.push(call);
                Ok::<(), StoreError>(())
            },
        )?;
        self.import_checked(checked, prepare_new)
    }

    /// Imports calls that have been through `check_import`, in one transaction.
    fn import_checked(&mut self, calls: Vec<CheckedCall>, prepare_new: bool) -> Result<Vec<Result<ImportResult>>> {
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // 1. Which findings are new: not stored, and not named earlier in these calls (those, and the
        //    stored ones, are imported one by one below, as they need what is stored by then).
        let mut is_new: Vec<Vec<bool>> = Vec::with_capacity(calls.len());
        {
            let mut exists = tx.prepare_cached(&format!("SELECT 1 FROM findings WHERE {BY_KEY}"))?;
            let mut seen = HashSet::new();
            for findings in calls.iter().flat_map(|c| c.as_ref().ok()) {
                let mut new = Vec::with_capacity(findings.len());
                for f in findings {
                    new.push(match f {
                        PreparedImport::Apply { key, .. } => {
                            let stored = exists.exists(params![id_hash(&key.id), key.id, key.product_arn])?;
                            seen.insert(key) && !stored && prepare_new
                        }
                        _ => false,
                    });
                }
                is_new.push(new);
            }
        }
        // 2. Each new finding's document as created, serialised and compressed, on two cores; each call
        //    is written as soon as it is ready, while the next ones are prepared.
        let mut is_new = is_new.into_iter();
        let calls: Vec<(CheckedCall, Vec<bool>)> = calls
            .into_iter()
            .map(|c| {
                let new = if c.is_ok() { is_new.next().unwrap_or_default() } else { Vec::new() };
                (c, new)
            })
            .collect();
        let mut out = Vec::with_capacity(calls.len());
        let scratch = &mut self.scratch;
        parallel::prepare_and_consume(
            calls,
            |(call, new)| call.and_then(|findings| create_new(findings, &new, now)),
            |call| {
                out.push(match call {
                    Ok(findings) => Ok(import_into(&tx, scratch, now, findings)?),
                    Err(e) => Err(e),
                });
                Ok::<(), StoreError>(())
            },
        )?;
        tx.commit()?;
        self.committed();
        Ok(out)
    }

    /// A bulk import on two threads: `produce` runs on this thread (reading and parsing, say) and
    /// hands groups of calls to `queue.send`; another thread imports each group with `import_calls`
    /// (one transaction each) as it arrives, in order, while the next is being produced. Returns what
    /// `produce` returned and every call's result, in order. A store error stops the import at that
    /// group (the groups before it stay committed), makes later `send`s fail, and is returned.
    pub fn import_pipelined<R>(
        &mut self,
        caller: &Caller,
        produce: impl FnOnce(&mut ImportQueue) -> R,
    ) -> Result<(R, Vec<Result<ImportResult>>)> {
        // One group may wait while another is imported: the producer runs at most a group ahead.
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<CheckedCall>>(1);
        let own_account = caller.account.clone();
        let store = &mut *self;
        let (produced, written) = std::thread::scope(|s| {
            // Owned here, so that a panicking producer drops it (ending the writer's loop) before
            // the scope waits for the writer.
            let mut queue = ImportQueue { send: Some(send), own_account };
            let writer = std::thread::Builder::new().name("hubtriage-import".into()).spawn_scoped(s, move || {
                let mut results = Vec::new();
                for calls in receive {
                    results.extend(store.import_checked(calls, true)?);
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

    /// BatchUpdateFindings (seeds 001 and 003). The request was validated when it was parsed; here each
    /// finding is processed or reported in UnprocessedFindings. One transaction: all or nothing lands.
    pub fn batch_update(&mut self, caller: &Caller, request: &BatchUpdateRequest) -> Result<UpdateResult> {
        let access = self.access(caller)?;
        let now = self.now();
        let now_text = timestamp::format(now);
        let now_ns = timestamp::to_nanos(now);
        let identity = request.update.note.as_ref().map_or(caller.identity.as_str(), |n| n.updated_by.as_str());
        let identity = identity.to_string();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
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
                if let Some(reason) = denied(&access, &account, request) {
                    slots.push(unprocessed("AccessDenied", reason));
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
            |(rowid, blob, buf)| (*rowid, prepare_update(blob, BufFields(*buf), request, now)),
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
                        record_row(&tx, rowid, now_ns, &now_text, SOURCE_UPDATE, &identity, false, None, updates)?;
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

    /// One finding's stored document.
    pub fn get(&self, key: &FindingKey) -> Result<Option<Value>> {
        let blob: Option<Vec<u8>> = self
            .conn
            .prepare_cached(&format!("SELECT doc FROM findings WHERE {BY_KEY}"))?
            .query_row(params![id_hash(&key.id), key.id, key.product_arn], |r| r.get(0))
            .optional()?;
        blob.map(|b| decompress(&b)).transpose()
    }

    /// Finds findings by Id alone (the CLI's `history ID`); several products may share an Id.
    pub fn keys_for_id(&self, id: &str) -> Result<Vec<FindingKey>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT product_arn, id FROM findings WHERE id_hash = ?1 AND id = ?2")?;
        let rows = stmt.query_map(params![id_hash(id), id], |r| {
            Ok(FindingKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Bytes the store occupies on disk (database and WAL).
    pub fn size_on_disk(&self) -> Result<u64> {
        let page_count: u64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let page_size: u64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let wal = std::fs::metadata(format!("{}-wal", self.path.display())).map_or(0, |m| m.len());
        Ok(page_count * page_size + wal)
    }

    /// Folds the WAL into the database file.
    pub fn checkpoint(&self) -> Result<()> {
        // The background checkpointer is stopped first (it restarts at the next write): a TRUNCATE
        // checkpoint gives up if another checkpoint is running.
        self.checkpointer.replace(None);
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// (severity rank, severity label, workflow status, count) over the whole store.
    pub fn severity_status_counts(&self) -> Result<Vec<(i64, String, String, u64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT severity_rank, severity_label, workflow_status, count(*) FROM findings GROUP BY 1, 2, 3",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// After a write transaction committed: let the background checkpointer know.
    fn committed(&mut self) {
        let checkpointer = self.checkpointer.get_mut();
        if checkpointer.is_none() {
            *checkpointer = Checkpointer::start(&self.path);
        }
        if let Some(nudge) = checkpointer.as_ref().and_then(|c| c.nudge.as_ref()) {
            // Full means a nudge is already waiting: this commit is folded by that checkpoint.
            let _ = nudge.try_send(());
        }
    }
}

/// Request-level limits of one BatchImportFindings call. Returns each finding's encoded size where
/// it is over the 240 KB limit, and otherwise a bound of it that is within the limit: measuring
/// exactly is only needed near a limit (`finding::encoded_len_bound`).
fn check_import_call(findings: &[Value]) -> Result<Vec<usize>> {
    if findings.is_empty() || findings.len() > MAX_IMPORT_FINDINGS {
        return Err(StoreError::InvalidInput(format!(
            "Findings has {} items; BatchImportFindings accepts 1 to {MAX_IMPORT_FINDINGS}",
            findings.len()
        )));
    }
    let exact_over = |f: &Value, bound: usize| if bound > MAX_FINDING_BYTES { finding::encoded_len(f) } else { bound };
    let mut sizes: Vec<usize> = findings.iter().map(|f| exact_over(f, finding::encoded_len_bound(f))).collect();
    if sizes.iter().fold(0usize, |a, b| a.saturating_add(*b)) > MAX_IMPORT_BYTES {
        sizes = findings.iter().map(finding::encoded_len).collect();
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
        incoming: Value,
    },
    /// Valid but without a key (cannot happen after validation): nothing is written.
    Skip,
}

/// A BatchImportFindings call after `check_import`: refused whole, or each finding failed,
/// skipped, or to be applied.
type CheckedCall = Result<Vec<PreparedImport>>;

/// The checks of a BatchImportFindings call that need no database: the request limits, then per
/// finding the size limit, the ASFF rules and the access model. Pure: runs on any thread.
fn check_import(findings: Vec<Value>, own_account: Option<&str>) -> CheckedCall {
    let sizes = check_import_call(&findings)?;
    let mut out = Vec::with_capacity(findings.len());
    for (index, (incoming, size)) in findings.into_iter().zip(sizes).enumerate() {
        let id = incoming
            .get("Id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map_or_else(|| format!("Findings[{index}]"), str::to_string);
        let fail = |code: &str, message: String| {
            PreparedImport::Failed(ImportFailure { id: id.clone(), code: code.into(), message })
        };
        if size > MAX_FINDING_BYTES {
            out.push(fail(
                "FindingSizeExceeded",
                format!("Finding is {} KB; the maximum size of a finding is 240 KB", size.div_ceil(1024)),
            ));
            continue;
        }
        if let Err(e) = finding::validate_asff(&incoming) {
            out.push(fail("InvalidInput", format!("Finding does not adhere to Amazon Finding Format. {e}")));
            continue;
        }
        if let Some(own) = own_account {
            let account = finding::str_at(&incoming, &["AwsAccountId"]);
            if account != own {
                out.push(fail(
                    "AccessDeniedException",
                    format!("AwsAccountId {account} is not the calling account {own}"),
                ));
                continue;
            }
        }
        out.push(match FindingKey::of(&incoming) {
            Some(key) => PreparedImport::Apply { key, incoming },
            None => PreparedImport::Skip,
        });
    }
    Ok(out)
}

/// Creates the documents of the findings `new[i]` (valid, not stored), serialised and compressed,
/// ready to insert. Pure: runs on any thread.
fn create_new(findings: Vec<PreparedImport>, new: &[bool], now: OffsetDateTime) -> Result<Vec<PreparedImport>> {
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
        match apply_import(None, incoming, now) {
            ImportOutcome::Created { doc, auto } => {
                scratch.encode_json(&doc)?;
                let encoded = Box::new(Encoded::of(&doc, &mut scratch)?);
                out.push(PreparedImport::Create { key, encoded, auto });
            }
            // A new finding is always created.
            ImportOutcome::Updated { .. } | ImportOutcome::Ignored => {
                return Err(StoreError::Corrupt("an import of a new finding did not create it".into()))
            }
        }
    }
    Ok(out)
}

fn import_into(
    tx: &rusqlite::Transaction<'_>,
    scratch: &mut Scratch,
    now: OffsetDateTime,
    findings: Vec<PreparedImport>,
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
                let rowid = insert_finding(tx, &key, *encoded)?;
                record_row(tx, rowid, now_ns, &now_text, SOURCE_IMPORT, &key.product_arn, true, None, None)?;
                record_auto(tx, rowid, now_ns, &now_text, auto)?;
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
            Some((_, blob, _)) => Some(decompress(blob)?),
            None => None,
        };
        let outcome = apply_import(existing_doc.as_ref().zip(existing.as_ref().map(|e| BufFields(e.2))), incoming, now);
        let provider = key.product_arn.clone();
        match outcome {
            ImportOutcome::Ignored => {}
            ImportOutcome::Created { doc, auto } => {
                scratch.encode_json(&doc)?;
                let rowid = insert_finding(tx, &key, Encoded::of(&doc, scratch)?)?;
                record(tx, rowid, now_ns, &now_text, SOURCE_IMPORT, &provider, true, None, &[])?;
                record_auto(tx, rowid, now_ns, &now_text, auto)?;
            }
            ImportOutcome::Updated { doc, changes, auto } => {
                let (rowid, _, buf) = existing.unwrap_or_default();
                let before = summary_params(&Summary::of(existing_doc.as_ref().unwrap_or(&Value::Null)));
                scratch.encode_json(&doc)?;
                write_finding(tx, rowid, &before, Encoded::of(&doc, scratch)?, BufFields(buf))?;
                record(tx, rowid, now_ns, &now_text, SOURCE_IMPORT, &provider, false, None, &changes)?;
                record_auto(tx, rowid, now_ns, &now_text, auto)?;
            }
        }
        result.success_count += 1;
    }
    Ok(result)
}

/// Why the access model refuses this update on a finding of `account`, if it does.
fn denied(access: &Access, account: &str, request: &BatchUpdateRequest) -> Option<String> {
    match access {
        Access::Unrestricted => None,
        Access::Administrator { accounts } if accounts.contains(account) => None,
        Access::Administrator { .. } => Some(format!(
            "the finding belongs to account {account}, which is neither the caller nor one of its members"
        )),
        Access::Member { account: own } | Access::Standalone { account: own } if own != account => {
            Some(format!("the finding belongs to account {account}; account {own} may update only its own findings"))
        }
        Access::Member { .. } if !request.update.is_note_only() => {
            Some("member accounts may update only the Note of their findings".into())
        }
        Access::Member { .. } | Access::Standalone { .. } => None,
    }
}

fn summary_params(s: &Summary) -> [rusqlite::types::Value; 27] {
    use rusqlite::types::Value as V;
    let text = |t: &str| V::Text(t.to_string());
    let opt_int = |i: Option<i64>| i.map_or(V::Null, V::Integer);
    let ns = |t: &str| timestamp::parse(t).map(timestamp::to_nanos);
    [
        text(&s.product_arn),
        text(&s.id),
        text(&s.product_name),
        text(&s.company_name),
        text(&s.generator_id),
        text(&s.aws_account_id),
        text(&s.region),
        text(&s.title),
        text(s.severity_label.map_or("", |l| l.as_str())),
        V::Integer(s.severity_label.map_or(-1, |l| i64::from(l.rank()))),
        opt_int(s.severity_normalized),
        text(s.workflow_status.map_or("", |w| w.as_str())),
        text(s.record_state.map_or("", |w| w.as_str())),
        text(s.verification_state.map_or("", |w| w.as_str())),
        text(s.compliance_status.map_or("", |w| w.as_str())),
        text(&s.control_id),
        text(&s.resource_type),
        text(&s.resource_id),
        text(&s.types.join("\n")),
        text(&s.created_at),
        text(&s.updated_at),
        V::Integer(ns(&s.updated_at).unwrap_or(0)),
        V::Integer(ns(&s.created_at).unwrap_or(0)),
        opt_int(ns(&s.first_observed_at)),
        opt_int(ns(&s.last_observed_at)),
        text(&s.note_text),
        text(&s.note_updated_by),
    ]
}

const SUMMARY_COLUMNS: &str = "product_arn, id, product_name, company_name, generator_id, aws_account_id, region, \
    title, severity_label, severity_rank, severity_normalized, workflow_status, record_state, verification_state, \
    compliance_status, control_id, resource_type, resource_id, types, created_at, updated_at, updated_ns, created_ns, \
    first_observed_ns, last_observed_ns, note_text, note_updated_by";

static INSERT_FINDING: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO findings ({SUMMARY_COLUMNS}, confidence, criticality, buf_fields, doc_size, doc, format, id_hash) \
         VALUES ({}, ?28, ?29, 0, ?30, ?31, 'asff', ?32)",
        (1..=27).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
    )
});

fn insert_finding(tx: &rusqlite::Transaction<'_>, key: &FindingKey, encoded: Encoded) -> Result<i64> {
    use rusqlite::types::Value as V;
    let mut stmt = tx.prepare_cached(&INSERT_FINDING)?;
    for (i, v) in encoded.summary.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, v)?;
    }
    stmt.raw_bind_parameter(28, encoded.confidence.map_or(V::Null, V::Integer))?;
    stmt.raw_bind_parameter(29, encoded.criticality.map_or(V::Null, V::Integer))?;
    stmt.raw_bind_parameter(30, encoded.json_len as i64)?;
    stmt.raw_bind_parameter(31, encoded.blob.as_slice())?;
    stmt.raw_bind_parameter(32, id_hash(&key.id))?;
    stmt.raw_execute()?;
    Ok(tx.last_insert_rowid())
}

/// A document as it is written: its summary columns, serialised size and compressed form.
struct Encoded {
    summary: [rusqlite::types::Value; 27],
    confidence: Option<i64>,
    criticality: Option<i64>,
    json_len: usize,
    blob: Vec<u8>,
}

impl Encoded {
    /// `doc`, whose serialised form `scratch.json` holds, compressed.
    fn of(doc: &Value, scratch: &mut Scratch) -> Result<Encoded> {
        scratch.compress()?;
        let s = Summary::of(doc);
        Ok(Encoded {
            summary: summary_params(&s),
            confidence: s.confidence,
            criticality: s.criticality,
            json_len: scratch.json.len(),
            blob: scratch.blob.clone(),
        })
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
    blob: &[u8],
    buf: BufFields,
    request: &BatchUpdateRequest,
    now: OffsetDateTime,
) -> Result<PreparedUpdate> {
    thread_local! {
        static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
    }
    let mut doc = decompress(blob)?;
    let before = summary_params(&Summary::of(&doc));
    let (changes, set) = request.update.apply(&mut doc, now);
    SCRATCH.with_borrow_mut(|scratch| {
        scratch.json.clear();
        serde_json::to_writer(&mut scratch.json, &doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if scratch.json.len() > MAX_FINDING_BYTES {
            return Ok(PreparedUpdate::TooLarge(scratch.json.len()));
        }
        if changes.is_empty() && buf.contains(set) {
            return Ok(PreparedUpdate::Unchanged);
        }
        Ok(PreparedUpdate::Write {
            before: Box::new(before),
            encoded: Box::new(Encoded::of(&doc, scratch)?),
            buf: buf.union(set),
            updates: history_updates(&changes),
        })
    })
}

/// Rewrites a stored finding. Only the summary columns whose value changed are written, so an
/// update that touches the workflow does not rewrite every index.
/// `before` is the summary of the stored document.
fn write_finding(
    tx: &rusqlite::Transaction<'_>,
    rowid: i64,
    before: &[rusqlite::types::Value; 27],
    encoded: Encoded,
    buf: BufFields,
) -> Result<()> {
    use rusqlite::types::Value as V;
    let mut sets = Vec::new();
    let mut values = Vec::new();
    for ((column, a), b) in SUMMARY_COLUMNS.split(", ").zip(encoded.summary).zip(before) {
        if a != *b {
            sets.push(format!("{column} = ?{}", values.len() + 1));
            values.push(a);
        }
    }
    let mut push = |column: &str, v: V| {
        sets.push(format!("{column} = ?{}", values.len() + 1));
        values.push(v);
    };
    push("confidence", encoded.confidence.map_or(V::Null, V::Integer));
    push("criticality", encoded.criticality.map_or(V::Null, V::Integer));
    push("buf_fields", V::Integer(i64::from(buf.0)));
    push("doc_size", V::Integer(encoded.json_len as i64));
    push("doc", V::Blob(encoded.blob));
    let sql = format!("UPDATE findings SET {} WHERE rowid = ?{}", sets.join(", "), values.len() + 1);
    values.push(V::Integer(rowid));
    tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

/// A history row's `updates`: the field changes as GetFindingHistory's Updates, or none.
fn history_updates(changes: &[FieldChange]) -> Option<String> {
    if changes.is_empty() {
        return None;
    }
    Some(
        Value::Array(
            changes.iter().map(|c| json!({"UpdatedField": c.field, "OldValue": c.old, "NewValue": c.new})).collect(),
        )
        .to_string(),
    )
}

#[allow(clippy::too_many_arguments)]
fn record(
    tx: &rusqlite::Transaction<'_>,
    rowid: i64,
    at_ns: i64,
    at: &str,
    source: &str,
    identity: &str,
    created: bool,
    reason: Option<&str>,
    changes: &[FieldChange],
) -> Result<()> {
    record_row(tx, rowid, at_ns, at, source, identity, created, reason, history_updates(changes).as_deref())
}

/// Writes a history row, unless it would say nothing (not a creation and no changes).
#[allow(clippy::too_many_arguments)]
fn record_row(
    tx: &rusqlite::Transaction<'_>,
    rowid: i64,
    at_ns: i64,
    at: &str,
    source: &str,
    identity: &str,
    created: bool,
    reason: Option<&str>,
    updates: Option<&str>,
) -> Result<()> {
    if !created && updates.is_none() {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO history (finding, at_ns, at, source, identity, created, reason, updates)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![rowid, at_ns, at, source, identity, created, reason, updates])?;
    Ok(())
}

fn record_auto(
    tx: &rusqlite::Transaction<'_>,
    rowid: i64,
    at_ns: i64,
    at: &str,
    auto: Option<AutoChange>,
) -> Result<()> {
    let Some(a) = auto else { return Ok(()) };
    let change = FieldChange {
        field: "Workflow.Status".into(),
        old: a.from.map(|s| s.as_str().to_string()),
        new: Some(a.to.as_str().to_string()),
    };
    record(tx, rowid, at_ns, at, SOURCE_SERVICE, SERVICE_IDENTITY, false, Some(&a.reason), &[change])
}

#[cfg(test)]
mod tests {
    use super::*;

    // Stored documents keep their format: lz4_flex's size-prepended block, as versions 1 and 2 wrote.
    #[test]
    fn scratch_encoding_is_the_stored_format() {
        let mut scratch = Scratch::default();
        for doc in crate::generate::generate(&crate::generate::GenOptions { count: 50, ..Default::default() }) {
            scratch.encode(&doc).unwrap();
            assert_eq!(scratch.json, serde_json::to_vec(&doc).unwrap());
            assert_eq!(scratch.blob, lz4_flex::compress_prepend_size(&scratch.json));
            assert_eq!(decompress(&scratch.blob).unwrap(), doc);
        }
    }

    fn clock() -> OffsetDateTime {
        timestamp::parse("2026-02-03T04:05:06.789Z").unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// Each stored finding: row id, document, BatchUpdateFindings-set attributes.
    type Row = (i64, Value, u8);

    /// Every stored document and history row, for comparing two stores.
    fn dump(store: &Store) -> (Vec<Row>, Vec<Vec<String>>) {
        let mut docs = store.conn.prepare("SELECT rowid, doc, buf_fields FROM findings ORDER BY rowid").unwrap();
        let docs = docs
            .query_map([], |r| Ok((r.get(0)?, decompress(&r.get::<_, Vec<u8>>(1)?).unwrap(), r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        let mut rows = store.conn.prepare("SELECT * FROM history ORDER BY seq").unwrap();
        let n = rows.column_count();
        let rows = rows
            .query_map([], |r| {
                (0..n).map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}"))).collect()
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        (docs, rows)
    }

    // Findings prepared as new off the database (on two threads) are imported exactly as the
    // one-by-one path imports them: same answers, same documents and rows, same history.
    #[test]
    fn prepared_imports_match_one_by_one_imports() {
        use crate::model::finding::tests::sample;
        let at = |f: &mut Value, t: &str| f["UpdatedAt"] = json!(t);
        let mut stored = vec![sample("old-updated"), sample("old-ignored"), sample("old-archived")];
        stored[2]["RecordState"] = json!("ARCHIVED");
        stored[2]["Workflow"] = json!({"Status": "RESOLVED"});
        let mut newer = sample("old-updated");
        at(&mut newer, "2025-03-01T00:00:00Z");
        newer["Title"] = json!("renamed");
        let mut reactivated = sample("old-archived");
        at(&mut reactivated, "2025-03-01T00:00:00Z");
        reactivated["RecordState"] = json!("ACTIVE");
        let mut invalid = sample("invalid");
        invalid.as_object_mut().unwrap().remove("Title");
        let mut no_id = sample("x");
        no_id.as_object_mut().unwrap().remove("Id");
        let mut oversize = sample("oversize");
        oversize["ProductFields"] = json!({"blob": "x".repeat(250 * 1024)});
        let mut again = sample("new-1");
        at(&mut again, "2025-04-01T00:00:00Z");
        again["Severity"] = json!({"Label": "LOW"});
        let mut provider = sample("new-2");
        provider["FindingProviderFields"] =
            json!({"Severity": {"Label": "CRITICAL", "Original": "9"}, "Confidence": 70});
        provider["Confidence"] = json!(10);
        let mut control = sample("control");
        control["ProductArn"] = json!("arn:aws:securityhub:us-east-1::product/aws/securityhub");
        control["Compliance"] = json!({"Status": "PASSED", "SecurityControlId": "S3.1"});
        let mut stale = sample("new-1");
        at(&mut stale, "2025-01-01T00:00:00Z");
        let calls = vec![
            vec![sample("new-1"), newer, sample("old-ignored"), invalid, oversize, again, no_id, reactivated],
            vec![stale, provider, control, sample("new-3")],
            (0..101).map(|i| sample(&format!("too-many-{i}"))).collect(),
            vec![sample("new-3"), sample("new-4")],
        ];
        let other_account = Caller { account: Some("999999999999".into()), identity: "t".into() };
        let run = |prepare_new: bool| {
            let dir = tempfile::tempdir().unwrap();
            let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
            let caller = Caller::unrestricted("t");
            store.import_calls_with(&caller, vec![stored.clone()], prepare_new).unwrap();
            let results = store.import_calls_with(&caller, calls.clone(), prepare_new).unwrap();
            let denied = store.import_calls_with(&other_account, vec![vec![sample("mine")]], prepare_new).unwrap();
            let results: Vec<String> = results.iter().chain(&denied).map(|r| format!("{r:?}")).collect();
            (results, dump(&store))
        };
        let (prepared, one_by_one) = (run(true), run(false));
        assert_eq!(prepared.0, one_by_one.0);
        assert_eq!(prepared.1, one_by_one.1);
        // The batch exercised every outcome.
        let all = prepared.0.join("\n");
        for expected in ["InvalidInput", "FindingSizeExceeded", "Findings[6]", "AccessDeniedException", "101 items"] {
            assert!(all.contains(expected), "{expected}: {all}");
        }
        let docs = &prepared.1 .0;
        assert_eq!(docs.len(), 3 + 5, "3 stored, new-1..3, new-2's control twin: {docs:?}");
        assert!(prepared.1 .1.iter().any(|row| row.iter().any(|c| c.contains("ARCHIVED to ACTIVE"))));
    }

    #[test]
    fn a_store_update_call_answers_in_identifier_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
        let caller = Caller::unrestricted("t");
        let findings: Vec<Value> =
            crate::generate::generate(&crate::generate::GenOptions { count: 40, ..Default::default() }).collect();
        store.batch_import(&caller, findings.clone()).unwrap();
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

    // The pipelined import answers exactly as import_calls does, group by group.
    #[test]
    fn pipelined_imports_answer_as_import_calls() {
        use crate::model::finding::tests::sample;
        let mut invalid = sample("invalid");
        invalid["Title"] = json!(7);
        let mut later = sample("a");
        later["UpdatedAt"] = json!("2025-06-01T00:00:00Z");
        let groups = vec![
            vec![vec![sample("a"), invalid, sample("b")], vec![later.clone(), sample("b")]],
            vec![(0..101).map(|i| sample(&format!("x{i}"))).collect()],
            vec![vec![later, sample("c")]],
        ];
        let open = || {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(dir.path().join("s.db")).unwrap().with_clock(clock);
            (dir, store)
        };
        let caller = Caller::unrestricted("t");
        let (_d1, mut one) = open();
        let mut expected = Vec::new();
        for g in groups.clone() {
            expected.extend(one.import_calls(&caller, g).unwrap().into_iter().map(|r| format!("{r:?}")));
        }
        let (_d2, mut two) = open();
        let (sent, results) = two
            .import_pipelined(&caller, |queue| {
                for g in groups {
                    queue.send(g).unwrap();
                }
                "done"
            })
            .unwrap();
        assert_eq!(sent, "done");
        assert_eq!(results.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>(), expected);
        assert_eq!(dump(&one), dump(&two));
    }

    // A producer that panics does not leave the import thread waiting for it.
    #[test]
    #[should_panic(expected = "producer failed")]
    fn a_panicking_producer_ends_the_pipelined_import() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let _ = store.import_pipelined(&Caller::unrestricted("t"), |queue| {
            queue.send(vec![vec![crate::model::finding::tests::sample("a")]]).unwrap();
            panic!("producer failed");
        });
    }

    // The serve adapter and the TUI move a Store into a thread of its own.
    #[test]
    fn a_store_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<Store>();
    }

    #[test]
    fn id_hash_is_stable() {
        // Stored in every row: these values must never change.
        assert_eq!(id_hash(""), 0xcbf2_9ce4_8422_2325_u64 as i64);
        assert_eq!(id_hash("a"), 0xaf63_dc4c_8601_ec8c_u64 as i64);
    }
}
