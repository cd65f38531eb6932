//! Issue 20 ("time-boxed suppression"): the suppress prompt's expiry, its preview, the effect that
//! keeps it with the edit, the "suppressed, expiring" view, and the worker's expiry runs' answers.

use super::{act, loaded, typed};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Event;
use crate::app::handle_event;
use crate::app::prompt::Prompt;
use crate::app::state::LoadState;
use crate::model::timestamp;

#[test]
fn suppress_takes_an_expiry_shown_in_the_preview_and_sent_with_the_edit() {
    let mut s = loaded(20);
    act(&mut s, &[Action::Suppress]);
    typed(&mut s, "accepted risk");
    act(&mut s, &[Action::Complete]);
    typed(&mut s, "30d");
    let Some(Prompt::Text { text, expires, on_expires, .. }) = &s.prompt else { panic!("{:?}", s.prompt) };
    assert_eq!((text.text(), expires.text(), *on_expires), ("accepted risk", "30d", true));
    act(&mut s, &[Action::Submit]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("{:?}", s.prompt) };
    assert!(plan.preview().contains("(suppression expires 2026-12-01T00:00:00.000Z)"), "{}", plan.preview());
    let expiry = plan.expiry.clone().expect("the plan keeps the expiry");
    assert_eq!(expiry.expires, timestamp::parse("2026-12-01T00:00:00Z").unwrap());
    assert_eq!((expiry.set_by.as_str(), expiry.reason.as_str()), ("alice", "accepted risk"));
    let effects = act(&mut s, &[Action::Yes]);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::ApplyExpiringBatch { expiry: x, .. } if *x == expiry)),
        "{effects:?}"
    );
}

#[test]
fn a_bad_expiry_keeps_the_prompt_open_and_says_why() {
    let mut s = loaded(5);
    act(&mut s, &[Action::Suppress]);
    typed(&mut s, "why");
    act(&mut s, &[Action::Complete]);
    typed(&mut s, "someday");
    act(&mut s, &[Action::Submit]);
    let Some(Prompt::Text { error: Some(e), .. }) = &s.prompt else { panic!("{:?}", s.prompt) };
    assert!(e.starts_with("Expires:") && e.contains("30d"), "{e}");
}

#[test]
fn suppress_without_an_expiry_is_an_ordinary_edit() {
    let mut s = loaded(5);
    act(&mut s, &[Action::Suppress]);
    typed(&mut s, "why");
    act(&mut s, &[Action::Submit]);
    let effects = act(&mut s, &[Action::Yes]);
    assert!(effects.iter().any(|e| matches!(e, Effect::ApplyBatch { .. })), "{effects:?}");
}

#[test]
fn the_expiring_view_asks_the_worker_for_expiries() {
    let mut s = loaded(100);
    act(&mut s, &[Action::StartCommand, Action::KillToStart]);
    typed(&mut s, "view suppressed, expiring");
    let effects = act(&mut s, &[Action::Submit]);
    let Some(Effect::FindExpiring { query_id, keys, within }) = effects.last().cloned() else { panic!("{effects:?}") };
    assert_eq!(within, time::Duration::days(14));
    let suppressed = s.rows.all.iter().filter(|r| r.workflow == Some(crate::model::enums::WorkflowStatus::Suppressed));
    assert_eq!(keys.len(), suppressed.count());
    handle_event(&mut s, Event::QueryMatched { query_id, keys: keys[..1].to_vec() });
    assert_eq!(s.view.visible.len(), 1);
}

#[test]
fn reopened_suppressions_reload_the_rows() {
    let mut s = loaded(5);
    assert!(matches!(s.status.load, LoadState::Loaded));
    assert!(handle_event(&mut s, Event::SuppressionsExpired { count: 0 }).is_empty());
    let effects = handle_event(&mut s, Event::SuppressionsExpired { count: 2 });
    assert!(matches!(effects[..], [Effect::LoadRows { .. }]), "{effects:?}");
    assert!(s.status.message.as_ref().unwrap().text.contains("2 suppressed findings reopened"));
}

/// The edit form (`e`) on two findings, Workflow status cycled to SUPPRESSED.
fn form_suppressing(s: &mut crate::app::AppState) {
    use crate::app::form::FormField;
    use crate::model::enums::WorkflowStatus;
    act(s, &[Action::ToggleMark, Action::MoveDown, Action::ToggleMark, Action::Edit]);
    for _ in 0..5 {
        if s.form.as_ref().unwrap().workflow == Some(WorkflowStatus::Suppressed) {
            break;
        }
        act(s, &[Action::CycleNext]);
    }
    assert_eq!(s.form.as_ref().unwrap().workflow, Some(WorkflowStatus::Suppressed));
    focus(s, FormField::Expires);
}

fn focus(s: &mut crate::app::AppState, f: crate::app::form::FormField) {
    while s.form.as_ref().unwrap().field() != f {
        act(s, &[Action::NextField]);
    }
}

#[test]
fn the_edit_form_takes_an_expiry_when_it_suppresses() {
    use crate::app::form::FormField;
    let mut s = loaded(20);
    form_suppressing(&mut s);
    typed(&mut s, "2w");
    focus(&mut s, FormField::Note);
    typed(&mut s, "until the migration");
    act(&mut s, &[Action::Submit]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("{:?} {:?}", s.prompt, s.form) };
    assert!(plan.preview().contains("(suppression expires 2026-11-15T00:00:00.000Z)"), "{}", plan.preview());
    let expiry = plan.expiry.clone().expect("the plan keeps the expiry");
    assert_eq!(expiry.expires, timestamp::parse("2026-11-15T00:00:00Z").unwrap());
    assert_eq!((expiry.set_by.as_str(), expiry.reason.as_str()), ("alice", "until the migration"));
    let effects = act(&mut s, &[Action::Yes]);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::ApplyExpiringBatch { expiry: x, calls, .. }
            if *x == expiry && calls[0].ids.len() == 2)),
        "{effects:?}"
    );
    assert!(s.form.is_none());
}

#[test]
fn the_edit_form_refuses_an_expiry_it_cannot_keep() {
    use crate::app::form::FormField;
    let mut s = loaded(20);
    // A bad value, with the same words as `s`.
    form_suppressing(&mut s);
    typed(&mut s, "someday");
    act(&mut s, &[Action::Submit]);
    assert!(s.prompt.is_none());
    let (field, e) = s.form.as_ref().unwrap().error.clone().unwrap();
    assert_eq!(field, Some(FormField::Expires));
    assert!(e.starts_with("Expires:") && e.contains("30d"), "{e}");

    // Only a suppression expires.
    focus(&mut s, FormField::Workflow);
    act(&mut s, &[Action::CyclePrev]);
    focus(&mut s, FormField::Expires);
    for _ in 0..7 {
        act(&mut s, &[Action::Backspace]);
    }
    typed(&mut s, "30d");
    act(&mut s, &[Action::Submit]);
    assert!(s.prompt.is_none());
    let (field, e) = s.form.as_ref().unwrap().error.clone().unwrap();
    assert_eq!(field, Some(FormField::Expires));
    assert!(e.contains("only a suppression expires"), "{e}");

    // Empty: never expires, an ordinary edit.
    for _ in 0..3 {
        act(&mut s, &[Action::Backspace]);
    }
    act(&mut s, &[Action::Submit]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("{:?}", s.form) };
    assert!(plan.expiry.is_none());
}

/// On a remote the expiring edit is refused by the source, as `s`'s is, and the rows roll back.
#[test]
fn the_edit_form_s_expiry_is_refused_by_a_remote_as_s_is() {
    let mut s = loaded(20);
    let shown = |s: &crate::app::AppState| -> Vec<_> {
        s.view.visible[..2].iter().map(|&i| s.rows.get(i).unwrap().workflow).collect()
    };
    let before = shown(&s);
    form_suppressing(&mut s);
    typed(&mut s, "30d");
    act(&mut s, &[Action::Submit]);
    let effects = act(&mut s, &[Action::Yes]);
    let effect = effects.into_iter().find(|e| matches!(e, Effect::ApplyExpiringBatch { .. })).unwrap();
    let mut remote = crate::worker::tests_changelog::NoLog;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    assert!(crate::worker::execute(&mut remote, effect, &tx));
    let event = rx.try_recv().unwrap();
    assert!(matches!(event, Event::BatchFailed { .. }), "{event:?}");
    handle_event(&mut s, event);
    let m = &s.status.message.as_ref().unwrap().text;
    assert!(m.contains("a suppression can expire on a local store only"), "{m}");
    assert_ne!(before[1], Some(crate::model::enums::WorkflowStatus::Suppressed));
    assert_eq!(shown(&s), before, "rolled back");
}
