//! The detail view of one finding: what the detail pane shows of a document, built once by the
//! model per format when the document arrives (not walked by the UI every frame). Every piece of
//! third-party text is sanitised here; the UI only lays the view out and styles it.
//!
//! What an analyst triages on differs by finding type, so the view has a section per kind of
//! substance, each built in its own module from the members the AWS Security Finding Format (ASFF)
//! reference defines: `compliance` (control findings), `vulns` (`Vulnerabilities`, Inspector-like),
//! `threat` (`Action` and `Network`, GuardDuty-like), `resources` (`Resources` and the `Details`
//! members that matter per type), and `console` (the finding's console link). A section whose members
//! are absent is left out; an absent member inside one is skipped, never shown as an error.

use serde_json::Value;

use super::change::render;
use super::enums::SeverityLabel;
use super::finding::{str_at, value_at, Summary};
use super::sanitize;

mod compliance;
mod console;
mod ocsf;
mod resources;
mod threat;
mod vulns;

/// How a line is shown: plain, dimmed (secondary facts, placeholders), or raised (a fact that
/// changes the triage: an exploit is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Dim,
    Alert,
}

/// One line of a section. `hang` is the column where the line's wrapped continuation starts (and
/// what the pane keeps in place when it wraps): the value column of a `label value` line, else the
/// line's own indentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailLine {
    pub text: String,
    pub tone: Tone,
    pub hang: usize,
}

/// The width of a label in a section's `label value` lines.
const LABEL: usize = 12;

fn indent_of(text: &str) -> usize {
    text.chars().take_while(|c| *c == ' ').count()
}

impl DetailLine {
    fn plain(text: String) -> DetailLine {
        DetailLine { hang: indent_of(&text), text, tone: Tone::Plain }
    }

    fn dim(text: impl Into<String>) -> DetailLine {
        let text = text.into();
        DetailLine { hang: indent_of(&text), text, tone: Tone::Dim }
    }

    /// `label value` at an indentation, the value in a column of its own (sanitised already).
    fn kv(indent: usize, label: &str, value: String) -> DetailLine {
        let text = format!("{:indent$}{label:<LABEL$} {value}", "");
        DetailLine { text, tone: Tone::Plain, hang: indent + LABEL.max(label.chars().count()) + 1 }
    }

    fn tone(mut self, tone: Tone) -> DetailLine {
        self.tone = tone;
        self
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
    /// The finding's console link (`SourceUrl`, or Security Hub's console search for its Id), as
    /// shown; `None` when neither can be made.
    pub console_url: Option<String>,
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

/// A scalar member as one sanitised line: a string as is, a number or boolean as JSON writes it;
/// `None` when absent, null, empty, or not a scalar (a provider's odd type is skipped, not shown
/// as JSON).
fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(clean(s)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The scalar at a path (see `scalar`).
fn at(v: &Value, path: &[&str]) -> Option<String> {
    scalar(value_at(v, path))
}

/// The array at a path, empty when absent or not an array.
fn list<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    value_at(v, path).and_then(Value::as_array).map_or(&[][..], Vec::as_slice)
}

/// The scalars of an array at a path, joined with ", "; `None` when there are none.
fn joined(v: &Value, path: &[&str]) -> Option<String> {
    let items: Vec<String> = list(v, path).iter().filter_map(|i| scalar(Some(i))).collect();
    (!items.is_empty()).then(|| items.join(", "))
}

/// `label value` pairs whose value is present, joined on one line (`region eu-west-1  partition aws`);
/// an empty label shows the value alone.
fn facts(pairs: &[(&str, Option<String>)]) -> Option<String> {
    let fact = |label: &str, v: &String| if label.is_empty() { v.clone() } else { format!("{label} {v}") };
    let present: Vec<String> = pairs.iter().filter_map(|(label, v)| v.as_ref().map(|v| fact(label, v))).collect();
    (!present.is_empty()).then(|| present.join("  "))
}

/// Multi-line provider text, each line indented.
fn paragraph_lines(s: &str, indent: usize) -> Vec<DetailLine> {
    sanitize::text(s).lines().map(|l| DetailLine::plain(format!("{:indent$}{l}", ""))).collect()
}

impl DetailView {
    /// The view of an ASFF document.
    pub fn of_asff(doc: &Value) -> DetailView {
        let sum = Summary::of(doc);
        let original = doc.get("Severity").and_then(|v| v.get("Original")).map_or("-".into(), |o| clean(&render(o)));
        let console_url = console::link(doc);
        let mut fields = vec![
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
        if let Some(url) = &console_url {
            fields.push(("Console", url.clone()));
        }

        let mut sections = Vec::new();
        sections.extend(compliance::section(doc));
        sections.extend(vulns::section(doc));
        sections.extend(threat::section(doc));
        sections.push(resources::section(doc));

        let rem_text = str_at(doc, &["Remediation", "Recommendation", "Text"]);
        let rem_url = str_at(doc, &["Remediation", "Recommendation", "Url"]);
        if !rem_text.is_empty() || !rem_url.is_empty() {
            let mut lines: Vec<DetailLine> = paragraph_lines(rem_text, 2);
            if !rem_url.is_empty() {
                lines.push(DetailLine::plain(format!("  {}", clean(rem_url))));
            }
            sections.push(DetailSection { heading: "Remediation", lines });
        }

        let note = if sum.note_text.is_empty() {
            vec![DetailLine::dim("  (none)")]
        } else {
            let mut lines: Vec<DetailLine> = paragraph_lines(&sum.note_text, 2);
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
            console_url,
        }
    }
}

#[cfg(test)]
mod tests;
