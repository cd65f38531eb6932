//! `update` and `handle_event` without a terminal: every action, bulk edits, undo/redo, rollback on
//! UnprocessedFindings, and quitting with edits in flight.

use serde_json::Value;
use time::macros::datetime;

use super::action::Action;
use super::effect::Effect;
use super::event::{CallOutcome, Event, HistoryEntry, Rejected};
use super::input::InputKind;
use super::prompt::Prompt;
use super::row::Row;
use super::state::{Config, Context, LoadState, Mode};
use super::AppState;
use super::{handle_event, resize, start, update};
use crate::generate::{generate, GenOptions};
use crate::model::enums::{SeverityLabel, WorkflowStatus};
use crate::model::finding::FindingId;
use crate::model::update::FindingUpdate;

pub fn docs(n: usize) -> Vec<Value> {
    generate(&GenOptions { count: n, seed: 7, ..GenOptions::default() }).collect()
}

/// A state with `n` generated findings loaded, at a fixed clock.
pub fn loaded(n: usize) -> AppState {
    let mut s =
        AppState::new(Config { user: "alice".into(), ..Config::default() }, "test.db", datetime!(2026-11-01 0:00 UTC));
    resize(&mut s, 160, 48);
    let effects = start(&mut s);
    assert_eq!(effects, vec![Effect::LoadRows { generation: 1 }]);
    let mut rows: Vec<Row> = docs(n).iter().map(Row::from_asff).collect();
    rows.sort_by(|a, b| super::filter::SortSpec::default().compare(a, b));
    let second = rows.split_off(n.min(10));
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows, total: Some(n), done: false });
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: second, total: Some(n), done: true });
    s
}

fn act(s: &mut AppState, actions: &[Action]) -> Vec<Effect> {
    actions.iter().flat_map(|a| update(s, *a)).collect()
}

fn typed(s: &mut AppState, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(s, Action::Input(c))).collect()
}

/// `:TEXT` typed on an emptied command line and submitted.
fn run(s: &mut AppState, text: &str) -> Vec<Effect> {
    act(s, &[Action::StartCommand, Action::KillToStart]);
    typed(s, text);
    act(s, &[Action::Submit])
}

/// The saved views' directory the view tests' config names (never read: views come as events).
fn views_dir() -> std::path::PathBuf {
    std::path::PathBuf::from("/cfg/hubtriage/views")
}

fn batch(effects: &[Effect]) -> (u64, Vec<crate::model::call::UpdateCall>) {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::ApplyBatch { batch_id, calls } => Some((*batch_id, calls.clone())),
            _ => None,
        })
        .expect("an ApplyBatch effect")
}

/// The worker's answer when every finding was processed.
fn all_processed(s: &mut AppState, id: u64, calls: &[crate::model::call::UpdateCall], restore: FindingUpdate) {
    for (i, c) in calls.iter().enumerate() {
        let outcome = CallOutcome {
            processed: c.ids.clone(),
            unprocessed: vec![],
            restores: c.ids.iter().map(|k| (k.clone(), restore.clone())).collect(),
        };
        handle_event(s, Event::BatchApplied { batch_id: id, call: i, outcome });
    }
}

fn workflow_of(s: &AppState, key: &FindingId) -> Option<WorkflowStatus> {
    s.rows.get(s.rows.index_of(key).unwrap()).unwrap().workflow
}

#[test]
fn loading_shows_rows_as_they_arrive_and_asks_for_the_first_detail() {
    let mut s = AppState::new(Config::default(), "x", datetime!(2026-11-01 0:00 UTC));
    start(&mut s);
    assert_eq!(s.status.load, LoadState::Loading { loaded: 0, total: 0 });
    let rows: Vec<Row> = docs(30).iter().map(Row::from_asff).collect();
    let first_key = rows[0].key.clone();
    let e = handle_event(
        &mut s,
        Event::RowsLoaded { generation: 1, rows: rows[..5].to_vec(), total: Some(30), done: false },
    );
    assert_eq!(e, vec![Effect::LoadDetail { key: first_key }]);
    assert_eq!(s.view.visible.len(), 5);
    assert_eq!(s.status.load, LoadState::Loading { loaded: 5, total: 30 });
    // A chunk of an older load is ignored.
    handle_event(&mut s, Event::RowsLoaded { generation: 0, rows: rows.clone(), total: Some(30), done: true });
    assert_eq!(s.rows.all.len(), 5);
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: rows[5..].to_vec(), total: Some(30), done: true });
    assert_eq!(s.status.load, LoadState::Loaded);
    assert_eq!(s.view.visible.len(), 30);
}

#[test]
fn an_empty_store_offers_the_demo_and_demo_mode_loads_it_directly() {
    let mut s = AppState::new(Config::default(), "x", datetime!(2026-11-01 0:00 UTC));
    start(&mut s);
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: vec![], total: Some(0), done: true });
    assert_eq!(s.prompt, Some(Prompt::OfferDemo));
    assert_eq!(s.context(), Context::Prompt);
    assert_eq!(update(&mut s, Action::Yes), vec![Effect::LoadDemo]);
    let e = handle_event(&mut s, Event::DemoLoaded { count: 2000 });
    assert_eq!(e, vec![Effect::LoadRows { generation: 2 }]);

    let mut s = AppState::new(Config { auto_demo: true, ..Config::default() }, "x", datetime!(2026-11-01 0:00 UTC));
    start(&mut s);
    let e = handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: vec![], total: Some(0), done: true });
    assert_eq!(e, vec![Effect::LoadDemo]);
    assert_eq!(s.prompt, None);

    let mut s = AppState::new(Config::default(), "x", datetime!(2026-11-01 0:00 UTC));
    start(&mut s);
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: vec![], total: Some(0), done: true });
    assert!(update(&mut s, Action::No).is_empty());
    assert!(s.status.message.as_ref().unwrap().text.contains("empty"));
}

#[test]
fn moving_scrolls_and_loads_only_the_current_detail() {
    let mut s = loaded(100);
    let page = s.list.page;
    let e = act(&mut s, &[Action::MoveDown]);
    let key1 = s.rows.get(s.view.visible[1]).unwrap().key.clone();
    assert_eq!(e, vec![Effect::LoadDetail { key: key1.clone() }]);
    act(&mut s, &[Action::MoveUp, Action::MoveUp]);
    assert_eq!(s.list.cursor, 0, "stops at the top");
    act(&mut s, &[Action::PageDown]);
    assert_eq!(s.list.cursor, page);
    assert_eq!(s.list.offset, 1, "the cursor row is scrolled into view");
    act(&mut s, &[Action::Bottom]);
    assert_eq!(s.list.cursor, 99);
    assert_eq!(s.list.offset, 100 - page);
    act(&mut s, &[Action::PageUp, Action::Top]);
    assert_eq!((s.list.cursor, s.list.offset), (0, 0));
    // A detail that arrives after the cursor moved on is dropped.
    let k0 = s.detail.key.clone().unwrap();
    handle_event(&mut s, Event::DetailLoaded { key: key1, doc: Some(Box::new(Value::Null)), history: vec![] });
    assert!(s.detail.doc.is_none());
    let h = HistoryEntry { time: "t".into(), who: "x".into(), service_reason: None, created: true, changes: vec![] };
    handle_event(&mut s, Event::DetailLoaded { key: k0, doc: Some(Box::new(docs(1)[0].clone())), history: vec![h] });
    assert!(s.detail.doc.is_some());
    assert_eq!(s.detail.history.len(), 1);
}

// G/End scroll the detail pane to its last screenful once it has been laid out; j stops there, k
// goes back from there, and a layout that got shorter brings the scroll back.
#[test]
fn detail_scrolls_to_its_measured_bottom_and_no_further() {
    let mut s = loaded(20);
    act(&mut s, &[Action::ToggleFocus, Action::Bottom]);
    assert_eq!((s.detail.scroll, s.list.cursor), (0, 0), "not laid out yet: nothing to go to, the list stays");
    super::detail_measured(&mut s, 30);
    act(&mut s, &[Action::Bottom]);
    assert_eq!(s.detail.scroll, 30);
    act(&mut s, &[Action::MoveDown, Action::PageDown]);
    assert_eq!(s.detail.scroll, 30, "j and PgDn stop at the bottom");
    act(&mut s, &[Action::MoveUp]);
    assert_eq!(s.detail.scroll, 29);
    act(&mut s, &[Action::Bottom]);
    s.dirty = false;
    super::detail_measured(&mut s, 12);
    assert_eq!(s.detail.scroll, 12);
    assert!(s.dirty, "the scroll it brought back is redrawn");
    act(&mut s, &[Action::Top]);
    assert_eq!((s.detail.scroll, s.list.cursor), (0, 0));
}

#[test]
fn focus_detail_full_height_raw_view_and_esc_backs_out() {
    let mut s = loaded(20);
    act(&mut s, &[Action::ToggleFocus]);
    assert_eq!(s.context(), Context::Detail);
    act(&mut s, &[Action::MoveDown, Action::MoveDown, Action::PageDown]);
    assert_eq!(s.detail.scroll, 12, "j/k scroll the detail when it has focus");
    assert_eq!(s.list.cursor, 0);
    act(&mut s, &[Action::ToggleFocus, Action::OpenDetail]);
    assert_eq!(s.mode, Mode::DetailFull);
    act(&mut s, &[Action::ToggleRaw]);
    assert!(s.detail.raw);
    act(&mut s, &[Action::Back]);
    assert_eq!((s.mode, s.context()), (Mode::Split, Context::List));
    act(&mut s, &[Action::Help]);
    assert_eq!(s.context(), Context::Help);
    act(&mut s, &[Action::Resolve]);
    assert_eq!(s.prompt, None, "keys under the help overlay do nothing");
    act(&mut s, &[Action::Back]);
    assert!(!s.help);
}

#[test]
fn live_filter_narrows_on_every_keystroke_and_esc_clears_it() {
    let mut s = loaded(300);
    act(&mut s, &[Action::StartFilter]);
    assert_eq!(s.context(), Context::Input);
    typed(&mut s, "s3");
    let after_two = s.view.visible.len();
    assert!(after_two < 300 && after_two > 0, "{after_two}");
    typed(&mut s, " bucket");
    let narrower = s.view.visible.len();
    assert!(narrower <= after_two);
    let has = |i: u32, t: &str| s.rows.get(i).unwrap().search_fields().iter().any(|f| f.to_lowercase().contains(t));
    assert!(s.view.visible.iter().all(|&i| has(i, "s3") && has(i, "bucket")));
    let s3_rows = s.rows.all.iter().filter(|r| r.search_fields().iter().any(|f| f.to_lowercase().contains("s3")));
    assert_eq!(after_two, s3_rows.count(), "/s3 shows exactly the rows with S3 in a field");
    act(&mut s, &[Action::Backspace]);
    assert!(s.view.visible.len() >= narrower);
    act(&mut s, &[Action::Submit]);
    assert_eq!(s.input, None);
    assert!(!s.view.filter.pattern.is_empty(), "Enter keeps the filter");
    act(&mut s, &[Action::Back]);
    assert_eq!(s.view.visible.len(), 300, "Esc in the list clears the filter");
    act(&mut s, &[Action::StartFilter]);
    typed(&mut s, "zzzzqqq");
    assert!(s.view.visible.is_empty());
    act(&mut s, &[Action::Back]);
    assert_eq!(s.view.visible.len(), 300);
}

#[test]
fn structured_queries_run_in_memory_when_rows_can_answer() {
    let mut s = loaded(300);
    act(&mut s, &[Action::StartCommand]);
    let e = typed(&mut s, "sev>=high status:new");
    assert!(e.is_empty());
    let e = act(&mut s, &[Action::Submit]);
    assert!(!e.iter().any(|e| matches!(e, Effect::RunQuery { .. })), "{e:?}");
    assert!(!s.view.visible.is_empty());
    assert!(s.view.visible.iter().all(|&i| {
        let r = s.rows.get(i).unwrap();
        r.severity >= Some(SeverityLabel::High) && r.workflow == Some(WorkflowStatus::New)
    }));
    assert_eq!(s.view.query.text, "sev>=high status:new");
    act(&mut s, &[Action::Back]);
    assert_eq!(s.view.visible.len(), 300, "Esc clears the query");
}

#[test]
fn other_queries_go_to_the_backend_and_errors_show_their_column() {
    let mut s = loaded(50);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "sevv:high");
    act(&mut s, &[Action::Submit]);
    let err = s.input.as_ref().unwrap().error.clone().unwrap();
    assert!(err.starts_with("column 1:"), "{err}");
    act(&mut s, &[Action::Back, Action::StartCommand]);
    typed(&mut s, "tag:Environment=prod");
    let e = act(&mut s, &[Action::Submit]);
    assert_eq!(e, vec![Effect::RunQuery { query_id: 1, query: crate::query::parse("tag:Environment=prod").unwrap() }]);
    let keys: Vec<FindingId> = s.view.visible[..3].iter().map(|&i| s.rows.get(i).unwrap().key.clone()).collect();
    handle_event(&mut s, Event::QueryMatched { query_id: 1, keys: keys.clone() });
    assert_eq!(s.view.visible.len(), 3);
    handle_event(&mut s, Event::QueryMatched { query_id: 0, keys: vec![] });
    assert_eq!(s.view.visible.len(), 3, "an answer to an older query is ignored");
}

#[test]
fn sort_group_export_and_quit_commands() {
    let mut s = loaded(120);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "sort title asc");
    act(&mut s, &[Action::Submit]);
    let titles: Vec<&str> = s.view.visible.iter().map(|&i| s.rows.get(i).unwrap().title.as_str()).collect();
    assert!(titles.windows(2).all(|w| w[0] <= w[1]));
    act(&mut s, &[Action::SortReverse]);
    let titles: Vec<&str> = s.view.visible.iter().map(|&i| s.rows.get(i).unwrap().title.as_str()).collect();
    assert!(titles.windows(2).all(|w| w[0] >= w[1]));
    act(&mut s, &[Action::SortNext]);
    assert_eq!(s.view.sort.column, super::filter::SortColumn::Resource);

    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "group product");
    act(&mut s, &[Action::Submit]);
    assert_eq!(s.mode, Mode::Group);
    let total: usize = s.group.groups.iter().map(|g| g.count).sum();
    assert_eq!(total, 120);
    assert!(s.group.groups.windows(2).all(|w| w[0].count >= w[1].count));
    let (product, n) = (s.group.groups[0].value.clone(), s.group.groups[0].count);
    act(&mut s, &[Action::Submit]);
    assert_eq!(s.mode, Mode::Split);
    assert_eq!(s.view.visible.len(), n, "Enter drills into the group");
    assert!(s.view.visible.iter().all(|&i| s.rows.get(i).unwrap().product == product));
    act(&mut s, &[Action::GroupView, Action::CycleNext]);
    assert_eq!(s.group.field, super::state::GroupField::Account, "the group view remembers its field");
    act(&mut s, &[Action::Back, Action::StartCommand]);
    typed(&mut s, "group severity");
    act(&mut s, &[Action::Submit]);
    let labels: Vec<&str> = s.group.groups.iter().map(|g| g.value.as_str()).collect();
    let order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"];
    let expected: Vec<&str> = order.iter().copied().filter(|l| labels.contains(l)).collect();
    assert!(expected.len() >= 3, "{labels:?}");
    assert_eq!(labels, expected, "severity groups in severity order, most severe first");
    act(&mut s, &[Action::Back]);

    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "export /tmp/out.json");
    let e = act(&mut s, &[Action::Submit]);
    assert!(
        matches!(&e[..], [Effect::Export { path, keys, overwrite: false }] if path.to_str() == Some("/tmp/out.json") && keys.len() == n)
    );
    // `:export!` replaces an existing file; `:export` alone never does (the worker refuses).
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "export! ~/out.csv");
    let e = act(&mut s, &[Action::Submit]);
    assert!(matches!(&e[..], [Effect::Export { path, overwrite: true, .. }] if path.to_str() == Some("~/out.csv")));

    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "q");
    assert_eq!(act(&mut s, &[Action::Submit]), vec![Effect::Quit]);
    assert!(s.quit);
}

#[test]
fn marks_single_range_all_and_clear() {
    let mut s = loaded(50);
    act(&mut s, &[Action::ToggleMark]);
    assert_eq!(s.marks.len(), 1);
    assert_eq!(s.list.cursor, 1, "space marks and moves on");
    act(&mut s, &[Action::MoveUp, Action::ToggleMark]);
    assert!(s.marks.is_empty(), "space again unmarks");
    act(
        &mut s,
        &[Action::Top, Action::RangeMark, Action::MoveDown, Action::MoveDown, Action::MoveDown, Action::RangeMark],
    );
    assert_eq!(s.marks.len(), 4);
    act(&mut s, &[Action::ClearMarks]);
    assert!(s.marks.is_empty());
    act(&mut s, &[Action::StartFilter]);
    typed(&mut s, "s3");
    act(&mut s, &[Action::Submit, Action::MarkAll]);
    assert_eq!(s.marks.len(), s.view.visible.len());
    assert_eq!(s.targets().len(), s.marks.len());
}

#[test]
fn resolve_previews_then_applies_optimistically_and_confirms() {
    let mut s = loaded(50);
    let key = s.cursor_row().unwrap().1.key.clone();
    let before = workflow_of(&s, &key);
    assert!(act(&mut s, &[Action::Resolve]).is_empty());
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    assert_eq!(plan.preview(), "Set Workflow RESOLVED on 1 finding: 1 BatchUpdateFindings call");
    let e = act(&mut s, &[Action::Yes]);
    let (id, calls) = batch(&e);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].ids, vec![key.clone()]);
    assert_eq!(workflow_of(&s, &key), Some(WorkflowStatus::Resolved), "optimistic");
    assert_eq!(s.edits.findings_in_flight(), 1);
    let restore = FindingUpdate { workflow_status: before, ..FindingUpdate::default() };
    all_processed(&mut s, id, &calls, restore);
    assert!(s.edits.in_flight.is_empty());
    assert_eq!(s.history.undo.len(), 1);
    assert_eq!(workflow_of(&s, &key), Some(WorkflowStatus::Resolved));
    // n and Esc on a preview send nothing.
    act(&mut s, &[Action::Notify]);
    assert!(act(&mut s, &[Action::No]).is_empty());
    assert_eq!(workflow_of(&s, &key), Some(WorkflowStatus::Resolved));
}

#[test]
fn a_bulk_edit_is_split_into_calls_of_100() {
    let mut s = loaded(240);
    act(&mut s, &[Action::MarkAll, Action::Resolve]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    assert_eq!(plan.preview(), "Set Workflow RESOLVED on 240 findings: 3 BatchUpdateFindings calls");
    let e = act(&mut s, &[Action::Yes]);
    let (id, calls) = batch(&e);
    assert_eq!(calls.iter().map(|c| c.ids.len()).collect::<Vec<_>>(), vec![100, 100, 40]);
    assert!(s.marks.is_empty(), "marks are consumed by the edit");
    assert!(s.rows.all.iter().all(|r| r.workflow == Some(WorkflowStatus::Resolved)));
    let first = CallOutcome { processed: calls[0].ids.clone(), unprocessed: vec![], restores: vec![] };
    handle_event(&mut s, Event::BatchApplied { batch_id: id, call: 0, outcome: first });
    assert_eq!(s.edits.findings_in_flight(), 140);
    assert_eq!(s.edits.in_flight[&id].answered, 1);
}

#[test]
fn unprocessed_findings_roll_back_stay_marked_and_retry() {
    let mut s = loaded(30);
    act(&mut s, &[Action::MarkAll]);
    let before: Vec<_> = s.rows.all.iter().map(|r| (r.key.clone(), r.workflow)).collect();
    act(&mut s, &[Action::Suppress]);
    typed(&mut s, "accepted risk");
    act(&mut s, &[Action::Submit]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    assert_eq!(plan.preview(), "Set Workflow SUPPRESSED and Note on 30 findings: 1 BatchUpdateFindings call");
    let (id, calls) = batch(&act(&mut s, &[Action::Yes]));
    assert_eq!(calls[0].update.note.as_ref().unwrap().updated_by, "alice");
    let (bad, good) = calls[0].ids.split_at(2);
    let outcome = CallOutcome {
        processed: good.to_vec(),
        unprocessed: bad.iter().map(|k| Rejected { key: k.clone(), reason: "FindingNotFound: gone".into() }).collect(),
        restores: vec![],
    };
    handle_event(&mut s, Event::BatchApplied { batch_id: id, call: 0, outcome });
    for (k, w) in &before {
        let now = workflow_of(&s, k);
        if bad.contains(k) {
            assert_eq!(now, *w, "rolled back");
            assert!(s.marks.contains(&s.rows.index_of(k).unwrap()), "stays marked");
            assert_eq!(s.edits.failed[k].reason, "FindingNotFound: gone");
        } else {
            assert_eq!(now, Some(WorkflowStatus::Suppressed));
        }
    }
    assert_eq!(s.marks.len(), 2);
    let msg = &s.status.message.as_ref().unwrap().text;
    assert!(msg.contains("2 not updated") && msg.contains("FindingNotFound"), "{msg}");
    let (_, retry) = batch(&act(&mut s, &[Action::RetryFailed, Action::Yes]));
    assert_eq!(retry.len(), 1);
    let mut ids = retry[0].ids.clone();
    ids.sort();
    let mut want = bad.to_vec();
    want.sort();
    assert_eq!(ids, want);
    assert_eq!(retry[0].update.workflow_status, Some(WorkflowStatus::Suppressed));
    assert!(s.edits.failed.is_empty());
}

#[test]
fn a_call_that_fails_whole_rolls_back_its_findings() {
    let mut s = loaded(10);
    let key = s.cursor_row().unwrap().1.key.clone();
    let before = workflow_of(&s, &key);
    act(&mut s, &[Action::Notify]);
    let (id, calls) = batch(&act(&mut s, &[Action::Yes]));
    handle_event(
        &mut s,
        Event::BatchFailed {
            batch_id: id,
            call: 0,
            keys: calls[0].ids.clone(),
            error: crate::model::source::BackendError::unavailable("store: disk I/O error"),
        },
    );
    assert_eq!(workflow_of(&s, &key), before);
    assert!(s.edits.in_flight.is_empty());
    assert!(s.history.undo.is_empty(), "nothing applied, nothing to undo");
    assert!(s.status.message.as_ref().unwrap().text.contains("disk I/O error"));
}

#[test]
fn undo_restores_previous_values_in_grouped_calls_and_redo_reapplies() {
    let mut s = loaded(40);
    act(&mut s, &[Action::MarkAll, Action::Resolve]);
    let (id, calls) = batch(&act(&mut s, &[Action::Yes]));
    // Half were NEW, half NOTIFIED before: undo needs two groups, one call each.
    for (i, c) in calls.iter().enumerate() {
        let restores = c
            .ids
            .iter()
            .enumerate()
            .map(|(j, k)| {
                let w = if j % 2 == 0 { WorkflowStatus::New } else { WorkflowStatus::Notified };
                (k.clone(), FindingUpdate { workflow_status: Some(w), ..FindingUpdate::default() })
            })
            .collect();
        let outcome = CallOutcome { processed: c.ids.clone(), unprocessed: vec![], restores };
        handle_event(&mut s, Event::BatchApplied { batch_id: id, call: i, outcome });
    }
    let (uid, undo_calls) = batch(&act(&mut s, &[Action::Undo]));
    assert_eq!(undo_calls.len(), 2);
    assert_eq!(undo_calls[0].update.workflow_status, Some(WorkflowStatus::New));
    assert_eq!(undo_calls[1].update.workflow_status, Some(WorkflowStatus::Notified));
    assert_eq!(undo_calls.iter().map(|c| c.ids.len()).sum::<usize>(), 40);
    let k = undo_calls[1].ids[0].clone();
    assert_eq!(workflow_of(&s, &k), Some(WorkflowStatus::Notified), "undo is optimistic too");
    for (i, c) in undo_calls.iter().enumerate() {
        let outcome = CallOutcome { processed: c.ids.clone(), unprocessed: vec![], restores: vec![] };
        handle_event(&mut s, Event::BatchApplied { batch_id: uid, call: i, outcome });
    }
    assert!(s.history.undo.is_empty());
    assert_eq!(s.history.redo.len(), 1);
    let (_, redo_calls) = batch(&act(&mut s, &[Action::Redo]));
    assert_eq!(redo_calls.len(), 1);
    assert_eq!(redo_calls[0].ids.len(), 40);
    assert_eq!(redo_calls[0].update.workflow_status, Some(WorkflowStatus::Resolved));
    assert!(s.history.redo.is_empty());
    assert!(act(&mut s, &[Action::Redo]).is_empty());
}

#[test]
fn quitting_asks_while_edits_are_in_flight() {
    let mut s = loaded(10);
    act(&mut s, &[Action::Resolve]);
    let (id, calls) = batch(&act(&mut s, &[Action::Yes]));
    assert!(act(&mut s, &[Action::Quit]).is_empty());
    assert_eq!(s.prompt, Some(Prompt::QuitWithEditsInFlight));
    assert!(act(&mut s, &[Action::No]).is_empty());
    assert!(!s.quit);
    act(&mut s, &[Action::Quit]);
    assert_eq!(act(&mut s, &[Action::Yes]), vec![Effect::Quit]);
    assert!(s.quit);

    let mut s = loaded(10);
    act(&mut s, &[Action::Resolve]);
    let (id2, calls2) = batch(&act(&mut s, &[Action::Yes]));
    assert_eq!((id, calls.len()), (id2, calls2.len()));
    all_processed(&mut s, id2, &calls2, FindingUpdate::default());
    assert_eq!(act(&mut s, &[Action::Quit]), vec![Effect::Quit], "nothing in flight: quits at once");
}

#[test]
fn suppress_reason_can_be_mandatory_and_notes_are_validated() {
    let mut s = loaded(5);
    s.config.suppress_reason_required = true;
    act(&mut s, &[Action::Suppress, Action::Submit]);
    let Some(Prompt::Text { error: Some(e), .. }) = &s.prompt else { panic!("still asking") };
    assert!(e.contains("required"), "{e}");
    act(&mut s, &[Action::Back]);
    assert_eq!(s.prompt, None);
    act(&mut s, &[Action::Note]);
    typed(&mut s, &"x".repeat(513));
    act(&mut s, &[Action::Submit]);
    let Some(Prompt::Text { error: Some(e), .. }) = &s.prompt else { panic!("still asking") };
    assert!(e.contains("512"), "the store's own rule: {e}");
    act(&mut s, &[Action::Back, Action::Note]);
    typed(&mut s, "ticket SEC-42");
    act(&mut s, &[Action::Submit]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    assert_eq!(plan.preview(), "Set Note on 1 finding: 1 BatchUpdateFindings call");
    let (_, calls) = batch(&act(&mut s, &[Action::Yes]));
    assert_eq!(calls[0].update.note.as_ref().unwrap().text, "ticket SEC-42");
}

#[test]
fn the_edit_form_sends_only_touched_fields_after_inline_validation() {
    let mut s = loaded(5);
    act(&mut s, &[Action::ToggleMark, Action::ToggleMark, Action::Edit]);
    assert_eq!(s.context(), Context::Form);
    assert_eq!(s.form.as_ref().unwrap().targets, 2);
    act(&mut s, &[Action::CycleNext, Action::CycleNext, Action::NextField, Action::NextField, Action::NextField]);
    typed(&mut s, "150");
    act(&mut s, &[Action::Submit]);
    let (field, msg) = s.form.as_ref().unwrap().error.clone().unwrap();
    assert_eq!(field, Some(super::form::FormField::Confidence));
    assert!(msg.contains("0 to 100"), "{msg}");
    act(&mut s, &[Action::Backspace, Action::Backspace]);
    act(&mut s, &[Action::Submit]);
    let Some(Prompt::Confirm(plan)) = &s.prompt else { panic!("a preview") };
    assert_eq!(plan.preview(), "Set Workflow NOTIFIED and Confidence 1 on 2 findings: 1 BatchUpdateFindings call");
    let (_, calls) = batch(&act(&mut s, &[Action::Yes]));
    let u = &calls[0].update;
    assert_eq!((u.workflow_status, u.confidence), (Some(WorkflowStatus::Notified), Some(1)));
    assert_eq!((u.note.clone(), u.severity.clone(), u.types.clone()), (None, None, None));
    act(&mut s, &[Action::Edit, Action::Back]);
    assert_eq!(s.form, None, "Esc closes the form");
}

#[test]
fn reload_keeps_marks_on_the_same_findings() {
    let mut s = loaded(20);
    act(&mut s, &[Action::MoveDown, Action::ToggleMark]);
    let marked_key = s.rows.get(*s.marks.iter().next().unwrap()).unwrap().key.clone();
    let e = act(&mut s, &[Action::Reload]);
    assert_eq!(e, vec![Effect::LoadRows { generation: 2 }]);
    let mut rows: Vec<Row> = docs(20).iter().map(Row::from_asff).collect();
    rows.reverse();
    handle_event(&mut s, Event::RowsLoaded { generation: 2, rows, total: Some(20), done: true });
    assert_eq!(s.marks.len(), 1);
    assert_eq!(s.rows.get(*s.marks.iter().next().unwrap()).unwrap().key, marked_key);
    assert_eq!(s.input, None);
    let _ = InputKind::Filter;
}

/// Issue 20 ("the `:` line has history, cursor movement, ... and `:help`").
mod cmdline;
/// Issue 20 ("columns").
mod columns;
/// Issue 20 ("`y` copies", "`o` opens").
mod copy;
/// Issue 20 ("time-boxed suppression").
mod expiry;
/// Issue 20 ("the edit form shows its current values").
mod form_current;
/// Issue 17 ("a query value that can match nothing").
mod query_warnings;
/// Issue 18 (remote mode: the workbench).
mod remote;
/// Issue 17 ("edits that do something other than what the analyst saw").
mod trust;
/// Issue 20 ("views that fit the work").
mod views;

// `:demo remove` asks first; a yes has the worker remove the demo findings, then the rows reload.
#[test]
fn demo_remove_command_confirms_then_removes_and_reloads() {
    let mut s = loaded(20);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "demo remove");
    assert_eq!(act(&mut s, &[Action::Submit]), vec![]);
    assert_eq!(s.prompt, Some(Prompt::RemoveDemo));
    assert_eq!(act(&mut s, &[Action::No]), vec![]);
    assert_eq!(s.prompt, None);
    act(&mut s, &[Action::StartCommand]);
    typed(&mut s, "demo remove");
    act(&mut s, &[Action::Submit]);
    assert_eq!(act(&mut s, &[Action::Yes]), vec![Effect::RemoveDemo]);
    let e = handle_event(&mut s, Event::DemoRemoved { count: 2000 });
    assert_eq!(e, vec![Effect::LoadRows { generation: 2 }]);
    assert!(s.status.message.as_ref().is_some_and(|m| m.text.contains("Removed 2,000 demo findings")));
}
mod group;
mod mouse;
mod preview;
mod resort;
