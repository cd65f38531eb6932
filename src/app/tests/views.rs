//! Issue 20 ("views that fit the work"): the default view, the key that shows all, saved views.

use super::{act, docs, run, views_dir};
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

/// While rows stream in, the default view lists only its own rows: those of each chunk, and those
/// already loaded when the views' files arrive; `a` marks only them.
#[test]
fn the_default_view_holds_while_rows_stream_in() {
    let config = Config { views_dir: Some(views_dir()), default_view: Some("open work".into()), ..Config::default() };
    let mut s = AppState::new(config, "test.db", time::macros::datetime!(2026-11-01 0:00 UTC));
    resize(&mut s, 160, 48);
    start(&mut s);
    let rows: Vec<Row> = docs(300).iter().map(Row::from_asff).collect();
    let (first, rest) = rows.split_at(100);
    let (second, last) = rest.split_at(100);
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: first.to_vec(), total: Some(300), done: false });
    // The views' files arrive after the first chunk: the rows already here are filtered at once.
    handle_event(&mut s, Event::ViewsLoaded { views: vec![], errors: vec![] });
    let open_so_far = |s: &AppState| s.rows.all.iter().filter(|r| open_work(r)).count();
    assert!(open_so_far(&s) < 100, "the first chunk holds closed work too");
    assert_eq!(s.view.visible.len(), open_so_far(&s));
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: second.to_vec(), total: Some(300), done: false });
    assert_eq!(s.view.visible.len(), open_so_far(&s), "each chunk's own rows are filtered as it arrives");
    assert!(s.view.visible.iter().all(|&i| open_work(s.rows.get(i).unwrap())));
    act(&mut s, &[Action::MarkAll]);
    assert_eq!(s.marks.len(), open_so_far(&s), "mark all marks only the view's rows");
    assert!(s.marks.iter().all(|&i| open_work(s.rows.get(i).unwrap())));
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: last.to_vec(), total: Some(300), done: true });
    assert_eq!(s.view.visible.len(), open_so_far(&s));
    assert!(s.view.visible.iter().all(|&i| open_work(s.rows.get(i).unwrap())));
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

#[test]
fn view_name_opens_a_shipped_view_with_its_sort_and_grouping() {
    let (mut s, _) = loaded_with(None, 300);
    let names: Vec<String> = s.views.all().into_iter().map(|v| v.name).collect();
    for shipped in ["open work", "all", "open critical and high", "failed controls", "reopened", "suppressed, expiring"]
    {
        assert!(names.iter().any(|n| n == shipped), "{shipped} in {names:?}");
    }
    run(&mut s, "view open critical and high");
    assert_eq!(s.input, None);
    assert_eq!(s.view.named.as_ref().unwrap().name, "open critical and high");
    assert!(!s.view.visible.is_empty());
    assert!(s
        .view
        .visible
        .iter()
        .map(|&i| s.rows.get(i).unwrap())
        .all(|r| open_work(r) && r.severity >= Some(crate::model::enums::SeverityLabel::High)));

    run(&mut s, "view failed controls");
    assert_eq!(s.mode, crate::app::state::Mode::Group);
    assert_eq!(s.group.field, crate::app::state::GroupField::Control);
    assert_eq!(s.view.sort.column, crate::app::filter::SortColumn::Control);

    act(&mut s, &[Action::Back]);
    run(&mut s, "view no such");
    let error = s.input.as_ref().and_then(|i| i.error.clone()).unwrap_or_default();
    assert!(error.contains("no view named \"no such\"") && error.contains("open work"), "{error}");
}

#[test]
fn view_names_complete_after_view() {
    let (mut s, _) = loaded_with(None, 20);
    act(&mut s, &[Action::StartCommand, Action::KillToStart]);
    super::typed(&mut s, "view op");
    act(&mut s, &[Action::Complete]);
    assert_eq!(s.input.as_ref().unwrap().text(), "view open work");
    let c = s.input.as_ref().unwrap().completion.clone().unwrap();
    assert_eq!(c.candidates, ["open work", "open critical and high"]);
}

#[test]
fn view_save_writes_the_current_view_to_its_file() {
    let config = Config { views_dir: Some(views_dir()), ..Config::default() };
    let mut s = AppState::new(config, "test.db", time::macros::datetime!(2026-11-01 0:00 UTC));
    let effects = start(&mut s);
    assert!(effects.contains(&Effect::LoadViews { dir: views_dir() }), "{effects:?}");
    let rows: Vec<Row> = docs(50).iter().map(Row::from_asff).collect();
    handle_event(&mut s, Event::ViewsLoaded { views: vec![], errors: vec![] });
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows, total: Some(50), done: true });
    run(&mut s, "sev>=high");
    run(&mut s, "sort updated asc");
    let effects = run(&mut s, "view save My Triage");
    let Some(Effect::SaveView { path, text }) = effects.first() else { panic!("{effects:?}") };
    assert_eq!(path, &views_dir().join("my-triage.toml"));
    assert_eq!(text, "name = \"My Triage\"\nquery = \"sev>=high\"\nsort = \"updated asc\"\n");
    assert_eq!(s.view.named.as_ref().unwrap().name, "My Triage");
    assert!(s.views.find("my triage").is_some(), "listed at once");
    handle_event(&mut s, Event::ViewSaved { path: path.clone() });
    assert!(s.status.message.as_ref().unwrap().text.contains("my-triage.toml"));
}

#[test]
fn a_bad_view_file_is_named_and_the_others_still_open() {
    let config = Config { views_dir: Some(views_dir()), default_view: Some("mine".into()), ..Config::default() };
    let mut s = AppState::new(config, "test.db", time::macros::datetime!(2026-11-01 0:00 UTC));
    start(&mut s);
    let mine = crate::app::views::parse(&views_dir().join("mine.toml"), "name = \"mine\"\nquery = \"sev:critical\"\n")
        .unwrap();
    handle_event(
        &mut s,
        Event::ViewsLoaded {
            views: vec![mine],
            errors: vec!["/cfg/hubtriage/views/bad.toml line 2: unknown field `qurey`".into()],
        },
    );
    let m = s.status.message.clone().unwrap();
    assert!(m.text.contains("bad.toml line 2"), "{}", m.text);
    let rows: Vec<Row> = docs(100).iter().map(Row::from_asff).collect();
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows, total: Some(100), done: true });
    assert_eq!(s.view.named.as_ref().unwrap().name, "mine", "the default view, from its file");
    assert_eq!(s.status.message, Some(m), "the bad file is still named once the rows are in");
    assert!(s
        .view
        .visible
        .iter()
        .all(|&i| s.rows.get(i).unwrap().severity == Some(crate::model::enums::SeverityLabel::Critical)));
}

#[test]
fn while_rows_stream_in_the_view_narrows_each_chunk_and_the_last_says_how_many() {
    let config = Config { views_dir: Some(views_dir()), default_view: Some("open work".into()), ..Config::default() };
    let mut s = AppState::new(config, "test.db", time::macros::datetime!(2026-11-01 0:00 UTC));
    start(&mut s);
    handle_event(&mut s, Event::ViewsLoaded { views: vec![], errors: vec![] });
    let mut rows: Vec<Row> = docs(100).iter().map(Row::from_asff).collect();
    let rest = rows.split_off(40);
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows, total: Some(100), done: false });
    // Changed on purpose: the first chunk's rows showed unfiltered until the last chunk (closed work
    // listed, and markable, under "open work"); the view now holds from the first chunk.
    let open_first = s.rows.all.iter().filter(|r| open_work(r)).count();
    assert!(open_first < 40, "the first chunk holds closed work too");
    assert_eq!(s.view.visible.len(), open_first, "the first chunk shows its open work while the rest loads");
    assert_eq!(s.view.named.as_ref().unwrap().name, "open work");
    handle_event(&mut s, Event::RowsLoaded { generation: 1, rows: rest, total: Some(100), done: true });
    let open = s.rows.all.iter().filter(|r| open_work(r)).count();
    assert_eq!(s.view.visible.len(), open);
    assert_eq!(s.status.message.as_ref().unwrap().text, format!("open work: {open} findings"));
}

#[test]
fn reopened_narrows_the_open_work_by_history() {
    let (mut s, _) = loaded_with(None, 100);
    let effects = run(&mut s, "view reopened");
    let Some(Effect::FindReopened { query_id, keys }) = effects.last().cloned() else { panic!("{effects:?}") };
    let open: usize = s.rows.all.iter().filter(|r| open_work(r)).count();
    assert_eq!(keys.len(), open, "the candidates are the open work");
    handle_event(&mut s, Event::QueryMatched { query_id, keys: keys[..2].to_vec() });
    assert_eq!(s.view.visible.len(), 2);
    assert_eq!(s.status.message.as_ref().unwrap().text, "reopened: 2 findings");
}

#[test]
fn reopened_is_the_last_workflow_change_back_from_resolved_or_suppressed() {
    use crate::app::event::HistoryEntry;
    use crate::model::change::FieldChange;
    let entry = |old: &str, new: &str| HistoryEntry {
        time: String::new(),
        who: "Security Hub".into(),
        service_reason: None,
        created: false,
        changes: vec![FieldChange { field: "Workflow.Status".into(), old: Some(old.into()), new: Some(new.into()) }],
    };
    use crate::app::views::is_reopened;
    assert!(is_reopened(&[entry("RESOLVED", "NEW"), entry("NEW", "RESOLVED")]));
    assert!(is_reopened(&[entry("SUPPRESSED", "NOTIFIED")]));
    assert!(!is_reopened(&[entry("NEW", "NOTIFIED"), entry("RESOLVED", "NEW")]), "the newest change counts");
    assert!(!is_reopened(&[]));
}

#[test]
fn the_picker_lists_the_views_and_a_key_opens_one() {
    let (mut s, _) = loaded_with(Some("open work"), 100);
    act(&mut s, &[Action::ViewPicker]);
    let menu = s.menu.clone().unwrap();
    assert_eq!(menu.items[menu.cursor].label, "open work", "the cursor on the current view");
    assert_eq!(s.context(), crate::app::state::Context::Menu);
    act(&mut s, &[Action::MoveDown, Action::Submit]);
    assert_eq!(s.menu, None);
    assert_eq!(s.view.named.as_ref().unwrap().name, "all");
    act(&mut s, &[Action::ViewPicker, Action::Input('3')]);
    assert_eq!(s.view.named.as_ref().unwrap().name, "open critical and high");
    act(&mut s, &[Action::ViewPicker, Action::Back]);
    assert_eq!((s.menu.is_none(), s.view.named.as_ref().unwrap().name.as_str()), (true, "open critical and high"));
}
