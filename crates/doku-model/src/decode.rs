//! JSON decoding whose errors name the JSON path that failed.

use std::fmt;

use serde::de::DeserializeOwned;

/// What kind of decoding failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The bytes are not JSON.
    Syntax,
    /// The JSON is valid but does not have the expected shape (missing field, wrong type…).
    Data,
    /// The body ended early.
    Eof,
}

/// A JSON decoding failure, naming the path (`business.brands[0].name`) where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct DecodeError {
    /// The JSON path of the failure; `.` means the document root.
    pub path: String,
    /// serde's description of the problem, with quoted input values replaced by `"…"`: a value that failed to
    /// decode may be a token or a key, and error messages end up in logs.
    pub message: String,
    /// Syntax, data or end-of-input.
    pub kind: DecodeErrorKind,
    /// 1-based line of the failure in the input.
    pub line: usize,
    /// 1-based column of the failure in the input.
    pub column: usize,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DecodeErrorKind::Syntax => "malformed JSON",
            DecodeErrorKind::Data => "unexpected JSON",
            DecodeErrorKind::Eof => "truncated JSON",
        };
        write!(f, "{what} at `{}`: {}", self.path, self.message)
    }
}

/// Decodes `bytes` as JSON into `T`; on failure, the error names the JSON path.
///
/// The common case (valid input) is a plain `serde_json` decode; only when it fails is the input decoded again
/// with path tracking to name where, which keeps path bookkeeping off the hot path.
///
/// UTF-8 input is checked once, in one pass, and decoded as text: decoding bytes, serde_json checks every key
/// and string value on its own (on Check Requirements' answer that was ≈ 2 % of the client's CPU per call).
/// Both accept the same documents and give the same value; input that is not UTF-8 is decoded as bytes, so its
/// error is serde_json's as before.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    let plain = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    match plain {
        Ok(value) => Ok(value),
        Err(plain) => {
            Err(locate::<T>(bytes).unwrap_or_else(|| from_json_error(".".to_owned(), &plain)))
        }
    }
}

/// Decodes again with path tracking and returns the located error (`None` if, unexpectedly, it succeeds).
fn locate<T: DeserializeOwned>(bytes: &[u8]) -> Option<DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => Some(from_path_error(e)),
        Ok(_) => de.end().err().map(|e| from_json_error(".".to_owned(), &e)),
    }
}

fn from_path_error(err: serde_path_to_error::Error<serde_json::Error>) -> DecodeError {
    let path = err.path().to_string();
    from_json_error(path, err.inner())
}

fn from_json_error(path: String, err: &serde_json::Error) -> DecodeError {
    use serde_json::error::Category;
    let kind = match err.classify() {
        Category::Syntax | Category::Io => DecodeErrorKind::Syntax,
        Category::Data => DecodeErrorKind::Data,
        Category::Eof => DecodeErrorKind::Eof,
    };
    // serde_json appends " at line L column C"; we report those separately.
    let full = err.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full[..i].to_owned(),
        None => full,
    };
    DecodeError {
        path,
        message: redact_quoted(&message),
        kind,
        line: err.line(),
        column: err.column(),
    }
}

/// Replaces the contents of every double-quoted segment with `…` (serde quotes the offending input value, e.g.
/// `invalid type: string "eyJ…", expected u64`). Field names in backticks are kept: they come from our types.
fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for ch in message.chars() {
        if ch == '"' {
            if inside {
                out.push('…');
            }
            inside = !inside;
            out.push(ch);
        } else if !inside {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decoding text gives what decoding bytes gave: the same value, and for input that is not
    /// UTF-8 or not a `T`, the same error (path, message, kind, position).
    #[test]
    fn text_and_bytes_decode_alike() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Token {
            token: String,
        }
        let by_bytes = |bytes: &[u8]| -> Result<Token, DecodeError> {
            serde_json::from_slice(bytes).map_err(|plain| {
                locate::<Token>(bytes).unwrap_or_else(|| from_json_error(".".to_owned(), &plain))
            })
        };
        let sample =
            include_bytes!("../tests/doku-samples/partner/check-requirements.response.json");
        let ours: crate::RequirementsResponse = decode(sample).unwrap();
        assert_eq!(ours, serde_json::from_slice(sample).unwrap());
        for input in [
            &b"{\"token\":\"a\xc3\xa9\"}"[..],
            b"{\"token\":\"\xff\"}",
            b"{\"token\":1}",
            b"{\"token\":\"a\"} x",
            b"\xef\xbb\xbf{\"token\":\"a\"}",
            b"",
        ] {
            assert_eq!(
                decode::<Token>(input),
                by_bytes(input),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn quoted_input_values_are_redacted_from_messages() {
        #[derive(Debug, serde::Deserialize)]
        struct Claims {
            #[allow(dead_code)]
            exp: u64,
        }
        let err = decode::<Claims>(br#"{"exp":"eyJhbGciOiJSUzI1NiJ9.secret-token"}"#).unwrap_err();
        assert_eq!(err.path, "exp");
        assert!(!err.to_string().contains("secret-token"), "{err}");
        assert!(!format!("{err:?}").contains("secret-token"), "{err:?}");
        assert!(
            err.message.contains("invalid type: string \"…\""),
            "{}",
            err.message
        );
        assert_eq!(redact_quoted(r#"a "x" b "y"#), r#"a "…" b ""#);
    }

    #[derive(Debug, serde::Deserialize)]
    struct Outer {
        #[allow(dead_code)]
        inner: Vec<Inner>,
    }
    #[derive(Debug, serde::Deserialize)]
    struct Inner {
        #[allow(dead_code)]
        n: u32,
    }

    #[test]
    fn names_the_path() {
        let err = decode::<Outer>(br#"{"inner":[{"n":1},{"n":"x"}]}"#).unwrap_err();
        assert_eq!(err.path, "inner[1].n");
        assert_eq!(err.kind, DecodeErrorKind::Data);
        assert!(err.to_string().contains("inner[1].n"), "{err}");
    }

    #[test]
    fn missing_field_path() {
        let err = decode::<Outer>(br#"{"inner":[{}]}"#).unwrap_err();
        assert_eq!(err.path, "inner[0]");
        assert!(err.message.contains("missing field `n`"), "{}", err.message);
    }

    #[test]
    fn syntax_and_eof() {
        assert_eq!(
            decode::<Outer>(b"not json").unwrap_err().kind,
            DecodeErrorKind::Syntax
        );
        assert_eq!(
            decode::<Outer>(b"{\"inner\":[").unwrap_err().kind,
            DecodeErrorKind::Eof
        );
        assert!(decode::<Outer>(br#"{"inner":[]} trailing"#).is_err());
    }
}
