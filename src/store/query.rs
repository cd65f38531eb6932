//! Reading the store: GetFindings (filters, sorting, paging) and GetFindingHistory.
//!
//! Filters are evaluated exactly by `model::filter` on each finding's document; the positive string
//! and date conditions on summary columns are also pushed into SQL so the indexes narrow the scan
//! first, and so are resource types, ids and tags, through the resource index (`store::terms`).
//! Paging is keyset paging on the sort columns plus the row id, so each finding is returned exactly
//! once across pages and a page costs the same at any depth.

use rusqlite::types::Value as SqlValue;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::parallel;
use super::rows::UnreadableRow;
use super::{decompress, id_hash, parse_stored, Access, Result, Store, StoreError, BY_KEY, SOURCE_IMPORT};
use crate::model::change::FieldChange;
use crate::model::filter::{DateRangeComparison, FilterList, Filters, StringComparison};
use crate::model::finding::FindingKey;
use crate::model::timestamp;
pub use crate::model::wire::get_findings::{FindingsPage, GetFindingsRequest, SortCriterion};
use crate::model::wire::history::{HistoryPage, HistoryRecord, HistoryRequest};

pub(super) mod halves;

/// GetFindings `SortCriteria.Field` values this store can sort by, and their column: derived from the
/// field registry (`model::filter::fields`), in its listing order.
pub static SORT_FIELDS: std::sync::LazyLock<Vec<(&'static str, &'static str)>> =
    std::sync::LazyLock::new(|| crate::model::filter::fields::sort_columns().collect());

fn invalid(msg: impl Into<String>) -> StoreError {
    StoreError::InvalidInput(msg.into())
}

/// A stable 64-bit FNV-1a hash, so a token is tied to the query it came from across processes.
fn fingerprint(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

fn sql_to_json(v: &SqlValue) -> Value {
    match v {
        SqlValue::Integer(i) => json!(i),
        SqlValue::Text(t) => json!(t),
        SqlValue::Real(r) => json!(r),
        _ => Value::Null,
    }
}

fn json_to_sql(v: &Value) -> Option<SqlValue> {
    match v {
        Value::Number(n) => n.as_i64().map(SqlValue::Integer),
        Value::String(s) => Some(SqlValue::Text(s.clone())),
        _ => None,
    }
}

/// The longest prefix pushed down as a LIKE: escaped (each character at most doubled) and with its
/// `%`, well within SQLite's limit on a pattern (SQLITE_MAX_LIKE_PATTERN_LENGTH, 50,000 bytes).
const MAX_LIKE_PREFIX: usize = 20_000;

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_prefix(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// SQL conditions implied by the filters (a superset of the exact match), with their parameters;
/// `through_terms`: with the resource index's conditions; `candidates`: one more condition, the
/// free-word text's (`terms::words::condition`); `span`: the row ids (both ends included) the read
/// is kept to (`halves`).
fn pushdown(
    filters: &Filters,
    now: OffsetDateTime,
    through_terms: bool,
    candidates: Option<(String, SqlValue)>,
    span: halves::Span,
) -> (Vec<String>, Vec<SqlValue>) {
    let mut conds = Vec::new();
    let mut params = Vec::new();
    for (field, column) in crate::model::filter::fields::string_columns() {
        let Some(list) = filters.string_filters(field) else { continue };
        if list.iter().any(|f| f.comparison.is_negative()) || list.is_empty() {
            continue;
        }
        let mut ors = Vec::new();
        let mark = params.len();
        for f in list {
            match f.comparison {
                StringComparison::Equals if column == "id" => {
                    // Through the Id hash index.
                    ors.push("(id_hash = ? AND id = ?)".to_string());
                    params.push(SqlValue::Integer(id_hash(&f.value)));
                }
                StringComparison::Equals => ors.push(format!("{column} = ?")),
                // SQLite refuses a LIKE pattern over 50,000 bytes ("LIKE or GLOB pattern too
                // complex"): a longer prefix is left to the exact evaluation.
                StringComparison::Prefix if f.value.len() > MAX_LIKE_PREFIX => {
                    ors.clear();
                    break;
                }
                StringComparison::Prefix => ors.push(format!("{column} LIKE ? ESCAPE '\\'")),
                StringComparison::Contains => ors.push(format!("instr({column}, ?) > 0")),
                _ => {
                    ors.clear();
                    break;
                }
            }
            params.push(SqlValue::Text(match f.comparison {
                StringComparison::Prefix => like_prefix(&f.value),
                _ => f.value.clone(),
            }));
        }
        if ors.is_empty() {
            // A comparison we cannot express: leave this field to the exact evaluation.
            params.truncate(mark);
            continue;
        }
        conds.push(format!("({})", ors.join(" OR ")));
    }
    for (field, column) in crate::model::filter::fields::date_columns() {
        let Some(FilterList::Date(list)) = filters.get(field) else { continue };
        let [d] = list.as_slice() else { continue };
        let mut lower = d.start.as_deref().and_then(timestamp::parse);
        let mut upper = d.end.as_deref().and_then(timestamp::parse);
        if let Some(r) = &d.date_range {
            // A range too long to compute leaves the field to the exact evaluation.
            let Some(edge) = r.cutoff(now) else { continue };
            match r.comparison {
                DateRangeComparison::Within => {
                    lower = Some(edge);
                    upper = Some(now);
                }
                DateRangeComparison::OlderThan => {
                    upper = Some(edge);
                    lower = None;
                }
            }
        }
        if let Some(l) = lower {
            conds.push(format!("{column} >= ?"));
            params.push(SqlValue::Integer(timestamp::to_nanos(l)));
        }
        if let Some(u) = upper {
            conds.push(format!("{column} <= ?"));
            params.push(SqlValue::Integer(timestamp::to_nanos(u)));
        }
    }
    // Resource types, ids and tags through the resource index.
    if through_terms {
        let (terms, term_params) = super::terms::conditions(filters, span);
        conds.extend(terms);
        params.extend(term_params);
    }
    if let Some((cond, list)) = candidates {
        conds.push(cond);
        params.push(list);
    }
    (conds, params)
}

/// What a read of the ASFF rows keeps: the pushed-down conditions (`pushdown`), the accounts
/// `access` may see (`visible`) and the row ids of `span`, with their parameters; for the ordered
/// scan (`sorted_sql`) and the workbench's keys (`Store::matching_keys`).
fn selection(
    access: &Access,
    filters: &Filters,
    now: OffsetDateTime,
    through_terms: bool,
    candidates: Option<(String, SqlValue)>,
    span: halves::Span,
) -> (Vec<String>, Vec<SqlValue>) {
    let (mut conds, mut params) = pushdown(filters, now, through_terms, candidates, span);
    if let Some((cond, accounts)) = visible(access) {
        conds.push(cond);
        params.extend(accounts);
    }
    if span != halves::ALL {
        conds.push("rowid BETWEEN ? AND ?".into());
        params.extend([SqlValue::Integer(span.0), SqlValue::Integer(span.1)]);
    }
    (conds, params)
}

/// `conds` as one WHERE condition.
fn all_of(conds: &[String]) -> String {
    if conds.is_empty() {
        "1".to_string()
    } else {
        conds.join(" AND ")
    }
}

/// The SQL condition that keeps a read to the accounts `access` may see, with its parameters: none
/// for an unrestricted caller, so its reads are exactly as before. The summary's `aws_account_id`
/// is indexed, so a restricted read narrows the scan rather than widening it.
pub(super) fn visible(access: &Access) -> Option<(String, Vec<SqlValue>)> {
    let accounts = access.visible_accounts()?;
    let marks = vec!["?"; accounts.len()].join(", ");
    Some((
        format!("aws_account_id IN ({marks})"),
        accounts.into_iter().map(|a| SqlValue::Text(a.to_string())).collect(),
    ))
}

/// `visible`'s condition as a clause to append to a `WHERE` (` AND ...`; empty for an unrestricted
/// caller), with its parameters.
pub(super) fn and_visible(access: &Access) -> (String, Vec<SqlValue>) {
    match visible(access) {
        Some((cond, params)) => (format!(" AND {cond}"), params),
        None => (String::new(), Vec::new()),
    }
}

/// Whether `needle` (ASCII, lower-case) can stand for itself in a document's JSON text: serde_json,
/// which writes every stored document, escapes only quotes, backslashes and control characters.
fn is_literal_in_json(needle: &str) -> bool {
    !needle.is_empty() && needle.bytes().all(|b| b.is_ascii() && b >= 0x20 && b != b'"' && b != b'\\')
}

/// Text that must occur (ASCII case aside) in the JSON of any finding the filters match: the value of
/// each field that has exactly one positive string comparison, and the key and value of a single
/// positive map comparison. A necessary condition only; the exact evaluation follows.
fn required_text(filters: &Filters) -> Vec<String> {
    let mut out = Vec::new();
    for (_, list) in filters.iter() {
        match list {
            FilterList::String(v) => {
                if let [f] = v.as_slice() {
                    if !f.comparison.is_negative() {
                        out.push(f.value.to_ascii_lowercase());
                    }
                }
            }
            FilterList::Map(v) => {
                if let [f] = v.as_slice() {
                    if !f.comparison.is_negative() {
                        out.push(f.key.to_ascii_lowercase());
                        out.push(f.value.to_ascii_lowercase());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

impl Store {
    /// The keys of every finding that matches `filters` and `extra`, in storage order: for a caller
    /// that keeps its own order (the workbench), so nothing is sorted, paged or handed out but keys.
    /// `words` are the query language's free words (lower-case): a finding matches only when it has
    /// every one (`query::text_matches`), which the free-word text (`terms::words`) answers without
    /// the documents. A document is read only when the filters, `extra` or a word the text cannot
    /// answer need it, and parsed only when its JSON text holds every word and every value the
    /// filters require.
    pub fn matching_keys(
        &self,
        filters: &Filters,
        words: &[String],
        extra: Option<&(dyn Fn(&Value) -> bool + Sync)>,
    ) -> Result<Vec<FindingKey>> {
        self.matching_keys_as(&Access::Unrestricted, filters, words, extra)
    }

    /// `matching_keys` among the findings `access` may see.
    pub fn matching_keys_as(
        &self,
        access: &Access,
        filters: &Filters,
        words: &[String],
        extra: Option<&(dyn Fn(&Value) -> bool + Sync)>,
    ) -> Result<Vec<FindingKey>> {
        /// Documents handed to the other core at a time: enough to make the hand-over cheap.
        const BATCH: usize = 64;
        let now = self.now();
        let needles: Vec<memchr::memmem::Finder<'static>> = words
            .iter()
            .cloned()
            .chain(required_text(filters))
            .filter(|w| is_literal_in_json(w))
            .map(|w| memchr::memmem::Finder::new(w.as_bytes()).into_owned())
            .collect();
        let indexed_words = super::terms::words::Words::new(words);
        let words_exact = words.is_empty() || indexed_words.as_ref().is_some_and(|w| w.exact);
        // The SQL condition keeping the rows of `span` that pass the pushed-down filters and the
        // free-word text's `candidates` and that `access` may see, with its parameters.
        let kept = |candidates: Option<Vec<i64>>, span: halves::Span| -> (String, Vec<SqlValue>) {
            let candidates = candidates.map(|c| super::terms::words::condition(&c));
            let (conds, params) = selection(access, filters, now, true, candidates, span);
            (all_of(&conds), params)
        };
        if words_exact
            && extra.is_none()
            && !(filters.is_empty() && words.is_empty())
            && super::terms::answers_all(filters)
        {
            // The resource index and the free-word text answer every filter and word exactly: no
            // document need be read, and each half of the store is read on its own core.
            return self.in_halves(&|conn, span| {
                let candidates = indexed_words.as_ref().map(|w| w.candidates(conn, span)).transpose()?;
                let (where_clause, params) = kept(candidates, span);
                let sql = format!("SELECT product_arn, id FROM findings WHERE format = 'asff' AND {where_clause}");
                let mut stmt = conn.prepare(&sql)?;
                let keys = stmt
                    .query_map(rusqlite::params_from_iter(params), |r| {
                        Ok(FindingKey::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(keys)
            });
        }
        // The documents are read here, in one pass; the free-word text first, on both cores.
        let candidates =
            indexed_words.as_ref().map(|w| self.in_halves(&|conn, span| w.candidates(conn, span))).transpose()?;
        let (where_clause, params) = kept(candidates, halves::ALL);
        let sql = format!("SELECT doc, product_arn, id FROM findings WHERE format = 'asff' AND {where_clause}");
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let store = self.path().display().to_string();
        let unreadable =
            |why: String, product_arn: String, id: String| UnreadableRow { product_arn, id, store: store.clone(), why };
        // This thread reads the rows (with their compressed documents)...
        let mut read_batch = |_wait: bool| -> Result<parallel::Next<Vec<Candidate>>> {
            let mut batch = Vec::with_capacity(BATCH);
            while batch.len() < BATCH {
                let Some(row) = rows.next()? else { break };
                let blob = row.get_ref(0)?.as_blob().map_err(|e| StoreError::Corrupt(e.to_string()))?;
                batch.push((blob.to_vec(), row.get(1)?, row.get(2)?));
            }
            Ok(if batch.is_empty() { parallel::Next::End } else { parallel::Next::Item(batch) })
        };
        // ...either core decompresses, looks for the required words, parses and filters (pure)...
        let codec = &self.codec;
        let prepare = |batch: Vec<Candidate>| -> Vec<std::result::Result<FindingKey, UnreadableRow>> {
            let mut lower = Vec::new();
            batch
                .into_iter()
                .filter_map(|(blob, arn, id)| {
                    let json = match codec.decompress(&blob) {
                        Ok(json) => json,
                        Err(e) => return Some(Err(unreadable(e.to_string(), arn, id))),
                    };
                    if !needles.is_empty() {
                        lower.clear();
                        lower.extend(json.iter().map(u8::to_ascii_lowercase));
                        if !needles.iter().all(|n| n.find(&lower).is_some()) {
                            return None;
                        }
                    }
                    match parse_stored(&json) {
                        Ok(doc)
                            if filters.matches(&doc, now)
                                && crate::query::text_matches(words, &doc)
                                && extra.is_none_or(|f| f(&doc)) =>
                        {
                            Some(Ok(FindingKey::new(arn, id)))
                        }
                        Ok(_) => None,
                        Err(e) => Some(Err(unreadable(e.to_string(), arn, id))),
                    }
                })
                .collect()
        };
        // ...and this thread keeps the matches, in storage order.
        let mut keys = Vec::new();
        let consume = |prepared: Vec<std::result::Result<FindingKey, UnreadableRow>>| -> Result<()> {
            for found in prepared {
                match found {
                    Ok(key) => keys.push(key),
                    // A document that cannot be read is passed over and noted, as every read does.
                    Err(row) => self.note_unreadable(row),
                }
            }
            Ok(())
        };
        parallel::prepare_stream(true, 4, &mut read_batch, prepare, consume)?;
        Ok(keys)
    }
}

/// A row `matching_keys_as` reads: its compressed document, ProductArn and Id.
type Candidate = (Vec<u8>, String, String);

impl Store {
    /// A row's document (or its text), or `None` when it cannot be read: the row is noted
    /// (`take_unreadable`) and the read goes on without it, rather than one bad row failing every
    /// read of the store. `row` has the finding's product ARN and Id as its columns 1 and 2.
    fn readable<T>(&self, read: Result<T>, row: &rusqlite::Row<'_>) -> Result<Option<T>> {
        match read {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::Corrupt(why)) => {
                self.note_unreadable(UnreadableRow {
                    product_arn: row.get(1)?,
                    id: row.get(2)?,
                    store: self.path().display().to_string(),
                    why,
                });
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// GetFindings. `extra` is a further predicate on each document (the CLI's free-text words).
    pub fn get_findings(
        &self,
        req: &GetFindingsRequest,
        extra: Option<&dyn Fn(&Value) -> bool>,
    ) -> Result<FindingsPage> {
        self.get_findings_as(&Access::Unrestricted, req, extra)
    }

    /// GetFindings as a caller with `access`: only the findings it may see.
    pub fn get_findings_as(
        &self,
        access: &Access,
        req: &GetFindingsRequest,
        extra: Option<&dyn Fn(&Value) -> bool>,
    ) -> Result<FindingsPage> {
        let sort = sort_columns(&req.sort);
        let print =
            format!("{}|{}", req.filters.to_json(), sort.iter().map(|(c, d)| format!("{c}{d}")).collect::<String>());
        let print = fingerprint(&print);
        let after = match &req.next_token {
            None => None,
            Some(t) => {
                let bad = || invalid("NextToken is not valid for this query; start again without it");
                let decoded: Value = unhex(t).and_then(|b| serde_json::from_slice(&b).ok()).ok_or_else(bad)?;
                if decoded.get("q").and_then(Value::as_u64) != Some(print) {
                    return Err(bad());
                }
                let keys = decoded.get("k").and_then(Value::as_array).ok_or_else(bad)?;
                let rowid = decoded.get("r").and_then(Value::as_i64).ok_or_else(bad)?;
                if keys.len() != sort.len() {
                    return Err(bad());
                }
                let keys: Vec<SqlValue> = keys.iter().map(json_to_sql).collect::<Option<_>>().ok_or_else(bad)?;
                Some((keys, rowid))
            }
        };
        let mut page = FindingsPage::default();
        let mut last: Option<(Vec<SqlValue>, i64)> = None;
        self.scan_sorted(access, &req.filters, &sort, after, extra, &mut |doc, keys, rowid| {
            if page.findings.len() == req.max_results {
                // One more match exists: hand out a token for the next page.
                if let Some((keys, rowid)) = &last {
                    let t = json!({"k": keys.iter().map(sql_to_json).collect::<Vec<_>>(), "r": rowid, "q": print});
                    page.next_token = Some(hex(t.to_string().as_bytes()));
                }
                return Ok(false);
            }
            last = Some((keys(), rowid));
            page.findings.push(doc);
            Ok(true)
        })?;
        Ok(page)
    }

    /// The ordered scan GetFindings pages through and the CLI streams: the documents `access` may see
    /// that match `filters` and `extra`, in `sort` order (then row id), strictly after the `after`
    /// position when given. `visit` gets each document, a way to read its sort keys (only a page's
    /// last row needs them) and its row id, and says whether to go on.
    fn scan_sorted(
        &self,
        access: &Access,
        filters: &Filters,
        sort: &[(String, bool)],
        after: Option<(Vec<SqlValue>, i64)>,
        extra: Option<&dyn Fn(&Value) -> bool>,
        visit: &mut Visit<'_>,
    ) -> Result<()> {
        let now = self.now();
        let (sql, params) = sorted_sql(access, filters, sort, after, now, true, None);
        // Sort only row ids and keys; documents are read one by one as the scan goes, so the sorter
        // never carries the blobs.
        let mut stmt = self.conn().prepare(&sql)?;
        let mut doc_stmt = self.conn().prepare_cached("SELECT doc, product_arn, id FROM findings WHERE rowid = ?1")?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = rows.next()? {
            let rowid: i64 = row.get(0)?;
            let mut doc_rows = doc_stmt.query([rowid])?;
            let Some(doc_row) = doc_rows.next()? else { continue };
            let blob = doc_row.get_ref(0)?.as_blob().map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let Some(doc) = self.readable(decompress(&self.codec, blob), doc_row)? else { continue };
            drop(doc_rows);
            if !filters.matches(&doc, now) || !extra.is_none_or(|f| f(&doc)) {
                continue;
            }
            let keys = || (0..sort.len()).filter_map(|i| row.get::<_, SqlValue>(i + 1).ok()).collect();
            if !visit(doc, &keys, rowid)? {
                break;
            }
        }
        Ok(())
    }

    /// Every stored finding matching the filters, in the requested order, without paging (for the
    /// CLI's export and bulk update). Reads the store in one pass.
    pub fn find_all(
        &self,
        filters: &Filters,
        sort: &[SortCriterion],
        limit: Option<usize>,
        extra: Option<&dyn Fn(&Value) -> bool>,
    ) -> Result<Vec<Value>> {
        self.find_all_as(&Access::Unrestricted, filters, sort, limit, extra)
    }

    /// `find_all` among the findings `access` may see.
    pub fn find_all_as(
        &self,
        access: &Access,
        filters: &Filters,
        sort: &[SortCriterion],
        limit: Option<usize>,
        extra: Option<&dyn Fn(&Value) -> bool>,
    ) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        self.for_each_as(access, filters, sort, limit, extra, &mut |doc| {
            out.push(doc);
            Ok(())
        })?;
        Ok(out)
    }

    /// `find_all_as` handing each finding to `sink` as it is read, in one ordered scan of the store
    /// (one sort of row ids and keys, then each document read once), so a caller that writes them out
    /// holds a few findings at a time however many match. Returns how many were handed over.
    pub fn for_each_as(
        &self,
        access: &Access,
        filters: &Filters,
        sort: &[SortCriterion],
        limit: Option<usize>,
        extra: Option<&dyn Fn(&Value) -> bool>,
        sink: &mut dyn FnMut(Value) -> Result<()>,
    ) -> Result<usize> {
        // `extra` need not be thread-safe, so it runs here, in order, with the sink.
        let mut kept = |doc: Value| if extra.is_none_or(|f| f(&doc)) { sink(doc).map(|()| true) } else { Ok(false) };
        self.for_each_rendered(access, filters, &[], sort, limit, None, &|doc| doc, &mut kept)
    }

    /// The ordered scan of `for_each_as` with the per-finding work on both cores: this thread reads
    /// (the sorted row ids, each document's blob, decompression) while either core parses, applies
    /// the exact filter and `keep`, and `render`s each match (to a table row, a CSV record, pretty
    /// JSON...); `sink` then gets the rendered findings on this thread, in order, and says whether it
    /// counted one (`limit` counts those). Returns how many were counted. `words`: the query
    /// language's free words (lower-case), which a finding must all have (`query::text_matches`);
    /// only the documents of findings whose free-word text (`terms::words`) has them are read.
    // `for_each_as`'s selection (access, filters, sort, limit) plus the three stages' functions: each
    // is one plain argument, as in `for_each_as`, rather than a struct built for one call.
    #[allow(clippy::too_many_arguments)]
    pub fn for_each_rendered<R: Send>(
        &self,
        access: &Access,
        filters: &Filters,
        words: &[String],
        sort: &[SortCriterion],
        limit: Option<usize>,
        keep: Option<&(dyn Fn(&Value) -> bool + Sync)>,
        render: &(dyn Fn(Value) -> R + Sync),
        sink: &mut dyn FnMut(R) -> Result<bool>,
    ) -> Result<usize> {
        /// Documents handed to the other core at a time: enough to make the hand-over cheap.
        const BATCH: usize = 64;
        let mut n = 0;
        if limit == Some(0) {
            return Ok(0);
        }
        let now = self.now();
        let store = self.path().display().to_string();
        let unreadable =
            |why: String, product_arn: String, id: String| UnreadableRow { product_arn, id, store: store.clone(), why };
        let stored = || -> Result<i64> {
            let most: Option<i64> = self.conn().query_row("SELECT max(rowid) FROM findings", [], |r| r.get(0))?;
            Ok(most.unwrap_or(0))
        };
        // A common resource term with a small limit reads in order instead (`terms::worth_it`).
        let narrowest = if limit.is_some() { super::terms::narrowest(self.conn(), filters)? } else { None };
        let through_terms = match narrowest {
            Some(postings) => super::terms::worth_it(postings, limit, stored()?),
            None => true,
        };
        // Only the findings whose free-word text has every word: the documents of the others are
        // not read. Common words with a small limit read in order instead (`Words::worth_it`).
        let mut candidates = None;
        if let Some(w) = super::terms::words::Words::new(words) {
            let worth_it = match limit {
                None => true,
                Some(_) => {
                    let stored = stored()?;
                    let at_most = narrowest.filter(|_| through_terms).unwrap_or(stored);
                    w.worth_it(self.conn(), limit, stored, at_most)?
                }
            };
            if worth_it {
                let rowids = self.in_halves(&|conn, span| w.candidates(conn, span))?;
                candidates = Some(super::terms::words::condition(&rowids));
            }
        }
        let (sql, params) = sorted_sql(access, filters, &sort_columns(sort), None, now, through_terms, candidates);
        let mut stmt = self.conn().prepare(&sql)?;
        let mut doc_stmt = self.conn().prepare_cached("SELECT doc, product_arn, id FROM findings WHERE rowid = ?1")?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        // This thread reads (the ordered scan and decompression)...
        let mut read_batch = |_wait: bool| -> Result<parallel::Next<Vec<Scanned<R>>>> {
            let mut batch = Vec::with_capacity(BATCH);
            while batch.len() < BATCH {
                let Some(row) = rows.next()? else { break };
                let rowid: i64 = row.get(0)?;
                let mut doc_rows = doc_stmt.query([rowid])?;
                let Some(doc_row) = doc_rows.next()? else { continue };
                let (arn, id): (String, String) = (doc_row.get(1)?, doc_row.get(2)?);
                let blob = doc_row.get_ref(0)?.as_blob().map_err(|e| StoreError::Corrupt(e.to_string()));
                batch.push(match blob.and_then(|b| self.codec.decompress(b)) {
                    Ok(json) => Scanned::Json(json, arn, id),
                    Err(StoreError::Corrupt(why)) => Scanned::Unreadable(unreadable(why, arn, id)),
                    Err(e) => return Err(e),
                });
            }
            Ok(if batch.is_empty() { parallel::Next::End } else { parallel::Next::Item(batch) })
        };
        // ...either core parses, filters and renders (pure)...
        let prepare = |batch: Vec<Scanned<R>>| -> Vec<Scanned<R>> {
            batch
                .into_iter()
                .filter_map(|scanned| match scanned {
                    Scanned::Json(json, arn, id) => match parse_stored(&json) {
                        Ok(doc)
                            if filters.matches(&doc, now)
                                && crate::query::text_matches(words, &doc)
                                && keep.is_none_or(|f| f(&doc)) =>
                        {
                            Some(Scanned::Rendered(render(doc)))
                        }
                        Ok(_) => None,
                        Err(e) => Some(Scanned::Unreadable(unreadable(e.to_string(), arn, id))),
                    },
                    other => Some(other),
                })
                .collect()
        };
        // ...and this thread hands the matches over in order.
        let mut done = false;
        let consume = |prepared: Vec<Scanned<R>>| -> Result<()> {
            for scanned in prepared {
                if done {
                    break;
                }
                match scanned {
                    Scanned::Rendered(r) => {
                        if sink(r)? {
                            n += 1;
                            done = limit.is_some_and(|l| n >= l);
                        }
                    }
                    // A document that cannot be read is passed over and noted, as every read does.
                    Scanned::Unreadable(row) => self.note_unreadable(row),
                    Scanned::Json(..) => {}
                }
            }
            // Stop reading once the limit is reached: an error only this function sees.
            if done {
                return Err(StoreError::Io(LIMIT_REACHED.into()));
            }
            Ok(())
        };
        match parallel::prepare_stream(limit.is_none_or(|l| l > BATCH), 4, &mut read_batch, prepare, consume) {
            Err(StoreError::Io(m)) if m == LIMIT_REACHED => Ok(n),
            Err(e) => Err(e),
            Ok(()) => Ok(n),
        }
    }
}

/// How `for_each_rendered`'s consumer stops the stream at its limit.
const LIMIT_REACHED: &str = "\u{0}limit reached";

/// A document on its way through `for_each_rendered`: read, then rendered when it matches, or
/// unreadable.
enum Scanned<R> {
    /// Its JSON text, with its ProductArn and Id for a warning if it does not parse.
    Json(Vec<u8>, String, String),
    Rendered(R),
    Unreadable(UnreadableRow),
}

/// What `scan_sorted` calls with each matching document, a way to read its sort keys and its row id;
/// it says whether to go on.
type Visit<'a> = dyn FnMut(Value, &dyn Fn() -> Vec<SqlValue>, i64) -> Result<bool> + 'a;

/// The SQL of an ordered scan: the row ids (then the sort keys) of the rows `access` may see whose
/// columns pass the pushed-down filters (the resource index's too with `through_terms`, and the
/// free-word text's `candidates`), in `sort` order then row id, strictly after `after`.
pub(in crate::store) fn sorted_sql(
    access: &Access,
    filters: &Filters,
    sort: &[(String, bool)],
    after: Option<(Vec<SqlValue>, i64)>,
    now: OffsetDateTime,
    through_terms: bool,
    candidates: Option<(String, SqlValue)>,
) -> (String, Vec<SqlValue>) {
    let (mut conds, mut params) = selection(access, filters, now, through_terms, candidates, halves::ALL);
    // The product, control and triage indexes hold ASFF rows only (schema 14, partial): SQLite
    // walks one only for a read that compares its column. These columns are NOT NULL text, so
    // `>= ''` holds for every row, and a sort on one walks its index to a first page instead of
    // sorting every ASFF row first.
    if let Some((col, _)) = sort.first().filter(|(c, _)| PARTIAL_SORTS.contains(&c.as_str())) {
        conds.push(format!("{col} >= ''"));
    }
    if let Some((keys, rowid)) = after {
        // (k1, ..., kn, rowid) strictly after the last row returned, in sort order.
        let mut ors = Vec::new();
        for i in 0..=sort.len() {
            let mut ands = Vec::new();
            for (j, (col, _)) in sort.iter().enumerate().take(i) {
                ands.push(format!("{col} = ?"));
                params.push(keys[j].clone());
            }
            if let Some((col, desc)) = sort.get(i) {
                ands.push(format!("{col} {} ?", if *desc { "<" } else { ">" }));
                params.push(keys[i].clone());
            } else {
                ands.push("rowid > ?".into());
                params.push(SqlValue::Integer(rowid));
            }
            ors.push(format!("({})", ands.join(" AND ")));
        }
        conds.push(format!("({})", ors.join(" OR ")));
    }
    let where_clause = all_of(&conds);
    let order = sort
        .iter()
        .map(|(c, d)| format!("{c} {}", if *d { "DESC" } else { "ASC" }))
        .chain(std::iter::once("rowid ASC".to_string()))
        .collect::<Vec<_>>()
        .join(", ");
    let cols = sort.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT rowid, {cols} FROM findings WHERE format = 'asff' AND {where_clause} ORDER BY {order}");
    (sql, params)
}

/// The first columns of schema 14's partial (ASFF-only) indexes that a GetFindings sort can name.
const PARTIAL_SORTS: [&str; 3] = ["product_name", "control_id", "workflow_status"];

/// The store columns a GetFindings `SortCriteria` orders by (unknown fields are ignored, as the
/// service ignores them); the most recently updated first when none is given.
fn sort_columns(sort: &[SortCriterion]) -> Vec<(String, bool)> {
    let mut cols: Vec<(String, bool)> = sort
        .iter()
        .filter_map(|c| SORT_FIELDS.iter().find(|(f, _)| *f == c.field).map(|(_, col)| (col.to_string(), c.descending)))
        .collect();
    if cols.is_empty() {
        cols.push(("updated_ns".into(), true));
    }
    cols
}

impl Store {
    /// GetFindingHistory: newest first. A finding that does not exist has no history.
    pub fn finding_history(&self, req: &HistoryRequest) -> Result<HistoryPage> {
        self.finding_history_as(&Access::Unrestricted, req)
    }

    /// GetFindingHistory as a caller with `access`: a finding it may not see has no history, as one
    /// that does not exist.
    pub fn finding_history_as(&self, access: &Access, req: &HistoryRequest) -> Result<HistoryPage> {
        let found: Option<(i64, Option<i64>, String)> = self
            .conn()
            .prepare_cached(&format!("SELECT rowid, imported_ns, aws_account_id FROM findings WHERE {BY_KEY}"))?
            .query_row(rusqlite::params![id_hash(&req.key.id), req.key.id, req.key.product_arn], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map(Some)
            .or_else(|e| if e == rusqlite::Error::QueryReturnedNoRows { Ok(None) } else { Err(e) })?;
        let Some((rowid, imported_ns, account)) = found else { return Ok(HistoryPage::default()) };
        if !access.sees(&account) {
            return Ok(HistoryPage::default());
        }
        let before: i64 = match &req.next_token {
            None => i64::MAX,
            Some(t) => t.parse().map_err(|_| invalid("NextToken is not valid for GetFindingHistory"))?,
        };
        let start = req.start.map_or(i64::MIN, timestamp::to_nanos);
        let end = req.end.map_or(i64::MAX, timestamp::to_nanos);
        let mut stmt = self.conn().prepare_cached(
            "SELECT seq, at, source, identity, created, reason, updates FROM history
             WHERE finding = ?1 AND seq < ?2 AND at_ns >= ?3 AND at_ns <= ?4 ORDER BY seq DESC LIMIT ?5",
        )?;
        let limit = req.max_results as i64 + 1;
        let mut rows = stmt
            .query_map(rusqlite::params![rowid, before, start, end, limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        // Schema 5: the creation of a finding imported since is not a row; it is reported from
        // `imported_ns` as the oldest record, with sequence number 0 (rows start at 1).
        if let Some(ns) = imported_ns.filter(|ns| before > 0 && (start..=end).contains(ns)) {
            let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
                .map_err(|e| StoreError::Corrupt(format!("imported_ns {ns}: {e}")))?;
            rows.push((
                0,
                timestamp::format(at),
                SOURCE_IMPORT.into(),
                req.key.product_arn.to_string(),
                true,
                None,
                None,
            ));
        }
        let mut page = HistoryPage::default();
        let mut last_seq = None;
        for (seq, time, source, identity, created, reason, updates) in rows {
            if page.records.len() == req.max_results {
                page.next_token = last_seq.map(|s: i64| s.to_string());
                break;
            }
            let updates: Vec<FieldChange> = match updates {
                None => Vec::new(),
                Some(text) => {
                    let v: Value = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    v.as_array()
                        .map(|a| {
                            a.iter()
                                .map(|u| FieldChange {
                                    field: u["UpdatedField"].as_str().unwrap_or_default().to_string(),
                                    old: u["OldValue"].as_str().map(str::to_string),
                                    new: u["NewValue"].as_str().map(str::to_string),
                                })
                                .collect()
                        })
                        .unwrap_or_default()
                }
            };
            page.records.push(HistoryRecord { key: req.key.clone(), time, created, source, identity, reason, updates });
            last_seq = Some(seq);
        }
        Ok(page)
    }
}
