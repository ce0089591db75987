//! The bearer-token cache: one token per client, refreshed `refresh_margin` before it
//! expires, with single-flight refresh (concurrent callers wait for one Generate Token call).
//! With a [`TokenStore`](crate::TokenStore) the refresh goes through the store (shared with other
//! processes, one fetch at a time under its lease); the cached token is still read synchronously.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::error::{Error, SharedCause};
use crate::token_store::{Shared, StoredToken};

/// Longest token whose payload is decoded (DOKU's are well under 2 KiB).
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The `exp` claim (seconds since the Unix epoch) of a JWT, read **without** verifying it.
///
/// DOKU publishes no key to verify its RS256 tokens; the expiry is only used to refresh in
/// time. Returns `None` — never panics — for anything that is not three dot-separated parts
/// with a base64url JSON object in the middle holding a numeric `exp`.
pub(crate) fn jwt_expiry(token: &str) -> Option<i64> {
    if token.len() > MAX_TOKEN_LEN {
        return None;
    }
    let mut parts = token.split('.');
    let (Some(_header), Some(payload), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let exp = claims.as_object()?.get("exp")?;
    match exp.as_i64() {
        Some(v) => Some(v),
        // A float expiry (allowed by RFC 7519's NumericDate): whole seconds, if in range.
        None => exp
            .as_f64()
            .filter(|f| f.is_finite() && f.abs() < 1e15)
            .map(|f| f.floor() as i64),
    }
}

/// When a token fetched at `fetched_at` must be refreshed, and when it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime {
    /// Unix seconds from which the cached token is no longer handed out.
    pub refresh_at: i64,
    /// Unix seconds at which the token expires.
    pub expires_at: i64,
}

impl TokenLifetime {
    /// Expiry from the JWT `exp` claim when it is present and later than `fetched_at`,
    /// else `fetched_at + valid_minutes`. Refresh `margin` before expiry — but never earlier
    /// than half-way through the lifetime, so a token shorter than twice the margin is still
    /// reused (instead of being refreshed on every call).
    pub fn compute(token: &str, fetched_at: i64, valid_minutes: u32, margin: Duration) -> Self {
        let fallback = fetched_at.saturating_add(i64::from(valid_minutes) * 60);
        let expires_at = jwt_expiry(token)
            .filter(|exp| *exp > fetched_at)
            .unwrap_or(fallback);
        let lifetime = expires_at - fetched_at;
        let margin = i64::try_from(margin.as_secs()).unwrap_or(i64::MAX);
        let refresh_at = expires_at
            .saturating_sub(margin)
            .max(fetched_at + lifetime / 2);
        Self {
            refresh_at,
            expires_at,
        }
    }

    /// Whether the token may still be handed out at `now`.
    pub fn is_fresh(&self, now: i64) -> bool {
        now < self.refresh_at
    }

    /// The lifetime of a token fetched at `fetched_at` that expires at `expires_at`: refreshed
    /// `margin` before expiry, never before half its lifetime (a stored token, read back).
    pub(crate) fn between(fetched_at: i64, expires_at: i64, margin: Duration) -> Self {
        let lifetime = expires_at.saturating_sub(fetched_at).max(0);
        let margin = i64::try_from(margin.as_secs()).unwrap_or(i64::MAX);
        Self {
            refresh_at: expires_at
                .saturating_sub(margin)
                .max(fetched_at.saturating_add(lifetime / 2)),
            expires_at,
        }
    }
}

/// `Bearer <token>` as a sensitive header value, or `None` when the token is empty or not
/// valid in an HTTP header (DOKU's answer cannot be used).
pub(crate) fn bearer_value(token: &str) -> Option<http::HeaderValue> {
    if token.is_empty() {
        return None;
    }
    let mut value = http::HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// A bearer token. `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct AccessToken {
    value: Arc<str>,
    /// `Authorization: Bearer …`, built once per token (not per attempt).
    bearer: Option<http::HeaderValue>,
    /// Which fetch produced it (to invalidate only this one after a 401).
    pub(crate) generation: u64,
}

impl AccessToken {
    #[cfg(test)]
    pub(crate) fn expose(&self) -> &str {
        &self.value
    }

    /// The `Authorization` header value (`None` for a token not valid in a header, which
    /// `Client::fetch_token` never caches).
    pub(crate) fn bearer(&self) -> Option<&http::HeaderValue> {
        self.bearer.as_ref()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessToken(***, generation {})", self.generation)
    }
}

struct Cached {
    token: AccessToken,
    lifetime: TokenLifetime,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    generation: u64,
    /// Completed fetches (successful or not), so a waiter can tell that one finished meanwhile.
    fetches: u64,
    /// The last failed fetch: its sequence number in `fetches` and what to tell its waiters.
    last_failure: Option<(u64, SharedFailure)>,
    /// The last [`REMEMBERED_TOKENS`] tokens stored, so output can redact a token a server
    /// reflects even after it was replaced.
    issued: std::collections::VecDeque<Arc<str>>,
    /// The last token DOKU refused (never taken from the store again).
    refused: Option<Arc<str>>,
}

/// How many issued tokens are remembered for redaction.
const REMEMBERED_TOKENS: usize = 8;

/// What the waiters of a failed fetch are told (the leader gets the original error).
#[derive(Clone)]
struct SharedFailure {
    status: Option<http::StatusCode>,
    request_id: String,
    cause: SharedCause,
}

impl SharedFailure {
    fn of(error: &Error) -> Self {
        Self {
            status: error.status(),
            request_id: error.request_id().unwrap_or("-").to_owned(),
            cause: SharedCause::of(error),
        }
    }

    fn to_error(&self) -> Error {
        Error::TokenUnavailable {
            status: self.status,
            request_id: self.request_id.clone(),
            source: self.cause.clone(),
        }
    }
}

/// The cache. Reads take a short synchronous lock; refreshes are serialised by an async lock,
/// and whoever gets it re-checks the cache first (double-checked), so N concurrent callers on
/// an empty cache cause one Generate Token call.
pub(crate) struct TokenCache {
    state: Mutex<State>,
    refresh: tokio::sync::Mutex<()>,
    valid_minutes: u32,
    margin: Duration,
    /// The store shared with other processes, if any.
    shared: Option<Shared>,
}

impl TokenCache {
    pub(crate) fn new(valid_minutes: u32, margin: Duration) -> Self {
        Self {
            state: Mutex::new(State::default()),
            refresh: tokio::sync::Mutex::new(()),
            valid_minutes,
            margin,
            shared: None,
        }
    }

    /// Refreshes go through `shared`.
    pub(crate) fn with_store(mut self, shared: Shared) -> Self {
        self.shared = Some(shared);
        self
    }

    /// The store, if refreshes go through one.
    pub(crate) fn shared(&self) -> Option<&Shared> {
        self.shared.as_ref()
    }

    /// What a token fetched at `fetched_at` is, for the store.
    pub(crate) fn to_stored(&self, token: &str, fetched_at: i64) -> StoredToken {
        let lifetime = TokenLifetime::compute(token, fetched_at, self.valid_minutes, self.margin);
        StoredToken::new(token, fetched_at, lifetime.expires_at)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached token, if it may be used at `now`.
    pub(crate) fn fresh(&self, now: i64) -> Option<AccessToken> {
        let state = self.lock();
        state
            .current
            .as_ref()
            .filter(|c| c.lifetime.is_fresh(now))
            .map(|c| c.token.clone())
    }

    /// The lifetime of the cached token, if any.
    pub(crate) fn lifetime(&self) -> Option<TokenLifetime> {
        self.lock().current.as_ref().map(|c| c.lifetime)
    }

    /// Caches a token fetched at `fetched_at` and returns it.
    pub(crate) fn store(&self, token: &str, fetched_at: i64) -> AccessToken {
        let lifetime = TokenLifetime::compute(token, fetched_at, self.valid_minutes, self.margin);
        self.store_for(token, lifetime)
    }

    /// Caches `token` with `lifetime` and returns it.
    fn store_for(&self, token: &str, lifetime: TokenLifetime) -> AccessToken {
        let mut state = self.lock();
        state.generation += 1;
        let token = AccessToken {
            value: Arc::from(token),
            bearer: bearer_value(token),
            generation: state.generation,
        };
        if state.issued.len() == REMEMBERED_TOKENS {
            state.issued.pop_front();
        }
        state.issued.push_back(token.value.clone());
        state.current = Some(Cached {
            token: token.clone(),
            lifetime,
        });
        token
    }

    /// The tokens stored lately (at most [`REMEMBERED_TOKENS`]), newest last.
    pub(crate) fn issued(&self) -> Vec<Arc<str>> {
        self.lock().issued.iter().cloned().collect()
    }

    /// Drops the cached token if it is still the one of `generation` (a newer one is kept).
    pub(crate) fn invalidate(&self, generation: u64) {
        let mut state = self.lock();
        if let Some(current) = state.current.take_if(|c| c.token.generation == generation) {
            state.refused = Some(current.token.value);
        }
    }

    /// The cached token, or a new one from `fetch` (which returns the token and the Unix
    /// second at which the fetch started). Single-flight: concurrent callers wait for one
    /// fetch. If that fetch fails, its caller gets the error and the callers that were already
    /// waiting get [`Error::TokenUnavailable`] (no fetch of their own); later callers fetch afresh.
    pub(crate) async fn get_or_refresh<F, Fut>(
        &self,
        now: impl Fn() -> i64,
        fetch: F,
    ) -> Result<AccessToken, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(String, i64), Error>>,
    {
        if let Some(token) = self.fresh(now()) {
            return Ok(token);
        }
        let seen = self.lock().fetches;
        let _guard = self.refresh.lock().await;
        if let Some(token) = self.fresh(now()) {
            return Ok(token);
        }
        {
            // A fetch finished while we waited and it failed: share its outcome.
            let state = self.lock();
            if let Some((seq, failure)) = &state.last_failure {
                if *seq > seen {
                    return Err(failure.to_error());
                }
            }
        }
        let result = match &self.shared {
            None => fetch().await.map(|(token, fetched_at)| {
                let lifetime =
                    TokenLifetime::compute(&token, fetched_at, self.valid_minutes, self.margin);
                (token.into(), lifetime)
            }),
            Some(shared) => {
                let refused = self.lock().refused.clone();
                let usable = |stored: &StoredToken| {
                    refused.as_deref() != Some(stored.token())
                        && bearer_value(stored.token()).is_some()
                        && TokenLifetime::between(
                            stored.fetched_at(),
                            stored.expires_at(),
                            self.margin,
                        )
                        .is_fresh(now())
                };
                let fetch = || async {
                    let (token, fetched_at) = fetch().await?;
                    Ok(self.to_stored(&token, fetched_at))
                };
                shared.token(usable, fetch).await.map(|stored| {
                    let lifetime = TokenLifetime::between(
                        stored.fetched_at(),
                        stored.expires_at(),
                        self.margin,
                    );
                    (Arc::<str>::from(stored.token()), lifetime)
                })
            }
        };
        let mut state = self.lock();
        state.fetches += 1;
        match result {
            Ok((token, lifetime)) => {
                state.last_failure = None;
                drop(state);
                Ok(self.store_for(&token, lifetime))
            }
            Err(error) => {
                state.last_failure = Some((state.fetches, SharedFailure::of(&error)));
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn jwt(payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(payload)
        )
    }

    #[test]
    fn reads_exp_from_doku_sample_shape() {
        let t = jwt(
            r#"{"sub":"payload","exp":1695185744,"user":{"businessServiceClientId":"BRN-0241-1695008401899"},"iat":1695185444}"#,
        );
        assert_eq!(jwt_expiry(&t), Some(1_695_185_744));
        assert_eq!(
            jwt_expiry(&jwt(r#"{"exp":1695185744.9}"#)),
            Some(1_695_185_744)
        );
        // Padded base64url is accepted too.
        let padded = format!("a.{}=.c", URL_SAFE_NO_PAD.encode(br#"{"exp":12}"#));
        assert_eq!(jwt_expiry(&padded), Some(12));
    }

    #[test]
    fn garbage_never_panics_and_gives_none() {
        let long = "a.".repeat(20_000);
        let cases = [
            String::new(),
            ".".into(),
            "..".into(),
            "a.b".into(),
            "a.b.c.d".into(),
            "a.!!!.c".into(),
            "a.\u{e9}\u{e9}.c".into(),
            jwt("not json"),
            jwt("[1,2]"),
            jwt(r#"{"exp":"1695185744"}"#),
            jwt(r#"{"exp":null}"#),
            jwt(r#"{"exp":1e300}"#),
            jwt(r#"{"exp":NaN}"#),
            jwt(r#"{"iat":1}"#),
            long,
        ];
        for c in cases {
            assert_eq!(jwt_expiry(&c), None, "{c:.40}");
        }
    }

    #[test]
    fn lifetime_from_exp_or_valid_time_with_margin() {
        let margin = Duration::from_secs(60);
        // exp present: 1 hour after fetch → refresh 60 s before.
        let t = jwt(r#"{"exp":4600}"#);
        assert_eq!(
            TokenLifetime::compute(&t, 1000, 360, margin),
            TokenLifetime {
                refresh_at: 4540,
                expires_at: 4600
            }
        );
        // No exp → valid_time minutes.
        assert_eq!(
            TokenLifetime::compute("opaque", 1000, 5, margin),
            TokenLifetime {
                refresh_at: 1240,
                expires_at: 1300
            }
        );
        // exp in the past by our clock (skew) → valid_time.
        let stale = jwt(r#"{"exp":10}"#);
        assert_eq!(
            TokenLifetime::compute(&stale, 1000, 1, margin).expires_at,
            1060
        );
        // Lifetime shorter than twice the margin → refresh at half-life, not immediately.
        let short = TokenLifetime::compute("opaque", 1000, 1, margin);
        assert_eq!(
            short,
            TokenLifetime {
                refresh_at: 1030,
                expires_at: 1060
            }
        );
        assert!(short.is_fresh(1029));
        assert!(!short.is_fresh(1030));
    }

    #[test]
    fn cache_expiry_with_fake_clock() {
        let cache = TokenCache::new(60, Duration::from_secs(60));
        assert!(cache.fresh(0).is_none());
        let t = cache.store(&jwt(r#"{"exp":3600}"#), 0);
        assert_eq!(t.expose(), jwt(r#"{"exp":3600}"#));
        assert!(cache.fresh(3539).is_some());
        assert!(cache.fresh(3540).is_none(), "refresh margin reached");
        // Invalidation only drops the generation it names.
        let t2 = cache.store("opaque", 0);
        cache.invalidate(t.generation);
        assert!(cache.fresh(10).is_some());
        cache.invalidate(t2.generation);
        assert!(cache.fresh(10).is_none());
        assert!(!format!("{t2:?}").contains("opaque"));
    }

    type Caller = tokio::task::JoinHandle<Result<AccessToken, Error>>;

    /// `n` concurrent callers on one empty cache at Unix second 100, each able to fetch with a
    /// 20 ms `outcome`; the cache, the fetch counter and the callers' tasks.
    fn callers(
        n: usize,
        outcome: fn() -> Result<(String, i64), Error>,
    ) -> (Arc<TokenCache>, Arc<AtomicUsize>, Vec<Caller>) {
        let cache = Arc::new(TokenCache::new(60, Duration::from_secs(60)));
        let fetches = Arc::new(AtomicUsize::new(0));
        let tasks = (0..n)
            .map(|_| {
                let (cache, fetches) = (cache.clone(), fetches.clone());
                tokio::spawn(async move {
                    let fetch = || async move {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        outcome()
                    };
                    cache.get_or_refresh(|| 100, fetch).await
                })
            })
            .collect();
        (cache, fetches, tasks)
    }

    #[tokio::test]
    async fn concurrent_first_calls_fetch_once() {
        let (_, fetches, tasks) = callers(200, || Ok(("opaque".to_owned(), 100)));
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().generation, 1);
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_fetch_is_shared_with_waiters_and_the_next_caller_retries() {
        let (cache, fetches, tasks) =
            callers(100, || Err(Error::Config("token endpoint down".to_owned())));
        let mut shared = 0;
        for t in tasks {
            match t.await.unwrap() {
                Err(Error::Config(_)) => {}
                Err(e @ Error::TokenUnavailable { .. }) => {
                    // The failed call's error is the source, its own chain kept below it.
                    let source = std::error::Error::source(&e).unwrap().to_string();
                    assert!(source.contains("token endpoint down"), "{source}");
                    shared += 1;
                }
                other => panic!("unexpected {:?}", other.map(|t| t.generation)),
            }
        }
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            1,
            "one fetch for 100 callers"
        );
        assert_eq!(shared, 99);

        // A caller arriving after the failure fetches afresh.
        let token = cache
            .get_or_refresh(|| 100, || async { Ok(("opaque".to_owned(), 100)) })
            .await
            .unwrap();
        assert_eq!(token.generation, 1);
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }
}
