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

/// On a remote's cache (`fetches_beyond_view`), a `:` query is answered from the rows at once and
/// also asked of the remote for what it selects beyond the cached view; the findings the worker
/// brings back join the list (appended, never a reload: a mark stays on its finding) and the query
/// is applied to them, without asking the remote again. A local store is never asked.
#[test]
fn a_query_on_a_remotes_cache_also_fetches_beyond_the_view_and_the_findings_join_the_list() {
    use crate::app::effect::Effect;
    let query = crate::query::parse("status:resolved").unwrap();
    let mut local = loaded(20);
    act(&mut local, &[Action::StartCommand]);
    super::typed(&mut local, "status:resolved");
    let e = act(&mut local, &[Action::Submit]);
    assert!(!e.iter().any(|e| matches!(e, Effect::FetchBeyondView { .. })), "{e:?}");

    // Fetched rows: resolved findings the list does not hold.
    let fetched: Vec<_> = loaded(3)
        .rows
        .all
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            r.key = crate::model::finding::FindingId::asff(
                "arn:aws:securityhub:::product/aws/guardduty",
                format!("beyond-{i}"),
            );
            r.workflow = Some(WorkflowStatus::Resolved);
            r
        })
        .collect();
    let mut s = loaded(30);
    s.capabilities.fetches_beyond_view = true;
    act(&mut s, &[Action::StartCommand]);
    super::typed(&mut s, "status:resolved");
    let e = act(&mut s, &[Action::Submit]);
    assert!(e.contains(&Effect::FetchBeyondView { query }), "{e:?}");
    let before = s.view.visible.len();
    act(&mut s, &[Action::MarkAll]);
    let marked: Vec<_> = s.marks.iter().map(|&i| s.rows.get(i).unwrap().key.clone()).collect();
    let generation = s.generation;
    let e = handle_event(&mut s, Event::FetchedBeyondView { rows: fetched.clone() });
    assert!(!e.iter().any(|e| matches!(e, Effect::FetchBeyondView { .. } | Effect::LoadRows { .. })), "{e:?}");
    assert_eq!(s.generation, generation, "no reload");
    assert_eq!(s.view.visible.len(), before + 3, "the fetched findings match and are listed");
    let now: Vec<_> = s.marks.iter().map(|&i| s.rows.get(i).unwrap().key.clone()).collect();
    assert_eq!(now, marked, "the marks stay on their findings");
    let said = s.status.message.as_ref().map(|m| m.text.clone()).unwrap_or_default();
    assert!(said.contains("3 findings beyond the cached view"), "{said}");
    // The same rows again (a second answer) add nothing.
    assert!(handle_event(&mut s, Event::FetchedBeyondView { rows: fetched }).is_empty());
    assert_eq!(s.view.visible.len(), before + 3);
}

/// While the rows load, a `:` query on a remote's cache is not asked of the remote (the load's
/// first chunk would replace rows fetched before it, and with them the marks an analyst put on
/// them); an answer arriving then is dropped; the last chunk applies the query again and asks.
#[test]
fn a_query_typed_while_a_remotes_cache_loads_is_asked_beyond_the_view_once_the_load_ends() {
    use crate::app::effect::Effect;
    use crate::app::state::LoadState;
    let query = crate::query::parse("status:resolved").unwrap();
    let mut s = loaded(20);
    let rows = s.rows.all.clone();
    s.capabilities.fetches_beyond_view = true;
    let generation = match crate::app::update(&mut s, Action::Reload).as_slice() {
        [Effect::LoadRows { generation }] => *generation,
        other => panic!("{other:?}"),
    };
    let e = super::run(&mut s, "status:resolved");
    assert!(!e.iter().any(|e| matches!(e, Effect::FetchBeyondView { .. })), "not while loading: {e:?}");
    let mut early = rows[0].clone();
    early.key = crate::model::finding::FindingId::asff("arn:aws:securityhub:::product/aws/guardduty", "beyond");
    assert!(handle_event(&mut s, Event::FetchedBeyondView { rows: vec![early.clone()] }).is_empty());
    assert_eq!(s.rows.index_of(&early.key), None, "dropped while loading");
    let (first, rest) = rows.split_at(10);
    handle_event(&mut s, Event::RowsLoaded { generation, rows: first.to_vec(), total: Some(20), done: false });
    let e = handle_event(&mut s, Event::RowsLoaded { generation, rows: rest.to_vec(), total: Some(20), done: true });
    assert_eq!(s.status.load, LoadState::Loaded);
    assert!(e.contains(&Effect::FetchBeyondView { query }), "{e:?}");
    assert_eq!(s.rows.all.len(), 20, "each finding once");
}

/// A reload with a query the rows answer: after the first chunk (and each later one) the list
/// holds exactly the loaded rows that match it. Before, the query's matches still named the old
/// rows by position until the last chunk, so the list showed whichever new rows sat at those
/// positions, and "mark all matching" marked findings the query does not select.
#[test]
fn while_a_reload_streams_the_list_shows_only_rows_the_query_matches() {
    use crate::app::effect::Effect;
    let mut s = loaded(60);
    super::run(&mut s, "sev:high");
    assert!(!s.view.visible.is_empty());
    // The source sends them in another order (by title): the positions change.
    let mut rows = s.rows.all.clone();
    rows.sort_by(|a, b| a.title.cmp(&b.title));
    let generation = match crate::app::update(&mut s, Action::Reload).as_slice() {
        [Effect::LoadRows { generation }] => *generation,
        other => panic!("{other:?}"),
    };
    let rest = rows.split_off(25);
    let high = |s: &crate::app::AppState| {
        s.view.visible.iter().all(|&i| s.rows.get(i).unwrap().severity == Some(SeverityLabel::High))
    };
    handle_event(&mut s, Event::RowsLoaded { generation, rows, total: Some(60), done: false });
    let expected = s.rows.all.iter().filter(|r| r.severity == Some(SeverityLabel::High)).count();
    assert!(expected > 0);
    assert!(high(&s), "only high rows listed after the first chunk");
    assert_eq!(s.view.visible.len(), expected);
    act(&mut s, &[Action::MarkAll]);
    assert!(s.marks.iter().all(|&i| s.rows.get(i).unwrap().severity == Some(SeverityLabel::High)));
    handle_event(&mut s, Event::RowsLoaded { generation, rows: rest, total: Some(60), done: false });
    assert!(high(&s), "and after a later chunk");
    let expected = s.rows.all.iter().filter(|r| r.severity == Some(SeverityLabel::High)).count();
    assert_eq!(s.view.visible.len(), expected, "the later chunk's matches listed too");
}
