//! The header (source, counts, pending edits) and the two bottom lines: messages, progress or the
//! input line, then key hints generated from the live keymap.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme;
use crate::app::cmdline::Completion;
use crate::app::input::InputKind;
use crate::app::line::LineEdit;
use crate::app::prompt::Prompt;
use crate::app::state::{Context, Level, LoadState};
use crate::app::{Action, AppState};
use crate::keys::Keymap;
use crate::model::sanitize;

use crate::model::words::thousands;

/// The tail of `text` in at most `width` columns, "…" standing for what was cut: a store path
/// keeps its file name, and a line being typed keeps its cursor end in view.
pub(super) fn keep_tail(text: &str, width: usize) -> String {
    if Span::raw(text).width() <= width {
        return text.to_string();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1; // the "…"
    for c in text.chars().rev() {
        let w = Span::raw(c.to_string()).width();
        if used + w > width {
            break;
        }
        used += w;
        kept.push(c);
    }
    if width == 0 {
        return String::new();
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// The head of `text` in at most `width` columns, "…" standing for what was cut.
fn keep_head(text: &str, width: usize) -> String {
    if Span::raw(text).width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 1;
    for c in text.chars() {
        let w = Span::raw(c.to_string()).width();
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width == 0 {
        return String::new();
    }
    out.push('…');
    out
}

/// A line being typed in `room` columns, with its cursor (`▏`): the cursor stays in view, the text
/// before it scrolling left and the text after it cut at the right, and a selected line shows
/// reversed.
pub(super) fn line_spans(line: &LineEdit, room: usize) -> Vec<Span<'static>> {
    let (before, after) = line.split();
    let (before, after) = (sanitize::line(before), sanitize::line(after));
    let style = if line.is_selected() { theme::cursor() } else { ratatui::style::Style::default() };
    let after_width = Span::raw(after.as_ref()).width();
    let before_room = room.saturating_sub(after_width.min(room / 2));
    let shown_before = keep_tail(&before, before_room);
    let mut spans = vec![Span::styled(shown_before.clone(), style), Span::raw("▏")];
    if !after.is_empty() {
        let after_room = room.saturating_sub(Span::raw(shown_before.as_str()).width());
        spans.push(Span::styled(keep_head(&after, after_room), style));
    }
    spans
}

/// The counts, pending edits and failures always show; the store's path yields first (down to its
/// tail), then the query and the filter, which are cut at the right edge.
pub fn render_header(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    let counts = format!(
        "{} total · {} matching · {} marked",
        thousands(s.rows.all.len()),
        thousands(s.view.visible.len()),
        thousands(s.marks.len())
    );
    // The view's name leads: it says what "matching" counts.
    let named = s.view.named.as_ref();
    let mut always: Vec<String> = named.map(|v| format!("{} · ", sanitize::line(&v.name))).into_iter().collect();
    always.push(counts);
    let pending = s.edits.findings_in_flight();
    if pending > 0 {
        always.push(format!(" │ {} edits pending", thousands(pending)));
    }
    if !s.edits.queued.is_empty() {
        always.push(format!(" │ {} queued", thousands(s.edits.queued.len())));
    }
    if !s.edits.failed.is_empty() {
        always.push(format!(" │ {} failed", thousands(s.edits.failed.len())));
    }
    if s.log.stale {
        // The whole notice where it fits beside the counts and a tail of the path; else a short
        // one (the status line then says it whole).
        let taken = 16 + 16 + always.iter().map(|p| Span::raw(p.as_str()).width()).sum::<usize>();
        let full = format!(" │ {}", crate::app::log::STALE_NOTICE);
        let notice = if taken + Span::raw(full.as_str()).width() <= usize::from(area.width) {
            full
        } else {
            format!(" │ {}", crate::app::log::STALE_SHORT)
        };
        always.push(notice);
    }
    let mut extras = Vec::new();
    // The query shows when the analyst has changed the view's (a drill-in from the group view).
    if !s.view.query.text.is_empty() && named.is_none_or(|v| v.query != s.view.query.text) {
        extras.push(format!(" │ :{}", sanitize::line(&s.view.query.text)));
    }
    if !s.view.filter.pattern.is_empty() {
        extras.push(format!(" │ /{}", sanitize::line(&s.view.filter.pattern)));
    }
    let title = " hubtriage ";
    let width = |parts: &[String]| parts.iter().map(|p| Span::raw(p.as_str()).width()).sum::<usize>();
    let fixed = Span::raw(title).width() + Span::raw("│  │ ").width() + width(&always);
    let room = usize::from(area.width).saturating_sub(fixed);
    let source = sanitize::line(&s.source);
    // The path gives way to the query and filter, but keeps a short tail while there is room.
    let source_room = room.saturating_sub(width(&extras)).max(room.min(16));
    let mut parts =
        vec![Span::styled(title, theme::title()), Span::raw(format!("│ {} │ ", keep_tail(&source, source_room)))];
    parts.extend(always.into_iter().chain(extras).map(Span::raw));
    frame.render_widget(Paragraph::new(Line::from(parts)).style(theme::header()), area);
}

fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0).min(width);
    format!("[{}{}]", "█".repeat(filled), "░".repeat(width - filled))
}

/// The progress of edits in flight, else of a load; `None` when nothing runs.
fn progress(s: &AppState) -> Option<String> {
    if !s.edits.in_flight.is_empty() {
        let (mut done, mut total, mut calls, mut calls_total) = (0, 0, 0, 0);
        let mut started = s.now;
        for b in s.edits.in_flight.values() {
            done += b.findings_done;
            total += b.plan.findings();
            calls += b.answered;
            calls_total += b.calls.len();
            started = started.min(b.started);
        }
        let secs = (s.now - started).as_seconds_f64();
        let rate = if secs > 0.0 { format!(" · {:.0}/s", done as f64 / secs) } else { String::new() };
        return Some(format!(
            "Applying {} {}/{} findings · {calls}/{calls_total} calls{rate}",
            bar(done, total, 20),
            thousands(done),
            thousands(total)
        ));
    }
    if let LoadState::Loading { loaded, total } = s.status.load {
        if total > 0 {
            return Some(format!(
                "Loading {} {}/{} findings",
                bar(loaded, total, 20),
                thousands(loaded),
                thousands(total)
            ));
        }
        return Some("Loading…".into());
    }
    if let Some(q) = s.view.query.pending {
        let _ = q;
        return Some(format!("Querying the store for :{}…", sanitize::line(&s.view.query.text)));
    }
    None
}

pub fn render_status(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    let line = if let Some(input) = &s.input {
        let prefix = match input.kind {
            InputKind::Filter => "/",
            InputKind::DetailSearch => "search the detail /",
            InputKind::Command => ":",
        };
        let error = input.error.as_ref().map(|e| format!("  {}", sanitize::line(e)));
        // The end being typed stays in view: the text scrolls left, its head shown as "…", and
        // the error keeps its room after the cursor.
        let room = usize::from(area.width)
            .saturating_sub(2)
            .saturating_sub(error.as_ref().map_or(0, |e| Span::raw(e.as_str()).width()))
            .max(usize::from(area.width) / 3);
        let mut spans = vec![Span::styled(prefix, theme::label())];
        spans.extend(line_spans(&input.line, room));
        if let Some(e) = error {
            spans.push(Span::styled(e, theme::error()));
        }
        Line::from(spans)
    } else if let Some(p) = progress(s) {
        Line::raw(p)
    } else if let Some(m) = &s.status.message {
        let style = if m.level == Level::Error { theme::error() } else { ratatui::style::Style::default() };
        Line::styled(sanitize::line(&m.text).into_owned(), style)
    } else if s.log.stale {
        Line::raw(crate::app::log::STALE_NOTICE)
    } else {
        Line::raw("")
    };
    frame.render_widget(Paragraph::new(line), area);
}

pub fn hints_for(ctx: Context, s: &AppState) -> &'static [Action] {
    match ctx {
        Context::List => &[
            Action::Help,
            Action::StartFilter,
            Action::StartCommand,
            Action::ToggleMark,
            Action::MarkAll,
            Action::Resolve,
            Action::Suppress,
            Action::Notify,
            Action::Note,
            Action::Edit,
            Action::Undo,
            Action::OpenDetail,
            Action::Quit,
        ],
        // `]` and `/` are what the detail has that the list has not; the hints go as far as fits.
        Context::Detail => &[
            Action::Back,
            Action::MoveDown,
            Action::NextFinding,
            Action::StartSearch,
            Action::Help,
            Action::ToggleRaw,
            Action::ToggleFocus,
            Action::Resolve,
        ],
        Context::Group => {
            &[Action::Submit, Action::CycleNext, Action::GroupSecond, Action::ToggleMark, Action::Back, Action::Resolve]
        }
        Context::Form => &[Action::NextField, Action::CycleNext, Action::Submit, Action::Back],
        Context::Input => &[Action::Submit, Action::Back],
        Context::Prompt if matches!(s.prompt, Some(Prompt::Confirm(_))) => &[Action::Yes, Action::No],
        Context::Prompt => &[Action::Yes, Action::No],
        // The `:log` overlay says its own keys in its border.
        Context::Menu if s.changelog.is_some() && s.menu.is_none() => &[Action::MoveDown, Action::Back],
        Context::Menu => &[Action::MoveDown, Action::Submit, Action::Back],
        Context::Help => &[Action::Back],
    }
}

/// The `:` line's own keys, after the input hints: completion and history.
const COMMAND_HINTS: [(Action, &str); 3] =
    [(Action::Complete, "complete"), (Action::HistoryPrev, "history"), (Action::LineEnd, "keep the query")];

pub fn render_hints(frame: &mut Frame<'_>, area: Rect, s: &AppState, keymap: &Keymap) {
    let ctx = s.context();
    let command = s.input.as_ref().filter(|i| i.kind == InputKind::Command && s.prompt.is_none());
    if let Some(c) = command.and_then(|i| i.completion.as_ref()) {
        frame.render_widget(Paragraph::new(completion_list(c, usize::from(area.width))), area);
        return;
    }
    let mut spans = Vec::new();
    // Only whole hints: one cut mid-word ("s suppr") says nothing.
    let room = usize::from(area.width);
    let mut used = 0;
    for a in hints_for(ctx, s) {
        if let Some(k) = keymap.key_for(ctx, *a) {
            let what = format!(" {}", a.describe());
            let width = Span::raw(k.as_str()).width() + Span::raw(what.as_str()).width();
            if used + width > room {
                break;
            }
            used += width + 2;
            spans.push(Span::styled(k, theme::label()));
            spans.push(Span::styled(format!("{what}  "), theme::dim()));
        }
    }
    if let Some(input) = command {
        let line = keymap.line_bindings();
        for (a, what) in COMMAND_HINTS {
            if a == Action::LineEnd && !input.line.is_selected() {
                continue;
            }
            if let Some((keys, _)) = line.iter().find(|(_, b)| *b == a) {
                // The plainest key reads best in a hint, as `Keymap::key_for` has it.
                let key = keys.iter().min_by_key(|k| (k.chars().count(), k.contains('-'))).cloned().unwrap_or_default();
                spans.push(Span::styled(key, theme::label()));
                spans.push(Span::styled(format!(" {what}  "), theme::dim()));
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The candidates of a completion in one line, the one in the `:` line highlighted; when they do
/// not fit, the ones around it, "…" standing for the others.
fn completion_list(c: &Completion, width: usize) -> Line<'static> {
    // Values are listed without the key they all share (`region:`).
    let first = c.candidates.first().map_or("", String::as_str);
    let common = c
        .candidates
        .iter()
        .fold(first.len(), |n, v| first.bytes().zip(v.bytes()).take(n).take_while(|(a, b)| a == b).count());
    let shared = first[..common].rfind([':', '=', '<', '>', ',']).map_or(0, |i| i + 1);
    let items: Vec<String> =
        c.candidates.iter().map(|v| sanitize::line(v.get(shared..).unwrap_or(v)).into_owned()).collect();
    let widths: Vec<usize> = items.iter().map(|v| Span::raw(v.as_str()).width() + 2).collect();
    // Start from the chosen one and widen to the left and right while there is room.
    let (mut first, mut last) = (c.index, c.index);
    let mut used = widths.get(c.index).copied().unwrap_or(0);
    let room = width.saturating_sub(4);
    loop {
        let mut grew = false;
        if last + 1 < items.len() && used + widths[last + 1] <= room {
            last += 1;
            used += widths[last];
            grew = true;
        }
        if first > 0 && used + widths[first - 1] <= room {
            first -= 1;
            used += widths[first];
            grew = true;
        }
        if !grew {
            break;
        }
    }
    let mut spans = Vec::new();
    if first > 0 {
        spans.push(Span::styled("… ", theme::dim()));
    }
    for (i, item) in items.into_iter().enumerate().take(last + 1).skip(first) {
        let style = if i == c.index { theme::cursor() } else { theme::label() };
        spans.push(Span::styled(item, style));
        spans.push(Span::raw("  "));
    }
    if last + 1 < c.candidates.len() {
        spans.push(Span::styled("…", theme::dim()));
    }
    Line::from(spans)
}
