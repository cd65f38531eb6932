//! How a finding is stored, shared by the import and update paths: its document serialised and
//! compressed (and read back), its summary columns, the row written or rewritten, and the history
//! rows recording each change.

use rusqlite::params;
use serde_json::{json, Value};

use super::codec::Codec;
use super::{id_hash, Result, StoreError, SERVICE_IDENTITY, SOURCE_SERVICE};
use crate::model::change::FieldChange;
use crate::model::finding::{FindingKey, Summary};
use crate::model::import::{AutoChange, BufFields};
use crate::model::timestamp;

/// Buffers one write reuses from finding to finding: each document's JSON and its compressed form.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) json: Vec<u8>,
    blob: Vec<u8>,
}

impl Scratch {
    /// Serialises `doc` into `json`.
    pub(super) fn encode_json(&mut self, doc: &Value) -> Result<()> {
        self.json.clear();
        serde_json::to_writer(&mut self.json, doc).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// A stored document.
pub(super) fn decompress(codec: &Codec, blob: &[u8]) -> Result<Value> {
    parse_stored(&codec.decompress(blob)?)
}

/// A stored document from its JSON text.
pub(super) fn parse_stored(json: &[u8]) -> Result<Value> {
    serde_json::from_slice(json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A stored finding a read passed over because its document cannot be read (stored by an older
/// version that let a member nested too deeply or a number beyond f64 in, or damaged): which one,
/// where, and why. Its Display is the warning the CLI prints, its text sanitised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableRow {
    pub id: String,
    pub product_arn: String,
    pub store: String,
    pub why: String,
}

impl std::fmt::Display for UnreadableRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::model::sanitize::line;
        write!(
            f,
            "finding {} ({}) in {} cannot be read: {}; skipped",
            line(&self.id),
            line(&self.product_arn),
            line(&self.store),
            line(&self.why)
        )
    }
}

/// At most this many skipped rows are kept until taken (a server never takes them).
const UNREADABLE_KEPT: usize = 100;

impl super::Store {
    /// Notes a row a read passed over (once, however often it is met before it is taken). Kept on
    /// the store rather than in each answer: GetFindings' answer has the service's shape, and one
    /// bad row must not fail the read that met it.
    pub(super) fn note_unreadable(&self, row: UnreadableRow) {
        let mut u = self.unreadable.borrow_mut();
        if u.len() < UNREADABLE_KEPT && !u.contains(&row) {
            u.push(row);
        }
    }

    /// The findings this store's reads (GetFindings, `find_all`, `matching_keys`) skipped since the
    /// last call because their stored document cannot be read; each read goes on with the other
    /// findings rather than failing.
    pub fn take_unreadable(&self) -> Vec<UnreadableRow> {
        std::mem::take(&mut *self.unreadable.borrow_mut())
    }
}

/// The summary columns' values, in `SUMMARY_COLUMNS` order. Takes the summary by value: its
/// strings become the values without a copy.
pub(super) fn summary_params(s: Summary) -> [rusqlite::types::Value; 27] {
    use rusqlite::types::Value as V;
    let name = |t: &str| V::Text(t.to_string());
    let opt_int = |i: Option<i64>| i.map_or(V::Null, V::Integer);
    let ns = |t: &str| timestamp::parse(t).map(timestamp::to_nanos);
    let (updated_ns, created_ns) = (ns(&s.updated_at), ns(&s.created_at));
    [
        V::Text(s.product_arn),
        V::Text(s.id),
        V::Text(s.product_name),
        V::Text(s.company_name),
        V::Text(s.generator_id),
        V::Text(s.aws_account_id),
        V::Text(s.region),
        V::Text(s.title),
        name(s.severity_label.map_or("", |l| l.as_str())),
        V::Integer(s.severity_label.map_or(-1, |l| i64::from(l.rank()))),
        opt_int(s.severity_normalized),
        name(s.workflow_status.map_or("", |w| w.as_str())),
        name(s.record_state.map_or("", |w| w.as_str())),
        name(s.verification_state.map_or("", |w| w.as_str())),
        name(s.compliance_status.map_or("", |w| w.as_str())),
        V::Text(s.control_id),
        V::Text(s.resource_type),
        V::Text(s.resource_id),
        V::Text(s.types.join("\n")),
        V::Text(s.created_at),
        V::Text(s.updated_at),
        V::Integer(updated_ns.unwrap_or(0)),
        V::Integer(created_ns.unwrap_or(0)),
        opt_int(ns(&s.first_observed_at)),
        opt_int(ns(&s.last_observed_at)),
        V::Text(s.note_text),
        V::Text(s.note_updated_by),
    ]
}

const SUMMARY_COLUMNS: &str = "product_arn, id, product_name, company_name, generator_id, aws_account_id, region, \
    title, severity_label, severity_rank, severity_normalized, workflow_status, record_state, verification_state, \
    compliance_status, control_id, resource_type, resource_id, types, created_at, updated_at, updated_ns, created_ns, \
    first_observed_ns, last_observed_ns, note_text, note_updated_by";

static INSERT_FINDING: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "INSERT INTO findings ({SUMMARY_COLUMNS}, confidence, criticality, buf_fields, doc_size, doc, format, id_hash, \
         imported_ns) VALUES ({}, ?28, ?29, 0, ?30, ?31, 'asff', ?32, ?33)",
        (1..=27).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
    )
});

/// INSERT_FINDING prepared once for a run of inserts (a bulk import's transaction), its text and
/// blob values bound without a copy. rusqlite binds every text and blob as SQLITE_TRANSIENT, so
/// SQLite copies each into memory of its own (~1 KB per finding: the summary's strings and the
/// document) only to copy it again into the row. Binding was ~2.4% of a bulk import's CPU time
/// (perf, `hubtriage import` of 100,000 generated findings), nearly all of it those copies, on the
/// one thread that writes; callgrind of an import of 10,000: 2.194 G instructions, 2.158 G bound
/// this way. Each value is bound SQLITE_STATIC from the `Encoded` that `insert` borrows, and every
/// binding is cleared before `insert` returns, so SQLite never holds a pointer past it.
pub(super) struct Inserter<'c> {
    conn: &'c rusqlite::Connection,
    stmt: std::ptr::NonNull<rusqlite::ffi::sqlite3_stmt>,
    /// The resource index's term ids this run has written (`store::terms`).
    pub(super) term_ids: super::terms::TermIds,
}

impl<'c> Inserter<'c> {
    pub(super) fn new(conn: &'c rusqlite::Connection) -> Result<Inserter<'c>> {
        use rusqlite::ffi;
        let sql = INSERT_FINDING.as_bytes();
        let mut stmt = std::ptr::null_mut();
        // SAFETY: `conn`'s handle is open while `conn` is borrowed; SQLite reads `sql.len()` bytes
        // of `sql` and writes the statement pointer into `stmt`.
        let code = unsafe {
            ffi::sqlite3_prepare_v3(
                conn.handle(),
                sql.as_ptr().cast(),
                i32::try_from(sql.len()).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        let stmt = match std::ptr::NonNull::new(stmt) {
            Some(stmt) if code == ffi::SQLITE_OK => stmt,
            other => {
                if let Some(stmt) = other {
                    // SAFETY: a statement SQLite prepared, finalized once.
                    unsafe { ffi::sqlite3_finalize(stmt.as_ptr()) };
                }
                return Err(sqlite_error(conn, code).into());
            }
        };
        Ok(Inserter { conn, stmt, term_ids: super::terms::TermIds::default() })
    }

    /// Inserts a new finding, created by an import at `now_ns`; returns its row id. Its creation is
    /// not a history row: the history reports it from `imported_ns` (schema 5).
    pub(super) fn insert(&mut self, key: &FindingKey, encoded: &Encoded, now_ns: i64) -> Result<i64> {
        use rusqlite::types::ValueRef as V;
        let optional = |i: Option<i64>| i.map_or(V::Null, V::Integer);
        let step = || -> std::result::Result<(), rusqlite::Error> {
            for (i, v) in encoded.summary.iter().enumerate() {
                self.bind(i + 1, v.into())?;
            }
            self.bind(28, optional(encoded.confidence))?;
            self.bind(29, optional(encoded.criticality))?;
            self.bind(30, V::Integer(encoded.json_len as i64))?;
            self.bind(31, V::Blob(&encoded.blob))?;
            self.bind(32, V::Integer(id_hash(&key.id)))?;
            self.bind(33, V::Integer(now_ns))?;
            // SAFETY: a live statement, every parameter bound to memory `encoded` holds.
            match unsafe { rusqlite::ffi::sqlite3_step(self.stmt.as_ptr()) } {
                rusqlite::ffi::SQLITE_DONE => Ok(()),
                code => Err(sqlite_error(self.conn, code)),
            }
        };
        let stepped = step();
        // SAFETY: a live statement. Cleared, no binding points into `encoded` once this returns;
        // reset, the statement is ready for the next row whatever happened.
        unsafe {
            rusqlite::ffi::sqlite3_reset(self.stmt.as_ptr());
            rusqlite::ffi::sqlite3_clear_bindings(self.stmt.as_ptr());
        }
        stepped?;
        let rowid = self.conn.last_insert_rowid();
        self.term_ids.write(self.conn, rowid, encoded.terms.as_deref().unwrap_or_default(), true)?;
        super::terms::words::write(self.conn, rowid, &encoded.words, true)?;
        Ok(rowid)
    }

    /// Binds parameter `index` to `v` without a copy: `v`'s memory must stay as it is until the
    /// bindings are cleared (`insert` clears them before it returns).
    fn bind(&self, index: usize, v: rusqlite::types::ValueRef<'_>) -> std::result::Result<(), rusqlite::Error> {
        let index = i32::try_from(index).map_err(|_| rusqlite::Error::InvalidParameterCount(index, 33))?;
        // SAFETY: a live statement; `insert` keeps `v`'s bytes until it clears the bindings.
        let code = unsafe { bind_static(self.stmt.as_ptr(), index, v) };
        if code == rusqlite::ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(sqlite_error(self.conn, code))
        }
    }
}

/// Binds parameter `index` (1-based) of `stmt` to `v` without a copy (SQLITE_STATIC): SQLite reads
/// a text's or blob's bytes where they are when the statement steps. Returns SQLite's result code.
/// Shared by the ASFF import's `Inserter` and the OCSF writer (`ocsf::write`).
///
/// # Safety
/// `stmt` is a live statement, and a text's or blob's bytes stay alive and unchanged until the
/// parameter is bound again or the bindings are cleared.
pub(super) unsafe fn bind_static(
    stmt: *mut rusqlite::ffi::sqlite3_stmt,
    index: i32,
    v: rusqlite::types::ValueRef<'_>,
) -> std::os::raw::c_int {
    use rusqlite::ffi;
    use rusqlite::types::ValueRef as V;
    // SAFETY: the caller's promise above.
    unsafe {
        match v {
            V::Null => ffi::sqlite3_bind_null(stmt, index),
            V::Integer(i) => ffi::sqlite3_bind_int64(stmt, index, i),
            V::Real(r) => ffi::sqlite3_bind_double(stmt, index, r),
            V::Text(t) => ffi::sqlite3_bind_text64(
                stmt,
                index,
                t.as_ptr().cast(),
                t.len() as u64,
                ffi::SQLITE_STATIC(),
                ffi::SQLITE_UTF8 as u8,
            ),
            V::Blob(b) => {
                ffi::sqlite3_bind_blob64(stmt, index, b.as_ptr().cast(), b.len() as u64, ffi::SQLITE_STATIC())
            }
        }
    }
}

impl Drop for Inserter<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement `new` prepared, finalized once, while its connection is open (the
        // connection is borrowed for as long as the Inserter lives).
        unsafe { rusqlite::ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

/// The error of a failed SQLite call on `conn`, with SQLite's message.
fn sqlite_error(conn: &rusqlite::Connection, code: i32) -> rusqlite::Error {
    // SAFETY: the handle of an open connection; SQLite's message is copied before any other call.
    let message = unsafe {
        let text = rusqlite::ffi::sqlite3_errmsg(conn.handle());
        (!text.is_null()).then(|| std::ffi::CStr::from_ptr(text).to_string_lossy().into_owned())
    };
    rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), message)
}

/// A document as it is written: its summary columns, serialised size and compressed form.
pub(super) struct Encoded {
    summary: [rusqlite::types::Value; 27],
    confidence: Option<i64>,
    criticality: Option<i64>,
    json_len: usize,
    blob: Vec<u8>,
    /// Its resource index terms (`store::terms`); `None`: its resources are the stored ones.
    terms: Option<Vec<Vec<u8>>>,
    /// Its free-word text (`store::terms::words`).
    words: Vec<u8>,
}

impl Encoded {
    /// `doc`, whose serialised form `scratch.json` holds, compressed.
    pub(super) fn of(doc: &Value, scratch: &mut Scratch, codec: &Codec) -> Result<Encoded> {
        let mut encoded = Encoded::keeping_resources(doc, scratch, codec)?;
        encoded.terms = Some(super::terms::of(doc));
        Ok(encoded)
    }

    /// `of` for a change that leaves the finding's resources as they are stored, so their index
    /// terms are kept: a BatchUpdateFindings change (or an automation rule's), which updates none of
    /// `Resources` (BatchUpdateFindings API reference), and whose `doc` is the stored document's
    /// parsed view (`model::raw::StoredDoc`), with each resource's Type and Id but not its Tags.
    pub(super) fn keeping_resources(doc: &Value, scratch: &mut Scratch, codec: &Codec) -> Result<Encoded> {
        codec.compress(&scratch.json, &mut scratch.blob)?;
        let s = Summary::of(doc);
        let (confidence, criticality) = (s.confidence, s.criticality);
        Ok(Encoded {
            summary: summary_params(s),
            confidence,
            criticality,
            json_len: scratch.json.len(),
            blob: scratch.blob.clone(),
            terms: None,
            // BatchUpdateFindings can change Types, which free words are looked for in.
            words: super::terms::words::text_of(doc),
        })
    }
}

/// Rewrites a stored finding. Only the summary columns whose value changed are written, so an
/// update that touches the workflow does not rewrite every index.
/// `before` is the summary of the stored document.
pub(super) fn write_finding(
    tx: &rusqlite::Transaction<'_>,
    rowid: i64,
    before: &[rusqlite::types::Value; 27],
    encoded: Encoded,
    buf: BufFields,
) -> Result<()> {
    use rusqlite::types::Value as V;
    let encoded_terms = encoded.terms;
    super::terms::words::write(tx, rowid, &encoded.words, false)?;
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
    match &encoded_terms {
        Some(terms) => super::terms::write(tx, rowid, terms, false),
        None => Ok(()),
    }
}

/// A history row's `updates`: the field changes as GetFindingHistory's Updates, or none.
pub(super) fn history_updates(changes: &[FieldChange]) -> Option<String> {
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

/// Writes a history row for a change, unless it changed nothing. `updates` is `history_updates` of
/// the changes (prepared off the writer thread by the update path). A finding's creation is not a
/// row (schema 5): `insert_finding` records it in the finding's `imported_ns`.
#[allow(clippy::too_many_arguments)]
pub(super) fn record(
    tx: &rusqlite::Transaction<'_>,
    rowid: i64,
    at_ns: i64,
    at: &str,
    source: &str,
    identity: &str,
    reason: Option<&str>,
    updates: Option<&str>,
) -> Result<()> {
    if updates.is_none() {
        return Ok(());
    }
    tx.prepare_cached(
        "INSERT INTO history (finding, at_ns, at, source, identity, reason, updates)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![rowid, at_ns, at, source, identity, reason, updates])?;
    Ok(())
}

pub(super) fn record_auto(
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
    let updates = history_updates(&[change]);
    record(tx, rowid, at_ns, at, SOURCE_SERVICE, SERVICE_IDENTITY, Some(&a.reason), updates.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, GenOptions};
    use crate::store::Store;

    // Values bound without a copy are the values stored, row after row (no binding of one row is
    // left for the next), and a row SQLite refuses is an error that leaves the statement usable.
    #[test]
    fn the_inserter_stores_what_it_is_given_and_survives_a_refused_row() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let docs: Vec<Value> = generate(&GenOptions { count: 3, seed: 5, ..GenOptions::default() }).collect();
        let mut scratch = Scratch::default();
        let mut encoded: Vec<(FindingKey, Encoded)> = docs
            .iter()
            .map(|d| {
                scratch.encode_json(d).unwrap();
                (FindingKey::of(d).unwrap(), Encoded::of(d, &mut scratch, &store.codec).unwrap())
            })
            .collect();
        // The document and product ARN are NOT NULL.
        encoded[1].1.summary[0] = rusqlite::types::Value::Null;
        let tx = store.conn.transaction().unwrap();
        let rowids = {
            let mut inserter = Inserter::new(&tx).unwrap();
            let first = inserter.insert(&encoded[0].0, &encoded[0].1, 11).unwrap();
            let e = inserter.insert(&encoded[1].0, &encoded[1].1, 12).unwrap_err();
            assert!(e.to_string().contains("NOT NULL constraint failed: findings.product_arn"), "{e}");
            let third = inserter.insert(&encoded[2].0, &encoded[2].1, 13).unwrap();
            [first, third]
        };
        tx.commit().unwrap();
        for (rowid, (key, e), now_ns) in [(rowids[0], &encoded[0], 11), (rowids[1], &encoded[2], 13)] {
            let (stored, doc, hash, imported): (Vec<rusqlite::types::Value>, Vec<u8>, i64, i64) = store
                .conn
                .query_row(
                    &format!("SELECT {SUMMARY_COLUMNS}, doc, id_hash, imported_ns FROM findings WHERE rowid = ?1"),
                    [rowid],
                    |r| Ok(((0..27).map(|i| r.get(i).unwrap()).collect(), r.get(27)?, r.get(28)?, r.get(29)?)),
                )
                .unwrap();
            assert_eq!(stored, e.summary.to_vec());
            assert_eq!(stored[1], rusqlite::types::Value::Text(key.id.clone()));
            assert_eq!(doc, e.blob);
            assert_eq!(hash, id_hash(&key.id));
            assert_eq!(imported, now_ns);
        }
        let count: i64 = store.conn.query_row("SELECT count(*) FROM findings", [], |r| r.get(0)).unwrap();
        assert_eq!(count, 2);
    }
}
