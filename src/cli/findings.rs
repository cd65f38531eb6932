//! `hubtriage findings`: a query's findings as a table, JSON or CSV. The table and the query
//! helpers are shared with the overview, `update` and `history`.

use std::io::Write;

use anyhow::{anyhow, Result};
use clap::ValueEnum;
use serde_json::Value;

use super::sort::{default_sort, parse_sort};
use super::{Global, Outcome};
use crate::export::{self, ExportFormat, FindingsWriter};
use crate::model::finding::Format;
use crate::model::sanitize;
use crate::model::summary::FindingSummary;
use crate::model::timestamp;
use crate::model::words::thousands;
use crate::query;
use crate::remote::endpoint::Api;
use crate::store::{Access, SortCriterion, Store, StoreError};

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

/// Hands each finding `access` may see that matches `q` (the `--account` given, or every account)
/// to `sink` in order, `render`ed (on either core) as the store reads it: one pass over the store,
/// a few findings in memory at a time. Returns how many there were.
// The listing's inputs, each read once: a struct of them would only rename them.
#[allow(clippy::too_many_arguments)]
pub(super) fn stream<R: Send>(
    store: &Store,
    access: &Access,
    q: &query::Query,
    sort: &[SortCriterion],
    limit: Option<usize>,
    render: &(dyn Fn(Value) -> R + Sync),
    sink: &mut dyn FnMut(R) -> crate::store::Result<()>,
    api: Api,
) -> Result<usize> {
    let words = |doc: &Value| q.matches_text(doc);
    let keep: Option<&(dyn Fn(&Value) -> bool + Sync)> = if q.text.is_empty() { None } else { Some(&words) };
    let mut n = 0;
    if api.v1() {
        n = store.for_each_rendered(access, &q.filters, &q.text, sort, limit, keep, render, &mut |r| {
            sink(r).map(|()| true)
        })?;
        // A finding whose stored document cannot be read is left out, and said so.
        for row in store.take_unreadable() {
            eprintln!("warning: {row}");
        }
    }
    // OCSF (Security Hub V2) findings follow, matched on their ASFF reading (`asff_view`), most
    // severe and most recently updated first: the sort criteria name ASFF fields.
    let room = limit.map_or(usize::MAX, |l| l.saturating_sub(n));
    if room > 0 && api.v2() {
        let keep_ocsf: Option<&dyn Fn(&Value) -> bool> = if q.text.is_empty() { None } else { Some(&words) };
        // With the ASFF findings not listed (a remote read with `--api v2`), a finding stored in
        // both forms is listed as its OCSF form.
        let mut docs = store.matching_ocsf_docs_as(access, &q.filters, keep_ocsf, api.v1())?;
        let key = |d: &Value| {
            let s = FindingSummary::from_ocsf(d);
            (
                std::cmp::Reverse(s.ocsf.and_then(|o| o.severity_id).map_or(0, |id| id.rank())),
                std::cmp::Reverse(s.updated_ns),
            )
        };
        docs.sort_by_cached_key(key);
        for doc in docs.into_iter().take(room) {
            sink(render(doc))?;
            n += 1;
        }
    }
    Ok(n)
}

pub(super) fn findings(
    g: &Global,
    text: &str,
    format: OutputFormat,
    limit: Option<usize>,
    sort: &[String],
) -> Result<Outcome> {
    findings_of(g, text, format, limit, sort, Api::Both)
}

/// `findings` of the formats `api` reads (a remote's cache read with `--api v1` or `v2`).
pub(super) fn findings_of(
    g: &Global,
    text: &str,
    format: OutputFormat,
    limit: Option<usize>,
    sort: &[String],
    api: Api,
) -> Result<Outcome> {
    let q = parse_query(text)?;
    let sort =
        if sort.is_empty() { default_sort() } else { sort.iter().map(|s| parse_sort(s)).collect::<Result<_>>()? };
    let store = g.open()?;
    let access = store.access(&g.caller())?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    // Written as read: the first findings reach the pipe before the last are read. A failed write
    // stops the scan; its io::Error is kept to tell a reader that went away from a real failure.
    let mut failed: Option<std::io::Error> = None;
    let mut keep = |e: std::io::Error| {
        let message = e.to_string();
        failed = Some(e);
        StoreError::Io(message)
    };
    let written = match format {
        OutputFormat::Json | OutputFormat::Csv => {
            let format = if format == OutputFormat::Json { ExportFormat::Json } else { ExportFormat::Csv };
            let mut w = FindingsWriter::new(format, out)?;
            let render = |doc: Value| export::render(format, &doc);
            stream(
                &store,
                &access,
                &q,
                &sort,
                limit,
                &render,
                &mut |r| r.and_then(|r| w.write_rendered(r)).map_err(&mut keep),
                api,
            )
            .and_then(|_| Ok(w.finish()?))
        }
        OutputFormat::Table => {
            let now = time::OffsetDateTime::now_utc();
            writeln!(out, "{}", table_header())?;
            let render = |doc: Value| table_row(&doc, now);
            stream(
                &store,
                &access,
                &q,
                &sort,
                limit,
                &render,
                &mut |row| writeln!(out, "{row}").map_err(&mut keep),
                api,
            )
            .and_then(|n| {
                writeln!(out, "{} finding{}", thousands(n), if n == 1 { "" } else { "s" })?;
                Ok(out.flush()?)
            })
        }
    };
    let broken_pipe = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe;
    match (written, failed) {
        // A reader that stopped early (`| head`) is not a failure of the listing.
        (Err(_), Some(e)) if broken_pipe(&e) => Ok(Outcome::Ok),
        (Err(_), Some(e)) => Err(e.into()),
        (Err(e), None) if e.downcast_ref::<std::io::Error>().is_some_and(broken_pipe) => Ok(Outcome::Ok),
        (Err(e), None) => Err(e),
        (Ok(()), _) => Ok(Outcome::Ok),
    }
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

pub(super) fn print_table(found: &[Value], out: &mut impl Write) -> Result<()> {
    let now = time::OffsetDateTime::now_utc();
    writeln!(out, "{}", table_header())?;
    for doc in found {
        writeln!(out, "{}", table_row(doc, now))?;
    }
    Ok(())
}

/// The findings table's header line.
fn table_header() -> String {
    format!(
        "{:<13} {:<10} {:<12} {:<14} {:<12} {:<32} {:>4} {:<4}  TITLE",
        "SEVERITY", "STATUS", "ACCOUNT", "REGION", "PRODUCT", "RESOURCE", "AGE", "FMT"
    )
}

/// One finding's table row (without its newline), every cell sanitised: the neutral summary of
/// either format (an OCSF finding's own severity and status as themselves).
fn table_row(doc: &Value, now: time::OffsetDateTime) -> String {
    let s = match Format::of(doc) {
        Some(Format::Ocsf) => FindingSummary::from_ocsf(doc),
        _ => FindingSummary::from_asff(doc),
    };
    let resource = format!("{} {}", s.resource_type, s.short_resource());
    format!(
        "{} {} {} {} {} {} {:>4} {:<4}  {}",
        cell(or_dash(s.severity_text()), 13),
        cell(or_dash(s.workflow_text()), 10),
        cell(&s.account, 12),
        cell(&s.region, 14),
        cell(&s.product, 12),
        cell(&resource, 32),
        timestamp::age((s.updated_ns != 0).then(|| timestamp::from_nanos(s.updated_ns)), now),
        s.format().as_str(),
        sanitize::line(&s.title)
    )
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
}
