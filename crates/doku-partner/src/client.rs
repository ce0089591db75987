//! The client: signs, sends, retries, verifies and decodes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use doku_model::{RequestId, TokenRequest, TokenResponse};
use doku_sign::SecretKey;
use doku_transport::{Transport, TransportError};
use http::StatusCode;
use serde::de::DeserializeOwned;
use tracing::field::Empty;
use tracing::Instrument as _;

use crate::config::{Config, ResponseSignatureMode};
use crate::endpoint::{ApiRequest, CallOptions, EndpointName};
use crate::error::{CallStage, Error};
use crate::observer::Exchange;
use crate::response_check::{self, Expected};
use crate::retry::{self, decide, Decision, Outcome};
use crate::signer::{self, SigningInput};
use crate::token_cache::{AccessToken, TokenCache, TokenLifetime};

/// A DOKU Partner API client. Cheap to clone (clones share the connection pool and the token
/// cache); create one per partner credential and reuse it.
///
/// Every typed method (see the crate docs) validates its input before any network call,
/// gets a bearer token from the cache when the call needs one, and runs the request through
/// [`Client::execute`].
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    transport: Transport,
    tokens: TokenCache,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `config`.
    ///
    /// # Errors
    ///
    /// [`Error::TransportSetup`] when the transport cannot be built (e.g. a zero timeout, or
    /// plain `http://` to a non-loopback host).
    pub fn new(config: Config) -> Result<Self, Error> {
        let transport = Transport::new(config.transport.clone()).map_err(Error::TransportSetup)?;
        let base: http::Uri = config
            .environment
            .base_url()
            .parse()
            .map_err(|e| Error::Config(format!("base URL: {e}")))?;
        transport.check_uri(&base).map_err(Error::TransportSetup)?;
        let tokens = TokenCache::new(
            config
                .token_valid_minutes
                .unwrap_or(doku_model::DEFAULT_VALID_TIME_MINUTES),
            config.refresh_margin,
        );
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                transport,
                tokens,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// When the cached token will be refreshed and when it expires (Unix seconds), if a token
    /// is cached.
    pub fn cached_token_lifetime(&self) -> Option<TokenLifetime> {
        self.inner.tokens.lifetime()
    }

    /// `text` with every occurrence of the secret key and of the bearer tokens this client
    /// obtained lately replaced by `***`: for printing what a server sent (an error message,
    /// a body) when that server may reflect a credential back.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        let mut needles: Vec<String> = self
            .inner
            .tokens
            .issued()
            .iter()
            .map(|t| t.to_string())
            .collect();
        if let Ok(secret) = std::str::from_utf8(self.inner.config.secret_key.expose_bytes()) {
            needles.push(secret.to_owned());
        }
        // Longest first, so a secret containing another is replaced whole.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        for needle in needles.iter().filter(|n| !n.is_empty()) {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), "***");
            }
        }
        out
    }

    /// Calls Generate Token with `options` (without caching the answer); also returns the
    /// Unix second at which the call started, from which the token's lifetime counts.
    pub(crate) async fn fetch_token(
        &self,
        options: CallOptions,
    ) -> Result<(TokenResponse, i64), Error> {
        let fetched_at = self.inner.config.clock.unix_seconds();
        let mut body = TokenRequest::client_credentials();
        if let Some(minutes) = self.inner.config.token_valid_minutes {
            body = body.with_valid_time(minutes);
        }
        let bytes =
            serde_json::to_vec(&body).map_err(|e| Error::Config(format!("token body: {e}")))?;
        let request = ApiRequest::post_json(EndpointName::Token, doku_model::paths::TOKEN, bytes)
            .with_token(false);
        let answer: Answer<TokenResponse> = self.execute_answer(&request, options).await?;
        let response = answer.value;
        let header_safe = !response.token.is_empty()
            && http::HeaderValue::from_str(&format!("Bearer {}", response.token)).is_ok();
        if !header_safe {
            return Err(Error::Decode {
                path: "token".to_owned(),
                message: "the token is empty or not valid in an HTTP header".to_owned(),
                status: StatusCode::OK,
                request_id: answer.request_id,
                body: None,
                source: Box::new(doku_model::DecodeError {
                    path: "token".to_owned(),
                    message: "not a header-safe string".to_owned(),
                    kind: doku_model::DecodeErrorKind::Data,
                    line: 1,
                    column: 1,
                }),
            });
        }
        Ok((response, fetched_at))
    }

    /// Caches a token fetched at `fetched_at`.
    pub(crate) fn cache_token(&self, token: &str, fetched_at: i64) {
        self.inner.tokens.store(token, fetched_at);
    }

    /// The cached bearer token, or a fresh one (single-flight).
    async fn access_token(&self) -> Result<AccessToken, Error> {
        let clock = self.inner.config.clock.clone();
        self.inner
            .tokens
            .get_or_refresh(
                || clock.unix_seconds(),
                || async {
                    // Boxed: a call fetches a token through a call (a recursive future type).
                    let (response, fetched_at) =
                        Box::pin(self.fetch_token(CallOptions::default())).await?;
                    Ok((response.token, fetched_at))
                },
            )
            .await
    }

    /// Sends a described request and decodes the answer as `T`: the engine behind every typed
    /// method, public for calls this crate does not wrap.
    ///
    /// - One Request-Id for the call (from `options`, else the generator), kept on every
    ///   retry after a connection failure, a timeout or a 5xx — DOKU deduplicates by it. Each
    ///   attempt is re-signed with a fresh `Request-Timestamp`.
    /// - Retries as [`retry::decide`] says.
    /// - For calls needing a token: a 401 invalidates the cached token, fetches a new one and
    ///   repeats the call once.
    /// - After a 401 or a 429 the refused request was never processed; if DOKU records
    ///   refusals for replay, repeating its Request-Id would get the refusal back forever. So
    ///   a **generated** Request-Id is replaced by a fresh one for the repeat — unless an
    ///   earlier attempt under it may have been processed (timeout, dropped connection), when
    ///   only the same id gets that outcome replayed; a caller-supplied one (`options`) is
    ///   kept, and a replayed refusal is [`Error::ReplayedRefusal`].
    /// - The response signature is checked as configured, before any retry decision: an answer
    ///   that fails a required check is [`Error::Signature`], whatever its status.
    /// - A 2xx, or a 409 whose body is a `T` (DOKU's replay of an already processed
    ///   Request-Id), is success.
    /// - The whole call — token fetch, attempts, waits, the 401 repeat — ends by
    ///   [`RetryPolicy::total_deadline`](crate::RetryPolicy::total_deadline); when it passes,
    ///   whatever is in progress is cut and the call fails with [`Error::DeadlineExceeded`].
    ///
    /// # Errors
    ///
    /// Any [`Error`] variant except `Validation`, `Config`-at-build and `Io`.
    pub async fn execute<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        options: CallOptions,
    ) -> Result<T, Error> {
        self.execute_answer(request, options)
            .await
            .map(|answer| answer.value)
    }

    /// [`Client::execute`], also returning the body exactly as DOKU sent it (e.g. to store or
    /// print DOKU's JSON verbatim, with nothing lost or added by re-serialising `T`).
    ///
    /// # Errors
    ///
    /// As [`Client::execute`].
    pub async fn execute_answer<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        options: CallOptions,
    ) -> Result<Answer<T>, Error> {
        let (request_id, origin) = match options.request_id {
            Some(id) => (id, IdOrigin::Caller),
            None => (
                self.inner.config.request_ids.generate(),
                IdOrigin::Generated,
            ),
        };
        let caller = self.partner_caller();
        self.call(&caller, request, request_id, origin).await
    }

    /// The partner's own credentials on the Partner API host.
    pub(crate) fn partner_caller(&self) -> Caller<'_> {
        let config = &self.inner.config;
        Caller {
            client_id: config.client_id.as_str(),
            secret_key: &config.secret_key,
            base_url: config.environment.base_url(),
        }
    }

    /// [`Client::execute_answer`] signed as `caller` (a merchant's credentials and API host):
    /// the one engine for Partner and merchant calls alike.
    pub(crate) async fn execute_as<T: DeserializeOwned>(
        &self,
        caller: &Caller<'_>,
        request: &ApiRequest,
        options: CallOptions,
    ) -> Result<Answer<T>, Error> {
        let (request_id, origin) = match options.request_id {
            Some(id) => (id, IdOrigin::Caller),
            None => (
                self.inner.config.request_ids.generate(),
                IdOrigin::Generated,
            ),
        };
        self.call(caller, request, request_id, origin).await
    }

    /// One call under the whole-call deadline.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        caller: &Caller<'_>,
        request: &ApiRequest,
        request_id: RequestId,
        origin: IdOrigin,
    ) -> Result<Answer<T>, Error> {
        let span = call_span(request, &request_id);
        let started = Instant::now();
        let total = self.inner.config.retry.total_deadline;
        let progress = Mutex::new(Progress::new(&request_id));
        async {
            let run = self.run::<T>(caller, request, request_id, origin, &progress, started);
            let result = match tokio::time::timeout_at(started + total, run).await {
                Ok(result) => result,
                Err(_) => Err(lock(&progress).deadline_error(total)),
            };
            log_result(&result, started);
            result
        }
        .instrument(span)
        .await
    }

    /// The call without the deadline: token, attempts, and the 401 repeat.
    async fn run<T: DeserializeOwned>(
        &self,
        caller: &Caller<'_>,
        request: &ApiRequest,
        mut request_id: RequestId,
        origin: IdOrigin,
        progress: &Mutex<Progress>,
        started: Instant,
    ) -> Result<Answer<T>, Error> {
        let mut attempt = 0;
        if !request.needs_token {
            return self
                .attempts::<T>(
                    caller,
                    request,
                    &mut request_id,
                    origin,
                    None,
                    progress,
                    started,
                    &mut attempt,
                )
                .await;
        }
        let mut refreshed = false;
        loop {
            lock(progress).stage = CallStage::FetchingToken;
            let token = match self.access_token().await {
                Ok(token) => token,
                // The token call has its own deadline, of the same length but started later;
                // when it ends first (same timer tick), report this call's deadline.
                Err(e @ Error::DeadlineExceeded { .. }) => {
                    let mut p = lock(progress);
                    p.last = Some(Box::new(e));
                    return Err(p.deadline_error(self.inner.config.retry.total_deadline));
                }
                Err(e) => return Err(e),
            };
            let result = self
                .attempts::<T>(
                    caller,
                    request,
                    &mut request_id,
                    origin,
                    Some(&token),
                    progress,
                    started,
                    &mut attempt,
                )
                .await;
            match result {
                Err(e) if e.is_unauthorized() && !refreshed => {
                    tracing::info!(
                        "DOKU refused the bearer token; refreshing it and repeating the call once"
                    );
                    self.inner.tokens.invalidate(token.generation);
                    refreshed = true;
                    // The cause to report if the deadline cuts the repeat.
                    lock(progress).last = Some(Box::new(e));
                    self.after_refusal(&mut request_id, origin, progress);
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
    fn after_refusal(
        &self,
        request_id: &mut RequestId,
        origin: IdOrigin,
        progress: &Mutex<Progress>,
    ) {
        let mut p = lock(progress);
        if origin == IdOrigin::Generated && !p.id_may_have_reached {
            *request_id = self.inner.config.request_ids.generate();
            tracing::Span::current().record("request_id", request_id.as_str());
            p.request_id = request_id.to_string();
        }
    }

    /// The attempts of one call with one token: sign, send, verify, decide, decode.
    /// `attempt` counts across the 401 repeat.
    #[allow(clippy::too_many_arguments)]
    async fn attempts<T: DeserializeOwned>(
        &self,
        caller: &Caller<'_>,
        request: &ApiRequest,
        request_id: &mut RequestId,
        origin: IdOrigin,
        token: Option<&AccessToken>,
        progress: &Mutex<Progress>,
        started: Instant,
        attempt: &mut u32,
    ) -> Result<Answer<T>, Error> {
        let config = &self.inner.config;
        loop {
            *attempt += 1;
            let attempt = *attempt;
            let timestamp = doku_sign::timestamp::format_utc(config.clock.unix_seconds());
            let input = SigningInput {
                base_url: caller.base_url,
                client_id: caller.client_id,
                secret_key: caller.secret_key,
                request_id: request_id.as_str(),
                timestamp: &timestamp,
                token: token.map(AccessToken::expose),
            };
            let http_request = signer::build(request, &input)?;
            lock(progress).start_attempt(attempt);
            let sent_at = Instant::now();
            let result = self.inner.transport.send(http_request).await;
            let latency = sent_at.elapsed();
            let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);

            let span = tracing::Span::current();
            span.record("attempt", attempt);
            span.record("latency_ms", latency_ms);
            let status = result.as_ref().ok().map(|r| r.status);
            let observe = |signature_verified: bool| {
                if let Some(observer) = &config.observer {
                    observer.observe(&Exchange {
                        endpoint: request.endpoint,
                        request_id: request_id.to_string(),
                        attempt,
                        status,
                        latency,
                        signature_verified,
                    });
                }
            };
            let response = match result {
                Ok(response) => response,
                Err(source) => {
                    observe(false);
                    let outcome = classify(&source);
                    tracing::debug!(attempt, latency_ms, ?outcome, "attempt finished");
                    let reached = source.may_have_reached_server();
                    let error = Error::Transport {
                        may_have_reached_doku: lock(progress).finish_attempt(reached),
                        source,
                        attempts: attempt,
                        request_id: request_id.to_string(),
                    };
                    match decide(&config.retry, attempt, &outcome, started.elapsed()) {
                        Decision::Retry { after } => {
                            self.wait(after, attempt, &outcome, error, progress).await;
                            continue;
                        }
                        Decision::GiveUp => return Err(error),
                    }
                }
            };
            span.record("status", response.status.as_u16());
            let outcome = Outcome::Response {
                status: response.status.as_u16(),
                retry_after: retry::retry_after(&response.headers),
                safe_method: request.is_safe(),
            };
            tracing::debug!(attempt, latency_ms, ?outcome, "attempt finished");
            lock(progress).finish_attempt(matches!(response.status.as_u16(), 500 | 502 | 504));
            // The signature first: an answer that fails a required check did not
            // demonstrably come from DOKU, so its status (and Retry-After) mean nothing.
            let expected = Expected {
                key: caller.secret_key,
                client_id: caller.client_id,
                request_id: request_id.as_str(),
                target: &request.path,
                get: request.is_safe(),
            };
            let checked = response_check::verify_signature(
                config.response_signatures,
                &expected,
                response.status,
                &response.headers,
                &response.body,
            );
            observe(
                checked.is_ok()
                    && config.response_signatures != ResponseSignatureMode::Off
                    && response.headers.contains_key("signature"),
            );
            checked?;
            if let Decision::Retry { after } =
                decide(&config.retry, attempt, &outcome, started.elapsed())
            {
                let error = Error::api(response.status, &response.body, request_id.as_str());
                if response.status == StatusCode::TOO_MANY_REQUESTS {
                    self.after_refusal(request_id, origin, progress);
                }
                self.wait(after, attempt, &outcome, error, progress).await;
                continue;
            }
            // Only what may have created something; never a token or a shared key.
            let keep_body = !request.is_safe() && request.endpoint != EndpointName::Token;
            let (value, replay) = response_check::interpret::<T>(
                response.status,
                &response.body,
                request_id.as_str(),
                keep_body,
            )?;
            span.record("replay", replay);
            if replay {
                tracing::info!(
                    "DOKU replayed the outcome of this Request-Id (HTTP 409): treated as success"
                );
            }
            return Ok(Answer {
                value,
                body: response.body,
                status: response.status,
                request_id: request_id.to_string(),
                replay,
            });
        }
    }

    /// Waits `after` before the next attempt, remembering `error` as the last outcome.
    async fn wait(
        &self,
        after: Duration,
        attempt: u32,
        outcome: &Outcome,
        error: Error,
        progress: &Mutex<Progress>,
    ) {
        tracing::info!(
            attempt,
            wait_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
            ?outcome,
            "retrying"
        );
        {
            let mut p = lock(progress);
            p.stage = CallStage::WaitingToRetry;
            p.last = Some(Box::new(error));
        }
        tokio::time::sleep(after).await;
    }
}

/// What a call has done so far, read when the deadline cuts it.
struct Progress {
    stage: CallStage,
    attempts: u32,
    request_id: String,
    may_have_reached: bool,
    /// Whether an attempt under the current Request-Id may have been processed: then the id is
    /// kept even after a refusal, so DOKU can replay that outcome instead of doing it twice.
    id_may_have_reached: bool,
    last: Option<Box<Error>>,
}

impl Progress {
    fn new(request_id: &RequestId) -> Self {
        Self {
            stage: CallStage::FetchingToken,
            attempts: 0,
            request_id: request_id.to_string(),
            may_have_reached: false,
            id_may_have_reached: false,
            last: None,
        }
    }

    fn start_attempt(&mut self, attempt: u32) {
        self.stage = CallStage::InFlight;
        self.attempts = attempt;
    }

    /// Records whether the finished attempt may have reached DOKU; answers the running total.
    fn finish_attempt(&mut self, may_have_reached: bool) -> bool {
        self.may_have_reached |= may_have_reached;
        self.id_may_have_reached |= may_have_reached;
        self.may_have_reached
    }

    fn deadline_error(&mut self, deadline: Duration) -> Error {
        Error::DeadlineExceeded {
            deadline,
            stage: self.stage,
            attempts: self.attempts,
            request_id: self.request_id.clone(),
            // An attempt cut in flight may have been received.
            may_have_reached_doku: self.may_have_reached || self.stage == CallStage::InFlight,
            last: self.last.take(),
        }
    }
}

fn lock(progress: &Mutex<Progress>) -> std::sync::MutexGuard<'_, Progress> {
    progress.lock().unwrap_or_else(|p| p.into_inner())
}

impl<T> std::fmt::Debug for Answer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("body_len", &self.body.len())
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("replay", &self.replay)
            .finish_non_exhaustive()
    }
}

/// Whose credentials sign a call, and which host it goes to: the partner's on the Partner API
/// host, or a merchant's on the Checkout host. Everything else (pool, retries, deadline,
/// observer, tracing) is the client's.
#[derive(Clone, Copy)]
pub(crate) struct Caller<'a> {
    /// The `Client-Id` sent and expected back.
    pub(crate) client_id: &'a str,
    /// The key requests are signed and responses verified with.
    pub(crate) secret_key: &'a SecretKey,
    /// Base URL without trailing slash.
    pub(crate) base_url: &'a str,
}

/// Where a call's Request-Id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdOrigin {
    /// The caller chose it (`CallOptions::request_id`): never replaced.
    Caller,
    /// The client generated it: replaced by a fresh one after a refusal DOKU did not process.
    Generated,
}

/// A decoded answer with the body exactly as DOKU sent it. `Debug` shows the body's length
/// only (it may hold a token or a shared key).
#[derive(Clone)]
#[non_exhaustive]
pub struct Answer<T> {
    /// The decoded value.
    pub value: T,
    /// The body exactly as received (may hold a token for Generate Token: do not log it).
    pub body: bytes::Bytes,
    /// The HTTP status (2xx, or 409 for a replay).
    pub status: StatusCode,
    /// The Request-Id the answer is for (a fresh one if the first was refused with 401/429).
    pub request_id: String,
    /// Whether this was DOKU's 409 replay of an already processed Request-Id.
    pub replay: bool,
}

/// The span of one call (all its attempts).
fn call_span(request: &ApiRequest, request_id: &RequestId) -> tracing::Span {
    tracing::info_span!(
        "doku_partner.call",
        endpoint = request.endpoint.as_str(),
        request_id = request_id.as_str(),
        attempt = Empty,
        status = Empty,
        latency_ms = Empty,
        replay = Empty,
    )
}

/// One line per finished call: no message text from DOKU, no body, no token.
fn log_result<T>(result: &Result<T, Error>, started: Instant) {
    let total_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(_) => tracing::info!(total_ms, "call succeeded"),
        Err(e) => tracing::warn!(
            total_ms,
            error = error_kind(e),
            status = e.status().map(|s| s.as_u16()),
            code = match e {
                Error::Api { code, .. } | Error::ReplayedRefusal { code, .. } => code.as_deref(),
                _ => None,
            },
            "call failed"
        ),
    }
}

/// How a transport error bears on retrying.
fn classify(e: &TransportError) -> Outcome {
    if e.is_connect() {
        Outcome::ConnectFailed
    } else if e.is_timeout() {
        Outcome::TimedOut
    } else if matches!(
        e,
        TransportError::Request { .. } | TransportError::Body { .. }
    ) {
        Outcome::Dropped
    } else {
        Outcome::Fatal
    }
}

/// A stable name for an error, safe to log (no message text from DOKU or the body).
fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::Validation(_) => "validation",
        Error::Api { .. } => "api",
        Error::ReplayedRefusal { .. } => "replayed_refusal",
        Error::DeadlineExceeded { .. } => "deadline_exceeded",
        Error::Signature { .. } => "signature",
        Error::Transport { .. } => "transport",
        Error::Decode { .. } => "decode",
        Error::Config(_) => "config",
        Error::TransportSetup(_) => "transport_setup",
        Error::Io { .. } => "io",
        Error::TokenUnavailable { .. } => "token_unavailable",
    }
}
