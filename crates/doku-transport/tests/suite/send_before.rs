//! `Transport::send_before`: the caller's deadline and the attempt timeout share one timer, and
//! whichever comes first ends the attempt, in the phase it was in. Servers on 127.0.0.1 only.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::read_head;
use doku_transport::{TimeoutPhase, Transport, TransportConfig, TransportError};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

const MS: Duration = Duration::from_millis(1);

/// A server that reads the request head, writes `head` (possibly nothing) and then stalls.
async fn stalling(head: &'static [u8]) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                read_head(&mut stream).await;
                stream.write_all(head).await.unwrap();
                tokio::time::sleep(Duration::from_secs(10)).await;
            });
        }
    });
    addr
}

fn transport(attempt_timeout: Duration) -> Transport {
    Transport::new(
        TransportConfig::builder()
            .attempt_timeout(attempt_timeout)
            .build(),
    )
    .unwrap()
}

fn get(addr: SocketAddr) -> http::Request<Bytes> {
    http::Request::get(format!("http://{addr}/"))
        .body(Bytes::new())
        .unwrap()
}

/// Sends with `deadline` after `wait`, returning the error's phase and how long it took.
async fn timed_out(
    transport: &Transport,
    addr: SocketAddr,
    wait: Option<Duration>,
) -> (TimeoutPhase, Duration) {
    let start = Instant::now();
    let err = transport
        .send_before(get(addr), wait.map(|w| start + w))
        .await
        .unwrap_err();
    let TransportError::Timeout { phase, .. } = err else {
        panic!("expected a timeout, got {err:?}")
    };
    (phase, start.elapsed())
}

#[tokio::test]
async fn an_earlier_deadline_ends_the_attempt_in_either_phase() {
    let long = transport(Duration::from_secs(5));
    let no_head = stalling(b"").await;
    let (phase, took) = timed_out(&long, no_head, Some(200 * MS)).await;
    assert_eq!(phase, TimeoutPhase::Response);
    assert!(took >= 200 * MS && took < 2000 * MS, "{took:?}");

    let half_body = stalling(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc").await;
    let (phase, took) = timed_out(&long, half_body, Some(200 * MS)).await;
    assert_eq!(phase, TimeoutPhase::Body);
    assert!(took >= 200 * MS && took < 2000 * MS, "{took:?}");
}

#[tokio::test]
async fn the_attempt_timeout_still_applies_before_a_later_deadline() {
    let short = transport(200 * MS);
    let no_head = stalling(b"").await;
    for deadline in [Some(Duration::from_secs(5)), None] {
        let (phase, took) = timed_out(&short, no_head, deadline).await;
        assert_eq!(phase, TimeoutPhase::Response);
        assert!(took >= 200 * MS && took < 2000 * MS, "{took:?}");
    }
}

#[tokio::test]
async fn a_passed_deadline_ends_the_attempt_at_once() {
    let long = transport(Duration::from_secs(5));
    let no_head = stalling(b"").await;
    let (phase, took) = timed_out(&long, no_head, Some(Duration::ZERO)).await;
    assert_eq!(phase, TimeoutPhase::Response);
    assert!(took < 2000 * MS, "{took:?}");
}
