//! The durable outbox of remote edits: every BatchUpdateFindings edit is committed to a SQLite file
//! (the cache store of one (endpoint, account, region), under the platform cache directory) before
//! it is acknowledged, and leaves it only in the transaction that records the remote's answer. One
//! row per (edit, finding), so that each finding's edits go out in edit order and each finding's
//! UnprocessedFindings code is kept for the UI. Sending is `remote::sender`'s.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::endpoint::Environment;
use crate::backend::{BackendError, Result};
use crate::model::finding::FindingKey;
use crate::model::update::FindingUpdate;
use crate::model::wire::batch_update::BatchUpdateRequest;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS remote_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox_edit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_ms INTEGER NOT NULL,
    update_json TEXT NOT NULL,
    findings INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    edit INTEGER NOT NULL REFERENCES outbox_edit(id),
    product_arn TEXT NOT NULL,
    id TEXT NOT NULL,
    previous_json TEXT,
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before_ms INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    last_error TEXT,
    sent_ms INTEGER,
    sent_by TEXT,
    orphan_ms INTEGER,
    fence_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_by_finding ON outbox (product_arn, id, seq);
CREATE INDEX IF NOT EXISTS outbox_by_edit ON outbox (edit);
";
/// How long a call sent by a process that then died may still be applied by the remote: past the
/// client's 30 s attempt timeout, with a margin for a slow service. A finding whose edit was sent
/// by a dead process gets no later edit sent before then, so the orphaned call cannot land after it.
pub const ORPHAN_FENCE_MS: i64 = 60_000;

// A row's state: 'queued' (waiting, or in flight: that is kept in memory, so that a crash leaves
// every unconfirmed row queued) or 'failed' (refused for good: a 4xx other than throttling, or an
// UnprocessedFindings code).

/// One finding's edit ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    pub seq: i64,
    pub key: FindingKey,
    /// The update's request members as JSON text: identical updates have identical text.
    pub update_json: String,
}

/// One edit as `hubtriage outbox` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct EditRow {
    pub id: i64,
    pub created_ms: i64,
    /// Findings the edit named.
    pub findings: usize,
    /// Of those, still to send.
    pub queued: usize,
    /// Of those, refused by the remote.
    pub failed: usize,
    pub update: FindingUpdate,
    /// The most attempts any of its findings took.
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// A finding the remote refused for good, with its code (for the workbench's `!` and `t`).
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub key: FindingKey,
    pub code: String,
    pub message: String,
}

pub struct Outbox {
    conn: Connection,
    path: PathBuf,
    /// This opening's name in `sent_by`: a row sent under another name was sent by a process that
    /// may have died with the call in flight.
    run: String,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").field("path", &self.path).finish_non_exhaustive()
    }
}

fn db(e: rusqlite::Error) -> BackendError {
    BackendError::other(format!("the outbox: {e}"))
}

/// The `product_arn` of an outbox row that is a BatchUpdateFindingsV2 edit of an OCSF finding,
/// whose `id` is then the finding's `metadata.uid` (the MetadataUids the call names it by).
pub const V2_MARK: &str = "(ocsf)";

/// The outbox key of an OCSF finding's edit.
pub fn v2_key(metadata_uid: &str) -> FindingKey {
    FindingKey { product_arn: V2_MARK.into(), id: metadata_uid.to_string() }
}

pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The platform cache directory for hubtriage as `env` defines it: `XDG_CACHE_HOME`, else
/// `~/.cache` (Linux), `~/Library/Caches` (macOS); the process's environment goes through
/// `directories`, which also knows Windows.
pub fn cache_dir(env: &Environment) -> Option<PathBuf> {
    if env.is_process() {
        return crate::paths::dirs().map(|d| d.cache_dir().to_path_buf());
    }
    if cfg!(target_os = "macos") {
        return env.get("HOME").map(|h| Path::new(&h).join("Library/Caches/hubtriage"));
    }
    env.get("XDG_CACHE_HOME")
        .filter(|p| Path::new(p).is_absolute())
        .map(PathBuf::from)
        .or_else(|| env.get("HOME").map(|h| Path::new(&h).join(".cache")))
        .map(|d| d.join("hubtriage"))
}

/// The cache store of (endpoint, account, region): one file each, named by a hash of the three
/// (which are also written inside and checked on open).
pub fn store_path(cache_dir: &Path, endpoint: &str, account: &str, region: &str) -> PathBuf {
    let mut h = Sha256::new();
    for part in [endpoint, account, region] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    cache_dir.join("remote").join(format!("{}.db", &hex::encode(h.finalize())[..20]))
}

/// The update's request members as stored.
fn update_text(u: &FindingUpdate) -> String {
    Value::Object(u.to_json()).to_string()
}

/// Reads back what `update_text` stored, with the request reader's own checks.
pub fn parse_update(text: &str) -> Result<FindingUpdate> {
    let mut members: Map<String, Value> =
        serde_json::from_str(text).map_err(|e| BackendError::other(format!("the outbox holds a bad update: {e}")))?;
    // The reader wants a finding; the update is all that is kept.
    members.insert("FindingIdentifiers".into(), json!([{"Id": "-", "ProductArn": "-"}]));
    BatchUpdateRequest::from_json(&Value::Object(members))
        .map(|r| r.update)
        .map_err(|e| BackendError::other(format!("the outbox holds a bad update: {e}")))
}

/// The right to send an outbox, held by one process at a time: two senders could each send a
/// finding's oldest edit, and the slower copy could land after the faster one's successor. An
/// advisory lock on `<store>.send-lock`, released when this is dropped or the process dies.
#[derive(Debug)]
pub struct SendLock {
    _file: std::fs::File,
}

impl SendLock {
    /// The lock, or `None` when another process holds it.
    pub fn try_take(store: &Path) -> Result<Option<SendLock>> {
        let mut name = store.as_os_str().to_os_string();
        name.push(".send-lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&name)
            .map_err(|e| BackendError::other(format!("cannot open {}: {e}", Path::new(&name).display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: flock on a descriptor this function owns; no memory is shared.
            let r = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if r != 0 {
                return Ok(None);
            }
        }
        Ok(Some(SendLock { _file: file }))
    }
}

impl Outbox {
    /// Opens (creating) the outbox in the cache store at `path`, for `(endpoint, account, region)`:
    /// a file made for another is refused rather than sent to the wrong place.
    pub fn open(path: &Path, endpoint: &str, account: &str, region: &str) -> Result<Outbox> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| BackendError::other(format!("cannot create {}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path).map_err(db)?;
        // FULL: a commit is fsync'd before it returns, so an acknowledged edit survives a power cut,
        // not only a killed process.
        conn.pragma_update(None, "journal_mode", "WAL").map_err(db)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        let run = format!("{}-{}", std::process::id(), time::OffsetDateTime::now_utc().unix_timestamp_nanos());
        let mut outbox = Outbox { conn, path: path.to_path_buf(), run };
        outbox.check_owner(endpoint, account, region)?;
        Ok(outbox)
    }

    fn check_owner(&mut self, endpoint: &str, account: &str, region: &str) -> Result<()> {
        let tx = self.conn.transaction().map_err(db)?;
        for (key, want) in [("endpoint", endpoint), ("account", account), ("region", region)] {
            let have: Option<String> = tx
                .query_row("SELECT value FROM remote_meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()
                .map_err(db)?;
            match have {
                None => {
                    tx.execute("INSERT INTO remote_meta (key, value) VALUES (?1, ?2)", [key, want]).map_err(db)?;
                }
                Some(h) if h == want => {}
                Some(_) => {
                    return Err(BackendError::other(format!(
                        "{} is the cache of another {key}; move it away",
                        self.path.display()
                    )))
                }
            }
        }
        tx.commit().map_err(db)
    }

    /// Findings' edits queued in the outbox at `path`, without opening it for sending (after a
    /// session, to say what it left).
    pub fn queued_at(path: &Path) -> Result<usize> {
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(db)?;
        conn.query_row("SELECT COUNT(*) FROM outbox WHERE state = 'queued'", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(db)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one edit (an update for `keys`, with each finding's previous values for undo) and
    /// commits it: when this returns, the edit survives a crash. Returns the edit's id.
    pub fn enqueue(
        &mut self,
        keys: &[FindingKey],
        update: &FindingUpdate,
        previous: &HashMap<FindingKey, FindingUpdate>,
    ) -> Result<i64> {
        let tx = self.conn.transaction().map_err(db)?;
        tx.execute(
            "INSERT INTO outbox_edit (created_ms, update_json, findings) VALUES (?1, ?2, ?3)",
            params![now_ms(), update_text(update), keys.len() as i64],
        )
        .map_err(db)?;
        let edit = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare("INSERT INTO outbox (edit, product_arn, id, previous_json) VALUES (?1, ?2, ?3, ?4)")
                .map_err(db)?;
            for k in keys {
                let prev = previous.get(k).map(update_text);
                insert.execute(params![edit, k.product_arn, k.id, prev]).map_err(db)?;
            }
        }
        tx.commit().map_err(db)?;
        Ok(edit)
    }

    /// Up to `limit` rows that may be sent at `now_ms`, oldest first: each the oldest queued row of
    /// its finding (a later edit of a finding never overtakes an earlier one), not in `in_flight`,
    /// not fenced (`ORPHAN_FENCE_MS`), and, with `honour_backoff`, not waiting out a backoff.
    pub fn ready(
        &self,
        in_flight: &HashSet<i64>,
        now_ms: i64,
        honour_backoff: bool,
        limit: usize,
    ) -> Result<Vec<Ready>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT o.seq, o.product_arn, o.id, e.update_json FROM outbox o JOIN outbox_edit e ON e.id = o.edit
                 WHERE o.state = 'queued' AND o.fence_ms <= ?1 AND (?3 = 0 OR o.not_before_ms <= ?1)
                   AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.product_arn = o.product_arn AND p.id = o.id
                                   AND p.seq < o.seq AND p.state = 'queued')
                 ORDER BY o.seq LIMIT ?2",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map(params![now_ms, (limit + in_flight.len()) as i64, honour_backoff], |r| {
                Ok(Ready {
                    seq: r.get(0)?,
                    key: FindingKey::new(r.get::<_, String>(1)?, r.get::<_, String>(2)?),
                    update_json: r.get(3)?,
                })
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for r in rows {
            let r = r.map_err(db)?;
            if !in_flight.contains(&r.seq) {
                out.push(r);
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    /// Notes that these rows are being sent now by this process; a row sent before by another
    /// (which may have died with the call in flight) keeps when that was.
    pub fn mark_sent(&mut self, seqs: &[i64], now_ms: i64) -> Result<()> {
        let tx = self.conn.transaction().map_err(db)?;
        {
            let mut up = tx
                .prepare_cached(
                    "UPDATE outbox SET
                        orphan_ms = CASE WHEN sent_by IS NOT NULL AND sent_by != ?3
                                         THEN MAX(COALESCE(orphan_ms, 0), sent_ms) ELSE orphan_ms END,
                        sent_ms = ?2, sent_by = ?3
                     WHERE seq = ?1",
                )
                .map_err(db)?;
            for seq in seqs {
                up.execute(params![seq, now_ms, self.run]).map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }

    /// When a fenced row may next be sent (see `ORPHAN_FENCE_MS`).
    pub fn next_fence_ms(&self) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT MIN(fence_ms) FROM outbox WHERE state = 'queued' AND fence_ms > 0", [], |r| r.get(0))
            .map_err(db)
    }

    /// Records one call's answer in one transaction: processed rows leave the outbox, refused ones
    /// stay as failed with their code. A finding whose answered edit had been sent by a process that
    /// died gets its next edit fenced until that orphaned call can no longer land.
    pub fn record_answer(&mut self, done: &[i64], refused: &[(i64, String, String)]) -> Result<()> {
        let tx = self.conn.transaction().map_err(db)?;
        {
            let mut orphan = tx
                .prepare_cached(
                    "SELECT product_arn, id, orphan_ms FROM outbox WHERE seq = ?1 AND orphan_ms IS NOT NULL",
                )
                .map_err(db)?;
            let mut fence = tx
                .prepare_cached(
                    "UPDATE outbox SET fence_ms = MAX(fence_ms, ?3) WHERE product_arn = ?1 AND id = ?2 AND state = 'queued'",
                )
                .map_err(db)?;
            let mut del = tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1").map_err(db)?;
            for seq in done.iter().chain(refused.iter().map(|(s, _, _)| s)) {
                let found: Option<(String, String, i64)> =
                    orphan.query_row([seq], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).optional().map_err(db)?;
                if let Some((arn, id, at)) = found {
                    fence.execute(params![arn, id, at + ORPHAN_FENCE_MS]).map_err(db)?;
                }
            }
            for seq in done {
                del.execute([seq]).map_err(db)?;
            }
            let mut fail = tx
                .prepare_cached(
                    "UPDATE outbox SET state = 'failed', attempts = attempts + 1, error_code = ?2, last_error = ?3
                     WHERE seq = ?1",
                )
                .map_err(db)?;
            for (seq, code, message) in refused {
                fail.execute(params![seq, code, message]).map_err(db)?;
            }
        }
        Self::forget_finished_edits(&tx)?;
        tx.commit().map_err(db)
    }

    /// A call that may succeed later: its rows stay queued, not sent again before `not_before_ms`.
    pub fn record_retry(&mut self, seqs: &[i64], error: &str, not_before_ms: i64) -> Result<()> {
        let tx = self.conn.transaction().map_err(db)?;
        {
            let mut up = tx
                .prepare_cached(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, not_before_ms = ?3 WHERE seq = ?1",
                )
                .map_err(db)?;
            for seq in seqs {
                up.execute(params![seq, error, not_before_ms]).map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }

    /// An edit whose findings all left the outbox is gone too.
    fn forget_finished_edits(tx: &rusqlite::Transaction<'_>) -> Result<()> {
        tx.execute(
            "DELETE FROM outbox_edit WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.edit = outbox_edit.id)",
            [],
        )
        .map_err(db)?;
        Ok(())
    }

    /// Findings' edits still to send.
    pub fn queued(&self) -> Result<usize> {
        self.count_where("state = 'queued'")
    }

    /// Edits with findings still to send.
    pub fn queued_edits(&self) -> Result<usize> {
        self.conn
            .query_row("SELECT COUNT(DISTINCT edit) FROM outbox WHERE state = 'queued'", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(db)
    }

    fn count_where(&self, cond: &str) -> Result<usize> {
        self.conn
            .query_row(&format!("SELECT COUNT(*) FROM outbox WHERE {cond}"), [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(db)
    }

    /// When the next queued row waiting out a backoff may be sent.
    pub fn next_due_ms(&self) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT MIN(not_before_ms) FROM outbox WHERE state = 'queued'", [], |r| r.get(0))
            .map_err(db)
    }

    /// The edits in the outbox, oldest first.
    pub fn list(&self) -> Result<Vec<EditRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT e.id, e.created_ms, e.findings, e.update_json,
                        SUM(o.state = 'queued'), SUM(o.state = 'failed'), MAX(o.attempts),
                        (SELECT p.last_error FROM outbox p WHERE p.edit = e.id AND p.last_error IS NOT NULL
                         ORDER BY p.attempts DESC, p.seq LIMIT 1)
                 FROM outbox_edit e JOIN outbox o ON o.edit = e.id GROUP BY e.id ORDER BY e.id",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for r in rows {
            let (id, created_ms, findings, update, queued, failed, attempts, last_error) = r.map_err(db)?;
            out.push(EditRow {
                id,
                created_ms,
                findings: findings as usize,
                queued: queued as usize,
                failed: failed as usize,
                update: parse_update(&update)?,
                attempts: attempts.max(0) as u32,
                last_error,
            });
        }
        Ok(out)
    }

    /// Findings the remote refused for good, with their codes.
    pub fn refused(&self) -> Result<Vec<Refused>> {
        let mut stmt = self
            .conn
            .prepare("SELECT product_arn, id, error_code, last_error FROM outbox WHERE state = 'failed' ORDER BY seq")
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Refused {
                    key: FindingKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                    code: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    message: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                })
            })
            .map_err(db)?;
        rows.collect::<rusqlite::Result<_>>().map_err(db)
    }

    /// An edit's findings: those still queued and those refused (with code and message).
    pub fn edit_state(&self, edit: i64) -> Result<(usize, Vec<Refused>)> {
        let queued: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM outbox WHERE edit = ?1 AND state = 'queued'", [edit], |r| r.get(0))
            .map_err(db)?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT product_arn, id, error_code, last_error FROM outbox WHERE edit = ?1 AND state = 'failed'",
            )
            .map_err(db)?;
        let refused = stmt
            .query_map([edit], |r| {
                Ok(Refused {
                    key: FindingKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                    code: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    message: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                })
            })
            .map_err(db)?
            .collect::<rusqlite::Result<_>>()
            .map_err(db)?;
        Ok((queued as usize, refused))
    }

    /// Removes an edit (queued and failed findings alike); returns how many findings it still held,
    /// `None` when there is no such edit.
    pub fn drop_edit(&mut self, edit: i64) -> Result<Option<usize>> {
        let tx = self.conn.transaction().map_err(db)?;
        let n = tx.execute("DELETE FROM outbox WHERE edit = ?1", [edit]).map_err(db)?;
        let e = tx.execute("DELETE FROM outbox_edit WHERE id = ?1", [edit]).map_err(db)?;
        tx.commit().map_err(db)?;
        Ok((e > 0).then_some(n))
    }
}

#[cfg(test)]
mod tests;
