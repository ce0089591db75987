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

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_rules() {
        assert!(encode(&[], "").is_err());
        assert!(encode(&[], &"a".repeat(71)).is_err());
        assert!(encode(&[], "has space").is_err());
        let quoted = encode(&[], "a:b").unwrap();
        assert_eq!(quoted.content_type, "multipart/form-data; boundary=\"a:b\"");
    }

    #[test]
    fn boundary_inside_content_is_refused() {
        let parts = [Part::text("x", "--abc")];
        assert!(encode(&parts, "abc").is_err());
        assert!(encode(&parts, "abd").is_ok());
    }
}
