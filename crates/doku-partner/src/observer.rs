//! Per-attempt observations for callers: metrics, progress output, audits.
//!
//! Logs go through `tracing`; an [`Observer`] is for callers who want the same facts as data (the `doku demo`
//! progress lines use it). It sees no secret, token or body.

use std::time::Duration;

use http::StatusCode;

use doku_model::Endpoint;

/// What happened in one HTTP attempt of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exchange {
    /// Which Partner API call.
    pub endpoint: Endpoint,
    /// The call's Request-Id (the same on every attempt).
    pub request_id: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The HTTP status, or `None` when no response arrived (connect failure, timeout, dropped connection).
    pub status: Option<StatusCode>,
    /// Time from sending to having the whole response (or the failure).
    pub latency: Duration,
    /// Whether this response's `Signature` was verified (false when absent and not required, when the mode is
    /// `Off`, or when verification failed). A retried answer is verified before it is retried.
    pub signature_verified: bool,
}

/// Receives an [`Exchange`] after every attempt. Any `Fn(&Exchange) + Send + Sync` is an observer.
///
/// It is called on the request's task: keep it quick and non-blocking.
pub trait Observer: Send + Sync + 'static {
    /// Called once per attempt.
    fn observe(&self, exchange: &Exchange);
}

impl<F> Observer for F
where
    F: Fn(&Exchange) + Send + Sync + 'static,
{
    fn observe(&self, exchange: &Exchange) {
        self(exchange);
    }
}
