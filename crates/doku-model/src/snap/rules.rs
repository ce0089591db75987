//! Checks shared by the SNAP types' `Validate` implementations: text that signs the same
//! under every minifier, ISO 8601 date-times with an offset, and the documented lengths.

use crate::validate::ValidationErrors;

/// Longest `trxId` (DOKU: "max length: 64").
pub const MAX_TRX_ID: usize = 64;
/// Longest `virtualAccountName` (DOKU: "max length: 255").
pub const MAX_VA_NAME: usize = 255;
/// Longest `virtualAccountEmail` (Bank Indonesia's SNAP standard; DOKU's pages give none).
pub const MAX_VA_EMAIL: usize = 255;
/// Longest `virtualAccountPhone` (Bank Indonesia's SNAP standard; DOKU's pages give none).
pub const MAX_VA_PHONE: usize = 30;

/// Why a text field cannot be signed the same under every minification reading, if it can't.
///
/// DOKU hashes a minified body whose minifier is not documented: PHP's `json_encode` escapes
/// U+2028/U+2029 as `\u2028`/`\u2029`, Node's `JSON.stringify` writes them raw, so no single
/// byte form signs under both. Control characters other than `\n`, `\t`, `\r`, `\b`, `\f` are
/// written `\u001f` by PHP, Node and serde_json but `\u001F` by Jackson.
pub(crate) fn wire_text_problem(value: &str) -> Option<&'static str> {
    if value.contains(['\u{2028}', '\u{2029}']) {
        return Some(
            "contains U+2028 or U+2029, which PHP's json_encode escapes and Node's \
             JSON.stringify does not: no byte form signs under both minifications",
        );
    }
    if value.chars().any(char::is_control) {
        return Some(
            "contains a control character, which minifiers escape differently (Jackson writes \
             upper-case hex) and no field needs",
        );
    }
    None
}

/// Records a violation when `value` cannot be signed under every minification reading.
pub(crate) fn wire_text(e: &mut ValidationErrors, path: &str, value: &str) {
    if let Some(why) = wire_text_problem(value) {
        e.push(path, why);
    }
}

/// A required, bounded text that signs under every minifier.
pub(crate) fn text(e: &mut ValidationErrors, path: &str, value: &str, max: usize) {
    e.text(path, value, max);
    wire_text(e, path, value);
}

/// An optional bounded text that signs under every minifier.
pub(crate) fn optional_text(e: &mut ValidationErrors, path: &str, value: Option<&str>, max: usize) {
    if let Some(v) = value {
        e.max_chars(path, v, max);
        wire_text(e, path, v);
    }
}

/// Why `value` is not `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, if it is not.
pub(crate) fn date_time_problem(value: &str) -> Option<&'static str> {
    const WHAT: &str = "is not an ISO 8601 date-time with an offset, e.g. \
                        \"2024-07-12T10:47:11+07:00\"";
    let b = value.as_bytes();
    if b.len() < 20 || !b.is_ascii() {
        return Some(WHAT);
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        let s = value.get(from..to)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    let shape = b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && b[16] == b':';
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0, 4),
        num(5, 7),
        num(8, 10),
        num(11, 13),
        num(14, 16),
        num(17, 19),
    ) else {
        return Some(WHAT);
    };
    if !shape {
        return Some(WHAT);
    }
    let mut rest = &value[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return Some(WHAT);
        }
        rest = &fraction[n..];
    }
    let offset_ok = rest == "Z"
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && num_in(rest, 1, 3).is_some_and(|h| h <= 23)
            && num_in(rest, 4, 6).is_some_and(|m| m <= 59));
    if !offset_ok {
        return Some(WHAT);
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Some("has a month outside 01–12"),
    };
    if day == 0 || day > days {
        return Some("has a day that does not exist in its month");
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Some("has a time outside 00:00:00–23:59:59");
    }
    None
}

fn num_in(s: &str, from: usize, to: usize) -> Option<u32> {
    let part = s.get(from..to)?;
    part.bytes()
        .all(|c| c.is_ascii_digit())
        .then(|| part.parse().ok())
        .flatten()
}

/// Records a violation when `value` is not an ISO 8601 date-time with an offset.
pub(crate) fn date_time(e: &mut ValidationErrors, path: &str, value: &str) {
    if let Some(why) = date_time_problem(value) {
        e.push(path, format!("{value:?} {why}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times() {
        for ok in [
            "2024-07-12T10:47:11+07:00",
            "2023-01-01T10:55:00+07:00",
            "2020-12-21T07:56:11.000Z",
            "2024-02-29T00:00:00-03:30",
            "2024-07-12T10:47:11Z",
        ] {
            assert_eq!(date_time_problem(ok), None, "{ok}");
        }
        for bad in [
            "2024-07-12T10:47:11",
            "2024-07-12 10:47:11+07:00",
            "2024-07-12T10:47:11+0700",
            "2023-02-29T10:47:11+07:00",
            "2024-13-01T10:47:11+07:00",
            "2024-07-12T24:00:00+07:00",
            "2024-07-12T10:47:11.+07:00",
            "2024-07-12T10:47:11+07:00x",
            "２０24-07-12T10:47:11+07:00",
            "",
        ] {
            assert!(date_time_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn wire_text_refuses_line_separators_and_controls() {
        assert!(wire_text_problem("Toru Yamashita").is_none());
        assert!(wire_text_problem("Tulisan Bebas / é ✓").is_none());
        let why = wire_text_problem("a\u{2028}b").unwrap();
        assert!(why.contains("U+2028") && why.contains("PHP"), "{why}");
        assert!(wire_text_problem("a\u{2029}").is_some());
        assert!(wire_text_problem("a\u{1f}").is_some());
    }
}
