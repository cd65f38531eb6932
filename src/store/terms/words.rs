//! The free-word text (schema 13): for each ASFF finding, the strings of the fields a query's free
//! words are looked for in (`model::filter::fields::free_text_fields`, the query language's
//! "Query language" list), folded as the free-word match folds them, one row a finding
//! (`finding_words`, keyed by the finding's row id). A free-word query scans these rows (a few
//! hundred bytes a finding) instead of decompressing and parsing every document.
//!
//! The text is exact, not a superset: `Query::matches_text` (`contains_ignore_case`) compares an
//! ASCII word with each string's bytes, ASCII case ignored, and a word with other characters with
//! the string's `to_lowercase`. So the text is each string ASCII-lower-cased, NUL after each, then,
//! after a 0xFF byte (never in UTF-8), `to_lowercase` of each string that is not ASCII, NUL after
//! each. An ASCII word is looked for before the 0xFF, another word after it; a word holding neither
//! NUL nor 0xFF cannot match across two strings. A word that is empty or holds a NUL is not
//! answered by the text: the documents are read for it.
//!
//! Written with the finding in the same transaction by every write of an ASFF document
//! (`rows::Inserter::insert`, `rows::write_finding`: BatchImportFindings, and BatchUpdateFindings,
//! whose Types can change); dropped with the finding (a trigger).

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use crate::model::filter::{any_str_of, fields};
use crate::store::Result;

const END: u8 = 0;
const UNICODE: u8 = 0xFF;

/// A finding's free-word text (see the module doc).
pub(in crate::store) fn text_of(doc: &Value) -> Vec<u8> {
    let mut ascii = Vec::with_capacity(512);
    let mut other = Vec::new();
    for def in fields::free_text_fields() {
        any_str_of(def, doc, &mut |s| {
            ascii.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
            ascii.push(END);
            if !s.is_ascii() {
                other.extend_from_slice(s.to_lowercase().as_bytes());
                other.push(END);
            }
            false
        });
    }
    if !other.is_empty() {
        ascii.push(UNICODE);
        ascii.extend_from_slice(&other);
    }
    ascii
}

/// Writes finding `rowid`'s text; `fresh`: a new row, else it is compared with the stored one
/// first and written only when it differs (most updates change none of these fields).
pub(in crate::store) fn write(conn: &Connection, rowid: i64, text: &[u8], fresh: bool) -> Result<()> {
    if !fresh {
        let stored: Option<Vec<u8>> = conn
            .prepare_cached("SELECT text FROM finding_words WHERE finding = ?1")?
            .query_row([rowid], |r| r.get(0))
            .optional()?;
        if stored.as_deref() == Some(text) {
            return Ok(());
        }
    }
    conn.prepare_cached("INSERT OR REPLACE INTO finding_words (finding, text) VALUES (?1, ?2)")?
        .execute(rusqlite::params![rowid, text])?;
    Ok(())
}

/// A query's free words as the text answers them.
pub(in crate::store) struct Words {
    ascii: Vec<memchr::memmem::Finder<'static>>,
    other: Vec<memchr::memmem::Finder<'static>>,
    /// Every word is answered exactly (none empty or with a NUL).
    pub(in crate::store) exact: bool,
}

impl Words {
    /// `None` when there are no words the text can answer. `words` are lower-case (`query::parse`).
    pub(in crate::store) fn new(words: &[String]) -> Option<Words> {
        let mut w = Words { ascii: Vec::new(), other: Vec::new(), exact: true };
        for word in words {
            if word.is_empty() || word.as_bytes().contains(&END) {
                w.exact = false;
                continue;
            }
            let finder = memchr::memmem::Finder::new(word.as_bytes()).into_owned();
            if word.is_ascii() {
                w.ascii.push(finder);
            } else {
                w.other.push(finder);
            }
        }
        (!w.ascii.is_empty() || !w.other.is_empty()).then_some(w)
    }

    /// Whether a finding with `text` has every word.
    pub(in crate::store) fn matches(&self, text: &[u8]) -> bool {
        if self.other.is_empty() {
            // An ASCII word (no 0xFF in it) is in the part before the 0xFF exactly when its first
            // occurrence in the whole text is: most texts are never searched for the 0xFF.
            return self
                .ascii
                .iter()
                .all(|f| f.find(text).is_some_and(|at| memchr::memchr(UNICODE, &text[..at]).is_none()));
        }
        let (ascii, other) = match memchr::memchr(UNICODE, text) {
            Some(i) => (&text[..i], &text[i + 1..]),
            None => (text, &[][..]),
        };
        self.ascii.iter().all(|f| f.find(ascii).is_some()) && self.other.iter().all(|f| f.find(other).is_some())
    }

    /// Whether an ordered read that stops after `limit` findings should scan the text first, as
    /// `terms::worth_it` chooses for the resource index: the store has `stored` findings, and
    /// without the text at most `at_most` documents are read (the resource index's candidates).
    /// How many findings have the words is estimated from the newest `SAMPLE` texts. Through the
    /// text, every text is scanned (~0.4 µs each) and each candidate's sort key read and sorted
    /// (~10 µs); in order, ~`limit × stored / matches` documents are read and evaluated (~50 µs
    /// each) until `limit` match. So `public --limit 100` at 1,000,000 findings (~111,000 have
    /// it) reads ~900 documents rather than 545 MB of text; a word in 0.1% of the findings is
    /// still looked for in the text.
    pub(in crate::store) fn worth_it(
        &self,
        conn: &Connection,
        limit: Option<usize>,
        stored: i64,
        at_most: i64,
    ) -> Result<bool> {
        /// Texts sampled: ~2 MB, a few milliseconds.
        const SAMPLE: i64 = 4_096;
        let Some(limit) = limit else { return Ok(true) };
        let mut stmt = conn.prepare_cached("SELECT text FROM finding_words ORDER BY finding DESC LIMIT ?1")?;
        let mut rows = stmt.query([SAMPLE])?;
        let (mut seen, mut hits) = (0_i64, 0_i64);
        while let Some(row) = rows.next()? {
            seen += 1;
            hits += i64::from(row.get_ref(0)?.as_blob().is_ok_and(|t| self.matches(t)));
        }
        if seen == 0 {
            return Ok(true);
        }
        let (stored, at_most, limit) = (stored.max(1) as f64, at_most.max(0) as f64, limit as f64);
        let matches = (hits as f64 * stored / seen as f64).max(1.0);
        let through_text = stored * 0.4 + matches * 10.0;
        let in_order = (limit * stored / matches).min(at_most) * 50.0;
        Ok(through_text <= in_order)
    }

    /// The row ids in `span` (both ends included) of the findings that have every word, ascending:
    /// one pass over their texts.
    pub(in crate::store) fn candidates(&self, conn: &Connection, (lo, hi): (i64, i64)) -> Result<Vec<i64>> {
        let mut stmt =
            conn.prepare_cached("SELECT finding, text FROM finding_words WHERE finding BETWEEN ?1 AND ?2")?;
        let mut rows = stmt.query([lo, hi])?;
        let mut out = Vec::new();
        #[cfg(test)]
        TEXTS_SCANNED.with(|n| n.set(n.get() + 1));
        while let Some(row) = rows.next()? {
            if let Ok(text) = row.get_ref(1)?.as_blob() {
                if self.matches(text) {
                    out.push(row.get(0)?);
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
thread_local! {
    /// How many scans of the text (`Words::candidates`) this test thread made.
    pub(in crate::store) static TEXTS_SCANNED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The SQL condition keeping `findings` rows to `rowids`, with its one parameter.
pub(in crate::store) fn condition(rowids: &[i64]) -> (String, SqlValue) {
    // The same JSON array of ids as `resource_of` keeps (`terms::id_list`).
    ("rowid IN (SELECT value FROM json_each(?))".into(), SqlValue::Text(super::id_list(rowids)))
}

const TABLES: &str = "
    CREATE TABLE IF NOT EXISTS finding_words (finding INTEGER PRIMARY KEY, text BLOB NOT NULL);
    CREATE TRIGGER IF NOT EXISTS finding_words_dropped AFTER DELETE ON findings BEGIN
        DELETE FROM finding_words WHERE finding = OLD.rowid;
    END;";

/// A stored document's text, read as a BatchUpdateFindings change reads it (the members the text
/// needs are all parsed); `None` for a document that cannot be read (reads report it, and a query
/// through the text passes it over as a full read did).
fn stored_text(json: &[u8]) -> Option<Vec<u8>> {
    match crate::model::raw::StoredDoc::parse(json) {
        Ok(doc) => Some(text_of(doc.view())),
        Err(_) => crate::store::rows::parse_stored(json).ok().map(|doc| text_of(&doc)),
    }
}

/// A finding's row id with its compressed document, then with its text.
type Row = (i64, Vec<u8>);

/// Migration 13: the table, and every stored ASFF finding's text, read from its document on both
/// cores and written in row id order.
pub(in crate::store) fn migrate(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    use crate::store::parallel::{prepare_stream, Next};
    const BATCH: usize = 256;
    tx.execute_batch(TABLES)?;
    tx.execute_batch("DELETE FROM finding_words;")?;
    let codec = crate::store::codec::Codec::load(std::path::PathBuf::new(), tx)?;
    let mut read = tx.prepare("SELECT rowid, doc FROM findings WHERE format = 'asff' ORDER BY rowid")?;
    let mut rows = read.query([])?;
    let mut next = |_wait: bool| -> Result<Next<Vec<Row>>> {
        let mut batch = Vec::with_capacity(BATCH);
        while batch.len() < BATCH {
            let Some(row) = rows.next()? else { break };
            batch.push((row.get(0)?, row.get(1)?));
        }
        Ok(if batch.is_empty() { Next::End } else { Next::Item(batch) })
    };
    let prepare = |batch: Vec<Row>| -> Vec<Row> {
        batch
            .into_iter()
            .filter_map(|(rowid, blob)| {
                codec.decompress(&blob).ok().and_then(|json| stored_text(&json)).map(|t| (rowid, t))
            })
            .collect()
    };
    let mut add = tx.prepare("INSERT INTO finding_words (finding, text) VALUES (?1, ?2)")?;
    let consume = |done: Vec<Row>| -> Result<()> {
        for (rowid, text) in done {
            add.execute(rusqlite::params![rowid, text])?;
        }
        Ok(())
    };
    prepare_stream(true, 8, &mut next, prepare, consume)
}

#[cfg(test)]
mod tests;
