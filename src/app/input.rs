//! The input line at the bottom: the `/` live filter, which narrows the list on every keystroke,
//! and the `:` command line (`sort`, `group`, `export`, `clear`, `q`; anything else is a structured
//! query). A command that cannot run keeps the line open with the reason.

use std::path::PathBuf;

use super::action::Action;
use super::effect::Effect;
use super::filter::{SortColumn, SortSpec};
use super::group;
use super::prompt::{quit, Prompt};
use super::state::GroupField;
use super::view::{apply_query, clear_query, set_filter, set_sort};
use super::AppState;
use crate::model::finding::FindingId;
use crate::model::words;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Filter,
    Command,
}

/// The `/` or `:` line while it is being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLine {
    pub kind: InputKind,
    pub text: String,
    pub error: Option<String>,
}

/// `/`: edits the current pattern.
pub(super) fn start_filter(s: &mut AppState) -> Vec<Effect> {
    s.input = Some(InputLine { kind: InputKind::Filter, text: s.view.filter.pattern.clone(), error: None });
    Vec::new()
}

/// `:`: an empty command line.
pub(super) fn start_command(s: &mut AppState) -> Vec<Effect> {
    s.input = Some(InputLine { kind: InputKind::Command, text: String::new(), error: None });
    Vec::new()
}

/// Typing into the line. The filter applies as it is typed and Esc clears it; a command runs on Enter.
pub(super) fn action(s: &mut AppState, a: Action) -> Vec<Effect> {
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
            group::open_on(s, field)
        }
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
