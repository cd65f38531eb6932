//! The findings list: a table built only for the rows on screen, so 100,000 rows cost nothing to
//! scroll.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row as TableRow, Table};
use ratatui::Frame;
use time::OffsetDateTime;

use super::theme;
use crate::app::columns::{self, Column};
use crate::app::filter::SortColumn;
use crate::app::row::Row;
use crate::app::state::{Focus, LoadState, Mode};
use crate::app::AppState;
use crate::model::timestamp;

/// "3d", "5h", "12m": how long ago, against the injected clock. A row without UpdatedAt has 0.
fn age(r: &Row, now: OffsetDateTime) -> String {
    timestamp::age((r.updated_ns != 0).then(|| timestamp::from_nanos(r.updated_ns)), now)
}

fn resource(r: &Row) -> String {
    // An OCSF finding's type is CloudFormation's (AWS::S3::Bucket): shown by its ASFF name, as alike.
    let t = crate::model::ocsf::asff::asff_resource_type(&r.resource_type);
    let t = t.strip_prefix("Aws").unwrap_or(t);
    format!("{t} {}", r.short_resource())
}

/// The severity as the column shows it: the summary's text (an OCSF finding's Fatal, Unknown and
/// Other as themselves), INFORMATIONAL shortened to fit.
fn severity_cell(r: &Row) -> &'static str {
    match r.severity_text() {
        "" => "-",
        "INFORMATIONAL" => "INFO",
        t => t,
    }
}

/// The status as the column shows it: the summary's text (an OCSF finding's Unknown, In Progress,
/// Archived and Other as themselves), IN_PROGRESS shortened to the column's 10.
fn status_cell(r: &Row) -> &'static str {
    match r.workflow_text() {
        "" => "-",
        "IN_PROGRESS" => "IN_PROG",
        t => t,
    }
}

const RESOURCE_W: u16 = 24;
const RESOURCE_MIN_W: u16 = 16;
const ACCOUNT_W: u16 = 12;
const REGION_W: u16 = 14;
const PRODUCT_W: u16 = 12;
/// The format column: `v2` on an OCSF (Security Hub V2) finding, blank on an ASFF one. Shown only
/// while the list holds OCSF findings, so an ASFF-only list reads as before.
const FORMAT_W: u16 = 2;
/// The title is what an analyst reads first: optional columns give way before it gets narrower.
const TITLE_MIN: u16 = 30;

/// Which optional columns fit beside a readable title, added in order of use in triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Columns {
    /// Width of the resource column, 0 when hidden: it narrows to 16 before it goes.
    resource: u16,
    account: bool,
    region: bool,
    product: bool,
}

impl Columns {
    #[cfg(test)]
    fn fit(inner_width: u16) -> Columns {
        Columns::fit_chosen(inner_width, &[])
    }

    /// As `fit`, among the optional columns named (all of them when none is).
    fn fit_chosen(inner_width: u16, names: &[String]) -> Columns {
        let on = |n: &str| names.is_empty() || names.iter().any(|c| c == n);
        // Mark, severity, status, age and the spacing between those five columns.
        let mut free = inner_width.saturating_sub(1 + 8 + 10 + 4 + 4).saturating_sub(TITLE_MIN);
        let resource = (on("resource") && free > RESOURCE_MIN_W).then(|| {
            let w = RESOURCE_W.min(free - 1);
            free -= w + 1;
            w
        });
        let resource = resource.unwrap_or(0);
        let mut take = |name: &str, w: u16| {
            let fits = on(name) && free > w;
            if fits {
                free -= w + 1;
            }
            fits
        };
        let account = take("account", ACCOUNT_W);
        let product = take("product", PRODUCT_W);
        let region = take("region", REGION_W);
        Columns { resource, account, region, product }
    }
}

/// How much wider than its own width an unsized resource column grows when the list has room
/// left over (a wide terminal): ARNs and ids are what gets cut first.
const RESOURCE_MAX_GROWTH: u16 = 40;

/// The columns a list `inner_width` wide shows, with their widths (the title's `None`: it takes
/// what is left). Without a chosen set, the optional columns that fit (`Columns::fit_chosen`).
/// With one, in its order; when they do not all fit beside a 30-column title, an unsized
/// resource narrows to 16 first, then the last chosen columns give way (never the title).
pub(super) fn fit_list(inner_width: u16, words: &[String]) -> Vec<(Column, Option<u16>)> {
    let Some(chosen) = columns::resolve(words) else {
        let cols = Columns::fit_chosen(inner_width, &[]);
        let mut out = vec![(Column::Severity, Some(8)), (Column::Status, Some(10)), (Column::Title, None)];
        let all = cols.resource > 0 && cols.account && cols.region && cols.product;
        if cols.resource > 0 {
            // Everything fits: the room left is shared by the title and the resource.
            let used = 1 + 8 + 10 + 4 + 4 + TITLE_MIN + cols.resource + 1 + 3 + ACCOUNT_W + REGION_W + PRODUCT_W;
            let grow = if all { (inner_width.saturating_sub(used) / 2).min(RESOURCE_MAX_GROWTH) } else { 0 };
            out.push((Column::Resource, Some(cols.resource + grow)));
        }
        for (on, c, w) in [
            (cols.account, Column::Account, ACCOUNT_W),
            (cols.region, Column::Region, REGION_W),
            (cols.product, Column::Product, PRODUCT_W),
        ] {
            if on {
                out.push((c, Some(w)));
            }
        }
        out.push((Column::Age, Some(4)));
        return out;
    };
    let has_title = chosen.iter().any(|c| c.column == Column::Title && c.width.is_none());
    // Without a flexible title, an unsized resource takes the rest.
    let resource_fills = !has_title && chosen.iter().any(|c| c.column == Column::Resource && c.width.is_none());
    let mut cols: Vec<(Column, Option<u16>)> = chosen
        .iter()
        .map(|c| match (c.column, c.width) {
            (Column::Title, None) => (Column::Title, None),
            (Column::Resource, None) if resource_fills => (Column::Resource, None),
            (col, w) => (col, Some(w.unwrap_or(col.default_width()))),
        })
        .collect();
    let need = |cols: &[(Column, Option<u16>)]| -> u16 {
        let fixed: u16 =
            cols.iter().map(|(c, w)| w.unwrap_or(if *c == Column::Title { TITLE_MIN } else { RESOURCE_MIN_W })).sum();
        // The mark column and the spaces between every two columns.
        1 + fixed + cols.len() as u16
    };
    let unsized_resource = chosen.iter().any(|c| c.column == Column::Resource && c.width.is_none());
    if need(&cols) > inner_width && unsized_resource && !resource_fills {
        if let Some(r) = cols.iter_mut().find(|(c, _)| *c == Column::Resource) {
            r.1 = Some(RESOURCE_MIN_W);
        }
    }
    while need(&cols) > inner_width && cols.len() > 1 {
        // Severity, status and age give way only once every other column has.
        let last =
            cols.iter().rposition(|(c, _)| !c.always()).or_else(|| cols.iter().rposition(|(c, _)| *c != Column::Title));
        let Some(last) = last else { break };
        cols.remove(last);
    }
    if has_title && unsized_resource && !resource_fills {
        let free = inner_width.saturating_sub(need(&cols));
        if let Some(r) = cols.iter_mut().find(|(c, _)| *c == Column::Resource) {
            if r.1 == Some(RESOURCE_W) {
                r.1 = Some(RESOURCE_W + (free / 2).min(RESOURCE_MAX_GROWTH));
            }
        }
    }
    cols
}

/// The columns of `words` a list drawn in `area` has no room for (the column chooser says so).
pub(super) fn left_out(s: &AppState, area: Rect, words: &[String]) -> Vec<Column> {
    let format_w = if s.rows.ocsf_rows > 0 { FORMAT_W + 1 } else { 0 };
    let fitted = fit_list(area.width.saturating_sub(2 + format_w), words);
    columns::resolve(words)
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.column)
        .filter(|c| !fitted.iter().any(|(f, _)| f == c))
        .collect()
}

/// Each shown column and each header and width, for a list drawn in `area`: what `render_list`
/// draws and what a click on the header line is matched against. `None` stands for the mark and
/// format columns.
fn layout_columns(s: &AppState, area: Rect) -> (Vec<Option<Column>>, Vec<&'static str>, Vec<Constraint>) {
    let formats = s.rows.ocsf_rows > 0;
    let format_w = if formats { FORMAT_W + 1 } else { 0 };
    let fitted = fit_list(area.width.saturating_sub(2 + format_w), &s.view.columns);
    let mut shown = vec![None];
    let mut header = vec![""];
    let mut widths = vec![Constraint::Length(1)];
    if formats {
        shown.push(None);
        header.push("V2");
        widths.push(Constraint::Length(FORMAT_W));
    }
    for (c, w) in fitted {
        shown.push(Some(c));
        header.push(c.header());
        widths.push(w.map_or(Constraint::Fill(1), Constraint::Length));
    }
    (shown, header, widths)
}

/// The sort column a header names.
fn header_sort(name: &str) -> Option<SortColumn> {
    Some(match name {
        "SEVERITY" => SortColumn::Severity,
        "STATUS" => SortColumn::Status,
        "TITLE" => SortColumn::Title,
        "RESOURCE" => SortColumn::Resource,
        "ACCOUNT" => SortColumn::Account,
        "REGION" => SortColumn::Region,
        "PRODUCT" => SortColumn::Product,
        "CONTROL" => SortColumn::Control,
        "AGE" => SortColumn::Updated,
        _ => return None,
    })
}

/// One row's cell in `column`.
fn cell<'a>(r: &'a Row, column: Column, now: OffsetDateTime) -> Cell<'a> {
    match column {
        Column::Severity => Cell::from(Span::styled(severity_cell(r), theme::severity(r.severity))),
        Column::Status => Cell::from(Span::styled(status_cell(r), theme::workflow(r.workflow))),
        Column::Title => Cell::from(r.title.as_str()),
        Column::Resource => Cell::from(resource(r)),
        Column::Account => Cell::from(r.account.as_str()),
        Column::Region => Cell::from(r.region.as_str()),
        Column::Product => Cell::from(r.product.as_str()),
        Column::Compliance => Cell::from(r.compliance.map_or("-", |c| c.as_str())),
        Column::Control => Cell::from(if r.control_id.as_str().is_empty() { "-" } else { r.control_id.as_str() }),
        Column::Generator => Cell::from(if r.generator.is_empty() { "-" } else { r.generator.as_str() }),
        Column::Type => Cell::from(if r.types.is_empty() { "-" } else { r.types.as_str() }),
        Column::Age => Cell::from(age(r, now)),
    }
}

/// What a mouse press at (`x`, `y`) on a list drawn in `area` means: a row (its place on the
/// page) or a column header (a sort). `None` outside the list's rows and header.
pub fn hit(s: &AppState, area: Rect, x: u16, y: u16) -> Option<crate::app::mouse::Hit> {
    use crate::app::mouse::Hit;
    let inner = Rect {
        x: area.x + 1,
        y: area.y + 1,
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    };
    if x < inner.x || x >= inner.x + inner.width || y < inner.y || y >= inner.y + inner.height {
        return None;
    }
    if y > inner.y {
        return Some(Hit::Row(usize::from(y - inner.y - 1)));
    }
    let (_, header, widths) = layout_columns(s, area);
    let cells = ratatui::layout::Layout::horizontal(widths).spacing(1).split(inner);
    let at = cells.iter().position(|c| x >= c.x && x < c.x + c.width)?;
    let column = header_sort(header.get(at)?)?;
    Some(Hit::Header(SortColumn::ALL.iter().position(|c| *c == column)?))
}

pub fn render_list(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    let focused = s.focus == Focus::List && s.mode == Mode::Split;
    let sort = format!(" sort: {}{} ", s.view.sort.column.name(), if s.view.sort.descending { "↓" } else { "↑" });
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border(focused))
        .title(Line::from(vec![Span::styled(" Findings ", theme::title()), Span::styled(sort, theme::dim())]));
    let formats = s.rows.ocsf_rows > 0;
    let (shown, header, widths) = layout_columns(s, area);

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
        // A remote's edit on the outbox's disk, not yet confirmed: "…" (a mark shows over it).
        let mark = if failed {
            Span::styled("!", theme::failed())
        } else if marked {
            Span::raw("●")
        } else if s.edits.queued.contains_key(&r.key) {
            Span::styled("…", theme::pending())
        } else {
            Span::raw(" ")
        };
        let mut cells = vec![Cell::from(mark)];
        if formats {
            cells.push(Cell::from(Span::styled(if r.ocsf.is_some() { "v2" } else { "" }, theme::dim())));
        }
        cells.extend(shown.iter().flatten().map(|&c| cell(r, c, s.now)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_from_updated_ns_and_zero_is_unknown() {
        let now = timestamp::parse("2026-03-10T12:00:00Z").unwrap();
        let at = |s: &str| Row { updated_ns: timestamp::to_nanos(timestamp::parse(s).unwrap()), ..Row::default() };
        assert_eq!(age(&at("2026-03-07T11:00:00Z"), now), "3d");
        assert_eq!(age(&at("2026-03-10T07:00:00.5Z"), now), "4h");
        assert_eq!(age(&at("2026-03-10T11:48:00Z"), now), "12m");
        assert_eq!(age(&at("2026-03-10T12:00:01Z"), now), "0m", "a time after now");
        assert_eq!(age(&Row::default(), now), "-", "no UpdatedAt");
    }

    #[test]
    fn optional_columns_give_way_to_the_title() {
        // 80 columns: only the resource fits beside a 30-column title.
        assert_eq!(Columns::fit(78), Columns { resource: 20, ..Columns::default() });
        // The list half of a 160-column split view (100 wide).
        assert_eq!(Columns::fit(98), Columns { resource: 24, account: true, ..Columns::default() });
        // Full width: everything.
        assert_eq!(Columns::fit(158), Columns { resource: 24, account: true, region: true, product: true });
        // The list half of a 120-column split view: a narrower resource, nothing else.
        assert_eq!(Columns::fit(74), Columns { resource: 16, ..Columns::default() });
        // Very narrow: nothing optional.
        assert_eq!(Columns::fit(50), Columns::default());
    }

    #[test]
    fn a_view_chooses_its_optional_columns() {
        let chosen = ["account".to_string(), "region".to_string()];
        assert_eq!(Columns::fit_chosen(78, &chosen), Columns { account: true, ..Columns::default() });
        assert_eq!(Columns::fit_chosen(158, &chosen), Columns { account: true, region: true, ..Columns::default() });
        // A view file of before every column could be chosen reads as it did.
        let names = |inner| fit_list(inner, &chosen).iter().map(|(c, _)| c.name()).collect::<Vec<_>>();
        assert_eq!(names(78), ["severity", "status", "title", "account", "age"]);
        assert_eq!(names(158), ["severity", "status", "title", "account", "region", "age"]);
    }

    fn words(text: &str) -> Vec<String> {
        columns::words(&columns::parse_list(text).unwrap())
    }

    #[test]
    fn chosen_columns_keep_their_order_and_widths_and_the_last_give_way() {
        let fitted = fit_list(158, &words("title,severity,resource,control,compliance:11"));
        assert_eq!(
            fitted,
            [
                (Column::Title, None),
                (Column::Severity, Some(8)),
                // 158 leaves 69 columns over (beside a 30-column title): the resource grows by half.
                (Column::Resource, Some(24 + 34)),
                (Column::Control, Some(10)),
                (Column::Compliance, Some(11)),
            ]
        );
        // 78: the resource narrows to 16, then compliance and control give way, last first.
        assert_eq!(
            fit_list(78, &words("title,severity,resource,control,compliance")),
            [
                (Column::Title, None),
                (Column::Severity, Some(8)),
                (Column::Resource, Some(16)),
                (Column::Control, Some(10))
            ]
        );
        // Severity goes only after every optional column: here the title alone fits.
        assert_eq!(fit_list(40, &words("severity,title,account")), [(Column::Title, None)]);
        // Without a title an unsized resource takes the rest of the width.
        assert_eq!(fit_list(98, &words("severity,resource")), [(Column::Severity, Some(8)), (Column::Resource, None)]);
        // The default at 220 columns (a 138-wide list): every optional column, and the room over
        // is shared by the resource and the title.
        let wide = fit_list(138, &[]);
        assert_eq!(wide.iter().find(|(c, _)| *c == Column::Resource), Some(&(Column::Resource, Some(24 + 7))));
        assert_eq!(wide.len(), 8);
    }
}
