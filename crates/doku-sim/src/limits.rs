//! The resource bounds that hold whatever a peer sends: connections, HTTP/2 streams, bytes of
//! request bodies held at once, header and idle time, header size.
//!
//! Every resource an unauthenticated peer can make the simulator hold has a bound here, with a
//! default that is safe on a laptop (about 256 MiB of RSS at worst, see `docs/reliability.md`,
//! "Simulator under attack").

use std::time::Duration;

/// Default cap on open connections (HTTP/1.1 and HTTP/2 together).
pub const DEFAULT_MAX_CONNECTIONS: usize = 128;
/// Default `SETTINGS_MAX_CONCURRENT_STREAMS` of an HTTP/2 connection (hyper's own default is 200).
pub const DEFAULT_H2_MAX_STREAMS: u32 = 16;
/// Default cap on request-body bytes held at once, over all requests: 64 MiB.
pub const DEFAULT_MAX_INFLIGHT_BODY_BYTES: usize = 64 * 1024 * 1024;
/// Default time from accept to a complete request head (and, on HTTP/1.1, between requests).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time a connection may stay open with no request in flight.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default cap on the size of a request head (HTTP/1.1 read buffer, HTTP/2 header list).
pub const DEFAULT_MAX_HEADER_BYTES: usize = 64 * 1024;

/// The bounds, as the server and the pipeline read them. Set through [`crate::SimConfigBuilder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Open connections at most; at the cap the oldest idle connection is closed to make room,
    /// and when none is idle new connections wait in the listen backlog.
    pub(crate) max_connections: usize,
    /// Concurrent streams per HTTP/2 connection.
    pub(crate) h2_max_streams: u32,
    /// Request-body bytes held at once over all requests.
    pub(crate) max_inflight_body_bytes: usize,
    /// Accept → complete request head (silent connections are closed after this).
    pub(crate) header_read_timeout: Duration,
    /// A connection with no request in flight for this long is closed.
    pub(crate) idle_timeout: Duration,
    /// Largest request head.
    pub(crate) max_header_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            h2_max_streams: DEFAULT_H2_MAX_STREAMS,
            max_inflight_body_bytes: DEFAULT_MAX_INFLIGHT_BODY_BYTES,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
        }
    }
}

impl Limits {
    /// Refuses bounds that would disable the server or a bound (zero, or below a protocol
    /// minimum).
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.max_connections == 0 {
            return Err("max connections must be at least 1".to_owned());
        }
        if self.h2_max_streams == 0 {
            return Err("HTTP/2 max streams must be at least 1".to_owned());
        }
        if self.max_inflight_body_bytes == 0 {
            return Err("max in-flight body bytes must be at least 1".to_owned());
        }
        if self.header_read_timeout.is_zero() || self.idle_timeout.is_zero() {
            return Err("header-read and idle timeouts must be above zero".to_owned());
        }
        if self.max_header_bytes < 8192 || u32::try_from(self.max_header_bytes).is_err() {
            return Err("max header bytes must be between 8192 and 4294967295".to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_and_zeros_are_refused() {
        assert!(Limits::default().check().is_ok());
        for bad in [
            Limits {
                max_connections: 0,
                ..Limits::default()
            },
            Limits {
                h2_max_streams: 0,
                ..Limits::default()
            },
            Limits {
                max_inflight_body_bytes: 0,
                ..Limits::default()
            },
            Limits {
                header_read_timeout: Duration::ZERO,
                ..Limits::default()
            },
            Limits {
                max_header_bytes: 100,
                ..Limits::default()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
