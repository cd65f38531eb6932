//! `hubtriage simulate`: finding providers at work against the store, for demos of Security Hub's
//! workflow. Every event is a BatchImportFindings call of one finding (`generate::simulate` says what
//! is sent), so the import rules do what they do at AWS: a control finding that passes is resolved by
//! Security Hub, one that fails again or whose resource comes back is reopened, and history names
//! Security Hub as the actor. Each event prints a line, with what Security Hub did to the workflow.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use clap::Args;
use serde_json::Value;

use super::findings::cell;
use super::{Global, Outcome};
use crate::generate::simulate::{Choice, EventKind, Simulator};
use crate::model::finding::FindingKey;
use crate::model::sanitize;
use crate::store::{Caller, Store};

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Events a second, e.g. 2/s, 30/min, or max (as fast as the store takes them).
    #[arg(long, default_value = "1/s", value_parser = parse_rate)]
    pub rate: Rate,
    /// Stop after this many events (default: until interrupted).
    #[arg(long)]
    pub count: Option<u64>,
    /// The same seed over the same store plays the same events on the same findings.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Only these kinds of event (comma-separated): new, observed, compliance, record-state.
    #[arg(long, value_delimiter = ',', value_parser = parse_kind)]
    pub events: Vec<EventKind>,
}

/// How fast events come.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    PerSecond(f64),
    Max,
}

fn parse_rate(s: &str) -> Result<Rate, String> {
    if s == "max" {
        return Ok(Rate::Max);
    }
    let (n, unit) = s.split_once('/').unwrap_or((s, "s"));
    let per = match unit {
        "s" | "sec" => 1.0,
        "min" | "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("{s}: expected N/s, N/min, N/h or max")),
    };
    match n.parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() => Ok(Rate::PerSecond(n / per)),
        _ => Err(format!("{s}: expected a positive number of events, e.g. 2/s")),
    }
}

fn parse_kind(s: &str) -> Result<EventKind, String> {
    EventKind::parse(s).ok_or_else(|| format!("{s}: expected one of new, observed, compliance, record-state"))
}

/// The workflow status of the finding `key`, if the store has it.
fn workflow(store: &Store, key: &FindingKey) -> Result<Option<String>> {
    Ok(store.get(key)?.and_then(|d| d.pointer("/Workflow/Status").and_then(Value::as_str).map(str::to_string)))
}

/// An event to send: its kind, what it changes (for a person), the finding, its workflow before.
type Event = (EventKind, String, Value, Option<String>);

/// One event: its kind, what it changes (for a person), the finding to send, and the finding's
/// workflow status before. A kind not asked for (`--events`) that an event fell back to (a compliance
/// flip of a finding without compliance is an observation) is drawn again, a few times.
fn next_event(
    store: &Store,
    sim: &mut Simulator,
    keys: &[FindingKey],
    asked: &[EventKind],
    now: time::OffsetDateTime,
) -> Result<Option<Event>> {
    const DRAWS: usize = 50;
    for draw in 1..=DRAWS {
        let (index, kind) = match sim.next_choice(now) {
            Choice::New(f) => return Ok(Some((EventKind::New, "new finding".to_string(), *f, None))),
            Choice::Existing { index, kind } => (index, kind),
        };
        let key = keys.get(index).ok_or_else(|| anyhow!("event for a finding the store does not list"))?;
        let Some(doc) = store.get(key)? else { return Ok(None) };
        let before = doc.pointer("/Workflow/Status").and_then(Value::as_str).map(str::to_string);
        let (kind, what, sent) = sim.apply(kind, doc, now);
        if asked.is_empty() || asked.contains(&kind) || draw == DRAWS {
            return Ok(Some((kind, what, sent, before)));
        }
    }
    Ok(None)
}

pub(super) fn simulate(g: &Global, a: &SimulateArgs) -> Result<Outcome> {
    let mut store = g.open_or_create()?;
    let (mut keys, accounts) = store.keys_and_accounts()?;
    let only_existing = !a.events.is_empty() && !a.events.contains(&EventKind::New);
    if keys.is_empty() && only_existing {
        bail!("the store has no findings for these events to change; add `new` to --events, or import findings first");
    }
    let mut sim = Simulator::new(a.seed, keys.len(), accounts, &a.events);
    // The provider's own call: an import is for the caller's own account, so the simulation calls
    // as an administrator of every account, as Security Hub's integrations do for their findings.
    let caller = Caller::unrestricted("hubtriage-simulate");
    let start = Instant::now();
    let mut played = 0u64;
    let mut failed = 0u64;
    while a.count.is_none_or(|c| played < c) {
        if let Rate::PerSecond(r) = a.rate {
            let due = start + Duration::from_secs_f64(played as f64 / r);
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
        let now = store.now();
        let Some((kind, what, finding, before)) = next_event(&store, &mut sim, &keys, &a.events, now)? else {
            // The finding was removed meanwhile (another process): nothing to send.
            played += 1;
            continue;
        };
        let key = FindingKey::of(&finding).ok_or_else(|| anyhow!("a simulated finding without Id and ProductArn"))?;
        let result = store.batch_import(&caller, vec![finding.clone()])?;
        played += 1;
        let title = finding.get("Title").and_then(Value::as_str).unwrap_or("");
        let severity = finding.pointer("/Severity/Label").and_then(Value::as_str).unwrap_or("");
        let product = finding.get("ProductName").and_then(Value::as_str).unwrap_or("");
        let clock = crate::model::timestamp::format(now);
        let clock = clock.get(11..19).unwrap_or(&clock);
        if let Some(f) = result.failed.first() {
            failed += 1;
            println!(
                "{clock}  {:<12} {}: refused: {}",
                kind.name(),
                sanitize::line(&key.id),
                sanitize::line(&f.message)
            );
            continue;
        }
        if kind == EventKind::New {
            keys.push(key.clone());
        }
        // What Security Hub's import rules did to the workflow, said beside the event.
        let after = workflow(&store, &key)?;
        let rule = match (&before, &after) {
            (Some(b), Some(a)) if b != a => format!("  -> Security Hub set workflow {b} -> {a}"),
            _ => String::new(),
        };
        println!(
            "{clock}  {:<12} {} {} {} {}{rule}",
            kind.name(),
            cell(&what, 34),
            cell(severity, 13),
            cell(product, 16),
            cell(title, 60).trim_end(),
        );
    }
    eprintln!("{played} events, {failed} refused, in {:.1} s", start.elapsed().as_secs_f64());
    Ok(if failed == 0 { Outcome::Ok } else { Outcome::Failed })
}
