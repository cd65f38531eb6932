//! The findings list: a table built only for the rows on screen, so 100,000 rows cost nothing to
//! scroll.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row as TableRow, Table};
use ratatui::Frame;

use super::theme;
use crate::app::row::Row;
use crate::app::state::{AppState, Focus, LoadState, Mode};

/// "3d", "5h", "12m": how long ago, against the injected clock.
pub fn age(updated_ns: i64, now_ns: i64) -> String {
    let secs = (now_ns - updated_ns) / 1_000_000_000;
    if updated_ns == 0 {
        "-".into()
    } else if secs >= 86_400 {
        format!("{}d", secs / 86_400)
    } else if secs >= 3_600 {
        format!("{}h", secs / 3_600)
    } else {
        format!("{}m", (secs / 60).max(0))
    }
}

fn resource(r: &Row) -> String {
    let t = r.resource_type.strip_prefix("Aws").unwrap_or(&r.resource_type);
    format!("{t} {}", r.short_resource())
}

pub fn render_list(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    let focused = s.focus == Focus::List && s.mode == Mode::Split;
    let sort = format!(" sort: {}{} ", s.view.sort.column.name(), if s.view.sort.descending { "↓" } else { "↑" });
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border(focused))
        .title(Line::from(vec![Span::styled(" Findings ", theme::title()), Span::styled(sort, theme::dim())]));
    // Columns appear as width allows: account and product from 95, region from 135.
    let (medium, wide) = (area.width >= 95, area.width >= 135);
    let mut header = vec!["", "SEVERITY", "STATUS", "TITLE", "RESOURCE"];
    let mut widths = vec![Constraint::Length(1), Constraint::Length(8), Constraint::Length(10), Constraint::Fill(1)];
    widths.push(Constraint::Length(if medium { 24 } else { 18 }));
    if medium {
        header.push("ACCOUNT");
        widths.push(Constraint::Length(12));
    }
    if wide {
        header.push("REGION");
        widths.push(Constraint::Length(14));
    }
    if medium {
        header.push("PRODUCT");
        widths.push(Constraint::Length(12));
    }
    header.push("AGE");
    widths.push(Constraint::Length(4));

    if s.view.visible.is_empty() {
        let text = match s.status.load {
            LoadState::Starting | LoadState::Loading { .. } if s.rows.all.is_empty() => "Loading findings…",
            _ if s.rows.all.is_empty() => "No findings in this store.",
            _ => "No finding matches the filter.  Esc clears it.",
        };
        let p = ratatui::widgets::Paragraph::new(Line::styled(text, theme::dim())).block(block);
        frame.render_widget(p, area);
        return;
    }
    let now_ns = crate::model::timestamp::to_nanos(s.now);
    let page = usize::from(area.height.saturating_sub(3)).max(1);
    // The app keeps offset for its page size; clamp here in case the frame is smaller.
    let mut offset = s.list.offset;
    if s.list.cursor >= offset + page {
        offset = s.list.cursor + 1 - page;
    }
    let rows = s.view.visible.iter().enumerate().skip(offset).take(page).filter_map(|(pos, &i)| {
        let r = s.rows.get(i)?;
        let marked = s.marks.contains(&i);
        let failed = s.edits.failed.contains_key(&r.key);
        let mark = if failed {
            Span::styled("!", theme::failed())
        } else if marked {
            Span::raw("●")
        } else {
            Span::raw(" ")
        };
        let sev = r.severity.map_or("-", |l| if l.as_str() == "INFORMATIONAL" { "INFO" } else { l.as_str() });
        let mut cells = vec![
            Cell::from(mark),
            Cell::from(Span::styled(sev, theme::severity(r.severity))),
            Cell::from(Span::styled(r.workflow.map_or("-", |w| w.as_str()), theme::workflow(r.workflow))),
            Cell::from(r.title.as_str()),
            Cell::from(resource(r)),
        ];
        if medium {
            cells.push(Cell::from(r.account.as_str()));
        }
        if wide {
            cells.push(Cell::from(r.region.as_str()));
        }
        if medium {
            cells.push(Cell::from(r.product.as_str()));
        }
        cells.push(Cell::from(age(r.updated_ns, now_ns)));
        let style = if pos == s.list.cursor {
            theme::cursor()
        } else if marked {
            theme::marked()
        } else {
            Style::default()
        };
        Some(TableRow::new(cells).style(style))
    });
    let table =
        Table::new(rows, widths).header(TableRow::new(header).style(theme::dim())).block(block).column_spacing(1);
    frame.render_widget(table, area);
}
