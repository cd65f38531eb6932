//! The detail view of an OCSF (Security Hub V2) finding: the members the OCSF finding classes put
//! where the ASFF puts its own (title, description, class, severity, status, account, region,
//! product, resources, compliance, vulnerabilities, remediation, times, comment), in the sections
//! the ASFF view has, so the pane reads alike for both formats. Every text is sanitised here.

use serde_json::Value;

use super::{at, dash_or, facts, list, or_dash, paragraph_lines, DetailLine, DetailSection, DetailView, Tone};
use crate::model::finding::str_at;
use crate::model::ocsf::{time_of, Ocsf, OcsfResource};
use crate::model::{sanitize, timestamp};

/// `Caption (id)`, or `-` when neither is there.
fn caption_id(caption: Option<&str>, id: Option<i64>) -> String {
    match (caption.filter(|c| !c.is_empty()), id) {
        (Some(c), Some(id)) => format!("{} ({id})", super::clean(c)),
        (Some(c), None) => super::clean(c),
        (None, Some(id)) => format!("({id})"),
        (None, None) => "-".into(),
    }
}

fn time(doc: &Value, at: &[&str], name: &str) -> String {
    time_of(doc, at, name).map_or("-".into(), timestamp::format)
}

fn resource_lines(r: &OcsfResource) -> Vec<DetailLine> {
    let id = if r.uid.is_empty() { &r.uid_alt } else { &r.uid };
    let mut lines = vec![DetailLine::plain(format!("  {}  {}", or_dash(&r.r#type), or_dash(id)))];
    let alt = (!r.uid.is_empty() && !r.uid_alt.is_empty()).then(|| super::clean(&r.uid_alt));
    let name = (!r.name.is_empty()).then(|| super::clean(&r.name));
    let region = (!r.region.is_empty()).then(|| super::clean(&r.region));
    if let Some(f) = facts(&[("name", name), ("region", region), ("arn", alt)]) {
        lines.push(DetailLine::dim(format!("    {f}")));
    }
    lines
}

impl DetailView {
    /// The view of an OCSF document.
    pub fn of_ocsf(doc: &Value) -> DetailView {
        let f = Ocsf(doc);
        let int = |k: &str| doc.get(k).and_then(crate::model::finding::int_of);
        let severity_id = f.severity_id();
        let class = caption_id(doc.get("class_name").and_then(Value::as_str), f.class_uid());
        let activity = caption_id(doc.get("activity_name").and_then(Value::as_str), int("activity_id"));
        let types = f.types();
        let mut fields = vec![
            ("Format", "OCSF (Security Hub V2)".to_string()),
            ("Class", class),
            ("Severity", caption_id(Some(f.severity()), int("severity_id"))),
            ("Status", caption_id(Some(f.status()), int("status_id"))),
            ("Activity", activity),
            ("Confidence", dash_or(at(doc, &["confidence_score"]))),
            ("Types", if types.is_empty() { "-".into() } else { super::clean(&types.join(", ")) }),
            (
                "Product",
                format!(
                    "{} ({})",
                    or_dash(f.product_name()),
                    or_dash(str_at(doc, &["metadata", "product", "vendor_name"]))
                ),
            ),
            ("Account", format!("{}  {}", or_dash(f.account()), super::clean(f.account_name()))),
            ("Region", or_dash(f.region())),
            ("Uid", or_dash(f.metadata_uid())),
            ("Finding uid", or_dash(f.finding_uid())),
            ("Created", time(doc, &["finding_info"], "created_time")),
            ("Modified", time(doc, &["finding_info"], "modified_time")),
            ("First seen", time(doc, &["finding_info"], "first_seen_time")),
            ("Last seen", time(doc, &["finding_info"], "last_seen_time")),
            ("Event time", time(doc, &[], "time")),
        ];
        let console_url = at(doc, &["finding_info", "src_url"]);
        if let Some(url) = &console_url {
            fields.push(("Console", url.clone()));
        }

        let mut sections = Vec::new();
        if let Some(c) = f.compliance() {
            let mut lines = vec![DetailLine::kv(2, "Control", or_dash(&c.control))];
            let status = caption_id(Some(&c.status), c.status_id.map(|s| s.id()));
            let tone = if c.status_id.is_some_and(|s| s == crate::model::ocsf::ComplianceStatusId::Fail) {
                Tone::Alert
            } else {
                Tone::Plain
            };
            lines.push(DetailLine::kv(2, "Status", status).tone(tone));
            for s in &c.standards {
                lines.push(DetailLine::kv(2, "Standard", super::clean(s)));
            }
            sections.push(DetailSection { heading: "Compliance", lines });
        }
        let vulns = f.vulnerabilities();
        if !vulns.is_empty() {
            let mut lines = Vec::new();
            for v in &vulns {
                let score = v.cvss_score.map(|s| format!("CVSS {s:.1}"));
                let fix = v.fix_available.map(|b| if b { "fix available".to_string() } else { "no fix".to_string() });
                let exploit = v.exploit_available.filter(|b| *b).map(|_| "exploit known".to_string());
                let head = facts(&[("", Some(or_dash(&v.cve))), ("", score), ("", fix), ("", exploit.clone())]);
                let line = DetailLine::plain(format!("  {}", head.unwrap_or_default()));
                lines.push(if exploit.is_some() { line.tone(Tone::Alert) } else { line });
                for (name, version, fixed) in &v.packages {
                    let fixed = if fixed.is_empty() { String::new() } else { format!(" -> {}", super::clean(fixed)) };
                    lines.push(DetailLine::dim(format!("    {} {}{fixed}", or_dash(name), super::clean(version))));
                }
            }
            sections.push(DetailSection { heading: "Vulnerabilities", lines });
        }
        let resources = f.resources();
        let lines = if resources.is_empty() {
            vec![DetailLine::dim("  (none)")]
        } else {
            resources.iter().flat_map(resource_lines).collect()
        };
        sections.push(DetailSection { heading: "Resources", lines });

        let rem = str_at(doc, &["remediation", "desc"]);
        let refs: Vec<&str> = list(doc, &["remediation", "references"]).iter().filter_map(Value::as_str).collect();
        if !rem.is_empty() || !refs.is_empty() {
            let mut lines = paragraph_lines(rem, 2);
            lines.extend(refs.iter().map(|r| DetailLine::plain(format!("  {}", super::clean(r)))));
            sections.push(DetailSection { heading: "Remediation", lines });
        }
        let comment =
            if f.comment().is_empty() { vec![DetailLine::dim("  (none)")] } else { paragraph_lines(f.comment(), 2) };
        sections.push(DetailSection { heading: "Comment", lines: comment });

        DetailView {
            title: super::clean(f.title()),
            severity: severity_id.and_then(crate::model::ocsf::SeverityId::to_label),
            description: sanitize::text(f.desc()).lines().map(str::to_string).collect(),
            fields,
            sections,
            console_url,
        }
    }

    /// The view of a document in either format (`Format::of`; an unknown one reads as ASFF).
    pub fn of(doc: &Value) -> DetailView {
        match crate::model::finding::Format::of(doc) {
            Some(crate::model::finding::Format::Ocsf) => DetailView::of_ocsf(doc),
            _ => DetailView::of_asff(doc),
        }
    }
}
