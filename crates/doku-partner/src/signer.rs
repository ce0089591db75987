//! Turns an [`ApiRequest`] into the signed `http::Request` that goes on the wire.
//!
//! The body placed in the request is the very `Bytes` value that was digested, so the bytes
//! signed are the bytes sent. `Request-Target` is the path without the query string.

use bytes::Bytes;
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use http::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};

use crate::endpoint::ApiRequest;
use crate::error::Error;

/// Header names of the Non-SNAP signature.
pub mod headers {
    use http::header::HeaderName;

    /// `Client-Id`.
    pub const CLIENT_ID: HeaderName = HeaderName::from_static("client-id");
    /// `Request-Id`.
    pub const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
    /// `Request-Timestamp`.
    pub const REQUEST_TIMESTAMP: HeaderName = HeaderName::from_static("request-timestamp");
    /// `Response-Timestamp`.
    pub const RESPONSE_TIMESTAMP: HeaderName = HeaderName::from_static("response-timestamp");
    /// `Signature`.
    pub const SIGNATURE: HeaderName = HeaderName::from_static("signature");
}

/// Everything besides the request description that goes into one signed attempt.
#[derive(Clone, Copy)]
pub struct SigningInput<'a> {
    /// Base URL without trailing slash, e.g. `https://api-uat.doku.com`.
    pub base_url: &'a str,
    /// The partner's Client-Id.
    pub client_id: &'a str,
    /// The secret key.
    pub secret_key: &'a SecretKey,
    /// The Request-Id (the same on every attempt of a call).
    pub request_id: &'a str,
    /// `Request-Timestamp`, `YYYY-MM-DDTHH:MM:SSZ` (fresh on every attempt).
    pub timestamp: &'a str,
    /// The bearer token, for calls that need it.
    pub token: Option<&'a str>,
}

impl std::fmt::Debug for SigningInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningInput")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("request_id", &self.request_id)
            .field("timestamp", &self.timestamp)
            .field("token", &self.token.map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// The signed message for `request`: what `doku-sign` signs (exposed for debugging signature
/// mismatches with [`doku_sign::non_snap::string_to_sign`]).
pub fn message<'a>(request: &'a ApiRequest, input: &SigningInput<'a>) -> Message<'a> {
    Message {
        client_id: input.client_id,
        request_id: input.request_id,
        timestamp: input.timestamp,
        target: &request.path,
        body: request.body.as_deref(),
    }
}

/// Builds the signed request: URI `base_url + path [? query]`, headers `Client-Id`,
/// `Request-Id`, `Request-Timestamp`, `Signature`, `Accept`, `Content-Type` (with a body) and
/// `Authorization: Bearer` (when a token is given; marked sensitive).
pub fn build(
    request: &ApiRequest,
    input: &SigningInput<'_>,
) -> Result<http::Request<Bytes>, Error> {
    let signature = non_snap::sign(input.secret_key, Kind::Request, &message(request, input));
    let uri = format!("{}{}", input.base_url, request.path_and_query());
    let mut builder = http::Request::builder()
        .method(request.method.clone())
        .uri(uri)
        .header(ACCEPT, "application/json");
    let value = |name: &str, v: &str| {
        HeaderValue::from_str(v)
            .map_err(|_| Error::Config(format!("{name} is not a valid header value")))
    };
    let mut pairs: Vec<(HeaderName, HeaderValue)> = vec![
        (headers::CLIENT_ID, value("Client-Id", input.client_id)?),
        (headers::REQUEST_ID, value("Request-Id", input.request_id)?),
        (
            headers::REQUEST_TIMESTAMP,
            value("Request-Timestamp", input.timestamp)?,
        ),
        (
            headers::SIGNATURE,
            value("Signature", &signature.to_string())?,
        ),
    ];
    if let (Some(_), Some(ct)) = (&request.body, &request.content_type) {
        pairs.push((CONTENT_TYPE, value("Content-Type", ct)?));
    }
    if let Some(token) = input.token {
        let mut v = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            Error::Config("the bearer token is not a valid header value".to_owned())
        })?;
        v.set_sensitive(true);
        pairs.push((AUTHORIZATION, v));
    }
    for (name, v) in pairs {
        builder = builder.header(name, v);
    }
    builder
        .body(request.body.clone().unwrap_or_default())
        .map_err(|e| Error::Config(format!("cannot build the request: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::EndpointName;

    const KEY: &str = "SK-EXAMPLE-ONLY";

    fn input<'a>(key: &'a SecretKey, token: Option<&'a str>) -> SigningInput<'a> {
        SigningInput {
            base_url: "https://api-uat.doku.com",
            client_id: "BRN-0001-10791114622547",
            secret_key: key,
            request_id: "d895fb53-479c-4f77-a76a-ab81b40d77cb",
            timestamp: "2020-08-11T08:45:42Z",
            token,
        }
    }

    fn header<'a>(r: &'a http::Request<Bytes>, name: &str) -> Option<&'a str> {
        r.headers().get(name).map(|v| v.to_str().unwrap())
    }

    #[test]
    fn post_signs_the_exact_bytes_it_sends() {
        let key = SecretKey::new(KEY);
        // A body whose re-serialisation would differ (10000.00 → 10000.0).
        let body = br#"{ "grant_type" : "client_credentials", "n": 10000.00 }"#.to_vec();
        let req =
            ApiRequest::post_json(EndpointName::Token, doku_model::paths::TOKEN, body.clone())
                .with_token(false);
        let inp = input(&key, None);
        let http_req = build(&req, &inp).unwrap();

        assert_eq!(http_req.method(), http::Method::POST);
        assert_eq!(
            http_req.uri().to_string(),
            "https://api-uat.doku.com/adv-core-api/partner/v1.0/token"
        );
        assert_eq!(http_req.body().as_ref(), &body[..], "bytes sent");
        let expected = non_snap::sign(
            &key,
            Kind::Request,
            &Message {
                client_id: "BRN-0001-10791114622547",
                request_id: "d895fb53-479c-4f77-a76a-ab81b40d77cb",
                timestamp: "2020-08-11T08:45:42Z",
                target: "/adv-core-api/partner/v1.0/token",
                body: Some(http_req.body()),
            },
        );
        assert_eq!(
            header(&http_req, "Signature"),
            Some(expected.to_string().as_str())
        );
        assert_eq!(
            header(&http_req, "Client-Id"),
            Some("BRN-0001-10791114622547")
        );
        assert_eq!(
            header(&http_req, "Request-Id"),
            Some("d895fb53-479c-4f77-a76a-ab81b40d77cb")
        );
        assert_eq!(
            header(&http_req, "Request-Timestamp"),
            Some("2020-08-11T08:45:42Z")
        );
        assert_eq!(header(&http_req, "Content-Type"), Some("application/json"));
        assert_eq!(header(&http_req, "Authorization"), None);
        let sts = non_snap::string_to_sign(Kind::Request, &message(&req, &inp));
        assert!(
            sts.ends_with(&format!("\nDigest:{}", non_snap::digest(&body))),
            "{sts}"
        );
    }

    #[test]
    fn get_has_no_digest_and_target_excludes_query() {
        let key = SecretKey::new(KEY);
        let req = ApiRequest::get(
            EndpointName::CheckRequirements,
            doku_model::paths::FILE,
            Some("businessType=PERSONAL&businessContactNationality=ID".into()),
        );
        let inp = input(&key, Some("tok.en.x"));
        let http_req = build(&req, &inp).unwrap();
        assert_eq!(
            http_req.uri().to_string(),
            "https://api-uat.doku.com/adv-core-api/partner/v1.0/file?businessType=PERSONAL&businessContactNationality=ID"
        );
        assert!(http_req.body().is_empty());
        let sts = non_snap::string_to_sign(Kind::Request, &message(&req, &inp));
        assert_eq!(
            sts,
            "Client-Id:BRN-0001-10791114622547\nRequest-Id:d895fb53-479c-4f77-a76a-ab81b40d77cb\n\
             Request-Timestamp:2020-08-11T08:45:42Z\nRequest-Target:/adv-core-api/partner/v1.0/file"
        );
        let expected = non_snap::sign(
            &key,
            Kind::Request,
            &Message {
                client_id: "BRN-0001-10791114622547",
                request_id: "d895fb53-479c-4f77-a76a-ab81b40d77cb",
                timestamp: "2020-08-11T08:45:42Z",
                target: "/adv-core-api/partner/v1.0/file",
                body: None,
            },
        );
        assert_eq!(
            header(&http_req, "Signature"),
            Some(expected.to_string().as_str())
        );
        assert_eq!(header(&http_req, "Content-Type"), None);
        let auth = http_req.headers().get("Authorization").unwrap();
        assert!(auth.is_sensitive());
        assert_eq!(auth.to_str().unwrap(), "Bearer tok.en.x");
        assert!(!format!("{inp:?}").contains("tok.en.x"));
    }
}
