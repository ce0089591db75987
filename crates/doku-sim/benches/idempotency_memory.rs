//! Memory of the idempotency record: the RSS a recorded Generate Token answer costs, and whether
//! the retention bound stops the growth. A benchmark (`cargo xtask bench` runs it and checks its
//! targets), not a test: an RSS figure depends on the allocator and the machine, so it is a
//! target to report, not a pass/fail of every `cargo test`.
//!
//! ```sh
//! cargo bench -p doku-sim --bench idempotency_memory
//! ```
//!
//! Prints one summary line, `idempotency: … bytes per record (target < 2048) ok; with
//! --idempotency-max-records 1000 +… KiB (target < 1/4 of unbounded) ok`, and exits non-zero when a
//! target is missed. Linux only (it reads `/proc/self/status`).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use bytes::Bytes;
use doku_model::Endpoint;
use doku_sign::clock::ManualClock;
use doku_sign::SecretKey;
use doku_sim::{Delivered, InProcessSim, Sim, SimConfig};
use doku_test_support::{
    Signing, PARTNER_CLIENT_ID, PARTNER_SECRET, START, START_UNIX, TOKEN_BODY,
};

/// Requests per measurement.
const N: usize = 10_000;
/// Most bytes one recorded answer may cost.
const PER_RECORD_TARGET: i64 = 2048;

fn sim(
    tune: impl FnOnce(doku_sim::SimConfigBuilder) -> doku_sim::SimConfigBuilder,
) -> InProcessSim {
    let builder = SimConfig::builder()
        .credential(PARTNER_CLIENT_ID, SecretKey::new(PARTNER_SECRET))
        .clock(ManualClock::at(START_UNIX));
    Sim::in_process(tune(builder).build().unwrap())
}

fn token_request(request_id: &str) -> http::Request<Bytes> {
    let signed = Signing {
        client_id: PARTNER_CLIENT_ID,
        secret: PARTNER_SECRET,
        method: "POST",
        path: Endpoint::Token.path(),
        query: None,
        body: TOKEN_BODY,
        request_id,
        timestamp: START,
        sign_query: false,
    }
    .sign();
    let mut builder = http::Request::builder().method("POST").uri(signed.target);
    for (name, value) in signed.headers {
        builder = builder.header(name, value);
    }
    builder
        .header("Content-Type", "application/json")
        .body(Bytes::from(signed.body))
        .unwrap()
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

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Warm up allocator pools and lazy statics, then measure.
        let unbounded = sim(|b| b);
        grow(&unbounded, "warm", 1_000).await;
        let grown = grow(&unbounded, "kept", N).await;
        let per_record = grown / N as i64;

        let bounded = sim(|b| b.idempotency_max_records(1_000));
        grow(&bounded, "warm", 1_000).await;
        let grown_bounded = grow(&bounded, "bounded", N).await;
        // The newest records are still replayed.
        let Delivered::Response(r) = bounded
            .handle(token_request(&format!("bounded-{:0>30}", N - 1)))
            .await
        else {
            panic!("not answered")
        };
        assert_eq!(r.status(), 409, "the newest record is replayed");

        let per_record_ok = per_record < PER_RECORD_TARGET;
        let bounded_ok = grown_bounded < grown / 4;
        let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
        println!(
            "idempotency: {per_record} bytes per record (target < {PER_RECORD_TARGET}) {}; with --idempotency-max-records 1000 +{} KiB for {N} requests (target < 1/4 of unbounded +{} KiB) {}",
            verdict(per_record_ok),
            grown_bounded / 1024,
            grown / 1024,
            verdict(bounded_ok),
        );
        if !(per_record_ok && bounded_ok) {
            std::process::exit(1);
        }
    });
}
