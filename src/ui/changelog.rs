//! The `:log` overlay (`app::changelog`) over the main area: the change log's entries, a line each
//! (id, when, who, how many findings, what; "undone by #N" before the what so a cut never hides
//! it), or with Enter one change. Every text from the store is sanitised and cut to the width,
//! never wrapped, so a long note keeps to its line.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::overlay::{boxed, keep_head};
use super::theme;
use crate::app::changelog::{age, detail_len, detail_window, LineKind};
use crate::app::AppState;
use crate::model::{sanitize, words};

/// At this width and wider each entry also says how long ago it was.
const AGE_FROM: u16 = 110;

pub fn render_changelog(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    let Some(view) = &s.changelog else { return };
    frame.render_widget(Clear, area);
    let title = match (&view.shown, view.loading) {
        (Some(shown), _) => format!(" Change log › #{} ", shown.id),
        (None, true) => " Change log (reading…) ".to_string(),
        (None, false) if view.error.is_some() => " Change log ".to_string(),
        (None, false) => format!(" Change log · {} · newest first ", words::count(view.entries.len(), "edit")),
    };
    let hints = match (&view.shown, area.width >= 100) {
        (Some(_), true) => " j/k scroll · u undo this edit · Esc back to the log ",
        (Some(_), false) => " j/k · u undo · Esc back ",
        (None, true) => " j/k move · Enter what it changed · u undo · R read again · Esc close ",
        (None, false) => " Enter details · u undo · Esc close ",
    };
    let block = boxed(&title).title_bottom(Span::styled(hints, theme::title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let room = usize::from(inner.width);
    let height = usize::from(inner.height);
    let lines = match &view.shown {
        Some(shown) => {
            let scroll = shown.scroll.min(detail_len(s).saturating_sub(height));
            detail_window(s, scroll, height)
                .into_iter()
                .map(|(kind, text)| {
                    let style = match kind {
                        LineKind::Title => theme::title(),
                        LineKind::Heading => theme::label(),
                        LineKind::Text => ratatui::style::Style::default(),
                        LineKind::Dim => theme::dim(),
                        LineKind::Warning => theme::error(),
                    };
                    Line::styled(keep_head(&format!(" {text}"), room), style)
                })
                .collect()
        }
        None => entry_lines(s, room, height, inner.width >= AGE_FROM),
    };
    // Only an error is wrapped (it is the whole box); entries and a change keep to their lines.
    let error = view.shown.is_none() && view.error.is_some();
    let paragraph = Paragraph::new(lines);
    let paragraph = if error { paragraph.wrap(ratatui::widgets::Wrap { trim: false }) } else { paragraph };
    frame.render_widget(paragraph, inner);
}

/// The header and a page of entries around the cursor.
fn entry_lines(s: &AppState, room: usize, height: usize, with_age: bool) -> Vec<Line<'static>> {
    let Some(view) = &s.changelog else { return Vec::new() };
    if let Some(e) = &view.error {
        return vec![Line::styled(e.clone(), theme::error())];
    }
    if view.entries.is_empty() {
        let text = if view.loading {
            "Reading the change log…"
        } else {
            "No bulk edits logged yet: each edit made here or with `hubtriage update` is kept in the log."
        };
        return vec![Line::styled(keep_head(text, room), theme::dim())];
    }
    let id_w = view.entries.iter().map(|e| e.id.to_string().len() + 1).max().unwrap_or(2);
    let who_w = view
        .entries
        .iter()
        .map(|e| Span::raw(sanitize::line(&e.identity).into_owned()).width())
        .max()
        .unwrap_or(3)
        .clamp(3, if room >= 120 { 24 } else { 12 });
    let n_w = view.entries.iter().map(|e| words::thousands(e.findings).len()).max().unwrap_or(1).max(8);
    let age_w = if with_age { 10 } else { 0 };
    let when = |e: &crate::store::changelog::LogEntry| {
        let t = crate::model::timestamp::format(e.at);
        // "2026-12-06T16:40:12.000Z" as "2026-12-06 16:40".
        let short = format!("{} {}", t.get(..10).unwrap_or(&t), t.get(11..16).unwrap_or(""));
        if with_age {
            format!("{short}  {:<age_w$}", age(s.now, e.at))
        } else {
            short
        }
    };
    let when_w = 16 + if with_age { 2 + age_w } else { 0 };
    let header = format!(" {:<id_w$}  {:<when_w$}  {:<who_w$}  {:>n_w$}  WHAT", "#", "WHEN (UTC)", "WHO", "FINDINGS");
    let mut lines = Vec::new();
    if let Some(notice) = &view.notice {
        lines.push(Line::styled(keep_head(&format!(" {notice}"), room), theme::title()));
    }
    lines.push(Line::styled(keep_head(&header, room), theme::label()));
    let page = height.saturating_sub(lines.len()).max(1);
    let offset = view.cursor.saturating_sub(page - 1);
    for (i, e) in view.entries.iter().enumerate().skip(offset).take(page) {
        let who = keep_head(&sanitize::line(&e.identity), who_w);
        let head = format!(
            " {:<id_w$}  {:<when_w$}  {who:<who_w$}  {:>n_w$}  ",
            format!("#{}", e.id),
            when(e),
            words::thousands(e.findings)
        );
        let mut spans = vec![Span::raw(head.clone())];
        let mut used = Span::raw(head.as_str()).width();
        if let Some(by) = e.undone_by {
            let undone = format!("(undone by #{by}) ");
            used += Span::raw(undone.as_str()).width();
            spans.push(Span::styled(undone, theme::dim()));
        }
        spans.push(Span::raw(keep_head(&sanitize::line(&e.description), room.saturating_sub(used))));
        let line = Line::from(spans);
        lines.push(if i == view.cursor { line.style(theme::cursor()) } else { line });
    }
    lines
}
