//! The attempts of one call with one token, each in steps that read alone: sign
//! ([`crate::signer`]), send (the transport), verify ([`crate::verify`]), decide
//! ([`crate::retry`]), decode ([`crate::interpret`]).

use std::time::Duration;

use doku_transport::{Response, TransportError};
use http::StatusCode;
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::call::InFlight;
use crate::client::{Answer, Client};
use crate::error::{CallStage, Error};
use crate::interpret::interpret;
use crate::observer::Exchange;
use crate::request_timestamp;
use crate::retry::{decide, retry_after, Decision, Outcome};
use crate::signer::{self, SigningInput};
use crate::token_cache::AccessToken;
use crate::verify::{verify_signature, Expected};

impl Client {
    /// Sign, send, verify, decide, decode — until an answer, a final error, or no retry left.
    pub(crate) async fn attempts<T: DeserializeOwned>(
        &self,
        call: &mut InFlight<'_>,
        token: Option<&AccessToken>,
    ) -> Result<Answer<T>, Error> {
        loop {
            call.attempt += 1;
            let http_request = self.sign(call, token)?;
            // For the attempt's log line only, and only when it will be written.
            let shown = tracing::enabled!(tracing::Level::DEBUG).then(|| Shown::of(&http_request));
            call.progress.stage = CallStage::InFlight;
            let sent_at = Instant::now();
            // The transport's timer ends the attempt at the earlier of its timeout and the
            // call's deadline.
            let result = self
                .inner
                .transport
                .send_before(http_request, Some(call.deadline.into_std()))
                .await;
            let latency = sent_at.elapsed();
            let span = tracing::Span::current();
            span.record("attempt", call.attempt);
            span.record("latency_ms", millis(latency));
            let response = match result {
                Ok(response) => response,
                // The call's deadline cut the attempt: the call ends, as if cut from outside.
                Err(source) if source.is_timeout() && Instant::now() >= call.deadline => {
                    return Err(call.deadline_error());
                }
                Err(source) => {
                    self.observe(call, None, latency, false);
                    let (outcome, error) = self.transport_failure(call, source);
                    if let Some(shown) = &shown {
                        tracing::debug!(
                            method = shown.method,
                            url = %shown.url,
                            attempt = call.attempt,
                            latency_ms = millis(latency),
                            error = %ErrorLine(&error),
                            "attempt finished without an answer"
                        );
                    }
                    match self.decide(call, &outcome) {
                        Decision::Retry { after } => {
                            self.wait(call, after, &outcome, error).await?;
                            continue;
                        }
                        Decision::GiveUp => return Err(error),
                    }
                }
            };
            span.record("status", response.status.as_u16());
            let status = response.status.as_u16();
            let outcome = Outcome::Response {
                status,
                // Only a 429 or a 503 waits by it (`decide`): no header look-up on other answers.
                retry_after: matches!(status, 429 | 503)
                    .then(|| retry_after(&response.headers))
                    .flatten(),
                safe_method: call.request.is_safe(),
            };
            call.progress
                .finish_attempt(matches!(response.status.as_u16(), 500 | 502 | 504));
            // The signature first: an answer that fails a required check did not
            // demonstrably come from DOKU, so its status (and Retry-After) mean nothing.
            let verified = self.verify(call, &response);
            if let Some(shown) = &shown {
                tracing::debug!(
                    method = shown.method,
                    url = %shown.url,
                    attempt = call.attempt,
                    status,
                    latency_ms = millis(latency),
                    response_signature = match &verified {
                        Ok(true) => "verified",
                        Ok(false) => "not checked",
                        Err(_) => "failed",
                    },
                    "attempt finished"
                );
            }
            self.observe(
                call,
                Some(response.status),
                latency,
                matches!(verified, Ok(true)),
            );
            verified?;
            if let Decision::Retry { after } = self.decide(call, &outcome) {
                let error = Error::api(response.status, &response.body, call.request_id.as_str());
                if response.status == StatusCode::TOO_MANY_REQUESTS {
                    self.after_refusal(call);
                }
                self.wait(call, after, &outcome, error).await?;
                continue;
            }
            return decode(call, response);
        }
    }

    /// Step 1: the signed request of this attempt (fresh timestamp, same Request-Id).
    fn sign(
        &self,
        call: &InFlight<'_>,
        token: Option<&AccessToken>,
    ) -> Result<http::Request<bytes::Bytes>, Error> {
        let bearer = match token {
            Some(token) => Some(token.bearer().ok_or_else(|| {
                Error::Config("the bearer token is not a valid header value".to_owned())
            })?),
            None => None,
        };
        let timestamp = request_timestamp::header_value(self.inner.config.clock.unix_seconds())
            .ok_or_else(|| {
                Error::Config("Request-Timestamp is not a valid header value".to_owned())
            })?;
        let input = SigningInput {
            base: call.caller.base,
            client_id: call.caller.client_id,
            client_id_value: call.caller.client_id_value,
            secret_key: call.caller.secret_key,
            request_id: call.request_id.as_str(),
            timestamp: &timestamp,
            bearer,
        };
        signer::build(call.request, &input)
    }

    /// Step 2, failed: how the failure bears on retrying, and the error to report.
    fn transport_failure(
        &self,
        call: &mut InFlight<'_>,
        source: TransportError,
    ) -> (Outcome, Error) {
        let outcome = Outcome::of_transport_error(&source);
        let reached = source.may_have_reached_server();
        let error = Error::Transport {
            may_have_reached_doku: call.progress.finish_attempt(reached),
            source,
            attempts: call.attempt,
            request_id: call.request_id.as_str().to_owned(),
        };
        (outcome, error)
    }

    /// Step 3: the response signature under the configured mode; `Ok(true)` when verified.
    fn verify(&self, call: &InFlight<'_>, response: &Response) -> Result<bool, Error> {
        let expected = Expected {
            key: call.caller.secret_key,
            client_id: call.caller.client_id,
            request_id: call.request_id.as_str(),
            target: &call.request.path,
            get: call.request.is_safe(),
            credentials: call.request.endpoint.credentials(),
        };
        verify_signature(
            self.inner.config.response_signatures,
            &expected,
            response.status,
            &response.headers,
            &response.body,
        )
    }

    /// Step 4: retry or not, by the policy and the time left.
    fn decide(&self, call: &InFlight<'_>, outcome: &Outcome) -> Decision {
        decide(
            &self.inner.config.retry,
            call.attempt,
            outcome,
            call.started.elapsed(),
            call.deadline.saturating_duration_since(call.started),
        )
    }

    /// Tells the observer, if any, about this attempt.
    fn observe(
        &self,
        call: &InFlight<'_>,
        status: Option<StatusCode>,
        latency: Duration,
        signature_verified: bool,
    ) {
        if let Some(observer) = &self.inner.config.observer {
            observer.observe(&Exchange {
                endpoint: call.request.endpoint,
                request_id: call.request_id.as_str().to_owned(),
                attempt: call.attempt,
                status,
                latency,
                signature_verified,
            });
        }
    }
}

/// Step 5: the final answer decoded (or DOKU's error as an [`Error`]).
fn decode<T: DeserializeOwned>(
    call: &InFlight<'_>,
    response: Response,
) -> Result<Answer<T>, Error> {
    let request = call.request;
    // Only what may have created something; never a token or a shared key.
    let keep_body = !request.is_safe() && request.endpoint != doku_model::Endpoint::Token;
    let (value, replay) = interpret::<T>(
        response.status,
        &response.body,
        call.request_id.as_str(),
        keep_body,
    )?;
    tracing::Span::current().record("replay", replay);
    if replay {
        tracing::info!(
            "DOKU replayed the outcome of this Request-Id (HTTP 409): treated as success"
        );
    }
    Ok(Answer {
        value,
        body: response.body,
        status: response.status,
        // Both filled in by `Client::call`, which owns the call's Request-Id and attempt count.
        request_id: String::new(),
        attempts: 0,
        replay,
    })
}

/// What an attempt's log line shows of its request: the method and the URL without its query
/// (never a header or the body: no signature, token or personal data).
struct Shown {
    method: &'static str,
    url: String,
}

impl Shown {
    fn of(request: &http::Request<bytes::Bytes>) -> Self {
        let uri = request.uri();
        Self {
            method: match *request.method() {
                http::Method::GET => "GET",
                http::Method::POST => "POST",
                http::Method::PUT => "PUT",
                http::Method::DELETE => "DELETE",
                _ => "other",
            },
            url: format!(
                "{}://{}{}",
                uri.scheme_str().unwrap_or("?"),
                uri.authority().map_or("", |a| a.as_str()),
                uri.path()
            ),
        }
    }
}

/// An error and its sources on one line (`a: b: c`), for a log field.
struct ErrorLine<'a>(&'a Error);

impl std::fmt::Display for ErrorLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = std::error::Error::source(self.0);
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
