//! An edited row moves to where the sort puts it, and leaves a view whose query it no longer
//! matches: the cursor follows the edited finding, or stays where it was (on the row that took its
//! place) when the view no longer shows it.

use super::*;
use crate::app::filter::{SortColumn, SortSpec};

fn visible_keys(s: &AppState) -> Vec<FindingId> {
    s.view.visible.iter().map(|&i| s.rows.get(i).unwrap().key.clone()).collect()
}

fn in_sort_order(s: &AppState) -> bool {
    let spec = s.view.sort;
    s.view.visible.windows(2).all(|w| {
        let (a, b) = (s.rows.get(w[0]).unwrap(), s.rows.get(w[1]).unwrap());
        spec.compare(a, b) != std::cmp::Ordering::Greater
    })
}

#[test]
fn an_edited_row_moves_to_its_sorted_place_and_the_cursor_follows_it() {
    let mut s = loaded(60);
    super::super::view::set_sort(&mut s, SortSpec { column: SortColumn::Status, descending: false });
    let first_new = s.view.visible.iter().position(|&i| s.rows.get(i).unwrap().workflow == Some(WorkflowStatus::New));
    s.list.cursor = first_new.expect("a NEW finding");
    let key = s.rows.get(s.view.visible[s.list.cursor]).unwrap().key.clone();
    act(&mut s, &[Action::Resolve, Action::Yes]);
    assert_eq!(workflow_of(&s, &key), Some(WorkflowStatus::Resolved));
    assert!(in_sort_order(&s), "the edited row is in its sorted place");
    assert_eq!(visible_keys(&s)[s.list.cursor], key, "the cursor stays on the edited finding");
    assert_eq!(s.detail.key.as_ref(), Some(&key));
}

#[test]
fn an_edited_row_the_query_no_longer_matches_leaves_and_the_cursor_stays_in_place() {
    let mut s = loaded(60);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "status:new");
    act(&mut s, &[Action::Submit]);
    let before = visible_keys(&s);
    assert!(before.len() > 5);
    s.list.cursor = 2;
    act(&mut s, &[Action::Resolve, Action::Yes]);
    let after = visible_keys(&s);
    assert_eq!(after.len(), before.len() - 1, "the resolved finding left the view");
    assert!(!after.contains(&before[2]));
    assert_eq!(s.list.cursor, 2);
    assert_eq!(after[2], before[3], "the cursor is on the row that took the edited one's place");
}

#[test]
fn a_rejected_edit_puts_the_row_back_where_the_sort_wants_it() {
    let mut s = loaded(60);
    super::super::view::set_sort(&mut s, SortSpec { column: SortColumn::Status, descending: false });
    let first_new = s.view.visible.iter().position(|&i| s.rows.get(i).unwrap().workflow == Some(WorkflowStatus::New));
    s.list.cursor = first_new.unwrap();
    let key = s.rows.get(s.view.visible[s.list.cursor]).unwrap().key.clone();
    let effects = act(&mut s, &[Action::Resolve, Action::Yes]);
    let (id, calls) = batch(&effects);
    let outcome = CallOutcome {
        processed: vec![],
        unprocessed: vec![Rejected { key: key.clone(), reason: "AccessDenied".into() }],
        restores: vec![],
    };
    handle_event(&mut s, Event::BatchApplied { batch_id: id, call: 0, outcome });
    assert_eq!(calls.len(), 1);
    assert_eq!(workflow_of(&s, &key), Some(WorkflowStatus::New));
    assert!(in_sort_order(&s), "the rolled back row is in its sorted place");
}

#[test]
fn a_rejected_edit_brings_the_row_back_into_the_view_it_left() {
    let mut s = loaded(60);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "status:new");
    act(&mut s, &[Action::Submit]);
    let before = visible_keys(&s);
    s.list.cursor = 1;
    let effects = act(&mut s, &[Action::Resolve, Action::Yes]);
    let (id, _) = batch(&effects);
    assert_eq!(visible_keys(&s).len(), before.len() - 1);
    let outcome = CallOutcome {
        processed: vec![],
        unprocessed: vec![Rejected { key: before[1].clone(), reason: "AccessDenied".into() }],
        restores: vec![],
    };
    handle_event(&mut s, Event::BatchApplied { batch_id: id, call: 0, outcome });
    assert_eq!(visible_keys(&s), before, "the rolled back finding is shown again in its place");
}
