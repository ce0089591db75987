//! Parsing a received query string (Check Requirements' `GET /file?…`): the server-side half
//! of doku-model's query encoding, which only the simulator needs.

use doku_model::Error;

/// Decodes `%XX` escapes and `+` (as a space) in one query component.
fn percent_decode(value: &str) -> Result<String, Error> {
    decode_escapes(value, true)
}

/// Decodes `%XX` escapes in one path segment (`+` stays a plus sign there), e.g. a Check Status
/// invoice number `INV%2F4` → `INV/4`.
pub(crate) fn decode_path_segment(value: &str) -> Result<String, Error> {
    decode_escapes(value, false)
}

/// Decodes `%XX` escapes, and `+` as a space when `plus_is_space`; the result must be UTF-8.
fn decode_escapes(value: &str, plus_is_space: bool) -> Result<String, Error> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| Error::Query(format!("bad percent escape in {value:?}")))?;
                out.push(hex);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| Error::Query(format!("{value:?} is not UTF-8 once decoded")))
}

/// Splits a query string (without `?`) into decoded `(name, value)` pairs, in order.
pub(crate) fn parse_query(query: &str) -> Result<Vec<(String, String)>, Error> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            Ok((percent_decode(name)?, percent_decode(value)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_plus() {
        assert_eq!(
            percent_decode("a%20b%26c%3Dd%2F%C3%A9~").unwrap(),
            "a b&c=d/é~"
        );
        assert_eq!(percent_decode("a+b").unwrap(), "a b");
        assert!(percent_decode("%zz").is_err());
        assert!(percent_decode("%4").is_err());
    }

    #[test]
    fn path_segments_decode_escapes_but_keep_plus() {
        assert_eq!(decode_path_segment("INV%2F4%20a+b").unwrap(), "INV/4 a+b");
        assert_eq!(decode_path_segment("%C3%A9t%C3%A9").unwrap(), "été");
        assert!(decode_path_segment("INV%2").is_err());
        assert!(decode_path_segment("%FF").is_err());
    }

    #[test]
    fn parse_pairs() {
        let pairs = parse_query("a=1&b=&c&&d=x%20y").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("a".into(), "1".into()),
                ("b".into(), String::new()),
                ("c".into(), String::new()),
                ("d".into(), "x y".into())
            ]
        );
    }
}
