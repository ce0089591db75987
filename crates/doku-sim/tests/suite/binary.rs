//! Starts the built `doku-sim` binary, reads its `listening on` line and talks to it.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::process::Command;

use common::binary::SimBinary;
use common::{send, signed_json_headers, TOKEN_BODY, TOKEN_PATH};

#[tokio::test]
async fn binary_issues_a_token_and_refuses_a_changed_byte() {
    let sim = SimBinary::start(&[]);
    let addr = sim.addr;
    let h = signed_json_headers("bin-req-1", TOKEN_PATH, TOKEN_BODY);
    let resp = send(addr, "POST", TOKEN_PATH, &h, TOKEN_BODY)
        .await
        .unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    assert!(resp.json()["token"].as_str().unwrap().starts_with("eyJ"));

    // Same headers (signed over the original body), one body byte changed.
    let mut changed = TOKEN_BODY.to_vec();
    changed[2] ^= 0x20;
    let h = signed_json_headers("bin-req-2", TOKEN_PATH, TOKEN_BODY);
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
