//! One call: its deadline, its bearer token, and the one repeat after DOKU refuses the token.
//! The attempts themselves are [`crate::attempt`].
//!
//! The whole-call deadline bounds each wait of the call where it happens, rather than through
//! a timer around the whole call: the token (a timer only when the token is not cached), the
//! attempt in flight (the transport's own timer, set to the earlier of the attempt timeout and
//! the call's deadline — one timer entry per attempt, not two) and the waits between
//! attempts. Whichever of them meets the deadline ends the call with
//! [`Error::DeadlineExceeded`] built from how far the call got.

use std::time::Duration;

use doku_model::RequestId;
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::call_log::{call_span, log_result};
use crate::client::{Answer, Caller, Client, IdOrigin};
use crate::error::{CallStage, Error};
use crate::progress::Progress;
use crate::request::ApiRequest;
use crate::retry::Outcome;

/// One call in progress: what it sends, as whom, under which Request-Id, and how far it got.
pub(crate) struct InFlight<'a> {
    pub(crate) caller: &'a Caller<'a>,
    pub(crate) request: &'a ApiRequest,
    /// The Request-Id (replaced only after a refusal, see [`Client::after_refusal`]).
    pub(crate) request_id: RequestId,
    pub(crate) origin: IdOrigin,
    /// How far it got (what the deadline reports).
    pub(crate) progress: Progress,
    /// When the call began (the deadline and the retry budget count from here).
    pub(crate) started: Instant,
    /// When the whole call must end: `started` + the call's deadline (its own, else the
    /// policy's total deadline).
    pub(crate) deadline: Instant,
    /// Attempts made so far, counted across the 401 repeat.
    pub(crate) attempt: u32,
}

impl InFlight<'_> {
    /// The call's [`Error::DeadlineExceeded`]: where it was cut, after how many attempts.
    pub(crate) fn deadline_error(&mut self) -> Error {
        let total = self.deadline.saturating_duration_since(self.started);
        self.progress
            .deadline_error(total, self.attempt, self.request_id.as_str())
    }
}

impl Client {
    /// One call under the whole-call deadline `total`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        caller: &Caller<'_>,
        request: &ApiRequest,
        request_id: RequestId,
        origin: IdOrigin,
        total: Duration,
    ) -> Result<Answer<T>, Error> {
        let span = call_span(request, request_id.as_str());
        let started = Instant::now();
        let mut call = InFlight {
            caller,
            request,
            request_id,
            origin,
            progress: Progress::new(),
            started,
            deadline: started + total,
            attempt: 0,
        };
        let result = async {
            let result = self.run(&mut call).await;
            log_result(&result, started);
            result
        }
        .instrument(span)
        .await;
        // The answer's Request-Id is the call's last, moved rather than copied.
        result.map(|answer| Answer {
            request_id: call.request_id.into_string(),
            attempts: call.attempt,
            ..answer
        })
    }

    /// The call: token, attempts, and the 401 repeat, each wait bounded by the call's deadline.
    async fn run<T: DeserializeOwned>(&self, call: &mut InFlight<'_>) -> Result<Answer<T>, Error> {
        if !call.request.needs_token() {
            return self.attempts(call, None).await;
        }
        let mut refreshed = false;
        loop {
            call.progress.stage = CallStage::FetchingToken;
            // A cached token is taken at once, with no timer built around it (what
            // `access_token` would return on its first poll); the deadline bounds only a fetch
            // (or another caller's fetch) that has to be waited for.
            let cached = self
                .inner
                .tokens
                .fresh(self.inner.config.clock.unix_seconds());
            let token = match cached {
                Some(token) => token,
                None => match tokio::time::timeout_at(call.deadline, self.access_token()).await {
                    Ok(Ok(token)) => token,
                    Err(_) => return Err(call.deadline_error()),
                    // The token call has its own deadline, of the same length but started
                    // later; when it ends first (same timer tick), report this call's deadline.
                    Ok(Err(e @ Error::DeadlineExceeded { .. })) => {
                        call.progress.last = Some(Box::new(e));
                        return Err(call.deadline_error());
                    }
                    Ok(Err(e)) => return Err(e),
                },
            };
            match self.attempts(call, Some(&token)).await {
                Err(e) if e.is_unauthorized() && !refreshed => {
                    tracing::info!(
                        "DOKU refused the bearer token; refreshing it and repeating the call once"
                    );
                    self.inner.tokens.invalidate(token.generation);
                    refreshed = true;
                    // The cause to report if the deadline cuts the repeat.
                    call.progress.last = Some(Box::new(e));
                    self.after_refusal(call);
                }
                other => return other,
            }
        }
    }

    /// After a refusal DOKU did not process (401, 429): a generated Request-Id is replaced by
    /// a fresh one, so a DOKU that records refusals for replay does not answer the repeat with
    /// the old refusal; a caller-supplied one is kept (the caller chose the idempotency key).
    ///
    /// Only when no earlier attempt under this id may have been processed: after a timeout or
    /// a dropped connection, DOKU may hold an outcome under the id, and only the same id gets
    /// it replayed instead of doing the work twice.
    pub(crate) fn after_refusal(&self, call: &mut InFlight<'_>) {
        if call.origin == IdOrigin::Generated && !call.progress.may_have_reached {
            call.request_id = self.inner.config.request_ids.generate();
            tracing::Span::current().record("request_id", call.request_id.as_str());
        }
    }

    /// Waits `after` before the next attempt, remembering `error` as the last outcome; never
    /// past the call's deadline, which ends the call here if it comes first.
    pub(crate) async fn wait(
        &self,
        call: &mut InFlight<'_>,
        after: Duration,
        outcome: &Outcome,
        error: Error,
    ) -> Result<(), Error> {
        tracing::info!(
            attempt = call.attempt,
            wait_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
            ?outcome,
            "retrying"
        );
        call.progress.stage = CallStage::WaitingToRetry;
        call.progress.last = Some(Box::new(error));
        let until = Instant::now() + after;
        tokio::time::sleep_until(until.min(call.deadline)).await;
        if until >= call.deadline {
            return Err(call.deadline_error());
        }
        Ok(())
    }
}
