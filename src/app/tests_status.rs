//! The status line's rule, through `update`: a message speaks of the last thing done, and Esc takes
//! back a `v` range with the mark its anchor made.

use super::action::Action;
use super::tests::loaded;
use super::update;
use super::AppState;

fn act(s: &mut AppState, actions: &[Action]) {
    for a in actions {
        update(s, *a);
    }
}

fn message(s: &AppState) -> Option<String> {
    s.status.message.as_ref().map(|m| m.text.clone())
}

fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        update(s, Action::Input(c));
    }
}

#[test]
fn a_filter_count_goes_when_the_filter_changes() {
    let mut s = loaded(60);
    act(&mut s, &[Action::StartFilter]);
    let title = s.rows.get(s.view.visible[0]).unwrap().title.clone();
    typed(&mut s, &title);
    act(&mut s, &[Action::Submit]);
    assert!(message(&s).unwrap().contains("match /"), "{:?}", message(&s));
    act(&mut s, &[Action::Back]);
    assert!(s.view.filter.pattern.is_empty());
    assert_eq!(message(&s), None, "the count no longer describes the {} rows shown", s.view.visible.len());
}

#[test]
fn cancelled_goes_with_the_next_action_and_a_key_that_does_nothing_keeps_it() {
    let mut s = loaded(60);
    act(&mut s, &[Action::Resolve, Action::No]);
    assert_eq!(message(&s).as_deref(), Some("Cancelled; nothing sent"));
    act(&mut s, &[Action::CycleNext]);
    assert_eq!(message(&s).as_deref(), Some("Cancelled; nothing sent"), "a key with nothing to do");
    act(&mut s, &[Action::MoveDown]);
    assert_eq!(message(&s), None);
}

#[test]
fn an_error_stays_until_the_next_action() {
    let mut s = loaded(60);
    act(&mut s, &[Action::StartFilter]);
    typed(&mut s, "no finding has this text");
    act(&mut s, &[Action::Submit, Action::Resolve]);
    assert_eq!(message(&s).as_deref(), Some("No finding selected"));
    act(&mut s, &[Action::CycleNext]);
    assert_eq!(message(&s).as_deref(), Some("No finding selected"), "a key with nothing to do");
    act(&mut s, &[Action::Back]);
    assert_eq!(message(&s), None);
}

#[test]
fn esc_drops_the_range_its_hint_and_its_anchor_mark() {
    let mut s = loaded(60);
    act(&mut s, &[Action::RangeMark]);
    assert_eq!(s.marks.len(), 1);
    act(&mut s, &[Action::MoveDown, Action::MoveDown]);
    assert!(message(&s).unwrap().starts_with("Range mark"), "the hint stays while the range is open");
    act(&mut s, &[Action::Back]);
    assert_eq!(s.list.anchor, None);
    assert!(s.marks.is_empty(), "the anchor's mark goes with Esc");
    assert_eq!(message(&s), None);
    // A row marked before the range keeps its mark.
    act(&mut s, &[Action::ToggleMark, Action::RangeMark, Action::Back]);
    assert_eq!(s.marks.len(), 1);
    // (the toggle moved the cursor on: the range covers two rows after the one toggled)
    act(&mut s, &[Action::RangeMark, Action::MoveDown, Action::RangeMark]);
    assert_eq!(s.marks.len(), 3);
    assert!(message(&s).unwrap().starts_with("Marked 2"), "{:?}", message(&s));
}
