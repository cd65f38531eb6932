//! Modal boxes drawn over the panes: the edit form, prompts and confirmations, and the group view
//! (the help overlay is `help`).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::theme;
use crate::app::form::FormField;
use crate::app::menu::MenuKind;
use crate::app::prompt::{Prompt, TextPurpose};
use crate::app::AppState;
use crate::model::sanitize;
use crate::model::update::rules::check_note_length;

/// A box of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// The head of `text` in at most `width` columns, "…" standing for what was cut.
pub(super) fn keep_head(text: &str, width: usize) -> String {
    if Span::raw(text).width() <= width {
        return text.to_string();
    }
    let mut kept = String::new();
    let mut used = 1; // the "…"
    for c in text.chars() {
        let w = Span::raw(c.to_string()).width();
        if used + w > width {
            break;
        }
        used += w;
        kept.push(c);
    }
    if width > 0 {
        kept.push('…');
    }
    kept
}

/// Whether the chooser's `item` is a ticked column the list has no room for.
fn i_left_out(left_out: &[crate::app::columns::Column], item: &crate::app::menu::MenuItem) -> bool {
    item.key == '✓' && left_out.iter().any(|c| c.name() == item.label)
}

/// `text` in at most `width` columns, its middle standing for what was cut ("arn:aws:…f5bced"):
/// for one token (an Id, an ARN, a URL), whose end tells it from its neighbours.
fn keep_middle(text: &str, width: usize) -> String {
    if Span::raw(text).width() <= width || width < 3 {
        return keep_head(text, width);
    }
    let chars: Vec<char> = text.chars().collect();
    let w = |c: &char| Span::raw(c.to_string()).width();
    let keep = width - 1;
    let (head_w, tail_w) = (keep - keep / 2, keep / 2);
    let mut head = String::new();
    let mut used = 0;
    for c in &chars {
        if used + w(c) > head_w {
            break;
        }
        used += w(c);
        head.push(*c);
    }
    let mut tail = Vec::new();
    let mut used = 0;
    for c in chars.iter().rev() {
        if used + w(c) > tail_w {
            break;
        }
        used += w(c);
        tail.push(*c);
    }
    head.push('…');
    head.extend(tail.into_iter().rev());
    head
}

pub(super) fn boxed<'a>(title: &'a str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border(true))
        .title(Span::styled(title, theme::title()))
}

pub fn render_form(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    let Some(form) = &s.form else { return };
    let r = centered(area, 70, 15);
    frame.render_widget(Clear, r);
    let hidden = if form.hidden == 0 { String::new() } else { format!(" ({} not in this view)", form.hidden) };
    let title = format!(" Edit {} finding{}{hidden} ", form.targets, if form.targets == 1 { "" } else { "s" });
    // Borders, the "▶ " marker, the label and the cursor: a value longer than the rest would wrap
    // and push the fields below it out of the box.
    let value_room = usize::from(r.width).saturating_sub(2 + 2 + 22 + 1);
    let mut lines = Vec::new();
    for (i, f) in FormField::ALL.iter().enumerate() {
        let focused = i == form.focus;
        let value = match form.shown(*f) {
            Some(v) => {
                let v = sanitize::line(&v).into_owned();
                if f.is_choice() {
                    format!("‹ {v} ›")
                } else if focused {
                    // The field being typed shows its end and the cursor; the others their start.
                    super::chrome::keep_tail(&v, value_room)
                } else {
                    keep_head(&v, value_room)
                }
            }
            None => match form.current.as_ref().and_then(|c| c.text(*f)) {
                Some(now) => keep_head(&format!("(unchanged: {})", sanitize::line(&now)), value_room),
                None => "(unchanged)".into(),
            },
        };
        let value_style = if form.shown(*f).is_some() { ratatui::style::Style::default() } else { theme::dim() };
        let value_style = if focused { value_style.patch(theme::cursor()) } else { value_style };
        let at_fault = form.error.as_ref().is_some_and(|(ef, _)| *ef == Some(*f));
        lines.push(Line::from(vec![
            Span::styled(if focused { "▶ " } else { "  " }, theme::label()),
            Span::styled(format!("{:<22}", f.label()), if at_fault { theme::error() } else { theme::label() }),
            Span::styled(value, value_style),
            Span::raw(if focused && !f.is_choice() { "▏" } else { "" }),
        ]));
    }
    lines.push(Line::raw(""));
    if let Some((_, e)) = &form.error {
        lines.push(Line::styled(sanitize::line(e).into_owned(), theme::error()));
    } else if let Some(hint) = form.field_hint() {
        lines.push(Line::styled(sanitize::line(&hint).into_owned(), theme::dim()));
    } else {
        lines.push(Line::styled(
            "←/→ choose · type to edit · only changed fields are sent · Enter preview",
            theme::dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines).block(boxed(&title)).wrap(Wrap { trim: false }), r);
}

pub fn render_prompt(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    let Some(p) = &s.prompt else { return };
    let (title, body): (&str, Vec<Line<'_>>) = match p {
        Prompt::Text { purpose, text, error, expires, on_expires } => {
            let (title, ask) = match purpose {
                TextPurpose::SuppressReason if s.config.suppress_reason_required => {
                    (" Suppress ", "Reason (required), recorded as the note:")
                }
                TextPurpose::SuppressReason => (" Suppress ", "Reason, recorded as the note (Enter to skip):"),
                TextPurpose::Note if crate::app::prompt::current_note(s).is_ok() => {
                    (" Note ", "Note text (replaces the current note; Ctrl-R starts from it):")
                }
                TextPurpose::Note => (" Note ", "Note text (replaces the current note):"),
            };
            // One line that scrolls sideways: the cursor end stays in view however long the text,
            // so the box keeps its size and the error below it always has room.
            let room = usize::from(area.width.min(74).saturating_sub(3));
            let mut body = vec![Line::raw(ask)];
            if *purpose == TextPurpose::SuppressReason {
                // The field the cursor is not in is shown as plain text, so only one cursor shows.
                let field = |line: &crate::app::line::LineEdit, here: bool| -> Line<'static> {
                    if here {
                        Line::from(super::chrome::line_spans(line, room))
                    } else {
                        Line::raw(sanitize::line(line.text()).chars().take(room).collect::<String>())
                    }
                };
                body.push(field(text, !*on_expires));
                body.push(Line::raw("Expires (30d, 2w, 12h, 2027-01-31T00:00:00Z; empty: never; Tab):"));
                body.push(field(expires, *on_expires));
            } else {
                body.push(Line::from(super::chrome::line_spans(text, room)));
            }
            // A reason is recorded as the note, so both say as they are typed when they pass
            // BatchUpdateFindings' Note.Text limit, not only on Enter.
            let too_long = check_note_length(text.text().trim()).err().map(|e| e.to_string());
            if let Some(e) = error.as_ref().or(too_long.as_ref()) {
                body.push(Line::styled(sanitize::line(e).into_owned(), theme::error()));
            }
            (title, body)
        }
        Prompt::Confirm(plan) => {
            let mut body = vec![Line::raw(plan.preview())];
            body.extend(plan.breakdown.iter().map(|b| Line::raw(sanitize::line(b).into_owned())));
            if let Some(c) = &plan.caveat {
                body.push(Line::styled(sanitize::line(c).into_owned(), theme::error()));
            }
            body.push(Line::raw(""));
            body.push(Line::styled("y / Enter: apply    n / Esc: cancel", theme::dim()));
            (" Confirm ", body)
        }
        Prompt::QuitWithEditsInFlight => (
            " Quit? ",
            vec![
                Line::raw(format!("{} edits are still being applied.", s.edits.findings_in_flight())),
                Line::raw("Calls already answered are saved; the rest would not be sent."),
                Line::styled("y: quit anyway    n / Esc: stay", theme::dim()),
            ],
        ),
        Prompt::OfferDemo => (
            " Empty store ",
            vec![
                Line::raw("This store has no findings."),
                Line::raw("Load the demo dataset (2,300 findings, ASFF and OCSF)?"),
                Line::styled("y: load it    n: leave the store empty", theme::dim()),
            ],
        ),
        Prompt::UndoLogged { lines, .. } => {
            // The entry's text was sanitised when the lines were made; the rest is ours.
            let mut body: Vec<Line<'_>> = lines.iter().map(|l| Line::raw(sanitize::line(l).into_owned())).collect();
            body.push(Line::raw(""));
            body.push(Line::styled("y / Enter: undo it    n / Esc: cancel", theme::dim()));
            (" Undo from the change log ", body)
        }
        Prompt::RemoveDemo => (
            " Remove demo data ",
            vec![
                Line::raw("Delete every demo finding (company \"hubtriage demo\") and its history from this store?"),
                Line::raw("Your other findings are kept."),
                Line::styled("y / Enter: remove    n / Esc: cancel", theme::dim()),
            ],
        ),
    };
    // Sized to the wrapped text, not the line count: a summary that wraps must not push the
    // answer keys out of the box.
    let mut body = body;
    let inner_width = area.width.min(74).saturating_sub(2);
    let wrapped = |lines: Vec<Line<'_>>| Paragraph::new(lines).wrap(Wrap { trim: false }).line_count(inner_width);
    let needed = u16::try_from(wrapped(body.clone())).unwrap_or(u16::MAX).saturating_add(2);
    let r = centered(area, 74, needed);
    frame.render_widget(Clear, r);
    let block = boxed(title);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    // The last line (the answer keys, or what is being typed) keeps the bottom of a box cut short.
    let last: Vec<Line<'_>> = body.pop().into_iter().collect();
    let last_height = u16::try_from(wrapped(last.clone())).unwrap_or(u16::MAX).min(inner.height);
    let [top, bottom] = Layout::vertical([Constraint::Fill(1), Constraint::Length(last_height)]).areas(inner);
    frame.render_widget(Paragraph::new(body).wrap(Wrap { trim: false }), top);
    frame.render_widget(Paragraph::new(last).wrap(Wrap { trim: false }), bottom);
}

/// The group view: per group its count, share, severity distribution (CRIT HIGH MED LOW INFO),
/// a bar where the width allows, and its value; second-level groups indented under their group.
pub fn render_group(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    let levels = match s.group.second {
        Some(f2) => format!("{} › {}", s.group.field.name(), f2.name()),
        None => s.group.field.name().to_string(),
    };
    let title = if area.width >= 110 {
        format!(" Group by {levels} (←/→ field · + second level · space marks · r/s/n/c/e edit the group · Enter drills in) ")
    } else {
        format!(" Group by {levels} ")
    };
    let block = boxed(&title);
    let total: usize = s.group.groups.iter().filter(|g| g.sub.is_none()).map(|g| g.count).sum();
    let page = usize::from(area.height.saturating_sub(3)).max(1);
    let offset = s.group.cursor.saturating_sub(page - 1);
    // The bar only where it leaves the value room.
    let bar_w = if area.width >= 140 {
        30
    } else if area.width >= 110 {
        12
    } else {
        0
    };
    let mut lines: Vec<Line<'_>> = vec![Line::styled(
        format!(
            "{:>8}  {:>6}  {:>5} {:>5} {:>5} {:>5} {:>5}  {:bar_w$}{}",
            "COUNT",
            "%",
            "CRIT",
            "HIGH",
            "MED",
            "LOW",
            "INFO",
            "",
            if bar_w > 0 { " " } else { "" }
        ) + "VALUE",
        theme::label(),
    )];
    lines.extend(s.group.groups.iter().enumerate().skip(offset).take(page).map(|(i, g)| {
        let pct = if total == 0 { 0.0 } else { g.count as f64 * 100.0 / total as f64 };
        let shown = g.sub.as_ref().unwrap_or(&g.value);
        let name = if shown.is_empty() { "(none)".to_string() } else { sanitize::line(shown).into_owned() };
        let name = if g.sub.is_some() { format!("  └ {name}") } else { name };
        let sev = &g.severity;
        let cell = |n: usize| if n == 0 { format!("{:>5}", "·") } else { format!("{n:>5}") };
        let mut spans = vec![
            Span::raw(format!("{:>8}  {:>5.1}%  ", g.count, pct)),
            Span::styled(cell(sev[0]), theme::severity(Some(crate::model::enums::SeverityLabel::Critical))),
            Span::raw(" "),
            Span::styled(cell(sev[1]), theme::severity(Some(crate::model::enums::SeverityLabel::High))),
            Span::raw(" "),
            Span::styled(cell(sev[2]), theme::severity(Some(crate::model::enums::SeverityLabel::Medium))),
            Span::raw(" "),
            Span::styled(cell(sev[3]), theme::severity(Some(crate::model::enums::SeverityLabel::Low))),
            Span::raw(" "),
            Span::styled(cell(sev[4]), theme::severity(Some(crate::model::enums::SeverityLabel::Informational))),
            Span::raw("  "),
        ];
        if bar_w > 0 {
            let bar = "█".repeat(((pct / 100.0) * bar_w as f64).round() as usize);
            spans.push(Span::styled(format!("{bar:<bar_w$} "), theme::label()));
        }
        spans.push(Span::raw(name));
        let line = Line::from(spans);
        if i == s.group.cursor {
            line.style(theme::cursor())
        } else {
            line
        }
    }));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A small menu (the view picker): each entry's key, its label and what it does, the cursor's
/// entry reversed; cut to the box, never wrapped.
pub fn render_menu(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    let Some(menu) = &s.menu else { return };
    let width = area.width.min(if area.width >= 120 { 96 } else { 76 });
    let label_w = menu.items.iter().map(|i| Span::raw(sanitize::line(&i.label)).width()).max().unwrap_or(0).min(28);
    let height = u16::try_from(menu.items.len()).unwrap_or(u16::MAX).saturating_add(2);
    let r = centered(area, width, height);
    frame.render_widget(Clear, r);
    let block = boxed(&menu.title);
    let inner = block.inner(r);
    let page = usize::from(inner.height).max(1);
    let offset = menu.cursor.saturating_sub(page - 1);
    let room = usize::from(inner.width);
    // The chooser's ticked columns the list's width leaves out, as Enter would apply them.
    let left_out = match menu.kind {
        MenuKind::Columns => {
            let words: Vec<String> = menu
                .items
                .iter()
                .filter(|i| i.key == '✓')
                .map(|i| if i.value.is_empty() { i.label.clone() } else { format!("{}:{}", i.label, i.value) })
                .collect();
            super::list::left_out(s, super::split(area, s.size.0, s.size.1).0, &words)
        }
        _ => Vec::new(),
    };
    let lines: Vec<Line<'_>> = menu
        .items
        .iter()
        .enumerate()
        .skip(offset)
        .take(page)
        .map(|(i, item)| {
            let no_room = i_left_out(&left_out, item);
            let label = keep_head(&sanitize::line(&item.label), label_w);
            let head = format!(" {}  {label:<label_w$}  ", item.key);
            let detail_room = room.saturating_sub(Span::raw(head.as_str()).width());
            let detail = sanitize::line(&item.detail);
            let detail = if no_room { format!("{detail} · no room at this width").into() } else { detail };
            // What `y` copies and `o` opens is one token: its middle gives way, not its end.
            let token = matches!(menu.kind, MenuKind::Copy | MenuKind::Open) && !detail.contains(' ');
            let detail = if token { keep_middle(&detail, detail_room) } else { keep_head(&detail, detail_room) };
            let line = Line::from(vec![Span::styled(head, theme::label()), Span::styled(detail, theme::dim())]);
            if i == menu.cursor {
                line.style(theme::cursor())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), r);
}
