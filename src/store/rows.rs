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

/// Inserts a new finding, created by an import at `now_ns`. Its creation is not a history row: the
/// history reports it from `imported_ns` (schema 5).
pub(super) fn insert_finding(
    tx: &rusqlite::Transaction<'_>,
    key: &FindingKey,
    encoded: Encoded,
    now_ns: i64,
) -> Result<i64> {
    use rusqlite::types::Value as V;
    let mut stmt = tx.prepare_cached(&INSERT_FINDING)?;
    for (i, v) in encoded.summary.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, v)?;
    }
    stmt.raw_bind_parameter(28, encoded.confidence.map_or(V::Null, V::Integer))?;
    stmt.raw_bind_parameter(29, encoded.criticality.map_or(V::Null, V::Integer))?;
    stmt.raw_bind_parameter(30, encoded.json_len as i64)?;
    stmt.raw_bind_parameter(31, encoded.blob.as_slice())?;
    stmt.raw_bind_parameter(32, id_hash(&key.id))?;
    stmt.raw_bind_parameter(33, now_ns)?;
    stmt.raw_execute()?;
    Ok(tx.last_insert_rowid())
}

/// A document as it is written: its summary columns, serialised size and compressed form.
pub(super) struct Encoded {
    summary: [rusqlite::types::Value; 27],
    confidence: Option<i64>,
    criticality: Option<i64>,
    json_len: usize,
    blob: Vec<u8>,
}

impl Encoded {
    /// `doc`, whose serialised form `scratch.json` holds, compressed.
    pub(super) fn of(doc: &Value, scratch: &mut Scratch, codec: &Codec) -> Result<Encoded> {
        codec.compress(&scratch.json, &mut scratch.blob)?;
        let s = Summary::of(doc);
        let (confidence, criticality) = (s.confidence, s.criticality);
        Ok(Encoded {
            summary: summary_params(s),
            confidence,
            criticality,
            json_len: scratch.json.len(),
            blob: scratch.blob.clone(),
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
    Ok(())
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
