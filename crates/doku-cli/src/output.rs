//! What the CLI prints about a call: the whole error chain, text from the network made harmless
//! for a terminal, and credentials never shown.
//!
//! Anything that came off the wire (DOKU's `error.code`/`error.message`, bodies, header values
//! inside transport errors) may hold terminal escape sequences, carriage returns that overwrite
//! the line, or bidirectional-text controls that reorder it. [`escape`] turns each into a
//! visible `\u{…}` escape. A server may also reflect the bearer token or the secret; every
//! printed line first goes through [`doku_partner::Client::redact`].

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::process::ExitCode;

use doku_partner::{Client, Error};

/// `text` with every control character (C0, DEL, C1) and bidi override visibly escaped.
/// `\n` and `\t` are kept when `keep_layout` (pretty JSON); otherwise escaped too, so a
/// message cannot forge a line of its own.
pub(crate) fn escape(text: &str, keep_layout: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' if keep_layout => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Unicode bidirectional formatting characters (they reorder what a terminal shows).
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `json` with every character serde_json leaves raw that a terminal acts on (DEL, C1 controls,
/// bidirectional formatting characters such as U+202E) written as a `\uXXXX` escape. Outside
/// strings JSON text has none of them, so the result decodes to the same value.
pub(crate) fn escape_json_text(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_control() || is_bidi_control(c) {
            // Every such character is in the Basic Multilingual Plane: one escape each.
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Redacts (when a client is known) and escapes one piece of text for a one-line message.
fn clean(text: &str, client: Option<&Client>) -> String {
    let redacted = client.map_or_else(|| text.to_owned(), |c| c.redact(text));
    escape(&redacted, false)
}

/// `error`'s message and its sources, one per line after the first as `caused by: …`,
/// each redacted and escaped.
pub(crate) fn chain(error: &(dyn StdError + 'static), client: Option<&Client>) -> String {
    let mut text = clean(&error.to_string(), client);
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str("\ncaused by: ");
        text.push_str(&clean(&cause.to_string(), client));
        source = cause.source();
    }
    text
}

/// Reports a failed call on stderr — the whole chain, every validation error on its own line,
/// DOKU's raw answer — and returns exit code 1. A 2xx answer that did not decode is printed on
/// stdout as received: DOKU may have created something, and its JSON is the only record.
pub(crate) fn report_failure(error: &Error, client: Option<&Client>) -> ExitCode {
    match error {
        // The list below says it all; the chain would repeat it.
        Error::Validation(_) => eprintln!("error: invalid request (nothing was sent)"),
        _ => eprintln!("error: {}", chain(error, client)),
    }
    match error {
        Error::Validation(violations) => {
            for violation in violations.violations() {
                eprintln!(
                    "  {}: {}",
                    escape(&violation.path, false),
                    clean(&violation.message, client)
                );
            }
        }
        Error::Api { body, .. } | Error::ReplayedRefusal { body, .. } if !body.is_empty() => {
            eprintln!("  DOKU's answer: {}", clean(body, client));
        }
        Error::Decode {
            body: Some(body),
            request_id,
            ..
        } => {
            eprintln!(
                "  DOKU's answer (Request-Id {}) is printed on stdout as received: keep it, it may name what DOKU created",
                escape(request_id, false)
            );
            print_body(body, client);
        }
        _ => {}
    }
    ExitCode::from(1)
}

/// Prints a body DOKU sent on stdout, as received (redacted, control characters escaped, layout
/// kept), ending with a newline.
pub(crate) fn print_body(body: &[u8], client: Option<&Client>) {
    let text = String::from_utf8_lossy(body);
    let redacted = client.map_or_else(|| text.clone().into_owned(), |c| c.redact(&text));
    let printed = escape(&redacted, true);
    if printed.ends_with('\n') {
        print!("{printed}");
    } else {
        println!("{printed}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_bidi_overrides_are_escaped() {
        assert_eq!(
            escape("a\u{1b}[31mred\r\n\u{7f}\u{9b}\u{202e}b\tc", false),
            "a\\u{1b}[31mred\\r\\n\\u{7f}\\u{9b}\\u{202e}b\\tc"
        );
        assert_eq!(escape("{\n\t\"a\": 1\r\n}", true), "{\n\t\"a\": 1\\r\n}");
        assert_eq!(escape("Rp 10.000 — ok ✓", false), "Rp 10.000 — ok ✓");
    }

    #[test]
    fn the_chain_lists_every_source() {
        let inner = std::io::Error::other("refusing plain http to non-loopback host");
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("cannot build the HTTP transport\u{1b}[2J")
            }
        }
        impl StdError for Outer {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&self.0)
            }
        }
        assert_eq!(
            chain(&Outer(inner), None),
            "cannot build the HTTP transport\\u{1b}[2J\ncaused by: refusing plain http to non-loopback host"
        );
    }
}
