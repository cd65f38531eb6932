//! `hubtriage sync`: brings the read cache of one remote (endpoint, account, region) up to date
//! with a view of its findings: the first time (or for another view, or with `--full`) a full pass
//! of GetFindings with the view's filters, later only the findings updated since the last sync;
//! a progress line on stderr, then what changed on stdout.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::{anyhow, Result};
use clap::Args;

use super::remote::Remote;
use super::workbench::RemoteArgs;
use super::Outcome;
use crate::model::finding::{FindingKey, Summary};
use crate::model::sanitize;
use crate::remote::cache::{self, Cache, Progress, SyncReport, View, DEFAULT_VIEW};
use crate::remote::limit::published_rate;
use crate::remote::Operation;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The view to mirror, in the query language (default: the console's, 'record:active status:new,notified').
    pub query: Vec<String>,
    /// Every finding, whatever its state.
    #[arg(long, conflicts_with = "query")]
    pub all: bool,
    /// A full pass even when the cache holds this view (catches edits that do not change UpdatedAt).
    #[arg(long)]
    pub full: bool,
}

impl SyncArgs {
    fn view(&self) -> Result<View> {
        if self.all {
            return Ok(View::all());
        }
        let text = self.query.join(" ");
        let text = if text.trim().is_empty() { DEFAULT_VIEW.to_string() } else { text };
        View::parse(&text).map_err(|e| anyhow!(e))
    }
}

/// Changed findings listed by name, of each kind; the rest are counted.
const LISTED: usize = 20;

/// Syncs `view` into the cache of `remote`, with the progress line on stderr; returns the report.
pub(super) fn sync_view(remote: &Remote, cache: &mut Cache, view: &View, full: bool) -> Result<SyncReport> {
    if full {
        cache.forget_sync().map_err(|e| anyhow!(e))?;
    }
    // A full pass of a view synced before is about as large as it was: time left is estimated from it.
    let expected = cache.store.count().ok().filter(|&n| n > 0 && cache.state().ok().and_then(|s| s.mark).is_none());
    let terminal = std::io::stderr().is_terminal();
    let rate = published_rate(Operation::GetFindings).per_second;
    let mut last_line = Duration::ZERO;
    let progress = |p: Progress| {
        let secs = p.elapsed.as_secs_f64().max(0.001);
        let per_s = p.findings as f64 / secs;
        let left = match expected {
            Some(n) if (n as usize) > p.findings => {
                // Pages still to read, at the published rate.
                let pages = (n as usize - p.findings).div_ceil(100);
                format!(", about {:.0} s left", pages as f64 / rate)
            }
            _ => String::new(),
        };
        let line = format!(
            "sync: {} pages, {} findings, {:.1} pages/s ({:.0} findings/s), {:.1} s{left}",
            p.pages,
            p.findings,
            p.pages as f64 / secs,
            per_s,
            secs
        );
        if terminal {
            eprint!("\r{line}\x1b[K");
            let _ = std::io::stderr().flush();
        } else if p.elapsed >= last_line + Duration::from_secs(5) || p.pages == 1 {
            last_line = p.elapsed;
            eprintln!("{line}");
        }
    };
    let mut progress = progress;
    let mut r = if remote.api.v1() {
        remote.runtime.block_on(cache::sync(&remote.client, cache, view, |_, _, _| {}, &mut progress))
    } else {
        Ok(SyncReport { full: true, ..SyncReport::default() })
    };
    if remote.api.v2() {
        if let Ok(report) = &mut r {
            // With both APIs, an endpoint without GetFindingsV2 (moto) still serves its ASFF findings.
            let skip = remote.api.v1();
            match remote.runtime.block_on(cache::sync_v2(
                &remote.client,
                cache,
                view,
                skip,
                |_, _, _| {},
                &mut progress,
            )) {
                Ok(Some(v2)) => {
                    report.v2_pages = v2.v2_pages;
                    report.v2_findings = v2.v2_findings;
                    report.new.extend(v2.new);
                    report.updated.extend(v2.updated);
                    report.gone.extend(v2.gone);
                    report.elapsed += v2.elapsed;
                }
                Ok(None) => {
                    if terminal {
                        eprintln!();
                    }
                    eprintln!("this endpoint does not implement GetFindingsV2; showing ASFF findings only");
                }
                Err(e) => r = Err(e),
            }
        }
    }
    if terminal {
        eprintln!();
    }
    r.map_err(|e| anyhow!(e))
}

/// A changed finding as one line: severity, Id, title (sanitised: finding text never drives the
/// terminal).
fn line(cache: &Cache, what: &str, key: &FindingKey) -> String {
    match cache.store.get(key).ok().flatten() {
        Some(doc) => {
            // An OCSF document is summarised through the list's mapping.
            let doc = if doc.get("metadata").is_some() { crate::model::ocsf::asff_view(&doc) } else { doc };
            let s = Summary::of(&doc);
            let sev = s.severity_label.map_or("-", |l| l.as_str());
            format!("{what:<8} {sev:<13} {}  {}", sanitize::line(&key.id), sanitize::line(&s.title))
        }
        None => format!("{what:<8} {:<13} {}", "-", sanitize::line(&key.id)),
    }
}

pub(super) fn sync(top: &RemoteArgs, a: &SyncArgs) -> Result<Outcome> {
    let view = a.view()?;
    let remote = Remote::connect(top)?;
    let mut cache = remote.open_cache()?;
    let r = sync_view(&remote, &mut cache, &view, a.full)?;
    let mut out = std::io::stdout().lock();
    for (what, keys) in [("new", &r.new), ("updated", &r.updated), ("gone", &r.gone)] {
        for k in keys.iter().take(LISTED) {
            writeln!(out, "{}", line(&cache, what, k))?;
        }
        if keys.len() > LISTED {
            writeln!(out, "{what:<8} ... and {} more", keys.len() - LISTED)?;
        }
    }
    let secs = r.elapsed.as_secs_f64();
    let view_text =
        if view.text.is_empty() { "every finding".to_string() } else { sanitize::line(&view.text).into_owned() };
    let mut read = Vec::new();
    if remote.api.v1() {
        read.push(format!("{} in {} GetFindings pages", crate::model::words::count(r.findings, "finding"), r.pages));
    }
    if r.v2_pages > 0 {
        let ocsf = crate::model::words::count(r.v2_findings, "OCSF finding");
        read.push(format!("{ocsf} in {} GetFindingsV2 pages", r.v2_pages));
    }
    writeln!(
        out,
        "Synced {} ({view_text}) {}: {}, {secs:.1} s; {} new, {} updated, {} gone from the view; \
         the cache holds {}.",
        remote.describe(),
        if r.full { "in full" } else { "since the last sync" },
        read.join(" and "),
        r.new.len(),
        r.updated.len(),
        r.gone.len(),
        crate::model::words::count(cache.store.count().unwrap_or(0) as usize, "finding"),
    )?;
    Ok(Outcome::Ok)
}
