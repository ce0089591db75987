//! Percent-encoding for query strings and path segments (RFC 3986 unreserved set).

/// Appends `value` to `out`, percent-encoding every byte outside `A-Z a-z 0-9 - . _ ~`.
pub(crate) fn percent_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_all_but_unreserved_characters() {
        let mut s = String::new();
        percent_encode_into(&mut s, "a b&c=d/é~");
        assert_eq!(s, "a%20b%26c%3Dd%2F%C3%A9~");
    }
}
