//! SNAP B2B access tokens, cached **per client id** in the [`Client`](crate::Client): every
//! merchant handle (and clone) of one client id shares one token.
//!
//! - **Single flight**: one fetch at a time per client id; concurrent callers wait for it
//!   (each bounded by its own call's deadline) and take its token — or, if it failed, its error
//!   as [`Error::TokenUnavailable`] without a fetch of their own. The next caller fetches afresh.
//! - **Refresh before expiry**: a token is handed out until `refresh_margin`
//!   ([`ConfigBuilder::refresh_margin`](crate::ConfigBuilder::refresh_margin)) before its
//!   `expiresIn`, but never past half its lifetime (a short-lived token is still reused).
//! - **Generation check**: a token DOKU refused (`4012701`) is dropped only if it is still the
//!   cached one; a newer token fetched meanwhile by another caller is kept. So the flow holds
//!   whether or not a new token revokes the older one.
//! - **Shared between processes** with a [`TokenStore`](crate::TokenStore): a fetch goes through
//!   the store (its token if usable, else one fetch under its lease), keyed by the merchant's
//!   client id and the SNAP base URL; the refused token is never taken from it again.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::HeaderValue;

use crate::error::{Error, SharedCause};
use crate::token_cache::TokenLifetime;
use crate::token_store::{Shared, StoredToken, TokenKey, TokenKind, TokenStore};

/// How many issued tokens each client id remembers for redaction.
const REMEMBERED_TOKENS: usize = 4;

/// A B2B access token. `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct SnapToken {
    value: Arc<str>,
    /// `Bearer <token>`, sensitive, built once per token.
    bearer: HeaderValue,
    /// Which fetch (per client id) produced it.
    pub(crate) generation: u64,
}

impl SnapToken {
    /// The token, as signed in the symmetric string to sign.
    pub(crate) fn expose(&self) -> &str {
        &self.value
    }

    /// The `Authorization` header value.
    pub(crate) fn bearer(&self) -> &HeaderValue {
        &self.bearer
    }
}

impl fmt::Debug for SnapToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SnapToken(***, generation {})", self.generation)
    }
}

/// A fetched token: its text, its lifetime in seconds (`expiresIn`), and the Unix second at
/// which the fetch started.
pub(crate) struct Fetched {
    pub(crate) token: String,
    pub(crate) expires_in: u64,
    pub(crate) fetched_at: i64,
}

#[derive(Default)]
struct State {
    current: Option<(SnapToken, TokenLifetime)>,
    generation: u64,
    fetches: u64,
    last_failure: Option<(u64, SharedFailure)>,
    issued: VecDeque<Arc<str>>,
    /// The last token DOKU refused (never taken from the store again).
    refused: Option<Arc<str>>,
}

#[derive(Clone)]
struct SharedFailure {
    status: Option<http::StatusCode>,
    request_id: String,
    cause: SharedCause,
}

/// One client id's token.
#[derive(Default)]
pub(crate) struct Slot {
    state: Mutex<State>,
    refresh: tokio::sync::Mutex<()>,
    /// The store shared with other processes, if any.
    shared: Option<Shared>,
}

impl Slot {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The cached token if it may be handed out at `now`.
    pub(crate) fn fresh(&self, now: i64) -> Option<SnapToken> {
        let state = self.lock();
        state
            .current
            .as_ref()
            .filter(|(_, lifetime)| lifetime.is_fresh(now))
            .map(|(token, _)| token.clone())
    }

    /// The cached token's lifetime.
    pub(crate) fn lifetime(&self) -> Option<TokenLifetime> {
        self.lock().current.as_ref().map(|(_, l)| *l)
    }

    /// Drops the cached token if it is still the one of `generation`.
    pub(crate) fn invalidate(&self, generation: u64) {
        let mut state = self.lock();
        if let Some((token, _)) = state.current.take_if(|(t, _)| t.generation == generation) {
            state.refused = Some(token.value);
        }
    }

    #[cfg(test)]
    fn store(&self, fetched: &Fetched, margin: Duration) -> Result<SnapToken, ()> {
        self.store_for(&fetched.token, lifetime(fetched, margin))
    }

    fn store_for(&self, token: &str, lifetime: TokenLifetime) -> Result<SnapToken, ()> {
        let mut bearer = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| ())?;
        bearer.set_sensitive(true);
        let mut state = self.lock();
        state.generation += 1;
        let token = SnapToken {
            value: Arc::from(token),
            bearer,
            generation: state.generation,
        };
        if state.issued.len() == REMEMBERED_TOKENS {
            state.issued.pop_front();
        }
        state.issued.push_back(token.value.clone());
        state.current = Some((token.clone(), lifetime));
        Ok(token)
    }

    /// The cached token, or one from `fetch` — one fetch at a time (double-checked).
    pub(crate) async fn get_or_fetch<F, Fut>(
        &self,
        now: impl Fn() -> i64,
        margin: Duration,
        fetch: F,
    ) -> Result<SnapToken, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Fetched, Error>>,
    {
        if let Some(token) = self.fresh(now()) {
            return Ok(token);
        }
        let seen = self.lock().fetches;
        let _guard = self.refresh.lock().await;
        if let Some(token) = self.fresh(now()) {
            return Ok(token);
        }
        if let Some((seq, failure)) = &self.lock().last_failure {
            if *seq > seen {
                return Err(Error::TokenUnavailable {
                    status: failure.status,
                    request_id: failure.request_id.clone(),
                    source: failure.cause.clone(),
                });
            }
        }
        let result = match &self.shared {
            None => fetch().await.map(|fetched| {
                (
                    Arc::<str>::from(fetched.token.as_str()),
                    lifetime(&fetched, margin),
                )
            }),
            Some(shared) => {
                let refused = self.lock().refused.clone();
                let usable = |stored: &StoredToken| {
                    refused.as_deref() != Some(stored.token())
                        && TokenLifetime::between(stored.fetched_at(), stored.expires_at(), margin)
                            .is_fresh(now())
                };
                let fetch = || async {
                    let fetched = fetch().await?;
                    let life = lifetime(&fetched, margin);
                    Ok(StoredToken::new(
                        fetched.token,
                        fetched.fetched_at,
                        life.expires_at,
                    ))
                };
                shared.token(usable, fetch).await.map(|stored| {
                    let life =
                        TokenLifetime::between(stored.fetched_at(), stored.expires_at(), margin);
                    (Arc::<str>::from(stored.token()), life)
                })
            }
        };
        let stored = match result {
            Ok((token, life)) => self.store_for(&token, life).map_err(|()| {
                Error::Config("DOKU's B2B token is not valid in an HTTP header".to_owned())
            }),
            Err(e) => Err(e),
        };
        let mut state = self.lock();
        state.fetches += 1;
        match &stored {
            Ok(_) => state.last_failure = None,
            Err(error) => {
                let failure = SharedFailure {
                    status: error.status(),
                    request_id: error.request_id().unwrap_or("-").to_owned(),
                    cause: SharedCause::of(error),
                };
                state.last_failure = Some((state.fetches, failure));
            }
        }
        stored
    }
}

/// Refresh `margin` before expiry, never before half the lifetime.
fn lifetime(fetched: &Fetched, margin: Duration) -> TokenLifetime {
    let life = i64::try_from(fetched.expires_in).unwrap_or(i64::MAX / 4);
    let expires_at = fetched.fetched_at.saturating_add(life);
    let margin = i64::try_from(margin.as_secs()).unwrap_or(i64::MAX);
    let refresh_at = expires_at
        .saturating_sub(margin)
        .max(fetched.fetched_at.saturating_add(life / 2));
    TokenLifetime {
        refresh_at,
        expires_at,
    }
}

/// Every client id's token slot.
#[derive(Default)]
pub(crate) struct SnapTokens {
    slots: Mutex<HashMap<Arc<str>, Arc<Slot>>>,
    /// The store new slots share through: the store, the SNAP base URL, the lease wait.
    store: Option<(Arc<dyn TokenStore>, Arc<str>, Duration)>,
}

impl SnapTokens {
    /// Slots created from now on go through `store`, keyed by client id and `base_url`.
    pub(crate) fn share_through(
        &mut self,
        store: Arc<dyn TokenStore>,
        base_url: &str,
        lease_wait: Duration,
    ) {
        self.store = Some((store, Arc::from(base_url), lease_wait));
    }

    /// The slot of `client_id` (created empty on first use).
    pub(crate) fn slot(&self, client_id: &str) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = slots.get(client_id) {
            return slot.clone();
        }
        let slot = Arc::new(Slot {
            shared: self.store.as_ref().map(|(store, base, lease_wait)| Shared {
                store: store.clone(),
                key: TokenKey::new(TokenKind::SnapB2b, client_id, base),
                lease_wait: *lease_wait,
            }),
            ..Slot::default()
        });
        slots.insert(Arc::from(client_id), slot.clone());
        slot
    }

    /// The slot of `client_id`, if one exists.
    pub(crate) fn existing(&self, client_id: &str) -> Option<Arc<Slot>> {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.get(client_id).cloned()
    }

    /// Every token issued lately, for redaction.
    pub(crate) fn issued(&self) -> Vec<Arc<str>> {
        let slots: Vec<Arc<Slot>> = {
            let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            slots.values().cloned().collect()
        };
        slots
            .iter()
            .flat_map(|s| s.lock().issued.iter().cloned().collect::<Vec<_>>())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    const MARGIN: Duration = Duration::from_secs(60);

    fn fetched(token: &str, expires_in: u64, at: i64) -> Fetched {
        Fetched {
            token: token.to_owned(),
            expires_in,
            fetched_at: at,
        }
    }

    #[test]
    fn refreshed_a_margin_before_expires_in_never_before_half_life() {
        let l = lifetime(&fetched("t", 900, 1_000), MARGIN);
        assert_eq!((l.refresh_at, l.expires_at), (1_840, 1_900));
        let short = lifetime(&fetched("t", 60, 1_000), MARGIN);
        assert_eq!((short.refresh_at, short.expires_at), (1_030, 1_060));
        let slot = Slot::default();
        let t = slot.store(&fetched("tok", 900, 0), MARGIN).unwrap();
        assert_eq!(t.expose(), "tok");
        assert!(slot.fresh(839).is_some());
        assert!(slot.fresh(840).is_none(), "the margin reached: refetch");
        assert!(!format!("{t:?}").contains("tok"));
    }

    #[test]
    fn invalidation_drops_only_the_refused_generation() {
        let slot = Slot::default();
        let old = slot.store(&fetched("old", 900, 0), MARGIN).unwrap();
        let new = slot.store(&fetched("new", 900, 0), MARGIN).unwrap();
        slot.invalidate(old.generation);
        assert_eq!(slot.fresh(1).unwrap().expose(), "new");
        slot.invalidate(new.generation);
        assert!(slot.fresh(1).is_none());
    }

    #[test]
    fn one_slot_per_client_id_and_redaction_sees_every_token() {
        let tokens = SnapTokens::default();
        assert!(Arc::ptr_eq(&tokens.slot("A"), &tokens.slot("A")));
        assert!(!Arc::ptr_eq(&tokens.slot("A"), &tokens.slot("B")));
        tokens
            .slot("A")
            .store(&fetched("ta", 900, 0), MARGIN)
            .unwrap();
        tokens
            .slot("B")
            .store(&fetched("tb", 900, 0), MARGIN)
            .unwrap();
        let mut issued: Vec<String> = tokens.issued().iter().map(|t| t.to_string()).collect();
        issued.sort();
        assert_eq!(issued, ["ta", "tb"]);
        assert!(tokens.existing("C").is_none());
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch_and_its_failure() {
        let slot = Arc::new(Slot::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let run = |fail: bool| {
            let (slot, fetches) = (slot.clone(), fetches.clone());
            tokio::spawn(async move {
                slot.get_or_fetch(
                    || 100,
                    MARGIN,
                    || async move {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        // Every other caller gets to wait on this fetch (current-thread runtime).
                        tokio::task::yield_now().await;
                        if fail {
                            Err(Error::Config("token endpoint down".to_owned()))
                        } else {
                            Ok(fetched("tok", 900, 100))
                        }
                    },
                )
                .await
            })
        };
        let failing: Vec<_> = (0..50).map(|_| run(true)).collect();
        let mut shared = 0;
        for t in failing {
            match t.await.unwrap() {
                Err(Error::TokenUnavailable { .. }) => shared += 1,
                Err(Error::Config(_)) => {}
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((fetches.load(Ordering::SeqCst), shared), (1, 49));
        let ok: Vec<_> = (0..50).map(|_| run(false)).collect();
        for t in ok {
            assert_eq!(t.await.unwrap().unwrap().generation, 1);
        }
        assert_eq!(
            fetches.load(Ordering::SeqCst),
            2,
            "one more fetch for 50 callers"
        );
    }
}
