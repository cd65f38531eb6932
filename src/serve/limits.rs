//! What the server does to a request besides answering it: the published rate limits
//! (`--throttle aws`) and injected faults (`--fault SPEC`), both for testing clients; and the
//! memory budget of request bodies, which bounds what callers not yet authenticated make it hold.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Token buckets per (caller account, operation) at Security Hub's published rates.
pub struct Throttle {
    buckets: Mutex<HashMap<(String, &'static str), Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// (requests per second, burst) for an operation, from the Security Hub quotas page.
pub fn aws_rate(operation: &str) -> Option<(f64, f64)> {
    match operation {
        "BatchImportFindings" | "BatchUpdateFindings" => Some((10.0, 30.0)),
        "GetFindings" => Some((3.0, 6.0)),
        _ => None,
    }
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new()
    }
}

impl Throttle {
    pub fn new() -> Throttle {
        Throttle { buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `operation` by `account`; false when the caller is over the rate.
    pub fn admit(&self, account: &str, operation: &'static str, now: Instant) -> bool {
        let Some((rate, burst)) = aws_rate(operation) else { return true };
        let Ok(mut buckets) = self.buckets.lock() else { return true };
        let b = buckets.entry((account.to_string(), operation)).or_insert(Bucket { tokens: burst, at: now });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.tokens = (b.tokens + elapsed * rate).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The bytes of request bodies held at once, across all connections. A body must be read whole
/// before its signature can be checked, so a caller who knows an access key id (not a secret) but
/// not its secret can still make the server buffer bodies; this budget is what bounds them.
pub struct BodyBudget {
    units: Arc<Semaphore>,
    wait: Duration,
}

/// The budget is counted in these units, so a permit count stays small.
const BUDGET_UNIT: usize = 64 * 1024;

/// Room reserved in a `BodyBudget` for one body; given back when dropped.
#[derive(Default)]
pub struct BodyReservation {
    permit: Option<OwnedSemaphorePermit>,
}

impl BodyReservation {
    fn bytes(&self) -> usize {
        self.permit.as_ref().map_or(0, |p| p.num_permits() * BUDGET_UNIT)
    }
}

impl BodyBudget {
    /// `bytes` in all; a body waits up to `wait` for room before it is refused.
    pub fn new(bytes: usize, wait: Duration) -> BodyBudget {
        BodyBudget { units: Arc::new(Semaphore::new(bytes.div_ceil(BUDGET_UNIT).max(1))), wait }
    }

    /// Grows `held` to at least `bytes`; false when the budget stays full for the wait.
    pub async fn reserve(&self, held: &mut BodyReservation, bytes: usize) -> bool {
        let have = held.bytes();
        if bytes <= have {
            return true;
        }
        let more = u32::try_from((bytes - have).div_ceil(BUDGET_UNIT)).unwrap_or(u32::MAX);
        let Ok(Ok(permit)) = tokio::time::timeout(self.wait, Arc::clone(&self.units).acquire_many_owned(more)).await
        else {
            return false;
        };
        match &mut held.permit {
            Some(p) => p.merge(permit),
            None => held.permit = Some(permit),
        }
        true
    }
}

/// `--fault SPEC`: comma-separated items, each applied independently to each request with its rate
/// (a probability, 1 when `@RATE` is left out):
/// `latency=DURATION[@RATE]` (`200ms`, `1s`), `error=500|503[@RATE]`, `drop[@RATE]`.
/// Example: `latency=200ms@0.1,error=503@0.05,drop@0.01`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultSpec {
    pub latency: Vec<(Duration, f64)>,
    pub errors: Vec<(u16, f64)>,
    pub drop: Option<f64>,
}

pub const FAULT_SYNTAX: &str = "latency=DURATION[@RATE], error=500|503[@RATE], drop[@RATE], comma-separated; \
DURATION like 200ms or 1s, RATE a probability 0..1 (default 1). Example: latency=200ms@0.1,error=503@0.05,drop@0.01";

impl FaultSpec {
    pub fn parse(spec: &str) -> Result<FaultSpec, String> {
        let mut out = FaultSpec::default();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (what, rate) = match item.split_once('@') {
                Some((w, r)) => {
                    let rate: f64 = r.parse().map_err(|_| format!("{item}: rate {r} is not a number"))?;
                    if !(0.0..=1.0).contains(&rate) {
                        return Err(format!("{item}: rate {r} is not between 0 and 1"));
                    }
                    (w, rate)
                }
                None => (item, 1.0),
            };
            let (key, value) = what.split_once('=').unwrap_or((what, ""));
            match key {
                "latency" => out.latency.push((parse_duration(value).map_err(|e| format!("{item}: {e}"))?, rate)),
                "error" => match value {
                    "500" => out.errors.push((500, rate)),
                    "503" => out.errors.push((503, rate)),
                    other => return Err(format!("{item}: error status {other} is not 500 or 503")),
                },
                "drop" if value.is_empty() => out.drop = Some(rate),
                _ => return Err(format!("{item}: unknown fault; expected {FAULT_SYNTAX}")),
            }
        }
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.latency.is_empty() && self.errors.is_empty() && self.drop.is_none()
    }
}

/// `200ms` or `1s`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = digits.parse().map_err(|_| format!("duration {s:?} needs a number, e.g. 200ms"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        _ => Err(format!("duration {s:?} needs a unit, ms or s")),
    }
}

/// What to do to one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultAction {
    pub delay: Duration,
    pub error: Option<u16>,
    pub drop: bool,
}

/// Draws faults from a seeded generator, so a run with the same seed and request order repeats.
pub struct Faults {
    spec: FaultSpec,
    rng: Mutex<ChaCha8Rng>,
}

impl Faults {
    pub fn new(spec: FaultSpec, seed: u64) -> Faults {
        Faults { spec, rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)) }
    }

    pub fn draw(&self) -> FaultAction {
        let mut action = FaultAction::default();
        if self.spec.is_empty() {
            return action;
        }
        let Ok(mut rng) = self.rng.lock() else { return action };
        let mut hit = |rate: f64| rate > 0.0 && rng.random::<f64>() < rate;
        for (d, rate) in &self.spec.latency {
            if hit(*rate) {
                action.delay += *d;
            }
        }
        for (status, rate) in &self.spec.errors {
            if action.error.is_none() && hit(*rate) {
                action.error = Some(*status);
            }
        }
        if let Some(rate) = self.spec.drop {
            action.drop = hit(rate);
        }
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_spec_parses_the_documented_example() {
        let f = FaultSpec::parse("latency=200ms@0.1,error=503@0.05,drop@0.01").unwrap();
        assert_eq!(f.latency, vec![(Duration::from_millis(200), 0.1)]);
        assert_eq!(f.errors, vec![(503, 0.05)]);
        assert_eq!(f.drop, Some(0.01));
        assert_eq!(FaultSpec::parse("error=500, latency=1s").unwrap().latency, vec![(Duration::from_secs(1), 1.0)]);
    }

    #[test]
    fn fault_spec_errors_name_the_item() {
        for bad in ["latency=200", "error=404", "drop@2", "explode", "latency=x@0.1", "drop=3"] {
            let e = FaultSpec::parse(bad).unwrap_err();
            assert!(e.starts_with(bad.split('@').next().unwrap()) || e.contains(bad), "{bad}: {e}");
        }
    }

    #[test]
    fn faults_repeat_with_the_seed_and_follow_the_rate() {
        let spec = FaultSpec::parse("error=503@0.3,drop@0.1").unwrap();
        let run = |seed| {
            let f = Faults::new(spec.clone(), seed);
            (0..1000).map(|_| f.draw()).collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        let errors = a.iter().filter(|x| x.error == Some(503)).count();
        let drops = a.iter().filter(|x| x.drop).count();
        assert!((230..370).contains(&errors), "{errors}");
        assert!((60..140).contains(&drops), "{drops}");
        assert_eq!(Faults::new(FaultSpec::default(), 1).draw(), FaultAction::default());
    }

    #[tokio::test]
    async fn body_budget_bounds_what_is_held_at_once() {
        let budget = BodyBudget::new(4 * BUDGET_UNIT, Duration::from_millis(50));
        let mut a = BodyReservation::default();
        assert!(budget.reserve(&mut a, 3 * BUDGET_UNIT).await);
        assert!(budget.reserve(&mut a, 10).await, "already held");
        let mut b = BodyReservation::default();
        assert!(budget.reserve(&mut b, BUDGET_UNIT).await);
        assert!(!budget.reserve(&mut b, BUDGET_UNIT + 1).await, "over the budget: refused after the wait");
        drop(a);
        assert!(budget.reserve(&mut b, 4 * BUDGET_UNIT).await, "room given back");
    }

    #[test]
    fn throttle_allows_the_burst_then_the_rate() {
        let t = Throttle::new();
        let start = Instant::now();
        let admitted = (0..10).filter(|_| t.admit("111111111111", "GetFindings", start)).count();
        assert_eq!(admitted, 6);
        // Another account and another operation have their own buckets.
        assert!(t.admit("222222222222", "GetFindings", start));
        assert_eq!((0..40).filter(|_| t.admit("111111111111", "BatchUpdateFindings", start)).count(), 30);
        // 3 TPS: one token a third of a second later.
        assert!(!t.admit("111111111111", "GetFindings", start + Duration::from_millis(300)));
        assert!(t.admit("111111111111", "GetFindings", start + Duration::from_millis(700)));
        assert!(t.admit("111111111111", "GetFindingHistory", start));
    }
}
