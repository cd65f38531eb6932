//! The client's side of Security Hub's rate limits: a token bucket per (account, region,
//! operation) at the published rate, so that a burst of calls is spread over what the endpoint
//! allows instead of being answered with 429s. A bucket hands out reservations rather than refusals:
//! each caller learns how long to wait for its turn, so several calls in flight together use the
//! whole rate and no more.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::client::Operation;
use crate::model::source::Rate;

/// One rate limit: `burst` tokens at most, refilled at `per_second`. It starts full, as the
/// service's does.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: Rate,
    /// Below zero when calls are queued for tokens not yet there.
    tokens: f64,
    at: Instant,
}

impl TokenBucket {
    pub fn new(rate: Rate, now: Instant) -> TokenBucket {
        TokenBucket { rate, tokens: f64::from(rate.burst), at: now }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate.per_second).min(f64::from(self.rate.burst));
        self.at = self.at.max(now);
    }

    /// Takes a token now if there is one (a server admitting or refusing a request).
    pub fn try_take(&mut self, now: Instant) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Reserves the next token and says how long to wait before it is there (zero when it is
    /// there now). Reservations queue: the n-th caller beyond the burst waits n / rate.
    pub fn reserve(&mut self, now: Instant) -> Duration {
        self.refill(now);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.rate.per_second)
        }
    }
}

/// Security Hub's published rate for an operation (Security Hub quotas): GetFindings 3 requests per
/// second with a burst of 6; BatchImportFindings and BatchUpdateFindings 10 with a burst of 30.
/// GetFindingHistory has no published rate of its own: it gets the service's general one, 10 per
/// second with a burst of 30. Nor have GetFindingsV2 and BatchUpdateFindingsV2: the general one too.
pub fn published_rate(op: Operation) -> Rate {
    match op {
        Operation::GetFindings => Rate { per_second: 3.0, burst: 6 },
        Operation::BatchUpdateFindings
        | Operation::BatchImportFindings
        | Operation::GetFindingHistory
        | Operation::GetFindingsV2
        | Operation::BatchUpdateFindingsV2 => Rate { per_second: 10.0, burst: 30 },
    }
}

/// How a client paces itself (`--rate-limit`): at Security Hub's published rates (the default, as
/// AWS counts them), or not at all, for an endpoint that publishes no limit (a `hubtriage serve`
/// without `--throttle`). Either way a throttling answer is retried with backoff (`retry`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RateLimit {
    #[default]
    Published,
    None,
}

impl RateLimit {
    pub fn limiter(self) -> RateLimiter {
        match self {
            RateLimit::Published => RateLimiter::default(),
            RateLimit::None => RateLimiter::new(|_| Rate { per_second: 1e9, burst: u32::MAX }),
        }
    }
}

/// The client paces itself this much under the published rate: requests sent 1/rate apart can
/// arrive a little closer together, and the service would refuse the second.
const PACE: f64 = 0.98;

/// The buckets of every (account, region, operation) a process calls. Clients that share one
/// (an `Arc`) share the rate, as the service counts it.
pub struct RateLimiter {
    rate: fn(Operation) -> Rate,
    buckets: Mutex<HashMap<(String, String, Operation), TokenBucket>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(published_rate)
    }
}

impl RateLimiter {
    pub fn new(rate: fn(Operation) -> Rate) -> RateLimiter {
        RateLimiter { rate, buckets: Mutex::new(HashMap::new()) }
    }

    /// How long the caller must wait before sending `op` for `account` in `region`; the token is
    /// taken at once, so the next caller queues behind this one.
    pub fn reserve(&self, account: &str, region: &str, op: Operation, now: Instant) -> Duration {
        // A poisoned lock only means another thread panicked mid-update; the buckets stay usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        buckets
            .entry((account.to_string(), region.to_string(), op))
            .or_insert_with(|| {
                let rate = (self.rate)(op);
                TokenBucket::new(Rate { per_second: rate.per_second * PACE, ..rate }, now)
            })
            .reserve(now)
    }

    /// Whether `op`'s bucket holds more than `keep` tokens now: a background caller (the
    /// workbench's recheck pass) calls only then, so the foreground's own reads always find
    /// `keep` at once. Takes nothing: the call itself reserves its token.
    pub fn has_spare(&self, account: &str, region: &str, op: Operation, keep: u32, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let rate = (self.rate)(op);
        let b = buckets
            .entry((account.to_string(), region.to_string(), op))
            .or_insert_with(|| TokenBucket::new(Rate { per_second: rate.per_second * PACE, ..rate }, now));
        b.refill(now);
        b.tokens >= f64::from(keep) + 1.0
    }

    /// Waits for a token for `op`.
    pub async fn acquire(&self, account: &str, region: &str, op: Operation) {
        let wait = self.reserve(account, region, op, Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_background_caller_sees_spare_rate_only_above_what_it_leaves() {
        let l = RateLimiter::default();
        let t0 = Instant::now();
        assert!(l.has_spare("a", "r", Operation::GetFindings, 3, t0), "a full bucket of 6");
        for _ in 0..3 {
            l.reserve("a", "r", Operation::GetFindings, t0);
        }
        assert!(!l.has_spare("a", "r", Operation::GetFindings, 3, t0), "3 left: the foreground's");
        assert!(l.has_spare("a", "r", Operation::GetFindings, 3, t0 + Duration::from_millis(400)), "refilled");
        assert!(l.has_spare("b", "r", Operation::GetFindings, 3, t0), "per account");
    }

    #[test]
    fn rate_limit_none_never_waits_and_published_does() {
        let t0 = Instant::now();
        let waits = |l: RateLimiter| {
            (0..1000).map(|_| l.reserve("a", "r", Operation::BatchUpdateFindings, t0)).filter(|w| !w.is_zero()).count()
        };
        assert_eq!(waits(RateLimit::None.limiter()), 0, "10,000 findings' 100 calls, and more, at once");
        assert_eq!(waits(RateLimit::Published.limiter()), 1000 - 30, "all but the burst of 30 wait");
    }

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(Rate { per_second: 3.0, burst: 6 }, t0);
        assert!((0..6).all(|_| b.try_take(t0)));
        assert!(!b.try_take(t0));
        assert!(b.try_take(t0 + Duration::from_millis(334)));
        assert!(!b.try_take(t0 + Duration::from_millis(340)));
        // Never more than the burst, however long it rested.
        let later = t0 + Duration::from_secs(3600);
        assert_eq!((0..10).filter(|_| b.try_take(later)).count(), 6);
    }

    #[test]
    fn reservations_queue_at_the_rate() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(Rate { per_second: 10.0, burst: 30 }, t0);
        let waits: Vec<Duration> = (0..40).map(|_| b.reserve(t0)).collect();
        assert!(waits[..30].iter().all(|w| w.is_zero()));
        // The 31st waits one interval, the 40th ten: 40 calls take one second, as the rate allows.
        assert!((waits[30].as_secs_f64() - 0.1).abs() < 1e-9, "{:?}", waits[30]);
        assert!((waits[39].as_secs_f64() - 1.0).abs() < 1e-9, "{:?}", waits[39]);
        // Time passing pays the queue back before new tokens build up.
        assert!((b.reserve(t0 + Duration::from_secs(1)).as_secs_f64() - 0.1).abs() < 1e-9);
    }

    #[test]
    fn buckets_are_per_account_region_and_operation() {
        let l = RateLimiter::default();
        let t0 = Instant::now();
        for _ in 0..6 {
            assert!(l.reserve("111", "eu-west-1", Operation::GetFindings, t0).is_zero());
        }
        assert!(!l.reserve("111", "eu-west-1", Operation::GetFindings, t0).is_zero());
        assert!(l.reserve("222", "eu-west-1", Operation::GetFindings, t0).is_zero());
        assert!(l.reserve("111", "us-east-1", Operation::GetFindings, t0).is_zero());
        assert!(l.reserve("111", "eu-west-1", Operation::BatchUpdateFindings, t0).is_zero());
    }
}
