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
//!
//! A JSON body costs more once decoded than on the wire (`{},` is 3 bytes, a decoded line item
//! a few hundred), so a body that opens a JSON object or list is also charged an estimate of its decoded size
//! ([`decoded_estimate`]), in the lane that size belongs to, without waiting: the budget bounds
//! what decoding holds, not only the bytes. An estimate larger than a whole lane is refused
//! with 413 (a resource bound of the simulator, not a DOKU limit); one that finds no room now,
//! with 503 `simulator_busy`.

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
    /// The share held for the decoded form of a JSON body (possibly in the other lane).
    _decoded: Option<OwnedSemaphorePermit>,
}

/// Budget bytes charged per JSON object (`{`) on top of the text: what a decoded object costs
/// at most, the largest struct a list repeats (a Checkout line item) with a `Vec`'s spare
/// capacity, or a `serde_json::Map` with its first entry.
const OBJECT_COST: usize = 640;
/// Budget bytes charged per other JSON value, list or map entry (`[`, `,`, `:`): a
/// `serde_json::Value` (32 bytes) with a `Vec`'s spare capacity, a `String` header, a map node's
/// share.
const VALUE_COST: usize = 64;

/// An upper estimate of what a JSON body takes once decoded: its text (strings are copied) plus
/// [`OBJECT_COST`] per object and [`VALUE_COST`] per other value, counted outside strings in
/// one pass. A body that is not JSON is estimated all the same (it fails to decode early).
pub(crate) fn decoded_estimate(body: &[u8]) -> usize {
    let (mut objects, mut values) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in body {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => objects += 1,
            b'[' | b',' | b':' => values += 1,
            _ => {}
        }
    }
    body.len()
        .saturating_add(objects.saturating_mul(OBJECT_COST))
        .saturating_add(values.saturating_mul(VALUE_COST))
}

/// Whether the body may decode into JSON structure: its first byte past whitespace opens an
/// object or a list. Decided from the bytes, not the `Content-Type`, because a JSON body
/// without the JSON media type is decoded too (a doubt, accepted with a warning); a multipart
/// upload starts with `--` and is never charged.
fn may_be_json(body: &[u8]) -> bool {
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

fn decoded_too_large(estimate: usize, lane: usize) -> Reply {
    Reply::error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "this JSON body would take about {estimate} bytes once decoded, more than the \
             simulator's in-flight budget for it ({lane} bytes): a resource bound of the \
             simulator (--max-inflight-body-bytes), not a DOKU limit"
        ),
    )
}

/// Charges the decoded size of a JSON body to the budget, without waiting (the body's own bytes
/// are already held).
fn charge_decoded(budget: &BodyBudget, body: &[u8]) -> Result<Option<OwnedSemaphorePermit>, Reply> {
    let estimate = decoded_estimate(body);
    let (lane, capacity) = budget.lane(estimate);
    if estimate > capacity {
        return Err(decoded_too_large(estimate, capacity));
    }
    let n = permits(estimate).ok_or_else(busy)?;
    Arc::clone(lane)
        .try_acquire_many_owned(n)
        .map(Some)
        .map_err(|_| busy())
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
    let decoded = if may_be_json(&buf) {
        charge_decoded(budget, &buf)?
    } else {
        None
    };
    Ok(HeldBody {
        bytes: Bytes::from(buf),
        _permit: permit,
        _decoded: decoded,
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

    /// The estimate covers what the decoded structures take: the costs are at least the size
    /// of what one JSON token can become.
    #[test]
    fn decoded_estimate_counts_structure_outside_strings() {
        assert!(OBJECT_COST >= 2 * std::mem::size_of::<doku_model::LineItem>());
        assert!(VALUE_COST >= 2 * std::mem::size_of::<serde_json::Value>());
        assert_eq!(decoded_estimate(b"  "), 2);
        assert!(may_be_json(b" \n{}") && may_be_json(b"[1]"));
        assert!(!may_be_json(b"--boundary\r\n{") && !may_be_json(b"\"{\"") && !may_be_json(b""));
        assert_eq!(
            decoded_estimate(b"[{},{}]"),
            7 + 2 * OBJECT_COST + 2 * VALUE_COST
        );
        // Inside strings nothing counts, escaped quotes included.
        let text = br#""{[,:\"{""#;
        assert_eq!(decoded_estimate(text), text.len());
        // A million empty items in 2.86 MiB: far past any lane.
        let bomb = format!("[{}]", vec!["{}"; 1_000_000].join(","));
        assert!(decoded_estimate(bomb.as_bytes()) > 600_000_000);
    }
}
