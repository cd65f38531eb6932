//! The resource index (schema 12): for each ASFF finding, every resource type, resource id and
//! resource tag (key and value) its document holds, so that `resource:`, `resourceid:` and `tag:`
//! (GetFindings' ResourceType, ResourceId and ResourceTags filters) read only the findings that
//! have the value instead of every document in the store.
//!
//! A term is the value's bytes after a kind byte; a tag is its key's length, key and value, so no
//! two (key, value) pairs share a term. Terms are kept once (`resource_terms`) and each finding's
//! are listed in `resource_postings` (term, finding), indexed both ways: by term for a query, by
//! finding so a rewrite or a deletion (a trigger) finds the finding's own. The terms are collected
//! with the filter evaluation's own walk of the document (`model::filter::eval::any_at`), so a
//! finding has a term exactly when an EQUALS filter on it matches; a PREFIX filter is a range of
//! terms. Every write of an ASFF document (`rows::Inserter::insert`, `rows::write_finding`)
//! writes its terms in the same transaction.

use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;
use serde_json::Value;

use super::Result;
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

/// Writes finding `rowid`'s terms. `fresh`: a new row, which has none yet; otherwise its listed
/// terms are compared first and rewritten only when they differ (most updates change no resource).
pub(super) fn write(conn: &Connection, rowid: i64, terms: &[Vec<u8>], fresh: bool) -> Result<()> {
    if !fresh {
        let mut stmt = conn.prepare_cached(
            "SELECT t.term FROM resource_postings p JOIN resource_terms t ON t.id = p.term WHERE p.finding = ?1",
        )?;
        let mut old = stmt.query_map([rowid], |r| r.get::<_, Vec<u8>>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        old.sort_unstable();
        if old == terms {
            return Ok(());
        }
        conn.prepare_cached("DELETE FROM resource_postings WHERE finding = ?1")?.execute([rowid])?;
    }
    let mut find = conn.prepare_cached("SELECT id FROM resource_terms WHERE term = ?1")?;
    let mut add = conn.prepare_cached("INSERT INTO resource_terms (term) VALUES (?1)")?;
    let mut post = conn.prepare_cached("INSERT OR IGNORE INTO resource_postings (term, finding) VALUES (?1, ?2)")?;
    for t in terms {
        let id: i64 = match find.query_row([t], |r| r.get(0)) {
            Ok(id) => id,
            Err(rusqlite::Error::QueryReturnedNoRows) => {
                add.execute([t])?;
                conn.last_insert_rowid()
            }
            Err(e) => return Err(e.into()),
        };
        post.execute([id, rowid])?;
    }
    Ok(())
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

/// The index's conditions for `filters` on `findings` rows: one `rowid IN (...)` for each field it
/// answers, with its parameters, and whether those conditions are all of `filters` (then a row that
/// passes them matches, and its document need not be read).
pub(super) fn conditions(filters: &Filters) -> (Vec<String>, Vec<SqlValue>, bool) {
    let mut conds = Vec::new();
    let mut params = Vec::new();
    let mut all = true;
    for (def, list) in filters.iter() {
        let Some(wanted) = wanted(def.name, list).filter(|w| !w.is_empty()) else {
            all = false;
            continue;
        };
        let mut ors = Vec::new();
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
        conds.push(format!(
            "rowid IN (SELECT p.finding FROM resource_terms t JOIN resource_postings p ON p.term = t.id WHERE {})",
            ors.join(" OR ")
        ));
    }
    (conds, params, all)
}

/// A stored finding's row id and compressed document.
type Stored = (i64, Vec<u8>);

/// Migration 12: the index's tables, and the terms of every ASFF finding already stored, read
/// from its document (on both cores). A document that cannot be read gets no terms (reads report
/// it, as before, and a query through the index passes it over as a full read did).
pub(super) fn migrate(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS resource_terms (id INTEGER PRIMARY KEY, term BLOB NOT NULL UNIQUE);
         CREATE TABLE IF NOT EXISTS resource_postings (
             term INTEGER NOT NULL,
             finding INTEGER NOT NULL,
             PRIMARY KEY (term, finding)
         ) WITHOUT ROWID;
         CREATE INDEX IF NOT EXISTS resource_postings_by_finding ON resource_postings (finding, term);
         CREATE TRIGGER IF NOT EXISTS resource_postings_dropped AFTER DELETE ON findings
             BEGIN DELETE FROM resource_postings WHERE finding = OLD.rowid; END;
         DELETE FROM resource_postings;",
    )?;
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
            .filter_map(|(rowid, blob)| super::rows::decompress(&codec, &blob).ok().map(|doc| (rowid, of(&doc))))
            .collect()
    };
    let consume = |done: Vec<(i64, Vec<Vec<u8>>)>| -> Result<()> {
        for (rowid, terms) in done {
            write(tx, rowid, &terms, true)?;
        }
        Ok(())
    };
    super::parallel::prepare_stream(true, 8, &mut next, prepare, consume)
}

#[cfg(test)]
mod tests;
