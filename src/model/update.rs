//! BatchUpdateFindings as data: the request, its validation (a request-level InvalidInputException
//! for invalid values), and how an update changes one finding. The rules are the BatchUpdateFindings
//! API reference's; the same checks serve the request JSON (`BatchUpdateRequest::from_json`) and a
//! typed update (`FindingUpdate::validate`).

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

mod rules;

pub use rules::UpdateError;
use rules::{
    check_identifier_count, check_not_blank, check_note_length, check_product, check_ratio, check_severity, check_type,
    check_type_count, check_user_field, check_user_field_count, MAX_RELATED,
};

use super::change::{render, FieldChange};
use super::enums::{SeverityLabel, VerificationState, WorkflowStatus};
use super::finding::{json_type, FindingKey};
use super::import::BufFields;
use super::timestamp;

/// Most findings one call may name (BatchUpdateFindings API reference, FindingIdentifiers).
pub const MAX_IDENTIFIERS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteUpdate {
    pub text: String,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeverityUpdate {
    pub label: Option<SeverityLabel>,
    pub normalized: Option<i64>,
    pub product: Option<f64>,
}

/// The fields of one BatchUpdateFindings call; `None` means "not touched".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FindingUpdate {
    pub note: Option<NoteUpdate>,
    pub severity: Option<SeverityUpdate>,
    pub verification_state: Option<VerificationState>,
    pub confidence: Option<i64>,
    pub criticality: Option<i64>,
    pub types: Option<Vec<String>>,
    pub user_defined_fields: Option<Vec<(String, String)>>,
    pub workflow_status: Option<WorkflowStatus>,
    pub related_findings: Option<Vec<FindingKey>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BatchUpdateRequest {
    pub identifiers: Vec<FindingKey>,
    pub update: FindingUpdate,
}

/// The request's members, in the order `from_json` and `validate` check them.
const MEMBERS: [&str; 10] = [
    "FindingIdentifiers",
    "Note",
    "Severity",
    "VerificationState",
    "Confidence",
    "Criticality",
    "Types",
    "UserDefinedFields",
    "Workflow",
    "RelatedFindings",
];

fn string_at<'a>(v: &'a Value, member: &str, at: &str) -> Result<&'a str, String> {
    match v.get(member) {
        Some(Value::String(s)) => {
            check_not_blank(s, || format!("{at}.{member}"))?;
            Ok(s)
        }
        Some(other) => Err(format!("{at}.{member} must be a string, not {}", json_type(other))),
        None => Err(format!("{at}.{member} is required")),
    }
}

fn ratio(v: &Value, at: &'static str) -> Result<i64, UpdateError> {
    match v.as_i64() {
        Some(n) => check_ratio(n, at),
        None => Err(UpdateError::NotARatio { member: at, value: v.to_string() }),
    }
}

fn parse_identifiers(v: &Value, at: &'static str, max: usize) -> Result<Vec<FindingKey>, String> {
    let list = v.as_array().ok_or_else(|| format!("{at} must be a list, not {}", json_type(v)))?;
    check_identifier_count(at, list.len(), max)?;
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let here = format!("{at}[{i}]");
            if !item.is_object() {
                return Err(format!("{here} must be an object with Id and ProductArn"));
            }
            Ok(FindingKey::new(string_at(item, "ProductArn", &here)?, string_at(item, "Id", &here)?))
        })
        .collect()
}

impl BatchUpdateRequest {
    /// Reads the exact AWS request JSON. Every error names the member at fault.
    pub fn from_json(v: &Value) -> Result<BatchUpdateRequest, String> {
        let obj = v.as_object().ok_or_else(|| "the request body must be a JSON object".to_string())?;
        if let Some(unknown) = obj.keys().find(|k| !MEMBERS.contains(&k.as_str())) {
            return Err(format!("unknown member {unknown}; BatchUpdateFindings accepts {}", MEMBERS.join(", ")));
        }
        let ids = obj.get("FindingIdentifiers").ok_or("FindingIdentifiers is required")?;
        let identifiers = parse_identifiers(ids, "FindingIdentifiers", MAX_IDENTIFIERS)?;
        if identifiers.is_empty() {
            return Err("FindingIdentifiers must name at least one finding".into());
        }
        let mut u = FindingUpdate::default();
        if let Some(n) = obj.get("Note") {
            if !n.is_object() {
                return Err("Note must be an object with Text and UpdatedBy".into());
            }
            let text = string_at(n, "Text", "Note")?;
            check_note_length(text)?;
            u.note =
                Some(NoteUpdate { text: text.to_string(), updated_by: string_at(n, "UpdatedBy", "Note")?.to_string() });
        }
        if let Some(s) = obj.get("Severity") {
            let s = s.as_object().ok_or("Severity must be an object")?;
            let mut sev = SeverityUpdate::default();
            if let Some(l) = s.get("Label") {
                sev.label = Some(
                    l.as_str()
                        .and_then(SeverityLabel::parse)
                        .ok_or_else(|| format!("Severity.Label {l} is not one of {}", SeverityLabel::allowed()))?,
                );
            }
            if let Some(n) = s.get("Normalized") {
                sev.normalized = Some(ratio(n, "Severity.Normalized")?);
            }
            if let Some(p) = s.get("Product") {
                let p = p.as_f64().ok_or_else(|| UpdateError::NotANumber { value: p.to_string() })?;
                sev.product = Some(check_product(p)?);
            }
            if let Some(k) = s.keys().find(|k| !["Label", "Normalized", "Product"].contains(&k.as_str())) {
                return Err(format!("unknown member Severity.{k}; Severity accepts Label, Normalized, Product"));
            }
            check_severity(&sev)?;
            u.severity = Some(sev);
        }
        if let Some(v) = obj.get("VerificationState") {
            u.verification_state = Some(
                v.as_str()
                    .and_then(VerificationState::parse)
                    .ok_or_else(|| format!("VerificationState {v} is not one of {}", VerificationState::allowed()))?,
            );
        }
        if let Some(v) = obj.get("Confidence") {
            u.confidence = Some(ratio(v, "Confidence")?);
        }
        if let Some(v) = obj.get("Criticality") {
            u.criticality = Some(ratio(v, "Criticality")?);
        }
        if let Some(v) = obj.get("Types") {
            let list = v.as_array().ok_or("Types must be a list of strings")?;
            check_type_count(list.len())?;
            let mut types = Vec::with_capacity(list.len());
            for (i, t) in list.iter().enumerate() {
                let t = t.as_str().ok_or_else(|| format!("Types[{i}] must be a string"))?;
                check_type(i, t)?;
                types.push(t.to_string());
            }
            u.types = Some(types);
        }
        if let Some(v) = obj.get("UserDefinedFields") {
            let map = v.as_object().ok_or("UserDefinedFields must be an object of string to string")?;
            check_user_field_count(map.len())?;
            let mut pairs = Vec::with_capacity(map.len());
            for (k, val) in map {
                let val = val.as_str().ok_or_else(|| format!("UserDefinedFields.{k} must be a string"))?;
                check_user_field(k, val)?;
                pairs.push((k.clone(), val.to_string()));
            }
            u.user_defined_fields = Some(pairs);
        }
        if let Some(w) = obj.get("Workflow") {
            let status = w.get("Status").ok_or("Workflow must have a Status")?;
            u.workflow_status = Some(
                status
                    .as_str()
                    .and_then(WorkflowStatus::parse)
                    .ok_or_else(|| format!("Workflow.Status {status} is not one of {}", WorkflowStatus::allowed()))?,
            );
        }
        if let Some(r) = obj.get("RelatedFindings") {
            u.related_findings = Some(parse_identifiers(r, "RelatedFindings", MAX_RELATED)?);
        }
        if u.is_empty() {
            return Err(UpdateError::NothingToUpdate.into());
        }
        Ok(BatchUpdateRequest { identifiers, update: u })
    }

    pub fn to_json(&self) -> Value {
        let mut m = self.update.to_json();
        m.insert("FindingIdentifiers".into(), Value::Array(self.identifiers.iter().map(FindingKey::to_json).collect()));
        Value::Object(m)
    }
}

impl FindingUpdate {
    pub fn is_empty(&self) -> bool {
        *self == FindingUpdate::default()
    }

    /// The request members for these fields (without FindingIdentifiers).
    pub fn to_json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        if let Some(n) = &self.note {
            m.insert("Note".into(), json!({"Text": n.text, "UpdatedBy": n.updated_by}));
        }
        if let Some(s) = &self.severity {
            let mut o = Map::new();
            if let Some(l) = s.label {
                o.insert("Label".into(), json!(l.as_str()));
            }
            if let Some(n) = s.normalized {
                o.insert("Normalized".into(), json!(n));
            }
            if let Some(p) = s.product {
                o.insert("Product".into(), json!(p));
            }
            m.insert("Severity".into(), Value::Object(o));
        }
        if let Some(v) = self.verification_state {
            m.insert("VerificationState".into(), json!(v.as_str()));
        }
        if let Some(c) = self.confidence {
            m.insert("Confidence".into(), json!(c));
        }
        if let Some(c) = self.criticality {
            m.insert("Criticality".into(), json!(c));
        }
        if let Some(t) = &self.types {
            m.insert("Types".into(), json!(t));
        }
        if let Some(u) = &self.user_defined_fields {
            let o: Map<String, Value> = u.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            m.insert("UserDefinedFields".into(), Value::Object(o));
        }
        if let Some(w) = self.workflow_status {
            m.insert("Workflow".into(), json!({"Status": w.as_str()}));
        }
        if let Some(r) = &self.related_findings {
            m.insert("RelatedFindings".into(), Value::Array(r.iter().map(FindingKey::to_json).collect()));
        }
        m
    }

    /// Applies the update to one stored finding. UpdatedAt is never changed (BatchUpdateFindings API
    /// reference). Returns each
    /// field's change and which provider-owned attributes the analyst has now set.
    pub fn apply(&self, doc: &mut Value, now: OffsetDateTime) -> (Vec<FieldChange>, BufFields) {
        let mut changes = Vec::new();
        let mut set = BufFields::default();
        let Some(obj) = doc.as_object_mut() else { return (changes, set) };
        let put = |obj: &mut Map<String, Value>, path: &[&str], new: Value, changes: &mut Vec<FieldChange>| {
            let (parent, leaf) = match path {
                [leaf] => (Some(&mut *obj), *leaf),
                [p, leaf] => {
                    let child = obj.entry(p.to_string()).or_insert_with(|| json!({}));
                    if !child.is_object() {
                        *child = json!({});
                    }
                    (child.as_object_mut(), *leaf)
                }
                _ => (None, ""),
            };
            let Some(parent) = parent else { return };
            let old = parent.insert(leaf.to_string(), new.clone());
            if old.as_ref() != Some(&new) {
                changes.push(FieldChange {
                    field: path.join("."),
                    old: old.as_ref().map(render),
                    new: Some(render(&new)),
                });
            }
        };
        if let Some(n) = &self.note {
            put(obj, &["Note", "Text"], json!(n.text), &mut changes);
            put(obj, &["Note", "UpdatedBy"], json!(n.updated_by), &mut changes);
            put(obj, &["Note", "UpdatedAt"], json!(timestamp::format(now)), &mut changes);
        }
        if let Some(s) = &self.severity {
            // BatchUpdateFindings API reference, Severity: a label alone sets Normalized to 0/1/40/70/90; Normalized alone derives the label.
            let (label, normalized) = match (s.label, s.normalized) {
                (Some(l), Some(n)) => (Some(l), Some(n)),
                (Some(l), None) => (Some(l), Some(l.to_normalized())),
                (None, Some(n)) => (Some(SeverityLabel::from_normalized(n)), Some(n)),
                (None, None) => (None, None),
            };
            if let Some(l) = label {
                put(obj, &["Severity", "Label"], json!(l.as_str()), &mut changes);
            }
            if let Some(n) = normalized {
                put(obj, &["Severity", "Normalized"], json!(n), &mut changes);
            }
            if let Some(p) = s.product {
                put(obj, &["Severity", "Product"], json!(p), &mut changes);
            }
            set = set.union(BufFields::SEVERITY);
        }
        if let Some(v) = self.verification_state {
            put(obj, &["VerificationState"], json!(v.as_str()), &mut changes);
        }
        if let Some(c) = self.confidence {
            put(obj, &["Confidence"], json!(c), &mut changes);
            set = set.union(BufFields::CONFIDENCE);
        }
        if let Some(c) = self.criticality {
            put(obj, &["Criticality"], json!(c), &mut changes);
            set = set.union(BufFields::CRITICALITY);
        }
        if let Some(t) = &self.types {
            put(obj, &["Types"], json!(t), &mut changes);
            set = set.union(BufFields::TYPES);
        }
        if let Some(pairs) = &self.user_defined_fields {
            // Keys are merged into the existing map: a call adds or replaces the keys it names.
            for (k, v) in pairs {
                put(obj, &["UserDefinedFields", k], json!(v), &mut changes);
            }
        }
        if let Some(w) = self.workflow_status {
            put(obj, &["Workflow", "Status"], json!(w.as_str()), &mut changes);
        }
        if let Some(r) = &self.related_findings {
            put(obj, &["RelatedFindings"], Value::Array(r.iter().map(FindingKey::to_json).collect()), &mut changes);
            set = set.union(BufFields::RELATED_FINDINGS);
        }
        (changes, set)
    }

    /// A one-line description for previews: "Workflow RESOLVED, Note".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(w) = self.workflow_status {
            parts.push(format!("Workflow {w}"));
        }
        if let Some(s) = &self.severity {
            match (s.label, s.normalized) {
                (Some(l), _) => parts.push(format!("Severity {l}")),
                (None, Some(n)) => parts.push(format!("Severity {n}")),
                _ => parts.push("Severity".into()),
            }
        }
        if let Some(v) = self.verification_state {
            parts.push(format!("VerificationState {v}"));
        }
        if let Some(c) = self.confidence {
            parts.push(format!("Confidence {c}"));
        }
        if let Some(c) = self.criticality {
            parts.push(format!("Criticality {c}"));
        }
        if self.types.is_some() {
            parts.push("Types".into());
        }
        if self.user_defined_fields.is_some() {
            parts.push("UserDefinedFields".into());
        }
        if self.related_findings.is_some() {
            parts.push("RelatedFindings".into());
        }
        if self.note.is_some() {
            parts.push("Note".into());
        }
        parts.join(", ")
    }
}

#[cfg(test)]
#[cfg(test)]
mod tests;
