//! `GET /health`, the readiness probe scripts in any language wait on: 200 `{"status":"ok"}` with no
//! credentials, untouched by faults, not counted in the stats a test asserts on.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{send, CLIENT_ID, SECRET};
use doku_sim::{Fault, FaultKind, FaultTarget};

#[tokio::test]
async fn health_answers_ok_without_credentials() {
    let fx = common::start().await;
    let resp = send(fx.sim.addr(), "GET", "/health", &[], b"")
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(resp.body, br#"{"status":"ok"}"#);
    // A query string (cache busters, curl habits) changes nothing.
    let resp = send(fx.sim.addr(), "GET", "/health?probe=1", &[], b"")
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    fx.sim.shutdown().await;
}

#[tokio::test]
async fn health_ignores_faults_and_leaves_stats_alone() {
    let fx = common::start().await;
    fx.sim
        .set_fault(FaultTarget::Any, Fault::always(FaultKind::Status(503)));
    for _ in 0..3 {
        let resp = send(fx.sim.addr(), "GET", "/health", &[], b"")
            .await
            .unwrap();
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
    let resp = send(fx.sim.addr(), "POST", "/health", &[], b"{}")
        .await
        .unwrap();
    assert_eq!(resp.status, 404);
    assert_eq!(resp.error_code(), "not_found");
    // Nothing else moved under the probe: a near miss is an unknown path.
    let resp = send(fx.sim.addr(), "GET", "/health/", &[], b"")
        .await
        .unwrap();
    assert_eq!(resp.status, 404);
    fx.sim.shutdown().await;
}

/// Kills the child when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What a shell script does: start the binary on a fixed-by-the-OS port, then poll `/health` (bounded)
/// instead of sleeping.
#[tokio::test]
async fn the_binary_is_ready_when_health_answers() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doku-sim"))
        .args(["--listen", "127.0.0.1:0", "--client-id", CLIENT_ID])
        .env("DOKU_SECRET_KEY", SECRET)
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SIM_LISTEN")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();

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
