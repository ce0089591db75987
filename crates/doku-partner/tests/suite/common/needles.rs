//! Strings that must never appear in output: secrets and tokens (whole and in parts).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::fmt::Debug;

/// The secrets and tokens a text must not contain: each token whole and its payload and
/// signature segments (the header segment is the same for every token).
pub struct Needles(Vec<(String, String)>);

impl Needles {
    pub fn new(secrets: &[&str]) -> Self {
        Self(
            secrets
                .iter()
                .map(|s| ("secret key".to_owned(), (*s).to_owned()))
                .collect(),
        )
    }

    pub fn token(&mut self, token: &str) {
        self.0.push(("token".to_owned(), token.to_owned()));
        for (i, segment) in token.split('.').enumerate().skip(1) {
            if segment.len() >= 8 {
                self.0
                    .push((format!("token segment {i}"), segment.to_owned()));
            }
        }
    }

    pub fn check(&self, what: &str, text: &str) {
        for (kind, needle) in &self.0 {
            assert!(
                !text.contains(needle.as_str()),
                "the {kind} appears in {what}:\n{text}"
            );
        }
    }

    /// `{:?}`, `{:#?}`, and the whole `source()` chain of an error, `{}` and `{:?}`.
    pub fn check_error(&self, what: &str, err: &(dyn std::error::Error + 'static)) {
        self.check(what, &format!("{err}"));
        self.check(what, &format!("{err:?}"));
        self.check(what, &format!("{err:#?}"));
        let mut source = err.source();
        while let Some(s) = source {
            self.check(&format!("{what} (source)"), &format!("{s} / {s:?}"));
            source = s.source();
        }
    }

    pub fn check_debug(&self, what: &str, value: &dyn Debug) {
        self.check(what, &format!("{value:?}"));
        self.check(what, &format!("{value:#?}"));
    }
}
