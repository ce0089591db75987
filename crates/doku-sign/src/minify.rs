//! Whitespace removal for SNAP bodies, without parsing.
//!
//! SNAP signs the SHA-256 of the *minified* JSON body. Parsing and re-serialising would change number literals
//! (`10000.00` → `10000.0`) and escapes; [`minify_json`] only drops insignificant whitespace outside strings, so
//! everything else stays byte-identical.

use alloc::string::String;

/// Removes spaces, tabs, carriage returns and newlines outside JSON strings, keeping every other byte.
///
/// The input is not validated: for invalid JSON the output is the same text with whitespace outside string
/// literals removed. Idempotent: `minify_json(&minify_json(x)) == minify_json(x)`.
pub fn minify_json(json: &str) -> String {
    // Byte-wise: every byte that matters here is ASCII, and no byte of a multi-byte UTF-8 character is, so runs
    // between two removed bytes are copied whole, at character boundaries.
    let mut out = String::with_capacity(json.len());
    let mut run_start = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (i, &byte) in json.as_bytes().iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
        } else if byte == b'"' {
            in_string = true;
        } else if matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
            out.push_str(json.get(run_start..i).unwrap_or_default());
            run_start = i + 1;
        }
    }
    out.push_str(json.get(run_start..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_strings_numbers_and_escapes() {
        let input = "{\n  \"name\" : \"Jokul  Doe \\\" x\",\n\t\"amount\": 10000.00,\r\n \"e\": \"\\u00e9 \\\\\" }";
        let expected =
            "{\"name\":\"Jokul  Doe \\\" x\",\"amount\":10000.00,\"e\":\"\\u00e9 \\\\\"}";
        assert_eq!(minify_json(input), expected);
        assert_eq!(minify_json(expected), expected);
    }

    #[test]
    fn keeps_non_ascii_inside_strings() {
        assert_eq!(
            minify_json("{ \"k\" : \"Bandung  Jawa Barat é\" }"),
            "{\"k\":\"Bandung  Jawa Barat é\"}"
        );
    }
}
