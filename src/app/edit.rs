//! Pure helpers for edits: the optimistic change to a list row and the quick-key updates. Grouping
//! updates into calls is `model::plan::CallPlan`; what restores a finding's previous values (undo)
//! is `model::undo`.

use super::row::Row;
use super::state::RowFields;
use crate::model::enums::{SeverityLabel, WorkflowStatus};
use crate::model::update::{FindingUpdate, NoteUpdate};

pub fn row_fields(r: &Row) -> RowFields {
    RowFields {
        workflow: r.workflow,
        severity: r.severity,
        verification: r.verification,
        confidence: r.confidence,
        criticality: r.criticality,
        ocsf: r.ocsf,
    }
}

pub fn set_row_fields(r: &mut Row, f: RowFields) {
    r.workflow = f.workflow;
    r.severity = f.severity;
    r.verification = f.verification;
    r.confidence = f.confidence;
    r.criticality = f.criticality;
    r.ocsf = f.ocsf;
}

/// Shows the update in the list before the backend confirms it.
pub fn apply_to_row(r: &mut Row, u: &FindingUpdate) {
    // An OCSF row shows its own ids: those BatchUpdateFindingsV2 is about to set, and nothing else.
    if let Some(o) = r.ocsf.as_mut() {
        let v2 = u.to_v2();
        if let Some(id) = v2.status_id {
            o.status_id = Some(id);
            r.workflow = Some(id.to_workflow());
        }
        if let Some(id) = v2.severity_id {
            o.severity_id = Some(id);
            r.severity = id.to_label();
        }
        return;
    }
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
