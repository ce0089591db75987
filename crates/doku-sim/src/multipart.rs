//! Parsing a received `multipart/form-data` body (RFC 7578), as Upload File receives it: the
//! server-side half of doku-model's encoder, which only the simulator needs.

use doku_model::{Error, Part, MAX_BOUNDARY_LEN};

/// Whether `boundary` is one doku-model's encoder could have written (RFC 2046's characters,
/// 1 to 70 of them).
fn valid_boundary(boundary: &str) -> bool {
    (1..=MAX_BOUNDARY_LEN).contains(&boundary.len())
        && boundary
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"'()+_,-./:=?".contains(&c))
}

/// A header value of the form `kind; key=value; key="quoted value"`: checks `kind` is
/// `expected` (ASCII case-insensitive) and returns the parameters, keys lower-cased and values
/// unquoted. `what` names the header in the error.
fn typed_params(value: &str, expected: &str, what: &str) -> Result<Vec<(String, String)>, Error> {
    let mut pieces = split_params(value).into_iter();
    let kind = pieces.next().unwrap_or_default();
    if !kind.trim().eq_ignore_ascii_case(expected) {
        return Err(Error::Multipart(format!(
            "{what} must be {expected}, got {:?}",
            kind.trim()
        )));
    }
    Ok(pieces
        .filter_map(|piece| {
            let (k, v) = piece.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), unquote(v.trim())))
        })
        .collect())
}

/// Extracts the boundary from a `multipart/form-data; boundary=…` header value.
pub(crate) fn boundary_from_content_type(content_type: &str) -> Result<String, Error> {
    let params = typed_params(content_type, "multipart/form-data", "content type")?;
    let Some((_, b)) = params.into_iter().find(|(k, _)| k == "boundary") else {
        return Err(Error::Multipart(
            "content type has no boundary parameter".to_owned(),
        ));
    };
    if !valid_boundary(&b) {
        return Err(Error::Multipart(format!("invalid boundary {b:?}")));
    }
    Ok(b)
}

/// Parses a `multipart/form-data` body given its `Content-Type` header value.
pub(crate) fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, Error> {
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
            for (k, v) in typed_params(value, "form-data", "part disposition")? {
                match k.as_str() {
                    "name" => name = Some(v),
                    "filename" => filename = Some(v),
                    _ => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use doku_model::encode_multipart as encode;
    use proptest::prelude::*;

    #[test]
    fn reads_the_boundary_the_encoder_quoted() {
        let quoted = encode(&[], "a:b").unwrap();
        assert_eq!(
            boundary_from_content_type(&quoted.content_type).unwrap(),
            "a:b"
        );
        assert!(boundary_from_content_type("multipart/form-data; boundary=\"has space\"").is_err());
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
