//! The local store: one SQLite file (WAL) holding each finding's full JSON document, compressed,
//! beside an indexed summary; the history of every change; and the demo access model. It implements
//! the Security Hub operations with the service's semantics; the rules themselves live in `model`.
//!
//! Several processes may open one store: writes take an immediate transaction, readers never block,
//! and a busy store is waited for (10 s) rather than failed.

mod backend;
pub mod changelog;
mod checkpoint;
mod codec;
mod demo;
pub mod expiry;
mod import;
mod listing;
pub mod mirror;
mod ocsf;
mod parallel;
mod query;
mod rows;
pub mod rules;
mod schema;
mod terms;
mod update;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde_json::Value;
use time::OffsetDateTime;

use crate::model::finding::FindingKey;

use checkpoint::Checkpointer;
use codec::Codec;
use rows::{decompress, parse_stored, Scratch};

pub use backend::{import_demo, StoreBackend};
pub use import::{ImportQueue, MAX_IMPORT_BYTES, MAX_IMPORT_FINDINGS};
pub use query::{FindingsPage, GetFindingsRequest, SortCriterion, SORT_FIELDS};
// The operations' request and response types are the wire module's; these paths are kept for the
// callers that name them here.
pub use crate::model::wire::batch_import::{ImportFailure, ImportResult};
pub use crate::model::wire::batch_update::{Unprocessed, UpdateResult};
pub use crate::model::wire::history::{HistoryPage, HistoryRecord, HistoryRequest};

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
    /// `open_existing` found nothing at the path.
    #[error("no store at {0}: check --store (or HUBTRIAGE_STORE); commands that only read never create one")]
    NotFound(PathBuf),
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

/// What a caller may read and update, from the administrator/member relation (BatchUpdateFindings
/// API reference and the service model; `store::update::denied`). Reads see exactly the findings an
/// update may touch: a finding of another account is not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    Unrestricted,
    /// Its own findings and its members'.
    Administrator {
        accounts: HashSet<String>,
    },
    /// Its own findings.
    Member {
        account: String,
    },
    /// An account in no organisation: its own findings.
    Standalone {
        account: String,
    },
}

impl Access {
    /// The accounts whose findings this caller may see; `None`: every account.
    pub fn visible_accounts(&self) -> Option<Vec<&str>> {
        match self {
            Access::Unrestricted => None,
            Access::Administrator { accounts } => {
                let mut v: Vec<&str> = accounts.iter().map(String::as_str).collect();
                v.sort_unstable();
                Some(v)
            }
            Access::Member { account } | Access::Standalone { account } => Some(vec![account.as_str()]),
        }
    }

    /// Whether a finding of `account` is visible to this caller.
    pub fn sees(&self, account: &str) -> bool {
        match self {
            Access::Unrestricted => true,
            Access::Administrator { accounts } => accounts.contains(account),
            Access::Member { account: own } | Access::Standalone { account: own } => own == account,
        }
    }
}

/// History sources as stored: GetFindingHistory's UpdateSource.Type values, and the service's own
/// changes kept apart from the provider's.
pub(crate) use crate::model::wire::history::{SOURCE_IMPORT, SOURCE_SERVICE, SOURCE_UPDATE};
/// The identity recorded for Security Hub's automatic changes.
pub const SERVICE_IDENTITY: &str = "securityhub.amazonaws.com";

pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: fn() -> OffsetDateTime,
    /// In a cell so that `checkpoint(&self)` can stop it.
    checkpointer: std::cell::RefCell<Option<Checkpointer>>,
    scratch: Scratch,
    codec: Codec,
    /// The `id_hash` of every finding in the store, while this connection knows them all
    /// (`import::KnownIds`).
    known_ids: Option<import::KnownIds>,
    /// Rows reads passed over because their document cannot be read, until `take_unreadable`.
    unreadable: std::cell::RefCell<Vec<rows::UnreadableRow>>,
}

fn system_clock() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// The 64-bit FNV-1a hash of a finding's Id, stored in `findings.id_hash` and indexed (schema 3):
/// lookups by (ProductArn, Id) or by Id go through it and then compare the text, e.g.
/// `WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3`. Stored, so it must never change.
pub fn id_hash(id: &str) -> i64 {
    crate::model::fnv1a(id.as_bytes()) as i64
}

/// How a connection waits for a lock another connection holds (another process's write, or the
/// background checkpointer): up to ~10 s, polling every millisecond for the first 100 ms, then every
/// 10 ms. SQLite's own busy timeout backs off to 100 ms sleeps, so a lock held for 10 ms (a
/// checkpoint restarting the WAL) could keep a BatchUpdateFindings call waiting for 150 ms.
fn wait_while_busy(tries: i32) -> bool {
    const FAST_TRIES: i32 = 100;
    const SLOW_TRIES: i32 = 990;
    let pause = if tries < FAST_TRIES {
        std::time::Duration::from_millis(1)
    } else if tries < FAST_TRIES + SLOW_TRIES {
        std::time::Duration::from_millis(10)
    } else {
        return false;
    };
    std::thread::sleep(pause);
    true
}

/// A new connection's settings and the schema brought up to date.
fn configure(conn: &mut Connection) -> Result<()> {
    // WAL: readers never block the writer. NORMAL: a committed transaction survives the process
    // being killed (it is in the WAL file); only an OS crash may lose the last commits.
    // 8 KB pages hold three ~2.4 KB finding rows (4 KB pages would waste 40% of each page); every
    // finding a BatchUpdateFindings call touches rewrites its whole page into the WAL, so pages no
    // larger than that. Only takes effect on a new file, before its first table; stores created
    // with 16 KB pages (before schema 3) keep them.
    conn.pragma_update(None, "page_size", 8_192)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    // A statement that may fail part way (an UPDATE that fires a trigger: a workflow change clears
    // the finding's expiry) journals the original of each page it touches; past 64 KB (eight 8 KB
    // pages, which a row and its index entries with a page split reach) SQLite moves that journal
    // to a temporary file for the rest of the transaction, and every later statement writes its
    // pages there (a system call each). In memory it is emptied after each statement instead.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Checkpoints run in the background (see Checkpointer); this is the backstop should that thread
    // be stuck: 65,536 pages (512 MB with 8 KB pages).
    conn.pragma_update(None, "wal_autocheckpoint", 65_536)?;
    conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
    schema::migrate(conn)
}

/// Finds a finding's row by its identity: ?1 its `id_hash`, ?2 its Id, ?3 its ProductArn.
const BY_KEY: &str = "id_hash = ?1 AND id = ?2 AND product_arn = ?3";

impl Store {
    /// SQLite's `PRAGMA data_version` on this handle's connection: it changes when another
    /// connection (another process, another handle) commits, never for this one's own commits, so
    /// a poll of it tells the workbench that someone else wrote the store (`worker::watch`).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// The default store: `HUBTRIAGE_STORE`, else `findings.db` in the platform data dir.
    pub fn default_path() -> Result<PathBuf> {
        if let Some(p) = std::env::var_os("HUBTRIAGE_STORE") {
            return Ok(PathBuf::from(p));
        }
        let dirs = crate::paths::dirs()
            .ok_or_else(|| StoreError::Io("no home directory to keep the store in; pass --store PATH".into()))?;
        Ok(dirs.data_dir().join("findings.db"))
    }

    /// Opens the store at `path`, creating it (and its directory) when there is none: for the
    /// commands that write.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Io(format!("cannot create {}: {e}", dir.display())))?;
        }
        let open_err = |source| StoreError::Open { path: path.clone(), source };
        let conn = Connection::open(&path).map_err(open_err)?;
        Store::setup(path, conn)
    }

    /// Opens the store at `path` only if there is one: for the commands that only read, so that a
    /// mistyped path is reported instead of leaving an empty store behind.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        if !path.is_file() {
            return Err(StoreError::NotFound(path));
        }
        // Without SQLITE_OPEN_CREATE: should the file vanish meanwhile, the open fails, creating nothing.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::CannotOpen => {
                StoreError::NotFound(path.clone())
            }
            source => StoreError::Open { path: path.clone(), source },
        })?;
        Store::setup(path, conn)
    }

    /// Configures a freshly opened connection and brings its schema up to date.
    fn setup(path: PathBuf, mut conn: Connection) -> Result<Store> {
        let open_err = |source| StoreError::Open { path: path.clone(), source };
        conn.busy_handler(Some(wait_while_busy)).map_err(open_err)?;
        // Two processes creating the same new store at once: switching a new file to WAL takes its
        // exclusive lock without calling the busy handler, so the loser gets SQLITE_BUSY at once.
        // Every step here is idempotent (the migrations check the version inside their transaction),
        // so a busy store is waited for as the busy handler would, and the setup run again.
        let mut tries = 0;
        let configured = loop {
            match configure(&mut conn) {
                Err(StoreError::Sqlite(e))
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) && wait_while_busy(tries) =>
                {
                    tries += 1;
                }
                other => break other,
            }
        };
        configured.map_err(|e| match e {
            StoreError::Sqlite(source) => open_err(source),
            other => other,
        })?;
        let codec = Codec::load(path.clone(), &conn)?;
        Ok(Store {
            conn,
            path,
            clock: system_clock,
            checkpointer: Default::default(),
            scratch: Scratch::default(),
            codec,
            known_ids: None,
            unreadable: Default::default(),
        })
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

    /// One finding's stored document.
    pub fn get(&self, key: &FindingKey) -> Result<Option<Value>> {
        self.get_as(&Access::Unrestricted, key)
    }

    /// One finding's stored document, if `access` may see it (else it is not found).
    pub fn get_as(&self, access: &Access, key: &FindingKey) -> Result<Option<Value>> {
        let row: Option<(Vec<u8>, String)> = self
            .conn
            .prepare_cached(&format!("SELECT doc, aws_account_id FROM findings WHERE {BY_KEY}"))?
            .query_row(params![id_hash(&key.id), key.id, key.product_arn], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.filter(|(_, account)| access.sees(account)).map(|(b, _)| decompress(&self.codec, &b)).transpose()
    }

    /// Finds findings by Id alone (the CLI's `history ID`); several products may share an Id.
    pub fn keys_for_id(&self, id: &str) -> Result<Vec<FindingKey>> {
        self.keys_for_id_as(&Access::Unrestricted, id)
    }

    /// `keys_for_id` among the findings `access` may see.
    pub fn keys_for_id_as(&self, access: &Access, id: &str) -> Result<Vec<FindingKey>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT product_arn, id, aws_account_id FROM findings WHERE id_hash = ?1 AND id = ?2")?;
        let rows = stmt.query_map(params![id_hash(id), id], |r| {
            Ok((FindingKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?), r.get::<_, String>(2)?))
        })?;
        let mut keys = Vec::new();
        for row in rows {
            let (key, account) = row?;
            if access.sees(&account) {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// Every ASFF finding's key, in storage order, and the accounts the findings belong to (sorted):
    /// what `hubtriage simulate` draws its events from. Read off the columns, no document opened.
    pub fn keys_and_accounts(&self) -> Result<(Vec<FindingKey>, Vec<String>)> {
        let mut stmt =
            self.conn.prepare("SELECT product_arn, id FROM findings WHERE format = 'asff' ORDER BY rowid")?;
        let keys = stmt
            .query_map([], |r| Ok(FindingKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare("SELECT DISTINCT aws_account_id FROM findings ORDER BY 1")?;
        let accounts = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok((keys, accounts))
    }

    /// How many findings `access` may see.
    pub fn count_as(&self, access: &Access) -> Result<u64> {
        let Some(accounts) = access.visible_accounts() else { return self.count() };
        let marks = vec!["?"; accounts.len()].join(", ");
        let sql = format!("SELECT count(*) FROM findings WHERE aws_account_id IN ({marks})");
        Ok(self.conn.query_row(&sql, rusqlite::params_from_iter(accounts), |r| r.get(0))?)
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
    /// (severity rank, label, workflow status, count) of the findings `access` may see.
    pub fn severity_status_counts(&self, access: &Access) -> Result<Vec<(i64, String, String, u64)>> {
        let accounts = access.visible_accounts();
        let only = match &accounts {
            Some(a) => format!(" WHERE aws_account_id IN ({})", vec!["?"; a.len()].join(", ")),
            None => String::new(),
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT severity_rank, severity_label, workflow_status, count(*) FROM findings{only} GROUP BY 1, 2, 3"
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(accounts.unwrap_or_default()), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::timestamp;

    /// A fixed clock, so that what the store tests write is repeatable and two stores compare equal.
    pub(super) fn clock() -> OffsetDateTime {
        timestamp::parse("2026-02-03T04:05:06.789Z").unwrap_or(OffsetDateTime::UNIX_EPOCH)
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

    // Two processes (here threads, each with its own connection) creating the same new store at
    // once both succeed, as sharing an existing store does.
    #[test]
    fn creating_a_new_store_twice_at_once_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        for round in 0..200 {
            let path = dir.path().join(format!("new-{round}")).join("s.db");
            let barrier = std::sync::Barrier::new(4);
            std::thread::scope(|s| {
                let opens: Vec<_> = (0..4)
                    .map(|_| {
                        s.spawn(|| {
                            barrier.wait();
                            Store::open(&path).map(|store| store.count())
                        })
                    })
                    .collect();
                for open in opens {
                    let result = open.join().unwrap();
                    assert!(matches!(result, Ok(Ok(0))), "round {round}: {result:?}");
                }
            });
        }
    }
}
