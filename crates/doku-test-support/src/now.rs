//! The current time as a `Request-Timestamp`, for requests sent to a server that checks freshness (the
//! simulator, a receiver started as a child process).

use doku_sign::clock::{Clock, SystemClock};

/// Now, as DOKU's `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_timestamp() -> String {
    doku_sign::timestamp::format_utc(SystemClock.unix_seconds())
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_is_a_strict_timestamp_after_start() {
        let now = super::now_timestamp();
        let seconds = doku_sign::timestamp::parse_utc_strict(&now).unwrap();
        assert!(seconds > crate::START_UNIX, "{now}");
    }
}
