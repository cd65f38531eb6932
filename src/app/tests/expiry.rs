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
