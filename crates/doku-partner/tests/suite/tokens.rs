//! Token caching, expiry, refresh and single-flight against doku-sim.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use common::*;
use doku_partner::Client;
use doku_sign::clock::{Clock as _, ManualClock};

/// A fixed instant far from the real time: if the client signed with the system clock instead
/// of the injected one, the simulator (on the same manual clock) would refuse every
/// `Request-Timestamp` as outside its 5-minute window.
fn start() -> i64 {
    doku_test_support::START_UNIX
}

#[tokio::test]
async fn token_is_reused_until_the_refresh_margin_then_refreshed() {
    let clock = ManualClock::at(start());
    let sim = sim_with(
        doku_sim::SimConfig::builder()
            .clock(clock.clone())
            .token_valid_minutes(60),
    )
    .await;
    let client = Client::new(config(&sim).clock(clock.clone()).build().unwrap()).unwrap();

    client.send(&personal_query()).await.unwrap();
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 1);
    let lifetime = client.cached_token_lifetime().unwrap();
    assert_eq!(
        lifetime.expires_at - lifetime.refresh_at,
        60,
        "default margin"
    );

    clock.advance(30 * 60);
    client.send(&personal_query()).await.unwrap();
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 1, "still fresh");

    // 58m59s: one second before the refresh point.
    clock.advance(28 * 60 + 59);
    client.send(&personal_query()).await.unwrap();
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 1);

    // 59m00s: inside the 60 s margin, so a new token is fetched before DOKU would refuse it.
    clock.advance(1);
    client.send(&personal_query()).await.unwrap();
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 2);
    assert_eq!(
        sim.stats().rejected,
        0,
        "no call was refused for an expired token"
    );
}

#[tokio::test]
async fn requested_valid_time_is_sent_and_used() {
    let clock = ManualClock::at(start());
    let sim = sim_with(doku_sim::SimConfig::builder().clock(clock.clone())).await;
    let client = Client::new(
        config(&sim)
            .clock(clock.clone())
            .token_valid_minutes(5)
            .refresh_margin(std::time::Duration::from_secs(30))
            .build()
            .unwrap(),
    )
    .unwrap();
    client.send(GenerateToken::new()).await.unwrap();
    let lifetime = client.cached_token_lifetime().unwrap();
    let now = clock.unix_seconds();
    assert_eq!(
        lifetime.expires_at - now,
        300,
        "the sim honoured valid_time=5 and exp was read"
    );
    assert_eq!(lifetime.refresh_at - now, 270);
    clock.advance(271);
    client.send(&personal_query()).await.unwrap();
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_first_calls_make_one_token_request() {
    let sim = sim().await;
    let client = client(&sim);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        let client = client.clone();
        tasks.spawn(async move { client.send(&personal_query()).await });
    }
    let mut ok = 0;
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
        ok += 1;
    }
    assert_eq!(ok, 1000);
    let stats = sim.stats();
    assert_eq!(stats.tokens_for(CLIENT_ID), 1, "single-flight refresh");
    assert_eq!(stats.requirement_checks, 1000);
}

/// During a token outage, concurrent calls share the one failed Generate Token call instead of each
/// sending their own: 50 waiting calls cost DOKU the attempts of one token call, not fifty.
#[tokio::test]
async fn a_token_outage_is_shared_by_concurrent_calls() {
    use doku_model::Endpoint;
    use doku_partner::Error;
    use doku_sim::{Fault, FaultKind};

    let sim = sim().await;
    sim.set_fault(Endpoint::Token, Fault::always(FaultKind::Status(503)));
    let client = client(&sim);
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.send(&personal_query()).await })
    });
    let results: Vec<_> = futures_join(calls).await;
    let mut leader = 0;
    let mut shared = 0;
    for result in results {
        match result {
            Err(Error::Api { status, .. }) if status.as_u16() == 503 => leader += 1,
            Err(Error::TokenUnavailable { status, .. }) => {
                assert_eq!(status.map(|s| s.as_u16()), Some(503));
                shared += 1;
            }
            other => panic!("unexpected outcome: {:?}", other.map(|_| ())),
        }
    }
    assert_eq!((leader, shared), (1, 49));
    let stats = sim.stats();
    assert_eq!(
        stats.faults_applied, 3,
        "one token call's 3 attempts, for 50 callers"
    );
    assert_eq!(stats.requirement_checks, 0);

    // After the outage the next call fetches a token and succeeds.
    sim.clear_faults();
    client.send(&personal_query()).await.unwrap();
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.expect("task"));
    }
    out
}
