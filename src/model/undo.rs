//! What undoes an edit: the update that puts back a finding's previous values, read from the
//! document it had before the edit, and the members it cannot put back. BatchUpdateFindings can set
//! but not remove a field (BatchUpdateFindings API reference), so a Note, a UserDefinedFields key,
//! a Confidence or a Criticality the finding did not have stays as the edit set it; undo names
//! those (`unrestored`) instead of reporting them undone. A VerificationState the finding did not
//! have is restored as UNKNOWN, the value the API gives an unverified finding.

use serde_json::Value;

use super::enums::VerificationState;
use super::finding::{int_of, str_at, value_at, Summary};
use super::update::{FindingUpdate, NoteUpdate, SeverityUpdate};

/// The update that puts back what `update` is about to change in `doc`.
pub fn restore_for(doc: &Value, update: &FindingUpdate) -> FindingUpdate {
    if super::finding::Format::of(doc) == Some(super::finding::Format::Ocsf) {
        return restore_ocsf(doc, update);
    }
    let s = Summary::of(doc);
    let mut r = FindingUpdate::default();
    if update.workflow_status.is_some() {
        r.workflow_status = s.workflow_status;
    }
    if update.severity.is_some() && (s.severity_label.is_some() || s.severity_normalized.is_some()) {
        r.severity = Some(SeverityUpdate { label: s.severity_label, normalized: s.severity_normalized, product: None });
    }
    if update.verification_state.is_some() {
        r.verification_state = Some(s.verification_state.unwrap_or(VerificationState::Unknown));
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

/// An OCSF finding's previous `status_id`, `severity_id` and `comment`, exactly (`FindingUpdate::v2`),
/// with the ASFF members they read as beside them so that undo's message names what it restores. A
/// comment the finding did not have stays (BatchUpdateFindingsV2 cannot remove one either).
fn restore_ocsf(doc: &Value, update: &FindingUpdate) -> FindingUpdate {
    from_v2(restore_v2(doc, &update.to_v2()))
}

/// The BatchUpdateFindingsV2 members that put back what `edit` is about to change in the OCSF
/// finding `doc`: its `status_id`, `severity_id` and `comment` as they are. A comment the finding
/// did not have is not restored (BatchUpdateFindingsV2 can set one, not remove it).
pub fn restore_v2(doc: &Value, edit: &super::ocsf::OcsfUpdate) -> super::ocsf::OcsfUpdate {
    let f = super::ocsf::Ocsf(doc);
    let mut v2 = super::ocsf::OcsfUpdate::default();
    if edit.status_id.is_some() {
        v2.status_id = f.status_id();
    }
    if edit.severity_id.is_some() {
        v2.severity_id = f.severity_id();
    }
    if edit.comment.is_some() && !f.comment().trim().is_empty() {
        v2.comment = Some(f.comment().to_string());
    }
    v2
}

/// An OCSF finding's restore as the workbench holds it: the exact BatchUpdateFindingsV2 members
/// (`FindingUpdate::v2`), with the ASFF members they read as beside them (what previews and undo's
/// messages name). An empty restore is the empty update.
pub fn from_v2(v2: super::ocsf::OcsfUpdate) -> FindingUpdate {
    let mut r = FindingUpdate {
        workflow_status: v2.status_id.map(super::ocsf::StatusId::to_workflow),
        severity: v2
            .severity_id
            .and_then(super::ocsf::SeverityId::to_label)
            .map(|l| SeverityUpdate { label: Some(l), ..SeverityUpdate::default() }),
        note: v2.comment.as_ref().map(|c| NoteUpdate { text: c.clone(), updated_by: "-".into() }),
        ..FindingUpdate::default()
    };
    if !v2.is_empty() {
        r.v2 = Some(v2);
    }
    r
}

/// The request members an update sets, in the order previews name them; each UserDefinedFields
/// key is its own member ("UserDefinedFields.ticket"), as each is set or left on its own.
pub fn members(u: &FindingUpdate) -> Vec<String> {
    let fixed = [
        (u.workflow_status.is_some(), "Workflow"),
        (u.severity.is_some(), "Severity"),
        (u.verification_state.is_some(), "VerificationState"),
        (u.confidence.is_some(), "Confidence"),
        (u.criticality.is_some(), "Criticality"),
        (u.types.is_some(), "Types"),
    ];
    let mut m: Vec<String> = fixed.iter().filter(|(set, _)| *set).map(|(_, n)| n.to_string()).collect();
    m.extend(u.user_defined_fields.iter().flatten().map(|(k, _)| format!("UserDefinedFields.{k}")));
    m.extend(
        [(u.related_findings.is_some(), "RelatedFindings"), (u.note.is_some(), "Note")]
            .iter()
            .filter(|(set, _)| *set)
            .map(|(_, n)| n.to_string()),
    );
    m
}

/// The members `edit` set that `restore` does not put back: they keep the edit's value after an
/// undo. With no restore recorded (the finding could not be read before the edit), all of them.
pub fn unrestored(edit: &FindingUpdate, restore: Option<&FindingUpdate>) -> Vec<String> {
    let back = restore.map(members).unwrap_or_default();
    members(edit).into_iter().filter(|m| !back.contains(m)).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::enums::{SeverityLabel, VerificationState, WorkflowStatus};

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

    #[test]
    fn an_absent_verification_state_is_restored_as_unknown() {
        let doc = json!({"Workflow": {"Status": "NEW"}});
        let u = FindingUpdate { verification_state: Some(VerificationState::TruePositive), ..FindingUpdate::default() };
        assert_eq!(restore_for(&doc, &u).verification_state, Some(VerificationState::Unknown));
        assert!(unrestored(&u, Some(&restore_for(&doc, &u))).is_empty());
    }

    #[test]
    fn what_undo_cannot_remove_is_named() {
        let doc = json!({"Workflow": {"Status": "NEW"}, "UserDefinedFields": {"ticket": "A-1"}, "Confidence": 40});
        let u = FindingUpdate {
            workflow_status: Some(WorkflowStatus::Suppressed),
            note: Some(NoteUpdate { text: "accepted".into(), updated_by: "me".into() }),
            confidence: Some(90),
            criticality: Some(10),
            user_defined_fields: Some(vec![("ticket".into(), "B-2".into()), ("owner".into(), "ops".into())]),
            ..FindingUpdate::default()
        };
        let r = restore_for(&doc, &u);
        assert_eq!(members(&r), ["Workflow", "Confidence", "UserDefinedFields.ticket"]);
        assert_eq!(unrestored(&u, Some(&r)), ["Criticality", "UserDefinedFields.owner", "Note"]);
        // Nothing recorded before the edit: nothing of it can be restored.
        assert_eq!(unrestored(&u, None).len(), members(&u).len());
    }
}
