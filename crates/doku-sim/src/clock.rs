//! Injectable clocks, so timestamp windows and token expiry are testable.

use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};

/// Where the simulator reads the current time.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// The system clock, optionally shifted by a fixed offset.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock {
    /// Added to the system time (negative to run behind).
    pub offset: SignedDuration,
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
            .checked_add(self.offset)
            .unwrap_or_else(|_| Timestamp::now())
    }
}

/// A clock that only moves when told to; clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<Timestamp>>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: Timestamp) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock to `to`.
    pub fn set(&self, to: Timestamp) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }

    /// Moves the clock forward (or back, if negative) by `by`.
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        if let Ok(next) = now.checked_add(by) {
            *now = next;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Formats an instant as DOKU's `YYYY-MM-DDTHH:MM:SSZ` (UTC, second precision).
pub fn format_timestamp(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses DOKU's strict `YYYY-MM-DDTHH:MM:SSZ` form; anything else (offsets, fractions,
/// lower-case `z`) is refused.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    match parse_timestamp_checked(text) {
        TimestampParse::Valid(t) => Some(t),
        TimestampParse::Malformed | TimestampParse::BeyondRange => None,
    }
}

/// What a `Request-Timestamp` value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimestampParse {
    /// Well-formed and representable.
    Valid(Timestamp),
    /// Not `YYYY-MM-DDTHH:MM:SSZ`, or no such date (month 13, February 30).
    Malformed,
    /// A well-formed, real date and time that lies past the last instant the clock library can
    /// represent (`9999-12-30T22:00:00Z` for jiff), e.g. `9999-12-31T23:59:59Z`: out of any
    /// window, not malformed.
    BeyondRange,
}

/// [`parse_timestamp`], telling "malformed" from "well-formed but beyond the clock's range".
pub(crate) fn parse_timestamp_checked(text: &str) -> TimestampParse {
    let b = text.as_bytes();
    let shape_ok = b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        });
    if !shape_ok {
        return TimestampParse::Malformed;
    }
    match text.parse() {
        Ok(t) => TimestampParse::Valid(t),
        // The shape is right: a real calendar date and time means only the range failed.
        Err(_) if text[..19].parse::<jiff::civil::DateTime>().is_ok() => {
            TimestampParse::BeyondRange
        }
        Err(_) => TimestampParse::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_parse() {
        let t = parse_timestamp("2020-08-11T08:45:42Z").unwrap();
        assert_eq!(format_timestamp(t), "2020-08-11T08:45:42Z");
        for bad in [
            "2020-08-11T08:45:42+00:00",
            "2020-08-11T08:45:42.000Z",
            "2020-08-11 08:45:42Z",
            "2020-13-11T08:45:42Z",
            "2020-08-11T08:45:42z",
            "",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn end_of_year_9999_is_well_formed_but_beyond_range() {
        assert_eq!(
            parse_timestamp_checked("9999-12-31T23:59:59Z"),
            TimestampParse::BeyondRange
        );
        assert_eq!(
            parse_timestamp_checked("9999-12-31T24:59:59Z"),
            TimestampParse::Malformed
        );
        assert_eq!(
            parse_timestamp_checked("2021-02-30T00:00:00Z"),
            TimestampParse::Malformed
        );
        assert!(matches!(
            parse_timestamp_checked("9999-12-30T21:00:00Z"),
            TimestampParse::Valid(_)
        ));
    }

    #[test]
    fn manual_clock_moves() {
        let c = ManualClock::new(parse_timestamp("2020-08-11T08:45:42Z").unwrap());
        c.advance(SignedDuration::from_secs(60));
        assert_eq!(format_timestamp(c.now()), "2020-08-11T08:46:42Z");
    }
}
