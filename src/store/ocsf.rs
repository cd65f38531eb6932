//! OCSF (Security Hub V2) findings in the store: their import (hubtriage's rules, `model::ocsf::import`),
//! GetFindingsV2 and BatchUpdateFindingsV2. They share the `findings` table with ASFF findings
//! (`format = 'ocsf'`, schema 7): `id` holds `metadata.uid`, `product_arn` holds
//! `metadata.product.uid`, `finding_uid` holds `finding_info.uid`, and the summary columns come from
//! `FindingSummary::from_ocsf`, so one list can order both formats alike. The V1 reads keep to
//! `format = 'asff'`.

use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Map, Value};

use super::codec::Codec;
use super::query::and_visible;
use super::rows::decompress;
use super::{id_hash, Access, Result, Store, StoreError};
use crate::model::finding::{str_at, FindingId, FindingKey};
use crate::model::ocsf::filter::compare_findings;
use crate::model::ocsf::import::V2Edited;
use crate::model::ocsf::{same, Ocsf};
use crate::model::summary::FindingSummary;
use crate::model::timestamp;
use crate::model::wire::get_findings_v2::{FindingsV2Page, GetFindingsV2Request};

/// A stored OCSF finding as a write needs it.
struct StoredOcsf {
    rowid: i64,
    doc: Value,
    edited: V2Edited,
}

/// Finds an OCSF finding by its `metadata.uid`.
pub(crate) const BY_UID: &str = "format = 'ocsf' AND id_hash = ?1 AND id = ?2";
/// Finds an OCSF finding by BatchUpdateFindingsV2's identifier triple (?4: the `id_hash` of
/// `finding_info.uid`, ?1; schema 15's `findings_ocsf_finding`).
pub(crate) const BY_TRIPLE: &str =
    "format = 'ocsf' AND finding_hash = ?4 AND finding_uid = ?1 AND aws_account_id = ?2 AND product_arn = ?3";

fn load(
    codec: &Codec,
    tx: &Transaction<'_>,
    cond: &str,
    values: &[&dyn rusqlite::ToSql],
) -> Result<Option<StoredOcsf>> {
    let row: Option<(i64, Vec<u8>, i64)> = tx
        .prepare_cached(&format!("SELECT rowid, doc, v2_edited FROM findings WHERE {cond}"))?
        .query_row(values, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((rowid, blob, edited)) = row else { return Ok(None) };
    let doc = decompress(codec, &blob)?;
    Ok(Some(StoredOcsf { rowid, doc, edited: V2Edited(u8::try_from(edited).unwrap_or(0)) }))
}

/// The row's columns for `doc`: the summary `FindingSummary::from_ocsf` reads, and the document.
fn columns(codec: &Codec, doc: &Value) -> Result<Vec<(&'static str, SqlValue)>> {
    let json = serde_json::to_vec(doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    row_columns(codec, doc, &json)
}

/// `columns`, given the document's compact JSON text `json` (serialised once by the caller).
fn row_columns(codec: &Codec, doc: &Value, json: &[u8]) -> Result<Vec<(&'static str, SqlValue)>> {
    Ok(new_row(codec, doc, json)?.into_columns())
}

/// A row's column value in a `NewRow`: a text is a range of its `texts`.
#[derive(Debug)]
enum Col {
    Text(std::ops::Range<usize>),
    Integer(i64),
    Null,
    Blob(Vec<u8>),
}

/// A new OCSF finding's row, as `row_columns` gives it, with every text column in one buffer: an
/// import makes one per finding on either core and writes it on the import thread, and twenty
/// `String`s each allocated there and freed here were ~5% of a finding's cost (perf, 100,000).
#[derive(Debug)]
pub(super) struct NewRow {
    texts: String,
    cols: Vec<(&'static str, Col)>,
}

impl NewRow {
    /// The columns' names and values, borrowed, in order.
    pub(super) fn values(&self) -> impl Iterator<Item = (&'static str, ValueRef<'_>)> + '_ {
        self.cols.iter().map(|(name, c)| {
            let v = match c {
                Col::Text(r) => ValueRef::Text(self.texts.as_bytes().get(r.clone()).unwrap_or_default()),
                Col::Integer(i) => ValueRef::Integer(*i),
                Col::Null => ValueRef::Null,
                Col::Blob(b) => ValueRef::Blob(b),
            };
            (*name, v)
        })
    }

    fn into_columns(self) -> Vec<(&'static str, SqlValue)> {
        let NewRow { texts, cols } = self;
        cols.into_iter()
            .map(|(name, c)| {
                let v = match c {
                    Col::Text(r) => SqlValue::Text(texts.get(r).unwrap_or_default().to_string()),
                    Col::Integer(i) => SqlValue::Integer(i),
                    Col::Null => SqlValue::Null,
                    Col::Blob(b) => SqlValue::Blob(b),
                };
                (name, v)
            })
            .collect()
    }
}

/// The row of `row_columns`, made once.
fn new_row(codec: &Codec, doc: &Value, json: &[u8]) -> Result<NewRow> {
    let mut blob = Vec::new();
    codec.compress(json, &mut blob)?;
    let f = Ocsf(doc);
    let s = FindingSummary::from_ocsf(doc);
    let mut texts = String::with_capacity(1024);
    let mut text = |t: &str| {
        let start = texts.len();
        texts.push_str(t);
        Col::Text(start..texts.len())
    };
    let opt = |i: Option<i64>| i.map_or(Col::Null, Col::Integer);
    let created = f.created_time();
    let uid = f.metadata_uid();
    let cols = vec![
        ("product_arn", text(f.product_uid())),
        ("id", text(uid)),
        ("id_hash", Col::Integer(id_hash(uid))),
        ("finding_uid", text(f.finding_uid())),
        ("finding_hash", Col::Integer(id_hash(f.finding_uid()))),
        ("product_name", text(f.product_name())),
        // What `generate::is_demo` reads of an OCSF finding, where `store::demo` looks for it.
        ("company_name", text(str_at(doc, &["metadata", "product", "vendor_name"]))),
        ("generator_id", text(str_at(doc, &["finding_info", "analytic", "name"]))),
        ("aws_account_id", text(f.account())),
        ("region", text(f.region())),
        ("title", text(f.title())),
        ("severity_label", text(s.severity.map_or("", |l| l.as_str()))),
        ("severity_rank", Col::Integer(s.severity.map_or(-1, |l| i64::from(l.rank())))),
        ("workflow_status", text(s.workflow.map_or("", |w| w.as_str()))),
        ("record_state", text(s.record_state.map_or("", |w| w.as_str()))),
        ("compliance_status", text(s.compliance.map_or("", |w| w.as_str()))),
        ("control_id", text(f.control())),
        ("resource_type", text(&s.resource_type)),
        ("resource_id", text(&s.resource_id)),
        ("types", text(&f.types().join("\n"))),
        ("created_at", text(&created.map(timestamp::format).unwrap_or_default())),
        ("created_ns", Col::Integer(created.map_or(0, timestamp::to_nanos))),
        ("updated_at", text(&s.updated_at())),
        ("updated_ns", Col::Integer(s.updated_ns)),
        ("note_text", text(f.comment())),
        ("confidence", opt(s.confidence)),
        ("doc_size", Col::Integer(json.len() as i64)),
        ("doc", Col::Blob(blob)),
    ];
    Ok(NewRow { texts, cols })
}

/// The row's columns an update of the `EDITED_MEMBERS` changes (`edited`, those members after it;
/// `set`, the members the update sets), and the new document text `json`: the same values
/// `columns` gives them for the whole document. A column a member the update does not set gives
/// is left out: an UPDATE naming an indexed column rewrites its index entries even when the value
/// is the same (a status edit need not touch the severity index).
fn edited_columns(codec: &Codec, edited: &Value, set: V2Edited, json: &[u8]) -> Result<Vec<(&'static str, SqlValue)>> {
    let mut blob = Vec::new();
    codec.compress(json, &mut blob)?;
    let s = FindingSummary::from_ocsf(edited);
    let text = |t: &str| SqlValue::Text(t.to_string());
    let mut cols = Vec::with_capacity(7);
    if set.contains(V2Edited::SEVERITY) {
        cols.push(("severity_label", text(s.severity.map_or("", |l| l.as_str()))));
        cols.push(("severity_rank", SqlValue::Integer(s.severity.map_or(-1, |l| i64::from(l.rank())))));
    }
    if set.contains(V2Edited::STATUS) {
        cols.push(("workflow_status", text(s.workflow.map_or("", |w| w.as_str()))));
        cols.push(("record_state", text(s.record_state.map_or("", |w| w.as_str()))));
    }
    if set.contains(V2Edited::COMMENT) {
        cols.push(("note_text", text(Ocsf(edited).comment())));
    }
    cols.push(("doc_size", SqlValue::Integer(json.len() as i64)));
    cols.push(("doc", SqlValue::Blob(blob)));
    Ok(cols)
}

pub(crate) fn insert(tx: &Transaction<'_>, codec: &Codec, doc: &Value, now_ns: i64) -> Result<i64> {
    insert_columns(tx, columns(codec, doc)?, now_ns)
}

/// Inserts a new OCSF finding's row, imported at `now_ns`, from its columns (`columns`).
fn insert_columns(tx: &Transaction<'_>, mut cols: Vec<(&'static str, SqlValue)>, now_ns: i64) -> Result<i64> {
    cols.push(("format", SqlValue::Text("ocsf".into())));
    cols.push(("imported_ns", SqlValue::Integer(now_ns)));
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO findings ({}) VALUES ({})", names.join(", "), marks.join(", "));
    tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(cols.into_iter().map(|(_, v)| v)))?;
    Ok(tx.last_insert_rowid())
}

pub(crate) fn rewrite(tx: &Transaction<'_>, codec: &Codec, rowid: i64, doc: &Value, edited: V2Edited) -> Result<()> {
    rewrite_columns(tx, rowid, columns(codec, doc)?, edited)
}

/// `rewrite` with the row's columns made already (off this thread).
fn rewrite_columns(
    tx: &Transaction<'_>,
    rowid: i64,
    mut cols: Vec<(&'static str, SqlValue)>,
    edited: V2Edited,
) -> Result<()> {
    cols.push(("v2_edited", SqlValue::Integer(i64::from(edited.0))));
    let sets: Vec<String> = cols.iter().enumerate().map(|(i, (n, _))| format!("{n} = ?{}", i + 1)).collect();
    let sql = format!("UPDATE findings SET {} WHERE rowid = ?{}", sets.join(", "), cols.len() + 1);
    let mut values: Vec<SqlValue> = cols.into_iter().map(|(_, v)| v).collect();
    values.push(SqlValue::Integer(rowid));
    tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

/// The NextToken of a page sorted by SortCriteria: the request's fingerprint and the last
/// finding's sort keys (the top-level members the criteria read, and `metadata.uid`), so the next
/// page starts after it wherever findings were added or changed meanwhile, and returns each finding
/// once. Without SortCriteria the cursor is the last finding's row (`first_stored_v2`).
fn cursor_of(doc: &Value, request: &GetFindingsV2Request) -> Value {
    let mut cursor = Map::new();
    if let Some(obj) = doc.as_object() {
        for c in &request.sort {
            let top = c.field.split('.').next().unwrap_or_default();
            if let Some(v) = obj.get(top) {
                cursor.insert(top.to_string(), v.clone());
            }
        }
    }
    cursor.insert("metadata".into(), json!({"uid": Ocsf(doc).metadata_uid()}));
    Value::Object(cursor)
}

fn fingerprint(request: &GetFindingsV2Request) -> String {
    let sort: Vec<Value> = request.sort.iter().map(|c| json!([c.field, c.descending])).collect();
    let text = json!([request.filters.to_json(), sort]).to_string();
    format!("{:016x}", crate::model::fnv1a(text.as_bytes()))
}

fn token_of(request: &GetFindingsV2Request, last: &Value) -> String {
    token_after(request, cursor_of(last, request))
}

/// The NextToken of a page whose reading resumes after `cursor`.
fn token_after(request: &GetFindingsV2Request, cursor: Value) -> String {
    let body = json!({"q": fingerprint(request), "after": cursor}).to_string();
    format!("v2.{}", body.bytes().map(|b| format!("{b:02x}")).collect::<String>())
}

fn bad_token() -> StoreError {
    StoreError::InvalidInput("NextToken is not a token this query returned".into())
}

fn token_cursor(token: &str, request: &GetFindingsV2Request) -> Result<Value> {
    let bad = bad_token;
    let hex = token.strip_prefix("v2.").ok_or_else(bad)?;
    if !hex.len().is_multiple_of(2) {
        return Err(bad());
    }
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect();
    let v: Value = serde_json::from_slice(&bytes.ok_or_else(bad)?).map_err(|_| bad())?;
    if v.get("q").and_then(Value::as_str) != Some(fingerprint(request).as_str()) {
        return Err(bad());
    }
    v.get("after").cloned().ok_or_else(bad)
}

impl Store {
    /// GetFindingsV2: the OCSF findings `access` may see that match the filters exactly
    /// (`OcsfFindingFilters::matches`), in `compare_findings` order with SortCriteria (the order
    /// they were stored in without: `first_stored_v2`), a page of `max_results` from where the
    /// NextToken left off.
    pub fn get_findings_v2_as(&self, access: &Access, request: &GetFindingsV2Request) -> Result<FindingsV2Page> {
        if !(1..=100).contains(&request.max_results) {
            return Err(StoreError::InvalidInput(format!(
                "MaxResults must be an integer from 1 to 100, not {}",
                request.max_results
            )));
        }
        let after = request.next_token.as_deref().map(|t| token_cursor(t, request)).transpose()?;
        let now = self.now();
        let (cond, values) = and_visible(access);
        if request.sort.is_empty() {
            return self.first_stored_v2(request, after.as_ref(), &cond, values, now);
        }
        let mut stmt = self.conn.prepare(&format!("SELECT doc FROM findings WHERE format = 'ocsf'{cond}"))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
        let mut matched = Vec::new();
        while let Some(row) = rows.next()? {
            let blob: Vec<u8> = row.get(0)?;
            let doc = decompress(&self.codec, &blob)?;
            if !request.filters.matches(&doc, now) {
                continue;
            }
            if let Some(a) = &after {
                if compare_findings(&doc, a, &request.sort) != std::cmp::Ordering::Greater {
                    continue;
                }
            }
            matched.push(doc);
        }
        matched.sort_by(|a, b| compare_findings(a, b, &request.sort));
        let more = matched.len() > request.max_results;
        matched.truncate(request.max_results);
        let next_token = if more { matched.last().map(|last| token_of(request, last)) } else { None };
        Ok(FindingsV2Page { findings: matched, next_token })
    }

    /// GetFindingsV2 without SortCriteria: the matching findings in the order they were first
    /// stored (row order, schema 16's `findings_ocsf_rows`), read in that order from the cursor's
    /// row on, stopping once a page and one more have matched instead of opening every document (a
    /// first page over 100,000 findings in milliseconds, docs/performance.md). AWS documents no
    /// order here; this one is deterministic, a row's place never changes (an import or an edit
    /// rewrites the row in place), so paging never returns a finding twice, and a finding stored
    /// while a client pages comes after the rows it has read (SQLite numbers a new row above the
    /// largest). EQUALS conditions every match
    /// meets, on members the row has a column for, narrow the rows read before a document is
    /// opened (each document is still filtered); `metadata.uid`'s searches its hash.
    fn first_stored_v2(
        &self,
        request: &GetFindingsV2Request,
        after: Option<&Value>,
        cond: &str,
        mut values: Vec<SqlValue>,
        now: time::OffsetDateTime,
    ) -> Result<FindingsV2Page> {
        let mut narrow = String::new();
        let mut by_uid = false;
        for (field, value) in request.filters.required_equals() {
            let column = match field {
                "cloud.region" => "region",
                "cloud.account.uid" => "aws_account_id",
                "metadata.product.uid" => "product_arn",
                "finding_info.uid" => "finding_uid",
                "metadata.uid" => {
                    by_uid = true;
                    narrow.push_str(" AND id_hash = ?");
                    values.push(SqlValue::Integer(id_hash(value)));
                    "id"
                }
                _ => continue,
            };
            narrow.push_str(&format!(" AND {column} = ?"));
            values.push(SqlValue::Text(value.to_string()));
        }
        if let Some(a) = after {
            let row = a.get("row").and_then(Value::as_i64).ok_or_else(bad_token)?;
            values.push(SqlValue::Integer(row));
        }
        let from = if after.is_some() { " AND rowid > ?" } else { "" };
        // SQLite (without statistics) would rather walk `findings_ocsf_rows` than search the hash.
        let index = if by_uid { " INDEXED BY findings_id_hash" } else { "" };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT rowid, doc FROM findings{index} WHERE format = 'ocsf'{cond}{narrow}{from} ORDER BY rowid"
        ))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
        let mut matched = Vec::new();
        while let Some(row) = rows.next()? {
            let doc = decompress(&self.codec, row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?)?;
            if request.filters.matches(&doc, now) {
                matched.push((row.get::<_, i64>(0)?, doc));
                if matched.len() > request.max_results {
                    break;
                }
            }
        }
        let more = matched.len() > request.max_results;
        matched.truncate(request.max_results);
        let next_token =
            if more { matched.last().map(|(row, _)| token_after(request, json!({"row": row}))) } else { None };
        Ok(FindingsV2Page { findings: matched.into_iter().map(|(_, doc)| doc).collect(), next_token })
    }

    /// The `metadata.uid`s of the OCSF findings `access` may see whose ASFF reading
    /// (`model::ocsf::asff_view`) matches `filters` and `extra` (the query's free words): the query
    /// language means the same on both formats.
    /// The `metadata.uid` of the OCSF form of the ASFF finding `key` (`model::ocsf::same`), when
    /// the store holds it and `access` may see it: an edit of the ASFF finding goes to it too.
    pub fn ocsf_twin_as(&self, access: &Access, key: &FindingKey) -> Result<Option<String>> {
        let (finding_uid, product_uid) = same::ocsf_ref_of(key);
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, aws_account_id FROM findings \
             WHERE format = 'ocsf' AND finding_hash = ?3 AND finding_uid = ?1 AND product_arn = ?2",
        )?;
        let mut rows = stmt.query(params![finding_uid, product_uid, id_hash(finding_uid)])?;
        while let Some(r) = rows.next()? {
            if access.sees(&r.get::<_, String>(1)?) {
                return Ok(Some(r.get(0)?));
            }
        }
        Ok(None)
    }

    /// Whether the OCSF finding with this `finding_info.uid` and `metadata.product.uid` is also
    /// stored in its ASFF form, which `access` may see. Listings show such a finding once, as its
    /// ASFF row (`model::ocsf::same`).
    pub fn has_asff_twin(&self, access: &Access, finding_uid: &str, product_uid: &str) -> Result<bool> {
        if finding_uid.is_empty() {
            return Ok(false);
        }
        let product_arn = crate::model::ocsf::asff_product_arn(product_uid);
        let mut stmt = self.conn.prepare_cached(
            "SELECT aws_account_id FROM findings \
             WHERE id_hash = ?1 AND id = ?2 AND product_arn = ?3 AND format = 'asff'",
        )?;
        let mut rows = stmt.query(params![id_hash(finding_uid), finding_uid, product_arn])?;
        while let Some(r) = rows.next()? {
            if access.sees(&r.get::<_, String>(0)?) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The findings `access` may see that an identifier names: an ASFF finding by its `Id` (one per
    /// product that has it), an OCSF one by its `metadata.uid`. `update --ids` resolves a bare
    /// identifier with this, so each goes to its own API.
    pub fn findings_named_as(&self, access: &Access, id: &str) -> Result<Vec<FindingId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT format, product_arn, aws_account_id FROM findings WHERE id_hash = ?1 AND id = ?2",
        )?;
        let rows = stmt.query_map(params![id_hash(id), id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        let mut found = Vec::new();
        for row in rows {
            let (format, product, account) = row?;
            if !access.sees(&account) {
                continue;
            }
            found.push(match format.as_str() {
                "ocsf" => FindingId::Ocsf(id.to_string()),
                _ => FindingId::Asff(FindingKey::new(product, id)),
            });
        }
        Ok(found)
    }

    pub fn matching_ocsf_as(
        &self,
        access: &Access,
        filters: &crate::model::filter::Filters,
        extra: Option<&dyn Fn(&Value) -> bool>,
    ) -> Result<Vec<String>> {
        self.matching_ocsf_uids_as(access, filters, extra, true)
    }

    /// The `metadata.uid`s of the OCSF findings `access` may see that match, in storage order.
    /// With `asff_listed`, a finding stored in both forms is its ASFF row's and is left out; without
    /// (a remote read with `--api v2`: no ASFF row listed), its OCSF form stands for it.
    pub fn matching_ocsf_uids_as(
        &self,
        access: &Access,
        filters: &crate::model::filter::Filters,
        extra: Option<&dyn Fn(&Value) -> bool>,
        asff_listed: bool,
    ) -> Result<Vec<String>> {
        let mut out = Vec::new();
        self.for_each_matching_ocsf(access, filters, extra, asff_listed, &mut |doc| {
            out.push(Ocsf(&doc).metadata_uid().to_string())
        })?;
        Ok(out)
    }

    /// The documents of the OCSF findings `matching_ocsf_uids_as` names, in storage order.
    pub fn matching_ocsf_docs_as(
        &self,
        access: &Access,
        filters: &crate::model::filter::Filters,
        extra: Option<&dyn Fn(&Value) -> bool>,
        asff_listed: bool,
    ) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        self.for_each_matching_ocsf(access, filters, extra, asff_listed, &mut |doc| out.push(doc))?;
        Ok(out)
    }

    fn for_each_matching_ocsf(
        &self,
        access: &Access,
        filters: &crate::model::filter::Filters,
        extra: Option<&dyn Fn(&Value) -> bool>,
        skip_twins: bool,
        sink: &mut dyn FnMut(Value),
    ) -> Result<()> {
        let now = self.now();
        let (cond, values) = and_visible(access);
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT doc, finding_uid, product_arn FROM findings WHERE format = 'ocsf'{cond}"))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values))?;
        while let Some(row) = rows.next()? {
            // A finding stored in both forms is listed (and selected) once, as its ASFF row; an
            // update of that row goes to this one too (`ocsf_twin_as`).
            if skip_twins
                && self.has_asff_twin(
                    access,
                    &row.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    &row.get::<_, String>(2)?,
                )?
            {
                continue;
            }
            let blob: Vec<u8> = row.get(0)?;
            let doc = decompress(&self.codec, &blob)?;
            let view = crate::model::ocsf::asff_view(&doc);
            if filters.matches(&view, now) && extra.is_none_or(|f| f(&view)) {
                sink(doc);
            }
        }
        Ok(())
    }

    /// The stored OCSF document with this `metadata.uid`, if `access` may see it.
    pub fn get_ocsf_as(&self, access: &Access, uid: &str) -> Result<Option<Value>> {
        let row: Option<(Vec<u8>, String)> = self
            .conn
            .prepare_cached(&format!("SELECT doc, aws_account_id FROM findings WHERE {BY_UID}"))?
            .query_row(params![id_hash(uid), uid], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.filter(|(_, account)| access.sees(account)).map(|(b, _)| decompress(&self.codec, &b)).transpose()
    }
}

mod import;
pub(super) mod update;
mod write;

#[cfg(test)]
mod tests;
