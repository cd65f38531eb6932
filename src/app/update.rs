//! The pure core: `update` turns an action into state changes and effects, `handle_event` does the
//! same for the worker's answers. No terminal, no tokio, no I/O; the clock is `state.now`.

use std::collections::HashSet;
use std::path::PathBuf;

use time::OffsetDateTime;

use super::action::Action;
use super::detail::{self, sync_detail};
use super::edit;
use super::edits::{self, start_batch};
use super::effect::Effect;
use super::event::Event;
use super::filter::{self, SortColumn, SortSpec};
use super::form::FormState;
use super::list::{self, resize};
use super::row::Row;
use super::state::{
    Context, EditPlan, Focus, GroupField, InputKind, InputLine, LoadState, Mode, Origin, Prompt, TextPurpose,
};
pub use super::view::apply_query;
use super::view::{self, clear_query, compute_groups, refresh, set_filter, set_sort};
use super::AppState;
use crate::model::enums::WorkflowStatus;
use crate::model::finding::FindingId;
use crate::model::update::{BatchUpdateRequest, FindingUpdate};

/// The effects to run when the workbench opens: load the rows.
pub fn start(s: &mut AppState) -> Vec<Effect> {
    s.generation += 1;
    s.status.load = LoadState::Loading { loaded: 0, total: 0 };
    s.dirty = true;
    vec![Effect::LoadRows { generation: s.generation }]
}

/// Advances the injected clock. Redraws only when something on screen moves with time.
pub fn tick(s: &mut AppState, now: OffsetDateTime) {
    let minute_changed = s.now.unix_timestamp() / 60 != now.unix_timestamp() / 60;
    s.now = now;
    if minute_changed || !s.edits.in_flight.is_empty() || matches!(s.status.load, LoadState::Loading { .. }) {
        s.dirty = true;
    }
}

pub fn update(s: &mut AppState, a: Action) -> Vec<Effect> {
    s.dirty = true;
    match s.context() {
        Context::Help => {
            if matches!(a, Action::Help | Action::Back | Action::Quit | Action::No) {
                s.help = false;
            }
            Vec::new()
        }
        Context::Prompt => prompt_action(s, a),
        Context::Form => form_action(s, a),
        Context::Input => input_action(s, a),
        Context::Group => group_action(s, a),
        Context::Detail | Context::List => main_action(s, a),
    }
}

// ----------------------------------------------------------------------------------------------
// The list and detail panes

fn main_action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let detail = s.context() == Context::Detail;
    match a {
        Action::MoveDown | Action::MoveUp | Action::PageDown | Action::PageUp | Action::Top | Action::Bottom
            if detail =>
        {
            detail::scroll(s, a)
        }
        Action::MoveDown | Action::MoveUp | Action::PageDown | Action::PageUp | Action::Top | Action::Bottom => {
            list::step(s, a)
        }
        Action::ToggleFocus => {
            if s.mode == Mode::Split {
                s.focus = if s.focus == Focus::List { Focus::Detail } else { Focus::List };
            }
            Vec::new()
        }
        Action::OpenDetail => {
            s.mode = Mode::DetailFull;
            s.focus = Focus::Detail;
            resize(s, s.size.0, s.size.1);
            sync_detail(s)
        }
        Action::ToggleRaw => detail::toggle_raw(s),
        Action::Back => back(s),
        Action::StartFilter => {
            s.input = Some(InputLine { kind: InputKind::Filter, text: s.view.filter.pattern.clone(), error: None });
            Vec::new()
        }
        Action::StartCommand => {
            s.input = Some(InputLine { kind: InputKind::Command, text: String::new(), error: None });
            Vec::new()
        }
        Action::ToggleMark => list::toggle_mark(s),
        Action::RangeMark => list::range_mark(s),
        Action::MarkAll => list::mark_all(s),
        Action::ClearMarks => list::clear_marks(s),
        Action::Resolve => quick(s, WorkflowStatus::Resolved),
        Action::Notify => quick(s, WorkflowStatus::Notified),
        Action::Suppress => {
            if !s.targets().is_empty() {
                s.prompt =
                    Some(Prompt::Text { purpose: TextPurpose::SuppressReason, text: String::new(), error: None });
            } else {
                s.error("No finding to suppress");
            }
            Vec::new()
        }
        Action::Note => {
            if !s.targets().is_empty() {
                s.prompt = Some(Prompt::Text { purpose: TextPurpose::Note, text: String::new(), error: None });
            } else {
                s.error("No finding to annotate");
            }
            Vec::new()
        }
        Action::Edit => {
            let n = s.targets().len();
            if n == 0 {
                s.error("No finding to edit");
            } else {
                s.form = Some(FormState::new(n));
            }
            Vec::new()
        }
        Action::Undo => edits::undo(s),
        Action::Redo => edits::redo(s),
        Action::RetryFailed => edits::retry(s),
        Action::Reload => reload(s),
        Action::Help => {
            s.help = true;
            Vec::new()
        }
        Action::Quit => quit(s),
        Action::SortNext => view::sort_next(s),
        Action::SortReverse => view::sort_reverse(s),
        Action::GroupView => {
            s.mode = Mode::Group;
            compute_groups(s);
            Vec::new()
        }
        _ => {
            s.dirty = false;
            Vec::new()
        }
    }
}

fn back(s: &mut AppState) -> Vec<Effect> {
    if s.mode == Mode::DetailFull {
        s.mode = Mode::Split;
        s.focus = Focus::List;
        resize(s, s.size.0, s.size.1);
    } else if s.focus == Focus::Detail {
        s.focus = Focus::List;
    } else if s.list.anchor.is_some() {
        s.list.anchor = None;
    } else if !s.view.filter.pattern.is_empty() {
        return set_filter(s, String::new());
    } else if !s.view.query.text.is_empty() {
        return clear_query(s);
    } else {
        s.dirty = false;
    }
    Vec::new()
}

fn reload(s: &mut AppState) -> Vec<Effect> {
    s.generation += 1;
    s.status.load = LoadState::Loading { loaded: 0, total: 0 };
    s.info("Reloading…");
    vec![Effect::LoadRows { generation: s.generation }]
}

fn quit(s: &mut AppState) -> Vec<Effect> {
    if s.edits.in_flight.is_empty() {
        s.quit = true;
        vec![Effect::Quit]
    } else {
        s.prompt = Some(Prompt::QuitWithEditsInFlight);
        Vec::new()
    }
}

// ----------------------------------------------------------------------------------------------
// The input line: `/` filter, `:` command, and text prompts

fn input_action(s: &mut AppState, a: Action) -> Vec<Effect> {
    if let Some(Prompt::Text { purpose, text, error }) = &mut s.prompt {
        let purpose = *purpose;
        match a {
            Action::Input(c) => {
                text.push(c);
                *error = None;
            }
            Action::Backspace => {
                text.pop();
                *error = None;
            }
            Action::Back => s.prompt = None,
            Action::Submit => {
                let text = text.trim().to_string();
                return submit_text(s, purpose, text);
            }
            _ => s.dirty = false,
        }
        return Vec::new();
    }
    let Some(line) = &mut s.input else { return Vec::new() };
    let kind = line.kind;
    match a {
        Action::Input(c) => {
            line.text.push(c);
            line.error = None;
        }
        Action::Backspace => {
            line.text.pop();
            line.error = None;
        }
        Action::Back => {
            s.input = None;
            if kind == InputKind::Filter {
                return set_filter(s, String::new());
            }
            return Vec::new();
        }
        Action::Submit => {
            let text = line.text.clone();
            if kind == InputKind::Filter {
                s.input = None;
                let n = s.view.visible.len();
                s.info(format!("{n} match /{}", s.view.filter.pattern));
                return Vec::new();
            }
            return run_command(s, &text);
        }
        _ => {
            s.dirty = false;
            return Vec::new();
        }
    }
    if kind == InputKind::Filter {
        let pattern = s.input.as_ref().map(|l| l.text.clone()).unwrap_or_default();
        return set_filter(s, pattern);
    }
    Vec::new()
}

fn submit_text(s: &mut AppState, purpose: TextPurpose, text: String) -> Vec<Effect> {
    let user = s.config.user.clone();
    let (update, what) = match purpose {
        TextPurpose::SuppressReason => {
            if text.is_empty() && s.config.suppress_reason_required {
                set_prompt_error(s, "A reason is required to suppress (config: suppress_reason_required)");
                return Vec::new();
            }
            let note = (!text.is_empty()).then_some((text.as_str(), user.as_str()));
            (edit::workflow_update(WorkflowStatus::Suppressed, note), "suppress")
        }
        TextPurpose::Note => (
            FindingUpdate {
                note: Some(crate::model::update::NoteUpdate { text: text.clone(), updated_by: user }),
                ..FindingUpdate::default()
            },
            "note",
        ),
    };
    if let Err(e) = validate(&update) {
        set_prompt_error(s, &format!("Cannot {what}: {e}"));
        return Vec::new();
    }
    s.prompt = None;
    confirm(s, update);
    Vec::new()
}

fn set_prompt_error(s: &mut AppState, msg: &str) {
    if let Some(Prompt::Text { error, .. }) = &mut s.prompt {
        *error = Some(msg.to_string());
    }
}

/// The store's own validation of an update (a request-level InvalidInputException).
pub fn validate(u: &FindingUpdate) -> Result<(), String> {
    let probe = BatchUpdateRequest {
        identifiers: vec![crate::model::finding::FindingKey::new("probe", "probe")],
        update: u.clone(),
    };
    BatchUpdateRequest::from_json(&probe.to_json()).map(|_| ())
}

fn run_command(s: &mut AppState, text: &str) -> Vec<Effect> {
    let trimmed = text.trim();
    let mut words = trimmed.split_whitespace();
    let head = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    let fail = |s: &mut AppState, msg: String| {
        if let Some(l) = &mut s.input {
            l.error = Some(msg);
        }
        Vec::new()
    };
    match head {
        "q" | "quit" => {
            s.input = None;
            quit(s)
        }
        "sort" => {
            let Some(column) = rest.first().and_then(|c| SortColumn::parse(c)) else {
                let names: Vec<&str> = SortColumn::ALL.iter().map(|c| c.name()).collect();
                return fail(s, format!("sort: name a column: {}", names.join(", ")));
            };
            let descending = match rest.get(1).copied() {
                None => matches!(column, SortColumn::Severity | SortColumn::Updated),
                Some("desc") => true,
                Some("asc") => false,
                Some(o) => return fail(s, format!("sort: {o} is not asc or desc")),
            };
            s.input = None;
            set_sort(s, SortSpec { column, descending })
        }
        "group" => {
            let field = match rest.first() {
                None => GroupField::Severity,
                Some(f) => match GroupField::parse(f) {
                    Some(g) => g,
                    None => {
                        let names: Vec<&str> = GroupField::ALL.iter().map(|g| g.name()).collect();
                        return fail(s, format!("group: {f} is not one of {}", names.join(", ")));
                    }
                },
            };
            s.input = None;
            s.group.field = field;
            s.group.cursor = 0;
            s.mode = Mode::Group;
            compute_groups(s);
            Vec::new()
        }
        "export" => {
            let Some(path) = trimmed.strip_prefix("export").map(str::trim).filter(|p| !p.is_empty()) else {
                return fail(s, "export: name a file, e.g. export /tmp/findings.json".into());
            };
            s.input = None;
            let keys: Vec<FindingId> =
                s.view.visible.iter().filter_map(|&i| s.rows.get(i)).map(|r| r.key.clone()).collect();
            s.info(format!("Exporting {} findings to {path}…", keys.len()));
            vec![Effect::Export { path: PathBuf::from(path), keys }]
        }
        "" | "clear" => {
            s.input = None;
            clear_query(s)
        }
        _ => match apply_query(s, trimmed) {
            Ok(effects) => {
                s.input = None;
                effects
            }
            Err(e) => fail(s, e),
        },
    }
}

// ----------------------------------------------------------------------------------------------
// Prompts, the form and the group view

fn prompt_action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let Some(prompt) = s.prompt.clone() else { return Vec::new() };
    let yes = matches!(a, Action::Yes | Action::Submit);
    let no = matches!(a, Action::No | Action::Back);
    if !yes && !no {
        s.dirty = false;
        return Vec::new();
    }
    s.prompt = None;
    match (prompt, yes) {
        (Prompt::Confirm(plan), true) => start_batch(s, plan, None),
        (Prompt::Confirm(_), false) => {
            s.info("Cancelled; nothing sent");
            Vec::new()
        }
        (Prompt::QuitWithEditsInFlight, true) => {
            s.quit = true;
            vec![Effect::Quit]
        }
        (Prompt::QuitWithEditsInFlight, false) => Vec::new(),
        (Prompt::OfferDemo, true) => {
            s.info("Loading the demo dataset…");
            s.status.load = LoadState::Loading { loaded: 0, total: 0 };
            vec![Effect::LoadDemo]
        }
        (Prompt::OfferDemo, false) => {
            s.info("The store is empty: import findings with `hubtriage import FILE`, or R to reload");
            Vec::new()
        }
        (Prompt::Text { .. }, _) => Vec::new(),
    }
}

fn form_action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let Some(form) = &mut s.form else { return Vec::new() };
    match a {
        Action::NextField | Action::MoveDown => form.move_focus(true),
        Action::PrevField | Action::MoveUp => form.move_focus(false),
        Action::CycleNext => form.cycle(true),
        Action::CyclePrev => form.cycle(false),
        Action::Input(c) => form.type_char(c),
        Action::Backspace => form.backspace(),
        Action::Back => s.form = None,
        Action::Submit => match form.to_update(&s.config.user) {
            Ok(u) => {
                s.form = None;
                confirm(s, u);
            }
            Err(e) => form.error = Some(e),
        },
        _ => s.dirty = false,
    }
    Vec::new()
}

fn group_action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let n = s.group.groups.len();
    match a {
        Action::MoveDown => s.group.cursor = (s.group.cursor + 1).min(n.saturating_sub(1)),
        Action::MoveUp => s.group.cursor = s.group.cursor.saturating_sub(1),
        Action::Top => s.group.cursor = 0,
        Action::Bottom => s.group.cursor = n.saturating_sub(1),
        Action::CycleNext | Action::CyclePrev | Action::NextField | Action::PrevField => {
            let all = GroupField::ALL;
            let i = all.iter().position(|f| *f == s.group.field).unwrap_or(0);
            let forward = matches!(a, Action::CycleNext | Action::NextField);
            s.group.field = all[if forward { (i + 1) % all.len() } else { (i + all.len() - 1) % all.len() }];
            s.group.cursor = 0;
            compute_groups(s);
        }
        Action::OpenDetail | Action::Submit => {
            let Some((value, _)) = s.group.groups.get(s.group.cursor).cloned() else { return Vec::new() };
            if value.is_empty() {
                s.error("Findings without a value cannot be selected by a query");
                return Vec::new();
            }
            let term = s.group.field.term(&value);
            let text = if s.view.query.text.is_empty() { term } else { format!("{} {term}", s.view.query.text) };
            s.mode = Mode::Split;
            resize(s, s.size.0, s.size.1);
            return apply_query(s, &text).unwrap_or_else(|e| {
                s.error(e);
                Vec::new()
            });
        }
        Action::Back | Action::GroupView => {
            s.mode = Mode::Split;
            resize(s, s.size.0, s.size.1);
        }
        Action::Quit => return quit(s),
        Action::Help => s.help = true,
        _ => s.dirty = false,
    }
    Vec::new()
}

// ----------------------------------------------------------------------------------------------
// Edits

fn quick(s: &mut AppState, status: WorkflowStatus) -> Vec<Effect> {
    confirm(s, edit::workflow_update(status, None));
    Vec::new()
}

/// Shows the preview of `update` on the targets and waits for a yes.
fn confirm(s: &mut AppState, update: FindingUpdate) {
    let keys: Vec<FindingId> = s.targets().iter().filter_map(|&i| s.rows.get(i)).map(|r| r.key.clone()).collect();
    if keys.is_empty() {
        s.error("No finding selected");
        return;
    }
    let plan = EditPlan {
        description: format!("Set {}", edit::describe(&update)),
        groups: vec![(update, keys)],
        origin: Origin::Edit,
    };
    s.prompt = Some(Prompt::Confirm(plan));
}

// ----------------------------------------------------------------------------------------------
// Events from the worker

pub fn handle_event(s: &mut AppState, e: Event) -> Vec<Effect> {
    s.dirty = true;
    match e {
        Event::SourceDescribed { source, capabilities } => {
            s.source = source;
            s.capabilities = capabilities;
            Vec::new()
        }
        Event::RowsLoaded { generation, rows, total, done } => rows_loaded(s, generation, rows, total, done),
        Event::RowsFailed { generation, error } => {
            if generation == s.generation {
                s.status.load = LoadState::Failed;
                s.error(format!("Loading findings failed: {error}"));
            }
            Vec::new()
        }
        Event::DetailLoaded { key, doc, history } => detail::loaded(s, key, doc, history),
        Event::DetailFailed { key, error } => detail::failed(s, key, error),
        Event::QueryMatched { query_id, keys } => view::query_matched(s, query_id, keys),
        Event::QueryFailed { query_id, error } => view::query_failed(s, query_id, error),
        Event::BatchApplied { batch_id, call, outcome } => edits::batch_applied(s, batch_id, call, outcome),
        Event::BatchFailed { batch_id, call, keys, error } => edits::batch_failed(s, batch_id, call, keys, error),
        Event::DemoLoaded { count } => {
            s.info(format!("Loaded {count} demo findings"));
            reload(s)
        }
        Event::DemoFailed { error } => {
            s.status.load = LoadState::Failed;
            s.error(format!("Loading the demo dataset failed: {error}"));
            Vec::new()
        }
        Event::Exported { path, count } => {
            s.info(format!("Exported {count} findings to {}", path.display()));
            Vec::new()
        }
        Event::ExportFailed { path, error } => {
            s.error(format!("Export to {} failed: {error}", path.display()));
            Vec::new()
        }
    }
}

fn rows_loaded(s: &mut AppState, generation: u64, rows: Vec<Row>, total: Option<usize>, done: bool) -> Vec<Effect> {
    // An unknown total shows as 0: loading without a bar.
    let total = total.unwrap_or(0);
    if generation != s.generation {
        s.dirty = false;
        return Vec::new();
    }
    let loaded = match s.status.load {
        LoadState::Loading { loaded, .. } => loaded,
        _ => 0,
    };
    if loaded == 0 {
        // The first chunk of a (re)load replaces the old rows; marks follow their findings.
        let marked: HashSet<FindingId> = s.marks.iter().filter_map(|&i| s.rows.get(i)).map(|r| r.key.clone()).collect();
        s.rows = Default::default();
        s.view.order.clear();
        s.marks.clear();
        s.pending_marks = marked;
        s.detail.key = None;
    }
    let default_sort = s.view.sort == SortSpec::default();
    // Room for the whole load at once, so 100k rows are not copied on every doubling (a total
    // from a remote backend is trusted only so far).
    s.rows.reserve(total.saturating_sub(s.rows.all.len()).min(1 << 22));
    for row in rows {
        let remark = s.pending_marks.contains(&row.key);
        let i = s.rows.push(row);
        if default_sort {
            s.view.order.push(i);
        }
        if remark {
            s.marks.insert(i);
        }
    }
    let loaded = s.rows.all.len();
    s.status.load = if done { LoadState::Loaded } else { LoadState::Loading { loaded, total } };
    let mut effects = Vec::new();
    if done || !default_sort {
        s.view.order = filter::sorted(&s.rows, s.view.sort);
    }
    if done {
        s.pending_marks.clear();
        // A query is evaluated again on the new rows.
        if !s.view.query.text.is_empty() {
            let text = s.view.query.text.clone();
            match apply_query(s, &text) {
                Ok(e) => effects.extend(e),
                Err(e) => s.error(e),
            }
        }
    }
    refresh(s, true);
    effects.extend(sync_detail(s));
    if done {
        if loaded == 0 {
            if s.config.auto_demo {
                s.config.auto_demo = false;
                s.status.load = LoadState::Loading { loaded: 0, total: 0 };
                s.info("Loading the demo dataset…");
                effects.push(Effect::LoadDemo);
            } else {
                s.prompt = Some(Prompt::OfferDemo);
            }
        } else if s.status.message.is_none() || s.status.message.as_ref().is_some_and(|m| m.text.starts_with("Reload"))
        {
            s.info(format!("{loaded} findings loaded"));
        }
    }
    effects
}
