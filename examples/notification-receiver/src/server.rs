//! The server loop: HTTP/1.1 only (DOKU sends HTTP/1.1; no h2c), with a connection cap that
//! evicts the slowest peer for a newcomer, a header-read timeout, an idle timeout between
//! requests, and a bounded head. `axum::serve` has none of these: 200 peers stalling mid-body
//! held 388 MB, and silent ones stayed open for good.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt as _;

use crate::slots::{Slot, Slots, MIN_WAIT_TO_EVICT};
use crate::Limits;

/// Peers the kernel holds while every slot is taken. The usual 128 is too few under a slow-peer
/// attack: with it full, new handshakes are dropped and a notification waits for the sender's
/// SYN retransmission (1 s, then 3 s).
const ACCEPT_BACKLOG: u32 = 1024;

/// A listener on `addr` with room for `ACCEPT_BACKLOG` (1024) waiting peers.
pub fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(ACCEPT_BACKLOG)
}

/// Serves `app` on `listener` within `limits`, until the task is dropped.
pub(crate) async fn serve(listener: TcpListener, app: Router, limits: Limits) {
    let slots = Slots::new(limits.max_connections, MIN_WAIT_TO_EVICT);
    let limits = Arc::new(limits);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                eprintln!("accept failed: {e}");
                // Out of descriptors, most likely: free one held by a slow peer.
                slots.evict_slowest();
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let slot = slots.admit().await;
        tokio::spawn(serve_connection(
            stream,
            slot,
            app.clone(),
            Arc::clone(&limits),
        ));
    }
}

/// Serves one connection's requests; closes it when a head has not arrived in time (the
/// header-read timeout after the accept, the idle timeout after an answer), or when it is
/// asked to make room while no request is being answered.
async fn serve_connection(stream: TcpStream, slot: Slot, app: Router, limits: Arc<Limits>) {
    let _ = stream.set_nodelay(true);
    let conn = Arc::clone(slot.conn());
    let service = {
        let conn = Arc::clone(&conn);
        service_fn(move |mut request: hyper::Request<Incoming>| {
            let guard = conn.begin_request();
            request.extensions_mut().insert(Arc::clone(&conn));
            let answer = app.clone().oneshot(request.map(axum::body::Body::new));
            async move {
                let answered = answer.await;
                drop(guard);
                answered
            }
        })
    };
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_head.max(8192));
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    loop {
        let limit = if conn.answered_any() {
            limits.idle_timeout
        } else {
            limits.header_read_timeout
        };
        let wait = limit
            .saturating_sub(conn.waited())
            .max(Duration::from_millis(10));
        tokio::select! {
            _ = &mut connection => break,
            () = conn.evicted() => {
                if conn.is_answering() {
                    // Its request arrived since it was picked: let it finish.
                    conn.spare();
                    continue;
                }
                break;
            }
            () = tokio::time::sleep(wait) => {
                if !conn.in_request() && conn.waited() >= limit {
                    break;
                }
            }
        }
    }
    drop(slot);
}
