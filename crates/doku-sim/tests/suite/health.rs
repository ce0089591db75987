//! `GET /health`, the readiness probe scripts in any language wait on: 200 `{"status":"ok"}` with no
//! credentials, untouched by faults, not counted in the stats a test asserts on.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::{Duration, Instant};

use common::binary::SimBinary;
use common::{send, Fixture, RawResponse};
use doku_sim::{Fault, FaultKind, FaultTarget};

/// `method target` with `body` and no headers at all (no credentials) to the simulator of `fx`.
async fn uncredentialed(fx: &Fixture, method: &str, target: &str, body: &[u8]) -> RawResponse {
    send(fx.sim.addr(), method, target, &[], body)
        .await
        .unwrap()
}

#[tokio::test]
async fn health_answers_ok_without_credentials() {
    let fx = common::start().await;
    let resp = uncredentialed(&fx, "GET", "/health", b"").await;
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(resp.body, br#"{"status":"ok"}"#, "scripts compare it whole");
    // The counters a developer watches without a Rust handle live beside it.
    let resp = uncredentialed(&fx, "GET", "/doku-sim/v1/stats", b"").await;
    assert_eq!(resp.status, 200);
    let body = resp.json();
    assert_eq!(body["warnings"], 0);
    for counter in ["delivered", "queued", "dropped", "abandoned"] {
        assert_eq!(body["notifications"][counter], 0, "{counter}");
    }
    // A query string (cache busters, curl habits) changes nothing.
    let resp = uncredentialed(&fx, "GET", "/health?probe=1", b"").await;
    assert_eq!(resp.status, 200);
    fx.sim.shutdown().await;
}

#[tokio::test]
async fn health_ignores_faults_and_leaves_stats_alone() {
    let fx = common::start().await;
    fx.sim
        .set_fault(FaultTarget::Any, Fault::always(FaultKind::Status(503)));
    for _ in 0..3 {
        let resp = uncredentialed(&fx, "GET", "/health", b"").await;
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    }
    let stats = fx.sim.stats();
    assert_eq!(stats.total_requests, 0, "{stats:?}");
    assert_eq!(stats.faults_applied, 0, "{stats:?}");
    fx.sim.shutdown().await;
}

#[tokio::test]
async fn only_get_is_the_probe() {
    let fx = common::start().await;
    let resp = uncredentialed(&fx, "POST", "/health", b"{}").await;
    assert_eq!(resp.status, 404);
    assert_eq!(resp.error_code(), "not_found");
    // Nothing else moved under the probe: a near miss is an unknown path.
    let resp = uncredentialed(&fx, "GET", "/health/", b"").await;
    assert_eq!(resp.status, 404);
    fx.sim.shutdown().await;
}

/// What a shell script does: start the binary on a fixed-by-the-OS port, then poll `/health` (bounded)
/// instead of sleeping.
#[tokio::test]
async fn the_binary_is_ready_when_health_answers() {
    let sim = SimBinary::start(&[]);
    let addr = sim.addr;

    let deadline = Instant::now() + Duration::from_secs(10);
    let resp = loop {
        if let Ok(stream) = tokio::net::TcpStream::connect(addr).await {
            drop(stream);
            break send(addr, "GET", "/health", &[], b"").await.unwrap();
        }
        assert!(Instant::now() < deadline, "no /health answer within 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(resp.status, 200);
    assert_eq!(resp.json()["status"], "ok");
}
