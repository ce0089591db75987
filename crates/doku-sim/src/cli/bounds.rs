//! Flags for the resource bounds and the idempotency retention. A separate argument group from
//! [`super::SimArgs`] so code that builds `SimArgs` by hand keeps compiling; the `doku-sim`
//! binary flattens both.

use std::time::Duration;

use crate::config::SimConfig;
use crate::error::SimError;
use crate::limits::{
    DEFAULT_H2_MAX_STREAMS, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_INFLIGHT_BODY_BYTES,
};
use crate::retention::{
    DEFAULT_IDEMPOTENCY_MAX_AGE, DEFAULT_IDEMPOTENCY_MAX_BYTES, DEFAULT_IDEMPOTENCY_MAX_RECORDS,
};

/// The bounds that hold whatever a peer sends (see `docs/simulator.md`, "Bounds").
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct BoundArgs {
    /// Open connections at most; at the cap the connection idle longest is closed.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS, value_name = "N")]
    pub max_connections: usize,
    /// Concurrent streams per HTTP/2 connection.
    #[arg(long, default_value_t = DEFAULT_H2_MAX_STREAMS, value_name = "N")]
    pub h2_max_streams: u32,
    /// Request-body bytes held at once over all requests.
    #[arg(long, default_value_t = DEFAULT_MAX_INFLIGHT_BODY_BYTES, value_name = "BYTES")]
    pub max_inflight_body_bytes: usize,
    /// Seconds from accept to a complete request head (silent connections are closed).
    #[arg(long, default_value_t = DEFAULT_HEADER_READ_TIMEOUT.as_secs(), value_name = "SECONDS")]
    pub header_read_timeout: u64,
    /// Seconds a connection may stay open with no request in flight.
    #[arg(long, default_value_t = DEFAULT_IDLE_TIMEOUT.as_secs(), value_name = "SECONDS")]
    pub idle_timeout: u64,
    /// Largest request head, in bytes (at least 8192).
    #[arg(long, default_value_t = DEFAULT_MAX_HEADER_BYTES, value_name = "BYTES")]
    pub max_header_bytes: usize,
    /// Seconds an idempotency record is kept (by the simulator's clock).
    #[arg(long, default_value_t = DEFAULT_IDEMPOTENCY_MAX_AGE.as_secs(), value_name = "SECONDS")]
    pub idempotency_max_age: u64,
    /// Idempotency records kept at most (oldest forgotten first).
    #[arg(long, default_value_t = DEFAULT_IDEMPOTENCY_MAX_RECORDS, value_name = "N")]
    pub idempotency_max_records: usize,
    /// Bytes of idempotency records kept at most (oldest forgotten first).
    #[arg(long, default_value_t = DEFAULT_IDEMPOTENCY_MAX_BYTES, value_name = "BYTES")]
    pub idempotency_max_bytes: usize,
}

impl Default for BoundArgs {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            h2_max_streams: DEFAULT_H2_MAX_STREAMS,
            max_inflight_body_bytes: DEFAULT_MAX_INFLIGHT_BODY_BYTES,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT.as_secs(),
            idle_timeout: DEFAULT_IDLE_TIMEOUT.as_secs(),
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            idempotency_max_age: DEFAULT_IDEMPOTENCY_MAX_AGE.as_secs(),
            idempotency_max_records: DEFAULT_IDEMPOTENCY_MAX_RECORDS,
            idempotency_max_bytes: DEFAULT_IDEMPOTENCY_MAX_BYTES,
        }
    }
}

impl BoundArgs {
    /// Sets these bounds on `config`; refuses zeros and values below a protocol minimum.
    pub fn apply_to(self, mut config: SimConfig) -> Result<SimConfig, SimError> {
        config.limits.max_connections = self.max_connections;
        config.limits.h2_max_streams = self.h2_max_streams;
        config.limits.max_inflight_body_bytes = self.max_inflight_body_bytes;
        config.limits.header_read_timeout = Duration::from_secs(self.header_read_timeout);
        config.limits.idle_timeout = Duration::from_secs(self.idle_timeout);
        config.limits.max_header_bytes = self.max_header_bytes;
        config.retention.max_age = Duration::from_secs(self.idempotency_max_age);
        config.retention.max_records = self.idempotency_max_records;
        config.retention.max_bytes = self.idempotency_max_bytes;
        config.limits.check().map_err(SimError::Config)?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(clap::Parser)]
    struct Both {
        #[command(flatten)]
        sim: crate::cli::SimArgs,
        #[command(flatten)]
        bounds: BoundArgs,
    }

    #[test]
    fn defaults_match_the_builder_and_flags_set_every_bound() {
        let both = Both::try_parse_from(["doku-sim", "--credential", "A=k"]).unwrap();
        assert_eq!(both.bounds, BoundArgs::default());
        let config = both
            .bounds
            .apply_to(both.sim.into_config().unwrap())
            .unwrap();
        let defaults = SimConfig::builder()
            .credential("A", doku_sign::SecretKey::new("k"))
            .build()
            .unwrap();
        assert_eq!(config.limits, defaults.limits);
        assert_eq!(config.retention, defaults.retention);

        let both = Both::try_parse_from([
            "doku-sim",
            "--credential",
            "A=k",
            "--max-connections",
            "7",
            "--h2-max-streams",
            "3",
            "--max-inflight-body-bytes",
            "1000",
            "--header-read-timeout",
            "2",
            "--idle-timeout",
            "4",
            "--max-header-bytes",
            "9000",
            "--idempotency-max-age",
            "60",
            "--idempotency-max-records",
            "10",
            "--idempotency-max-bytes",
            "5000",
        ])
        .unwrap();
        let config = both
            .bounds
            .apply_to(both.sim.into_config().unwrap())
            .unwrap();
        assert_eq!(config.limits.max_connections, 7);
        assert_eq!(config.limits.h2_max_streams, 3);
        assert_eq!(config.limits.max_inflight_body_bytes, 1000);
        assert_eq!(config.limits.header_read_timeout, Duration::from_secs(2));
        assert_eq!(config.limits.idle_timeout, Duration::from_secs(4));
        assert_eq!(config.limits.max_header_bytes, 9000);
        assert_eq!(config.retention.max_age, Duration::from_secs(60));
        assert_eq!(config.retention.max_records, 10);
        assert_eq!(config.retention.max_bytes, 5000);
    }

    #[test]
    fn zero_bounds_are_refused() {
        let both =
            Both::try_parse_from(["doku-sim", "--credential", "A=k", "--max-connections", "0"])
                .unwrap();
        let err = both
            .bounds
            .apply_to(both.sim.into_config().unwrap())
            .unwrap_err();
        assert!(err.to_string().contains("max connections"), "{err}");
    }
}
