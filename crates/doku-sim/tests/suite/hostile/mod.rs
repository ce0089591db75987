//! Attack code against a running `doku-sim`: silent connections, large unauthenticated bodies
//! over HTTP/1.1 and h2c (HTTP/2 prior knowledge, many streams on one connection), signed probes
//! that must keep being answered, and the simulator's memory read from `/proc`.
//!
//! Loopback only; every loop is bounded; every wait has a timeout. Used by
//! `tests/suite/hostile_attacks.rs` (re-run it with `-- --nocapture` to see the measurements).
#![allow(dead_code, clippy::unwrap_used, unreachable_pub)]

use std::net::SocketAddr;
use std::pin::Pin;

use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub use crate::common::binary::SimBinary;
pub use crate::common::{CLIENT_ID, TOKEN_BODY, TOKEN_PATH};
/// Just under the default 12 MiB body cap.
pub const BIG: usize = 12 * 1024 * 1024 - 1;
/// A well-formed Signature that matches nothing.
pub const FORGED_SIGNATURE: &str = "HMACSHA256=0DodudwVE5yE9MxGf7bXHJzst7JmoxiBSAYFocE6pIs=";

/// The four Partner API headers, signed for `body` with the real clock.
pub fn signed_headers(request_id: &str, target: &str, body: &[u8]) -> Vec<(String, String)> {
    crate::common::signed_json_headers(request_id, target, body)
}

/// Headers that pass every check that needs no body (known Client-Id, fresh timestamp,
/// well-formed Signature) but whose signature matches nothing: what an attacker who knows a
/// Client-Id but not its key can send.
pub fn forged_headers(request_id: &str) -> Vec<(String, String)> {
    vec![
        ("Client-Id".into(), CLIENT_ID.into()),
        ("Request-Id".into(), request_id.into()),
        ("Request-Timestamp".into(), crate::common::now_utc()),
        ("Signature".into(), FORGED_SIGNATURE.into()),
        ("Content-Type".into(), "application/json".into()),
    ]
}

/// Opens `n` connections that never send a byte.
pub async fn silent_connections(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    held
}

/// How many of `conns` the server has closed (a read returns EOF or an error at once).
pub async fn closed_count(conns: &mut [TcpStream]) -> usize {
    let mut closed = 0;
    for c in conns.iter_mut() {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(Duration::from_millis(20), c.read(&mut byte)).await;
        closed += usize::from(matches!(read, Ok(Ok(0) | Err(_))));
    }
    closed
}

/// Reads the status code of the first response on `read`; the error says what came instead.
async fn read_status(read: &mut (impl AsyncReadExt + Unpin)) -> Result<u16, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 64 * 1024 {
        match read.read(&mut chunk).await {
            Ok(0) => return Err(format!("closed after {} bytes", buf.len())),
            Err(e) => return Err(format!("{e} after {} bytes", buf.len())),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let line = buf.split(|b| *b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(line)
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no status line in {:?}", String::from_utf8_lossy(line)))
}

/// One HTTP/1.1 request with a `len`-byte body of zeros, written from one shared 1 MiB chunk
/// (the attacker needs no memory per connection). Returns the status, or what happened instead
/// within `wait`.
pub async fn h1_body(
    addr: SocketAddr,
    target: &str,
    headers: &[(String, String)],
    len: usize,
    chunk: Bytes,
    wait: Duration,
) -> Result<u16, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (mut read, mut write) = stream.into_split();
    let mut head = format!("POST {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {len}\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let writer = tokio::spawn(async move {
        write.write_all(head.as_bytes()).await?;
        let mut left = len;
        while left > 0 {
            let n = left.min(chunk.len());
            write.write_all(&chunk[..n]).await?;
            left -= n;
        }
        std::io::Result::Ok(write)
    });
    let status = tokio::time::timeout(wait, read_status(&mut read))
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {wait:?}")));
    writer.abort();
    status
}

/// A body of `left` zero bytes, sent in slices of one shared chunk.
pub struct Zeros {
    chunk: Bytes,
    left: usize,
}

impl Zeros {
    pub fn new(chunk: Bytes, len: usize) -> Self {
        Self { chunk, left: len }
    }
}

impl Body for Zeros {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let n = self.left.min(self.chunk.len());
        self.left -= n;
        Poll::Ready(Some(Ok(Frame::data(self.chunk.slice(..n)))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.left as u64)
    }
}

/// What became of one HTTP/2 stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamOutcome {
    /// Answered with this status.
    Status(u16),
    /// Reset with REFUSED_STREAM: over the server's stream cap (sent before the client saw the
    /// server's SETTINGS), not processed, safe to retry (RFC 9113 §8.7).
    Refused,
    /// Anything else (other resets, no answer within the wait).
    Failed(String),
}

/// One h2c connection (prior knowledge) carrying `streams` concurrent POSTs of `len` bytes
/// each; `headers(i)` gives the headers of stream `i`. Returns what became of each stream.
/// `connections` HTTP/1.1 connections at once, connection `i` sending [`h1_body`] a `len`-byte
/// body with `headers(i)`; what each got, in order.
pub async fn h1_bodies(
    addr: SocketAddr,
    target: &str,
    connections: usize,
    len: usize,
    chunk: Bytes,
    headers: impl Fn(usize) -> Vec<(String, String)>,
    wait: Duration,
) -> Vec<Result<u16, String>> {
    let mut tasks = Vec::new();
    for i in 0..connections {
        let (target, headers, chunk) = (target.to_owned(), headers(i), chunk.clone());
        tasks.push(tokio::spawn(async move {
            h1_body(addr, &target, &headers, len, chunk, wait).await
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

pub async fn h2_bodies(
    addr: SocketAddr,
    target: &str,
    streams: usize,
    len: usize,
    chunk: Bytes,
    headers: impl Fn(usize) -> Vec<(String, String)>,
    wait: Duration,
) -> Vec<StreamOutcome> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (send, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .unwrap();
    let driver = tokio::spawn(conn);
    let mut tasks = Vec::with_capacity(streams);
    for i in 0..streams {
        let mut send = send.clone();
        let mut req =
            http::Request::post(format!("http://{addr}{target}")).header("content-length", len);
        for (n, v) in headers(i) {
            req = req.header(n, v);
        }
        let req = req.body(Zeros::new(chunk.clone(), len)).unwrap();
        tasks.push(tokio::spawn(async move {
            let answered = tokio::time::timeout(wait, async {
                send.ready().await?;
                send.send_request(req).await
            })
            .await;
            match answered {
                Ok(Ok(resp)) => StreamOutcome::Status(resp.status().as_u16()),
                Ok(Err(e)) if format!("{e:?}").contains("REFUSED_STREAM") => StreamOutcome::Refused,
                Ok(Err(e)) => StreamOutcome::Failed(format!("{e:?}")),
                Err(_) => StreamOutcome::Failed(format!("no answer within {wait:?}")),
            }
        }));
    }
    let mut statuses = Vec::with_capacity(streams);
    for t in tasks {
        statuses.push(
            t.await
                .unwrap_or_else(|e| StreamOutcome::Failed(e.to_string())),
        );
    }
    driver.abort();
    statuses
}

/// A properly signed Generate Token request on a fresh connection; panics unless it is
/// answered 200 within `within`. Returns how long it took.
pub async fn signed_probe(addr: SocketAddr, id: &str, within: Duration) -> Duration {
    let started = Instant::now();
    let request_id = format!("probe-{id}-{}", uuid::Uuid::new_v4());
    let headers = signed_headers(&request_id, TOKEN_PATH, TOKEN_BODY);
    let answered = tokio::time::timeout(within, async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut head = format!(
            "POST {TOKEN_PATH} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
            TOKEN_BODY.len()
        );
        for (n, v) in &headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(TOKEN_BODY).await.unwrap();
        read_status(&mut stream).await
    })
    .await;
    let elapsed = started.elapsed();
    assert_eq!(
        answered,
        Ok(Ok(200)),
        "signed probe {id} was not answered 200 within {within:?} (after {elapsed:?})"
    );
    elapsed
}
