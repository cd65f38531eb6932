//! Pure helpers for edits: grouping identical updates into BatchUpdateFindings calls of ≤ 100,
//! and the optimistic change to a list row. What restores a finding's previous values is
//! `model::undo`.

use serde_json::Value;

use super::row::Row;
use super::state::RowFields;
use crate::model::call::UpdateCall;
use crate::model::enums::{SeverityLabel, WorkflowStatus};
use crate::model::finding::FindingId;
use crate::model::update::{FindingUpdate, NoteUpdate, MAX_IDENTIFIERS};

/// Splits each group into calls of at most 100 identifiers.
pub fn calls(groups: &[(FindingUpdate, Vec<FindingId>)]) -> Vec<UpdateCall> {
    groups
        .iter()
        .flat_map(|(u, keys)| {
            keys.chunks(MAX_IDENTIFIERS).map(move |c| UpdateCall { ids: c.to_vec(), update: u.clone() })
        })
        .collect()
}

/// Groups findings that need the same update, in first-seen order, so they share calls.
pub fn group(pairs: &[(FindingId, FindingUpdate)]) -> Vec<(FindingUpdate, Vec<FindingId>)> {
    let mut out: Vec<(FindingUpdate, Vec<FindingId>)> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (k, u) in pairs {
        let sig = Value::Object(u.to_json()).to_string();
        match index.get(&sig) {
            Some(&i) => out[i].1.push(k.clone()),
            None => {
                index.insert(sig, out.len());
                out.push((u.clone(), vec![k.clone()]));
            }
        }
    }
    out
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

    #[test]
    fn calls_hold_at_most_100_and_identical_updates_share_them() {
        let u = workflow_update(WorkflowStatus::Resolved, None);
        let keys: Vec<FindingId> = (0..240).map(|i| FindingId::asff("p", format!("f{i}"))).collect();
        let c = calls(&[(u.clone(), keys.clone())]);
        assert_eq!(c.iter().map(|r| r.ids.len()).collect::<Vec<_>>(), vec![100, 100, 40]);
        let other = workflow_update(WorkflowStatus::New, None);
        let pairs: Vec<_> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), if i % 2 == 0 { u.clone() } else { other.clone() }))
            .collect();
        let g = group(&pairs);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].1.len(), 120);
        assert_eq!(calls(&g).len(), 4);
    }
}
