//! The simulator under attack, case by case: every hostile case answers a clear 4xx
//! (or, for the global bounds, is held by the bound), each from the headers alone where the
//! headers are enough.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::Duration;

use common::*;
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use doku_test_support::Http1Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The four signed headers for a call, plus Content-Type.
fn signed(f: &Fixture, request_id: &str, target: &str, body: &[u8]) -> Vec<(String, String)> {
    let timestamp = f.now();
    let message = Message {
        client_id: CLIENT_ID,
        request_id,
        timestamp: &timestamp,
        target,
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

fn replace(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(n, _)| n != name);
    headers.push((name.to_owned(), value.to_owned()));
}

/// Sends a request head announcing a `declared`-byte body, sends no body, and returns what
/// came back within `wait` (`None`: nothing, the server is still waiting for the body).
async fn head_only(
    addr: std::net::SocketAddr,
    headers: &[(String, String)],
    declared: usize,
    wait: Duration,
) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head =
        format!("POST {TOKEN_PATH} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {declared}\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let read = tokio::time::timeout(wait, async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
            if Http1Message::parse(&buf).is_some_and(|m| m.is_complete()) {
                break;
            }
        }
    })
    .await;
    if read.is_err() && buf.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, body))
}

fn code_of(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["error"]["code"].as_str().unwrap().to_owned()
}

/// An unauthenticated request is refused from its headers, before its announced 12 MiB body
/// is sent.
#[tokio::test]
async fn unauthenticated_bodies_are_refused_before_they_are_read() {
    let f = start().await;
    let addr = f.sim.addr();
    let big = 12 * 1024 * 1024 - 1;
    let good = signed(&f, "pre-read", TOKEN_PATH, b"{}");
    type Case = (&'static str, Vec<(String, String)>, u16, &'static str);
    let cases: Vec<Case> = vec![
        ("no headers", vec![], 400, "missing_header"),
        (
            "unknown Client-Id",
            {
                let mut h = good.clone();
                replace(&mut h, "Client-Id", "BRN-9999-UNKNOWN");
                h
            },
            401,
            "invalid_client_id",
        ),
        (
            "stale timestamp",
            {
                let mut h = good.clone();
                replace(&mut h, "Request-Timestamp", "2020-08-11T07:00:00Z");
                h
            },
            401,
            "invalid_timestamp",
        ),
        (
            "malformed Signature",
            {
                let mut h = good.clone();
                replace(&mut h, "Signature", "HMACSHA256=not-base64!");
                h
            },
            401,
            "invalid_signature",
        ),
    ];
    for (what, headers, status, code) in cases {
        let answer = head_only(addr, &headers, big, Duration::from_secs(3)).await;
        let (got, body) = answer.unwrap_or_else(|| {
            panic!(
                "{what}: no answer while the body was withheld — the simulator waited to read it"
            )
        });
        assert_eq!((got, code_of(&body).as_str()), (status, code), "{what}");
    }
    // Plausible headers are let through to the body read (and then wait for the body).
    assert!(
        head_only(addr, &good, big, Duration::from_millis(500))
            .await
            .is_none(),
        "well-formed headers must reach the body read"
    );
}

/// A repeated required header is ambiguous: refused with `duplicate_header`.
#[tokio::test]
async fn duplicated_required_headers_are_refused() {
    let f = start().await;
    for name in ["Client-Id", "Request-Id", "Request-Timestamp", "Signature"] {
        let mut headers = signed(&f, &format!("dup-{name}"), TOKEN_PATH, TOKEN_BODY);
        let value = headers.iter().find(|(n, _)| n == name).unwrap().1.clone();
        headers.push((name.to_owned(), value));
        let resp = send(f.sim.addr(), "POST", TOKEN_PATH, &headers, TOKEN_BODY)
            .await
            .unwrap();
        assert_eq!(
            (resp.status, resp.error_code().as_str()),
            (400, "duplicate_header"),
            "{name}"
        );
    }
    assert_eq!(f.sim.stats().tokens_for(CLIENT_ID), 0);
}

/// A non-ASCII header value is invalid, not missing.
#[tokio::test]
async fn non_ascii_header_values_are_not_visible_ascii() {
    let f = start().await;
    let mut headers = signed(&f, "non-ascii", TOKEN_PATH, TOKEN_BODY);
    // Raw bytes on the wire: "BRN-é" in UTF-8.
    replace(&mut headers, "Client-Id", "BRN-\u{e9}");
    let resp = send(f.sim.addr(), "POST", TOKEN_PATH, &headers, TOKEN_BODY)
        .await
        .unwrap();
    resp.assert_refused(400, "invalid_header");
    let message = resp.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("not visible ASCII"), "{message}");
    assert!(!message.contains("missing"), "{message}");
}

/// The last second of 9999 is a well-formed timestamp, just far outside the window.
#[tokio::test]
async fn year_9999_is_out_of_the_window_not_malformed() {
    let f = start().await;
    let mut call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    call.timestamp = "9999-12-31T23:59:59Z".to_owned();
    let resp = f.send(&call).await.unwrap();
    resp.assert_refused(401, "invalid_timestamp");
    let message = resp.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(!message.contains("not UTC"), "{message}");
}

/// Input echoed in an error body is capped.
#[tokio::test]
async fn error_bodies_echo_a_capped_prefix() {
    let f = start().await;
    let long = "A".repeat(20_000);
    let mut headers = signed(&f, "echo-1", TOKEN_PATH, TOKEN_BODY);
    replace(&mut headers, "Client-Id", &long);
    let resp = send(f.sim.addr(), "POST", TOKEN_PATH, &headers, TOKEN_BODY)
        .await
        .unwrap();
    assert_eq!(resp.status, 401);
    assert!(resp.body.len() < 512, "{} bytes echoed", resp.body.len());
    assert!(
        String::from_utf8_lossy(&resp.body).contains("more bytes")
            || String::from_utf8_lossy(&resp.body).contains("(+")
    );

    let path = format!("/{}", "p".repeat(2_000));
    let resp = send(f.sim.addr(), "GET", &path, &[], b"").await.unwrap();
    assert_eq!(resp.status, 404);
    assert!(resp.body.len() < 512, "{} bytes echoed", resp.body.len());

    // A target past 4 KiB (path or query) is refused outright, so no echo of it (404
    // messages, `error.string_to_sign`) can be large.
    let long_query = format!("{FILE_PATH}?businessType={}", "X".repeat(20_000));
    let resp = send(f.sim.addr(), "GET", &long_query, &[], b"")
        .await
        .unwrap();
    resp.assert_refused(414, "uri_too_long");
    assert!(resp.body.len() < 512, "{} bytes echoed", resp.body.len());
}

/// An absurd `valid_time` gives a token that lives at most a day.
#[tokio::test]
async fn valid_time_is_capped_at_a_day() {
    let f = start().await;
    let body = br#"{"grant_type":"client_credentials","valid_time":"4294967295"}"#;
    let resp = f.send(&f.call("POST", TOKEN_PATH, body)).await.unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    use base64::Engine as _;
    let token = resp.json()["token"].as_str().unwrap().to_owned();
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.split('.').nth(1).unwrap())
        .unwrap();
    let claims: doku_model::TokenClaims = serde_json::from_slice(&payload).unwrap();
    assert_eq!(claims.exp - claims.iat, 24 * 3600);
}

/// A connection that sends nothing is closed after the header-read timeout.
#[tokio::test]
async fn silent_connections_are_closed() {
    let f = start_with(|b| b.header_read_timeout(Duration::from_millis(500))).await;
    let mut silent = TcpStream::connect(f.sim.addr()).await.unwrap();
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(3), silent.read(&mut byte)).await;
    assert!(
        matches!(read, Ok(Ok(0) | Err(_))),
        "a silent connection is still open after 3 s: {read:?}"
    );
    // One that sent half a request head is closed too.
    let mut half = TcpStream::connect(f.sim.addr()).await.unwrap();
    half.write_all(b"POST /adv-core-api/partner/v1.0/token HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let read = tokio::time::timeout(Duration::from_secs(3), half.read(&mut byte)).await;
    assert!(matches!(read, Ok(Ok(_) | Err(_))), "{read:?}");
}

/// At the connection cap, the connection idle longest makes room.
#[tokio::test]
async fn at_the_connection_cap_the_oldest_idle_connection_is_closed() {
    let f = start_with(|b| b.max_connections(4)).await;
    let mut silent = Vec::new();
    for _ in 0..4 {
        silent.push(TcpStream::connect(f.sim.addr()).await.unwrap());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Idle for over a second: evictable.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let token = tokio::time::timeout(Duration::from_secs(3), f.token()).await;
    assert!(
        token.is_ok(),
        "a signed request waited behind silent connections"
    );
    let mut byte = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(2), silent[0].read(&mut byte)).await;
    assert!(
        matches!(read, Ok(Ok(0) | Err(_))),
        "the oldest silent connection was not closed: {read:?}"
    );
}

/// Body bytes held at once are bounded; a request that cannot fit is 503.
#[tokio::test]
async fn in_flight_body_bytes_are_bounded() {
    let f = start_with(|b| b.max_inflight_body_bytes(1024 * 1024)).await;
    let headers = signed(&f, "budget", TOKEN_PATH, b"{}");
    let (status, body) = head_only(
        f.sim.addr(),
        &headers,
        2 * 1024 * 1024,
        Duration::from_secs(3),
    )
    .await
    .expect("answered without reading the body");
    assert_eq!((status, code_of(&body).as_str()), (503, "simulator_busy"));
    // Small bodies still pass.
    f.token().await;
}

/// Reads the server's first SETTINGS frame on an h2c connection and returns
/// SETTINGS_MAX_CONCURRENT_STREAMS.
async fn h2_max_streams(addr: std::net::SocketAddr) -> Option<u32> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .await
        .unwrap();
    let mut header = [0u8; 9];
    tokio::time::timeout(Duration::from_secs(3), s.read_exact(&mut header))
        .await
        .ok()?
        .ok()?;
    assert_eq!(header[3], 0x4, "first frame is SETTINGS");
    let len = usize::from(header[0]) << 16 | usize::from(header[1]) << 8 | usize::from(header[2]);
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).await.ok()?;
    payload.chunks(6).find_map(|e| {
        (u16::from_be_bytes([e[0], e[1]]) == 0x3)
            .then(|| u32::from_be_bytes([e[2], e[3], e[4], e[5]]))
    })
}

/// HTTP/2 connections announce the stream cap (16, not hyper's default of 200).
#[tokio::test]
async fn h2_streams_per_connection_are_capped() {
    let f = start().await;
    assert_eq!(
        h2_max_streams(f.sim.addr()).await,
        Some(doku_sim::DEFAULT_H2_MAX_STREAMS)
    );
    const { assert!(doku_sim::DEFAULT_H2_MAX_STREAMS <= 32) };
    let f = start_with(|b| b.h2_max_streams(3)).await;
    assert_eq!(h2_max_streams(f.sim.addr()).await, Some(3));
}

/// The idempotency record forgets the oldest records past its bounds.
#[tokio::test]
async fn idempotency_records_are_bounded() {
    let f = start_with(|b| b.idempotency_max_records(2)).await;
    let calls: Vec<_> = (0..3)
        .map(|i| {
            let mut c = f.call("POST", TOKEN_PATH, TOKEN_BODY);
            c.request_id = format!("retained-{i}");
            c
        })
        .collect();
    for c in &calls {
        assert_eq!(f.send(c).await.unwrap().status, 200);
    }
    // The newest is still remembered: replayed with 409.
    assert_eq!(f.send(&calls[2]).await.unwrap().status, 409);
    // The oldest was forgotten: processed again.
    assert_eq!(f.send(&calls[0]).await.unwrap().status, 200);

    // Age: with a one-minute retention, a record made two minutes ago is gone.
    let f = start_with(|b| b.idempotency_max_age(Duration::from_secs(60))).await;
    let mut call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    assert_eq!(f.send(&call).await.unwrap().status, 200);
    assert_eq!(f.send(&call).await.unwrap().status, 409);
    f.clock.advance(120);
    call.timestamp = f.now();
    assert_eq!(f.send(&call).await.unwrap().status, 200);
}

/// A body above 256 KiB is verified on the blocking pool: still accepted when signed, refused
/// when one byte changed (a current-thread runtime, as here, works too).
#[tokio::test]
async fn large_bodies_are_verified_off_the_async_worker() {
    let f = start().await;
    let mut body = br#"{"grant_type":"client_credentials"}"#.to_vec();
    body.extend(std::iter::repeat_n(b' ', 300 * 1024));
    let call = f.call("POST", TOKEN_PATH, &body);
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));

    let headers = signed(&f, "large-changed", TOKEN_PATH, &body);
    let mut changed = body.clone();
    *changed.last_mut().unwrap() = b'\n';
    let resp = send(f.sim.addr(), "POST", TOKEN_PATH, &headers, &changed)
        .await
        .unwrap();
    resp.assert_refused(401, "invalid_signature");
}

/// A request head above `max_header_bytes` (64 KiB) is refused, not buffered.
#[tokio::test]
async fn oversized_request_heads_are_refused() {
    let f = start().await;
    let mut headers = signed(&f, "huge-head", TOKEN_PATH, TOKEN_BODY);
    headers.push(("X-Padding".into(), "p".repeat(70 * 1024)));
    let resp = send(f.sim.addr(), "POST", TOKEN_PATH, &headers, TOKEN_BODY).await;
    let status = resp.map(|r| r.status);
    assert_eq!(status, Some(431), "got {status:?}");
}

const CHECKOUT_PATH: &str = "/checkout/v1/payment";

/// A signed Checkout create with its own Request-Id.
async fn checkout(f: &Fixture, request_id: &str, body: &[u8]) -> RawResponse {
    let mut call = f.call("POST", CHECKOUT_PATH, body);
    call.request_id = request_id.to_owned();
    f.send(&call).await.unwrap()
}

/// A list of line items decodes under its cap, and a JSON body is charged its decoded size: a
/// million empty items (2.86 MiB) are refused from the estimate before any decoding, 1,001 are
/// refused by the decoder at the cap; both say it is a resource bound.
#[tokio::test]
async fn line_item_bombs_are_bounded_while_decoding() {
    let f = start().await;
    let body = |n: usize, invoice: &str| {
        let items = vec!["{}"; n].join(",");
        format!(
            r#"{{"order":{{"amount":20000,"invoice_number":"{invoice}","line_items":[{items}]}}}}"#
        )
        .into_bytes()
    };
    let resp = checkout(&f, "bomb-1m", &body(1_000_000, "BOMB-1")).await;
    let text = String::from_utf8_lossy(&resp.body).into_owned();
    assert_eq!(resp.status, 413, "{text}");
    assert!(text.contains("resource bound"), "{text}");

    let resp = checkout(
        &f,
        "bomb-1001",
        &body(doku_model::MAX_LINE_ITEMS + 1, "BOMB-2"),
    )
    .await;
    let text = String::from_utf8_lossy(&resp.body).into_owned();
    assert_eq!(resp.status, 400, "{text}");
    assert!(
        text.contains("order.line_items") && text.contains("resource bound"),
        "{text}"
    );
}

/// Amounts are read from their text: what `f64` rounds to a plain amount is refused, naming
/// the field and the reason (before, `19999.99999999999999` was an order of 20000).
#[tokio::test]
async fn checkout_amounts_are_exact() {
    let f = start().await;
    for (i, (amount, why)) in [
        ("19999.99999999999999", "decimal places"),
        ("1e4", "exponent"),
        ("\" 20000\"", "spaces"),
    ]
    .into_iter()
    .enumerate()
    {
        let body = format!(r#"{{"order":{{"amount":{amount},"invoice_number":"AMT-{i}"}}}}"#);
        let resp = checkout(&f, &format!("amount-{i}"), body.as_bytes()).await;
        let text = String::from_utf8_lossy(&resp.body).into_owned();
        assert_eq!(resp.status, 400, "{amount}: {text}");
        assert!(
            text.contains("order.amount") && text.contains(why),
            "{amount}: {text}"
        );
    }
}

async fn order_status(f: &Fixture, id: &str) -> RawResponse {
    let path = format!("/orders/v1/status/{id}");
    let call = f.call("GET", &path, b"");
    f.send(&call).await.unwrap()
}

/// Check Status takes an invoice number or a create Request-Id. When one order's invoice
/// number is another order's Request-Id, asking by it is ambiguous: the simulator answers 409
/// rather than either order (before, it silently showed the first order to whoever meant the
/// second); each order is still found by its other identifier.
#[tokio::test]
async fn an_invoice_number_never_shadows_another_orders_request_id() {
    let f = start().await;
    let a = checkout(
        &f,
        "req-a",
        br#"{"order":{"amount":1000,"invoice_number":"SHARED-1"}}"#,
    )
    .await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let b = checkout(
        &f,
        "SHARED-1",
        br#"{"order":{"amount":2000,"invoice_number":"INV-B"}}"#,
    )
    .await;
    assert_eq!(b.status, 200, "{}", String::from_utf8_lossy(&b.body));
    let shared = order_status(&f, "SHARED-1").await;
    let text = String::from_utf8_lossy(&shared.body).into_owned();
    assert_eq!(shared.status, 409, "{text}");
    assert!(text.contains("AMBIGUOUS"), "{text}");
    let by_request_id = order_status(&f, "req-a").await.json();
    assert_eq!(by_request_id["order"]["invoice_number"], "SHARED-1");
    let by_invoice = order_status(&f, "INV-B").await.json();
    assert_eq!(by_invoice["transaction"]["original_request_id"], "SHARED-1");
}
