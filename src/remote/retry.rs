//! Which failed calls are sent again, and after how long, as the AWS SDKs' standard retry mode
//! does it: throttling errors (by code, and any 429), 5xx, connection errors and timeouts are
//! retried with exponential backoff and full jitter; any other 4xx is the request's own fault and is
//! not. A retry quota (a token bucket of its own) stops a failing endpoint from being hammered by
//! every call's retries at once.

use std::time::Duration;

use rand::Rng;

/// Error codes that mean "slow down" whatever the status (the SDKs' throttling list, and
/// `TooManyRequestsException`, which GetFindings has been seen to answer).
const THROTTLING_CODES: &[&str] = &[
    "LimitExceededException",
    "ThrottlingException",
    "TooManyRequestsException",
    "Throttling",
    "ThrottledException",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
];

/// Error codes of a request that timed out on the service's side.
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// What a failed attempt says about the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The endpoint's rate limit: send again later.
    Throttled,
    /// The endpoint failed for now (5xx, the connection broke): send again later.
    Transient,
    /// No answer in time: send again later, at a higher cost to the retry quota.
    Timeout,
    /// The request itself was refused: sending it again cannot help.
    Final,
}

impl Verdict {
    pub fn is_retryable(self) -> bool {
        self != Verdict::Final
    }
}

/// Classifies an error answer by its code (`X-Amzn-ErrorType`, else the body's) and status.
pub fn classify(status: u16, code: &str) -> Verdict {
    if status == 429 || THROTTLING_CODES.contains(&code) {
        Verdict::Throttled
    } else if status >= 500 || TRANSIENT_CODES.contains(&code) {
        Verdict::Transient
    } else {
        Verdict::Final
    }
}

/// How many times a call is tried and how long to wait between tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included.
    pub max_attempts: u32,
    /// The largest wait before the first retry; it doubles with each retry.
    pub base: Duration,
    /// No wait is longer than this.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 5, base: Duration::from_millis(200), max_backoff: Duration::from_secs(20) }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first): full jitter, a uniform draw between
    /// zero and `min(max_backoff, base * 2^(retry-1))`, so that clients that failed together do not
    /// come back together.
    pub fn backoff(&self, retry: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = self.base.saturating_mul(1u32 << retry.saturating_sub(1).min(20)).min(self.max_backoff);
        ceiling.mul_f64(rng.random::<f64>())
    }
}

/// The retry quota: retries spend from it, successes pay back, so when most calls fail the client
/// stops retrying and reports the failure instead of multiplying the load (the SDKs' retry cost 5,
/// timeout cost 10, capacity 500). Throttled calls spend nothing: the rate limiter already paces them.
#[derive(Debug)]
pub struct RetryQuota {
    available: u32,
    capacity: u32,
}

const RETRY_COST: u32 = 5;
const TIMEOUT_COST: u32 = 10;

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota { available: 500, capacity: 500 }
    }
}

impl RetryQuota {
    /// Takes what a retry after `verdict` costs; `None` when the quota cannot pay (do not retry),
    /// else the amount taken, to give back if the retry succeeds.
    pub fn acquire(&mut self, verdict: Verdict) -> Option<u32> {
        let cost = match verdict {
            Verdict::Throttled => 0,
            Verdict::Transient => RETRY_COST,
            Verdict::Timeout => TIMEOUT_COST,
            Verdict::Final => return None,
        };
        self.available = self.available.checked_sub(cost)?;
        Some(cost)
    }

    /// A call succeeded: it gives back what its retries took, or 1 if it needed none.
    pub fn release(&mut self, spent: u32) {
        self.available = (self.available + spent.max(1)).min(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn throttling_5xx_and_timeouts_are_retried_other_4xx_are_not() {
        assert_eq!(classify(429, "LimitExceededException"), Verdict::Throttled);
        assert_eq!(classify(400, "ThrottlingException"), Verdict::Throttled);
        assert_eq!(classify(400, "TooManyRequestsException"), Verdict::Throttled);
        assert_eq!(classify(429, ""), Verdict::Throttled);
        assert_eq!(classify(503, "ServiceUnavailableException"), Verdict::Transient);
        assert_eq!(classify(500, "InternalException"), Verdict::Transient);
        assert_eq!(classify(502, ""), Verdict::Transient);
        for (status, code) in [
            (400, "InvalidInputException"),
            (401, "InvalidAccessException"),
            (403, "AccessDeniedException"),
            (403, "InvalidSignatureException"),
            (404, "UnknownOperationException"),
            (413, "RequestEntityTooLargeException"),
        ] {
            assert_eq!(classify(status, code), Verdict::Final, "{status} {code}");
        }
    }

    #[test]
    fn backoff_is_full_jitter_under_a_doubling_ceiling() {
        let p = RetryPolicy { max_attempts: 9, base: Duration::from_millis(100), max_backoff: Duration::from_secs(1) };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for retry in 1..=8 {
            let ceiling = Duration::from_millis(100 * (1 << (retry - 1))).min(Duration::from_secs(1));
            let waits: Vec<Duration> = (0..200).map(|_| p.backoff(retry, &mut rng)).collect();
            assert!(waits.iter().all(|w| *w <= ceiling), "retry {retry}");
            // Spread over the whole range, not clustered at the ceiling.
            assert!(waits.iter().any(|w| *w < ceiling / 4) && waits.iter().any(|w| *w > ceiling * 3 / 4));
        }
    }

    #[test]
    fn the_quota_stops_retry_storms_and_refills_on_success() {
        let mut q = RetryQuota::default();
        let spent: u32 = (0..100).map_while(|_| q.acquire(Verdict::Transient)).sum();
        assert_eq!(spent, 500);
        assert_eq!(q.acquire(Verdict::Transient), None);
        assert_eq!(q.acquire(Verdict::Throttled), Some(0), "throttling is paced, not rationed");
        q.release(5);
        assert_eq!(q.acquire(Verdict::Transient), Some(5));
        assert_eq!(q.acquire(Verdict::Final), None);
    }
}
