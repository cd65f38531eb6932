//! The detail pane: the cursor finding in full (every field an analyst triages on, its resources,
//! note, history), or its raw JSON. The finding view is the model's `DetailView`, sanitised when it
//! was built; the raw JSON and the workbench's own text are sanitised here. The finding view is laid
//! out to the pane's width by `wrap` (ids, ARNs and URLs are never split mid-token); the raw JSON is
//! wrapped by the paragraph, so that every character of it can be read.

use super::{theme, wrap};
use crate::app::state::{Focus, Mode};
use crate::app::AppState;
use crate::model::detail::{DetailLine, DetailView, Tone};
use crate::model::sanitize;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use serde_json::Value;

fn field<'a>(name: &'a str, value: &str) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{name:<14}"), theme::label()), Span::raw(value.to_string())])
}

fn clean(s: &str) -> String {
    sanitize::line(s).into_owned()
}

fn heading(s: &str) -> Line<'_> {
    Line::styled(s, theme::title())
}

fn line(l: &DetailLine) -> Line<'_> {
    match l.tone {
        Tone::Plain => Line::raw(l.text.as_str()),
        Tone::Dim => Line::styled(l.text.as_str(), theme::dim()),
        Tone::Alert => Line::styled(l.text.as_str(), theme::failed()),
    }
}

/// The column the header fields' values start at.
const FIELD_HANG: usize = 14;

/// "pending: queued 12 s ago", or once a call carrying it failed in a way worth retrying
/// "retrying: <why> (queued 3 min ago, 2 attempts)".
fn pending_line(q: &crate::model::source::QueuedEdit, now: time::OffsetDateTime) -> String {
    let ms = (now.unix_timestamp_nanos() / 1_000_000) as i64 - q.queued_ms;
    let ago = crate::model::words::ago(ms);
    match (&q.last_error, q.attempts) {
        (Some(e), n) if n > 0 => {
            format!("retrying: {} (queued {ago}, {})", clean(e), crate::model::words::count(n as usize, "attempt"))
        }
        _ => format!("pending: queued {ago}, not yet confirmed by the remote"),
    }
}

/// The lines of the finding view (not the raw JSON), before they are laid out to a width.
pub fn finding_lines<'a>(s: &'a AppState, view: &'a DetailView) -> Vec<Line<'a>> {
    finding_rows(s, view).into_iter().map(|(l, _)| l).collect()
}

/// The finding view's lines, each with the column its wrapped continuation starts at: the model's
/// view of the document, then what the workbench itself knows of the finding (an edit that was not
/// applied, its history).
fn finding_rows<'a>(s: &'a AppState, view: &'a DetailView) -> Vec<(Line<'a>, usize)> {
    let mut out = vec![(Line::styled(view.title.as_str(), theme::severity(view.severity)), 0)];
    out.extend(view.description.iter().map(|l| (Line::raw(l.as_str()), 0)));
    // Near the top: the values below include an edit the remote has not confirmed.
    if let Some(q) = s.detail.key.as_ref().and_then(|k| s.edits.queued.get(k)) {
        out.push((Line::styled(pending_line(q, s.now), theme::pending()), 2));
    }
    if let Some(&ms) = s.detail.key.as_ref().and_then(|k| s.edits.checked.get(k)) {
        let ago = crate::model::words::ago((s.now.unix_timestamp_nanos() / 1_000_000) as i64 - ms);
        out.push((Line::styled(format!("checked with the remote {ago}"), theme::dim()), 2));
    }
    out.push((Line::raw(""), 0));
    out.extend(view.fields.iter().map(|(name, value)| (field(name, value), FIELD_HANG)));
    for section in &view.sections {
        out.push((Line::raw(""), 0));
        out.push((heading(section.heading), 0));
        out.extend(section.lines.iter().map(|l| (line(l), l.hang)));
    }
    if let Some(f) = s.detail.key.as_ref().and_then(|k| s.edits.failed.get(k)) {
        out.push((Line::raw(""), 0));
        out.push((Line::styled(format!("Last edit not applied: {}", clean(&f.reason)), theme::failed()), 0));
    }

    out.push((Line::raw(""), 0));
    out.push((heading("History"), 0));
    if s.detail.history.is_empty() {
        out.push((Line::styled("  (none)", theme::dim()), 2));
    }
    for h in &s.detail.history {
        let who = match &h.service_reason {
            Some(reason) => format!("reopened by Security Hub ({})", clean(reason)),
            None => format!("by {}", clean(&h.who)),
        };
        let created = if h.created { "  created" } else { "" };
        out.push((
            Line::from(vec![
                Span::styled(format!("  {} ", clean(&h.time)), theme::dim()),
                Span::raw(format!("{who}{created}")),
            ]),
            4,
        ));
        for c in &h.changes {
            let show = |v: &Option<String>| v.as_deref().map_or("(none)".to_string(), clean);
            out.push((Line::raw(format!("    {}: {} → {}", clean(&c.field), show(&c.old), show(&c.new))), 6));
        }
    }
    out
}

pub fn render_detail(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    frame.render_widget(paragraph(s, area.width.saturating_sub(2)).scroll((s.detail.scroll, 0)), area);
}

/// The pane's block and text for a pane `width` columns wide inside its borders (unscrolled).
pub(super) fn paragraph(s: &AppState, width: u16) -> Paragraph<'_> {
    let focused = s.focus == Focus::Detail || s.mode == Mode::DetailFull;
    let mut title = match (s.detail.raw, s.detail.other.is_some()) {
        (true, true) => " Detail · raw JSON, ASFF and OCSF ".to_string(),
        (true, false) => " Detail · raw JSON ".to_string(),
        // The same finding is stored in both formats: `J` shows both documents.
        (false, true) => " Detail · also OCSF (J) ".to_string(),
        (false, false) => " Detail ".to_string(),
    };
    if !s.detail.search.is_empty() {
        let at = match (s.detail.match_at, s.detail.matches.len()) {
            (_, 0) => "no match".to_string(),
            (Some(i), n) => format!("{} of {n}", i + 1),
            (None, n) => format!("{n} lines"),
        };
        title.push_str(&format!("· /{} {at} ", clean(&s.detail.search)));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border(focused))
        .title(Span::styled(title, theme::title()));
    Paragraph::new(lines(s, width)).block(block).wrap(Wrap { trim: false })
}

/// The pane's lines for a pane `width` columns wide.
fn lines(s: &AppState, width: u16) -> Vec<Line<'_>> {
    match (&s.detail.doc, &s.detail.error) {
        (_, Some(e)) => vec![Line::styled(clean(e), theme::error())],
        (Some(doc), None) if s.detail.raw => raw_lines(doc, s.detail.other.as_ref()),
        (Some(_), None) => finding_rows(s, &s.detail.view)
            .into_iter()
            .flat_map(|(l, hang)| wrap::lay_out(l, hang, usize::from(width)))
            .collect(),
        (None, None) if s.detail.loading => vec![Line::styled("Loading…", theme::dim())],
        (None, None) => vec![Line::styled("No finding selected.", theme::dim())],
    }
}

/// The raw JSON; a finding stored in both formats shows its ASFF document, then its OCSF one.
fn raw_lines<'a>(doc: &Value, other: Option<&Value>) -> Vec<Line<'a>> {
    let pretty = |d: &Value| -> Vec<Line<'a>> {
        serde_json::to_string_pretty(d).unwrap_or_default().lines().map(|l| Line::raw(clean(l))).collect()
    };
    let Some(other) = other else { return pretty(doc) };
    let mut out = vec![Line::styled("ASFF (GetFindings):", theme::title())];
    out.extend(pretty(doc));
    out.push(Line::raw(""));
    out.push(Line::styled("OCSF (GetFindingsV2), the same finding:", theme::title()));
    out.extend(pretty(other));
    out
}

/// The first screen line of each line of the pane that holds `s.detail.search` (case-insensitive),
/// laid out as `paragraph` lays it out `width` columns wide.
pub(super) fn search_lines(s: &AppState, width: u16) -> Vec<u16> {
    let needle = s.detail.search.to_lowercase();
    let mut out = Vec::new();
    let mut row: usize = 0;
    for line in lines(s, width) {
        let text: String = line.spans.iter().map(|sp| sp.content.as_ref()).collect();
        if text.to_lowercase().contains(&needle) {
            out.push(u16::try_from(row).unwrap_or(u16::MAX));
        }
        row += Paragraph::new(line).wrap(Wrap { trim: false }).line_count(width).max(1);
    }
    out
}

#[cfg(test)]
mod raw_tests {
    use serde_json::json;

    use super::raw_lines;

    fn text(lines: &[ratatui::text::Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn the_raw_json_of_a_finding_in_both_forms_shows_both_documents() {
        let asff = json!({"Id": "f-1"});
        let ocsf = json!({"finding_info": {"uid": "f-1"}});
        assert_eq!(text(&raw_lines(&asff, None)), ["{", "  \"Id\": \"f-1\"", "}"]);
        let both = text(&raw_lines(&asff, Some(&ocsf)));
        assert_eq!(both[0], "ASFF (GetFindings):");
        assert_eq!(both[1..4], ["{", "  \"Id\": \"f-1\"", "}"]);
        assert_eq!(both[5], "OCSF (GetFindingsV2), the same finding:");
        assert!(both[6..].join("\n").contains("\"uid\": \"f-1\""));
    }
}
