//! Starts the built `doku-sim` binary, reads its `listening on` line and talks to it.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::{send, CLIENT_ID, SECRET, TOKEN_BODY, TOKEN_PATH};
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;

/// Kills the child when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_binary(extra: &[&str]) -> (Running, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doku-sim"))
        .args(["--listen", "127.0.0.1:0", "--client-id", CLIENT_ID])
        .args(extra)
        .env("DOKU_SECRET_KEY", SECRET)
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SIM_LISTEN")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    (running, url.parse().unwrap())
}

fn headers(request_id: &str, body: &[u8]) -> Vec<(String, String)> {
    let timestamp = doku_sign::timestamp::format_utc(doku_sign::clock::Clock::unix_seconds(
        &doku_sign::clock::SystemClock,
    ));
    let message = Message {
        client_id: CLIENT_ID,
        request_id,
        timestamp: &timestamp,
        target: TOKEN_PATH,
        body: Some(body),
    };
    let signature = non_snap::sign(&SecretKey::new(SECRET), Kind::Request, &message).to_string();
    vec![
        ("Client-Id".into(), CLIENT_ID.into()),
        ("Request-Id".into(), request_id.into()),
        ("Request-Timestamp".into(), timestamp),
        ("Signature".into(), signature),
        ("Content-Type".into(), "application/json".into()),
    ]
}

#[tokio::test]
async fn binary_issues_a_token_and_refuses_a_changed_byte() {
    let (_child, addr) = start_binary(&[]);
    let h = headers("bin-req-1", TOKEN_BODY);
    let resp = send(addr, "POST", TOKEN_PATH, &h, TOKEN_BODY)
        .await
        .unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    assert!(resp.json()["token"].as_str().unwrap().starts_with("eyJ"));

    // Same headers (signed over the original body), one body byte changed.
    let mut changed = TOKEN_BODY.to_vec();
    changed[2] ^= 0x20;
    let h = headers("bin-req-2", TOKEN_BODY);
    let resp = send(addr, "POST", TOKEN_PATH, &h, &changed).await.unwrap();
    assert_eq!(resp.status, 401);
    assert_eq!(resp.error_code(), "invalid_signature");
}

#[test]
fn binary_refuses_bad_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_doku-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--client-id",
            "A",
            "--client-id",
            "B",
            "--secret-key",
            "k",
        ])
        .env_remove("DOKU_SECRET_KEY")
        .env_remove("DOKU_CLIENT_ID")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("one key per client id"));
}
