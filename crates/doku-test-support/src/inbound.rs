//! Checking a request the way DOKU (or a merchant's receiver) does: the Non-SNAP headers, read with doku-sign's
//! `Message::from_headers`, verified against one client's key.

use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;

/// Whether a request is signed by `client_id` with `secret`: all four headers present (looked up by name
/// through `header`, e.g. a case-insensitive search of what a test server saw), the Client-Id is
/// `client_id`, and the Signature verifies over `target` and — unless `method` is `GET` — the exact `body`.
pub fn is_signed_by<'a>(
    client_id: &str,
    secret: &str,
    method: &str,
    target: &'a str,
    header: impl Fn(&'static str) -> Option<&'a str>,
    body: &'a [u8],
) -> bool {
    let body = (method != "GET").then_some(body);
    match Message::from_headers(Kind::Request, header, target, body) {
        Ok((message, signature)) => {
            message.client_id == client_id
                && non_snap::verify(&SecretKey::new(secret), Kind::Request, &message, signature)
                    .is_ok()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_signed_by;
    use crate::{Signing, OTHER_CLIENT_ID, OTHER_SECRET, PARTNER_CLIENT_ID, PARTNER_SECRET};

    fn check(client_id: &str, secret: &str, method: &str, body: &[u8]) -> bool {
        let request = Signing {
            method,
            path: "/p",
            body,
            ..Signing::default()
        }
        .sign();
        let header = |name: &'static str| {
            request
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        is_signed_by(client_id, secret, method, "/p", header, b"{}")
    }

    #[test]
    fn accepts_the_signer_only_over_the_exact_body() {
        assert!(check(PARTNER_CLIENT_ID, PARTNER_SECRET, "POST", b"{}"));
        assert!(!check(PARTNER_CLIENT_ID, PARTNER_SECRET, "POST", b"{ }"));
        assert!(!check(PARTNER_CLIENT_ID, OTHER_SECRET, "POST", b"{}"));
        assert!(!check(OTHER_CLIENT_ID, PARTNER_SECRET, "POST", b"{}"));
        // A GET signs no body: whatever arrived is not digested.
        assert!(check(PARTNER_CLIENT_ID, PARTNER_SECRET, "GET", b""));
    }

    #[test]
    fn a_missing_header_is_not_signed() {
        assert!(!is_signed_by(
            PARTNER_CLIENT_ID,
            PARTNER_SECRET,
            "GET",
            "/p",
            |_| None,
            b""
        ));
    }
}
