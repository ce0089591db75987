//! Reading a request body under three bounds: the per-request size cap, the read timeout, and
//! the global budget of body bytes held at once (one semaphore permit per byte).
//!
//! With a `Content-Length` the whole length is reserved before the first byte is read (waiting,
//! holding nothing, until the budget has room or the read timeout passes); without one, each
//! chunk reserves its bytes as it arrives and a full budget is an immediate 503, so no request
//! ever waits while holding a part of the budget (no deadlock between half-read bodies).

use std::pin::pin;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt as _;
use hyper::body::Body;
use tokio::sync::OwnedSemaphorePermit;

use crate::echo::echo;
use crate::response::Reply;
use crate::signature_check::header;
use crate::state::App;

/// A body read in full, and its share of the in-flight budget (released when dropped, so keep
/// it until the request is answered).
#[derive(Debug)]
pub(crate) struct HeldBody {
    pub(crate) bytes: Bytes,
    _permit: Option<OwnedSemaphorePermit>,
}

fn too_large(max: usize) -> Reply {
    Reply::error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("request body exceeds the {max}-byte limit"),
    )
}

fn busy() -> Reply {
    Reply::error(
        StatusCode::SERVICE_UNAVAILABLE,
        "simulator_busy",
        "too many request body bytes in flight; retry shortly",
    )
}

fn timed_out() -> Reply {
    Reply::error(
        StatusCode::REQUEST_TIMEOUT,
        "body_timeout",
        "the request body did not arrive in time",
    )
}

/// Permits for `n` bytes (a semaphore counts in `u32`).
fn permits(n: usize) -> Option<u32> {
    u32::try_from(n).ok()
}

/// Reads the body under the size cap, the read timeout and the in-flight budget.
pub(crate) async fn read_body<B>(app: &App, headers: &HeaderMap, body: B) -> Result<HeldBody, Reply>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let max = app.config.max_body_bytes;
    let deadline = tokio::time::Instant::now() + app.config.body_read_timeout;
    let declared = header(headers, "Content-Length").and_then(|v| v.parse::<u64>().ok());
    let declared = match declared {
        Some(n) if n > max as u64 => return Err(too_large(max)),
        Some(n) => Some(usize::try_from(n).map_err(|_| too_large(max))?),
        None => None,
    };
    let budget = app.body_budget();
    let mut permit = match declared {
        Some(0) | None => None,
        Some(n) => {
            let n = permits(n).ok_or_else(busy)?;
            let acquire = std::sync::Arc::clone(budget).acquire_many_owned(n);
            match tokio::time::timeout_at(deadline, acquire).await {
                Ok(Ok(p)) => Some(p),
                // A request larger than the whole budget can never be served.
                Ok(Err(_)) | Err(_) => return Err(busy()),
            }
        }
    };
    let mut buf = Vec::with_capacity(declared.unwrap_or(0));
    let mut body = pin!(body);
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) => return Err(timed_out()),
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                let e: Box<dyn std::error::Error + Send + Sync> = e.into();
                return Err(Reply::error(
                    StatusCode::BAD_REQUEST,
                    "body_read_error",
                    format!("cannot read the request body: {}", echo(&e.to_string())),
                ));
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        let len = buf.len() + data.len();
        if len > max {
            return Err(too_large(max));
        }
        let covered = permit.as_ref().map_or(0, |p| p.num_permits());
        if len > covered {
            let more = permits(len - covered).ok_or_else(busy)?;
            let extra = std::sync::Arc::clone(budget)
                .try_acquire_many_owned(more)
                .map_err(|_| busy())?;
            match permit.as_mut() {
                Some(p) => p.merge(extra),
                None => permit = Some(extra),
            }
        }
        buf.extend_from_slice(&data);
    }
    Ok(HeldBody {
        bytes: Bytes::from(buf),
        _permit: permit,
    })
}
