//! Describing a request — method, path, query, exact body bytes — separately from sending it.
//!
//! An [`ApiRequest`] is pure data: the [`signer`](crate::signer) turns it into a signed
//! `http::Request`, and the client sends that. So the bytes signed and the bytes sent are the
//! same `Bytes` value, and both are testable without a network.

use bytes::Bytes;
use http::Method;

/// Which DOKU call a request is (used in logs, spans and errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EndpointName {
    /// `POST /token`.
    Token,
    /// `GET /file?…`.
    CheckRequirements,
    /// `POST /file`.
    UploadFile,
    /// `POST /business`.
    BusinessRegistration,
    /// `POST /business/lite/registration`.
    BusinessLite,
    /// `GET /business/{client id}`.
    GetBusinessData,
    /// `POST /checkout/v1/payment` (a merchant's call, on the Checkout host).
    Checkout,
    /// `GET /orders/v1/status/{invoice or Request-Id}` (a merchant's call).
    CheckStatus,
}

impl EndpointName {
    /// A short stable name, e.g. `upload_file`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::CheckRequirements => "check_requirements",
            Self::UploadFile => "upload_file",
            Self::BusinessRegistration => "business_registration",
            Self::BusinessLite => "business_lite",
            Self::GetBusinessData => "get_business_data",
            Self::Checkout => "checkout",
            Self::CheckStatus => "check_status",
        }
    }
}

impl std::fmt::Display for EndpointName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One Partner API request, before headers and signature.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// Which call.
    pub endpoint: EndpointName,
    /// HTTP method.
    pub method: Method,
    /// The path, e.g. `/adv-core-api/partner/v1.0/file`. This is the `Request-Target` signed
    /// (the query string is **not** part of it — see `docs/doku-api-notes.md`).
    pub path: String,
    /// The query string without `?`, if any.
    pub query: Option<String>,
    /// The exact body bytes sent and digested; `None` for a GET (no `Digest` line).
    pub body: Option<Bytes>,
    /// The `Content-Type` of the body.
    pub content_type: Option<String>,
    /// Whether the call needs `Authorization: Bearer <token>`.
    pub needs_token: bool,
}

impl ApiRequest {
    /// A JSON `POST` of exactly `body`.
    pub fn post_json(endpoint: EndpointName, path: impl Into<String>, body: Vec<u8>) -> Self {
        Self {
            endpoint,
            method: Method::POST,
            path: path.into(),
            query: None,
            body: Some(Bytes::from(body)),
            content_type: Some("application/json".to_owned()),
            needs_token: true,
        }
    }

    /// A `GET` without a body.
    pub fn get(endpoint: EndpointName, path: impl Into<String>, query: Option<String>) -> Self {
        Self {
            endpoint,
            method: Method::GET,
            path: path.into(),
            query: query.filter(|q| !q.is_empty()),
            body: None,
            content_type: None,
            needs_token: true,
        }
    }

    /// Sets whether the bearer token is sent.
    pub fn with_token(mut self, needs_token: bool) -> Self {
        self.needs_token = needs_token;
        self
    }

    /// `path?query`, the request URI's path and query.
    pub fn path_and_query(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    /// Whether a repeat has no side effect (GET).
    pub fn is_safe(&self) -> bool {
        self.method == Method::GET
    }
}

impl std::fmt::Debug for ApiRequest {
    // The body can hold personal data: only its length is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiRequest")
            .field("endpoint", &self.endpoint)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field("content_type", &self.content_type)
            .field("needs_token", &self.needs_token)
            .finish()
    }
}

/// Per-call options.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// The Request-Id (idempotency key) to use instead of a fresh one. Pass the id of an
    /// earlier call that ended with `may_have_reached_doku: true` to retry it safely, e.g. from
    /// another process after a crash: DOKU answers a repeat with the original outcome.
    pub request_id: Option<doku_model::RequestId>,
}

impl CallOptions {
    /// Options that reuse `request_id`.
    pub fn with_request_id(request_id: doku_model::RequestId) -> Self {
        Self {
            request_id: Some(request_id),
        }
    }
}
