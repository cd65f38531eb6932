//! The help overlay: the live keymap's bindings per context, then what the keymap cannot say (the
//! edit form's fields, the `:` commands and the query language), scrolled with the movement keys.
//! `:help` shows the part about the `:` line alone: its editing keys (the keymap's `[line]`),
//! then the same `:` commands and query language sections.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::overlay::{boxed, centered};
use super::theme;
use crate::app::filter::SortColumn;
use crate::app::state::{Context, GroupField, HelpTopic};
use crate::app::AppState;
use crate::keys::Keymap;

/// The help box's largest size: two columns from this inner width on.
const BOX: (u16, u16) = (100, 40);
const TWO_COLUMNS: u16 = 90;

fn heading(text: &str) -> Line<'static> {
    Line::styled(text.to_string(), theme::title())
}

fn entry(keys: &str, what: &str) -> Line<'static> {
    Line::from(vec![Span::styled(format!("  {keys:<16}"), theme::label()), Span::raw(what.to_string())])
}

/// Names, comma-separated, in indented lines narrow enough for one help column.
fn indented(names: &[&str]) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut line = String::from("   ");
    for (i, name) in names.iter().enumerate() {
        let piece = if i + 1 == names.len() { format!(" {name}") } else { format!(" {name},") };
        if line.len() + piece.len() > 46 && line.len() > 3 {
            lines.push(Line::raw(std::mem::replace(&mut line, String::from("   "))));
        }
        line.push_str(&piece);
    }
    lines.push(Line::raw(line));
    lines
}

/// The sections of a topic, in order; each starts with its heading.
/// (Visible to the tests, which check every `:` command is named.)
pub(super) fn sections(keymap: &Keymap, topic: HelpTopic) -> Vec<Vec<Line<'static>>> {
    match topic {
        HelpTopic::Keys => key_sections(keymap),
        HelpTopic::CommandLine => {
            let mut lines = vec![heading("the : line")];
            for (keys, a) in keymap.bindings(Context::Input).into_iter().chain(keymap.line_bindings()) {
                lines.push(entry(&keys.join(" "), a.describe()));
            }
            lines.extend([
                entry("Tab completes", "keys, commands, closed sets,"),
                entry("", "and the accounts, regions,"),
                entry("", "products, controls, resource"),
                entry("", "types of the findings loaded"),
                entry(": opens on", "the query: typing replaces"),
                entry("", "it, End keeps it to refine"),
            ]);
            let mut out = vec![lines];
            out.extend(command_sections());
            out
        }
    }
}

/// Every context's keys, then the form's fields, the commands and the queries.
fn key_sections(keymap: &Keymap) -> Vec<Vec<Line<'static>>> {
    let mut out: Vec<Vec<Line<'static>>> = Vec::new();
    for ctx in [Context::List, Context::Detail, Context::Group, Context::Form, Context::Input] {
        let mut lines = vec![heading(ctx.name())];
        for (keys, a) in keymap.bindings(ctx) {
            lines.push(entry(&keys.join(" "), a.describe()));
        }
        out.push(lines);
    }
    out.push(vec![
        heading("edit form fields (e)"),
        entry("←/→", "status, severity, verification"),
        entry("typing", "Confidence, Criticality 0-100,"),
        entry("", "Note (at most 512 characters),"),
        entry("", "Types (; between),"),
        entry("", "User fields (k=v; k=v),"),
        entry("", "Expires (30d, 2w, 12h, a time)"),
        entry("", "with Workflow SUPPRESSED"),
        entry("Enter", "preview; sends changed fields"),
    ]);
    out.extend(command_sections());
    out
}

/// The `:` commands and the query language.
fn command_sections() -> Vec<Vec<Line<'static>>> {
    let mut out: Vec<Vec<Line<'static>>> = Vec::new();
    let sorts: Vec<&str> = SortColumn::ALL.iter().map(|c| c.name()).collect();
    let groups: Vec<&str> = GroupField::ALL.iter().map(|g| g.name()).collect();
    out.push(vec![
        heading(": commands"),
        Line::styled("  :sort COL [asc|desc]", theme::label()),
        entry("", "sort by a column:"),
    ]);
    let last = out.len() - 1;
    out[last].extend(indented(&sorts));
    out[last].extend([entry(":group [FIELD]", "count findings by a field:")]);
    out[last].extend(indented(&groups));
    out[last].extend([
        entry(":columns [LIST]", "the list's columns: alone, the"),
        entry("", "chooser; or in order, a width"),
        entry("", "after a colon (resource:40):"),
    ]);
    let columns: Vec<&str> = crate::app::columns::Column::ALL.iter().map(|c| c.name()).collect();
    out[last].extend(indented(&columns));
    out[last].extend([
        Line::styled("  :columns default", theme::label()),
        entry("", "back to as many as fit"),
        entry(":log", "the change log: Enter shows an"),
        entry("", "edit, u undoes it"),
        entry(":export FILE", "the findings in view: .csv is"),
        entry("", "CSV, else JSON; ~ is home"),
        entry(":export! FILE", "the same, replacing the file"),
        entry(":view [NAME]", "open a view (alone: the picker)"),
        entry(":view save NAME", "keep the current view"),
        entry(":demo remove", "delete the demo findings"),
        entry(":q  :quit", "quit"),
        entry(":clear", "clear the query"),
        entry(":help", "the : line's keys and commands"),
        entry(":QUERY", "anything else is a query"),
    ]);
    out.push(vec![
        heading(": queries (terms are ANDed)"),
        entry("sev>=high", "severity; sev:critical,high"),
        entry("status:new", "Workflow.Status (comma = OR)"),
        entry("product:NAME", "guardduty, inspector, ..."),
        entry("account:", "AwsAccountId; region: too;"),
        entry("", "a trailing * is a prefix"),
        entry("control: type:", "SecurityControlId, Types"),
        entry("resource:", "resource type or id"),
        entry("compliance:", "Compliance.Status"),
        entry("standard:", "a standard"),
        entry("record:", "RecordState"),
        entry("verification:", "VerificationState"),
        entry("title: note:", "substrings; by: too"),
        entry("id: generator:", "ids"),
        entry("tag:K=V", "resource tags"),
        entry("udf:K=V", "user-defined fields"),
        entry("confidence>=80", "numbers; criticality<50"),
        entry("updated<7d", "dates: created>30d,"),
        entry("", "updated>=2025-01-01"),
        Line::styled("  -status:resolved", theme::label()),
        entry("", "negation; !product:macie"),
        entry("other words", "searched in title, ids, ..."),
    ]);
    out
}

fn height(lines: &[Line<'static>], width: u16) -> usize {
    Paragraph::new(lines.to_vec()).wrap(Wrap { trim: false }).line_count(width)
}

/// The sections in one column, or two of about equal height; a section is never split.
fn columns(keymap: &Keymap, topic: HelpTopic, inner: Rect) -> Vec<(Rect, Vec<Line<'static>>)> {
    let all = sections(keymap, topic);
    if inner.width < TWO_COLUMNS {
        let mut lines = Vec::new();
        for (i, sec) in all.into_iter().enumerate() {
            if i > 0 {
                lines.push(Line::raw(""));
            }
            lines.extend(sec);
        }
        return vec![(inner, lines)];
    }
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
    let heights: Vec<usize> = all.iter().map(|s| height(s, left_area.width) + 1).collect();
    let total: usize = heights.iter().sum();
    let mut split = 0;
    let mut acc = 0;
    while split < all.len() && acc + heights[split] <= total.div_ceil(2) {
        acc += heights[split];
        split += 1;
    }
    let mut left = Vec::new();
    let mut right = Vec::new();
    for (i, sec) in all.into_iter().enumerate() {
        let side = if i < split.max(1) { &mut left } else { &mut right };
        if !side.is_empty() {
            side.push(Line::raw(""));
        }
        side.extend(sec);
    }
    vec![(left_area, left), (right_area, right)]
}

/// The largest scroll at which help still fills its box on a screen of `area`: the main loop gives
/// it to `app::help_measured` before each frame, so `j` and `G` stop at the last line.
pub fn help_bottom(area: Rect, keymap: &Keymap, topic: HelpTopic) -> u16 {
    let inner = boxed("").inner(centered(area, BOX.0, BOX.1));
    let cols = columns(keymap, topic, inner);
    let longest = cols.iter().map(|(a, l)| height(l, a.width)).max().unwrap_or(0);
    u16::try_from(longest.saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX)
}

/// Draws the overlay at the scroll `s.help_scroll` (never past its end).
pub fn render_help(frame: &mut Frame<'_>, area: Rect, s: &AppState, keymap: &Keymap) {
    let r = centered(area, BOX.0, BOX.1);
    frame.render_widget(Clear, r);
    let inner = boxed("").inner(r);
    let cols = columns(keymap, s.help_topic, inner);
    let bottom = help_bottom(area, keymap, s.help_topic);
    let scroll = s.help_scroll.min(bottom);
    let mut outer = boxed(match s.help_topic {
        HelpTopic::Keys => " Keys (from the keymap; ? or Esc closes) ",
        HelpTopic::CommandLine => " The : line (:help; Esc closes, ? shows every key) ",
    });
    if scroll < bottom {
        outer = outer.title_bottom(Span::styled(" ↓ more below: j / PgDn ", theme::title()));
    } else if scroll > 0 {
        outer = outer.title_bottom(Span::styled(" ↑ k / PgUp: back up ", theme::title()));
    }
    frame.render_widget(outer, r);
    for (a, lines) in cols {
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll, 0)), a);
    }
}
