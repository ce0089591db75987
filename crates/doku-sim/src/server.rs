//! The HTTP server: accept loop, connection serving, and the handle tests use.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::{JoinHandle, JoinSet};

use crate::backoff::{is_exhaustion, AcceptBackoff, LOG_WINDOW};
use crate::connections::{ConnState, Registry};
use crate::sniff::{sniff, Protocol, Rewind};

use crate::config::SimConfig;
use crate::control::SimControl;
use crate::error::SimError;
use crate::pipeline;
use crate::state::App;

/// The simulator.
#[derive(Debug)]
pub struct Sim;

impl Sim {
    /// Binds the listen address and starts serving in the background (on the current tokio
    /// runtime). Returns once the socket is bound, so requests can be sent immediately.
    pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
        let requested = config.listen;
        let listener = TcpListener::bind(requested)
            .await
            .map_err(|source| SimError::Bind {
                addr: requested,
                source,
            })?;
        let addr = listener.local_addr()?;
        let app = Arc::new(App::new(config, format!("http://{addr}")));
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&app), rx));
        tracing::info!(%addr, "doku-sim listening");
        if let Some(warning) = listen_warning(addr) {
            tracing::warn!(%addr, "{warning}");
        }
        Ok(SimHandle {
            addr,
            control: SimControl { app },
            shutdown,
            task: Some(task),
        })
    }
}

/// The warning for a listen address other peers can reach, `None` on loopback.
pub fn listen_warning(addr: SocketAddr) -> Option<String> {
    (!addr.ip().is_loopback()).then(|| {
        format!(
            "listening on {addr}, which is not a loopback address: other machines can reach this \
             simulator (it accepts test credentials and is not hardened for exposure); \
             use 127.0.0.1 unless you mean it"
        )
    })
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    addr: SocketAddr,
    control: SimControl,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, the base URL to give a client.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, closes open connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        self.control.app.notifier.stop();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// [`SimControl`]'s methods (`stats`, `set_fault`, `pay`, …) on a running simulator.
impl std::ops::Deref for SimHandle {
    type Target = SimControl;

    fn deref(&self) -> &SimControl {
        &self.control
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        self.control.app.notifier.stop();
    }
}

async fn accept_loop(listener: TcpListener, app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    let limits = app.limits();
    let slots = Arc::new(Semaphore::new(
        limits.max_connections.min(Semaphore::MAX_PERMITS),
    ));
    let registry = Arc::new(Registry::new());
    let mut backoff = AcceptBackoff::new();
    let mut connections = JoinSet::new();
    'accept: loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    backoff.succeeded();
                    let permit = match Arc::clone(&slots).try_acquire_owned() {
                        Ok(permit) => permit,
                        Err(_) => {
                            // At the cap: close the connection idle longest, or wait (the
                            // listen backlog holds newcomers) until one ends.
                            loop {
                                registry.evict_oldest_idle();
                                tokio::select! {
                                    _ = shutdown.changed() => break 'accept,
                                    permit = Arc::clone(&slots).acquire_owned() => match permit {
                                        Ok(permit) => break permit,
                                        Err(_) => break 'accept,
                                    },
                                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                                    () = tokio::time::sleep(Duration::from_millis(100)) => {}
                                }
                            }
                        }
                    };
                    // The header-read clock starts when serving starts, not while waiting for a
                    // slot (else a newcomer that waited could be closed before it is read).
                    let accepted_at = Instant::now();
                    // One write per response; do not let Nagle hold it back.
                    let _ = stream.set_nodelay(true);
                    let state = registry.add();
                    let app = Arc::clone(&app);
                    let registry = Arc::clone(&registry);
                    connections.spawn(async move {
                        serve_connection(app, stream, Arc::clone(&state), accepted_at).await;
                        registry.remove(&state);
                        drop(permit);
                    });
                }
                Err(e) => {
                    let exhausted = is_exhaustion(&e);
                    if exhausted {
                        // Free a descriptor for the connections still waiting.
                        registry.evict_oldest_idle();
                    }
                    let after = backoff.failed(Instant::now());
                    if let Some(suppressed) = after.log {
                        tracing::warn!(
                            error = %e,
                            open_connections = registry.len(),
                            similar_errors_not_logged = suppressed,
                            retry_in_ms = after.sleep.as_millis(),
                            "accept failed; backing off (logged at most once per {} s)",
                            LOG_WINDOW.as_secs()
                        );
                    }
                    tokio::select! {
                        _ = shutdown.changed() => break,
                        () = tokio::time::sleep(after.sleep) => {}
                    }
                }
            },
            // Reap finished connection tasks so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

/// Serves one connection: protocol detection within the header-read timeout, then HTTP/1.1 or
/// HTTP/2 with their bounds, closed when idle too long or when evicted.
async fn serve_connection(
    app: Arc<App>,
    mut stream: TcpStream,
    state: Arc<ConnState>,
    accepted_at: Instant,
) {
    let limits = app.limits();
    let deadline = tokio::time::Instant::from_std(accepted_at + limits.header_read_timeout);
    let heard = AtomicBool::new(false);
    let sniffed = {
        let mut sniffing = std::pin::pin!(tokio::time::timeout_at(
            deadline,
            sniff(&mut stream, &heard)
        ));
        loop {
            tokio::select! {
                biased;
                sniffed = &mut sniffing => break sniffed,
                () = state.evicted() => {
                    // Input that arrived while the simulator was busy may not have been seen
                    // yet: give it a moment before calling the peer silent.
                    tokio::select! {
                        biased;
                        sniffed = &mut sniffing => break sniffed,
                        () = tokio::time::sleep(EVICTION_GRACE) => {}
                    }
                    if heard.load(Ordering::Acquire) {
                        state.spare();
                        continue;
                    }
                    tracing::debug!("closed a silent connection to make room");
                    return;
                }
            }
        }
    };
    let (protocol, prefix) = match sniffed {
        Ok(Ok(Some(found))) => found,
        Ok(Ok(None) | Err(_)) => return,
        Err(_) => {
            tracing::debug!(
                "closed a connection that sent no request within the header-read timeout"
            );
            return;
        }
    };
    let io = TokioIo::new(Rewind::new(prefix, stream));
    let conn_state = Arc::clone(&state);
    let service = service_fn(move |req| -> BoxedResponse {
        let guard = conn_state.begin_request();
        let app = Arc::clone(&app);
        Box::pin(async move {
            let response = pipeline::handle(app, req).await;
            drop(guard);
            response
        })
    });
    let remaining = deadline
        .saturating_duration_since(tokio::time::Instant::now())
        .max(Duration::from_millis(1));
    match protocol {
        Protocol::Http1 => {
            let mut builder = http1::Builder::new();
            // DOKU's spelling (`Response-Timestamp`, `Signature`, `Content-Type`): receivers
            // such as PHP's `getallheaders()['Signature']` read names case-sensitively.
            builder
                .title_case_headers(true)
                .timer(TokioTimer::new())
                .header_read_timeout(remaining)
                .max_buf_size(limits.max_header_bytes);
            let mut conn = builder.serve_connection(io, service);
            let finished = drive(
                &mut conn,
                |c, cx| c.poll_without_shutdown(cx),
                |c| Pin::new(c).graceful_shutdown(),
                &state,
                limits.idle_timeout,
            )
            .await;
            if finished {
                state.mark_closing();
                linger(conn.into_parts().io.into_inner().into_inner()).await;
            }
        }
        Protocol::Http2 => {
            let mut builder = http2::Builder::new(TokioExecutor::new());
            builder
                .timer(TokioTimer::new())
                .max_concurrent_streams(limits.h2_max_streams)
                .max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX))
                .keep_alive_interval(Some(H2_PING_INTERVAL))
                .keep_alive_timeout(H2_PING_TIMEOUT);
            let mut conn = Box::pin(builder.serve_connection(io, service));
            drive(
                &mut conn,
                |c, cx| c.as_mut().poll(cx),
                |c| c.as_mut().graceful_shutdown(),
                &state,
                limits.idle_timeout,
            )
            .await;
        }
    }
}

/// The future of one request, boxed so the HTTP/1 connection can be polled without shutting
/// down its socket (which needs an `Unpin` service future).
type BoxedResponse = Pin<
    Box<
        dyn Future<
                Output = Result<http::Response<crate::response::SimBody>, pipeline::DropConnection>,
            > + Send,
    >,
>;

/// How long, at most, a finished HTTP/1.1 connection keeps reading (and discarding) what the
/// peer still sends before it is closed; how long the peer may pause meanwhile; how many bytes
/// are discarded at most.
const LINGER_TIME: Duration = Duration::from_secs(5);
const LINGER_PAUSE: Duration = Duration::from_secs(2);
const LINGER_BYTES: usize = 32 * 1024 * 1024;

/// Closes an HTTP/1.1 socket without losing the answer: a refusal sent before the body was read
/// leaves the body arriving, and closing a socket with unread input sends a reset that makes
/// the peer's kernel drop the answer if the peer has not read it yet. So: send FIN, read and
/// discard (nothing is kept) until the peer stops sending, pauses for [`LINGER_PAUSE`], or
/// [`LINGER_TIME`] or [`LINGER_BYTES`] is reached, then close (as nginx's lingering close).
async fn linger(mut stream: TcpStream) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    if stream.shutdown().await.is_err() {
        return;
    }
    let deadline = tokio::time::Instant::now() + LINGER_TIME;
    let mut sink = [0u8; 16 * 1024];
    let mut drained = 0;
    while drained < LINGER_BYTES {
        let pause = deadline.min(tokio::time::Instant::now() + LINGER_PAUSE);
        match tokio::time::timeout_at(pause, stream.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => drained += n,
            _ => break,
        }
    }
}

/// How often an HTTP/2 connection is pinged, and how long the peer has to answer.
const H2_PING_INTERVAL: Duration = Duration::from_secs(20);
const H2_PING_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a connection asked to make room waits for input it may not have seen yet.
const EVICTION_GRACE: Duration = Duration::from_millis(20);
/// How long a connection asked to shut down gracefully may take to finish.
const GRACE: Duration = Duration::from_secs(5);

/// Runs a connection until it ends, closing it when it has had no request in flight for
/// `idle`, or at once when evicted (eviction only picks idle connections). Returns whether
/// hyper finished the connection cleanly (then the caller may still own the socket).
async fn drive<C>(
    conn: &mut C,
    poll: fn(&mut C, &mut Context<'_>) -> Poll<Result<(), hyper::Error>>,
    shut_down: fn(&mut C),
    state: &ConnState,
    idle: Duration,
) -> bool {
    loop {
        // While a request is in flight, check again a whole period later (the request's end
        // restarts the idle clock); otherwise when the idle period would be over.
        let wait = if state.is_idle() {
            idle.saturating_sub(state.idle_for())
                .max(Duration::from_millis(10))
        } else {
            idle
        };
        tokio::select! {
            ended = std::future::poll_fn(|cx| poll(conn, cx)) => {
                if let Err(e) = &ended {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                return ended.is_ok();
            }
            () = state.evicted() => {
                if !state.is_idle() {
                    // A request started since the connection was picked.
                    state.spare();
                    continue;
                }
                tracing::debug!("closed an idle connection to make room");
                return false;
            }
            () = tokio::time::sleep(wait) => {
                if state.is_idle() && state.idle_for() >= idle {
                    tracing::debug!("closing a connection idle for {} s", idle.as_secs());
                    break;
                }
            }
        }
    }
    shut_down(conn);
    let rest = tokio::time::timeout(GRACE, std::future::poll_fn(|cx| poll(conn, cx))).await;
    matches!(rest, Ok(Ok(())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_non_loopback_addresses_get_a_warning() {
        for quiet in ["127.0.0.1:8080", "[::1]:0", "127.1.2.3:0"] {
            assert_eq!(listen_warning(quiet.parse().unwrap()), None, "{quiet}");
        }
        for loud in ["0.0.0.0:8080", "[::]:0", "192.168.1.10:80"] {
            let w = listen_warning(loud.parse().unwrap()).unwrap();
            assert!(w.contains("not a loopback address"), "{w}");
        }
    }
}
