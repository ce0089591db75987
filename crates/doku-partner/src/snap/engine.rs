//! One SNAP call: its deadline, its B2B token, its attempts, and the readings it survives.
//!
//! Per attempt: a fresh `X-TIMESTAMP` from the one clock, the `X-SIGNATURE` over the body
//! bytes serialised once, the same `X-EXTERNAL-ID`; sent through the client's transport; the
//! retry decision is [`crate::retry::decide`]'s. Between the policy's retries, each reading
//! repeats a refused attempt **once**, outside the policy's attempt budget:
//!
//! | DOKU answers | reading | what the call does |
//! |---|---|---|
//! | 404 without a `responseCode` | the path version | the next of the declaration's `older_paths()`; the path that answers is remembered per client |
//! | `400xx01` naming the timestamp | `X-TIMESTAMP` in `Z` only | the same attempt with `Z`, remembered per client ([`SnapTimestamp::Detect`]) |
//! | `401xx01` (invalid token) | a new token revokes the older one | drop that token (only if still cached), fetch one, repeat once |
//! | `409xx00` after an earlier attempt may have been applied | a repeated `X-EXTERNAL-ID` is a conflict | success, marked [`Answer::replay`](crate::Answer::replay), decoded from DOKU's body |
//! | the first answer again | a repeated `X-EXTERNAL-ID` is replayed | success |
//!
//! After a refusal DOKU did not process (the three repeats above, a 429), a generated
//! `X-EXTERNAL-ID` is replaced by a fresh one unless an earlier attempt under it may have been
//! processed; a caller's is kept.
//!
//! [`SnapTimestamp::Detect`]: crate::SnapTimestamp::Detect

use std::str::FromStr as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use doku_model::snap::{
    B2bTokenRequest, B2bTokenResponse, ResponseKind, SNAP_TOKEN_LIFETIME_SECONDS,
};
use doku_model::Endpoint;
use doku_sign::snap_symmetric;
use doku_sign::SecretKey;
use doku_transport::Response;
use http::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::uri::PathAndQuery;
use http::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::field::Empty;
use tracing::Instrument as _;

use crate::api::json_body;
use crate::base_url::BaseUrl;
use crate::call_log::log_result;
use crate::client::{Answer, Client, IdOrigin};
use crate::error::{capped_lossy, CallStage, Error, SnapRefusal, MAX_ERROR_BODY_BYTES};
use crate::observer::Exchange;
use crate::progress::Progress;
use crate::retry::{decide, retry_after, Decision, Outcome};
use crate::snap::envelope::Envelope;
use crate::snap::headers::{
    CHANNEL_ID, X_CLIENT_KEY, X_EXTERNAL_ID, X_PARTNER_ID, X_SIGNATURE, X_TIMESTAMP,
};
use crate::snap::readings::path_at;
use crate::snap::token_cache::{Fetched, SnapToken};
use crate::snap::{ExternalId, SnapKeys, SnapTimestamp};

/// Whose SNAP credentials sign a call, and where it goes.
pub(crate) struct SnapCaller<'a> {
    /// The merchant's Client-Id: `X-CLIENT-KEY`, the RSA string's client id, the token cache key.
    pub(crate) client_id: &'a str,
    /// `X-PARTNER-ID` (the Client-Id unless overridden).
    pub(crate) partner_id: &'a str,
    /// The HMAC key of the symmetric signature (the merchant's secret key).
    pub(crate) secret: &'a SecretKey,
    /// The RSA key and `CHANNEL-ID`.
    pub(crate) keys: &'a SnapKeys,
    /// The Checkout/SNAP host.
    pub(crate) base: &'a BaseUrl,
}

/// One SNAP call in progress.
struct Flight<'a> {
    endpoint: Endpoint,
    body: &'a Bytes,
    /// `None` for the token request.
    external_id: Option<ExternalId>,
    origin: IdOrigin,
    progress: Progress,
    started: Instant,
    deadline: Instant,
    attempt: u32,
    /// Attempts that repeated a refusal to learn a reading (outside the retry budget).
    reading_repeats: u32,
    path_index: u8,
    tried_utc: bool,
    refreshed_token: bool,
    /// Whether the last attempt sent `X-TIMESTAMP` with `Z`.
    sent_utc: bool,
}

impl Flight<'_> {
    fn id(&self) -> &str {
        self.external_id.as_ref().map_or("-", ExternalId::as_str)
    }

    fn deadline_error(&mut self) -> Error {
        let total = self.deadline.saturating_duration_since(self.started);
        let id = self.id().to_owned();
        self.progress.deadline_error(total, self.attempt, &id)
    }
}

/// Unix milliseconds: the injected clock's second, the system clock's millisecond within it.
fn unix_millis(seconds: i64) -> u64 {
    let sub = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_millis()));
    u64::try_from(seconds).unwrap_or(0).saturating_mul(1000) + sub
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn header(value: &str, what: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::Config(format!("the SNAP {what} is not a valid header value")))
}

impl Client {
    /// A SNAP transaction to `endpoint` with exactly `body`, under `external_id` (else a
    /// generated one), within `deadline` (else the policy's).
    pub(crate) async fn snap_call<T: DeserializeOwned>(
        &self,
        caller: &SnapCaller<'_>,
        endpoint: Endpoint,
        body: Bytes,
        external_id: Option<ExternalId>,
        deadline: Option<Duration>,
    ) -> Result<Answer<T>, Error> {
        let (external_id, origin) = match external_id {
            Some(id) => (id, IdOrigin::Caller),
            None => (self.new_external_id(), IdOrigin::Generated),
        };
        let started = Instant::now();
        let total = deadline.unwrap_or(self.inner.config.retry.total_deadline);
        let mut flight = Flight {
            endpoint,
            body: &body,
            external_id: Some(external_id),
            origin,
            progress: Progress::new(),
            started,
            deadline: started + total,
            attempt: 0,
            reading_repeats: 0,
            path_index: self.inner.snap.readings.path_index(endpoint),
            tried_utc: false,
            refreshed_token: false,
            sent_utc: false,
        };
        let span = snap_span(endpoint, flight.id());
        async {
            let result = self.run_transaction(caller, &mut flight).await;
            log_result(&result, started);
            result
        }
        .instrument(span)
        .await
    }

    /// The caller's B2B token lifetime: the cached token when fresh, else one fetch (shared
    /// with concurrent callers of the same client id), within `total`.
    pub(crate) async fn ensure_snap_token(
        &self,
        caller: &SnapCaller<'_>,
        total: Duration,
    ) -> Result<crate::TokenLifetime, Error> {
        let slot = self.inner.snap.tokens.slot(caller.client_id);
        let clock = &self.inner.config.clock;
        if slot.fresh(clock.unix_seconds()).is_none() {
            let deadline = Instant::now() + total;
            let fetch = slot.get_or_fetch(
                || clock.unix_seconds(),
                self.inner.config.refresh_margin,
                || self.fetch_snap_token(caller, deadline),
            );
            match tokio::time::timeout_at(deadline, fetch).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => {
                    let mut progress = Progress::new();
                    progress.stage = CallStage::FetchingToken;
                    return Err(progress.deadline_error(total, 0, "-"));
                }
            }
        }
        slot.lifetime().ok_or_else(|| {
            Error::Config(
                "the B2B token was refused by another call as soon as it was fetched: try again"
                    .to_owned(),
            )
        })
    }

    fn new_external_id(&self) -> ExternalId {
        ExternalId::generate(unix_millis(self.inner.config.clock.unix_seconds()))
    }

    async fn run_transaction<T: DeserializeOwned>(
        &self,
        caller: &SnapCaller<'_>,
        flight: &mut Flight<'_>,
    ) -> Result<Answer<T>, Error> {
        let slot = self.inner.snap.tokens.slot(caller.client_id);
        let (response, envelope) = loop {
            flight.progress.stage = CallStage::FetchingToken;
            let clock = &self.inner.config.clock;
            let token = match slot.fresh(clock.unix_seconds()) {
                Some(token) => token,
                None => {
                    let deadline = flight.deadline;
                    let fetch = slot.get_or_fetch(
                        || clock.unix_seconds(),
                        self.inner.config.refresh_margin,
                        || self.fetch_snap_token(caller, deadline),
                    );
                    match tokio::time::timeout_at(deadline, fetch).await {
                        Ok(Ok(token)) => token,
                        Err(_) => return Err(flight.deadline_error()),
                        Ok(Err(e @ Error::DeadlineExceeded { .. })) => {
                            flight.progress.last = Some(Box::new(e));
                            return Err(flight.deadline_error());
                        }
                        Ok(Err(e)) => return Err(e),
                    }
                }
            };
            let (response, envelope) = self.exchange(caller, flight, Some(&token)).await?;
            if envelope.kind() == ResponseKind::InvalidToken && !flight.refreshed_token {
                tracing::info!(
                    "DOKU refused the B2B token (responseCode {}); fetching a new one and repeating once",
                    envelope.code.as_ref().map_or("-", |c| c.as_str())
                );
                slot.invalidate(token.generation);
                flight.refreshed_token = true;
                flight.reading_repeats += 1;
                flight.progress.last = Some(Box::new(
                    self.snap_error(caller, flight, &response, &envelope),
                ));
                self.after_snap_refusal(flight);
                continue;
            }
            break (response, envelope);
        };
        let kind = envelope.kind();
        let replay = kind == ResponseKind::Conflict && flight.progress.may_have_reached;
        let success = response.status.is_success() && kind == ResponseKind::Success;
        if !(success || replay) {
            return Err(self.snap_error(caller, flight, &response, &envelope));
        }
        let value = doku_model::decode::<T>(&response.body).map_err(|e| Error::Decode {
            path: e.path.clone(),
            message: e.to_string(),
            status: response.status,
            request_id: flight.id().to_owned(),
            body: Some(response.body.clone()),
            source: Box::new(e),
        })?;
        tracing::Span::current().record("replay", replay);
        if replay {
            tracing::info!(
                "DOKU answered a repeat of this X-EXTERNAL-ID with a conflict after an earlier attempt may have been applied: treated as success"
            );
        }
        Ok(Answer {
            value,
            body: response.body,
            status: response.status,
            request_id: flight.id().to_owned(),
            attempts: flight.attempt,
            replay,
        })
    }

    /// The B2B token request (asymmetric signature), within the calling call's `deadline`.
    async fn fetch_snap_token(
        &self,
        caller: &SnapCaller<'_>,
        deadline: Instant,
    ) -> Result<Fetched, Error> {
        let body = Bytes::from(json_body(&B2bTokenRequest::client_credentials())?);
        let started = Instant::now();
        let fetched_at = self.inner.config.clock.unix_seconds();
        let mut flight = Flight {
            endpoint: Endpoint::SnapToken,
            body: &body,
            external_id: None,
            origin: IdOrigin::Caller,
            progress: Progress::new(),
            started,
            deadline,
            attempt: 0,
            reading_repeats: 0,
            path_index: 0,
            tried_utc: false,
            refreshed_token: false,
            sent_utc: false,
        };
        let span = snap_span(Endpoint::SnapToken, "-");
        async {
            let result = self.token_exchange(caller, &mut flight, fetched_at).await;
            log_result(&result, started);
            result
        }
        .instrument(span)
        .await
    }

    async fn token_exchange(
        &self,
        caller: &SnapCaller<'_>,
        flight: &mut Flight<'_>,
        fetched_at: i64,
    ) -> Result<Fetched, Error> {
        let (response, envelope) = self.exchange(caller, flight, None).await?;
        if !(response.status.is_success() && envelope.kind() == ResponseKind::Success) {
            return Err(self.snap_error(caller, flight, &response, &envelope));
        }
        let answer = doku_model::decode::<B2bTokenResponse>(&response.body).map_err(|e| {
            Error::Decode {
                path: e.path.clone(),
                message: e.to_string(),
                status: response.status,
                request_id: "-".to_owned(),
                // The answer holds a token: never kept.
                body: None,
                source: Box::new(e),
            }
        })?;
        let expires_in = answer
            .expires_in_seconds()
            .unwrap_or(SNAP_TOKEN_LIFETIME_SECONDS);
        match answer.access_token {
            Some(token) if !token.is_empty() && HeaderValue::from_str(&token).is_ok() => {
                Ok(Fetched {
                    token,
                    expires_in,
                    fetched_at,
                })
            }
            _ => Err(Error::InvalidToken {
                status: response.status,
                request_id: "-".to_owned(),
            }),
        }
    }

    /// Attempts until an answer that is not retried nor repeated for a reading.
    async fn exchange(
        &self,
        caller: &SnapCaller<'_>,
        flight: &mut Flight<'_>,
        token: Option<&SnapToken>,
    ) -> Result<(Response, Envelope), Error> {
        let config = &self.inner.config;
        let readings = &self.inner.snap.readings;
        loop {
            flight.attempt += 1;
            let path =
                path_at(flight.endpoint, flight.path_index).unwrap_or(flight.endpoint.path());
            let request = self.snap_request(caller, flight, path, token)?;
            flight.progress.stage = CallStage::InFlight;
            let sent_at = Instant::now();
            let result = self
                .inner
                .transport
                .send_before(request, Some(flight.deadline.into_std()))
                .await;
            let latency = sent_at.elapsed();
            let span = tracing::Span::current();
            span.record("attempt", flight.attempt);
            span.record("latency_ms", millis(latency));
            let response = match result {
                Ok(response) => response,
                Err(source) if source.is_timeout() && Instant::now() >= flight.deadline => {
                    return Err(flight.deadline_error());
                }
                Err(source) => {
                    self.observe_snap(flight, None, latency);
                    let outcome = Outcome::of_transport_error(&source);
                    let reached = flight
                        .progress
                        .finish_attempt(source.may_have_reached_server());
                    let error = Error::Transport {
                        source,
                        may_have_reached_doku: reached,
                        attempts: flight.attempt,
                        request_id: flight.id().to_owned(),
                    };
                    match self.snap_decide(flight, &outcome) {
                        Decision::Retry { after } => {
                            self.snap_wait(flight, after, error).await?;
                            continue;
                        }
                        Decision::GiveUp => return Err(error),
                    }
                }
            };
            let status = response.status.as_u16();
            span.record("status", status);
            self.observe_snap(flight, Some(response.status), latency);
            flight
                .progress
                .finish_attempt(matches!(status, 500 | 502 | 504));
            let envelope = Envelope::read(&response.body);

            // The path version: a route-level 404 (no SNAP answer) at this path.
            if status == 404 && envelope.code.is_none() {
                let next = flight.path_index + 1;
                if path_at(flight.endpoint, next).is_some() {
                    tracing::info!(
                        path,
                        "no SNAP route at this path; trying the next older path once"
                    );
                    flight.path_index = next;
                    flight.reading_repeats += 1;
                    self.after_snap_refusal(flight);
                    continue;
                }
            } else if readings.path_index(flight.endpoint) != flight.path_index {
                readings.remember_path(flight.endpoint, flight.path_index);
            }

            // The timestamp form: `+07:00` refused as an invalid field format.
            if envelope.kind() == ResponseKind::InvalidFieldFormat
                && envelope.names_timestamp()
                && config.snap_timestamp == SnapTimestamp::Detect
                && !flight.sent_utc
                && !flight.tried_utc
            {
                tracing::info!("DOKU refused the +07:00 X-TIMESTAMP; repeating once with Z, and sending Z from now on");
                readings.learn_utc();
                flight.tried_utc = true;
                flight.reading_repeats += 1;
                self.after_snap_refusal(flight);
                continue;
            }

            let outcome = Outcome::Response {
                status,
                retry_after: matches!(status, 429 | 503)
                    .then(|| retry_after(&response.headers))
                    .flatten(),
                // No effect to double: a status check, a token.
                safe_method: matches!(flight.endpoint, Endpoint::VaStatus | Endpoint::SnapToken),
            };
            if let Decision::Retry { after } = self.snap_decide(flight, &outcome) {
                let error = self.snap_error(caller, flight, &response, &envelope);
                if status == 429 {
                    self.after_snap_refusal(flight);
                }
                self.snap_wait(flight, after, error).await?;
                continue;
            }
            return Ok((response, envelope));
        }
    }

    /// The signed request of one attempt.
    fn snap_request(
        &self,
        caller: &SnapCaller<'_>,
        flight: &mut Flight<'_>,
        path: &'static str,
        token: Option<&SnapToken>,
    ) -> Result<http::Request<Bytes>, Error> {
        let config = &self.inner.config;
        let timestamp = config
            .snap_timestamp
            .format(config.clock.unix_seconds(), self.inner.snap.readings.utc());
        flight.sent_utc = timestamp.ends_with('Z');
        let method = Method::from_str(flight.endpoint.method())
            .map_err(|_| Error::Config("not an HTTP method".to_owned()))?;
        let uri = caller.base.join(PathAndQuery::from_static(path));
        let mut headers = http::HeaderMap::with_capacity(9);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(X_TIMESTAMP, header(&timestamp, "X-TIMESTAMP")?);
        match (token, &flight.external_id) {
            (Some(token), Some(external_id)) => {
                let signature = snap_symmetric::sign(
                    caller.secret,
                    &snap_symmetric::Message {
                        method: flight.endpoint.method(),
                        path,
                        access_token: token.expose(),
                        body: flight.body,
                        timestamp: &timestamp,
                    },
                );
                headers.insert(X_SIGNATURE, header(&signature.to_string(), "X-SIGNATURE")?);
                headers.insert(AUTHORIZATION, token.bearer().clone());
                headers.insert(X_PARTNER_ID, header(caller.partner_id, "X-PARTNER-ID")?);
                headers.insert(
                    X_EXTERNAL_ID,
                    header(external_id.as_str(), "X-EXTERNAL-ID")?,
                );
                headers.insert(CHANNEL_ID, header(&caller.keys.channel_id, "CHANNEL-ID")?);
            }
            _ => {
                let signature = caller
                    .keys
                    .private_key
                    .sign(caller.client_id, &timestamp)
                    .map_err(|e| {
                        Error::Config(format!("cannot sign the SNAP token request: {e}"))
                    })?;
                headers.insert(X_SIGNATURE, header(&signature, "X-SIGNATURE")?);
                headers.insert(X_CLIENT_KEY, header(caller.client_id, "X-CLIENT-KEY")?);
            }
        }
        let mut request = http::Request::new(flight.body.clone());
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        Ok(request)
    }

    /// After a refusal DOKU did not process: a generated `X-EXTERNAL-ID` is replaced, unless
    /// an earlier attempt under it may have been processed (only it gets that outcome back).
    fn after_snap_refusal(&self, flight: &mut Flight<'_>) {
        if flight.external_id.is_some()
            && flight.origin == IdOrigin::Generated
            && !flight.progress.may_have_reached
        {
            flight.external_id = Some(self.new_external_id());
            tracing::Span::current().record("request_id", flight.id());
        }
    }

    fn snap_decide(&self, flight: &Flight<'_>, outcome: &Outcome) -> Decision {
        decide(
            &self.inner.config.retry,
            flight.attempt.saturating_sub(flight.reading_repeats),
            outcome,
            flight.started.elapsed(),
            flight.deadline.saturating_duration_since(flight.started),
        )
    }

    async fn snap_wait(
        &self,
        flight: &mut Flight<'_>,
        after: Duration,
        error: Error,
    ) -> Result<(), Error> {
        tracing::info!(
            attempt = flight.attempt,
            wait_ms = millis(after),
            "retrying"
        );
        flight.progress.stage = CallStage::WaitingToRetry;
        flight.progress.last = Some(Box::new(error));
        let until = Instant::now() + after;
        tokio::time::sleep_until(until.min(flight.deadline)).await;
        if until >= flight.deadline {
            return Err(flight.deadline_error());
        }
        Ok(())
    }

    fn observe_snap(&self, flight: &Flight<'_>, status: Option<StatusCode>, latency: Duration) {
        if let Some(observer) = &self.inner.config.observer {
            observer.observe(&Exchange {
                endpoint: flight.endpoint,
                request_id: flight.id().to_owned(),
                attempt: flight.attempt,
                status,
                latency,
                // DOKU's SNAP pages define no response signature.
                signature_verified: false,
            });
        }
    }

    /// [`Error::Snap`] for a final (or retried) answer.
    fn snap_error(
        &self,
        caller: &SnapCaller<'_>,
        flight: &Flight<'_>,
        response: &Response,
        envelope: &Envelope,
    ) -> Error {
        let kind = envelope.kind();
        let token_call = flight.endpoint == Endpoint::SnapToken;
        Error::Snap(Box::new(SnapRefusal {
            endpoint: flight.endpoint,
            status: response.status,
            code: envelope.code.clone(),
            kind,
            message: envelope.message.clone(),
            external_id: flight.external_id.as_ref().map(|i| i.as_str().to_owned()),
            attempts: flight.attempt,
            may_have_been_applied: flight.progress.may_have_reached,
            hint: hint(caller, flight, response.status, envelope),
            body: if token_call {
                String::new()
            } else {
                capped_lossy(&response.body, MAX_ERROR_BODY_BYTES)
            },
        }))
    }
}

/// What a refusal most likely means, when its code names a cause.
fn hint(
    caller: &SnapCaller<'_>,
    flight: &Flight<'_>,
    status: StatusCode,
    envelope: &Envelope,
) -> Option<String> {
    let client = caller.client_id;
    let token_call = flight.endpoint == Endpoint::SnapToken;
    Some(match envelope.kind() {
        ResponseKind::UnauthorizedSignature if token_call => format!(
            "DOKU refused the token signature: is this the private key whose public half was uploaded for client {client}?"
        ),
        ResponseKind::UnauthorizedSignature => format!(
            "DOKU refused the X-SIGNATURE: is the merchant's secret key the client secret DOKU issued for client {client}?"
        ),
        ResponseKind::InvalidToken => format!(
            "DOKU refused a freshly fetched B2B token as well: is client {client} enabled for SNAP on this host?"
        ),
        ResponseKind::InvalidFieldFormat if envelope.names_timestamp() => {
            "DOKU refused the X-TIMESTAMP form: see ConfigBuilder::snap_timestamp".to_owned()
        }
        ResponseKind::Conflict if !token_call => format!(
            "X-EXTERNAL-ID {} was already used today for a request no attempt of this call made: send the call with a new X-EXTERNAL-ID",
            flight.id()
        ),
        _ if status == StatusCode::NOT_FOUND && envelope.code.is_none() => format!(
            "no SNAP route for {} at the current or older paths: is the environment's base URL DOKU's SNAP host?",
            flight.endpoint.name()
        ),
        _ => return None,
    })
}

/// The span of one SNAP call: the same name and fields as every other call's.
fn snap_span(endpoint: Endpoint, id: &str) -> tracing::Span {
    tracing::info_span!(
        "doku_partner.call",
        endpoint = endpoint.name(),
        request_id = id,
        attempt = Empty,
        status = Empty,
        latency_ms = Empty,
        replay = Empty,
    )
}
