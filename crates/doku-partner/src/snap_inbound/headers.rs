//! Reading the SNAP headers of an inbound call: one visible-ASCII value each, or a named problem.

use http::HeaderMap;

/// What is wrong with a header, named by its canonical spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderProblem {
    /// Absent or empty.
    Missing(&'static str),
    /// Sent more than once: ambiguous.
    Duplicate(&'static str),
    /// Not visible ASCII.
    Invalid(&'static str),
}

/// The single visible-ASCII, non-empty value of header `name`.
pub(crate) fn one<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
) -> Result<&'h str, HeaderProblem> {
    optional(headers, name)?.ok_or(HeaderProblem::Missing(name))
}

/// The single value of header `name` if it is sent; a duplicate or a non-ASCII value is still a
/// problem, and an empty value counts as absent.
pub(crate) fn optional<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
) -> Result<Option<&'h str>, HeaderProblem> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(HeaderProblem::Duplicate(name));
    }
    let text = value.to_str().map_err(|_| HeaderProblem::Invalid(name))?;
    Ok((!text.is_empty()).then_some(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn one_value_each() {
        let mut h = HeaderMap::new();
        h.insert("x-timestamp", HeaderValue::from_static("t"));
        assert_eq!(one(&h, "X-TIMESTAMP"), Ok("t"));
        assert_eq!(
            one(&h, "X-SIGNATURE"),
            Err(HeaderProblem::Missing("X-SIGNATURE"))
        );
        h.append("x-timestamp", HeaderValue::from_static("u"));
        assert_eq!(
            one(&h, "X-TIMESTAMP"),
            Err(HeaderProblem::Duplicate("X-TIMESTAMP"))
        );
        h.insert("x-external-id", HeaderValue::from_bytes(b"\xff").unwrap());
        assert_eq!(
            optional(&h, "X-EXTERNAL-ID"),
            Err(HeaderProblem::Invalid("X-EXTERNAL-ID"))
        );
        h.insert("channel-id", HeaderValue::from_static(""));
        assert_eq!(optional(&h, "CHANNEL-ID"), Ok(None));
    }
}
