//! The simulator without a socket: one `http::Request` in, what a client would have received
//! out. For fuzzing and for tests that do not need a TCP connection.

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;

use crate::config::SimConfig;
use crate::control::SimControl;
use crate::pipeline::{self, Outcome};
use crate::server::Sim;
use crate::state::App;

/// The base URL in-process simulators put in upload links (`.invalid` never resolves).
pub const IN_PROCESS_BASE_URL: &str = "http://doku-sim.invalid";

/// What a client would have received for one request.
#[derive(Debug)]
#[non_exhaustive]
pub enum Delivered {
    /// A complete response (status, headers with the response signature, body).
    Response(Response<Bytes>),
    /// The connection was closed without any response (`DropConnection` before processing,
    /// `ProcessThenDrop` after).
    Dropped,
    /// The `TruncatedBody` fault: the headers (whose `Content-Length` announces the full body)
    /// and the first half of the body arrived, then the connection was cut.
    Truncated(Response<Bytes>),
}

impl Delivered {
    /// The response, if a complete one was delivered.
    pub fn response(&self) -> Option<&Response<Bytes>> {
        match self {
            Self::Response(r) => Some(r),
            Self::Dropped | Self::Truncated(_) => None,
        }
    }

    /// The response, if a complete one was delivered.
    pub fn into_response(self) -> Option<Response<Bytes>> {
        match self {
            Self::Response(r) => Some(r),
            Self::Dropped | Self::Truncated(_) => None,
        }
    }
}

/// A simulator that answers requests handed to it directly, through the same pipeline as the
/// HTTP server (routing, body cap, faults, signature, idempotency, token, handler, signed
/// response). Create it with [`Sim::in_process`].
///
/// [`handle`](Self::handle) must run inside a tokio runtime with the time driver enabled
/// (`enable_time()`/`enable_all()`), for the body-read timeout and the `Latency` fault.
/// State (files, businesses, tokens, idempotency records) lives as long as the value; clones
/// share it.
#[derive(Clone)]
pub struct InProcessSim {
    control: SimControl,
}

impl std::fmt::Debug for InProcessSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessSim").finish_non_exhaustive()
    }
}

impl Sim {
    /// A simulator without a socket (the configured listen address is ignored). Upload links
    /// point at [`IN_PROCESS_BASE_URL`].
    ///
    /// ```
    /// use doku_sim::{Delivered, Sim, SimConfig};
    /// use doku_sign::SecretKey;
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let config = SimConfig::builder()
    ///     .credential("BRN-0001-10791114622547", SecretKey::new("SK-EXAMPLE-ONLY"))
    ///     .build()
    ///     .unwrap();
    /// let sim = Sim::in_process(config);
    /// let request = http::Request::get("/adv-core-api/partner/v1.0/file").body(bytes::Bytes::new()).unwrap();
    /// let Delivered::Response(response) = sim.handle(request).await else { unreachable!() };
    /// assert_eq!(response.status(), 400); // no Client-Id, Request-Id, … headers
    /// # });
    /// ```
    pub fn in_process(config: SimConfig) -> InProcessSim {
        InProcessSim {
            control: SimControl {
                app: Arc::new(App::new(config, IN_PROCESS_BASE_URL.to_owned())),
            },
        }
    }
}

impl InProcessSim {
    /// Runs one request through the whole pipeline. The request's URI is read for its path
    /// and query only; the body is the exact bytes received (they count against the body cap,
    /// and a `Content-Length` header above the cap is refused first, as over HTTP).
    pub async fn handle(&self, request: Request<Bytes>) -> Delivered {
        match pipeline::run(&self.control.app, request.map(Full::new)).await {
            Outcome::Drop => Delivered::Dropped,
            Outcome::Respond {
                response,
                truncate: false,
            } => Delivered::Response(response),
            Outcome::Respond {
                response,
                truncate: true,
            } => Delivered::Truncated(response.map(|b| b.slice(..b.len() / 2))),
        }
    }
}

/// [`SimControl`]'s methods (`stats`, `set_fault`, `pay`, …) on an in-process simulator.
impl std::ops::Deref for InProcessSim {
    type Target = SimControl;

    fn deref(&self) -> &SimControl {
        &self.control
    }
}
