//! Issue 20 ("views that fit the work"): the default view, the key that shows all, saved views.

use super::{act, docs};
use crate::app::action::Action;
use crate::app::effect::Effect;
use crate::app::event::Event;
use crate::app::row::Row;
use crate::app::state::Config;
use crate::app::{handle_event, resize, start, AppState};
use crate::model::enums::{RecordState, WorkflowStatus};

/// A state whose start opens `default_view`, with `n` generated findings loaded.
fn loaded_with(default_view: Option<&str>, n: usize) -> (AppState, Vec<Effect>) {
    let config = Config { default_view: default_view.map(String::from), ..Config::default() };
    let mut s = AppState::new(config, "test.db", time::macros::datetime!(2026-11-01 0:00 UTC));
    resize(&mut s, 160, 48);
    let mut effects = start(&mut s);
    let rows: Vec<Row> = docs(n).iter().map(Row::from_asff).collect();
    effects.extend(handle_event(&mut s, Event::RowsLoaded { generation: 1, rows, total: Some(n), done: true }));
    (s, effects)
}

fn open_work(r: &Row) -> bool {
    r.record_state == Some(RecordState::Active)
        && matches!(r.workflow, Some(WorkflowStatus::New) | Some(WorkflowStatus::Notified))
}

#[test]
fn the_default_view_is_open_work_and_one_key_shows_all() {
    let (mut s, _) = loaded_with(Some("open work"), 300);
    let expected = s.rows.all.iter().filter(|r| open_work(r)).count();
    assert!(expected > 0 && expected < 300, "the generated set has open and closed work: {expected}");
    assert_eq!(s.view.visible.len(), expected);
    assert!(s.view.visible.iter().all(|&i| open_work(s.rows.get(i).unwrap())));
    assert_eq!(s.view.named.as_ref().map(|v| v.name.as_str()), Some("open work"));

    act(&mut s, &[Action::ShowAll]);
    assert_eq!(s.view.visible.len(), 300, "0 shows every finding");
    assert_eq!(s.view.named.as_ref().map(|v| v.name.as_str()), Some("all"));
    assert!(s.view.query.text.is_empty());

    act(&mut s, &[Action::ShowAll]);
    assert_eq!(s.view.visible.len(), expected, "again: back to the default view");
    assert_eq!(s.view.named.as_ref().map(|v| v.name.as_str()), Some("open work"));
}

#[test]
fn a_query_typed_by_hand_leaves_the_named_view() {
    let (mut s, _) = loaded_with(Some("open work"), 100);
    act(&mut s, &[Action::StartCommand, Action::KillToStart]);
    super::typed(&mut s, "sev>=high");
    act(&mut s, &[Action::Submit]);
    assert_eq!(s.view.named, None);
}

#[test]
fn the_default_view_all_starts_on_every_finding() {
    let (s, _) = loaded_with(Some("all"), 100);
    assert_eq!(s.view.visible.len(), 100);
    let (s, _) = loaded_with(None, 100);
    assert_eq!(s.view.visible.len(), 100);
    assert_eq!(s.view.named, None);
}
