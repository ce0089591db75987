//! The HTTP server: accept loop, connection serving, and the handle tests use.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::config::SimConfig;
use crate::error::SimError;
use crate::faults::{Endpoint, Fault};
use crate::pipeline;
use crate::state::App;
use crate::stats::Stats;

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
        Ok(SimHandle {
            addr,
            app,
            shutdown,
            task: Some(task),
        })
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    addr: SocketAddr,
    app: Arc<App>,
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

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.app.stats_snapshot()
    }

    /// Arms a fault on `endpoint` (replacing any fault armed there). `Endpoint::Any` applies
    /// to endpoints without a fault of their own.
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) {
        self.app.faults().set(endpoint, fault);
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.app.faults().clear();
    }

    /// Number of Create Business Lite invitations recorded for `client_id`.
    pub fn invitations_for(&self, client_id: &str) -> usize {
        self.app.invitations_for(client_id)
    }

    /// Stops accepting, closes open connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

async fn accept_loop(listener: TcpListener, app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    // One write per response; do not let Nagle hold it back.
                    let _ = stream.set_nodelay(true);
                    let app = Arc::clone(&app);
                    connections.spawn(serve_connection(app, stream));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // Reap finished connection tasks so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve_connection(app: Arc<App>, stream: tokio::net::TcpStream) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10));
    let service = service_fn(move |req| pipeline::handle(Arc::clone(&app), req));
    if let Err(e) = builder
        .serve_connection(TokioIo::new(stream), service)
        .await
    {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}
