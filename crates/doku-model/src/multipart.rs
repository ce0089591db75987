//! A small, pure `multipart/form-data` (RFC 7578) encoder and parser.
//!
//! Pure functions: the boundary is an input, so the exact bytes are reproducible and the
//! signature Digest can be computed over them before sending.

use crate::error::Error;

/// Longest boundary RFC 2046 allows.
pub const MAX_BOUNDARY_LEN: usize = 70;

/// One form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The field name (`name=` in `Content-Disposition`).
    pub name: String,
    /// The file name, for file fields.
    pub filename: Option<String>,
    /// The part's `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The raw content.
    pub data: Vec<u8>,
}

impl Part {
    /// A text field.
    pub fn text(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            filename: None,
            content_type: None,
            data: value.into().into_bytes(),
        }
    }

    /// The content as UTF-8 text.
    pub fn text_value(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.data)
            .map_err(|_| Error::Multipart(format!("form field `{}` is not UTF-8 text", self.name)))
    }

    pub(crate) fn owned_text(&self) -> Result<String, Error> {
        self.text_value().map(str::to_owned)
    }
}

/// An encoded body and the `Content-Type` header value that goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipartBody {
    /// `multipart/form-data; boundary=…`.
    pub content_type: String,
    /// The exact bytes to send (and to digest).
    pub body: Vec<u8>,
}

fn is_boundary_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&c)
}

fn check_boundary(boundary: &str) -> Result<(), Error> {
    if boundary.is_empty() || boundary.len() > MAX_BOUNDARY_LEN {
        return Err(Error::invalid(
            "multipart boundary",
            "must be 1 to 70 characters",
        ));
    }
    if !boundary.bytes().all(is_boundary_char) {
        return Err(Error::invalid(
            "multipart boundary",
            "may only contain letters, digits and '()+_,-./:=?",
        ));
    }
    Ok(())
}

fn header_param(value: &str) -> Result<String, Error> {
    if value.chars().any(|c| c == '\r' || c == '\n') {
        return Err(Error::Multipart(format!("{value:?} contains a line break")));
    }
    Ok(value.replace('"', "%22"))
}

/// Encodes `parts` with `boundary`. Fails if the boundary is invalid or appears inside a
/// part's content (pick another boundary then), or a name contains a line break.
pub fn encode(parts: &[Part], boundary: &str) -> Result<MultipartBody, Error> {
    check_boundary(boundary)?;
    let delimiter = format!("--{boundary}");
    let mut body = Vec::new();
    for part in parts {
        if contains(&part.data, delimiter.as_bytes()) {
            return Err(Error::Multipart(format!(
                "the boundary occurs inside form field `{}`; choose another boundary",
                part.name
            )));
        }
        body.extend_from_slice(delimiter.as_bytes());
        body.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
        body.extend_from_slice(header_param(&part.name)?.as_bytes());
        body.push(b'"');
        if let Some(filename) = &part.filename {
            body.extend_from_slice(b"; filename=\"");
            body.extend_from_slice(header_param(filename)?.as_bytes());
            body.push(b'"');
        }
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = &part.content_type {
            body.extend_from_slice(b"Content-Type: ");
            body.extend_from_slice(header_param(ct)?.as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(delimiter.as_bytes());
    body.extend_from_slice(b"--\r\n");
    let needs_quotes = boundary.bytes().any(|c| b"()<>@,;:\\\"/[]?=".contains(&c));
    let content_type = if needs_quotes {
        format!("multipart/form-data; boundary=\"{boundary}\"")
    } else {
        format!("multipart/form-data; boundary={boundary}")
    };
    Ok(MultipartBody { content_type, body })
}

/// Extracts the boundary from a `multipart/form-data; boundary=…` header value.
pub fn boundary_from_content_type(content_type: &str) -> Result<String, Error> {
    let mut pieces = split_params(content_type).into_iter();
    let media = pieces.next().unwrap_or_default();
    if !media.trim().eq_ignore_ascii_case("multipart/form-data") {
        return Err(Error::Multipart(format!(
            "content type must be multipart/form-data, got {:?}",
            media.trim()
        )));
    }
    for piece in pieces {
        if let Some((k, v)) = piece.split_once('=') {
            if k.trim().eq_ignore_ascii_case("boundary") {
                let b = unquote(v.trim());
                check_boundary(&b)?;
                return Ok(b);
            }
        }
    }
    Err(Error::Multipart(
        "content type has no boundary parameter".to_owned(),
    ))
}

/// Parses a `multipart/form-data` body given its `Content-Type` header value.
pub fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, Error> {
    let boundary = boundary_from_content_type(content_type)?;
    let delimiter = format!("--{boundary}");
    let delim = delimiter.as_bytes();
    let next_delim = format!("\r\n--{boundary}");
    let mut pos = if body.starts_with(delim) {
        0
    } else {
        find(body, next_delim.as_bytes(), 0)
            .map(|i| i + 2)
            .ok_or_else(|| Error::Multipart("no opening boundary".to_owned()))?
    };
    let mut parts = Vec::new();
    loop {
        pos += delim.len();
        let rest = &body[pos..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Skip transport padding, then require CRLF.
        let pad = rest
            .iter()
            .take_while(|b| **b == b' ' || **b == b'\t')
            .count();
        pos += pad;
        if !body[pos..].starts_with(b"\r\n") {
            return Err(Error::Multipart(
                "boundary line not followed by CRLF".to_owned(),
            ));
        }
        pos += 2;
        let end = find(body, next_delim.as_bytes(), pos).ok_or_else(|| {
            Error::Multipart("missing closing boundary (truncated body?)".to_owned())
        })?;
        parts.push(parse_part(&body[pos..end])?);
        pos = end + 2;
    }
}

fn parse_part(raw: &[u8]) -> Result<Part, Error> {
    let (head, data) = match find(raw, b"\r\n\r\n", 0) {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None if raw.starts_with(b"\r\n") => (&raw[..0], &raw[2..]),
        None => {
            return Err(Error::Multipart(
                "part has no blank line after its headers".to_owned(),
            ))
        }
    };
    let head = std::str::from_utf8(head)
        .map_err(|_| Error::Multipart("part headers are not UTF-8".to_owned()))?;
    let mut name = None;
    let mut filename = None;
    let mut content_type = None;
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| Error::Multipart(format!("malformed part header {line:?}")))?;
        if key.trim().eq_ignore_ascii_case("content-disposition") {
            let mut pieces = split_params(value).into_iter();
            let kind = pieces.next().unwrap_or_default();
            if !kind.trim().eq_ignore_ascii_case("form-data") {
                return Err(Error::Multipart(format!(
                    "part disposition {:?} is not form-data",
                    kind.trim()
                )));
            }
            for piece in pieces {
                if let Some((k, v)) = piece.split_once('=') {
                    match k.trim().to_ascii_lowercase().as_str() {
                        "name" => name = Some(unquote(v.trim())),
                        "filename" => filename = Some(unquote(v.trim())),
                        _ => {}
                    }
                }
            }
        } else if key.trim().eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_owned());
        }
    }
    let name = name.ok_or_else(|| Error::Multipart("part without a name".to_owned()))?;
    Ok(Part {
        name,
        filename,
        content_type,
        data: data.to_vec(),
    })
}

/// Splits a header value at `;` outside double quotes.
fn split_params(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                current.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => out.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    out.push(current);
    out
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                } else {
                    out.push(c);
                }
            }
            out
        }
        None => value.to_owned(),
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > haystack.len() || needle.is_empty() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle, 0).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn boundary_rules() {
        assert!(encode(&[], "").is_err());
        assert!(encode(&[], &"a".repeat(71)).is_err());
        assert!(encode(&[], "has space").is_err());
        let quoted = encode(&[], "a:b").unwrap();
        assert_eq!(quoted.content_type, "multipart/form-data; boundary=\"a:b\"");
        assert_eq!(
            boundary_from_content_type(&quoted.content_type).unwrap(),
            "a:b"
        );
    }

    #[test]
    fn boundary_inside_content_is_refused() {
        let parts = [Part::text("x", "--abc")];
        assert!(encode(&parts, "abc").is_err());
        assert!(encode(&parts, "abd").is_ok());
    }

    #[test]
    fn wrong_content_type_and_truncation() {
        assert!(parse("application/json", b"").is_err());
        assert!(parse("multipart/form-data", b"").is_err());
        let body = encode(&[Part::text("a", "1")], "zz").unwrap();
        let cut = &body.body[..body.body.len() - 8];
        let err = parse(&body.content_type, cut).unwrap_err();
        assert!(err.to_string().contains("closing boundary"), "{err}");
    }

    #[test]
    fn parses_preamble_and_foreign_clients() {
        // As curl sends it: preamble-free, Content-Type on file parts, quoted names.
        let body = b"--X\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nLOGO\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--X--\r\n";
        let parts = parse("Multipart/Form-Data; charset=utf-8; boundary=\"X\"", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].filename.as_deref(), Some("a;b.png"));
        assert_eq!(parts[1].data, b"\x89PNG");
        let mut with_preamble = b"ignored\r\n".to_vec();
        with_preamble.extend_from_slice(body);
        assert_eq!(
            parse("multipart/form-data; boundary=X", &with_preamble).unwrap(),
            parts
        );
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..256), name in "[a-z_]{1,12}") {
            let parts = vec![Part { name, filename: Some("f.bin".into()), content_type: Some("application/octet-stream".into()), data }];
            // A boundary that cannot occur in random data is not guaranteed; skip such cases.
            if let Ok(body) = encode(&parts, "proptest-boundary-7f3a") {
                prop_assert_eq!(parse(&body.content_type, &body.body).unwrap(), parts);
            }
        }
    }
}
