//! The input line at the bottom: the `/` live filter, which narrows the list on every keystroke,
//! and the `:` command line (`sort`, `group`, `columns`, `view`, `export`, `log`, `clear`, `help`, `q`; anything else is a
//! structured query). A command that cannot run keeps the line open with the reason. Both lines are
//! edited by `line`; the `:` line also has a history and completion (`cmdline`), and opens on the
//! current query, selected, so typing replaces it and End (or →) refines it.

use std::path::PathBuf;

use super::action::Action;
use super::cmdline::{self, Browse, Completion};
use super::effect::Effect;
use super::filter::{SortColumn, SortSpec};
use super::focus;
use super::group;
use super::line::LineEdit;
use super::prompt::{quit, Prompt};
use super::view::{apply_query, clear_query, set_filter, set_sort};
use super::AppState;
use crate::model::finding::FindingId;
use crate::model::words;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Filter,
    Command,
    /// `/` in the detail pane: searches its text.
    DetailSearch,
}

/// The `/` or `:` line while it is being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLine {
    pub kind: InputKind,
    pub line: LineEdit,
    pub error: Option<String>,
    /// Walking the `:` history (Up/Down).
    pub browse: Option<Browse>,
    /// A Tab completion in progress, listed under the line.
    pub completion: Option<Completion>,
}

impl InputLine {
    fn new(kind: InputKind, line: LineEdit) -> InputLine {
        InputLine { kind, line, error: None, browse: None, completion: None }
    }

    pub fn text(&self) -> &str {
        self.line.text()
    }
}

/// `/`: edits the current pattern.
pub(super) fn start_filter(s: &mut AppState) -> Vec<Effect> {
    s.input = Some(InputLine::new(InputKind::Filter, LineEdit::new(s.view.filter.pattern.clone())));
    Vec::new()
}

/// `/` in the detail: edits the pane's search.
pub(super) fn start_detail_search(s: &mut AppState) -> Vec<Effect> {
    s.input = Some(InputLine::new(InputKind::DetailSearch, LineEdit::new(s.detail.search.clone())));
    Vec::new()
}

/// `:`: the current query, selected: typing replaces it, End or → keeps it to refine it.
pub(super) fn start_command(s: &mut AppState) -> Vec<Effect> {
    s.input = Some(InputLine::new(InputKind::Command, LineEdit::selected(s.view.query.text.clone())));
    Vec::new()
}

/// Typing into the line. The filter applies as it is typed and Esc clears it; a command runs on Enter.
pub(super) fn action(s: &mut AppState, a: Action) -> Vec<Effect> {
    let Some(line) = &mut s.input else { return Vec::new() };
    let kind = line.kind;
    let completing = matches!(a, Action::Complete | Action::CompletePrev);
    if !completing {
        line.completion = None;
    }
    match a {
        _ if line.line.edit(a) => line.error = None,
        Action::HistoryPrev | Action::HistoryNext if kind == InputKind::Command => {
            walk_history(s, a == Action::HistoryPrev);
            return Vec::new();
        }
        Action::Complete | Action::CompletePrev if kind == InputKind::Command => {
            complete(s, a == Action::Complete);
            return Vec::new();
        }
        Action::Back => {
            s.input = None;
            if kind == InputKind::Filter {
                return set_filter(s, String::new());
            }
            if kind == InputKind::DetailSearch {
                super::detail::set_search(s, String::new());
            }
            return Vec::new();
        }
        Action::Submit if kind == InputKind::DetailSearch => {
            s.input = None;
            if !s.detail.search.is_empty() {
                s.info(format!("/{}: n next match, N previous, Esc clears", s.detail.search));
            }
            return Vec::new();
        }
        Action::Submit => {
            let text = line.line.text().to_string();
            if kind == InputKind::Filter {
                s.input = None;
                let n = s.view.visible.len();
                s.info(format!("{n} match /{}", s.view.filter.pattern));
                return Vec::new();
            }
            let ran = run_command(s, &text);
            if s.input.is_some() {
                return ran;
            }
            // Saved before the command's own effects: the worker stops at a quit.
            let mut effects = record(s, &text);
            effects.extend(ran);
            return effects;
        }
        _ => {
            s.dirty = false;
            return Vec::new();
        }
    }
    if kind == InputKind::Filter {
        let pattern = s.input.as_ref().map(|l| l.text().to_string()).unwrap_or_default();
        if pattern != s.view.filter.pattern {
            return set_filter(s, pattern);
        }
    }
    if kind == InputKind::DetailSearch {
        let pattern = s.input.as_ref().map(|l| l.text().to_string()).unwrap_or_default();
        if pattern != s.detail.search {
            super::detail::set_search(s, pattern);
        }
    }
    Vec::new()
}

/// A `:` line that ran joins the history, which the worker writes to the history file.
fn record(s: &mut AppState, text: &str) -> Vec<Effect> {
    if !s.cmdline.history.push(text) {
        return Vec::new();
    }
    s.cmdline.changed = true;
    match &s.config.history_file {
        Some(path) if s.cmdline.loaded => {
            vec![Effect::SaveHistory { path: path.clone(), entries: s.cmdline.history.entries.clone() }]
        }
        _ => Vec::new(),
    }
}

/// Up (`back`) or Down through the `:` lines run before; Down past the newest brings back the line
/// that was being typed.
fn walk_history(s: &mut AppState, back: bool) {
    let entries = &s.cmdline.history.entries;
    let Some(input) = &mut s.input else { return };
    let next = match (&input.browse, back) {
        (None, true) if !entries.is_empty() => Some(entries.len() - 1),
        (Some(b), true) => Some(b.index.saturating_sub(1)),
        (Some(b), false) if b.index + 1 < entries.len() => Some(b.index + 1),
        (Some(_), false) => None,
        (None, _) => {
            s.dirty = false;
            return;
        }
    };
    input.error = None;
    match next {
        Some(index) => {
            let draft = input.browse.take().map_or_else(|| input.line.text().to_string(), |b| b.draft);
            input.line.set(entries[index].clone());
            input.browse = Some(Browse { index, draft });
        }
        None => {
            let draft = input.browse.take().map(|b| b.draft).unwrap_or_default();
            input.line.set(draft);
        }
    }
}

/// Tab (`forward`) or Shift-Tab: completes the term before the cursor, or puts in the next (or
/// previous) candidate of the completion in progress.
fn complete(s: &mut AppState, forward: bool) {
    let Some(input) = &mut s.input else { return };
    if input.line.is_selected() {
        input.line.edit(Action::LineEnd);
    }
    if let Some(c) = &mut input.completion {
        let n = c.candidates.len();
        c.index = if forward { (c.index + 1) % n } else { (c.index + n - 1) % n };
        input.line.replace_before_cursor(c.start, &c.candidates[c.index]);
        return;
    }
    let before = input.line.split().0;
    let names: Vec<String> = s.views.all().into_iter().map(|v| v.name).collect();
    let (start, candidates) =
        cmdline::view_candidates(before, &names).unwrap_or_else(|| cmdline::candidates(before, &s.rows));
    let Some(first) = candidates.first() else {
        s.dirty = false;
        return;
    };
    let index = if forward { 0 } else { candidates.len() - 1 };
    let chosen = if forward { first.clone() } else { candidates[index].clone() };
    input.line.replace_before_cursor(start, &chosen);
    input.error = None;
    if candidates.len() > 1 {
        input.completion = Some(Completion { start, candidates, index });
    }
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
            // `:group control,account` (or `control account`): two levels.
            let (field, second) = match group::parse_fields(&rest.join(",")) {
                Ok(f) => f,
                Err(e) => return fail(s, e),
            };
            s.input = None;
            group::open_on_two(s, field, second)
        }
        "columns" => match super::columns::command(s, &rest.join(" ")) {
            Ok(effects) => {
                s.input = None;
                effects
            }
            Err(e) => fail(s, e),
        },
        "export" | "export!" => {
            let overwrite = head == "export!";
            let Some(path) = trimmed.strip_prefix(head).map(str::trim).filter(|p| !p.is_empty()) else {
                return fail(s, "export: name a file, e.g. export ~/findings.json (or .csv)".into());
            };
            s.input = None;
            let keys: Vec<FindingId> =
                s.view.visible.iter().filter_map(|&i| s.rows.get(i)).map(|r| r.key.clone()).collect();
            s.info(format!("Exporting {} to {path}…", words::count(keys.len(), "finding")));
            vec![Effect::Export { path: PathBuf::from(path), keys, overwrite }]
        }
        // Only the whole command: `:demo` alone is still a query for the word.
        "demo" if rest == ["remove"] => {
            s.input = None;
            s.prompt = Some(Prompt::RemoveDemo);
            Vec::new()
        }
        "view" => {
            let arg = trimmed.strip_prefix("view").unwrap_or_default().trim();
            if arg.is_empty() {
                s.input = None;
                return super::menu::open_views(s);
            }
            if let Some(name) = arg.strip_prefix("save").filter(|n| n.is_empty() || n.starts_with(' ')) {
                return match super::views::save(s, name) {
                    Ok(effects) => {
                        s.input = None;
                        effects
                    }
                    Err(e) => fail(s, e),
                };
            }
            let name = arg.trim_matches('"');
            match s.views.find(name) {
                Some(v) => {
                    s.input = None;
                    super::views::open_or_say(s, &v)
                }
                None => {
                    let names: Vec<String> = s.views.all().into_iter().map(|v| v.name).collect();
                    fail(s, format!("view: no view named \"{name}\"; views: {}", names.join(", ")))
                }
            }
        }
        "log" if rest.is_empty() => {
            s.input = None;
            super::changelog::open(s)
        }
        "help" if rest.is_empty() => {
            s.input = None;
            focus::show_command_help(s)
        }
        "" | "clear" => {
            s.input = None;
            clear_query(s)
        }
        _ => match apply_query(s, trimmed) {
            Ok(effects) => {
                s.input = None;
                s.view.named = None;
                effects
            }
            Err(e) => fail(s, e),
        },
    }
}

/// `Event::Exported`: the `:export` command finished.
pub(super) fn exported(s: &mut AppState, path: PathBuf, count: usize) -> Vec<Effect> {
    s.info(format!("Exported {} to {}", words::count(count, "finding"), path.display()));
    Vec::new()
}

/// `Event::ExportFailed`.
pub(super) fn export_failed(s: &mut AppState, path: PathBuf, error: String) -> Vec<Effect> {
    s.error(format!("Export to {} failed: {error}", path.display()));
    Vec::new()
}

/// `Event::HistoryLoaded`: the lines of earlier runs go before this run's. Nothing shows.
pub(super) fn history_loaded(s: &mut AppState, entries: Vec<String>) -> Vec<Effect> {
    s.cmdline.history.loaded(entries);
    s.cmdline.loaded = true;
    s.dirty = false;
    Vec::new()
}

/// `Event::HistoryFailed`.
pub(super) fn history_failed(s: &mut AppState, error: String) -> Vec<Effect> {
    s.error(format!("The : history: {error}"));
    Vec::new()
}
