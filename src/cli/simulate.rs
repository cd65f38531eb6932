//! `hubtriage simulate`: finding providers at work against the store or a remote endpoint (a
//! `hubtriage serve`, with `--endpoint-url`), for demos of Security Hub's workflow. Every event is a BatchImportFindings call of one finding (`generate::simulate` says what
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

pub(super) fn parse_rate(s: &str) -> Result<Rate, String> {
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

/// Where the events go: the local store, or a remote endpoint through the remote client.
trait Target {
    /// Every finding's key (in a stable order) and the accounts they belong to (sorted).
    fn population(&mut self) -> Result<(Vec<FindingKey>, Vec<String>)>;
    /// The finding as it is now.
    fn get(&mut self, key: &FindingKey) -> Result<Option<Value>>;
    /// One BatchImportFindings call of one finding: `Some(why)` when it was refused.
    fn import(&mut self, finding: Value) -> Result<Option<String>>;
    fn now(&self) -> time::OffsetDateTime;
}

/// The local store, as the caller of a provider's import: an import is for the caller's own
/// account, so the simulation calls as an administrator of every account, as Security Hub's
/// integrations do for their findings.
struct Local(Store);

impl Target for Local {
    fn population(&mut self) -> Result<(Vec<FindingKey>, Vec<String>)> {
        Ok(self.0.keys_and_accounts()?)
    }

    fn get(&mut self, key: &FindingKey) -> Result<Option<Value>> {
        Ok(self.0.get(key)?)
    }

    fn import(&mut self, finding: Value) -> Result<Option<String>> {
        let result = self.0.batch_import(&Caller::unrestricted("hubtriage-simulate"), vec![finding])?;
        Ok(result.failed.first().map(|f| f.message.clone()))
    }

    fn now(&self) -> time::OffsetDateTime {
        self.0.now()
    }
}

/// A remote endpoint: GetFindings reads, BatchImportFindings writes, at the client's published rates.
struct Far(super::remote::Remote);

impl Far {
    fn call(&self, op: crate::remote::client::Operation, body: &Value) -> Result<Value> {
        let r = &self.0;
        r.runtime
            .block_on(r.client.call(op, body))
            .map_err(|e| anyhow!("{}: {}", op.name(), sanitize::text(&e.to_string())))
    }
}

impl Target for Far {
    fn population(&mut self) -> Result<(Vec<FindingKey>, Vec<String>)> {
        use crate::remote::client::Operation;
        let (mut keys, mut accounts) = (Vec::new(), std::collections::BTreeSet::new());
        let mut token: Option<String> = None;
        loop {
            let mut body = serde_json::json!({"MaxResults": 100});
            if let Some(t) = &token {
                body["NextToken"] = Value::String(t.clone());
            }
            let page = self.call(Operation::GetFindings, &body)?;
            for f in page.get("Findings").and_then(Value::as_array).into_iter().flatten() {
                if let Some(key) = FindingKey::of(f) {
                    keys.push(key);
                }
                if let Some(a) = f.get("AwsAccountId").and_then(Value::as_str) {
                    accounts.insert(a.to_string());
                }
            }
            eprint!("\rreading the endpoint's findings: {}", keys.len());
            token = page.get("NextToken").and_then(Value::as_str).filter(|t| !t.is_empty()).map(str::to_string);
            if token.is_none() {
                eprintln!();
                break;
            }
        }
        Ok((keys, accounts.into_iter().collect()))
    }

    fn get(&mut self, key: &FindingKey) -> Result<Option<Value>> {
        let body = serde_json::json!({"Filters": {
            "Id": [{"Value": key.id, "Comparison": "EQUALS"}],
            "ProductArn": [{"Value": key.product_arn, "Comparison": "EQUALS"}],
        }, "MaxResults": 1});
        let page = self.call(crate::remote::client::Operation::GetFindings, &body)?;
        Ok(page.get("Findings").and_then(Value::as_array).and_then(|f| f.first()).cloned())
    }

    fn import(&mut self, finding: Value) -> Result<Option<String>> {
        let body = serde_json::json!({"Findings": [finding]});
        let answer = self.call(crate::remote::client::Operation::BatchImportFindings, &body)?;
        Ok(answer.pointer("/FailedFindings/0").map(|f| {
            let field = |k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            format!("{}: {}", field("ErrorCode"), field("ErrorMessage"))
        }))
    }

    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }
}

/// The workflow status of a finding.
fn workflow_of(doc: &Value) -> Option<String> {
    doc.pointer("/Workflow/Status").and_then(Value::as_str).map(str::to_string)
}

/// An event to send: its kind, what it changes (for a person), the finding, its workflow before.
type Event = (EventKind, String, Value, Option<String>);

/// One event. A kind not asked for (`--events`) that an event fell back to (a compliance flip of a
/// finding without compliance is an observation) is drawn again, a few times.
fn next_event(
    target: &mut dyn Target,
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
        let Some(doc) = target.get(key)? else { return Ok(None) };
        let before = workflow_of(&doc);
        let (kind, what, sent) = sim.apply(kind, doc, now);
        if asked.is_empty() || asked.contains(&kind) || draw == DRAWS {
            return Ok(Some((kind, what, sent, before)));
        }
    }
    Ok(None)
}

/// `simulate` against the store.
pub(super) fn simulate(g: &Global, a: &SimulateArgs) -> Result<Outcome> {
    play(&mut Local(g.open_or_create()?), a, &mut |line| println!("{line}"), &|| false)
}

/// `simulate` against a store, quietly (each event's line goes to `out`), until `stop` says so:
/// the demo workbench's background providers (`--demo --simulate`).
pub(super) fn simulate_quietly(
    store: Store,
    a: &SimulateArgs,
    out: &mut dyn FnMut(String),
    stop: &dyn Fn() -> bool,
) -> Result<Outcome> {
    play(&mut Local(store), a, out, stop)
}

/// `simulate` against a remote endpoint (`--endpoint-url`, `--remote`).
pub(super) fn simulate_remote(top: &super::workbench::RemoteArgs, a: &SimulateArgs) -> Result<Outcome> {
    let remote = super::remote::Remote::connect(top)?;
    eprintln!("simulating against {}", sanitize::line(&remote.describe()));
    play(&mut Far(remote), a, &mut |line| println!("{line}"), &|| false)
}

/// Plays events at the rate asked, each event's line to `out`, until `--count` or `stop`.
fn play(
    target: &mut dyn Target,
    a: &SimulateArgs,
    out: &mut dyn FnMut(String),
    stop: &dyn Fn() -> bool,
) -> Result<Outcome> {
    let (mut keys, accounts) = target.population()?;
    let only_existing = !a.events.is_empty() && !a.events.contains(&EventKind::New);
    if keys.is_empty() && only_existing {
        bail!("the store has no findings for these events to change; add `new` to --events, or import findings first");
    }
    let mut sim = Simulator::new(a.seed, keys.len(), accounts, &a.events);
    let start = Instant::now();
    let mut played = 0u64;
    let mut failed = 0u64;
    while a.count.is_none_or(|c| played < c) && !stop() {
        if let Rate::PerSecond(r) = a.rate {
            let due = start + Duration::from_secs_f64(played as f64 / r);
            // In short sleeps, so that a stop is heard at once.
            while !stop() && Instant::now() < due {
                std::thread::sleep(due.saturating_duration_since(Instant::now()).min(Duration::from_millis(100)));
            }
            if stop() {
                break;
            }
        }
        let now = target.now();
        let Some((kind, what, finding, before)) = next_event(target, &mut sim, &keys, &a.events, now)? else {
            // The finding was removed meanwhile (another process): nothing to send.
            played += 1;
            continue;
        };
        let key = FindingKey::of(&finding).ok_or_else(|| anyhow!("a simulated finding without Id and ProductArn"))?;
        let refused = target.import(finding.clone())?;
        played += 1;
        let title = finding.get("Title").and_then(Value::as_str).unwrap_or("");
        let severity = finding.pointer("/Severity/Label").and_then(Value::as_str).unwrap_or("");
        let product = finding.get("ProductName").and_then(Value::as_str).unwrap_or("");
        let clock = crate::model::timestamp::format(now);
        let clock = clock.get(11..19).unwrap_or(&clock);
        if let Some(why) = refused {
            failed += 1;
            out(format!("{clock}  {:<12} {}: refused: {}", kind.name(), sanitize::line(&key.id), sanitize::line(&why)));
            continue;
        }
        if kind == EventKind::New {
            keys.push(key.clone());
        }
        // What Security Hub's import rules did to the workflow, said beside the event.
        let after = if before.is_some() { target.get(&key)?.as_ref().and_then(workflow_of) } else { None };
        let rule = match (&before, &after) {
            (Some(b), Some(a)) if b != a => format!("  -> Security Hub set workflow {b} -> {a}"),
            _ => String::new(),
        };
        out(format!(
            "{clock}  {:<12} {} {} {} {}{rule}",
            kind.name(),
            cell(&what, 34),
            cell(severity, 13),
            cell(product, 16),
            cell(title, 60).trim_end(),
        ));
    }
    eprintln!("{played} events, {failed} refused, in {:.1} s", start.elapsed().as_secs_f64());
    Ok(if failed == 0 { Outcome::Ok } else { Outcome::Failed })
}
