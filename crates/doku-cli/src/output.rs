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

use doku_partner::{Client, Error, LikelyCause};

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

/// `error`'s message and its sources on one line, `a: b: c`, each redacted and escaped: for
/// output that is one line per event (`doku listen`).
pub(crate) fn chain_line(error: &(dyn StdError + 'static), client: Option<&Client>) -> String {
    let mut text = clean(&error.to_string(), client);
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&clean(&cause.to_string(), client));
        source = cause.source();
    }
    text
}

/// The likely cause of `error` in this command's terms (the variables it reads), when the error
/// tells one.
pub(crate) fn hint(error: &Error) -> Option<String> {
    use crate::credentials::{CLIENT_ID_ENV, MERCHANT_ID_ENV, MERCHANT_KEY_ENV, SECRET_KEY_ENV};
    use doku_model::Credentials;
    let (id, key) = match error {
        Error::Signature { answer, .. } if answer.credentials == Credentials::Merchant => {
            (MERCHANT_ID_ENV, MERCHANT_KEY_ENV)
        }
        _ => (CLIENT_ID_ENV, SECRET_KEY_ENV),
    };
    Some(match error.likely_cause()? {
        LikelyCause::SignatureRefused => {
            format!("DOKU refused our signature: is {key} the key of this client id ({id})?")
        }
        LikelyCause::UnknownClientId => {
            format!("DOKU does not know this client id: is {id} right, and for this --env?")
        }
        other => other.to_string(),
    })
}

/// The chain of `error`'s sources (not `error` itself), one `caused by: …` line each.
fn sources(error: &(dyn StdError + 'static), client: Option<&Client>) -> String {
    let mut text = String::new();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str("\ncaused by: ");
        text.push_str(&clean(&cause.to_string(), client));
        source = cause.source();
    }
    text
}

/// Reports a failed call on stderr — the whole chain, every validation error on its own line,
/// DOKU's raw answer, the likely cause — and returns exit code 1. A 2xx answer that did not
/// decode is printed on stdout as received: DOKU may have created something, and its JSON is
/// the only record.
///
/// An answer whose signature did not verify is reported for what it said (status, DOKU's code
/// and message, its body), each line marked unverified: a wrong key or client id shows only
/// there. Nothing was decided from it.
pub(crate) fn report_failure(error: &Error, client: Option<&Client>) -> ExitCode {
    match error {
        // The list below says it all; the chain would repeat it.
        Error::Validation(_) => eprintln!("error: invalid request (nothing was sent)"),
        Error::Signature {
            problem,
            request_id,
            answer,
            ..
        } => {
            eprintln!(
                "error: the answer's signature check failed ({problem}; Request-Id {}): it did not demonstrably come from DOKU, so nothing was taken from it{}",
                escape(request_id, false),
                sources(error, client)
            );
            let mut said = format!("HTTP {}", answer.status);
            if let Some(code) = &answer.code {
                said.push_str(&format!(", code {code}"));
            }
            if let Some(message) = &answer.message {
                said.push_str(&format!(": {message}"));
            }
            eprintln!("  the answer, unverified: {}", clean(&said, client));
            if !answer.body.is_empty() {
                eprintln!("  its body, unverified: {}", clean(&answer.body, client));
            }
        }
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
    if let Some(hint) = hint(error) {
        eprintln!("  likely cause: {}", clean(&hint, client));
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

    #[test]
    fn the_one_line_chain_joins_causes_with_colons() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the notification's signature does not verify")
            }
        }
        impl StdError for Outer {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                Some(&self.0)
            }
        }
        let line = chain_line(&Outer(std::io::Error::other("mismatch\r\nforged")), None);
        assert_eq!(
            line,
            "the notification's signature does not verify: mismatch\\r\\nforged"
        );
        assert!(!line.contains('\n'));
    }
}
