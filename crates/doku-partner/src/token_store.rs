//! The token store seam: where several processes with the same DOKU credentials share one token.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, SharedCause};

/// An error from a store, with its chain.
pub type TokenStoreError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What a store's methods return: a boxed future (the store is consulted once per token lifetime
/// per process, so the box is off the per-call path).
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, TokenStoreError>> + Send + 'a>>;

/// Which of DOKU's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// The Partner API's bearer token (`POST /token`), per partner client id.
    Partner,
    /// A SNAP B2B access token (feature `snap`), per merchant client id.
    SnapB2b,
}

impl TokenKind {
    /// `"partner"` or `"snap_b2b"`: the form a store writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Partner => "partner",
            Self::SnapB2b => "snap_b2b",
        }
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose token, for which DOKU: the kind, the client id it was issued to, and the base URL of the
/// environment that issued it (UAT's and production's tokens for one client id are different).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    kind: TokenKind,
    client_id: Arc<str>,
    base_url: Arc<str>,
}

impl TokenKey {
    /// The key of `kind` for `client_id` at `base_url`.
    pub fn new(kind: TokenKind, client_id: &str, base_url: &str) -> Self {
        Self {
            kind,
            client_id: Arc::from(client_id),
            base_url: Arc::from(base_url.trim_end_matches('/')),
        }
    }

    /// The kind of token.
    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// The client id the token is issued to.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The base URL of the environment, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// A token as DOKU issued it, with when it was fetched and when it expires (Unix seconds, by the
/// fetching client's clock). `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredToken {
    token: Arc<str>,
    fetched_at: i64,
    expires_at: i64,
}

impl StoredToken {
    /// A token fetched at `fetched_at` that expires at `expires_at`.
    pub fn new(token: impl Into<String>, fetched_at: i64, expires_at: i64) -> Self {
        Self {
            token: Arc::from(token.into()),
            fetched_at,
            expires_at,
        }
    }

    /// The bearer token (a credential: do not log it).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Unix second at which the fetch started.
    pub fn fetched_at(&self) -> i64 {
        self.fetched_at
    }

    /// Unix second at which the token expires.
    pub fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("token", &"***")
            .field("fetched_at", &self.fetched_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Proof that a process holds the fetch lease of a key, until it releases it or the store's
/// deadline for it passes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchLease {
    holder: String,
}

impl FetchLease {
    /// A lease held by `holder` (a store's own id for this acquisition).
    pub fn new(holder: impl Into<String>) -> Self {
        Self {
            holder: holder.into(),
        }
    }

    /// The holder's id.
    pub fn holder(&self) -> &str {
        &self.holder
    }
}

/// Where tokens are shared between processes. Implemented by `doku_postgres::PgTokenStore`;
/// [`MemoryTokenStore`] shares between clients of one process.
///
/// Each [`Client`](crate::Client) keeps its tokens in memory (the Partner token and a SNAP B2B token
/// per merchant client id), and that cache is the only one a single process needs. Several processes
/// that each fetch their own token may revoke each other's: DOKU does not say whether a new token
/// invalidates the older ones, and if it does, N processes live in a 401 → fetch → 401 loop. A
/// [`TokenStore`] set with [`ConfigBuilder::token_store`](crate::ConfigBuilder::token_store) is
/// consulted **only when the in-memory token is missing, due for refresh or refused**:
///
/// 1. the store's token, if it is not the one just refused and not due for refresh, is taken;
/// 2. else the process takes the store's **fetch lease** for the key
///    ([`TokenStore::acquire_fetch_lease`], waiting while another process holds it), reads the store
///    again (the holder may just have saved a new token), and only if it is still missing or stale
///    asks DOKU, [`save`](TokenStore::save)s the answer and releases the lease.
///
/// So one process fetches while the others wait and then read the shared token. The lease has a
/// deadline of the store's choosing, so a holder that crashed blocks the others only until then. A
/// call whose future is dropped while it holds the lease releases it from a spawned task.
///
/// **The in-memory path is unchanged**: a cached, fresh token is taken synchronously with no store
/// call and no allocation; the store's futures are boxed ([`StoreFuture`]) because they run once
/// per token lifetime per process, never per call.
///
/// **Fail closed**: when the store fails (the database is down), the call fails with
/// [`Error::TokenStore`] saying what the store was doing and why; no token is
/// fetched or used without it.
///
/// **What is stored** is what DOKU issued: the bearer token and its lifetime, keyed by
/// [`TokenKey`] (kind, client id, base URL). Never the secret key or the RSA key.
///
/// Every method must be bounded in time and fail rather than wait forever.
pub trait TokenStore: Send + Sync + 'static {
    /// The token stored for `key`, if any.
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>>;

    /// Stores `token` for `key`, replacing the one before it.
    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a StoredToken) -> StoreFuture<'a, ()>;

    /// Takes the fetch lease of `key`: at most one holder at a time across every process sharing
    /// the store, until [`release`](TokenStore::release)d or until a deadline the store sets (so a
    /// crashed holder does not block the others for longer). Waits at most `wait` for the holder
    /// before it, then fails.
    fn acquire_fetch_lease<'a>(
        &'a self,
        key: &'a TokenKey,
        wait: Duration,
    ) -> StoreFuture<'a, FetchLease>;

    /// Releases `lease` (nothing happens if its deadline passed and another holder took it).
    fn release<'a>(&'a self, key: &'a TokenKey, lease: FetchLease) -> StoreFuture<'a, ()>;
}

impl<T: TokenStore + ?Sized> TokenStore for Arc<T> {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>> {
        (**self).load(key)
    }

    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a StoredToken) -> StoreFuture<'a, ()> {
        (**self).save(key, token)
    }

    fn acquire_fetch_lease<'a>(
        &'a self,
        key: &'a TokenKey,
        wait: Duration,
    ) -> StoreFuture<'a, FetchLease> {
        (**self).acquire_fetch_lease(key, wait)
    }

    fn release<'a>(&'a self, key: &'a TokenKey, lease: FetchLease) -> StoreFuture<'a, ()> {
        (**self).release(key, lease)
    }
}

/// A [`TokenStore`] in this process's memory: clients built with the same one (clone it) share
/// their tokens and fetch one at a time. For tests and for several clients of one credential in
/// one process; across processes use a database (`doku_postgres::PgTokenStore`).
#[derive(Clone, Default)]
pub struct MemoryTokenStore {
    inner: Arc<MemoryInner>,
}

struct MemoryInner {
    state: std::sync::Mutex<std::collections::HashMap<TokenKey, MemoryEntry>>,
    released: tokio::sync::Notify,
    next_holder: std::sync::atomic::AtomicU64,
    lease: Duration,
}

impl Default for MemoryInner {
    fn default() -> Self {
        Self {
            state: std::sync::Mutex::default(),
            released: tokio::sync::Notify::new(),
            next_holder: std::sync::atomic::AtomicU64::new(0),
            lease: DEFAULT_MEMORY_LEASE,
        }
    }
}

#[derive(Default)]
struct MemoryEntry {
    token: Option<StoredToken>,
    lease: Option<(String, tokio::time::Instant)>,
}

/// How long a [`MemoryTokenStore`] lease lasts unless released, by default.
const DEFAULT_MEMORY_LEASE: Duration = Duration::from_secs(60);

impl MemoryTokenStore {
    /// An empty store whose leases last 60 s unless released.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store whose leases last `lease` unless released.
    pub fn with_lease(lease: Duration) -> Self {
        Self {
            inner: Arc::new(MemoryInner {
                lease,
                ..MemoryInner::default()
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<TokenKey, MemoryEntry>> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTokenStore")
            .field("keys", &self.state().len())
            .finish()
    }
}

impl TokenStore for MemoryTokenStore {
    fn load<'a>(&'a self, key: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>> {
        let token = self.state().get(key).and_then(|e| e.token.clone());
        Box::pin(async move { Ok(token) })
    }

    fn save<'a>(&'a self, key: &'a TokenKey, token: &'a StoredToken) -> StoreFuture<'a, ()> {
        self.state().entry(key.clone()).or_default().token = Some(token.clone());
        Box::pin(async { Ok(()) })
    }

    fn acquire_fetch_lease<'a>(
        &'a self,
        key: &'a TokenKey,
        wait: Duration,
    ) -> StoreFuture<'a, FetchLease> {
        Box::pin(async move {
            let until = tokio::time::Instant::now() + wait;
            loop {
                let released = self.inner.released.notified();
                {
                    let now = tokio::time::Instant::now();
                    let mut state = self.state();
                    let entry = state.entry(key.clone()).or_default();
                    if entry.lease.as_ref().is_none_or(|(_, end)| *end <= now) {
                        let holder = self
                            .inner
                            .next_holder
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                            .to_string();
                        entry.lease = Some((holder.clone(), now + self.inner.lease));
                        return Ok(FetchLease::new(holder));
                    }
                }
                // Woken by a release, or checked again at the next deadline or every second.
                let next = (tokio::time::Instant::now() + Duration::from_secs(1)).min(until);
                if tokio::time::timeout_at(next, released).await.is_err()
                    && tokio::time::Instant::now() >= until
                {
                    return Err(
                        format!("the fetch lease was held by another client for {wait:?}").into(),
                    );
                }
            }
        })
    }

    fn release<'a>(&'a self, key: &'a TokenKey, lease: FetchLease) -> StoreFuture<'a, ()> {
        if let Some(entry) = self.state().get_mut(key) {
            if entry
                .lease
                .as_ref()
                .is_some_and(|(holder, _)| *holder == lease.holder)
            {
                entry.lease = None;
            }
        }
        self.inner.released.notify_waiters();
        Box::pin(async { Ok(()) })
    }
}

/// A cache's link to its store: the store, the key and how long to wait for another fetch.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) key: TokenKey,
    pub(crate) lease_wait: Duration,
}

/// [`Error::TokenStore`] for a store failure while `what`.
pub(crate) fn store_error(what: &'static str, key: &TokenKey, source: TokenStoreError) -> Error {
    Error::TokenStore {
        what,
        key: format!(
            "{} token of client {} at {}",
            key.kind, key.client_id, key.base_url
        ),
        source: SharedCause::of(&*source),
    }
}

/// Releases the lease when dropped without [`LeaseGuard::release`] (the call was cancelled), from
/// a spawned task when a runtime is there; else the store's deadline frees it.
struct LeaseGuard {
    store: Arc<dyn TokenStore>,
    key: TokenKey,
    lease: Option<FetchLease>,
}

impl LeaseGuard {
    async fn release(mut self) {
        if let Some(lease) = self.lease.take() {
            if let Err(e) = self.store.release(&self.key, lease).await {
                tracing::warn!(
                    error = %e,
                    "the token store could not release the fetch lease; it ends at its deadline"
                );
            }
        }
    }
}

impl Drop for LeaseGuard {
    fn drop(&mut self) {
        let Some(lease) = self.lease.take() else {
            return;
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (store, key) = (self.store.clone(), self.key.clone());
            runtime.spawn(async move {
                let _ = store.release(&key, lease).await;
            });
        }
    }
}

impl Shared {
    /// The shared token if `usable`, else one from `fetch` under the fetch lease (see the module
    /// docs). Store failures are [`Error::TokenUnavailable`]; `fetch`'s errors are returned as they
    /// are.
    pub(crate) async fn token<F, Fut>(
        &self,
        usable: impl Fn(&StoredToken) -> bool,
        fetch: F,
    ) -> Result<StoredToken, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<StoredToken, Error>>,
    {
        let load = || async {
            self.store
                .load(&self.key)
                .await
                .map_err(|e| store_error("reading the shared token", &self.key, e))
        };
        if let Some(token) = load().await?.filter(&usable) {
            return Ok(token);
        }
        let lease = self
            .store
            .acquire_fetch_lease(&self.key, self.lease_wait)
            .await
            .map_err(|e| store_error("waiting for the fetch lease", &self.key, e))?;
        let guard = LeaseGuard {
            store: self.store.clone(),
            key: self.key.clone(),
            lease: Some(lease),
        };
        let result = async {
            // Another process may have saved a token while we waited for the lease.
            if let Some(token) = load().await?.filter(&usable) {
                return Ok(token);
            }
            let fetched = fetch().await?;
            self.store
                .save(&self.key, &fetched)
                .await
                .map_err(|e| store_error("saving the new token", &self.key, e))?;
            Ok(fetched)
        }
        .await;
        guard.release().await;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token_and_keys_drop_a_trailing_slash() {
        let token = StoredToken::new("eyJ.secret.token", 1, 2);
        assert!(!format!("{token:?}").contains("secret"));
        let key = TokenKey::new(TokenKind::Partner, "BRN-1", "https://api.doku.com/");
        assert_eq!(key.base_url(), "https://api.doku.com");
        assert_eq!(TokenKind::SnapB2b.to_string(), "snap_b2b");
    }

    #[tokio::test]
    async fn a_memory_lease_is_exclusive_bounded_and_released() {
        let lease = Duration::from_millis(300);
        let store = MemoryTokenStore::with_lease(lease);
        let key = TokenKey::new(TokenKind::Partner, "BRN-1", "http://x");
        let first = store
            .acquire_fetch_lease(&key, Duration::ZERO)
            .await
            .unwrap();
        let started = tokio::time::Instant::now();
        let refused = store
            .acquire_fetch_lease(&key, Duration::from_millis(50))
            .await;
        assert!(refused.is_err(), "a second holder");
        assert!(started.elapsed() < lease, "the wait is bounded");
        // Released: the waiter gets it at once.
        let waiter = {
            let (store, key) = (store.clone(), key.clone());
            tokio::spawn(async move {
                store
                    .acquire_fetch_lease(&key, Duration::from_secs(30))
                    .await
                    .map(|_| tokio::time::Instant::now())
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let released_at = tokio::time::Instant::now();
        store.release(&key, first).await.unwrap();
        let got = waiter.await.unwrap().unwrap();
        assert!(got - released_at < Duration::from_millis(100));
        // An abandoned lease ends at its deadline.
        let key2 = TokenKey::new(TokenKind::SnapB2b, "M", "http://x");
        let abandoned = store.acquire_fetch_lease(&key2, Duration::ZERO).await;
        drop(abandoned);
        let started = tokio::time::Instant::now();
        store
            .acquire_fetch_lease(&key2, Duration::from_secs(5))
            .await
            .unwrap();
        assert!(started.elapsed() >= lease - Duration::from_millis(50));
    }
}
