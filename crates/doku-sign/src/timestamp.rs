//! Pure ISO 8601 timestamp handling for freshness checks, with no clock.
//!
//! DOKU writes timestamps both as `2020-09-22T01:51:00Z` (Non-SNAP) and `2024-03-19T14:39:01+07:00` (SNAP).
//! A verifier must accept both; [`parse_unix_seconds`] does, and the caller supplies "now".

use crate::Error;

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into seconds since the Unix epoch (UTC).
///
/// Fractions of a second are accepted and dropped. Anything else — a missing zone, a space instead of `T`,
/// out-of-range fields — is [`Error::InvalidTimestamp`].
pub fn parse_unix_seconds(text: &str) -> Result<i64, Error> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || bytes[10] != b'T' {
        return Err(Error::InvalidTimestamp);
    }
    if bytes[13] != b':' || bytes[16] != b':' {
        return Err(Error::InvalidTimestamp);
    }
    let year = digits(&bytes[0..4])?;
    let month = digits(&bytes[5..7])?;
    let day = digits(&bytes[8..10])?;
    let hour = digits(&bytes[11..13])?;
    let minute = digits(&bytes[14..16])?;
    let second = digits(&bytes[17..19])?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(Error::InvalidTimestamp);
    }
    let mut rest = &bytes[19..];
    if let Some((b'.', fraction)) = rest.split_first() {
        let digits_len = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits_len == 0 {
            return Err(Error::InvalidTimestamp);
        }
        rest = &fraction[digits_len..];
    }
    let offset_seconds = match rest {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 23 || minutes > 59 {
                return Err(Error::InvalidTimestamp);
            }
            let magnitude = hours * 3600 + minutes * 60;
            if *sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return Err(Error::InvalidTimestamp),
    };
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds)
}

/// Parses DOKU's strict Non-SNAP form `YYYY-MM-DDTHH:MM:SSZ` (exactly 20 bytes, upper-case `T` and `Z`) into
/// seconds since the Unix epoch: what a server that checks what DOKU checks accepts as `Request-Timestamp`.
///
/// Offsets, fractions, a lower-case `z` and impossible dates are [`Error::InvalidTimestamp`]. The inverse of
/// [`format_utc`] for years 0000–9999.
pub fn parse_utc_strict(text: &str) -> Result<i64, Error> {
    let bytes = text.as_bytes();
    if bytes.len() != 20 || !strict_date_time(&bytes[..19]) || bytes[19] != b'Z' {
        return Err(Error::InvalidTimestamp);
    }
    parse_unix_seconds(text)
}

/// Parses the strict form with a fraction of a second, `YYYY-MM-DDTHH:MM:SS.fffZ` (1 to 9 digits;
/// JavaScript's `toISOString()` writes 3), into Unix seconds, the fraction dropped. DOKU documents
/// and shows whole seconds only, so a server decides whether to accept this form; anything else,
/// the strict form itself included, is [`Error::InvalidTimestamp`].
pub fn parse_utc_fractional(text: &str) -> Result<i64, Error> {
    let bytes = text.as_bytes();
    let fraction = bytes.get(20..bytes.len().saturating_sub(1)).unwrap_or(&[]);
    let shape_ok = (22..=30).contains(&bytes.len())
        && strict_date_time(&bytes[..19])
        && bytes[19] == b'.'
        && fraction.iter().all(u8::is_ascii_digit)
        && bytes.last() == Some(&b'Z');
    if !shape_ok {
        return Err(Error::InvalidTimestamp);
    }
    parse_unix_seconds(text)
}

/// Whether `bytes` is `YYYY-MM-DDTHH:MM:SS` by shape (digits and separators in place).
fn strict_date_time(bytes: &[u8]) -> bool {
    bytes.len() == 19
        && bytes.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// Formats Unix seconds as DOKU's Non-SNAP `Request-Timestamp`: `YYYY-MM-DDTHH:MM:SSZ`.
///
/// Pure: the caller reads the clock. Instants outside years 0000–9999 are clamped into that range.
pub fn format_utc(unix_seconds: i64) -> alloc::string::String {
    let mut text = local_date_time(unix_seconds, 0);
    text.push('Z');
    text
}

/// Formats Unix seconds in local time at `offset_minutes` from UTC, as SNAP's `X-TIMESTAMP`
/// (`2024-03-19T14:39:01+07:00`). An offset of zero writes `+00:00`; use [`format_utc`] for `Z`.
pub fn format_offset(unix_seconds: i64, offset_minutes: i32) -> alloc::string::String {
    let mut text = local_date_time(unix_seconds, offset_minutes);
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let magnitude = offset_minutes.unsigned_abs();
    text.push_str(&alloc::format!(
        "{sign}{:02}:{:02}",
        magnitude / 60,
        magnitude % 60
    ));
    text
}

/// `YYYY-MM-DDTHH:MM:SS` of the instant shifted by the offset, without a zone designator.
fn local_date_time(unix_seconds: i64, offset_minutes: i32) -> alloc::string::String {
    const MIN: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
    const MAX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let local = unix_seconds
        .saturating_add(i64::from(offset_minutes) * 60)
        .clamp(MIN, MAX);
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    alloc::format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Checks that `timestamp` is within `tolerance_seconds` of `now_unix_seconds`, in either direction.
pub fn check_freshness(
    timestamp: &str,
    now_unix_seconds: i64,
    tolerance_seconds: u32,
) -> Result<(), Error> {
    check_window(
        parse_unix_seconds(timestamp)?,
        now_unix_seconds,
        tolerance_seconds,
    )
}

/// Checks that the instant `unix_seconds` (already parsed) is within `tolerance_seconds` of
/// `now_unix_seconds`, in either direction; [`Error::Stale`] carries the signed distance.
pub fn check_window(
    unix_seconds: i64,
    now_unix_seconds: i64,
    tolerance_seconds: u32,
) -> Result<(), Error> {
    let skew_seconds = unix_seconds.saturating_sub(now_unix_seconds);
    if skew_seconds.unsigned_abs() > u64::from(tolerance_seconds) {
        return Err(Error::Stale { skew_seconds });
    }
    Ok(())
}

fn digits(bytes: &[u8]) -> Result<i64, Error> {
    bytes.iter().try_fold(0i64, |acc, b| {
        if b.is_ascii_digit() {
            Ok(acc * 10 + i64::from(b - b'0'))
        } else {
            Err(Error::InvalidTimestamp)
        }
    })
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_z_and_offset_forms_to_the_same_instant() {
        // DOKU's example: 08:51:00 WIB (UTC+7) on 22 Sept 2020 is 01:51:00Z.
        let z = parse_unix_seconds("2020-09-22T01:51:00Z").unwrap();
        let wib = parse_unix_seconds("2020-09-22T08:51:00+07:00").unwrap();
        assert_eq!(z, wib);
        assert_eq!(z, 1_600_739_460); // date -u -d 2020-09-22T01:51:00Z +%s
        assert_eq!(parse_unix_seconds("1970-01-01T00:00:00Z").unwrap(), 0);
        assert_eq!(
            parse_unix_seconds("1969-12-31T19:00:00.123-05:00").unwrap(),
            0
        );
    }

    #[test]
    fn strict_form_is_exactly_what_format_utc_writes() {
        for unix in [0, 1_597_135_542, -62_167_219_200, 253_402_300_799] {
            assert_eq!(parse_utc_strict(&format_utc(unix)), Ok(unix), "{unix}");
        }
        for bad in [
            "2020-08-11T08:45:42+00:00",
            "2020-08-11T08:45:42.000Z",
            "2020-08-11 08:45:42Z",
            "2020-13-11T08:45:42Z",
            "2021-02-29T08:45:42Z",
            "2020-08-11T24:45:42Z",
            "2020-08-11T08:45:42z",
            "+020-08-11T08:45:42Z",
            "",
        ] {
            assert_eq!(parse_utc_strict(bad), Err(Error::InvalidTimestamp), "{bad}");
        }
    }

    #[test]
    fn the_fractional_form_is_the_strict_form_with_one_to_nine_digits() {
        let whole = parse_utc_strict("2020-08-11T08:45:42Z").unwrap();
        for ok in [
            "2020-08-11T08:45:42.1Z",
            "2020-08-11T08:45:42.123Z",
            "2020-08-11T08:45:42.123456789Z",
        ] {
            assert_eq!(parse_utc_fractional(ok), Ok(whole), "{ok}");
        }
        for bad in [
            "2020-08-11T08:45:42Z",
            "2020-08-11T08:45:42.Z",
            "2020-08-11T08:45:42.1x2Z",
            "2020-08-11T08:45:42.1234567890Z",
            "2020-08-11T08:45:42.123+07:00",
            "2020-08-11T08:45:42.123z",
            "2020-08-11 08:45:42.123Z",
            "2020-13-11T08:45:42.123Z",
        ] {
            assert_eq!(
                parse_utc_fractional(bad),
                Err(Error::InvalidTimestamp),
                "{bad}"
            );
        }
    }

    #[test]
    fn window_is_inclusive_and_saturates() {
        assert_eq!(check_window(100, 40, 60), Ok(()));
        assert_eq!(check_window(100, 160, 60), Ok(()));
        assert_eq!(
            check_window(100, 161, 60),
            Err(Error::Stale { skew_seconds: -61 })
        );
        assert_eq!(
            check_window(i64::MAX, i64::MIN, 60),
            Err(Error::Stale {
                skew_seconds: i64::MAX
            })
        );
    }

    #[test]
    fn rejects_malformed_timestamps() {
        for bad in [
            "",
            "2020-09-22 01:51:00Z",
            "2020-09-22T01:51:00",
            "2020-13-01T00:00:00Z",
            "2021-02-29T00:00:00Z",
            "2020-09-22T24:00:00Z",
            "2020-09-22T01:51:00+7:00",
            "2020-09-22T01:51:00.Z",
            "２020-09-22T01:51:00Z",
        ] {
            assert_eq!(
                parse_unix_seconds(bad),
                Err(Error::InvalidTimestamp),
                "{bad}"
            );
        }
        assert!(parse_unix_seconds("2020-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn formats_round_trip() {
        assert_eq!(format_utc(1_600_739_460), "2020-09-22T01:51:00Z");
        assert_eq!(
            format_offset(1_600_739_460, 420),
            "2020-09-22T08:51:00+07:00"
        );
        assert_eq!(format_offset(0, -300), "1969-12-31T19:00:00-05:00");
        for t in [0, 951_782_400, 1_600_739_460, 4_102_444_799] {
            assert_eq!(parse_unix_seconds(&format_utc(t)).unwrap(), t);
        }
    }

    #[test]
    fn freshness_window_is_symmetric() {
        let now = 1_600_739_460;
        assert!(check_freshness("2020-09-22T01:56:00Z", now, 300).is_ok());
        assert_eq!(
            check_freshness("2020-09-22T01:56:01Z", now, 300),
            Err(Error::Stale { skew_seconds: 301 })
        );
        assert_eq!(
            check_freshness("2020-09-22T01:45:59Z", now, 300),
            Err(Error::Stale { skew_seconds: -301 })
        );
    }
}
