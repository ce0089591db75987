//! The client: the handle callers hold, and [`Client::send`], the one way to make a Partner
//! API call.
//!
//! One call is [`crate::call`] (deadline, token, 401 repeat) over [`crate::attempt`] (sign, send,
//! verify, decide, decode), each step in its own file.

use std::sync::Arc;

use doku_model::{Endpoint, RequestId, TokenResponse};
use doku_sign::SecretKey;
use doku_transport::Transport;
use http::{HeaderValue, StatusCode};

use crate::base_url::BaseUrl;
use crate::config::Config;
use crate::error::Error;
use crate::operation::{Call, Operation, RequestContext, SameCredentials};
use crate::token_cache::{bearer_value, TokenCache, TokenLifetime};
use crate::token_store::{store_error, Shared, TokenKey, TokenKind};

/// A DOKU Partner API client. Cheap to clone (clones share the connection pool and the token
/// cache); create one per partner credential and reuse it.
///
/// Every call is [`Client::send`] of a typed request (see the crate docs): validated before any
/// network call, sent with a bearer token from the cache when the call needs one.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) transport: Transport,
    pub(crate) tokens: TokenCache,
    /// The partner's `Client-Id` header value, built once (`None` if it is not a valid header
    /// value: the signer then reports that on each call, as for any caller).
    pub(crate) partner_client_id: Option<HeaderValue>,
    /// SNAP: B2B tokens per client id, and the readings this client learned.
    #[cfg(feature = "snap")]
    pub(crate) snap: crate::snap::SnapState,
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
    /// [`Error::TransportSetup`] when the transport cannot be built (e.g. a zero timeout), or
    /// refuses a base URL (plain `http://` to a non-loopback host).
    pub fn new(config: Config) -> Result<Self, Error> {
        let transport = Transport::new(config.transport.clone()).map_err(Error::TransportSetup)?;
        for base in [&config.partner_url, &config.checkout_url] {
            transport
                .check_uri(&base.uri())
                .map_err(Error::TransportSetup)?;
        }
        let mut tokens = TokenCache::new(
            config
                .token_valid_minutes
                .unwrap_or(doku_model::DEFAULT_VALID_TIME_MINUTES),
            config.refresh_margin,
        );
        // Waiting for another process's fetch is bounded like any call (and cut by the call's
        // own deadline first).
        let lease_wait = config.retry.total_deadline;
        if let Some(store) = &config.token_store {
            tokens = tokens.with_store(Shared {
                store: store.clone(),
                key: TokenKey::new(
                    TokenKind::Partner,
                    config.client_id.as_str(),
                    config.environment.base_url(),
                ),
                lease_wait,
            });
        }
        #[cfg(feature = "snap")]
        let snap = {
            let mut snap = crate::snap::SnapState::default();
            if let Some(store) = &config.token_store {
                snap.tokens.share_through(
                    store.clone(),
                    config.environment.checkout_base_url(),
                    lease_wait,
                );
            }
            snap
        };
        let partner_client_id = HeaderValue::from_str(config.client_id.as_str()).ok();
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                transport,
                tokens,
                partner_client_id,
                #[cfg(feature = "snap")]
                snap,
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
    /// obtained lately (SNAP B2B tokens included) replaced by `***`: for printing what a
    /// server sent (an error message, a body) when that server may reflect a credential back.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        let mut needles: Vec<String> = self
            .inner
            .tokens
            .issued()
            .iter()
            .map(|t| t.to_string())
            .collect();
        #[cfg(feature = "snap")]
        needles.extend(
            self.inner
                .snap
                .tokens
                .issued()
                .iter()
                .map(|t| t.to_string()),
        );
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

    /// Sends a Partner API call and returns DOKU's answer: `client.send(&request)`, or with
    /// per-call options `client.send(Call::new(&request).request_id(id).deadline(d))`.
    ///
    /// `call` is any [`Operation`] whose [`Sender`](crate::Sender) is the `Client` (a merchant
    /// call, such as a `CheckoutRequest`, does not compile here: send it with
    /// [`Merchant::send`](crate::Merchant::send)), or a [`Call`] around one.
    ///
    /// - The request is validated and described once, before anything is sent.
    /// - One Request-Id for the call (the [`Call`]'s, else the generator's), kept on every
    ///   retry after a connection failure, a timeout or a 5xx — DOKU deduplicates by it. Each
    ///   attempt is re-signed with a fresh `Request-Timestamp`.
    /// - Retries as the [`RetryPolicy`](crate::RetryPolicy) says.
    /// - For calls needing a token: the cached one (fetched when needed); a 401 invalidates it,
    ///   fetches a new one and repeats the call once.
    /// - After a 401 or a 429 the refused request was never processed; if DOKU records
    ///   refusals for replay, repeating its Request-Id would get the refusal back forever. So
    ///   a **generated** Request-Id is replaced by a fresh one for the repeat — unless an
    ///   earlier attempt under it may have been processed (timeout, dropped connection), when
    ///   only the same id gets that outcome replayed; a caller-supplied one is kept, and a
    ///   replayed refusal is [`Error::ReplayedRefusal`].
    /// - The response signature is checked as configured, before any retry decision: an answer
    ///   that fails a required check is [`Error::Signature`], whatever its status.
    /// - A 2xx, or a 409 whose body is the answer type (DOKU's replay of an already processed
    ///   Request-Id), is success ([`Answer::replay`]).
    /// - The whole call ends by the [`Call::deadline`], else
    ///   [`RetryPolicy::total_deadline`](crate::RetryPolicy::total_deadline); when it passes,
    ///   whatever is in progress is cut and the call fails with [`Error::DeadlineExceeded`].
    /// - Generate Token ([`GenerateToken`](crate::GenerateToken)): the token is checked
    ///   ([`Error::InvalidToken`] when empty or not valid in a header) and cached for the
    ///   calls that follow.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] (every violation) before any network call; then any [`Error`]
    /// variant except `Config`-at-build and `Io`.
    pub async fn send<O>(&self, call: impl Into<Call<O>>) -> Result<Answer<O::Answer>, Error>
    where
        O: Operation<Sender = Client>,
    {
        if O::ENDPOINT == Endpoint::Token {
            let fetched_at = self.inner.config.clock.unix_seconds();
            let answer = self.dispatch(&self.partner_caller(), call.into()).await?;
            let token = usable_token(&answer.body, answer.status, &answer.request_id)?;
            if let Some(shared) = self.inner.tokens.shared() {
                // The newest token DOKU issued is the one every process should use.
                let stored = self.inner.tokens.to_stored(&token.token, fetched_at);
                shared
                    .store
                    .save(&shared.key, &stored)
                    .await
                    .map_err(|e| store_error("saving the new token", &shared.key, e))?;
            }
            self.inner.tokens.store(&token.token, fetched_at);
            return Ok(answer);
        }
        self.dispatch(&self.partner_caller(), call.into()).await
    }

    /// The partner's own credentials on the Partner API host.
    pub(crate) fn partner_caller(&self) -> Caller<'_> {
        let config = &self.inner.config;
        Caller {
            client_id: config.client_id.as_str(),
            client_id_value: self.inner.partner_client_id.as_ref(),
            secret_key: &config.secret_key,
            base: &config.partner_url,
        }
    }

    /// The call's Request-Id: the caller's (kept), else a generated one.
    fn request_id_for(&self, request_id: Option<RequestId>) -> (RequestId, IdOrigin) {
        match request_id {
            Some(id) => (id, IdOrigin::Caller),
            None => (
                self.inner.config.request_ids.generate(),
                IdOrigin::Generated,
            ),
        }
    }

    /// `call` signed as `caller` (the partner's or a merchant's credentials and API host): the
    /// one engine for Partner and merchant calls alike.
    pub(crate) async fn dispatch<O: Operation>(
        &self,
        caller: &Caller<'_>,
        call: Call<O>,
    ) -> Result<Answer<O::Answer>, Error> {
        // Compile-time: the operation's sender and its endpoint's credentials agree.
        let () = SameCredentials::<O>::CHECK;
        let Call {
            operation,
            request_id,
            deadline,
        } = call;
        let (request_id, origin) = self.request_id_for(request_id);
        let context = RequestContext::new(&request_id)
            .with_token_valid_minutes(self.inner.config.token_valid_minutes);
        let request = operation.to_request(&context)?;
        if request.endpoint != O::ENDPOINT {
            // Only an `Operation` implemented outside this crate can get here: its credentials
            // were checked against `ENDPOINT`, so a request for another endpoint is not sent.
            return Err(Error::Config(format!(
                "an operation for {} described a request for {}",
                O::ENDPOINT,
                request.endpoint
            )));
        }
        let total = deadline.unwrap_or(self.inner.config.retry.total_deadline);
        self.call(caller, &request, request_id, origin, total).await
    }
}

/// DOKU's Generate Token answer in `body`, when its token can be sent as a bearer.
pub(crate) fn usable_token(
    body: &[u8],
    status: StatusCode,
    request_id: &str,
) -> Result<TokenResponse, Error> {
    match doku_model::decode::<TokenResponse>(body) {
        Ok(token) if bearer_value(&token.token).is_some() => Ok(token),
        _ => Err(Error::InvalidToken {
            status,
            request_id: request_id.to_owned(),
        }),
    }
}

/// Whose credentials sign a call, and which host it goes to: the partner's on the Partner API
/// host, or a merchant's on the Checkout host. Everything else (pool, retries, deadline,
/// observer, tracing) is the client's.
#[derive(Clone, Copy)]
pub(crate) struct Caller<'a> {
    /// The `Client-Id` sent and expected back.
    pub(crate) client_id: &'a str,
    /// Its header value, when built ahead (the partner's); else built per attempt.
    pub(crate) client_id_value: Option<&'a HeaderValue>,
    /// The key requests are signed and responses verified with.
    pub(crate) secret_key: &'a SecretKey,
    /// The host's base URL, parsed at build.
    pub(crate) base: &'a BaseUrl,
}

/// Where a call's Request-Id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdOrigin {
    /// The caller chose it ([`Call::request_id`]): never replaced.
    Caller,
    /// The client generated it: replaced by a fresh one after a refusal DOKU did not process.
    Generated,
}

/// What every `send` returns: the decoded answer, the body exactly as DOKU sent it (e.g. to
/// store or print DOKU's JSON verbatim), and how the call went. `Debug` shows the body's length
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
    /// The Request-Id the answer is for (a fresh one if the first was refused with 401/429);
    /// for a SNAP call, its `X-EXTERNAL-ID`.
    pub request_id: String,
    /// How many attempts the call made (1 when the first answered), counted across the
    /// repeat after a refused token.
    pub attempts: u32,
    /// Whether this was DOKU's 409 replay of an already processed Request-Id; for a SNAP call,
    /// whether DOKU answered a retry with a conflict (`409xx00`) because an earlier attempt of
    /// this call was applied (`value` is then decoded from that conflict answer).
    pub replay: bool,
}

impl<T> Answer<T> {
    /// The decoded value, dropping the rest.
    pub fn into_value(self) -> T {
        self.value
    }
}

impl<T> std::fmt::Debug for Answer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("body_len", &self.body.len())
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("attempts", &self.attempts)
            .field("replay", &self.replay)
            .finish_non_exhaustive()
    }
}
