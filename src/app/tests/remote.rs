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

/// A row that others' edits take out of the view (another analyst resolved it, read back by the
/// recheck pass or a refresh, while the view is open work: NEW or NOTIFIED) leaves the list at once
/// rather than at the next `R`, as a row our own edit takes out does: the cursor on it stays at
/// its place, on the row that took it, and a cursor elsewhere stays on its finding. A row with an
/// edit of ours pending in the outbox stays as the list shows it (the remote may not hold our edit
/// yet).
#[test]
fn rows_others_edits_take_out_of_the_view_leave_it_unless_our_edit_is_pending() {
    use crate::model::source::{OutboxState, QueuedEdit};
    let mut s = loaded(30);
    crate::app::view::apply_query(&mut s, crate::app::views::OPEN_WORK_QUERY).unwrap();
    let open = s.view.visible.len();
    assert!(open > 6, "{open}");
    act(&mut s, &[Action::MoveDown, Action::MoveDown, Action::MoveDown]);
    let key_at = |s: &crate::app::AppState, pos: usize| s.rows.get(s.view.visible[pos]).unwrap().key.clone();
    let (at_cursor, next) = (key_at(&s, 3), key_at(&s, 4));
    let resolved = |s: &crate::app::AppState, key: &crate::model::finding::FindingId| {
        let mut r = s.rows.get(s.rows.index_of(key).unwrap()).unwrap().clone();
        r.workflow = Some(WorkflowStatus::Resolved);
        r
    };

    // Bob resolves the finding under the cursor.
    let up = resolved(&s, &at_cursor);
    handle_event(&mut s, Event::RowsUpdated { rows: vec![up] });
    let listed = |s: &crate::app::AppState, k| s.view.visible.iter().any(|&i| &s.rows.get(i).unwrap().key == k);
    assert!(!listed(&s, &at_cursor), "the resolved row left the view");
    assert_eq!(s.view.visible.len(), open - 1);
    assert_eq!(s.list.cursor, 3, "the cursor stays at its place");
    assert_eq!(key_at(&s, 3), next, "on the row that took it");

    // Bob resolves one above the cursor: the cursor stays on its finding.
    let above = key_at(&s, 0);
    let up = resolved(&s, &above);
    handle_event(&mut s, Event::RowsUpdated { rows: vec![up] });
    assert!(!listed(&s, &above));
    assert_eq!(key_at(&s, s.list.cursor), next, "the cursor stays on its finding");

    // A finding whose edit of ours waits in the outbox stays as listed.
    let ours = key_at(&s, 1);
    let queued = QueuedEdit { key: ours.clone(), queued_ms: 0, attempts: 0, last_error: None };
    handle_event(&mut s, Event::OutboxChanged { state: OutboxState { queued: vec![queued], refused: vec![] } });
    let up = resolved(&s, &ours);
    handle_event(&mut s, Event::RowsUpdated { rows: vec![up] });
    assert!(listed(&s, &ours), "our pending edit keeps it");
    assert_eq!(s.view.visible.len(), open - 2);
}
