//! Quoting peer input inside error messages, capped: an error names what it refused without
//! sending back megabytes of it.

/// Characters of an offending value echoed at most.
pub(crate) const ECHO_MAX_CHARS: usize = 64;

/// `value` quoted (control characters escaped, as `{:?}` does); past [`ECHO_MAX_CHARS`]
/// characters it is cut and marked `…(+N bytes)`.
pub(crate) fn echo(value: &str) -> String {
    match value.char_indices().nth(ECHO_MAX_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}…(+{} bytes)", &value[..cut], value.len() - cut),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_whole_and_long_ones_cut_with_a_marker() {
        assert_eq!(echo("abc"), "\"abc\"");
        assert_eq!(echo("a\u{1b}[2J"), "\"a\\u{1b}[2J\"");
        let long = "é".repeat(1000);
        let e = echo(&long);
        assert!(e.starts_with(&format!("{:?}", "é".repeat(64))), "{e}");
        assert!(e.ends_with("…(+1872 bytes)"), "{e}");
        assert!(e.chars().count() < ECHO_MAX_CHARS + 24, "{e}");
    }
}
