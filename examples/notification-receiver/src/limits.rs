//! Every resource a peer can make the receiver hold has a bound; these are they.

use std::time::Duration;

/// The receiver's bounds. [`Limits::default`] suits DOKU: its notifications are a few KiB sent
/// at once, and it waits 10 s for an answer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Limits {
    /// Connections served at once; at the cap the one that has waited longest for a request is
    /// closed for the newcomer. Keep it well below the process's descriptor limit.
    pub max_connections: usize,
    /// Time from the accept to a whole request head.
    pub header_read_timeout: Duration,
    /// Time from the request head to the whole body (408 when over).
    pub body_read_timeout: Duration,
    /// Time a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Largest body accepted (413 above it, refused from `Content-Length` before reading).
    pub max_body: usize,
    /// Largest request head (hyper's read buffer per connection).
    pub max_head: usize,
    /// Notifications waiting for the database at most; more are answered 503 (DOKU retries).
    pub store_queue: usize,
    /// Largest distance, in seconds, between `Request-Timestamp` and now; `None` checks none.
    /// 24 h by default: DOKU retries up to 12 h after the first attempt, and does not say
    /// whether a retry carries a fresh timestamp or the first one.
    pub max_age: Option<u32>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 128,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_body: 64 * 1024,
            max_head: 16 * 1024,
            store_queue: 128,
            max_age: Some(86_400),
        }
    }
}
