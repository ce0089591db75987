//! DOKU's error body.
//!
//! DOKU's Non-SNAP APIs answer errors in three envelopes: `{"error": {"code": …, "message": …,
//! "type": …}}` (header and signature checks), `{"message": ["PAYMENT CHANNEL IS INACTIVE"]}`
//! (a string or a list of strings; Checkout uses the same key on success) and
//! `{"error_messages": ["order.invoice_number must be filled", …]}` (Checkout validation). SNAP
//! APIs use `responseCode` / `responseMessage`. This type accepts all of these shapes and keeps
//! anything else in `extra`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `error` object of a Non-SNAP error body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Machine code, e.g. `invalid_signature`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Human message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Error class, e.g. `invalid_request_error`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Fields this crate does not model (e.g. `field`).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An error body from DOKU (or from the simulator, which answers in the Non-SNAP shape).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Non-SNAP `error` object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
    /// Top-level `message`: a string or a list of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<serde_json::Value>,
    /// Checkout's validation list, e.g. `["order.amount must greater than 0"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_messages: Option<Vec<serde_json::Value>>,
    /// SNAP-style `responseCode` (e.g. `4010000`).
    #[serde(
        rename = "responseCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_code: Option<String>,
    /// SNAP-style `responseMessage`.
    #[serde(
        rename = "responseMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_message: Option<String>,
    /// Everything else, verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The error type the simulator uses for request problems.
pub const INVALID_REQUEST: &str = "invalid_request_error";

impl ErrorBody {
    /// `{"error": {"code": code, "message": message, "type": "invalid_request_error"}}`.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: Some(ErrorDetail {
                code: Some(code.into()),
                message: Some(message.into()),
                kind: Some(INVALID_REQUEST.to_owned()),
                extra: serde_json::Map::new(),
            }),
            ..Self::default()
        }
    }

    /// Sets `error.type`.
    pub fn with_kind(mut self, kind: impl Into<String>) -> Self {
        self.error.get_or_insert_with(ErrorDetail::default).kind = Some(kind.into());
        self
    }

    /// Adds a field to `error` (e.g. `"violations"`).
    pub fn with_detail(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.error
            .get_or_insert_with(ErrorDetail::default)
            .extra
            .insert(key.into(), value);
        self
    }

    /// The machine code: `error.code`, else `responseCode`, else a top-level `code`.
    pub fn code(&self) -> Option<&str> {
        self.error
            .as_ref()
            .and_then(|e| e.code.as_deref())
            .or(self.response_code.as_deref())
            .or_else(|| self.extra.get("code").and_then(|v| v.as_str()))
    }

    /// The human message: `error.message`, else the top-level `message`, else
    /// `error_messages`, else `responseMessage` (a list is joined with `; `).
    pub fn message(&self) -> Option<String> {
        if let Some(m) = self.error.as_ref().and_then(|e| e.message.clone()) {
            return Some(m);
        }
        match &self.message {
            Some(serde_json::Value::String(s)) => return Some(s.clone()),
            Some(serde_json::Value::Array(items)) => {
                if let Some(joined) = join(items) {
                    return Some(joined);
                }
            }
            _ => {}
        }
        if let Some(joined) = self.error_messages.as_deref().and_then(join) {
            return Some(joined);
        }
        self.response_message.clone()
    }

    /// `error.type`, if any.
    pub fn kind(&self) -> Option<&str> {
        self.error.as_ref().and_then(|e| e.kind.as_deref())
    }
}

/// The items of a message list joined with `; ` (`None` when empty).
fn join(items: &[serde_json::Value]) -> Option<String> {
    let parts: Vec<String> = items
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

impl fmt::Display for ErrorBody {
    /// `code: message`, or whichever of the two is present, or `unrecognised error body`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.code(), self.message()) {
            (Some(c), Some(m)) => write!(f, "{c}: {m}"),
            (Some(c), None) => f.write_str(c),
            (None, Some(m)) => f.write_str(&m),
            (None, None) => f.write_str("unrecognised error body"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    #[test]
    fn non_snap_shape() {
        let body = br#"{"error":{"code":"invalid_signature","message":"Invalid Signature","type":"invalid_request_error"}}"#;
        let e: ErrorBody = decode(body).unwrap();
        assert_eq!(e.code(), Some("invalid_signature"));
        assert_eq!(e.to_string(), "invalid_signature: Invalid Signature");
        assert_eq!(serde_json::to_vec(&e).unwrap(), body.to_vec());
        assert_eq!(
            serde_json::to_vec(&ErrorBody::new("invalid_signature", "Invalid Signature")).unwrap(),
            body.to_vec()
        );
    }

    #[test]
    fn message_list_and_snap_shapes() {
        let e: ErrorBody = decode(br#"{"message":["a","b"],"status":"FAILED"}"#).unwrap();
        assert_eq!(e.message().as_deref(), Some("a; b"));
        assert!(e.extra.contains_key("status"));
        let s: ErrorBody =
            decode(br#"{"responseCode":"4010000","responseMessage":"Unauthorized"}"#).unwrap();
        assert_eq!(s.to_string(), "4010000: Unauthorized");
    }

    /// Checkout's three envelopes (doku-checkout.md §2.4), each read by the one type.
    #[test]
    fn checkout_envelopes() {
        let list: ErrorBody = decode(
            br#"{"error_messages":["order.invoice_number must be filled","order.amount must greater than 0"]}"#,
        )
        .unwrap();
        assert_eq!(
            list.message().as_deref(),
            Some("order.invoice_number must be filled; order.amount must greater than 0")
        );
        let business: ErrorBody =
            decode(br#"{"message":["PAYMENT CHANNEL IS INACTIVE"]}"#).unwrap();
        assert_eq!(business.to_string(), "PAYMENT CHANNEL IS INACTIVE");
        let header: ErrorBody = decode(br#"{"error":{"code":"request_time_out_of_range","message":"Header Request-Timestamp is not in +- 3600 second of now","type":"invalid_request_error"}}"#).unwrap();
        assert_eq!(header.code(), Some("request_time_out_of_range"));
        for body in [&list, &business, &header] {
            let again: ErrorBody =
                serde_json::from_value(serde_json::to_value(body).unwrap()).unwrap();
            assert_eq!(&again, body);
        }
    }

    #[test]
    fn unexpected_shapes_keep_everything() {
        let e: ErrorBody = decode(br#"{"code":"X1","detail":{"a":1}}"#).unwrap();
        assert_eq!(e.code(), Some("X1"));
        assert_eq!(e.message(), None);
        assert!(e.extra.contains_key("detail"));
        let empty: ErrorBody = decode(b"{}").unwrap();
        assert_eq!(empty.to_string(), "unrecognised error body");
    }
}
