//! The OCSF rows a bulk write inserts and rewrites (an import's transaction, a run of
//! BatchUpdateFindingsV2 calls), through statements prepared once for the transaction and values
//! bound without a copy: the technique of the ASFF import's `rows::Inserter`, for rows given as
//! named columns (`super::row_columns`, `super::edited_columns`). The old way, rusqlite's
//! `prepare_cached` with `params_from_iter`, formatted the SQL text of every row, looked it up in
//! the cache and copied every text and the document (SQLITE_TRANSIENT) into SQLite's memory only to
//! copy it again into the row: ~28% of the import thread's time for each new OCSF finding (perf,
//! 10,000 generated findings). The statements are the ones that way ran, column for column, so the
//! rows are the same (`tests::prepared_writer_writes_the_rows_of_the_generic_path`).

use std::ptr::NonNull;

use rusqlite::ffi;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;

use crate::model::ocsf::import::V2Edited;
use crate::store::{Result, StoreError};

/// One prepared statement, finalized when dropped; its connection outlives it.
struct Raw<'c> {
    conn: &'c Connection,
    stmt: NonNull<ffi::sqlite3_stmt>,
}

impl<'c> Raw<'c> {
    fn prepare(conn: &'c Connection, sql: &str) -> Result<Raw<'c>> {
        let mut stmt = std::ptr::null_mut();
        let len = i32::try_from(sql.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        // SAFETY: `conn`'s handle is open while `conn` is borrowed; SQLite reads `len` bytes of
        // `sql` and writes the statement pointer into `stmt`.
        let code = unsafe {
            ffi::sqlite3_prepare_v3(
                conn.handle(),
                sql.as_ptr().cast(),
                len,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        match NonNull::new(stmt) {
            Some(stmt) if code == ffi::SQLITE_OK => Ok(Raw { conn, stmt }),
            other => {
                if let Some(stmt) = other {
                    // SAFETY: a statement SQLite prepared, finalized once.
                    unsafe { ffi::sqlite3_finalize(stmt.as_ptr()) };
                }
                Err(sqlite_error(conn, code).into())
            }
        }
    }

    /// Runs the statement once with `values` as its parameters ?1, ?2, ... in order. Each text and
    /// blob is bound SQLITE_STATIC from `values`, and every binding is cleared before this returns,
    /// so SQLite never holds a pointer past it.
    fn run(&mut self, values: &[ValueRef<'_>]) -> Result<()> {
        let stmt = self.stmt.as_ptr();
        let step = || -> std::result::Result<(), rusqlite::Error> {
            for (i, v) in values.iter().enumerate() {
                let index = i32::try_from(i + 1).map_err(|_| rusqlite::Error::InvalidParameterCount(i + 1, 0))?;
                // SAFETY: a live statement; `values` outlives the step below, and the bindings are
                // cleared before this returns.
                let code = unsafe { crate::store::rows::bind_static(stmt, index, *v) };
                if code != ffi::SQLITE_OK {
                    return Err(sqlite_error(self.conn, code));
                }
            }
            // SAFETY: a live statement, every parameter bound to memory `values` holds.
            match unsafe { ffi::sqlite3_step(stmt) } {
                ffi::SQLITE_DONE => Ok(()),
                code => Err(sqlite_error(self.conn, code)),
            }
        };
        let stepped = step();
        // SAFETY: a live statement. Cleared, no binding points into `values` once this returns;
        // reset, the statement is ready for the next row whatever happened.
        unsafe {
            ffi::sqlite3_reset(stmt);
            ffi::sqlite3_clear_bindings(stmt);
        }
        stepped.map_err(Into::into)
    }
}

impl Drop for Raw<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement `prepare` made, finalized once, while its connection is open (the
        // connection is borrowed for as long as the statement lives).
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

/// The error of a failed SQLite call on `conn`, with SQLite's message.
fn sqlite_error(conn: &Connection, code: i32) -> rusqlite::Error {
    // SAFETY: the handle of an open connection; SQLite's message is copied before any other call.
    let message = unsafe {
        let text = ffi::sqlite3_errmsg(conn.handle());
        (!text.is_null()).then(|| std::ffi::CStr::from_ptr(text).to_string_lossy().into_owned())
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(code), message)
}

/// Whether `cols` names the columns `names` holds, in that order.
fn same_names<V>(names: &[&'static str], cols: &[(&'static str, V)]) -> bool {
    names.len() == cols.len() && names.iter().zip(cols).all(|(a, (b, _))| a == b)
}

/// The OCSF rows one transaction writes: its INSERT and UPDATE statements, each prepared the first
/// time a row names its set of columns (an import's new rows all name the same ones; an update's
/// name those its members give) and kept until the Writer is dropped, before the transaction ends.
pub(super) struct Writer<'c> {
    conn: &'c Connection,
    inserts: Vec<(Vec<&'static str>, Raw<'c>)>,
    updates: Vec<(Vec<&'static str>, Raw<'c>)>,
}

impl<'c> Writer<'c> {
    pub(super) fn new(conn: &'c Connection) -> Writer<'c> {
        Writer { conn, inserts: Vec::new(), updates: Vec::new() }
    }

    /// `insert_row` from the columns `super::row_columns` gives (the tests compare both ways).
    #[cfg(test)]
    pub(super) fn insert(&mut self, cols: &[(&'static str, SqlValue)], now_ns: i64) -> Result<i64> {
        let cols: Vec<(&'static str, ValueRef<'_>)> = cols.iter().map(|(n, v)| (*n, ValueRef::from(v))).collect();
        self.insert_refs(&cols, now_ns)
    }

    /// Inserts a new OCSF finding's row (`super::new_row`, its texts bound from its one buffer),
    /// imported at `now_ns`; returns its row id. The statement and values of `insert_columns`.
    pub(super) fn insert_row(&mut self, row: &super::NewRow, now_ns: i64) -> Result<i64> {
        let cols: Vec<(&'static str, ValueRef<'_>)> = row.values().collect();
        self.insert_refs(&cols, now_ns)
    }

    fn insert_refs(&mut self, cols: &[(&'static str, ValueRef<'_>)], now_ns: i64) -> Result<i64> {
        let at = match self.inserts.iter().position(|(names, _)| same_names(names, cols)) {
            Some(at) => at,
            None => {
                let mut names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
                names.extend(["format", "imported_ns"]);
                let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
                let sql = format!("INSERT INTO findings ({}) VALUES ({})", names.join(", "), marks.join(", "));
                let stmt = Raw::prepare(self.conn, &sql)?;
                self.inserts.push((cols.iter().map(|(n, _)| *n).collect(), stmt));
                self.inserts.len() - 1
            }
        };
        let mut values: Vec<ValueRef<'_>> = Vec::with_capacity(cols.len() + 2);
        values.extend(cols.iter().map(|(_, v)| *v));
        values.push(ValueRef::Text(b"ocsf"));
        values.push(ValueRef::Integer(now_ns));
        self.inserts[at].1.run(&values)?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Rewrites row `rowid`'s columns `cols` and its `v2_edited`: the statement and values of
    /// `rewrite_columns`.
    pub(super) fn rewrite(&mut self, rowid: i64, cols: &[(&'static str, SqlValue)], edited: V2Edited) -> Result<()> {
        let at = match self.updates.iter().position(|(names, _)| same_names(names, cols)) {
            Some(at) => at,
            None => {
                let mut names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
                names.push("v2_edited");
                let sets: Vec<String> = names.iter().enumerate().map(|(i, n)| format!("{n} = ?{}", i + 1)).collect();
                let sql = format!("UPDATE findings SET {} WHERE rowid = ?{}", sets.join(", "), names.len() + 1);
                let stmt = Raw::prepare(self.conn, &sql)?;
                self.updates.push((cols.iter().map(|(n, _)| *n).collect(), stmt));
                self.updates.len() - 1
            }
        };
        let mut values: Vec<ValueRef<'_>> = Vec::with_capacity(cols.len() + 2);
        values.extend(cols.iter().map(|(_, v)| ValueRef::from(v)));
        values.push(ValueRef::Integer(i64::from(edited.0)));
        values.push(ValueRef::Integer(rowid));
        self.updates[at].1.run(&values)
    }
}
