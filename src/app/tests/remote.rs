//! Issue 18 (remote mode, the workbench): rows a refresh updates change in place.

use super::{act, loaded};
use crate::app::action::Action;
use crate::app::event::Event;
use crate::app::handle_event;
use crate::model::enums::{SeverityLabel, WorkflowStatus};

/// A refresh's updated rows replace theirs by key: the new values show at once, the cursor stays
/// on its finding and the marks on theirs, and the list is sorted again (a severity that changed
/// moves its row).
#[test]
fn rows_a_refresh_updates_are_replaced_in_place_keeping_the_cursor_and_marks() {
    let mut s = loaded(30);
    act(&mut s, &[Action::MoveDown, Action::MoveDown, Action::ToggleMark, Action::MoveDown]);
    let at_cursor = s.view.visible[s.list.cursor];
    let cursor_key = s.rows.get(at_cursor).unwrap().key.clone();
    let marked: Vec<_> = s.marks.iter().map(|&i| s.rows.get(i).unwrap().key.clone()).collect();
    assert_eq!(marked.len(), 1);

    // The last row in the list becomes critical and notified, retitled; the marked one is retitled.
    let last = *s.view.visible.last().unwrap();
    let mut up = s.rows.get(last).unwrap().clone();
    assert_ne!(up.severity, Some(SeverityLabel::Critical));
    up.severity = Some(SeverityLabel::Critical);
    up.workflow = Some(WorkflowStatus::Notified);
    up.title = "Renamed upstream".into();
    let mut m = s.rows.get(s.rows.index_of(&marked[0]).unwrap()).unwrap().clone();
    m.title = "The marked one, retitled".into();
    let n = s.rows.all.len();
    handle_event(&mut s, Event::RowsUpdated { rows: vec![up.clone(), m] });

    assert_eq!(s.rows.all.len(), n, "replaced, not added");
    let i = s.rows.index_of(&up.key).unwrap();
    let row = s.rows.get(i).unwrap();
    assert_eq!((row.severity, row.workflow, row.title.as_str()), (up.severity, up.workflow, "Renamed upstream"));
    let pos = s.view.visible.iter().position(|&v| v == i).unwrap();
    assert!(
        s.view.visible[..pos].iter().all(|&v| s.rows.get(v).unwrap().severity == Some(SeverityLabel::Critical)),
        "critical now, it sorts among the critical rows (at {pos})"
    );
    assert!(pos < 29, "it moved up from the end: {pos}");
    assert_eq!(s.rows.get(s.view.visible[s.list.cursor]).unwrap().key, cursor_key, "the cursor stays on its finding");
    let now: Vec<_> = s.marks.iter().map(|&i| s.rows.get(i).unwrap().key.clone()).collect();
    assert_eq!(now, marked, "the marks stay on theirs");
    // The `/` filter finds the new title.
    act(&mut s, &[Action::StartFilter]);
    for c in "retitled".chars() {
        act(&mut s, &[Action::Input(c)]);
    }
    assert_eq!(s.view.visible.len(), 1);
}
