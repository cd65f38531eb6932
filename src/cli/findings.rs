//! `hubtriage findings`: a query's findings as a table, JSON or CSV. The table and the query
//! helpers are shared with the overview, `update` and `history`.

use std::io::Write;

use anyhow::{anyhow, Result};
use clap::ValueEnum;
use serde_json::Value;

use super::sort::{default_sort, parse_sort};
use super::{Global, Outcome};
use crate::export;
use crate::model::finding::Summary;
use crate::model::resource;
use crate::model::sanitize;
use crate::model::timestamp;
use crate::query;
use crate::store::{Access, SortCriterion, Store};

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
}

/// The query, or its error with a caret under the column. What in it likely matches nothing it was
/// meant to (a `*` that is not a trailing prefix) is warned of on stderr; the query still runs.
pub(super) fn parse_query(text: &str) -> Result<query::Query> {
    let q = query::parse(text).map_err(|e| {
        let caret = format!("{}^", " ".repeat(e.column.saturating_sub(1)));
        anyhow!("query error at {e}\n  {text}\n  {caret}")
    })?;
    for w in &q.warnings {
        eprintln!("warning: query {w}");
    }
    Ok(q)
}

/// The findings `access` may see that match `q` (the `--account` given, or every account).
pub(super) fn select(
    store: &Store,
    access: &Access,
    q: &query::Query,
    sort: &[SortCriterion],
    limit: Option<usize>,
) -> Result<Vec<Value>> {
    let words = |doc: &Value| q.matches_text(doc);
    let extra: Option<&dyn Fn(&Value) -> bool> = if q.text.is_empty() { None } else { Some(&words) };
    let found = store.find_all_as(access, &q.filters, sort, limit, extra)?;
    // A finding whose stored document cannot be read is left out, and said so.
    for row in store.take_unreadable() {
        eprintln!("warning: {row}");
    }
    Ok(found)
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
    let access = store.access(&g.caller())?;
    let found = select(&store, &access, &q, &sort, limit)?;
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Json => export::write_json(&found, &mut out)?,
        OutputFormat::Csv => export::write_csv(&found, &mut out)?,
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
