//! When to send a call again: a pure decision over (policy, attempt, outcome, elapsed time).
//!
//! What is retried, and why it is safe:
//!
//! | outcome | retried? | why |
//! |---|---|---|
//! | connect failure / connect timeout | yes | the request never left |
//! | timeout waiting for the answer, connection dropped, body cut short | yes | DOKU deduplicates by Request-Id: a repeat of a processed request is answered with the original outcome (HTTP 409), so the same Request-Id cannot double an effect |
//! | 429, 503 | yes, after `Retry-After` seconds when given (capped), else backoff | DOKU asks us to come back |
//! | 502, 504 | yes | a gateway in front of DOKU failed |
//! | 500 | only for GET | a 500 on a POST may have applied an effect *without* DOKU recording it for replay; a GET has no effect |
//! | other 4xx, 2xx, 409 | no | final answers |
//! | anything else from the transport (bad URI, refused scheme) | no | it would fail again |
//!
//! An answer is retried only after its signature passed the configured check: a 429/503 that
//! fails a required check is a signature error, and its `Retry-After` buys nothing.
//!
//! The Request-Id: kept on every retry (DOKU deduplicates by it) — except after a 429 (and the
//! 401 token refresh, see [`Client::send`](crate::Client::send)) when the client generated
//! it: DOKU did not process the refused request, and a DOKU that records refusals would replay
//! the refusal for that id forever, so the repeat gets a fresh id — unless an earlier attempt
//! under that id may have been processed (timeout, dropped connection): then only the same id
//! gets that outcome replayed instead of the work done twice.
//!
//! Attempts are bounded by [`RetryPolicy::max_attempts`] (counted across the 401 repeat, which is
//! always made once) and the whole call by [`RetryPolicy::total_deadline`]: a retry whose wait
//! would cross the deadline is not made, and whatever is in progress when it passes — token
//! fetch, attempt in flight, wait — is cut ([`Error::DeadlineExceeded`](crate::Error::DeadlineExceeded)).
//! So with the defaults a call returns within 60 s (plus scheduling slack), whatever the server
//! does, after at most 3 attempts (4 with the 401 repeat).
//! Backoff doubles from [`RetryPolicy::initial_backoff`] up to [`RetryPolicy::max_backoff`],
//! with "equal jitter" (half fixed, half random; [`RetryPolicy::with_jitter`] turns the random
//! half off for tests).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A source of randomness for backoff jitter: a value in `[0, 1]`.
pub(crate) trait Jitter: Send + Sync + 'static {
    /// A sample in `[0, 1]`; values outside are clamped.
    fn sample(&self) -> f64;
}

/// Random jitter from a fast per-thread generator (`fastrand`'s wyrand, seeded from the OS).
/// The default. Jitter only spreads retries apart: it needs no cryptographic strength.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RandomJitter;

impl Jitter for RandomJitter {
    fn sample(&self) -> f64 {
        fastrand::f64()
    }
}

/// Always the same sample: `FixedJitter(1.0)` gives the full backoff, `FixedJitter(0.0)` half.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FixedJitter(pub(crate) f64);

impl Jitter for FixedJitter {
    fn sample(&self) -> f64 {
        self.0
    }
}

/// How a failed attempt is retried. Start from [`RetryPolicy::default`] (or
/// [`RetryPolicy::no_retries`]) and change what you need with the `with_*` setters; new settings
/// can be added without breaking callers.
///
/// ```
/// use std::time::Duration;
/// let policy = doku_partner::RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_total_deadline(Duration::from_secs(20));
/// assert_eq!(policy.max_attempts(), 5);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) max_retry_after: Duration,
    pub(crate) total_deadline: Duration,
    pub(crate) jitter: Arc<dyn Jitter>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
            total_deadline: Duration::from_secs(60),
            jitter: Arc::new(RandomJitter),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn no_retries() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Attempts in total, the first included (default 3; 1 disables retries; 0 is refused by
    /// [`ConfigBuilder::build`](crate::ConfigBuilder::build)).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Backoff before the second attempt (default 200 ms); doubles each time.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Largest backoff (default 5 s).
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Largest `Retry-After` honoured (default 30 s); a larger value is cut to this.
    pub fn with_max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// The whole call ends this long after it began (default 60 s): token fetch, attempts (one
    /// in flight is cut), waits and the 401 repeat included. No retry is started when its wait
    /// would end after it; a `Retry-After` never extends it.
    pub fn with_total_deadline(mut self, deadline: Duration) -> Self {
        self.total_deadline = deadline;
        self
    }

    /// Whether backoffs are jittered (default `true`: half of each backoff is random, so
    /// clients that failed together do not retry together). `false` waits the full backoff
    /// every time: deterministic, for tests.
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = if jitter {
            Arc::new(RandomJitter)
        } else {
            Arc::new(FixedJitter(1.0))
        };
        self
    }

    /// Attempts in total, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Backoff before the second attempt.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// Largest backoff.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// Largest `Retry-After` honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// How long a whole call may take.
    pub fn total_deadline(&self) -> Duration {
        self.total_deadline
    }

    /// The backoff before attempt `attempt + 1`, jitter applied.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let full = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        let sample = self.jitter.sample().clamp(0.0, 1.0);
        full / 2 + full.mul_f64(sample) / 2
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("max_retry_after", &self.max_retry_after)
            .field("total_deadline", &self.total_deadline)
            .finish_non_exhaustive()
    }
}

/// What one attempt ended with, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub(crate) enum Outcome {
    /// A complete response arrived.
    Response {
        /// Its status.
        status: u16,
        /// Its `Retry-After` in seconds, when present and numeric.
        retry_after: Option<Duration>,
        /// Whether the request was a GET (no side effect, so a 500 can be retried).
        safe_method: bool,
    },
    /// No connection could be made (including a connect timeout): never sent.
    ConnectFailed,
    /// The attempt deadline passed after the request may have been sent.
    TimedOut,
    /// The connection failed after sending, before or while reading the answer.
    Dropped,
    /// A failure that will repeat (invalid URI, refused scheme, body over the cap, …).
    Fatal,
}

impl Outcome {
    /// How a transport failure bears on retrying: never sent, maybe sent, or hopeless.
    pub(crate) fn of_transport_error(e: &doku_transport::TransportError) -> Self {
        use doku_transport::TransportError;
        if e.is_connect() {
            Self::ConnectFailed
        } else if e.is_timeout() {
            Self::TimedOut
        } else if matches!(
            e,
            TransportError::Request { .. } | TransportError::Body { .. }
        ) {
            Self::Dropped
        } else {
            Self::Fatal
        }
    }
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Send again (same Request-Id, fresh timestamp and signature) after waiting `after`.
    Retry {
        /// The wait.
        after: Duration,
    },
    /// Stop and report this outcome.
    GiveUp,
}

/// Whether attempt number `attempt` (1-based) with `outcome`, `elapsed` after the call began,
/// is retried, when the whole call may take `total_deadline` (the call's own deadline, else
/// the policy's). Pure: the only input besides the arguments is the policy's jitter source.
pub(crate) fn decide(
    policy: &RetryPolicy,
    attempt: u32,
    outcome: &Outcome,
    elapsed: Duration,
    total_deadline: Duration,
) -> Decision {
    let retryable_status = |status: u16, safe: bool| match status {
        429 | 502 | 503 | 504 => true,
        500 => safe,
        _ => false,
    };
    let after = match *outcome {
        Outcome::Response {
            status,
            retry_after,
            safe_method,
        } => {
            if !retryable_status(status, safe_method) {
                return Decision::GiveUp;
            }
            match retry_after {
                Some(wait) if status == 429 || status == 503 => wait.min(policy.max_retry_after),
                _ => policy.backoff(attempt),
            }
        }
        Outcome::ConnectFailed | Outcome::TimedOut | Outcome::Dropped => policy.backoff(attempt),
        Outcome::Fatal => return Decision::GiveUp,
    };
    if attempt >= policy.max_attempts {
        return Decision::GiveUp;
    }
    if elapsed.saturating_add(after) > total_deadline {
        return Decision::GiveUp;
    }
    Decision::Retry { after }
}

/// Reads `Retry-After` as whole seconds (the HTTP-date form is ignored).
pub(crate) fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            jitter: Arc::new(FixedJitter(1.0)),
            ..RetryPolicy::default()
        }
    }

    fn resp(status: u16) -> Outcome {
        Outcome::Response {
            status,
            retry_after: None,
            safe_method: false,
        }
    }

    const MS: fn(u64) -> Duration = Duration::from_millis;
    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn decision_table() {
        let retry = |ms| Decision::Retry { after: MS(ms) };
        let give_up = Decision::GiveUp;
        #[rustfmt::skip]
        let table: Vec<(&str, u32, Outcome, Duration, Decision)> = vec![
            ("connect failure, 1st",        1, Outcome::ConnectFailed, S(0), retry(200)),
            ("connect failure, 2nd",        2, Outcome::ConnectFailed, S(0), retry(400)),
            ("connect failure, last",       3, Outcome::ConnectFailed, S(0), give_up),
            ("timeout",                     1, Outcome::TimedOut, S(0), retry(200)),
            ("dropped after sending",       1, Outcome::Dropped, S(0), retry(200)),
            ("fatal transport",             1, Outcome::Fatal, S(0), give_up),
            ("429",                         1, resp(429), S(0), retry(200)),
            ("502",                         2, resp(502), S(0), retry(400)),
            ("503",                         1, resp(503), S(0), retry(200)),
            ("504",                         1, resp(504), S(0), retry(200)),
            ("500 on POST",                 1, resp(500), S(0), give_up),
            ("500 on GET",                  1, Outcome::Response { status: 500, retry_after: None, safe_method: true }, S(0), retry(200)),
            ("200",                         1, resp(200), S(0), give_up),
            ("409 replay",                  1, resp(409), S(0), give_up),
            ("400",                         1, resp(400), S(0), give_up),
            ("401",                         1, resp(401), S(0), give_up),
            ("404 on GET",                  1, Outcome::Response { status: 404, retry_after: None, safe_method: true }, S(0), give_up),
            ("429 Retry-After 2s",          1, Outcome::Response { status: 429, retry_after: Some(S(2)), safe_method: false }, S(0), Decision::Retry { after: S(2) }),
            ("503 Retry-After capped",      1, Outcome::Response { status: 503, retry_after: Some(S(3600)), safe_method: false }, S(0), Decision::Retry { after: S(30) }),
            ("502 ignores Retry-After",     1, Outcome::Response { status: 502, retry_after: Some(S(9)), safe_method: false }, S(0), retry(200)),
            ("deadline would be crossed",   1, Outcome::TimedOut, MS(59_900), give_up),
            ("deadline just reachable",     1, Outcome::TimedOut, MS(59_800), retry(200)),
            ("Retry-After past deadline",   1, Outcome::Response { status: 429, retry_after: Some(S(10)), safe_method: false }, S(55), give_up),
        ];
        let p = policy();
        for (name, attempt, outcome, elapsed, expected) in table {
            assert_eq!(
                decide(&p, attempt, &outcome, elapsed, p.total_deadline),
                expected,
                "case: {name}"
            );
        }
    }

    #[test]
    fn backoff_doubles_caps_and_jitters() {
        let mut p = policy();
        assert_eq!(p.backoff(1), MS(200));
        assert_eq!(p.backoff(2), MS(400));
        assert_eq!(p.backoff(6), MS(5000), "capped at max_backoff");
        assert_eq!(p.backoff(u32::MAX), MS(5000), "no overflow");
        p.jitter = Arc::new(FixedJitter(0.0));
        assert_eq!(p.backoff(1), MS(100), "equal jitter: at least half");
        p.jitter = Arc::new(FixedJitter(7.0));
        assert_eq!(p.backoff(1), MS(200), "clamped sample");
        for _ in 0..100 {
            let s = RandomJitter.sample();
            assert!((0.0..1.0).contains(&s), "{s}");
        }
    }

    #[test]
    fn no_retries_policy_gives_up_at_once() {
        let p = RetryPolicy::no_retries();
        assert_eq!(
            decide(&p, 1, &Outcome::ConnectFailed, S(0), p.total_deadline),
            Decision::GiveUp
        );
    }

    #[test]
    fn retry_after_header_parsing() {
        let mut h = http::HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(http::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(S(3)));
        h.insert(
            http::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }
}
