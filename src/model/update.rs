//! BatchUpdateFindings as data: the update (`FindingUpdate`), its validation (a request-level
//! InvalidInputException for invalid values), and how an update changes one finding. The rules are
//! the BatchUpdateFindings API reference's; the same checks serve the request JSON
//! (`model::wire::batch_update::BatchUpdateRequest::from_json`, which reads and prints the request)
//! and a typed update (`FindingUpdate::validate`).

use serde_json::{json, Map, Value};
use time::OffsetDateTime;

pub(crate) mod rules;

pub use rules::UpdateError;

use super::change::{render, FieldChange};
use super::enums::{SeverityLabel, VerificationState, WorkflowStatus};
use super::finding::FindingKey;
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
    /// The exact BatchUpdateFindingsV2 update an OCSF finding gets instead of the one derived from
    /// the members above (`to_v2`): undo sets it to put back a finding's previous `status_id`,
    /// `severity_id` and `comment`, which the ASFF labels cannot all name (Fatal, Archived, ...).
    /// Never part of a BatchUpdateFindings request.
    pub v2: Option<super::ocsf::OcsfUpdate>,
}

/// The request's members, in the order `BatchUpdateRequest::from_json` and `validate` check them.
pub(crate) const MEMBERS: [&str; 10] = [
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

impl FindingUpdate {
    pub fn is_empty(&self) -> bool {
        *self == FindingUpdate::default()
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
mod tests;
