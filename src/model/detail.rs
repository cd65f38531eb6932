//! The detail view of one finding: what the detail pane shows of a document, built once by the
//! model per format when the document arrives (not walked by the UI every frame). Every piece of
//! third-party text is sanitised here; the UI only lays the view out and styles it.

use serde_json::Value;

use super::change::render;
use super::enums::SeverityLabel;
use super::finding::{str_at, Summary};
use super::sanitize;

/// How a line is shown: plain, or dimmed (secondary facts, placeholders).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Dim,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailLine {
    pub text: String,
    pub tone: Tone,
}

impl DetailLine {
    fn plain(text: String) -> DetailLine {
        DetailLine { text, tone: Tone::Plain }
    }

    fn dim(text: impl Into<String>) -> DetailLine {
        DetailLine { text: text.into(), tone: Tone::Dim }
    }
}

/// A headed group of lines (resources, remediation, note, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailSection {
    pub heading: &'static str,
    pub lines: Vec<DetailLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DetailView {
    pub title: String,
    pub severity: Option<SeverityLabel>,
    pub description: Vec<String>,
    /// Label and value, in the order shown.
    pub fields: Vec<(&'static str, String)>,
    pub sections: Vec<DetailSection>,
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

fn dash_or<T: ToString>(v: Option<T>) -> String {
    v.map_or("-".into(), |n| n.to_string())
}

impl DetailView {
    /// The view of an ASFF document.
    pub fn of_asff(doc: &Value) -> DetailView {
        let sum = Summary::of(doc);
        let original = doc.get("Severity").and_then(|v| v.get("Original")).map_or("-".into(), |o| clean(&render(o)));
        let fields = vec![
            (
                "Severity",
                format!(
                    "{}  normalized {}  original {original}",
                    sum.severity_label.map_or("-", |l| l.as_str()),
                    dash_or(sum.severity_normalized)
                ),
            ),
            ("Workflow", sum.workflow_status.map_or("-", |w| w.as_str()).to_string()),
            ("Record state", sum.record_state.map_or("-", |w| w.as_str()).to_string()),
            ("Verification", sum.verification_state.map_or("-", |w| w.as_str()).to_string()),
            ("Confidence", format!("{}  criticality {}", dash_or(sum.confidence), dash_or(sum.criticality))),
            ("Types", if sum.types.is_empty() { "-".into() } else { clean(&sum.types.join(", ")) }),
            ("Product", format!("{} ({})", or_dash(&sum.product_name), or_dash(&sum.company_name))),
            ("Generator", or_dash(&sum.generator_id)),
            ("Account", format!("{}  {}", or_dash(&sum.aws_account_id), clean(&sum.aws_account_name))),
            ("Region", or_dash(&sum.region)),
            (
                "Compliance",
                format!("{}  control {}", sum.compliance_status.map_or("-", |c| c.as_str()), or_dash(&sum.control_id)),
            ),
            ("Id", clean(&sum.id)),
            ("Created", or_dash(&sum.created_at)),
            ("Updated", or_dash(&sum.updated_at)),
            ("First seen", or_dash(&sum.first_observed_at)),
            ("Last seen", or_dash(&sum.last_observed_at)),
        ];

        let mut sections = Vec::new();
        let mut resources = Vec::new();
        for r in doc.get("Resources").and_then(Value::as_array).map_or(&[][..], Vec::as_slice) {
            resources.push(DetailLine::plain(format!(
                "  {}  {}",
                or_dash(str_at(r, &["Type"])),
                or_dash(str_at(r, &["Id"]))
            )));
            resources.push(DetailLine::dim(format!(
                "    region {}  partition {}",
                or_dash(str_at(r, &["Region"])),
                or_dash(str_at(r, &["Partition"]))
            )));
            if let Some(tags) = r.get("Tags").and_then(Value::as_object).filter(|t| !t.is_empty()) {
                let t: Vec<String> = tags.iter().map(|(k, v)| format!("{}={}", clean(k), clean(&render(v)))).collect();
                resources.push(DetailLine::dim(format!("    tags {}", t.join(", "))));
            }
        }
        sections.push(DetailSection { heading: "Resources", lines: resources });

        let rem_text = str_at(doc, &["Remediation", "Recommendation", "Text"]);
        let rem_url = str_at(doc, &["Remediation", "Recommendation", "Url"]);
        if !rem_text.is_empty() || !rem_url.is_empty() {
            let mut lines: Vec<DetailLine> =
                sanitize::text(rem_text).lines().map(|l| DetailLine::plain(format!("  {l}"))).collect();
            if !rem_url.is_empty() {
                lines.push(DetailLine::plain(format!("  {}", clean(rem_url))));
            }
            sections.push(DetailSection { heading: "Remediation", lines });
        }

        let note = if sum.note_text.is_empty() {
            vec![DetailLine::dim("  (none)")]
        } else {
            let mut lines: Vec<DetailLine> =
                sanitize::text(&sum.note_text).lines().map(|l| DetailLine::plain(format!("  {l}"))).collect();
            lines.push(DetailLine::dim(format!(
                "  by {} at {}",
                or_dash(&sum.note_updated_by),
                or_dash(&sum.note_updated_at)
            )));
            lines
        };
        sections.push(DetailSection { heading: "Note", lines: note });

        if let Some(udf) = doc.get("UserDefinedFields").and_then(Value::as_object).filter(|m| !m.is_empty()) {
            let lines = udf.iter().map(|(k, v)| DetailLine::plain(format!("  {} = {}", clean(k), clean(&render(v)))));
            sections.push(DetailSection { heading: "User-defined fields", lines: lines.collect() });
        }
        if let Some(rel) = doc.get("RelatedFindings").and_then(Value::as_array).filter(|a| !a.is_empty()) {
            let lines = rel.iter().map(|r| DetailLine::plain(format!("  {}", or_dash(str_at(r, &["Id"])))));
            sections.push(DetailSection { heading: "Related findings", lines: lines.collect() });
        }

        DetailView {
            title: clean(&sum.title),
            severity: sum.severity_label,
            description: sanitize::text(str_at(doc, &["Description"])).lines().map(str::to_string).collect(),
            fields,
            sections,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_view_holds_sanitised_text_in_the_panes_order() {
        let doc = json!({
            "Id": "f-1\u{1b}[31m", "Title": "Open \u{1b}]52;c;x\u{7}port", "Description": "line one\nline two",
            "Severity": {"Label": "HIGH", "Normalized": 70},
            "Resources": [{"Type": "AwsEc2Instance", "Id": "i-1", "Tags": {"env": "prod"}}],
            "Note": {"Text": "seen", "UpdatedBy": "alice", "UpdatedAt": "2026-11-01T00:00:00Z"},
        });
        let v = DetailView::of_asff(&doc);
        assert!(!v.title.contains('\u{1b}') && v.title.starts_with("Open"), "{}", v.title);
        assert_eq!(v.severity, Some(SeverityLabel::High));
        assert_eq!(v.description, vec!["line one", "line two"]);
        assert_eq!(v.fields[0], ("Severity", "HIGH  normalized 70  original -".to_string()));
        let id = v.fields.iter().find(|f| f.0 == "Id").unwrap();
        assert!(!id.1.contains('\u{1b}'), "{}", id.1);
        let headings: Vec<_> = v.sections.iter().map(|s| s.heading).collect();
        assert_eq!(headings, vec!["Resources", "Note"]);
        assert_eq!(v.sections[0].lines[2], DetailLine::dim("    tags env=prod"));
        assert_eq!(v.sections[1].lines.last().unwrap().tone, Tone::Dim);
    }

    #[test]
    fn an_empty_document_shows_placeholders() {
        let v = DetailView::of_asff(&json!({}));
        assert_eq!(v.fields.len(), 16);
        assert_eq!(v.fields.iter().find(|f| f.0 == "Region").unwrap().1, "-");
        assert_eq!(v.sections[1].lines, vec![DetailLine::dim("  (none)")]);
    }
}
