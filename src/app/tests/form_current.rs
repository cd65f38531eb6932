//! Issue 20 ("for one finding, the edit form shows its current values, and severity cycling starts
//! from the current one; typing Types says that it replaces them; the note prompt can start from
//! the current note"), and `]`/`[` from the full-height detail.

use serde_json::{json, Value};

use super::{act, docs, loaded};
use crate::app::action::Action;
use crate::app::event::Event;
use crate::app::form::FormField;
use crate::app::prompt::Prompt;
use crate::app::{handle_event, AppState};
use crate::model::enums::SeverityLabel;
use crate::model::finding::FindingId;

fn with_doc(edit: impl Fn(&mut Value)) -> AppState {
    let mut s = loaded(30);
    let key = s.detail.key.clone().unwrap();
    let mut doc = docs(30)
        .into_iter()
        .find(|d| crate::model::finding::FindingKey::of(d).map(FindingId::Asff).as_ref() == Some(&key))
        .unwrap();
    edit(&mut doc);
    handle_event(&mut s, Event::DetailLoaded { key, doc: Some(Box::new(doc)), history: vec![] });
    s
}

fn focus(s: &mut AppState, f: FormField) {
    let form = s.form.as_mut().unwrap();
    form.focus = FormField::ALL.iter().position(|x| *x == f).unwrap();
}

#[test]
fn the_form_for_one_finding_shows_its_values_and_cycles_from_them() {
    let mut s = with_doc(|d| {
        d["Note"] = json!({"Text": "ticket SEC-1", "UpdatedBy": "bob", "UpdatedAt": "2026-10-01T00:00:00Z"});
        d["Types"] = json!(["Software and Configuration Checks/Vulnerabilities/CVE", "Effects/Data Exposure"]);
        d["UserDefinedFields"] = json!({"owner": "ops"});
    });
    let sev = s.cursor_row().unwrap().1.severity.unwrap();
    act(&mut s, &[Action::Edit]);
    let form = s.form.clone().unwrap();
    let current = form.current.clone().expect("one finding: its values");
    assert_eq!(current.text(FormField::Severity), Some(sev.as_str().to_string()));
    assert_eq!(current.text(FormField::Note).as_deref(), Some("ticket SEC-1"));
    assert_eq!(
        current.text(FormField::Types).as_deref(),
        Some("Software and Configuration Checks/Vulnerabilities/CVE; Effects/Data Exposure")
    );
    assert_eq!(current.text(FormField::UserFields).as_deref(), Some("owner=ops"));

    focus(&mut s, FormField::Severity);
    act(&mut s, &[Action::CycleNext]);
    let all = SeverityLabel::ALL;
    let i = all.iter().position(|l| *l == sev).unwrap();
    assert_eq!(s.form.as_ref().unwrap().severity, all.get(i + 1).copied(), "one step from {sev:?}");
    act(&mut s, &[Action::Backspace, Action::CyclePrev]);
    assert_eq!(s.form.as_ref().unwrap().severity, i.checked_sub(1).map(|p| all[p]), "back one from {sev:?}");

    focus(&mut s, FormField::Types);
    let hint = s.form.as_ref().unwrap().field_hint().unwrap();
    assert!(hint.contains("replace all the finding's types") && hint.contains("Effects/Data Exposure"), "{hint}");

    focus(&mut s, FormField::Confidence);
    act(&mut s, &[Action::PullNote]);
    let form = s.form.as_ref().unwrap();
    assert_eq!((form.field(), form.note.as_deref()), (FormField::Note, Some("ticket SEC-1")));
}

#[test]
fn several_findings_have_no_current_values() {
    let mut s = with_doc(|_| {});
    act(&mut s, &[Action::ToggleMark, Action::MoveDown, Action::ToggleMark, Action::Edit]);
    let form = s.form.clone().unwrap();
    assert_eq!((form.targets, form.current), (2, None));
    act(&mut s, &[Action::PullNote]);
    let (field, e) = s.form.as_ref().unwrap().error.clone().unwrap();
    assert_eq!(field, Some(FormField::Note));
    assert!(e.contains("Only one finding"), "{e}");
}

#[test]
fn the_note_prompt_starts_from_the_current_note_on_ctrl_r() {
    let mut s = with_doc(|d| d["Note"] = json!({"Text": "accepted, SEC-9", "UpdatedBy": "bob", "UpdatedAt": "x"}));
    act(&mut s, &[Action::Note]);
    super::typed(&mut s, "x");
    act(&mut s, &[Action::PullNote]);
    let Some(Prompt::Text { text, error, .. }) = &s.prompt else { panic!("{:?}", s.prompt) };
    assert_eq!((text.text(), error), ("accepted, SEC-9", &None));
    act(&mut s, &[Action::Input('!')]);
    let Some(Prompt::Text { text, .. }) = &s.prompt else { panic!() };
    assert_eq!(text.text(), "accepted, SEC-9!", "to edit, not retype");

    let mut s = with_doc(|d| {
        d.as_object_mut().unwrap().remove("Note");
    });
    act(&mut s, &[Action::Note, Action::PullNote]);
    let Some(Prompt::Text { error, .. }) = &s.prompt else { panic!() };
    assert_eq!(error.as_deref(), Some("This finding has no note"));
}

/// Issue 20 ("`]`/`[` go to the next/previous finding from the full-height detail").
#[test]
fn brackets_step_through_the_findings_from_the_full_height_detail() {
    let mut s = loaded(30);
    act(&mut s, &[Action::OpenDetail]);
    let first = s.detail.key.clone();
    let e = act(&mut s, &[Action::NextFinding]);
    assert_eq!(s.list.cursor, 1);
    assert_eq!(s.mode, crate::app::state::Mode::DetailFull, "still at full height");
    assert_ne!(s.detail.key, first);
    assert_eq!(e, vec![crate::app::effect::Effect::LoadDetail { key: s.detail.key.clone().unwrap() }]);
    act(&mut s, &[Action::PrevFinding, Action::PrevFinding]);
    assert_eq!((s.list.cursor, s.detail.key.clone()), (0, first), "stops at the first");
}
