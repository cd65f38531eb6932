//! Reads of the whole store split in two by row id, for the queries the store answers from its
//! indexes alone (the free-word text, the resource index): the lower half on the store's own
//! connection, the upper half on a second, read-only connection on the other core, each with the
//! file mapped into memory (a page read through `pread` is copied out of the OS's cache: at a
//! million findings that copy was a sixth of a free-word query's time).
//!
//! The two halves are two reads, so each could see another moment of the store. The result must be
//! one moment's (a finding deleted, or edited out of the query, by another process between the two
//! reads would otherwise be listed from one half and missing from the other): the store's
//! connection's `PRAGMA data_version`, which changes when any other connection commits, is read
//! before and after the halves; if it moved, the read is done again on the one connection. While
//! the store's connection is inside a transaction (whose writes a second connection cannot see),
//! or on one core, the read is not split.

use rusqlite::{Connection, OpenFlags};

use crate::store::{Result, Store};

/// A range of row ids, both ends included.
pub(in crate::store) type Span = (i64, i64);

/// Every row id.
pub(in crate::store) const ALL: Span = (i64::MIN, i64::MAX);

/// Row ids (the span between the smallest and the largest) below which a read is not split:
/// opening the second connection costs about a millisecond, a scan of 50,000 findings' text ~20 ms.
const MIN_SPLIT: i64 = 50_000;

/// SQLite's own ceiling on the mapping (SQLITE_MAX_MMAP_SIZE), as `listing::Mapped` maps.
const MMAP_SIZE: i64 = 0x7fff_0000;

#[cfg(test)]
thread_local! {
    /// `MIN_SPLIT` for this test thread: `split_every_read` lowers it so small stores are split.
    static TEST_MIN_SPLIT: std::cell::Cell<i64> = const { std::cell::Cell::new(MIN_SPLIT) };
}

fn min_split() -> i64 {
    #[cfg(test)]
    return TEST_MIN_SPLIT.with(std::cell::Cell::get);
    #[cfg(not(test))]
    MIN_SPLIT
}

/// Runs `f` with every read of this thread that can be split split (however few rows).
#[cfg(test)]
pub(in crate::store) fn split_every_read<R>(f: impl FnOnce() -> R) -> R {
    TEST_MIN_SPLIT.with(|c| c.set(1));
    let out = f();
    TEST_MIN_SPLIT.with(|c| c.set(MIN_SPLIT));
    out
}

/// What a split read runs on each half: a connection and the span of row ids to read there.
pub(in crate::store) type Read<'a, T> = dyn Fn(&Connection, Span) -> Result<Vec<T>> + Sync + 'a;

impl Store {
    /// `read` over every row id, split in two (see the module doc) when the store holds at least
    /// `MIN_SPLIT` row ids; the halves' results in row id order (lower, then upper).
    pub(in crate::store) fn in_halves<T: Send>(&self, read: &Read<'_, T>) -> Result<Vec<T>> {
        let _mapped = crate::store::listing::Mapped::begin(self.conn())?;
        let Some((lower, upper)) = self.halves(min_split())? else { return read(self.conn(), ALL) };
        let path = self.path();
        let before = self.data_version()?;
        let split: Vec<T> = std::thread::scope(|s| -> Result<Vec<T>> {
            let helper = std::thread::Builder::new().name("hubtriage-half".into()).spawn_scoped(
                s,
                move || -> Result<Option<Vec<T>>> {
                    // A store that cannot be opened a second time is read on one connection.
                    let Ok(conn) = reader(path) else { return Ok(None) };
                    read(&conn, upper).map(Some)
                },
            );
            let mut out = read(self.conn(), lower)?;
            let upper_rows = match helper {
                Ok(h) => match h.join() {
                    Ok(done) => done?,
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                Err(_) => None,
            };
            match upper_rows {
                Some(rows) => out.extend(rows),
                None => out.extend(read(self.conn(), upper)?),
            }
            Ok(out)
        })?;
        if self.data_version()? != before {
            // Another process committed while the halves were read: one read, one moment.
            return read(self.conn(), ALL);
        }
        Ok(split)
    }

    /// The two spans a read is split into, or `None` when it is not split.
    fn halves(&self, min_split: i64) -> Result<Option<(Span, Span)>> {
        let two_cores = std::thread::available_parallelism().is_ok_and(|c| c.get() >= 2);
        if !two_cores || !self.conn().is_autocommit() || self.path().as_os_str().is_empty() {
            return Ok(None);
        }
        let (least, most): (Option<i64>, Option<i64>) =
            self.conn().query_row("SELECT min(rowid), max(rowid) FROM findings", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (Some(least), Some(most)) = (least, most) else { return Ok(None) };
        if most.saturating_sub(least) < min_split {
            return Ok(None);
        }
        let mid = least + (most - least) / 2;
        // Open-ended, so a row added since is in one half.
        Ok(Some(((i64::MIN, mid), (mid + 1, i64::MAX))))
    }
}

/// A second, read-only connection on the store at `path`, with the file mapped.
fn reader(path: &std::path::Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_handler(Some(crate::store::wait_while_busy))?;
    conn.execute_batch(&format!("PRAGMA mmap_size = {MMAP_SIZE}"))?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_is_split_only_over_enough_rows_and_outside_a_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let findings: Vec<serde_json::Value> =
            (0..10).map(|i| crate::model::finding::tests::sample(&format!("f{i}"))).collect();
        let calls = vec![findings];
        store.import_calls(&crate::store::Caller::unrestricted("t"), calls).unwrap();
        let ids = |conn: &Connection, (lo, hi): Span| -> Result<Vec<i64>> {
            let mut stmt = conn.prepare("SELECT rowid FROM findings WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid")?;
            let rows = stmt.query_map([lo, hi], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
            Ok(rows)
        };
        let all: Vec<i64> = ids(store.conn(), ALL).unwrap();
        assert_eq!(all.len(), 10);
        assert_eq!(split_every_read(|| store.in_halves(&ids)).unwrap(), all, "split: both halves, in order");
        assert_eq!(store.in_halves(&ids).unwrap(), all, "not split");
        if std::thread::available_parallelism().is_ok_and(|c| c.get() >= 2) {
            assert!(store.halves(1).unwrap().is_some());
        }
        assert_eq!(store.halves(MIN_SPLIT).unwrap(), None);
        store.conn().execute_batch("BEGIN").unwrap();
        assert_eq!(store.halves(1).unwrap(), None, "not inside a transaction");
        assert_eq!(split_every_read(|| store.in_halves(&ids)).unwrap(), all);
        store.conn().execute_batch("COMMIT").unwrap();
    }

    #[test]
    fn a_split_read_is_one_moment_of_the_store_when_another_process_commits_between_the_halves() {
        if !std::thread::available_parallelism().is_ok_and(|c| c.get() >= 2) {
            return; // one core: never split, nothing to prove
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut store = Store::open(&path).unwrap();
        let findings: Vec<serde_json::Value> =
            (0..10).map(|i| crate::model::finding::tests::sample(&format!("f{i}"))).collect();
        store.import_calls(&crate::store::Caller::unrestricted("t"), vec![findings]).unwrap();
        let first: i64 = store.conn().query_row("SELECT min(rowid) FROM findings", [], |r| r.get(0)).unwrap();
        // The lower half is read first; then another process deletes a finding of that half, then
        // the upper half is read: without a check the result lists a finding that no longer exists.
        let lower_done = std::sync::Barrier::new(2);
        let ids = |conn: &Connection, (lo, hi): Span| -> Result<Vec<i64>> {
            let upper = lo != i64::MIN && hi == i64::MAX;
            if upper {
                lower_done.wait();
                let other = Connection::open(&path).unwrap();
                other.execute("DELETE FROM findings WHERE rowid = ?1", [first]).unwrap();
            }
            let mut stmt = conn.prepare("SELECT rowid FROM findings WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid")?;
            let rows = stmt.query_map([lo, hi], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
            if lo == i64::MIN && hi != i64::MAX {
                lower_done.wait();
            }
            Ok(rows)
        };
        let read = split_every_read(|| store.in_halves(&ids)).unwrap();
        let now: Vec<i64> = {
            let mut stmt = store.conn().prepare("SELECT rowid FROM findings ORDER BY rowid").unwrap();
            stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<Vec<i64>>>().unwrap()
        };
        assert_eq!(now.len(), 9);
        assert!(!read.contains(&first), "the deleted finding is not listed from a stale half: {read:?}");
        assert_eq!(read, now, "the read is one moment's: the store as it is after the commit");
    }
}
