//! Fixed Non-SNAP messages and bodies for measuring signing (benchmarks, allocation counts), so every
//! measurement signs the same thing.

use doku_model::Endpoint;
use doku_sign::non_snap::Message;

use crate::{PARTNER_CLIENT_ID, REQUEST_ID, START};

/// The partner's Business Registration request carrying `body`, as the string to sign sees it.
pub fn business_message(body: &[u8]) -> Message<'_> {
    Message {
        client_id: PARTNER_CLIENT_ID,
        request_id: REQUEST_ID,
        timestamp: START,
        target: Endpoint::BusinessRegistration.path(),
        body: Some(body),
    }
}

/// A JSON object of exactly `len` bytes (at least 24): `{"business":{"name":"abc…"}}`.
pub fn json_body(len: usize) -> Vec<u8> {
    let mut body = br#"{"business":{"name":""#.to_vec();
    while body.len() < len.saturating_sub(3) {
        body.push(b'a' + (body.len() % 26) as u8);
    }
    body.extend_from_slice(br#""}}"#);
    body.truncate(len);
    body
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_body_is_json_of_the_asked_length() {
        for len in [24, 256, 1024, 64 * 1024] {
            let body = super::json_body(len);
            assert_eq!(body.len(), len);
            serde_json::from_slice::<serde_json::Value>(&body).unwrap();
        }
    }

    #[test]
    fn business_message_targets_business_registration() {
        let message = super::business_message(b"{}");
        assert_eq!(message.target, "/adv-core-api/partner/v1.0/business");
        assert_eq!(message.body, Some(&b"{}"[..]));
    }
}
