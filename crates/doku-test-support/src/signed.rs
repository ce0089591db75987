//! Building a signed request by hand, as any HTTP client in any language would: the headers DOKU's Non-SNAP
//! scheme needs, signed by doku-sign over the exact body bytes.

use doku_sign::headers;
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;

/// What to sign. `path` is the Request-Target; `query` is appended to the URL and signed only with
/// `sign_query` (DOKU signs the path alone).
#[derive(Debug, Clone)]
pub struct Signing<'a> {
    /// The Client-Id header and first line of the string to sign.
    pub client_id: &'a str,
    /// The secret key that signs.
    pub secret: &'a str,
    /// `GET` or `POST`; a `GET` has no Digest line.
    pub method: &'a str,
    /// The path, the Request-Target.
    pub path: &'a str,
    /// A query string without `?`.
    pub query: Option<&'a str>,
    /// The exact body bytes (ignored for `GET`).
    pub body: &'a [u8],
    /// The Request-Id.
    pub request_id: &'a str,
    /// The Request-Timestamp, verbatim.
    pub timestamp: &'a str,
    /// Whether the signed Request-Target includes the query (a wrong reading, for negative tests).
    pub sign_query: bool,
}

/// A request ready to send: method, target (path and query), headers and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// Path, then `?query` when there is one.
    pub target: String,
    /// `Client-Id`, `Request-Id`, `Request-Timestamp` and `Signature`, in that order.
    pub headers: Vec<(&'static str, String)>,
    /// The body bytes to send.
    pub body: Vec<u8>,
}

impl Signing<'_> {
    /// Signs with doku-sign and returns the request to send.
    pub fn sign(&self) -> SignedRequest {
        let target = match self.query {
            Some(query) => format!("{}?{query}", self.path),
            None => self.path.to_owned(),
        };
        let signed_target = if self.sign_query { &target } else { self.path };
        let message = Message {
            client_id: self.client_id,
            request_id: self.request_id,
            timestamp: self.timestamp,
            target: signed_target,
            body: (self.method != "GET").then_some(self.body),
        };
        let signature = non_snap::sign(&SecretKey::new(self.secret), Kind::Request, &message);
        SignedRequest {
            method: self.method.to_owned(),
            target,
            headers: vec![
                (headers::CLIENT_ID, self.client_id.to_owned()),
                (headers::REQUEST_ID, self.request_id.to_owned()),
                (headers::REQUEST_TIMESTAMP, self.timestamp.to_owned()),
                (headers::SIGNATURE, signature.to_string()),
            ],
            body: self.body.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_what_doku_sign_verifies_and_leaves_the_query_out() {
        let request = Signing {
            client_id: crate::PARTNER_CLIENT_ID,
            secret: crate::PARTNER_SECRET,
            method: "GET",
            path: "/adv-core-api/partner/v1.0/file",
            query: Some("nationality=ID"),
            body: b"",
            request_id: "r-1",
            timestamp: crate::START,
            sign_query: false,
        }
        .sign();
        assert_eq!(
            request.target,
            "/adv-core-api/partner/v1.0/file?nationality=ID"
        );
        let message = Message {
            client_id: crate::PARTNER_CLIENT_ID,
            request_id: "r-1",
            timestamp: crate::START,
            target: "/adv-core-api/partner/v1.0/file",
            body: None,
        };
        let key = SecretKey::new(crate::PARTNER_SECRET);
        assert_eq!(
            non_snap::verify(&key, Kind::Request, &message, &request.headers[3].1),
            Ok(())
        );
    }
}
