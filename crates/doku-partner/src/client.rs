//! The client: signs, sends, retries, verifies and decodes.

use std::sync::Arc;
use std::time::Instant;

use doku_model::{RequestId, TokenRequest, TokenResponse};
use doku_transport::{Transport, TransportError};
use http::StatusCode;
use serde::de::DeserializeOwned;
use tracing::field::Empty;
use tracing::Instrument as _;

use crate::config::{Config, ResponseSignatureMode};
use crate::endpoint::{ApiRequest, CallOptions, EndpointName};
use crate::error::Error;
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
                .unwrap_or(doku_model::token::DEFAULT_VALID_TIME_MINUTES),
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
        let response: TokenResponse = self.execute_without_token(&request, options).await?;
        let header_safe = !response.token.is_empty()
            && http::HeaderValue::from_str(&format!("Bearer {}", response.token)).is_ok();
        if !header_safe {
            return Err(Error::Decode {
                path: "token".to_owned(),
                message: "the token is empty or not valid in an HTTP header".to_owned(),
                status: StatusCode::OK,
                source: doku_model::DecodeError {
                    path: "token".to_owned(),
                    message: "not a header-safe string".to_owned(),
                    kind: doku_model::DecodeErrorKind::Data,
                    line: 1,
                    column: 1,
                },
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
                    let (response, fetched_at) = self.fetch_token(CallOptions::default()).await?;
                    Ok((response.token, fetched_at))
                },
            )
            .await
    }

    /// Sends a described request and decodes the answer as `T`: the engine behind every typed
    /// method, public for calls this crate does not wrap.
    ///
    /// - One Request-Id for the whole call (from `options`, else the generator); each attempt
    ///   is re-signed with a fresh `Request-Timestamp`.
    /// - Retries as [`retry::decide`] says.
    /// - For calls needing a token: a 401 invalidates the cached token, fetches a new one and
    ///   repeats the call once.
    /// - The response signature is checked as configured; a 2xx, or a 409 whose body is a `T`
    ///   (DOKU's replay of an already processed Request-Id), is success.
    ///
    /// # Errors
    ///
    /// Any [`Error`] variant except `Validation`, `Config`-at-build and `Io`.
    pub async fn execute<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        options: CallOptions,
    ) -> Result<T, Error> {
        if !request.needs_token {
            return self.execute_without_token(request, options).await;
        }
        let request_id = self.request_id(options);
        let span = call_span(request, &request_id);
        async {
            let started = Instant::now();
            let mut refreshed = false;
            let result = loop {
                let token = match self.access_token().await {
                    Ok(t) => t,
                    Err(e) => break Err(e),
                };
                let result = self.attempts::<T>(request, &request_id, Some(&token)).await;
                match &result {
                    Err(Error::Api { status, .. })
                        if *status == StatusCode::UNAUTHORIZED && !refreshed =>
                    {
                        tracing::info!("DOKU refused the bearer token; refreshing it and repeating the call once");
                        self.inner.tokens.invalidate(token.generation);
                        refreshed = true;
                    }
                    _ => break result,
                }
            };
            log_result(&result, started);
            result
        }
        .instrument(span)
        .await
    }

    /// [`Client::execute`] for a request that carries no bearer token (Generate Token).
    async fn execute_without_token<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        options: CallOptions,
    ) -> Result<T, Error> {
        let request_id = self.request_id(options);
        let span = call_span(request, &request_id);
        async {
            let started = Instant::now();
            let result = self.attempts::<T>(request, &request_id, None).await;
            log_result(&result, started);
            result
        }
        .instrument(span)
        .await
    }

    fn request_id(&self, options: CallOptions) -> RequestId {
        options
            .request_id
            .unwrap_or_else(|| self.inner.config.request_ids.generate())
    }

    /// The attempts of one call with one token: sign, send, decide, verify, decode.
    async fn attempts<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        request_id: &RequestId,
        token: Option<&AccessToken>,
    ) -> Result<T, Error> {
        let config = &self.inner.config;
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut may_have_reached = false;
        loop {
            attempt += 1;
            let timestamp = doku_sign::timestamp::format_utc(config.clock.unix_seconds());
            let input = SigningInput {
                base_url: config.environment.base_url(),
                client_id: config.client_id.as_str(),
                secret_key: &config.secret_key,
                request_id: request_id.as_str(),
                timestamp: &timestamp,
                token: token.map(AccessToken::expose),
            };
            let http_request = signer::build(request, &input)?;
            let sent_at = Instant::now();
            let result = self.inner.transport.send(http_request).await;
            let latency_ms = u64::try_from(sent_at.elapsed().as_millis()).unwrap_or(u64::MAX);

            let span = tracing::Span::current();
            span.record("attempt", attempt);
            span.record("latency_ms", latency_ms);
            let outcome = match &result {
                Ok(response) => {
                    span.record("status", response.status.as_u16());
                    if matches!(response.status.as_u16(), 500 | 502 | 504) {
                        may_have_reached = true;
                    }
                    Outcome::Response {
                        status: response.status.as_u16(),
                        retry_after: retry::retry_after(&response.headers),
                        safe_method: request.is_safe(),
                    }
                }
                Err(e) => {
                    may_have_reached |= e.may_have_reached_server();
                    classify(e)
                }
            };
            tracing::debug!(attempt, latency_ms, ?outcome, "attempt finished");
            let latency = sent_at.elapsed();
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
            if let Decision::Retry { after } =
                decide(&config.retry, attempt, &outcome, started.elapsed())
            {
                observe(false);
                tracing::info!(
                    attempt,
                    wait_ms = u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
                    ?outcome,
                    "retrying with the same Request-Id"
                );
                tokio::time::sleep(after).await;
                continue;
            }
            let response = match result {
                Ok(response) => response,
                Err(source) => {
                    observe(false);
                    return Err(Error::Transport {
                        may_have_reached_doku: may_have_reached || source.may_have_reached_server(),
                        source,
                        attempts: attempt,
                        request_id: request_id.to_string(),
                    });
                }
            };
            let expected = Expected {
                key: &config.secret_key,
                client_id: config.client_id.as_str(),
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
            let (value, replay) = response_check::interpret::<T>(
                response.status,
                &response.body,
                request_id.as_str(),
            )?;
            span.record("replay", replay);
            if replay {
                tracing::info!(
                    "DOKU replayed the outcome of this Request-Id (HTTP 409): treated as success"
                );
            }
            return Ok(value);
        }
    }
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
                Error::Api { code, .. } => code.as_deref(),
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
        Error::Signature { .. } => "signature",
        Error::Transport { .. } => "transport",
        Error::Decode { .. } => "decode",
        Error::Config(_) => "config",
        Error::TransportSetup(_) => "transport_setup",
        Error::Io { .. } => "io",
        Error::TokenUnavailable { .. } => "token_unavailable",
    }
}
