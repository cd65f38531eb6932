//! The rule for another process's changes: reload at once when nothing would be disturbed, else a
//! notice until `R`.

use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Event;
use crate::app::tests::loaded;
use crate::app::{handle_event, update};

#[test]
fn a_change_elsewhere_reloads_at_once_when_nothing_is_marked_or_open() {
    let mut s = loaded(20);
    let generation = s.generation;
    let effects = handle_event(&mut s, Event::StoreChanged);
    assert_eq!(effects, vec![Effect::LoadRows { generation: generation + 1 }]);
    assert!(!s.log.stale);
    assert!(s.status.message.as_ref().unwrap().text.contains("changed by another process"));
}

#[test]
fn with_marks_or_a_prompt_open_the_header_says_so_until_r() {
    let mut s = loaded(20);
    update(&mut s, Action::ToggleMark);
    let effects = handle_event(&mut s, Event::StoreChanged);
    assert!(effects.is_empty(), "the marks are not disturbed");
    assert!(s.log.stale);
    let generation = s.generation;
    assert_eq!(update(&mut s, Action::Reload), vec![Effect::LoadRows { generation: generation + 1 }]);
    assert!(!s.log.stale, "R reads the rows again");

    let mut s = loaded(20);
    update(&mut s, Action::Resolve);
    assert!(s.prompt.is_some());
    assert!(handle_event(&mut s, Event::StoreChanged).is_empty(), "the confirmation is not disturbed");
    assert!(s.log.stale);
}
