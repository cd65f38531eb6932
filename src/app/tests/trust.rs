//! Edits do what the preview said: undo names what it could not put back, marked findings out of
//! view are counted in the preview, the form obeys `suppress_reason_required`, and `n` on the
//! form's preview returns to the form.

use super::{act, all_processed, batch, loaded, typed, workflow_of};
use crate::app::action::Action;
use crate::app::event::{CallOutcome, Event};
use crate::app::prompt::Prompt;
use crate::app::state::Level;
use crate::app::{handle_event, AppState};
use crate::model::enums::WorkflowStatus;
use crate::model::update::FindingUpdate;

fn status(s: &AppState) -> (Level, String) {
    let m = s.status.message.as_ref().expect("a status message");
    (m.level, m.text.clone())
}

fn caveat(s: &AppState) -> Option<String> {
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    plan.caveat.clone()
}

#[test]
fn undo_of_a_note_on_a_finding_without_one_says_nothing_was_restored() {
    let mut s = loaded(5);
    act(&mut s, &[Action::Note]);
    typed(&mut s, "ticket SEC-42");
    act(&mut s, &[Action::Submit]);
    let c = caveat(&s).expect("the preview warns before the edit");
    assert!(c.contains("cannot remove a note"), "{c}");
    let (id, calls) = batch(&act(&mut s, &[Action::Yes]));
    // The finding had no note: there is nothing BatchUpdateFindings can restore.
    all_processed(&mut s, id, &calls, FindingUpdate::default());
    assert!(act(&mut s, &[Action::Undo]).is_empty(), "an empty update is not sent");
    let (level, text) = status(&s);
    assert_eq!(level, Level::Error);
    assert!(!text.contains("updated"), "{text}");
    assert!(text.contains("not restored") && text.contains("Note on 1 finding"), "{text}");
}

#[test]
fn undo_of_a_suppression_with_a_reason_restores_the_workflow_and_names_the_note() {
    let mut s = loaded(5);
    let key = s.cursor_row().unwrap().1.key.clone();
    let before = workflow_of(&s, &key);
    act(&mut s, &[Action::Suppress]);
    typed(&mut s, "accepted risk");
    act(&mut s, &[Action::Submit]);
    assert!(caveat(&s).is_some_and(|c| c.contains("note")));
    let (id, calls) = batch(&act(&mut s, &[Action::Yes]));
    let restore = FindingUpdate { workflow_status: before, ..FindingUpdate::default() };
    all_processed(&mut s, id, &calls, restore);
    let (uid, undo_calls) = batch(&act(&mut s, &[Action::Undo]));
    assert_eq!(undo_calls.len(), 1);
    let outcome = CallOutcome { processed: undo_calls[0].ids.clone(), unprocessed: vec![], restores: vec![] };
    handle_event(&mut s, Event::BatchApplied { batch_id: uid, call: 0, outcome });
    assert_eq!(workflow_of(&s, &key), before);
    let (level, text) = status(&s);
    assert_eq!(level, Level::Error, "an undo that left something behind is not a plain success");
    assert!(text.contains("restored Workflow on 1 finding"), "{text}");
    assert!(text.contains("not restored") && text.contains("Note on 1 finding"), "{text}");
    assert_eq!(s.history.redo.len(), 1);
}

#[test]
fn a_workflow_edit_has_no_caveat_and_its_undo_reports_what_it_restored() {
    let mut s = loaded(5);
    act(&mut s, &[Action::Resolve]);
    assert_eq!(caveat(&s), None);
    let (id, calls) = batch(&act(&mut s, &[Action::Yes]));
    let restore = FindingUpdate { workflow_status: Some(WorkflowStatus::New), ..FindingUpdate::default() };
    all_processed(&mut s, id, &calls, restore);
    let (uid, undo_calls) = batch(&act(&mut s, &[Action::Undo]));
    let outcome = CallOutcome { processed: undo_calls[0].ids.clone(), unprocessed: vec![], restores: vec![] };
    handle_event(&mut s, Event::BatchApplied { batch_id: uid, call: 0, outcome });
    let (level, text) = status(&s);
    assert_eq!(level, Level::Info);
    assert_eq!(text, "Undo Set Workflow RESOLVED: restored Workflow on 1 finding");
}

#[test]
fn marked_findings_out_of_view_are_the_target_and_the_preview_counts_them() {
    let mut s = loaded(50);
    act(&mut s, &[Action::ToggleMark, Action::ToggleMark]);
    let marked: Vec<_> = s.targets().iter().map(|&i| s.rows.get(i).unwrap().key.clone()).collect();
    assert_eq!(marked.len(), 2);
    // A filter that hides both marked rows, and the cursor on a visible, unmarked row.
    let word = s.rows.get(s.view.visible[2]).unwrap().title.clone();
    act(&mut s, &[Action::StartFilter]);
    typed(&mut s, &word);
    act(&mut s, &[Action::Submit]);
    let hidden = marked.iter().filter(|k| !s.view.visible.iter().any(|&i| s.rows.get(i).unwrap().key == **k)).count();
    assert!(hidden > 0, "the filter hides a marked row");
    act(&mut s, &[Action::Edit]);
    assert_eq!((s.form.as_ref().unwrap().targets, s.form.as_ref().unwrap().hidden), (2, hidden));
    act(&mut s, &[Action::Back]);
    act(&mut s, &[Action::Resolve]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    assert_eq!(
        plan.preview(),
        format!("Set Workflow RESOLVED on 2 findings ({hidden} marked, not in this view): 1 BatchUpdateFindings call")
    );
    let (_, calls) = batch(&act(&mut s, &[Action::Yes]));
    assert_eq!(calls[0].ids, marked, "the marked findings, as the preview said");
    // With nothing hidden the preview is as before.
    act(&mut s, &[Action::Resolve]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    assert!(!plan.preview().contains("not in this view"), "{}", plan.preview());
}

#[test]
fn the_edit_form_refuses_to_suppress_without_a_reason_when_one_is_required() {
    let mut s = loaded(5);
    s.config.suppress_reason_required = true;
    // `s` with an empty reason: the message the form must give too.
    act(&mut s, &[Action::Suppress, Action::Submit]);
    let Some(Prompt::Text { error: Some(quick_error), .. }) = s.prompt.clone() else { panic!("still asking") };
    act(&mut s, &[Action::Back, Action::Edit]);
    s.form.as_mut().unwrap().workflow = Some(WorkflowStatus::Suppressed);
    act(&mut s, &[Action::Submit]);
    assert_eq!(s.prompt, None, "no preview, nothing to send");
    let (field, msg) = s.form.as_ref().expect("the form stays open").error.clone().expect("an error");
    assert_eq!((field, msg), (Some(crate::app::form::FormField::Note), quick_error));
    s.form.as_mut().unwrap().note = Some("accepted risk".into());
    act(&mut s, &[Action::Submit]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    assert_eq!(plan.preview(), "Set Workflow SUPPRESSED and Note on 1 finding: 1 BatchUpdateFindings call");
    // Without the setting the form suppresses with no reason, as `s` does.
    let mut s = loaded(5);
    act(&mut s, &[Action::Edit]);
    s.form.as_mut().unwrap().workflow = Some(WorkflowStatus::Suppressed);
    act(&mut s, &[Action::Submit]);
    assert!(matches!(s.prompt, Some(Prompt::Confirm(_))));
}

#[test]
fn no_to_the_forms_preview_returns_to_the_form_as_it_was() {
    let mut s = loaded(5);
    act(&mut s, &[Action::ToggleMark, Action::ToggleMark, Action::Edit, Action::CycleNext, Action::NextField]);
    act(&mut s, &[Action::NextField, Action::NextField, Action::NextField, Action::NextField]);
    typed(&mut s, "ticket SEC-9");
    let before = s.form.clone().unwrap();
    act(&mut s, &[Action::Submit]);
    assert!(matches!(s.prompt, Some(Prompt::Confirm(_))));
    for no in [Action::No, Action::Back] {
        assert!(act(&mut s, &[no]).is_empty(), "nothing sent");
        assert_eq!(s.prompt, None);
        assert_eq!(s.form.as_ref(), Some(&before), "{no:?}: the form with what was typed");
        assert_eq!(s.context(), crate::app::state::Context::Form);
        act(&mut s, &[Action::Submit]);
    }
    let (_, calls) = batch(&act(&mut s, &[Action::Yes]));
    assert_eq!(calls[0].update.note.as_ref().unwrap().text, "ticket SEC-9");
    assert_eq!(s.form, None, "a yes closes the form");
}

#[test]
fn retry_previews_before_it_sends() {
    let mut s = loaded(10);
    act(&mut s, &[Action::Notify]);
    let (id, calls) = batch(&act(&mut s, &[Action::Yes]));
    let error = crate::model::source::BackendError::unavailable("store: disk I/O error");
    handle_event(&mut s, Event::BatchFailed { batch_id: id, call: 0, keys: calls[0].ids.clone(), error });
    assert!(act(&mut s, &[Action::RetryFailed]).is_empty(), "t alone sends nothing");
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    assert_eq!(plan.preview(), "Retry Workflow NOTIFIED on 1 finding: 1 BatchUpdateFindings call");
    assert!(act(&mut s, &[Action::No]).is_empty());
    assert_eq!(s.edits.failed.len(), 1, "still failed, still retryable");
    assert_eq!(s.marks.len(), 1, "still marked");
    let (_, retry) = batch(&act(&mut s, &[Action::RetryFailed, Action::Yes]));
    assert_eq!(retry[0].ids, calls[0].ids);
    assert!(s.edits.failed.is_empty() && s.marks.is_empty());
}
