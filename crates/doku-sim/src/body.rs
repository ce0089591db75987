//! Reading a request body under three bounds: the per-request size cap, the read timeout, and
//! the global budget of body bytes held at once (one semaphore permit per byte).
//!
//! With a `Content-Length` the whole length is reserved before the first byte is read (waiting,
//! holding nothing, at most a second for room, then 503 `simulator_busy`); without one, each
//! chunk reserves its bytes as it arrives and a full budget is an immediate 503, so no request
//! ever waits while holding a part of the budget (no deadlock between half-read bodies).
//!
//! The budget has two lanes: an eighth (at most 8 MiB) for bodies of at most 64 KiB, the rest
//! for larger ones. The semaphore is first come, first served, so without the small lane a
//! signed 35-byte token request would queue behind every 12 MiB body waiting for room; with
//! it, floods of large bodies cannot delay small requests. Both lanes together never exceed
//! the configured budget.

use std::pin::pin;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use http_body_util::BodyExt as _;
use hyper::body::Body;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::echo::echo;
use crate::response::Reply;
use crate::signature_check::header;
use crate::state::App;

/// Bodies of at most this many bytes (by `Content-Length`) use the small lane.
pub(crate) const SMALL_BODY_BYTES: usize = 64 * 1024;
/// The small lane's share of the budget: an eighth, at most 8 MiB.
const SMALL_LANE_MAX: usize = 8 * 1024 * 1024;

/// Longest wait for room in the budget before a 503. Short, because a waiting HTTP/2 stream
/// keeps the data already sent in the connection's shared flow-control window, which can
/// stall the streams being read on the same connection.
const BUDGET_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// The in-flight body budget, one permit per byte, in two lanes.
#[derive(Debug)]
pub(crate) struct BodyBudget {
    small: Arc<Semaphore>,
    small_cap: usize,
    large: Arc<Semaphore>,
    large_cap: usize,
}

impl BodyBudget {
    /// A budget of `total` bytes.
    pub(crate) fn new(total: usize) -> Self {
        let total = total.min(Semaphore::MAX_PERMITS);
        let small_cap = (total / 8).min(SMALL_LANE_MAX);
        let large_cap = total - small_cap;
        Self {
            small: Arc::new(Semaphore::new(small_cap)),
            small_cap,
            large: Arc::new(Semaphore::new(large_cap)),
            large_cap,
        }
    }

    /// The lane for a body of `declared` bytes, and its capacity.
    fn lane(&self, declared: usize) -> (&Arc<Semaphore>, usize) {
        if declared <= SMALL_BODY_BYTES && declared <= self.small_cap {
            (&self.small, self.small_cap)
        } else {
            (&self.large, self.large_cap)
        }
    }
}

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
            let (lane, capacity) = budget.lane(n);
            if n > capacity {
                // Larger than the whole lane: it could never be served.
                return Err(busy());
            }
            let n = permits(n).ok_or_else(busy)?;
            let acquire = Arc::clone(lane).acquire_many_owned(n);
            let give_up = deadline.min(tokio::time::Instant::now() + BUDGET_WAIT);
            match tokio::time::timeout_at(give_up, acquire).await {
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
            // Without a Content-Length the large lane is used, without waiting.
            let lane = match declared {
                Some(n) => budget.lane(n).0,
                None => &budget.large,
            };
            let extra = Arc::clone(lane)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_split_the_budget_and_small_bodies_do_not_queue_behind_large_ones() {
        let b = BodyBudget::new(64 * 1024 * 1024);
        assert_eq!(b.small_cap + b.large_cap, 64 * 1024 * 1024);
        assert_eq!(b.small_cap, 8 * 1024 * 1024);
        // The large lane is exhausted by large bodies…
        let _held = Arc::clone(&b.large)
            .try_acquire_many_owned(u32::try_from(b.large_cap).unwrap_or(u32::MAX))
            .ok();
        assert_eq!(b.large.available_permits(), 0);
        // …and a 35-byte body still finds room at once.
        let (lane, _) = b.lane(35);
        assert!(Arc::clone(lane).try_acquire_many_owned(35).is_ok());
        // A tiny budget still has both lanes, and never more than its total.
        let tiny = BodyBudget::new(1024 * 1024);
        assert_eq!(tiny.small_cap + tiny.large_cap, 1024 * 1024);
        assert_eq!(tiny.lane(2 * 1024 * 1024).1, tiny.large_cap);
    }
}
