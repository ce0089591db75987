//! Describing a request — which call, path, query, exact body bytes — separately from sending it.
//!
//! An [`ApiRequest`] is pure data, what an [`Operation`](crate::Operation) describes itself as:
//! the client signs it into an `http::Request` and sends that. So the bytes signed and the bytes
//! sent are the same `Bytes` value, and both are testable without a network. Method, path and bearer rule come from [`doku_model::Endpoint`], the one table of
//! DOKU's calls.

use std::borrow::Cow;

use bytes::Bytes;
use doku_model::{Bearer, Endpoint};
use http::Method;

/// One DOKU request, before headers and signature.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// Which call (its method and bearer rule come from the endpoint table).
    pub endpoint: Endpoint,
    /// The path, e.g. `/adv-core-api/partner/v1.0/file`. This is the `Request-Target` signed
    /// (the query string is **not** part of it — see `docs/doku-api-notes.md`).
    ///
    /// Borrowed for a call whose path is fixed (the endpoint table's `&'static str`, no copy per
    /// call), owned when it carries a parameter ([`get_at`](Self::get_at)). It reads as a `&str`
    /// (`&request.path`, `request.path == "/…"`); a `String` becomes one with `.into()`.
    pub path: Cow<'static, str>,
    /// The query string without `?`, if any.
    pub query: Option<String>,
    /// The exact body bytes sent and digested; `None` for a GET (no `Digest` line).
    pub body: Option<Bytes>,
    /// The `Content-Type` of the body.
    pub content_type: Option<String>,
}

impl ApiRequest {
    /// A JSON `POST` of exactly `body` to `endpoint`'s path.
    pub fn post_json(endpoint: Endpoint, body: Vec<u8>) -> Self {
        Self {
            endpoint,
            path: Cow::Borrowed(endpoint.path()),
            query: None,
            body: Some(Bytes::from(body)),
            content_type: Some("application/json".to_owned()),
        }
    }

    /// A `GET` of `endpoint`'s path, with `query` (without `?`) when given and not empty.
    pub fn get(endpoint: Endpoint, query: Option<String>) -> Self {
        Self {
            endpoint,
            path: Cow::Borrowed(endpoint.path()),
            query: query.filter(|q| !q.is_empty()),
            body: None,
            content_type: None,
        }
    }

    /// A `GET` of a call whose path ends in a parameter (`/business/{client_id}`), the parameter
    /// percent-encoded as one segment ([`Endpoint::path_with`]).
    pub fn get_at(endpoint: Endpoint, parameter: &str) -> Self {
        Self {
            path: Cow::Owned(endpoint.path_with(parameter)),
            ..Self::get(endpoint, None)
        }
    }

    /// The HTTP method, from the endpoint table.
    pub fn method(&self) -> Method {
        if self.is_safe() {
            Method::GET
        } else {
            Method::POST
        }
    }

    /// Whether `Authorization: Bearer <token>` is sent: on every call whose endpoint is not
    /// [`Bearer::Never`] (Generate Token itself and the merchant calls).
    pub fn needs_token(&self) -> bool {
        self.endpoint.bearer() != Bearer::Never
    }

    /// `path?query`, the request URI's path and query.
    pub fn path_and_query(&self) -> String {
        // Built by hand rather than `format!`: it runs on every attempt.
        match &self.query {
            Some(q) => {
                let mut out = String::with_capacity(self.path.len() + 1 + q.len());
                out.push_str(&self.path);
                out.push('?');
                out.push_str(q);
                out
            }
            None => self.path.clone().into_owned(),
        }
    }

    /// [`path_and_query`](Self::path_and_query) as the `Bytes` a URI takes over: a fixed path
    /// without a query is the endpoint table's static text itself (no allocation).
    pub(crate) fn path_and_query_bytes(&self) -> Bytes {
        match (&self.path, &self.query) {
            (Cow::Borrowed(path), None) => Bytes::from_static(path.as_bytes()),
            _ => Bytes::from(self.path_and_query()),
        }
    }

    /// Whether a repeat has no side effect (GET).
    pub fn is_safe(&self) -> bool {
        self.endpoint.method() == "GET"
    }
}

impl std::fmt::Debug for ApiRequest {
    // The body can hold personal data: only its length is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiRequest")
            .field("endpoint", &self.endpoint)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field("content_type", &self.content_type)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_path_and_bearer_come_from_the_endpoint_table() {
        let token = ApiRequest::post_json(Endpoint::Token, b"{}".to_vec());
        assert_eq!(token.method(), Method::POST);
        assert_eq!(token.path, "/adv-core-api/partner/v1.0/token");
        assert!(!token.needs_token() && !token.is_safe());
        let file = ApiRequest::get(Endpoint::CheckRequirements, Some(String::new()));
        assert_eq!((file.method(), file.query.clone()), (Method::GET, None));
        assert!(file.needs_token() && file.is_safe());
        let business = ApiRequest::get_at(Endpoint::GetBusinessData, "BRN 1");
        assert_eq!(business.path, "/adv-core-api/partner/v1.0/business/BRN%201");
        assert_eq!(
            business.path_and_query_bytes(),
            "/adv-core-api/partner/v1.0/business/BRN%201"
        );
        assert_eq!(
            token.path_and_query_bytes(),
            "/adv-core-api/partner/v1.0/token"
        );
        let query = ApiRequest::get(Endpoint::CheckRequirements, Some("a=1".to_owned()));
        assert_eq!(
            query.path_and_query_bytes(),
            "/adv-core-api/partner/v1.0/file?a=1"
        );
        let status = ApiRequest::get_at(Endpoint::CheckStatus, "INV-1");
        assert!(!status.needs_token(), "merchant calls send no bearer");
    }
}
