//! The token store seam: clients sharing one token through a `TokenStore`, against doku-sim under
//! the reading that a new token revokes the older ones.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use crate::common::*;
use doku_partner::{
    Client, Error, FetchLease, MemoryTokenStore, StoreFuture, StoredToken, TokenKey, TokenStore,
};
use doku_sim::{BearerReading, Readings, SimConfig, SimHandle};

/// A simulator that checks the bearer on every Partner call and revokes a client id's older
/// tokens when it issues a new one.
async fn revoking_sim() -> SimHandle {
    sim_with(
        SimConfig::builder().readings(
            Readings::default()
                .bearer(BearerReading::Everywhere)
                .token_revokes_previous(true),
        ),
    )
    .await
}

/// Two clients of one credential take turns, `rounds` calls each; returns the failed calls.
async fn take_turns(a: &Client, b: &Client, rounds: usize) -> usize {
    let mut failed = 0;
    for _ in 0..rounds {
        for client in [a, b] {
            if client.send(&personal_query()).await.is_err() {
                failed += 1;
            }
        }
    }
    failed
}

#[tokio::test]
async fn without_a_shared_store_two_clients_revoke_each_other_s_tokens() {
    let sim = revoking_sim().await;
    let (a, b) = (client(&sim), client(&sim));
    let failed = take_turns(&a, &b, 20).await;
    // Each call meets a token the other client's fetch revoked: 401, a fetch, the repeat.
    assert_eq!(failed, 0, "the one repeat after a 401 saves each call here");
    assert!(
        sim.stats().tokens_for(CLIENT_ID) >= 39,
        "a fetch per call: {}",
        sim.stats().tokens_for(CLIENT_ID)
    );
}

#[tokio::test]
async fn clients_sharing_a_store_fetch_one_token_and_never_meet_a_revoked_one() {
    let sim = revoking_sim().await;
    let store = MemoryTokenStore::new();
    let shared = |sim: &SimHandle| build(config(sim).token_store(store.clone()));
    let (a, b) = (shared(&sim), shared(&sim));
    assert_eq!(take_turns(&a, &b, 20).await, 0);
    // And concurrently, from fresh clients on the same store.
    let clients: Vec<Client> = (0..4).map(|_| shared(&sim)).collect();
    let calls: Vec<_> = clients
        .iter()
        .cycle()
        .take(100)
        .map(|c| {
            let c = c.clone();
            tokio::spawn(async move { c.send(&personal_query()).await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 1);
    assert_eq!(sim.stats().rejected, 0, "no call met a revoked token");
}

#[tokio::test]
async fn a_refused_token_in_the_store_is_replaced_once_for_everyone() {
    let sim = revoking_sim().await;
    let store = MemoryTokenStore::new();
    let a = build(config(&sim).token_store(store.clone()));
    a.send(&personal_query()).await.unwrap();
    // Someone outside the store fetches a token: the stored one is revoked.
    client(&sim).send(GenerateToken::new()).await.unwrap();
    let b = build(config(&sim).token_store(store.clone()));
    b.send(&personal_query()).await.unwrap(); // 401, then a new token for the store
    a.send(&personal_query()).await.unwrap(); // 401, then the store's new token: no fetch
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 3);
    // Generate Token sent by hand is saved too: the clients take it after their 401.
    b.send(GenerateToken::new()).await.unwrap();
    a.send(&personal_query()).await.unwrap();
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 4);
}

/// A store whose database is down.
struct DownStore;

impl TokenStore for DownStore {
    fn load<'a>(&'a self, _: &'a TokenKey) -> StoreFuture<'a, Option<StoredToken>> {
        Box::pin(async { Err("connection refused (database down)".into()) })
    }
    fn save<'a>(&'a self, _: &'a TokenKey, _: &'a StoredToken) -> StoreFuture<'a, ()> {
        Box::pin(async { Err("connection refused (database down)".into()) })
    }
    fn acquire_fetch_lease<'a>(
        &'a self,
        _: &'a TokenKey,
        _: Duration,
    ) -> StoreFuture<'a, FetchLease> {
        Box::pin(async { Err("connection refused (database down)".into()) })
    }
    fn release<'a>(&'a self, _: &'a TokenKey, _: FetchLease) -> StoreFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test]
async fn a_store_that_fails_fails_the_call_closed_without_a_token_fetch() {
    let sim = revoking_sim().await;
    let client = build(config(&sim).token_store(DownStore));
    let err = client.send(&personal_query()).await.unwrap_err();
    assert!(matches!(err, Error::TokenStore { .. }), "{err:?}");
    let chain = {
        let mut out = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            out.push_str(&format!(" / {s}"));
            source = s.source();
        }
        out
    };
    assert!(
        chain.contains("token store failed while reading the shared token"),
        "{chain}"
    );
    assert!(chain.contains("fail closed"), "{chain}");
    assert!(chain.contains("database down"), "{chain}");
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 0);
    assert_eq!(sim.stats().total_requests, 0, "nothing was sent");
}

/// SNAP B2B tokens go through the same store, per merchant client id: two clients of one
/// merchant under a revoking simulator fetch one token between them.
#[cfg(feature = "snap")]
#[tokio::test]
async fn snap_b2b_tokens_are_shared_through_the_store_too() {
    use doku_model::snap::{CheckStatusVaRequest, CustomerNo, PartnerServiceId, ResponseKind};
    use doku_model::ClientId;
    use doku_partner::SnapKeys;
    use doku_sign::snap_asymmetric::PrivateKey;
    use doku_sign::SecretKey;
    use doku_sim::{SnapMerchant, SnapReadings};

    const PRIVATE: &str =
        include_str!("../../../doku-sim/tests/suite/snap_keys/merchant-private.pem");
    const PUBLIC: &str =
        include_str!("../../../doku-sim/tests/suite/snap_keys/merchant-public.pem");
    let sim = sim_with(
        SimConfig::builder()
            .snap_merchant(SnapMerchant::new(CLIENT_ID, PUBLIC))
            .readings(
                Readings::default()
                    .token_revokes_previous(true)
                    .snap(SnapReadings::default().token_revokes_previous(true)),
            ),
    )
    .await;
    let store = MemoryTokenStore::new();
    let merchant = |client: &Client| {
        client
            .merchant(ClientId::new(CLIENT_ID).unwrap(), SecretKey::new(SECRET))
            .with_snap(SnapKeys::new(PrivateKey::from_pem(PRIVATE).unwrap()))
    };
    let (a, b) = (
        build(config(&sim).token_store(store.clone())),
        build(config(&sim).token_store(store.clone())),
    );
    let (ma, mb) = (merchant(&a), merchant(&b));
    let status = CheckStatusVaRequest::new(
        PartnerServiceId::from_digits("19008").unwrap(),
        CustomerNo::new("00000000000000000001").unwrap(),
    );
    for _ in 0..5 {
        for m in [&ma, &mb] {
            // No such account: a business refusal, never a refused token.
            match m.send_snap(&status).await {
                Err(Error::Snap(refusal)) => assert_ne!(refusal.kind, ResponseKind::InvalidToken),
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(sim.stats().snap_tokens_issued, 1);
}
