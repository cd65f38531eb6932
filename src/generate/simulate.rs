//! Finding providers at work, for demos: what `hubtriage simulate` sends. Each event is one finding as
//! its provider would send it through BatchImportFindings: a new finding, an existing one observed
//! again, a control's compliance flipping between PASSED and FAILED, a resource archived or back.
//! Security Hub's import rules (applied by whoever receives the finding, never here) then do what they
//! do at AWS: a control finding that passes is resolved, one that fails again is reopened, and so on.
//!
//! Pure and deterministic: the same seed over the same findings plays the same events, in the same
//! order, on the same findings (the times are the time of play).

use serde_json::Value;
use time::OffsetDateTime;

use super::random::R;
use super::{generate, mark_demo, GenOptions, DEFAULT_ANCHOR};
use crate::model::timestamp;

/// What happens to a finding in one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A provider reports a finding the store does not have.
    New,
    /// A provider observes a finding again (UpdatedAt, LastObservedAt, Count).
    Observed,
    /// A control finding's Compliance.Status flips (PASSED <-> FAILED).
    Compliance,
    /// The finding's resource goes away or comes back (RecordState ARCHIVED <-> ACTIVE).
    RecordState,
}

impl EventKind {
    pub const ALL: [EventKind; 4] =
        [EventKind::New, EventKind::Observed, EventKind::Compliance, EventKind::RecordState];

    /// How often each kind is drawn, out of 100.
    fn weight(self) -> u32 {
        match self {
            EventKind::New => 25,
            EventKind::Observed => 35,
            EventKind::Compliance => 20,
            EventKind::RecordState => 20,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            EventKind::New => "new",
            EventKind::Observed => "observed",
            EventKind::Compliance => "compliance",
            EventKind::RecordState => "record-state",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == s || (s == "archive" && *k == EventKind::RecordState))
    }
}

/// What the simulator chose next: a new finding to send as it is, or an existing finding (by its
/// index in the population) to change with [`Simulator::apply`].
#[derive(Debug)]
pub enum Choice {
    New(Box<Value>),
    Existing { index: usize, kind: EventKind },
}

/// The event stream.
pub struct Simulator {
    rng: R,
    kinds: Vec<(EventKind, u32)>,
    /// How many findings the store holds (new ones are added as they are sent).
    population: usize,
    /// Where new findings come from: the generator's findings after the demo dataset's, so they
    /// belong to the same accounts and never reuse a demo finding's Id.
    fresh: super::Generator,
    /// The store's accounts, for the new findings (the generator's own when the store has none).
    accounts: Vec<String>,
}

/// Findings the generator skips before the first new one: the demo dataset's.
const SKIP: usize = super::DEMO_COUNT;

impl Simulator {
    /// `population` findings are there already; `accounts` are the accounts they belong to (sorted).
    /// Only `kinds` are drawn (all when empty); with no finding there yet, the first is new.
    pub fn new(seed: u64, population: usize, accounts: Vec<String>, kinds: &[EventKind]) -> Simulator {
        let kinds = if kinds.is_empty() { EventKind::ALL.to_vec() } else { kinds.to_vec() };
        let mut fresh =
            generate(&GenOptions { count: usize::MAX, seed: super::DEMO_SEED, accounts: 12, anchor: DEFAULT_ANCHOR });
        // The demo's own findings are skipped once, here (about 20 µs each).
        fresh.nth(SKIP - 1);
        Simulator {
            rng: R::new(seed),
            kinds: kinds.iter().map(|k| (*k, k.weight())).collect(),
            population,
            fresh,
            accounts,
        }
    }

    /// The next event.
    pub fn next_choice(&mut self, now: OffsetDateTime) -> Choice {
        let existing: Vec<(EventKind, u32)> =
            self.kinds.iter().copied().filter(|(k, _)| *k != EventKind::New).collect();
        let kind = if self.population == 0 || existing.is_empty() {
            EventKind::New
        } else {
            *self.rng.pick_weighted(&self.kinds)
        };
        if kind == EventKind::New {
            return Choice::New(Box::new(self.fresh_finding(now)));
        }
        Choice::Existing { index: self.rng.below(self.population), kind }
    }

    /// A new finding, first seen now, in one of the store's accounts, marked as demo data (so that
    /// `hubtriage --remove-demo` removes what a simulation added).
    fn fresh_finding(&mut self, now: OffsetDateTime) -> Value {
        self.population += 1;
        let Some(mut f) = self.fresh.next() else { return Value::Null };
        if !self.accounts.is_empty() {
            if let Some(own) = f.get("AwsAccountId").and_then(Value::as_str).map(str::to_string) {
                let account = self.accounts[self.rng.below(self.accounts.len())].clone();
                // The account appears in ARNs and ids too: replaced everywhere in the text (a
                // generated account id is 12 random digits, found nowhere else).
                if let Ok(text) = serde_json::to_string(&f) {
                    if let Ok(v) = serde_json::from_str(&text.replace(&own, &account)) {
                        f = v;
                    }
                }
            }
        }
        let at = Value::String(timestamp::format(now));
        for member in ["FirstObservedAt", "LastObservedAt", "CreatedAt", "UpdatedAt"] {
            if let Some(m) = f.get_mut(member) {
                *m = at.clone();
            }
        }
        mark_demo(&mut f);
        f
    }

    /// `doc` (an existing finding as stored) as its provider sends it in a `kind` event now: what
    /// changed, said for a person ("compliance PASSED -> FAILED"), and the finding to send. A kind
    /// that does not apply to this finding (a compliance flip of a finding without a compliance
    /// status) becomes an observation.
    pub fn apply(&mut self, kind: EventKind, mut doc: Value, now: OffsetDateTime) -> (EventKind, String, Value) {
        // A later UpdatedAt than the stored one, or the import rules ignore the finding.
        let stored = doc.get("UpdatedAt").and_then(Value::as_str).and_then(timestamp::parse);
        let at = match stored {
            Some(t) if t >= now => t + time::Duration::milliseconds(1),
            _ => now,
        };
        let at_text = Value::String(timestamp::format(at));
        doc["UpdatedAt"] = at_text.clone();
        if doc.get("LastObservedAt").is_some() {
            doc["LastObservedAt"] = at_text;
        }
        let compliance = doc.pointer("/Compliance/Status").and_then(Value::as_str).map(str::to_string);
        let (kind, what) = match (kind, compliance) {
            (EventKind::Compliance, Some(old)) => {
                let new = if old == "PASSED" { "FAILED" } else { "PASSED" };
                doc["Compliance"]["Status"] = Value::String(new.into());
                (EventKind::Compliance, format!("compliance {old} -> {new}"))
            }
            (EventKind::RecordState, _) => {
                let old = doc.get("RecordState").and_then(Value::as_str).unwrap_or("ACTIVE").to_string();
                let new = if old == "ARCHIVED" { "ACTIVE" } else { "ARCHIVED" };
                doc["RecordState"] = Value::String(new.into());
                (EventKind::RecordState, format!("record state {old} -> {new}"))
            }
            _ => {
                if let Some(Value::Number(n)) = doc.get("Count") {
                    let count = n.as_i64().unwrap_or(0).saturating_add(1);
                    doc["Count"] = Value::from(count);
                }
                (EventKind::Observed, "observed again".to_string())
            }
        };
        (kind, what, doc)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const NOW: OffsetDateTime = time::macros::datetime!(2026-12-01 12:00 UTC);

    fn kinds(seed: u64, population: usize, n: usize) -> Vec<String> {
        let mut s = Simulator::new(seed, population, vec!["111122223333".into()], &[]);
        (0..n)
            .map(|_| match s.next_choice(NOW) {
                Choice::New(f) => format!("new {}", f["Id"]),
                Choice::Existing { index, kind } => format!("{} {index}", kind.name()),
            })
            .collect()
    }

    #[test]
    fn the_same_seed_plays_the_same_events() {
        assert_eq!(kinds(5, 300, 200), kinds(5, 300, 200));
        assert_ne!(kinds(5, 300, 200), kinds(6, 300, 200));
        let played = kinds(5, 300, 200);
        for kind in EventKind::ALL {
            assert!(played.iter().any(|e| e.starts_with(kind.name())), "{} never drawn", kind.name());
        }
    }

    #[test]
    fn new_findings_are_in_the_stores_accounts_first_seen_now_and_marked_as_demo() {
        let mut s = Simulator::new(1, 0, vec!["111122223333".into()], &[]);
        let Choice::New(f) = s.next_choice(NOW) else { panic!("an empty store gets a new finding first") };
        assert_eq!(f["AwsAccountId"], "111122223333");
        assert!(f["ProductArn"].as_str().is_some() && f["Resources"][0]["Id"].as_str().is_some());
        assert_eq!(f["UpdatedAt"], timestamp::format(NOW));
        assert_eq!(f["CreatedAt"], timestamp::format(NOW));
        assert!(super::super::is_demo(&f));
        let demo: Vec<Value> = super::super::demo_dataset();
        assert!(demo.iter().all(|d| d["Id"] != f["Id"]), "never a demo finding's Id");
    }

    #[test]
    fn an_event_changes_what_its_kind_says_and_always_a_later_updated_at() {
        let mut s = Simulator::new(1, 1, vec![], &[]);
        let later = "2027-01-01T00:00:00.000Z";
        let doc = json!({"Id": "a", "UpdatedAt": later, "Compliance": {"Status": "PASSED"}, "RecordState": "ACTIVE"});
        let (kind, what, sent) = s.apply(EventKind::Compliance, doc.clone(), NOW);
        assert_eq!((kind, what.as_str()), (EventKind::Compliance, "compliance PASSED -> FAILED"));
        assert_eq!(sent["Compliance"]["Status"], "FAILED");
        assert_eq!(sent["UpdatedAt"], "2027-01-01T00:00:00.001Z", "after a stored time in the future");
        let (_, what, sent) = s.apply(EventKind::RecordState, doc.clone(), NOW);
        assert_eq!((what.as_str(), &sent["RecordState"]), ("record state ACTIVE -> ARCHIVED", &json!("ARCHIVED")));
        let no_compliance = json!({"Id": "b", "UpdatedAt": "2026-01-01T00:00:00Z", "Count": 4});
        let (kind, _, sent) = s.apply(EventKind::Compliance, no_compliance, NOW);
        assert_eq!(kind, EventKind::Observed);
        assert_eq!(sent["Count"], 5);
        assert_eq!(sent["UpdatedAt"], timestamp::format(NOW));
    }

    #[test]
    fn only_the_kinds_asked_for_are_drawn() {
        let mut s = Simulator::new(3, 50, vec![], &[EventKind::Compliance]);
        for _ in 0..100 {
            match s.next_choice(NOW) {
                Choice::Existing { kind, .. } => assert_eq!(kind, EventKind::Compliance),
                Choice::New(_) => panic!("new findings were not asked for"),
            }
        }
    }
}
