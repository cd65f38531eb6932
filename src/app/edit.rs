//! Pure helpers for edits: what restores a finding's previous values (undo), and the optimistic
//! change to a list row. Grouping updates into calls is `model::plan::CallPlan`.

use serde_json::Value;

use super::row::Row;
use super::state::RowFields;
use crate::model::enums::{SeverityLabel, WorkflowStatus};
use crate::model::finding::{int_of, str_at, value_at, Summary};
use crate::model::update::{FindingUpdate, NoteUpdate, SeverityUpdate};

/// The update that puts back what `update` is about to change in `doc`. A field the finding did
/// not have cannot be removed by BatchUpdateFindings, so it is left out.
pub fn restore_for(doc: &Value, update: &FindingUpdate) -> FindingUpdate {
    let s = Summary::of(doc);
    let mut r = FindingUpdate::default();
    if update.workflow_status.is_some() {
        r.workflow_status = s.workflow_status;
    }
    if update.severity.is_some() && (s.severity_label.is_some() || s.severity_normalized.is_some()) {
        r.severity = Some(SeverityUpdate { label: s.severity_label, normalized: s.severity_normalized, product: None });
    }
    if update.verification_state.is_some() {
        r.verification_state = s.verification_state;
    }
    if update.confidence.is_some() {
        r.confidence = doc.get("Confidence").and_then(int_of);
    }
    if update.criticality.is_some() {
        r.criticality = doc.get("Criticality").and_then(int_of);
    }
    if update.note.is_some() && !s.note_text.trim().is_empty() {
        let by = if s.note_updated_by.trim().is_empty() { "unknown".to_string() } else { s.note_updated_by };
        r.note = Some(NoteUpdate { text: s.note_text, updated_by: by });
    }
    if update.types.is_some() {
        if let Some(list) = value_at(doc, &["Types"]).and_then(Value::as_array) {
            r.types = Some(list.iter().filter_map(Value::as_str).map(str::to_string).collect());
        }
    }
    if let Some(fields) = &update.user_defined_fields {
        let old: Vec<(String, String)> = fields
            .iter()
            .filter_map(|(k, _)| {
                let v = str_at(doc, &["UserDefinedFields", k]);
                (!v.trim().is_empty()).then(|| (k.clone(), v.to_string()))
            })
            .collect();
        if !old.is_empty() {
            r.user_defined_fields = Some(old);
        }
    }
    r
}

pub fn row_fields(r: &Row) -> RowFields {
    RowFields {
        workflow: r.workflow,
        severity: r.severity,
        verification: r.verification,
        confidence: r.confidence,
        criticality: r.criticality,
    }
}

pub fn set_row_fields(r: &mut Row, f: RowFields) {
    r.workflow = f.workflow;
    r.severity = f.severity;
    r.verification = f.verification;
    r.confidence = f.confidence;
    r.criticality = f.criticality;
}

/// Shows the update in the list before the backend confirms it.
pub fn apply_to_row(r: &mut Row, u: &FindingUpdate) {
    if let Some(w) = u.workflow_status {
        r.workflow = Some(w);
    }
    if let Some(s) = &u.severity {
        r.severity = s.label.or(s.normalized.map(SeverityLabel::from_normalized)).or(r.severity);
    }
    if let Some(v) = u.verification_state {
        r.verification = Some(v);
    }
    if let Some(c) = u.confidence {
        r.confidence = Some(c);
    }
    if let Some(c) = u.criticality {
        r.criticality = Some(c);
    }
}

/// "Workflow RESOLVED and Note", "Workflow NOTIFIED, Confidence 1 and Note": the preview's words.
pub fn describe(u: &FindingUpdate) -> String {
    let d = u.describe();
    match d.rsplit_once(", ") {
        Some((head, last)) => format!("{head} and {last}"),
        None => d,
    }
}

/// A quick-key update: workflow status with an optional note.
pub fn workflow_update(status: WorkflowStatus, note: Option<(&str, &str)>) -> FindingUpdate {
    FindingUpdate {
        workflow_status: Some(status),
        note: note.map(|(text, by)| NoteUpdate { text: text.to_string(), updated_by: by.to_string() }),
        ..FindingUpdate::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn restore_puts_back_only_what_existed() {
        let doc = json!({
            "Workflow": {"Status": "NEW"}, "Severity": {"Label": "HIGH", "Normalized": 70},
            "UserDefinedFields": {"ticket": "A-1"}, "Confidence": 40
        });
        let u = FindingUpdate {
            workflow_status: Some(WorkflowStatus::Resolved),
            severity: Some(SeverityUpdate { label: Some(SeverityLabel::Low), ..SeverityUpdate::default() }),
            note: Some(NoteUpdate { text: "x".into(), updated_by: "me".into() }),
            confidence: Some(90),
            criticality: Some(10),
            user_defined_fields: Some(vec![("ticket".into(), "B-2".into()), ("new".into(), "v".into())]),
            ..FindingUpdate::default()
        };
        let r = restore_for(&doc, &u);
        assert_eq!(r.workflow_status, Some(WorkflowStatus::New));
        assert_eq!(r.severity.unwrap().label, Some(SeverityLabel::High));
        assert_eq!(r.note, None, "no note before: nothing to restore");
        assert_eq!(r.confidence, Some(40));
        assert_eq!(r.criticality, None);
        assert_eq!(r.user_defined_fields, Some(vec![("ticket".into(), "A-1".into())]));
    }
}
