//! Dispatch only: `update` hands an action to the module that owns what has the keyboard, and
//! `handle_event` hands a worker's answer to the module that asked for it. The transitions live in
//! those modules; this one decides nothing but where a message goes.

use super::action::Action;
use super::effect::Effect;
use super::event::Event;
use super::prompt::{Prompt, TextPurpose};
use super::state::Context;
/// Kept at this path for callers that reach it through `update`.
pub use super::view::apply_query;
use super::{
    changelog, detail, edits, expiry, focus, form, group, input, list, load, log, menu, mouse, prompt, view, views,
    AppState,
};
use crate::model::enums::WorkflowStatus;

/// The status line speaks of the last thing done: every key that does something clears the
/// message (info or error) before it runs, so a count or a "Cancelled" never outlives the view it
/// described; a key that does nothing leaves it. While a `v` range is open its hint stays.
pub fn update(s: &mut AppState, a: Action) -> Vec<Effect> {
    s.dirty = true;
    let before = s.status.message.take();
    let effects = dispatch(s, a);
    if !s.dirty && s.status.message.is_none() {
        s.status.message = before;
    }
    if s.list.anchor.is_some() && s.status.message.is_none() {
        s.info(super::list::RANGE_HINT);
    }
    effects
}

fn dispatch(s: &mut AppState, a: Action) -> Vec<Effect> {
    match s.context() {
        Context::Help => focus::help_action(s, a),
        Context::Prompt => prompt::answer(s, a),
        // The `:log` overlay takes the menu's keys (a menu opened over it goes first).
        Context::Menu if s.menu.is_none() => changelog::action(s, a),
        Context::Menu => menu::action(s, a),
        Context::Form => form::action(s, a),
        // A text prompt (a note, a suppress reason) takes the input keys before the input line.
        Context::Input if matches!(s.prompt, Some(Prompt::Text { .. })) => prompt::text_action(s, a),
        Context::Input => input::action(s, a),
        Context::Group => group::action(s, a),
        Context::Detail | Context::List => main_action(s, a),
    }
}

/// The list's keys, and the detail's: with the detail focused the movement keys scroll it.
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
        Action::ToggleFocus => focus::toggle(s),
        // From the detail, the list's cursor moves under it: the detail shows the next finding.
        Action::NextFinding => list::move_cursor(s, 1),
        Action::PrevFinding => list::move_cursor(s, -1),
        Action::OpenDetail => focus::open_detail(s),
        Action::ToggleRaw => detail::toggle_raw(s),
        Action::Back => focus::back(s),
        Action::StartFilter => input::start_filter(s),
        Action::StartSearch if detail => input::start_detail_search(s),
        Action::StartSearch => input::start_filter(s),
        // While a search of the detail is on, n and N step through its matches.
        Action::Notify if detail && !s.detail.search.is_empty() => detail::search_step(s, true),
        Action::SearchPrev if detail && !s.detail.search.is_empty() => detail::search_step(s, false),
        Action::StartCommand => input::start_command(s),
        Action::ToggleMark => list::toggle_mark(s),
        Action::RangeMark => list::range_mark(s),
        Action::MarkAll => list::mark_all(s),
        Action::ClearMarks => list::clear_marks(s),
        Action::Resolve => prompt::quick(s, WorkflowStatus::Resolved),
        Action::Notify => prompt::quick(s, WorkflowStatus::Notified),
        Action::Suppress => prompt::ask_text(s, TextPurpose::SuppressReason),
        Action::Note => prompt::ask_text(s, TextPurpose::Note),
        Action::Edit => form::open(s),
        Action::Undo => edits::undo(s),
        Action::Redo => edits::redo(s),
        Action::RetryFailed => prompt::retry(s),
        Action::Reload => log::reload(s),
        Action::Help => focus::show_help(s),
        Action::Quit => prompt::quit(s),
        Action::SortNext => view::sort_next(s),
        Action::SortReverse => view::sort_reverse(s),
        Action::GroupView => group::open(s),
        Action::ShowAll => views::show_all(s),
        Action::ViewPicker => menu::open_views(s),
        Action::Copy => menu::open_copy(s),
        Action::OpenLink => menu::open_link(s),
        Action::ClickRow(n) => mouse::click_row(s, n),
        Action::ClickHeader(i) => mouse::click_header(s, i),
        Action::ScrollDown | Action::ScrollUp => mouse::scroll(s, a == Action::ScrollDown),
        _ => {
            s.dirty = false;
            Vec::new()
        }
    }
}

pub fn handle_event(s: &mut AppState, e: Event) -> Vec<Effect> {
    s.dirty = true;
    match e {
        Event::SourceDescribed { source, capabilities } => load::described(s, source, capabilities),
        Event::RowsLoaded { generation, rows, total, done } => load::rows_loaded(s, generation, rows, total, done),
        Event::RowsUpdated { rows } => load::rows_updated(s, rows),
        Event::OutboxChanged { state } => edits::outbox_changed(s, state),
        Event::Rechecked { keys, at_ms } => {
            s.edits.checked.extend(keys.into_iter().map(|k| (k, at_ms)));
            Vec::new()
        }
        Event::RowsFailed { generation, error } => load::rows_failed(s, generation, error),
        Event::DetailLoaded { key, doc, history } => detail::loaded(s, key, doc, history),
        Event::DetailFailed { key, error } => detail::failed(s, key, error),
        Event::OtherFormLoaded { key, doc } => detail::other_form_loaded(s, key, *doc),
        Event::QueryMatched { query_id, keys } => {
            let effects = view::query_matched(s, query_id, keys);
            views::say_count(s);
            effects
        }
        Event::QueryFailed { query_id, error } => view::query_failed(s, query_id, error),
        Event::FetchedBeyondView { rows } => view::fetched_beyond_view(s, rows),
        Event::FetchBeyondViewFailed { error } => {
            s.error(format!("Could not ask the remote for findings beyond the cached view: {error}"));
            Vec::new()
        }
        Event::BatchApplied { batch_id, call, outcome } => edits::batch_applied(s, batch_id, call, outcome),
        Event::BatchFailed { batch_id, call, keys, error } => edits::batch_failed(s, batch_id, call, keys, error),
        Event::DemoLoaded { count } => load::demo_loaded(s, count),
        Event::DemoFailed { error } => load::demo_failed(s, error),
        Event::DemoRemoved { count } => load::demo_removed(s, count),
        Event::SuppressionsExpired { count } => expiry::expired(s, count),
        Event::ExpiryFailed { error } => expiry::failed(s, error),
        Event::StoreChanged => log::store_changed(s),
        Event::ChangeLogLoaded { entries } => changelog::loaded(s, entries),
        Event::LogEntryLoaded { plan } => changelog::entry_loaded(s, *plan),
        Event::LogUndone { id, by, outcome } => changelog::undone(s, id, by, outcome),
        Event::ChangeLogFailed { id, error } => changelog::failed(s, id, error),
        Event::LogFailed { error } => log::log_failed(s, error),
        Event::DemoRemoveFailed { error } => load::demo_remove_failed(s, error),
        Event::Exported { path, count } => input::exported(s, path, count),
        Event::ExportFailed { path, error } => input::export_failed(s, path, error),
        Event::HistoryLoaded { entries } => input::history_loaded(s, entries),
        Event::HistoryFailed { error } => input::history_failed(s, error),
        Event::ViewsLoaded { views, errors } => views::loaded(s, views, errors),
        Event::Copied { what, chars } => menu::copied(s, what, chars),
        Event::CopyFailed { what, reason } => menu::copy_failed(s, what, reason),
        Event::Opened { url } => menu::opened(s, url),
        Event::OpenFailed { error } => menu::open_failed(s, error),
        Event::ViewSaved { path } => views::saved(s, path),
        Event::ViewSaveFailed { error } => views::save_failed(s, error),
    }
}
