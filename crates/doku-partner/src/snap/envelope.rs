//! What every SNAP answer carries besides its payload: `responseCode` and `responseMessage`,
//! read once, leniently (a gateway's HTML error page has neither).

use doku_model::snap::{ResponseCode, ResponseKind};

/// DOKU's SNAP envelope of one answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct Envelope {
    /// `responseCode`, when the body is a JSON object with one (as a string or a number).
    pub(crate) code: Option<ResponseCode>,
    /// `responseMessage`, when present and a string.
    pub(crate) message: Option<String>,
}

/// The envelope fields only, as text or number: DOKU's pages show strings.
#[derive(serde::Deserialize)]
struct Raw {
    #[serde(rename = "responseCode", default)]
    code: Option<serde_json::Value>,
    #[serde(rename = "responseMessage", default)]
    message: Option<serde_json::Value>,
}

impl Envelope {
    /// Reads `body`; never fails (an unreadable body has no code).
    pub(crate) fn read(body: &[u8]) -> Self {
        let Ok(raw) = serde_json::from_slice::<Raw>(body) else {
            return Self::default();
        };
        let code = match raw.code {
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(ResponseCode::parse(s)),
            Some(serde_json::Value::Number(n)) => Some(ResponseCode::parse(n.to_string())),
            _ => None,
        };
        let message = match raw.message {
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        };
        Self { code, message }
    }

    /// The code's classification ([`ResponseKind::Other`] without a code).
    pub(crate) fn kind(&self) -> ResponseKind {
        self.code
            .as_ref()
            .map_or(ResponseKind::Other, ResponseCode::kind)
    }

    /// Whether the message names the timestamp (`Invalid Field Format [X-TIMESTAMP]`).
    pub(crate) fn names_timestamp(&self) -> bool {
        self.message
            .as_deref()
            .is_some_and(|m| m.to_ascii_lowercase().contains("timestamp"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_codes_leniently() {
        let e = Envelope::read(
            br#"{"responseCode":"4002701","responseMessage":"Invalid Field Format [X-TIMESTAMP]"}"#,
        );
        assert_eq!(e.kind(), ResponseKind::InvalidFieldFormat);
        assert!(e.names_timestamp());
        let n = Envelope::read(br#"{"responseCode":4012701}"#);
        assert_eq!(n.kind(), ResponseKind::InvalidToken);
        for junk in [
            &b"<html>404</html>"[..],
            b"",
            b"[]",
            br#"{"responseCode":null}"#,
        ] {
            let e = Envelope::read(junk);
            assert!(e.code.is_none() && e.kind() == ResponseKind::Other);
        }
        assert!(!Envelope::read(
            br#"{"responseCode":"4002701","responseMessage":"Invalid Field Format [trxId]"}"#
        )
        .names_timestamp());
    }
}
