//! The preview of a bulk edit says what changes per field the edit sets: how many findings go from
//! which value to which, and how many already have it.

use super::*;

fn with_statuses(n: usize, pick: impl Fn(usize) -> WorkflowStatus) -> AppState {
    let mut s = loaded(n);
    for (i, r) in s.rows.all.iter_mut().enumerate() {
        r.workflow = Some(pick(i));
    }
    s
}

fn breakdown(s: &AppState) -> Vec<String> {
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview: {:?}", s.prompt) };
    plan.breakdown.clone()
}

#[test]
fn a_bulk_resolve_previews_each_status_change_and_the_unchanged() {
    let mut s = with_statuses(240, |i| match i % 12 {
        0..=8 => WorkflowStatus::New,
        9 | 10 => WorkflowStatus::Resolved,
        _ => WorkflowStatus::Suppressed,
    });
    act(&mut s, &[Action::MarkAll, Action::Resolve]);
    assert_eq!(
        breakdown(&s),
        vec!["240 findings: 180 NEW -> RESOLVED, 40 already RESOLVED (unchanged), 20 SUPPRESSED -> RESOLVED"]
    );
}

#[test]
fn large_counts_in_the_breakdown_have_thousands_separators() {
    let mut s = with_statuses(2_400, |i| if i < 1_800 { WorkflowStatus::New } else { WorkflowStatus::Resolved });
    act(&mut s, &[Action::MarkAll, Action::Resolve]);
    assert_eq!(breakdown(&s), vec!["2,400 findings: 1,800 NEW -> RESOLVED, 600 already RESOLVED (unchanged)"]);
}

#[test]
fn an_edit_setting_two_fields_previews_each_field_on_its_own_line() {
    let mut s = with_statuses(10, |i| if i < 4 { WorkflowStatus::Notified } else { WorkflowStatus::New });
    for (i, r) in s.rows.all.iter_mut().enumerate() {
        r.severity = Some(if i < 7 { SeverityLabel::Low } else { SeverityLabel::High });
    }
    act(&mut s, &[Action::MarkAll]);
    let update = FindingUpdate {
        workflow_status: Some(WorkflowStatus::Notified),
        severity: Some(crate::model::update::SeverityUpdate { label: Some(SeverityLabel::High), ..Default::default() }),
        ..FindingUpdate::default()
    };
    super::super::prompt::confirm(&mut s, update);
    assert_eq!(
        breakdown(&s),
        vec![
            "Workflow on 10 findings: 6 NEW -> NOTIFIED, 4 already NOTIFIED (unchanged)",
            "Severity on 10 findings: 7 LOW -> HIGH, 3 already HIGH (unchanged)",
        ]
    );
}

#[test]
fn ocsf_rows_are_previewed_with_their_own_status_names() {
    use crate::model::ocsf::{OcsfLabels, StatusId};
    let mut s = with_statuses(6, |_| WorkflowStatus::New);
    for (i, r) in s.rows.all.iter_mut().enumerate() {
        let id = if i < 2 { StatusId::InProgress } else { StatusId::New };
        r.ocsf = Some(OcsfLabels { class: None, severity_id: None, status_id: Some(id) });
    }
    act(&mut s, &[Action::MarkAll, Action::Resolve]);
    assert_eq!(breakdown(&s), vec!["6 findings: 4 NEW -> RESOLVED, 2 IN_PROGRESS -> RESOLVED"]);
}
