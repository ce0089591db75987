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

/// A JSON decoding failure, naming the path (`business.brands[0].name`) where it happened and its
/// line and column in the input.
///
/// When the failure is a missing field, [`decode`] goes on looking and `message` names every
/// missing field of the document, the first one as serde wrote it (``missing field `name` ``), then
/// the others by their paths: ``… (also missing: `business.email`, `business.brands[0].category`)``.
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
        write!(
            f,
            "{what} at `{}` (line {}, column {}): {}",
            self.path, self.line, self.column, self.message
        )
    }
}

/// Decodes `bytes` as JSON into `T`; on failure, the error names the JSON path, the line and the
/// column — and, when fields are missing, every missing field at once (not only the first, which
/// is all serde reports): a request file with three gaps is fixed in one go.
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
            let mut error =
                locate::<T>(bytes).unwrap_or_else(|| from_json_error(".".to_owned(), &plain));
            if error.kind == DecodeErrorKind::Data && error.message.starts_with("missing field") {
                let all = missing_fields::<T>(bytes);
                let others: Vec<&String> = all
                    .iter()
                    .filter(|p| **p != field_path(&error.path, missing_name(&error.message)))
                    .collect();
                if !others.is_empty() {
                    let list: Vec<String> = others.iter().map(|p| format!("`{p}`")).collect();
                    error.message =
                        format!("{} (also missing: {})", error.message, list.join(", "));
                }
            }
            Err(error)
        }
    }
}

/// Documents larger than this are not searched for further missing fields (the first one is
/// still reported): the search decodes the document once per missing field.
const MISSING_SEARCH_MAX_BYTES: usize = 256 * 1024;
/// At most this many decodes are spent searching for missing fields.
const MISSING_SEARCH_MAX_ROUNDS: usize = 64;

/// Stand-ins tried, in order, for a missing field so that decoding can go on to the next gap.
fn stand_ins() -> [serde_json::Value; 5] {
    use serde_json::Value;
    [
        Value::String(String::new()),
        Value::from(0),
        Value::Bool(false),
        Value::Array(Vec::new()),
        Value::Object(serde_json::Map::new()),
    ]
}

/// The name in serde's ``missing field `name` ``.
fn missing_name(message: &str) -> &str {
    message.split('`').nth(1).unwrap_or_default()
}

/// `field` under the object at `path` (`.` is the root).
fn field_path(path: &str, field: &str) -> String {
    match path {
        "." | "" => field.to_owned(),
        _ => format!("{path}.{field}"),
    }
}

/// Every field of the document that `T` requires and `bytes` lacks, as full paths, in the order
/// serde meets them. Each missing field is filled with a stand-in (a string, a number, …, the first
/// one `T` accepts there) and the document decoded again, until it decodes, fails otherwise, or
/// the bounds above are reached. Fields missing inside a stand-in object are its own, not the
/// document's, and are filled without being reported.
fn missing_fields<T: DeserializeOwned>(bytes: &[u8]) -> Vec<String> {
    let mut missing = Vec::new();
    if bytes.len() > MISSING_SEARCH_MAX_BYTES {
        return missing;
    }
    let Ok(mut document) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return missing;
    };
    // Each stand-in: where it is and which of `stand_ins()` it is.
    let mut filled: Vec<(Vec<Step>, usize)> = Vec::new();
    for _ in 0..MISSING_SEARCH_MAX_ROUNDS {
        let text = document.to_string();
        let mut de = serde_json::Deserializer::from_str(&text);
        let error = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(_) => break,
            Err(e) => e,
        };
        let Some(at) = steps(error.path()) else {
            break;
        };
        let message = error.inner().to_string();
        // The deepest stand-in holding the failure, if any.
        let holder = filled
            .iter()
            .enumerate()
            .filter(|(_, (path, _))| at.starts_with(path))
            .max_by_key(|(_, (path, _))| path.len())
            .map(|(i, _)| i);
        if message.starts_with("missing field") {
            let field = missing_name(&message).to_owned();
            if holder.is_none() {
                missing.push(field_path(&error.path().to_string(), &field));
            }
            let mut place = at;
            place.push(Step::Key(field));
            if !put(&mut document, &place, stand_ins()[0].clone()) {
                break;
            }
            filled.push((place, 0));
            continue;
        }
        // A stand-in `T` does not accept there: the next one, if any is left.
        let Some(i) = holder else { break };
        let (place, tried) = &mut filled[i];
        *tried += 1;
        let Some(next) = stand_ins().into_iter().nth(*tried) else {
            break;
        };
        let place = place.clone();
        // Stand-ins filled inside the one replaced go with it.
        filled.retain(|(p, _)| p == &place || !p.starts_with(&place));
        if !put(&mut document, &place, next) {
            break;
        }
    }
    missing
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// A key of an object (a field, or an externally tagged enum's variant).
    Key(String),
    /// An index into an array.
    Index(usize),
}

/// The steps of serde's path; `None` when a step is unknown (e.g. inside a flattened map).
fn steps(path: &serde_path_to_error::Path) -> Option<Vec<Step>> {
    use serde_path_to_error::Segment;
    path.iter()
        .map(|segment| match segment {
            Segment::Map { key } | Segment::Enum { variant: key } => Some(Step::Key(key.clone())),
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Unknown => None,
        })
        .collect()
}

/// Sets the value at `path` in `document`, whose last step is a key of an existing object.
fn put(document: &mut serde_json::Value, path: &[Step], value: serde_json::Value) -> bool {
    let Some((Step::Key(key), parents)) = path.split_last() else {
        return false;
    };
    let mut node = document;
    for step in parents {
        let next = match step {
            Step::Key(key) => node.get_mut(key.as_str()),
            Step::Index(index) => node.get_mut(*index),
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    match node.as_object_mut() {
        Some(object) => {
            object.insert(key.clone(), value);
            true
        }
        None => false,
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

    /// Every missing field at once, by path — those of nested objects and array elements too —
    /// and none of the fields a stand-in object lacks.
    #[test]
    fn every_missing_field_is_named_at_once() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Doc {
            name: String,
            count: u32,
            flag: bool,
            tags: Vec<String>,
            owner: Owner,
            items: Vec<Owner>,
            kind: Kind,
            note: Option<String>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Owner {
            email: String,
            age: u8,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Kind {
            Personal,
        }
        let err = decode::<Doc>(br#"{"owner":{"age":3},"items":[{"email":"a","age":1},{}]}"#)
            .unwrap_err();
        // The first gap serde meets, as serde words it, then every other one by its path.
        assert_eq!(
            (err.path.as_str(), err.kind),
            ("owner", DecodeErrorKind::Data)
        );
        assert!(
            err.message.starts_with(
                "missing field `email` (also missing: `items[1].email`, `items[1].age`, `name`, "
            ),
            "{err}"
        );
        assert_eq!(
            err.message.matches("owner.email").count(),
            0,
            "the first is not repeated: {err}"
        );
        for path in [
            "name",
            "count",
            "flag",
            "tags",
            "kind",
            "items[1].email",
            "items[1].age",
        ] {
            assert!(err.message.contains(&format!("`{path}`")), "{path}: {err}");
        }
        assert!(!err.message.contains("`note`"), "optional: {err}");
        // `owner` is present: its `age` is not missing; nothing inside a stand-in is reported.
        assert!(!err.message.contains("owner.age"), "{err}");
        // One missing field: the message is serde's, unchanged.
        let one = decode::<Owner>(br#"{"age":1}"#).unwrap_err();
        assert_eq!(one.message, "missing field `email`");
        // A missing field and another problem: the other problem ends the search.
        let mixed = decode::<Owner>(br#"{"age":"x"}"#).unwrap_err();
        assert_eq!(mixed.path, "age");
    }

    #[test]
    fn errors_give_line_and_column() {
        let err = decode::<Outer>(b"{\n  \"inner\": [\n    {\"n\": 1,}\n  ]\n}").unwrap_err();
        assert_eq!(
            (err.kind, err.line, err.column),
            (DecodeErrorKind::Syntax, 3, 13)
        );
        assert_eq!(
            err.to_string(),
            "malformed JSON at `inner[0].?` (line 3, column 13): trailing comma"
        );
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
