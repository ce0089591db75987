//! `Request-Timestamp` values, formatted once per second on each thread instead of once per
//! attempt.
//!
//! The header has a one-second resolution (`YYYY-MM-DDTHH:MM:SSZ`), so every attempt made in
//! the same second sends the same text. Formatting it (doku-sign's codec, through `fmt`) and
//! copying it into a header value cost ≈ 0.3–0.5 µs and two allocations per attempt in the
//! client benchmark; a hit here costs a thread-local look-up and a reference-count increment.
//! The value is a pure function of the second, so the cache is right for any clock (an injected
//! test clock included): a different second is simply formatted afresh.

use std::cell::RefCell;

use bytes::Bytes;
use http::HeaderValue;

thread_local! {
    /// The last second formatted on this thread, and its header value.
    static LAST: RefCell<Option<(i64, HeaderValue)>> = const { RefCell::new(None) };
}

/// The `Request-Timestamp` header value for `unix_seconds`; `None` if it is not a valid header
/// value (doku-sign's codec never writes one that is not).
pub(crate) fn header_value(unix_seconds: i64) -> Option<HeaderValue> {
    let cached = LAST.try_with(|last| {
        let mut last = last.try_borrow_mut().ok()?;
        match &*last {
            Some((second, value)) if *second == unix_seconds => Some(value.clone()),
            _ => {
                let value = format(unix_seconds)?;
                *last = Some((unix_seconds, value.clone()));
                Some(value)
            }
        }
    });
    match cached {
        Ok(Some(value)) => Some(value),
        // The thread is shutting down, or the codec wrote an invalid value: no cache.
        _ => format(unix_seconds),
    }
}

/// The header value, formatted afresh.
fn format(unix_seconds: i64) -> Option<HeaderValue> {
    let text = doku_sign::timestamp::format_utc(unix_seconds);
    // As `Bytes`, the header value takes the string over (no copy).
    HeaderValue::from_maybe_shared(Bytes::from(text)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_second_has_doku_signs_text() {
        for second in [
            0,
            1_597_135_542,
            1_597_135_542,
            1_597_135_543,
            1_597_135_542,
            -1,
        ] {
            let value = header_value(second).unwrap();
            assert_eq!(
                value.to_str().unwrap(),
                doku_sign::timestamp::format_utc(second),
                "{second}"
            );
        }
        assert_eq!(header_value(1_597_135_542).unwrap(), "2020-08-11T08:45:42Z");
    }

    #[test]
    fn a_cached_value_is_not_a_copy() {
        let a = header_value(1_700_000_000).unwrap();
        let b = header_value(1_700_000_000).unwrap();
        assert_eq!(a.as_bytes().as_ptr(), b.as_bytes().as_ptr());
    }
}
