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
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for ch in json.chars() {
        if in_string {
            out.push(ch);
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
        } else if ch == '"' {
            in_string = true;
            out.push(ch);
        } else if !matches!(ch, ' ' | '\t' | '\n' | '\r') {
            out.push(ch);
        }
    }
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
