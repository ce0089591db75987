//! What the merchant's endpoint answers DOKU: an HTTP status and JSON bytes.

use std::fmt;

use doku_model::snap::{ResponseCode, SnapErrorBody};
use serde::Serialize;

/// An answer to send back to DOKU: write `status`, `Content-Type: application/json` and `body`
/// exactly as they are.
///
/// The status is the first three digits of the body's `responseCode` (SNAP's rule), so the
/// two can never disagree.
#[derive(Clone, PartialEq, Eq)]
pub struct SnapReply {
    /// The HTTP status, e.g. `200` or `401`.
    pub status: u16,
    /// The JSON body, e.g. `{"responseCode":"4012701","responseMessage":"Invalid Token (B2B)"}`.
    pub body: Vec<u8>,
}

/// The `Content-Type` of every [`SnapReply`] body.
pub const SNAP_REPLY_CONTENT_TYPE: &str = "application/json";

impl SnapReply {
    /// A reply whose status is taken from `code`; a code that is not seven digits (none of ours)
    /// gives 500.
    pub(crate) fn from_code(code: &ResponseCode, body: Vec<u8>) -> Self {
        Self {
            status: status_of(code),
            body,
        }
    }

    /// `{"responseCode":…,"responseMessage":…}` with nothing else: a refusal.
    pub(crate) fn refusal(code: &ResponseCode, message: &str) -> Self {
        Self::from_code(code, json(&SnapErrorBody::new(code.clone(), message)))
    }

    /// The body as text (it is always UTF-8 JSON).
    pub fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("")
    }
}

impl fmt::Debug for SnapReply {
    /// The status and the body's length: a token reply's body holds a bearer token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapReply")
            .field("status", &self.status)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

/// The HTTP status a `responseCode` stands for: its first three digits.
pub(crate) fn status_of(code: &ResponseCode) -> u16 {
    code.http_status()
        .filter(|s| (100..=599).contains(s))
        .unwrap_or(500)
}

/// Serialises a value made of strings, numbers and maps: this cannot fail, and an empty body
/// would be refused by DOKU anyway.
pub(crate) fn json(value: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_the_codes_first_three_digits_and_debug_hides_the_body() {
        let reply = SnapReply::refusal(&ResponseCode::INVALID_TOKEN, "Invalid Token (B2B)");
        assert_eq!(reply.status, 401);
        assert_eq!(
            reply.body_text(),
            r#"{"responseCode":"4012701","responseMessage":"Invalid Token (B2B)"}"#
        );
        assert_eq!(
            format!("{reply:?}"),
            "SnapReply { status: 401, body: <66 bytes> }"
        );
        assert_eq!(status_of(&ResponseCode::parse("junk")), 500);
    }
}
