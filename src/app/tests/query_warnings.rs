//! What a query that can match nothing tells the analyst in the workbench: a closed set's mistyped
//! value is refused with a suggestion, and a `*` that is not a trailing prefix is warned of in the
//! status line beside the answer, whether the rows or the store answered.

use super::{act, loaded, typed};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Event;
use crate::app::handle_event;

const STAR: &str = "warning: column 11: only a trailing \"*\" makes a prefix; this \"*\" is matched as itself";

#[test]
fn a_mistyped_status_is_refused_with_a_suggestion() {
    let mut s = loaded(20);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "status:nwe");
    act(&mut s, &[Action::Submit]);
    let err = s.input.as_ref().and_then(|i| i.error.clone()).expect("the command line shows the error");
    assert!(err.ends_with("(did you mean new?)"), "{err}");
}

#[test]
fn a_literal_star_is_warned_of_in_the_status_line_in_memory_and_from_the_store() {
    let mut s = loaded(20);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "control:S3*1");
    let e = act(&mut s, &[Action::Submit]);
    assert!(!e.iter().any(|e| matches!(e, Effect::RunQuery { .. })), "answered in memory: {e:?}");
    let text = s.status.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    assert!(text.starts_with("0 match :control:S3*1") && text.ends_with(STAR), "{text}");

    // A query the store answers: the warning is still there with the answer.
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "resourceid:S3*1");
    let e = act(&mut s, &[Action::Submit]);
    assert!(e.iter().any(|e| matches!(e, Effect::RunQuery { query_id: 1, .. })), "{e:?}");
    handle_event(&mut s, Event::QueryMatched { query_id: 1, keys: vec![] });
    let text = s.status.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    assert!(text.contains("match :resourceid:S3*1") && text.contains("column 14: only a trailing"), "{text}");

    // A query without one says nothing of it.
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "control:S3*");
    act(&mut s, &[Action::Submit]);
    let text = s.status.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    assert!(!text.contains("warning"), "{text}");
}
