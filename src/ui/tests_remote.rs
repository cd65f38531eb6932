//! Snapshots of a remote's pending marks at 80×24 and 160×48: findings whose edit is on the
//! outbox's disk and not yet confirmed show "…" in the list, the detail says since when and why it
//! is being retried, and a refusal the outbox reports late shows the `!` with its code.

use super::tests::{draw, screen, screen_text};
use crate::app::event::Event;
use crate::app::{handle_event, AppState};
use crate::model::source::{OutboxState, QueuedEdit, RefusedEdit};
use crate::model::update::FindingUpdate;

/// ms since the epoch, `secs` before the state's clock.
fn before(s: &AppState, secs: i64) -> i64 {
    (s.now.unix_timestamp() - secs) * 1000
}

/// The cursor's finding retried twice (offline), the next one queued 12 s ago, the third refused.
fn outbox(s: &AppState) -> OutboxState {
    let key = |pos: usize| s.rows.get(s.view.visible[pos]).unwrap().key.clone();
    OutboxState {
        queued: vec![
            QueuedEdit {
                key: key(0),
                queued_ms: before(s, 190),
                attempts: 2,
                last_error: Some("endpoint unreachable: connection refused".into()),
            },
            QueuedEdit { key: key(1), queued_ms: before(s, 12), attempts: 0, last_error: None },
        ],
        refused: vec![RefusedEdit {
            key: key(2),
            reason: "AccessDeniedException: not allowed to update this finding".into(),
            update: FindingUpdate::default(),
        }],
    }
}

#[test]
fn pending_and_refused_edits_of_a_remote() {
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut s = screen(w, h);
        let state = outbox(&s);
        handle_event(&mut s, Event::OutboxChanged { state });
        insta::assert_snapshot!(format!("remote_pending_{w}x{h}"), draw(&s, w, h).backend());
    }
}

/// The detail of a queued (not retried) finding says since when; the marks clear when the outbox
/// no longer holds the edits (the sender's answer), and the `!` stays.
#[test]
fn the_pending_mark_clears_when_the_remote_confirms() {
    let mut s = screen(160, 48);
    let state = outbox(&s);
    let queued = state.queued[1].key.clone();
    handle_event(&mut s, Event::OutboxChanged { state: state.clone() });
    crate::app::update(&mut s, crate::app::Action::MoveDown);
    let doc = crate::app::tests::docs(60)
        .into_iter()
        .find(|d| {
            crate::model::finding::FindingKey::of(d).map(crate::model::finding::FindingId::Asff) == Some(queued.clone())
        })
        .unwrap();
    handle_event(&mut s, Event::DetailLoaded { key: queued.clone(), doc: Some(Box::new(doc)), history: vec![] });
    let text = screen_text(&s, 160, 48);
    assert!(text.contains("pending: queued 12 s ago"), "{text}");
    assert_eq!(s.detail.key.as_ref(), Some(&queued));

    let refused = OutboxState { queued: vec![], refused: state.refused.clone() };
    handle_event(&mut s, Event::OutboxChanged { state: refused });
    let text = screen_text(&s, 160, 48);
    let marks = |m: char| text.lines().filter(|l| l.chars().nth(1) == Some(m)).count();
    assert_eq!(marks('…'), 0, "{text}");
    assert!(!text.contains("pending:") && !text.contains("queued"), "{text}");
    assert_eq!(marks('!'), 1, "the refused one keeps its !: {text}");
}

/// The detail says when the recheck pass last read the finding from the remote.
#[test]
fn the_detail_says_when_the_finding_was_last_checked_with_the_remote() {
    let mut s = screen(160, 48);
    let key = s.detail.key.clone().unwrap();
    let at_ms = before(&s, 40);
    handle_event(&mut s, Event::Rechecked { keys: vec![key], at_ms });
    let text = screen_text(&s, 160, 48);
    assert!(text.contains("checked with the remote 40 s ago"), "{text}");
}
