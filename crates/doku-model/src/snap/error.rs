//! The generic SNAP error answer `{"responseCode": …, "responseMessage": …}`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::response_code::{ResponseCode, ResponseKind};

/// A SNAP answer carrying only a code and a message (any other field is kept in `extra`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapErrorBody {
    /// The 7-digit code.
    #[serde(rename = "responseCode")]
    pub response_code: ResponseCode,
    /// The message.
    #[serde(
        rename = "responseMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_message: Option<String>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl SnapErrorBody {
    /// An answer with this code and message.
    pub fn new(code: ResponseCode, message: impl Into<String>) -> Self {
        Self {
            response_code: code,
            response_message: Some(message.into()),
            extra: serde_json::Map::new(),
        }
    }

    /// An answer with this code and its default message ([`ResponseKind::default_message`]).
    pub fn from_code(code: ResponseCode) -> Self {
        let message = code.default_message();
        Self::new(code, message)
    }

    /// What the code means.
    pub fn kind(&self) -> ResponseKind {
        self.response_code.kind()
    }
}

impl fmt::Display for SnapErrorBody {
    /// `code: message`, or the code alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.response_message {
            Some(m) => write!(f, "{}: {m}", self.response_code),
            None => write!(f, "{}", self.response_code),
        }
    }
}
