//! End-to-end tests against small servers on 127.0.0.1 (no outside network).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::convert::Infallible;
use std::error::Error as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::read_head;
use doku_transport::{
    TimeoutPhase, Transport, TransportConfig, TransportConfigBuilder, TransportError,
};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

/// A hyper HTTP/1.1 server on 127.0.0.1:0 running `handler` for every
/// request. Returns its address and a counter of accepted connections.
async fn hyper_server<F, Fut>(handler: F) -> (SocketAddr, Arc<AtomicUsize>)
where
    F: Fn(http::Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = http::Response<Full<Bytes>>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            counter.fetch_add(1, Ordering::SeqCst);
            let handler = handler.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let handler = handler.clone();
                    async move { Ok::<_, Infallible>(handler(req).await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, accepted)
}

/// A raw TCP server: reads the request head, then runs `respond` on the
/// socket (for responses a well-behaved server would never send).
async fn raw_server<F, Fut>(respond: F) -> SocketAddr
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            read_head(&mut stream).await;
            tokio::spawn(respond(stream));
        }
    });
    addr
}

fn transport() -> Transport {
    Transport::new(TransportConfig::default()).unwrap()
}

/// A transport with `configure` applied to the default settings.
fn transport_with(
    configure: impl FnOnce(TransportConfigBuilder) -> TransportConfigBuilder,
) -> Transport {
    Transport::new(configure(TransportConfig::builder()).build()).unwrap()
}

/// A hyper server answering every request `200` with `body`; its address and accepted-connection count.
async fn answering(body: Vec<u8>) -> (SocketAddr, Arc<AtomicUsize>) {
    hyper_server(move |_| {
        let body = body.clone();
        async move { http::Response::new(Full::new(Bytes::from(body))) }
    })
    .await
}

/// Asserts that `$err` matches `$pattern`, printing it if not.
macro_rules! assert_error {
    ($err:expr, $pattern:pat) => {
        assert!(matches!($err, $pattern), "{:?}", $err)
    };
}

/// Asserts how `err` classifies for the retry layer.
fn assert_class(err: &TransportError, connect: bool, timeout: bool, reached_server: bool) {
    assert_eq!(err.is_connect(), connect, "is_connect: {err:?}");
    assert_eq!(err.is_timeout(), timeout, "is_timeout: {err:?}");
    assert_eq!(
        err.may_have_reached_server(),
        reached_server,
        "may_have_reached_server: {err:?}"
    );
}

fn get(addr: SocketAddr, path: &str) -> http::Request<Bytes> {
    http::Request::get(format!("http://{addr}{path}"))
        .body(Bytes::new())
        .unwrap()
}

#[tokio::test]
async fn get_round_trip() {
    let (addr, _) = hyper_server(|req: http::Request<Incoming>| async move {
        assert_eq!(req.method(), http::Method::GET);
        assert_eq!(
            req.uri().path_and_query().unwrap().as_str(),
            "/file?businessType=PERSONAL"
        );
        assert!(req.headers().contains_key(http::header::HOST));
        http::Response::builder()
            .header("x-echo", "yes")
            .body(Full::new(Bytes::from_static(b"{\"ok\":true}")))
            .unwrap()
    })
    .await;

    let response = transport()
        .send(get(addr, "/file?businessType=PERSONAL"))
        .await
        .unwrap();
    assert_eq!(response.status, http::StatusCode::OK);
    assert_eq!(response.version, http::Version::HTTP_11);
    assert_eq!(response.headers["x-echo"], "yes");
    assert_eq!(&response.body[..], b"{\"ok\":true}");
}

#[tokio::test]
async fn post_round_trip_keeps_exact_bytes() {
    // Odd number formatting must survive untouched: the signature digest
    // covers these exact bytes.
    const BODY: &[u8] = b"{\"amount\":\"10000.00\",\"n\":1.50}\n";
    let (addr, _) = hyper_server(|req: http::Request<Incoming>| async move {
        assert_eq!(req.method(), http::Method::POST);
        assert_eq!(req.headers()["client-id"], "BRN-0001");
        let received = req.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&received[..], BODY);
        let mut echoed = b"echo:".to_vec();
        echoed.extend_from_slice(&received);
        http::Response::builder()
            .status(http::StatusCode::CREATED)
            .body(Full::new(Bytes::from(echoed)))
            .unwrap()
    })
    .await;

    let request = http::Request::post(format!("http://{addr}/token"))
        .header("Client-Id", "BRN-0001")
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Bytes::from_static(BODY))
        .unwrap();
    let response = transport().send(request).await.unwrap();
    assert_eq!(response.status, http::StatusCode::CREATED);
    let mut expected = b"echo:".to_vec();
    expected.extend_from_slice(BODY);
    assert_eq!(&response.body[..], &expected[..]);
}

#[tokio::test]
async fn error_statuses_are_responses_not_errors() {
    let (addr, _) = hyper_server(|_| async {
        http::Response::builder()
            .status(http::StatusCode::SERVICE_UNAVAILABLE)
            .body(Full::new(Bytes::from_static(b"busy")))
            .unwrap()
    })
    .await;
    let response = transport().send(get(addr, "/")).await.unwrap();
    assert_eq!(response.status, http::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(&response.body[..], b"busy");
}

#[tokio::test]
async fn sequential_requests_reuse_one_connection() {
    let (addr, accepted) = answering(b"x".to_vec()).await;
    let transport = transport();
    let clone = transport.clone();
    transport.send(get(addr, "/a")).await.unwrap();
    clone.send(get(addr, "/b")).await.unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "clones share one pool");
}

#[tokio::test]
async fn pool_disabled_opens_a_connection_per_request() {
    let (addr, accepted) = answering(b"x".to_vec()).await;
    let transport = transport_with(|b| b.pool_max_idle_per_host(0));
    transport.send(get(addr, "/a")).await.unwrap();
    transport.send(get(addr, "/b")).await.unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    // Bind then drop to get a port nobody listens on.
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    let err = transport().send(get(addr, "/")).await.unwrap_err();
    assert_error!(err, TransportError::Connect { .. });
    assert_class(&err, true, false, false);
    assert!(err.source().is_some(), "the cause is kept");
}

#[tokio::test]
async fn slow_response_times_out_waiting_for_headers() {
    let (addr, _) = hyper_server(|_| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        http::Response::new(Full::new(Bytes::new()))
    })
    .await;
    let transport = transport_with(|b| b.attempt_timeout(Duration::from_millis(200)));
    let err = transport.send(get(addr, "/")).await.unwrap_err();
    match &err {
        TransportError::Timeout {
            phase: TimeoutPhase::Response,
            elapsed,
            ..
        } => assert!(*elapsed >= Duration::from_millis(200), "{elapsed:?}"),
        other => panic!("expected a response timeout, got {other:?}"),
    }
    assert_class(&err, false, true, true);
}

/// A server answering 200 with `Content-Length: announced` but sending only `sent` of the body,
/// then holding the connection for `hold` before dropping it (closing it owing the rest).
async fn short_body(announced: usize, sent: &'static str, hold: Duration) -> SocketAddr {
    raw_server(move |mut s| async move {
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {announced}\r\n\r\n{sent}");
        s.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(hold).await;
    })
    .await
}

#[tokio::test]
async fn stalled_body_times_out_in_the_body_phase() {
    let addr = short_body(10, "abc", Duration::from_secs(5)).await;
    let transport = transport_with(|b| b.attempt_timeout(Duration::from_millis(200)));
    let err = transport.send(get(addr, "/")).await.unwrap_err();
    assert_error!(
        err,
        TransportError::Timeout {
            phase: TimeoutPhase::Body,
            ..
        }
    );
    assert_class(&err, false, true, true);
}

fn capped(limit: usize) -> Transport {
    transport_with(|b| b.max_body_bytes(limit))
}

#[tokio::test]
async fn body_at_the_cap_is_accepted() {
    let (addr, _) = answering(vec![b'a'; 64]).await;
    let response = capped(64).send(get(addr, "/")).await.unwrap();
    assert_eq!(response.body.len(), 64);
}

#[tokio::test]
async fn announced_body_over_the_cap_is_refused() {
    let (addr, _) = answering(vec![b'a'; 65]).await;
    let err = capped(64).send(get(addr, "/")).await.unwrap_err();
    assert_error!(
        err,
        TransportError::BodyTooLarge {
            limit: 64,
            content_length: Some(65)
        }
    );
    assert!(err.may_have_reached_server());
}

#[tokio::test]
async fn chunked_body_over_the_cap_is_refused() {
    // No Content-Length: the cap is enforced on the bytes received. The
    // server claims a huge body but the client stops after the cap.
    let addr = raw_server(|mut s| async move {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await;
        let chunk = format!("{:x}\r\n{}\r\n", 40, "b".repeat(40));
        for _ in 0..1000 {
            if s.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
        let _ = s.write_all(b"0\r\n\r\n").await;
    })
    .await;
    let err = capped(64).send(get(addr, "/")).await.unwrap_err();
    assert_error!(
        err,
        TransportError::BodyTooLarge {
            limit: 64,
            content_length: None
        }
    );
}

#[tokio::test]
async fn connection_dropped_mid_body_is_a_body_error() {
    // Dropping the socket closes it with 93 bytes still owed.
    let addr = short_body(100, "partial", Duration::ZERO).await;
    let err = transport().send(get(addr, "/")).await.unwrap_err();
    assert_error!(err, TransportError::Body { .. });
    assert_class(&err, false, false, true);
    assert!(err.source().is_some());
}

#[tokio::test]
async fn connection_closed_without_response_may_have_reached_the_server() {
    let addr = raw_server(|s| async move { drop(s) }).await;
    let err = transport().send(get(addr, "/")).await.unwrap_err();
    assert_error!(err, TransportError::Request { .. });
    assert_class(&err, false, false, true);
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused_without_opt_in() {
    let uri: http::Uri = "http://example.com/adv-core-api/partner/v1.0/token"
        .parse()
        .unwrap();
    let transport = transport();
    assert!(matches!(
        transport.check_uri(&uri),
        Err(TransportError::InsecureHttp { .. })
    ));
    // `send` refuses before any DNS lookup or connect.
    let err = transport
        .send(http::Request::post(uri).body(Bytes::new()).unwrap())
        .await
        .unwrap_err();
    match &err {
        TransportError::InsecureHttp { host } => assert_eq!(host, "example.com"),
        other => panic!("expected InsecureHttp, got {other:?}"),
    }
    assert!(!err.may_have_reached_server());
}

#[test]
fn plain_http_to_a_remote_host_is_accepted_with_opt_in() {
    let uri: http::Uri = "http://example.com/adv-core-api/partner/v1.0/token"
        .parse()
        .unwrap();
    let transport = transport_with(|b| b.allow_insecure_http(true));
    assert!(transport.config().allows_insecure_http());
    transport.check_uri(&uri).unwrap();
}

#[tokio::test]
async fn other_schemes_and_relative_uris_are_refused() {
    let transport = transport_with(|b| b.allow_insecure_http(true));
    let err = transport
        .send(
            http::Request::get("ftp://127.0.0.1/x")
                .body(Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert_error!(err, TransportError::UnsupportedScheme { .. });
    let err = transport
        .send(http::Request::get("/relative").body(Bytes::new()).unwrap())
        .await
        .unwrap_err();
    assert_error!(err, TransportError::InvalidUri { .. });
    assert!(!err.may_have_reached_server());
}

#[test]
fn https_transport_builds_without_network_or_runtime() {
    let transport = transport();
    let uat: http::Uri = "https://api-uat.doku.com/adv-core-api/partner/v1.0/token"
        .parse()
        .unwrap();
    transport.check_uri(&uat).unwrap();
}

#[test]
fn builds_with_an_installed_default_crypto_provider() {
    // Another part of the application may have installed a provider; we
    // must use it rather than panic. (Err means one was already installed.)
    let _ = rustls::crypto::ring::default_provider().install_default();
    assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    Transport::new(TransportConfig::default()).unwrap();
}

#[test]
fn zero_timeouts_are_refused() {
    for config in [
        TransportConfig::builder()
            .connect_timeout(Duration::ZERO)
            .build(),
        TransportConfig::builder()
            .attempt_timeout(Duration::ZERO)
            .build(),
        TransportConfig::builder().max_body_bytes(0).build(),
    ] {
        assert!(matches!(
            Transport::new(config),
            Err(TransportError::InvalidConfig { .. })
        ));
    }
}

#[tokio::test]
async fn connect_timeout_is_a_connect_phase_timeout() {
    // A listener whose accept queue is full makes Linux drop further SYNs,
    // so a connect hangs without leaving loopback.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    let mut hangs = false;
    for _ in 0..16 {
        match tokio::time::timeout(Duration::from_millis(100), TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => held.push(stream),
            Ok(Err(_)) | Err(_) => {
                hangs = true;
                break;
            }
        }
    }
    if !hangs {
        eprintln!("skipped: this OS does not stall connects to a full accept queue");
        return;
    }
    let transport = transport_with(|b| {
        b.connect_timeout(Duration::from_millis(200))
            .attempt_timeout(Duration::from_secs(5))
    });
    let err = transport.send(get(addr, "/")).await.unwrap_err();
    assert_error!(
        err,
        TransportError::Timeout {
            phase: TimeoutPhase::Connect,
            source: Some(_),
            ..
        }
    );
    assert_class(&err, true, true, false);
    drop(listener);
}
