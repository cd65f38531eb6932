//! `hubtriage findings`: a query's findings as a table, JSON or CSV. The table and the query
//! helpers are shared with the overview, `update` and `history`.

use std::io::Write;

use anyhow::{anyhow, Result};
use clap::ValueEnum;
use serde_json::{json, Value};

use super::sort::{default_sort, parse_sort};
use super::{Global, Outcome};
use crate::model::finding::Summary;
use crate::model::resource;
use crate::model::sanitize;
use crate::model::timestamp;
use crate::query;
use crate::store::{SortCriterion, Store};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
}

pub(super) fn parse_query(text: &str) -> Result<query::Query> {
    query::parse(text).map_err(|e| {
        let caret = format!("{}^", " ".repeat(e.column.saturating_sub(1)));
        anyhow!("query error at {e}\n  {text}\n  {caret}")
    })
}

pub(super) fn select(
    store: &Store,
    q: &query::Query,
    sort: &[SortCriterion],
    limit: Option<usize>,
) -> Result<Vec<Value>> {
    let words = |doc: &Value| q.matches_text(doc);
    let extra: Option<&dyn Fn(&Value) -> bool> = if q.text.is_empty() { None } else { Some(&words) };
    Ok(store.find_all(&q.filters, sort, limit, extra)?)
}

pub(super) fn findings(
    g: &Global,
    text: &str,
    format: OutputFormat,
    limit: Option<usize>,
    sort: &[String],
) -> Result<Outcome> {
    let q = parse_query(text)?;
    let sort =
        if sort.is_empty() { default_sort() } else { sort.iter().map(|s| parse_sort(s)).collect::<Result<_>>()? };
    let store = g.open()?;
    let found = select(&store, &q, &sort, limit)?;
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => write_json(&found, &mut out)?,
        OutputFormat::Csv => write_csv(&found, &mut out)?,
        OutputFormat::Table => {
            print_table(&found, &mut out)?;
            writeln!(out, "{} finding{}", found.len(), if found.len() == 1 { "" } else { "s" })?;
        }
    }
    Ok(Outcome::Ok)
}

pub(super) fn cell(s: &str, width: usize) -> String {
    let clean = sanitize::line(s);
    let n = clean.chars().count();
    if n <= width {
        format!("{clean:<width$}")
    } else {
        let cut: String = clean.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The table's RESOURCE cell: the resource type and its id's last segment.
fn short_resource(s: &Summary) -> String {
    format!("{} {}", s.resource_type, resource::short_id(&s.resource_id))
}

pub(super) fn print_table(found: &[Value], out: &mut impl Write) -> Result<()> {
    let now = time::OffsetDateTime::now_utc();
    writeln!(
        out,
        "{:<13} {:<10} {:<12} {:<14} {:<12} {:<32} {:>4}  TITLE",
        "SEVERITY", "STATUS", "ACCOUNT", "REGION", "PRODUCT", "RESOURCE", "AGE"
    )?;
    for doc in found {
        let s = Summary::of(doc);
        writeln!(
            out,
            "{} {} {} {} {} {} {:>4}  {}",
            cell(s.severity_label.map_or("-", |l| l.as_str()), 13),
            cell(s.workflow_status.map_or("-", |w| w.as_str()), 10),
            cell(&s.aws_account_id, 12),
            cell(&s.region, 14),
            cell(&s.product_name, 12),
            cell(&short_resource(&s), 32),
            timestamp::age(timestamp::parse(&s.updated_at), now),
            sanitize::line(&s.title)
        )?;
    }
    Ok(())
}

fn write_json(found: &[Value], out: &mut impl Write) -> Result<()> {
    sanitize::json::to_writer_pretty(&mut *out, &json!({"Findings": found}))?;
    writeln!(out)?;
    Ok(())
}

fn write_csv(found: &[Value], out: &mut impl Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "Id",
        "ProductArn",
        "SeverityLabel",
        "WorkflowStatus",
        "RecordState",
        "AwsAccountId",
        "Region",
        "ProductName",
        "ResourceType",
        "ResourceId",
        "ComplianceStatus",
        "SecurityControlId",
        "Title",
        "UpdatedAt",
    ])?;
    for doc in found {
        let s = Summary::of(doc);
        // Provider text, shown as the table shows it: a CSV piped to a terminal (or opened by a
        // pager) must not let a title's escape sequences act. Newlines in a value become spaces,
        // so each finding stays one line.
        let cells = [
            s.id.as_str(),
            &s.product_arn,
            s.severity_label.map_or("", |l| l.as_str()),
            s.workflow_status.map_or("", |l| l.as_str()),
            s.record_state.map_or("", |l| l.as_str()),
            &s.aws_account_id,
            &s.region,
            &s.product_name,
            &s.resource_type,
            &s.resource_id,
            s.compliance_status.map_or("", |l| l.as_str()),
            &s.control_id,
            &s.title,
            &s.updated_at,
        ];
        w.write_record(cells.map(sanitize::line).iter().map(|c| c.as_ref()))?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character a terminal acts on: C0 controls, DEL, C1 controls.
    fn is_terminal_control(c: char) -> bool {
        c.is_control()
    }

    // Provider text reaches the CSV as it does the table: OSC 52 (clipboard), a window title, a
    // screen clear, BEL, BS, CR and C1 CSI/OSC are made visible and inert, the value still readable.
    #[test]
    fn csv_cells_cannot_drive_the_terminal() {
        let hostile = json!({
            "Id": "id-1\u{1b}]52;c;cHduZWQ=\u{7}",
            "ProductArn": "arn:aws:securityhub:us-east-1::product/aws/guardduty",
            "Title": "Open port\u{1b}]0;pwned\u{7}\u{1b}[2J\u{8}\u{8}\r\u{9b}31m\u{9d}2;x\u{9c}\nnext\tcol",
            "Resources": [{"Type": "AwsEc2Instance\u{7f}", "Id": "i-0abc\u{1b}[H"}],
            "UpdatedAt": "2024-01-01T00:00:00Z",
        });
        let mut out = Vec::new();
        write_csv(&[hostile], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let records: Vec<&str> = text.strip_suffix('\n').unwrap().split('\n').collect();
        assert_eq!(records.len(), 2, "one header and one record, no newline inside a cell: {text:?}");
        for r in &records {
            assert!(!r.chars().any(is_terminal_control), "{r:?}");
        }
        let row = records[1];
        assert!(row.starts_with("id-1␛]52;c;cHduZWQ=␇,"), "{row}");
        assert!(row.contains("Open port␛]0;pwned␇␛[2J␈␈ \u{fffd}31m\u{fffd}2;x\u{fffd} next col"), "{row}");
        assert!(row.contains("AwsEc2Instance␡,i-0abc␛[H,"), "{row}");
    }

    // JSON escapes C0 controls itself; C1 controls (CSI, OSC), DEL and the bidi overrides and
    // isolates that reorder what the analyst reads are written as \u escapes too: the same value
    // when parsed, nothing raw for a terminal to act on.
    #[test]
    fn json_output_escapes_c1_del_and_bidi_and_parses_back_the_same() {
        let hostile = json!({
            "Id": "id\u{9b}2J\u{7f}",
            "Title": "abc\u{202e}fdp.exe\u{2066}x\u{2069}\u{202a}\u{202b}\u{202c}\u{202d}\u{2067}\u{2068}",
            "ProductFields": {"k\u{9d}0;t\u{9c}": "\u{85}\u{80}\u{9f}\u{1b}[31m ok … ✓ é"},
        });
        let mut out = Vec::new();
        write_json(std::slice::from_ref(&hostile), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let bad =
            |c: char| c.is_control() && c != '\n' || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(!text.chars().any(bad), "{text:?}");
        assert!(text.contains(r"abc\u202efdp.exe\u2066x"), "{text}");
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, json!({"Findings": [hostile]}));
    }
}
