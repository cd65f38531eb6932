//! The detail pane: the cursor finding in full (every field an analyst triages on, its resources,
//! note, history), or its raw JSON. Every piece of third-party text is sanitised here, since the
//! document is shown as stored.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use serde_json::Value;

use super::theme;
use crate::app::state::{AppState, Focus, Mode};
use crate::model::finding::{str_at, Summary};
use crate::model::sanitize;

fn field<'a>(name: &'a str, value: impl Into<String>) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{name:<14}"), theme::label()), Span::raw(value.into())])
}

fn clean(s: &str) -> String {
    sanitize::line(s).into_owned()
}

fn or_dash(s: &str) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        clean(s)
    }
}

fn heading(s: &str) -> Line<'_> {
    Line::styled(s, theme::title())
}

/// The lines of the finding view (not the raw JSON).
pub fn finding_lines<'a>(s: &'a AppState, doc: &'a Value) -> Vec<Line<'a>> {
    let sum = Summary::of(doc);
    let mut out = vec![Line::styled(clean(&sum.title), theme::severity(sum.severity_label))];
    for l in sanitize::text(str_at(doc, &["Description"])).lines() {
        out.push(Line::raw(l.to_string()));
    }
    out.push(Line::raw(""));
    let sev = doc.get("Severity");
    out.push(field(
        "Severity",
        format!(
            "{}  normalized {}  original {}",
            sum.severity_label.map_or("-", |l| l.as_str()),
            sum.severity_normalized.map_or("-".into(), |n| n.to_string()),
            sev.and_then(|v| v.get("Original")).map_or("-".into(), |o| clean(&crate::model::change::render(o)))
        ),
    ));
    out.push(field("Workflow", sum.workflow_status.map_or("-", |w| w.as_str())));
    out.push(field("Record state", sum.record_state.map_or("-", |w| w.as_str())));
    out.push(field("Verification", sum.verification_state.map_or("-", |w| w.as_str())));
    out.push(field(
        "Confidence",
        format!(
            "{}  criticality {}",
            sum.confidence.map_or("-".into(), |n| n.to_string()),
            sum.criticality.map_or("-".into(), |n| n.to_string())
        ),
    ));
    out.push(field("Types", if sum.types.is_empty() { "-".into() } else { clean(&sum.types.join(", ")) }));
    out.push(field("Product", format!("{} ({})", or_dash(&sum.product_name), or_dash(&sum.company_name))));
    out.push(field("Generator", or_dash(&sum.generator_id)));
    out.push(field("Account", format!("{}  {}", or_dash(&sum.aws_account_id), clean(&sum.aws_account_name))));
    out.push(field("Region", or_dash(&sum.region)));
    out.push(field(
        "Compliance",
        format!("{}  control {}", sum.compliance_status.map_or("-", |c| c.as_str()), or_dash(&sum.control_id)),
    ));
    out.push(field("Id", clean(&sum.id)));
    out.push(field("Created", or_dash(&sum.created_at)));
    out.push(field("Updated", or_dash(&sum.updated_at)));
    out.push(field("First seen", or_dash(&sum.first_observed_at)));
    out.push(field("Last seen", or_dash(&sum.last_observed_at)));

    let resources = doc.get("Resources").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    out.push(Line::raw(""));
    out.push(heading("Resources"));
    for r in resources {
        out.push(Line::raw(format!("  {}  {}", or_dash(str_at(r, &["Type"])), or_dash(str_at(r, &["Id"])))));
        out.push(Line::styled(
            format!("    region {}  partition {}", or_dash(str_at(r, &["Region"])), or_dash(str_at(r, &["Partition"]))),
            theme::dim(),
        ));
        if let Some(tags) = r.get("Tags").and_then(Value::as_object).filter(|t| !t.is_empty()) {
            let t: Vec<String> =
                tags.iter().map(|(k, v)| format!("{}={}", clean(k), clean(&crate::model::change::render(v)))).collect();
            out.push(Line::styled(format!("    tags {}", t.join(", ")), theme::dim()));
        }
    }

    let rem_text = str_at(doc, &["Remediation", "Recommendation", "Text"]);
    let rem_url = str_at(doc, &["Remediation", "Recommendation", "Url"]);
    if !rem_text.is_empty() || !rem_url.is_empty() {
        out.push(Line::raw(""));
        out.push(heading("Remediation"));
        for l in sanitize::text(rem_text).lines() {
            out.push(Line::raw(format!("  {l}")));
        }
        if !rem_url.is_empty() {
            out.push(Line::raw(format!("  {}", clean(rem_url))));
        }
    }

    out.push(Line::raw(""));
    out.push(heading("Note"));
    if sum.note_text.is_empty() {
        out.push(Line::styled("  (none)", theme::dim()));
    } else {
        for l in sanitize::text(&sum.note_text).lines() {
            out.push(Line::raw(format!("  {l}")));
        }
        out.push(Line::styled(
            format!("  by {} at {}", or_dash(&sum.note_updated_by), or_dash(&sum.note_updated_at)),
            theme::dim(),
        ));
    }
    if let Some(udf) = doc.get("UserDefinedFields").and_then(Value::as_object).filter(|m| !m.is_empty()) {
        out.push(Line::raw(""));
        out.push(heading("User-defined fields"));
        for (k, v) in udf {
            out.push(Line::raw(format!("  {} = {}", clean(k), clean(&crate::model::change::render(v)))));
        }
    }
    if let Some(rel) = doc.get("RelatedFindings").and_then(Value::as_array).filter(|a| !a.is_empty()) {
        out.push(Line::raw(""));
        out.push(heading("Related findings"));
        for r in rel {
            out.push(Line::raw(format!("  {}", or_dash(str_at(r, &["Id"])))));
        }
    }
    if let Some(f) = s.detail.key.as_ref().and_then(|k| s.edits.failed.get(k)) {
        out.push(Line::raw(""));
        out.push(Line::styled(format!("Last edit not applied: {}", clean(&f.reason)), theme::failed()));
    }

    out.push(Line::raw(""));
    out.push(heading("History"));
    if s.detail.history.is_empty() {
        out.push(Line::styled("  (none)", theme::dim()));
    }
    for h in &s.detail.history {
        let who = match &h.service_reason {
            Some(reason) => format!("reopened by Security Hub ({})", clean(reason)),
            None => format!("by {}", clean(&h.who)),
        };
        let created = if h.created { "  created" } else { "" };
        out.push(Line::from(vec![
            Span::styled(format!("  {} ", clean(&h.time)), theme::dim()),
            Span::raw(format!("{who}{created}")),
        ]));
        for c in &h.changes {
            let show = |v: &Option<String>| v.as_deref().map_or("(none)".to_string(), clean);
            out.push(Line::raw(format!("    {}: {} → {}", clean(&c.field), show(&c.old), show(&c.new))));
        }
    }
    out
}

pub fn render_detail(frame: &mut Frame<'_>, area: Rect, s: &AppState) {
    frame.render_widget(paragraph(s).scroll((s.detail.scroll, 0)), area);
}

/// The pane's block and text, wrapped to its width (unscrolled).
pub(super) fn paragraph(s: &AppState) -> Paragraph<'_> {
    let focused = s.focus == Focus::Detail || s.mode == Mode::DetailFull;
    let title = if s.detail.raw { " Detail · raw JSON " } else { " Detail " };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::focused_border(focused))
        .title(Span::styled(title, theme::title()));
    let lines: Vec<Line<'_>> = match (&s.detail.doc, &s.detail.error) {
        (_, Some(e)) => vec![Line::styled(clean(e), theme::error())],
        (Some(doc), None) if s.detail.raw => {
            serde_json::to_string_pretty(doc).unwrap_or_default().lines().map(|l| Line::raw(clean(l))).collect()
        }
        (Some(doc), None) => finding_lines(s, doc),
        (None, None) if s.detail.loading => vec![Line::styled("Loading…", theme::dim())],
        (None, None) => vec![Line::styled("No finding selected.", theme::dim())],
    };
    Paragraph::new(lines).block(block).wrap(Wrap { trim: false })
}
