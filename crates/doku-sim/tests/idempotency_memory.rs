//! Memory of the idempotency record, measured: the RSS a recorded
//! Generate Token answer costs, and proof that the retention bound stops the growth. Alone in
//! its test binary so no other test allocates meanwhile; the numbers go to
//! `docs/reliability.md`. Re-run with `-- --nocapture` to see them.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used)]

#[path = "suite/common/mod.rs"]
mod common;

use bytes::Bytes;
use common::{in_process_request, CLIENT_ID, SECRET, START, TOKEN_BODY, TOKEN_PATH};
use doku_sign::clock::ManualClock;
use doku_sign::SecretKey;
use doku_sim::{Delivered, InProcessSim, Sim, SimConfig};

const NOW: &str = START;
/// Requests per measurement.
const N: usize = 10_000;

fn sim(
    tune: impl FnOnce(doku_sim::SimConfigBuilder) -> doku_sim::SimConfigBuilder,
) -> InProcessSim {
    let clock = ManualClock::at(doku_sign::timestamp::parse_utc_strict(NOW).unwrap());
    let builder = SimConfig::builder()
        .credential(CLIENT_ID, SecretKey::new(SECRET))
        .clock(clock);
    Sim::in_process(tune(builder).build().unwrap())
}

fn token_request(request_id: &str) -> http::Request<Bytes> {
    in_process_request("POST", TOKEN_PATH, None, request_id, None, TOKEN_BODY)
}

fn rss_kib() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// Sends `n` token requests with fresh Request-Ids; returns the RSS growth in bytes.
async fn grow(sim: &InProcessSim, prefix: &str, n: usize) -> i64 {
    let before = rss_kib();
    for i in 0..n {
        // A UUID-length Request-Id, like a client's.
        let id = format!("{prefix}-{i:0>30}");
        let Delivered::Response(r) = sim.handle(token_request(&id)).await else {
            panic!("not answered")
        };
        assert_eq!(r.status(), 200);
    }
    (rss_kib() - before) * 1024
}

#[tokio::test(flavor = "current_thread")]
async fn a_record_costs_about_a_kibibyte_and_retention_stops_the_growth() {
    // Warm up allocator pools and lazy statics, then measure.
    let unbounded = sim(|b| b);
    grow(&unbounded, "warm", 1_000).await;
    let grown = grow(&unbounded, "kept", N).await;
    let per_record = grown / N as i64;
    println!(
        "{N} recorded Generate Token answers: RSS +{} KiB, {per_record} bytes per record",
        grown / 1024
    );
    assert!(per_record < 2048, "{per_record} bytes per record");

    // With at most 1,000 records kept, the same traffic adds almost nothing.
    let bounded = sim(|b| b.idempotency_max_records(1_000));
    grow(&bounded, "warm", 1_000).await;
    let grown_bounded = grow(&bounded, "bounded", N).await;
    println!(
        "same traffic with --idempotency-max-records 1000: RSS +{} KiB",
        grown_bounded / 1024
    );
    assert!(
        grown_bounded < grown / 4,
        "retention did not stop the growth: +{grown_bounded} B vs +{grown} B unbounded"
    );
    // The newest records are still replayed.
    let Delivered::Response(r) = bounded
        .handle(token_request(&format!("bounded-{:0>30}", N - 1)))
        .await
    else {
        panic!("not answered")
    };
    assert_eq!(r.status(), 409);
    println!("body of one recorded answer: {} bytes", r.body().len());
}
