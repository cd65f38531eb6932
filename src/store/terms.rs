//! The resource index (schema 12): for each ASFF finding, every resource type, resource id and
//! resource tag (key and value) its document holds, so that `resource:`, `resourceid:` and `tag:`
//! (GetFindings' ResourceType, ResourceId and ResourceTags filters) read only the findings that
//! have the value instead of every document in the store.
//!
//! A term is the value's bytes after a kind byte; a tag is its key's length, key and value, so no
//! two (key, value) pairs share a term. Terms are kept once (`resource_terms`) and each finding's
//! are listed in `resource_postings` (term, finding), by term for a query, and each finding's term
//! ids in `resource_of`, so a rewrite or a deletion (a trigger) finds the finding's own. The terms are collected
//! with the filter evaluation's own walk of the document (`model::filter::eval::any_at`), so a
//! finding has a term exactly when an EQUALS filter on it matches; a PREFIX filter is a range of
//! terms. Every write of an ASFF document (`rows::Inserter::insert`, `rows::write_finding`)
//! writes its terms in the same transaction.

use std::collections::HashMap;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use super::{Result, StoreError};
use crate::model::filter::any_at;
use crate::model::filter::{FilterList, Filters, MapComparison, StringComparison};

const TYPE: u8 = b't';
const ID: u8 = b'i';
const TAG: u8 = b'g';

/// The filter fields the index answers, with their kind byte.
const STRING_FIELDS: [(&str, u8); 2] = [("ResourceType", TYPE), ("ResourceId", ID)];
const TAGS_FIELD: &str = "ResourceTags";

fn path(field: &str) -> &'static str {
    crate::model::filter::fields::field_def(field).map_or("", |f| f.path)
}

fn term(kind: u8, value: &str) -> Vec<u8> {
    let mut t = Vec::with_capacity(value.len() + 1);
    t.push(kind);
    t.extend_from_slice(value.as_bytes());
    t
}

fn tag_term(key: &str, value: &str) -> Vec<u8> {
    let mut t = Vec::with_capacity(key.len() + value.len() + 5);
    t.push(TAG);
    t.extend_from_slice(&(key.len() as u32).to_be_bytes());
    t.extend_from_slice(key.as_bytes());
    t.extend_from_slice(value.as_bytes());
    t
}

/// A finding's terms, sorted, each once.
pub(super) fn of(doc: &Value) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (field, kind) in STRING_FIELDS {
        any_at(doc, path(field), &mut |v| {
            if let Some(s) = v.as_str() {
                out.push(term(kind, s));
            }
            false
        });
    }
    any_at(doc, path(TAGS_FIELD), &mut |m| {
        if let Some(map) = m.as_object() {
            out.extend(map.iter().filter_map(|(k, v)| v.as_str().map(|s| tag_term(k, s))));
        }
        false
    });
    out.sort_unstable();
    out.dedup();
    out
}

/// Term ids for a run of writes in one transaction (a bulk import's): each term is looked up (or
/// added) once, then answered from memory. An import of 100,000 findings writes ~340,000 terms, most
/// of them a few thousand distinct types and tags: a SELECT for each was most of the index's cost.
#[derive(Default)]
pub(super) struct TermIds {
    known: HashMap<Vec<u8>, i64, std::hash::BuildHasherDefault<Fnv>>,
}

/// FNV-1a for the term cache: terms are short, and SipHash's start-up was 1% of an import.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let start = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        self.0 = bytes.iter().fold(start, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    }
}

/// `INSERT INTO resource_postings` of 1, 2 or 4 postings of one finding (`?1`) in one statement:
/// a statement's run costs about as much as the B-tree insert it makes.
static POSTINGS_SQL: std::sync::LazyLock<[String; 3]> = std::sync::LazyLock::new(|| {
    [1, 2, 4].map(|n| {
        let rows = (0..n).map(|i| format!("(?{}, ?1)", i + 2)).collect::<Vec<_>>().join(", ");
        format!("INSERT OR IGNORE INTO resource_postings (term, finding) VALUES {rows}")
    })
});

impl TermIds {
    fn id(&mut self, conn: &Connection, term: &[u8]) -> Result<i64> {
        if let Some(&id) = self.known.get(term) {
            return Ok(id);
        }
        // Added if new (one statement: most terms an import meets first are new), else looked up.
        let id =
            if conn.prepare_cached("INSERT OR IGNORE INTO resource_terms (term) VALUES (?1)")?.execute([term])? == 1 {
                conn.last_insert_rowid()
            } else {
                conn.prepare_cached("SELECT id FROM resource_terms WHERE term = ?1")?.query_row([term], |r| r.get(0))?
            };
        self.known.insert(term.to_vec(), id);
        Ok(id)
    }

    /// Writes finding `rowid`'s terms. `fresh`: a new row, which has none yet; otherwise its listed
    /// terms are compared first and rewritten only when they differ (most updates change no
    /// resource).
    pub(super) fn write(&mut self, conn: &Connection, rowid: i64, terms: &[Vec<u8>], fresh: bool) -> Result<()> {
        let mut ids = terms.iter().map(|t| self.id(conn, t)).collect::<Result<Vec<i64>>>()?;
        ids.sort_unstable();
        if !fresh {
            let old = listed(conn, rowid)?;
            if old == ids {
                return Ok(());
            }
            let mut drop = conn.prepare_cached("DELETE FROM resource_postings WHERE term = ?1 AND finding = ?2")?;
            for id in old {
                drop.execute([id, rowid])?;
            }
            conn.prepare_cached("DELETE FROM resource_of WHERE finding = ?1")?.execute([rowid])?;
        }
        if ids.is_empty() {
            return Ok(());
        }
        // In statements of 4, 2 and 1 postings: most findings in one or two.
        let mut rest = ids.as_slice();
        for (n, sql) in [(4, 2), (2, 1), (1, 0)] {
            while rest.len() >= n {
                let (now, later) = rest.split_at(n);
                let values = std::iter::once(rowid).chain(now.iter().copied());
                conn.prepare_cached(&POSTINGS_SQL[sql])?.execute(rusqlite::params_from_iter(values))?;
                rest = later;
            }
        }
        conn.prepare_cached("INSERT OR REPLACE INTO resource_of (finding, terms) VALUES (?1, ?2)")?
            .execute(rusqlite::params![rowid, id_list(&ids)])?;
        Ok(())
    }
}

/// Writes finding `rowid`'s terms outside a run of writes (`TermIds::write`).
pub(super) fn write(conn: &Connection, rowid: i64, terms: &[Vec<u8>], fresh: bool) -> Result<()> {
    TermIds::default().write(conn, rowid, terms, fresh)
}

/// A finding's term ids as `resource_of` lists them: a JSON array, so that the delete trigger can
/// read it (`json_each`).
fn id_list(ids: &[i64]) -> String {
    let mut s = String::with_capacity(ids.len() * 8 + 2);
    s.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&id.to_string());
    }
    s.push(']');
    s
}

/// The term ids `resource_of` lists for finding `rowid`, sorted (none when it has no row).
fn listed(conn: &Connection, rowid: i64) -> Result<Vec<i64>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT terms FROM resource_of WHERE finding = ?1")?
        .query_row([rowid], |r| r.get(0))
        .optional()?;
    let Some(text) = text else { return Ok(Vec::new()) };
    let mut ids = text
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<i64>().map_err(|e| StoreError::Corrupt(format!("resource_of {rowid}: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    ids.sort_unstable();
    Ok(ids)
}

/// The smallest byte string greater than every string starting with `prefix`, if there is one.
fn after_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// One term condition of a query: a term, or a range of them (a prefix).
enum Wanted {
    Term(Vec<u8>),
    Prefix(Vec<u8>),
}

/// The terms a field's positive filters accept (any one of them will do), or `None` when the index
/// cannot answer them (a negation, CONTAINS, a field it does not hold).
fn wanted(field: &str, list: &FilterList) -> Option<Vec<Wanted>> {
    match list {
        FilterList::String(v) => {
            let kind = STRING_FIELDS.iter().find(|(f, _)| *f == field)?.1;
            v.iter()
                .map(|f| match f.comparison {
                    StringComparison::Equals => Some(Wanted::Term(term(kind, &f.value))),
                    StringComparison::Prefix => Some(Wanted::Prefix(term(kind, &f.value))),
                    _ => None,
                })
                .collect()
        }
        FilterList::Map(v) if field == TAGS_FIELD => v
            .iter()
            .map(|f| (f.comparison == MapComparison::Equals).then(|| Wanted::Term(tag_term(&f.key, &f.value))))
            .collect(),
        _ => None,
    }
}

/// The terms a field's filters accept, when the index answers them (at least one).
fn answered(field: &str, list: &FilterList) -> Option<Vec<Wanted>> {
    wanted(field, list).filter(|w| !w.is_empty())
}

/// Whether the index answers every one of `filters` (then a row its conditions keep matches, and
/// its document need not be read).
pub(super) fn answers_all(filters: &Filters) -> bool {
    filters.iter().all(|(def, list)| answered(def.name, list).is_some())
}

/// For each field the index answers among `filters`: the SQL condition on terms `t` that any one
/// of its positive filters accepts, with its parameters.
fn field_terms(filters: &Filters) -> Vec<(String, Vec<SqlValue>)> {
    let mut fields = Vec::new();
    for (def, list) in filters.iter() {
        let Some(wanted) = answered(def.name, list) else { continue };
        let mut ors = Vec::new();
        let mut params = Vec::new();
        for w in wanted {
            match w {
                Wanted::Term(t) => {
                    ors.push("t.term = ?".to_string());
                    params.push(SqlValue::Blob(t));
                }
                Wanted::Prefix(p) => {
                    ors.push(match after_prefix(&p) {
                        Some(end) => {
                            params.push(SqlValue::Blob(p));
                            params.push(SqlValue::Blob(end));
                            "(t.term >= ? AND t.term < ?)".to_string()
                        }
                        None => {
                            params.push(SqlValue::Blob(p));
                            "t.term >= ?".to_string()
                        }
                    });
                }
            }
        }
        fields.push((ors.join(" OR "), params));
    }
    fields
}

/// The index's conditions for `filters` on `findings` rows: one `rowid IN (...)` for each field it
/// answers, with its parameters (`answers_all`: whether they are all of `filters`). `span`: the
/// row ids (both ends included) a read is kept to, so that a read of half the store gathers only
/// that half's postings.
pub(super) fn conditions(filters: &Filters, span: (i64, i64)) -> (Vec<String>, Vec<SqlValue>) {
    let fields = field_terms(filters);
    let mut conds = Vec::new();
    let mut params = Vec::new();
    let within = if span == (i64::MIN, i64::MAX) { "" } else { " AND p.finding BETWEEN ? AND ?" };
    for (ors, p) in fields {
        conds.push(format!(
            "rowid IN (SELECT p.finding FROM resource_terms t JOIN resource_postings p ON p.term = t.id WHERE ({ors}){within})"
        ));
        params.extend(p);
        if !within.is_empty() {
            params.extend([SqlValue::Integer(span.0), SqlValue::Integer(span.1)]);
        }
    }
    (conds, params)
}

/// How many postings the narrowest field of `filters` the index answers has (an upper bound on
/// the findings that match), or `None` when it answers none of them. Counted in the postings'
/// own B-tree: ~1 ms per 10,000.
pub(super) fn narrowest(conn: &Connection, filters: &Filters) -> Result<Option<i64>> {
    let mut least: Option<i64> = None;
    for (ors, params) in field_terms(filters) {
        let n: i64 = conn
            .prepare(&format!(
                "SELECT count(*) FROM resource_terms t JOIN resource_postings p ON p.term = t.id WHERE {ors}"
            ))?
            .query_row(rusqlite::params_from_iter(params), |r| r.get(0))?;
        least = Some(least.map_or(n, |l| l.min(n)));
    }
    Ok(least)
}

/// Whether an ordered read that stops after `limit` findings should go through the index, given
/// that its narrowest field has `postings` of the store's `stored` findings. Through the index,
/// every candidate's sort key is read and sorted (~10 µs each) before the first is handed out;
/// in order without it, ~`limit × stored / postings` documents are read and evaluated (~50 µs
/// each) until `limit` match. So a common term with a small limit reads in order:
/// `tag:Environment=prod --limit 100` at 1,000,000 findings (314,222 postings) reads ~320
/// documents rather than sorting 314,222 keys.
pub(super) fn worth_it(postings: i64, limit: Option<usize>, stored: i64) -> bool {
    let Some(limit) = limit else { return true };
    let (postings, limit, stored) = (postings as f64, limit as f64, stored.max(1) as f64);
    postings * postings <= 5.0 * limit * stored
}

/// The index's tables. `resource_of` lists each finding's term ids, one row a finding, so that a
/// rewrite or a deletion finds the finding's postings: one row appended per finding rather than an
/// index entry per posting (an index by (finding, term) cost an import as much again as the
/// postings).
const TABLES: &str = "
    CREATE TABLE IF NOT EXISTS resource_terms (id INTEGER PRIMARY KEY, term BLOB NOT NULL UNIQUE);
    CREATE TABLE IF NOT EXISTS resource_postings (
        term INTEGER NOT NULL,
        finding INTEGER NOT NULL,
        PRIMARY KEY (term, finding)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS resource_of (finding INTEGER PRIMARY KEY, terms TEXT NOT NULL);
    CREATE TRIGGER IF NOT EXISTS resource_postings_dropped AFTER DELETE ON findings BEGIN
        DELETE FROM resource_postings WHERE finding = OLD.rowid AND term IN
            (SELECT value FROM json_each((SELECT terms FROM resource_of WHERE finding = OLD.rowid)));
        DELETE FROM resource_of WHERE finding = OLD.rowid;
    END;";

/// A stored document's terms, reading only its `Resources` (every field the index holds is under
/// it): the rest of the document is skipped, not built. A document that does not read that way
/// (a repeated `Resources` member) is read whole; one that cannot be read at all gets no terms.
fn stored_terms(json: &[u8]) -> Vec<Vec<u8>> {
    #[derive(serde::Deserialize)]
    struct ResourcesOnly {
        #[serde(rename = "Resources")]
        resources: Option<Value>,
    }
    match serde_json::from_slice::<ResourcesOnly>(json) {
        Ok(ResourcesOnly { resources: None }) => Vec::new(),
        Ok(ResourcesOnly { resources: Some(r) }) => of(&serde_json::json!({ "Resources": r })),
        Err(_) => super::rows::parse_stored(json).map(|doc| of(&doc)).unwrap_or_default(),
    }
}

/// A stored finding's row id and compressed document.
type Stored = (i64, Vec<u8>);

/// Migration 12: the index's tables, and the terms of every ASFF finding already stored, read
/// from its document (on both cores). A document that cannot be read gets no terms (reads report
/// it, as before, and a query through the index passes it over as a full read did). The terms and
/// postings are gathered in memory (~60 MB at 1,000,000 findings) and written in key order, so
/// each B-tree is filled front to back rather than at random.
pub(super) fn migrate(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    tx.execute_batch(TABLES)?;
    tx.execute_batch("DELETE FROM resource_postings; DELETE FROM resource_of; DELETE FROM resource_terms;")?;
    const BATCH: usize = 256;
    let codec = super::codec::Codec::load(std::path::PathBuf::new(), tx)?;
    let mut read = tx.prepare("SELECT rowid, doc FROM findings WHERE format = 'asff' ORDER BY rowid")?;
    let mut rows = read.query([])?;
    let mut next = |_wait: bool| -> Result<super::parallel::Next<Vec<Stored>>> {
        let mut batch = Vec::with_capacity(BATCH);
        while batch.len() < BATCH {
            let Some(row) = rows.next()? else { break };
            batch.push((row.get(0)?, row.get(1)?));
        }
        Ok(if batch.is_empty() { super::parallel::Next::End } else { super::parallel::Next::Item(batch) })
    };
    let prepare = |batch: Vec<Stored>| -> Vec<(i64, Vec<Vec<u8>>)> {
        batch
            .into_iter()
            .filter_map(|(rowid, blob)| codec.decompress(&blob).ok().map(|json| (rowid, stored_terms(&json))))
            .collect()
    };
    let mut ids: HashMap<Vec<u8>, i64> = HashMap::new();
    let mut postings: Vec<(i64, i64)> = Vec::new();
    let mut of_row = tx.prepare("INSERT INTO resource_of (finding, terms) VALUES (?1, ?2)")?;
    let consume = |done: Vec<(i64, Vec<Vec<u8>>)>| -> Result<()> {
        for (rowid, terms) in done {
            if terms.is_empty() {
                continue;
            }
            let mut term_ids = Vec::with_capacity(terms.len());
            for t in terms {
                let next_id = ids.len() as i64 + 1;
                term_ids.push(*ids.entry(t).or_insert(next_id));
            }
            term_ids.sort_unstable();
            postings.extend(term_ids.iter().map(|&id| (id, rowid)));
            of_row.execute(rusqlite::params![rowid, id_list(&term_ids)])?;
        }
        Ok(())
    };
    super::parallel::prepare_stream(true, 8, &mut next, prepare, consume)?;
    let mut terms: Vec<(Vec<u8>, i64)> = ids.into_iter().collect();
    terms.sort_unstable();
    let mut add = tx.prepare("INSERT INTO resource_terms (id, term) VALUES (?1, ?2)")?;
    for (term, id) in terms {
        add.execute(rusqlite::params![id, term])?;
    }
    postings.sort_unstable();
    let mut post = tx.prepare("INSERT INTO resource_postings (term, finding) VALUES (?1, ?2)")?;
    for (term, finding) in postings {
        post.execute([term, finding])?;
    }
    Ok(())
}

pub(super) mod words;

#[cfg(test)]
mod tests;
