//! Step 1 of an attempt: turns an [`ApiRequest`] into the signed `http::Request` that goes on
//! the wire.
//!
//! The body placed in the request is the very `Bytes` value that was digested, so the bytes
//! signed are the bytes sent. `Request-Target` is the path without the query string. The base
//! URL was parsed once (at `ConfigBuilder::build`), the bearer header value once per token, the
//! partner's `Client-Id` value once per client and the timestamp once per second
//! ([`crate::request_timestamp`]): per attempt only the path, the Request-Id value and the
//! signature are new.

use bytes::Bytes;
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use http::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::uri::PathAndQuery;

use crate::base_url::BaseUrl;
use crate::error::Error;
use crate::request::ApiRequest;
use crate::wire_headers;

/// Everything besides the request description that goes into one signed attempt.
#[derive(Clone, Copy)]
pub(crate) struct SigningInput<'a> {
    /// The base URL (scheme and authority).
    pub(crate) base: &'a BaseUrl,
    /// The caller's Client-Id.
    pub(crate) client_id: &'a str,
    /// The `Client-Id` header value, when built ahead (the partner's, once per client).
    pub(crate) client_id_value: Option<&'a HeaderValue>,
    /// The secret key.
    pub(crate) secret_key: &'a SecretKey,
    /// The Request-Id (the same on every attempt of a call).
    pub(crate) request_id: &'a str,
    /// `Request-Timestamp`, `YYYY-MM-DDTHH:MM:SSZ` (of the attempt's second).
    pub(crate) timestamp: &'a HeaderValue,
    /// The `Authorization: Bearer …` value (sensitive), for calls that need it.
    pub(crate) bearer: Option<&'a HeaderValue>,
}

impl std::fmt::Debug for SigningInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningInput")
            .field("base", &self.base)
            .field("client_id", &self.client_id)
            .field("request_id", &self.request_id)
            .field("timestamp", &self.timestamp)
            .field("bearer", &self.bearer.map(|_| "***"))
            .finish_non_exhaustive()
    }
}

/// The signed message for `request` at `timestamp` (the text of `input.timestamp`): what
/// `doku-sign` signs.
pub(crate) fn message<'a>(
    request: &'a ApiRequest,
    input: &SigningInput<'a>,
    timestamp: &'a str,
) -> Message<'a> {
    Message {
        client_id: input.client_id,
        request_id: input.request_id,
        timestamp,
        target: &request.path,
        body: request.body.as_deref(),
    }
}

/// Builds the signed request: URI `base + path [? query]`, headers `Accept`, `Client-Id`,
/// `Request-Id`, `Request-Timestamp`, `Signature`, `Content-Type` (with a body) and
/// `Authorization: Bearer` (when given; marked sensitive).
pub(crate) fn build(
    request: &ApiRequest,
    input: &SigningInput<'_>,
) -> Result<http::Request<Bytes>, Error> {
    let timestamp = input
        .timestamp
        .to_str()
        .map_err(|_| Error::Config("Request-Timestamp is not a valid header value".to_owned()))?;
    let signature = non_snap::sign(
        input.secret_key,
        Kind::Request,
        &message(request, input, timestamp),
    );
    // As `Bytes`, the URI takes the text over (a `String` would be copied; a fixed path is not
    // copied at all).
    let path = PathAndQuery::from_maybe_shared(request.path_and_query_bytes())
        .map_err(|e| Error::Config(format!("the request path is not valid in a URI: {e}")))?;
    let value = |name: &str, v: &str| {
        HeaderValue::from_str(v)
            .map_err(|_| Error::Config(format!("{name} is not a valid header value")))
    };
    let mut headers = HeaderMap::with_capacity(8);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    let client_id = match input.client_id_value {
        Some(client_id) => client_id.clone(),
        None => value("Client-Id", input.client_id)?,
    };
    headers.insert(wire_headers::CLIENT_ID, client_id);
    headers.insert(
        wire_headers::REQUEST_ID,
        value("Request-Id", input.request_id)?,
    );
    headers.insert(wire_headers::REQUEST_TIMESTAMP, input.timestamp.clone());
    // `HMACSHA256=<base64>`, encoded on the stack (no `fmt`) and copied once into a buffer of
    // exactly its length, which `Bytes` takes over with no allocation of its own: base64 and
    // the prefix are valid header bytes.
    headers.insert(
        wire_headers::SIGNATURE,
        HeaderValue::from_maybe_shared(Bytes::copy_from_slice(&signature.header_bytes()))
            .map_err(|_| Error::Config("Signature is not a valid header value".to_owned()))?,
    );
    if let (Some(_), Some(ct)) = (&request.body, &request.content_type) {
        headers.insert(CONTENT_TYPE, value("Content-Type", ct)?);
    }
    if let Some(bearer) = input.bearer {
        headers.insert(AUTHORIZATION, bearer.clone());
    }
    let mut http_request = http::Request::new(request.body.clone().unwrap_or_default());
    *http_request.method_mut() = request.method();
    *http_request.uri_mut() = input.base.join(path);
    *http_request.headers_mut() = headers;
    Ok(http_request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use doku_model::Endpoint;

    const KEY: &str = "SK-EXAMPLE-ONLY";
    static TIMESTAMP: HeaderValue = HeaderValue::from_static("2020-08-11T08:45:42Z");

    fn input<'a>(
        key: &'a SecretKey,
        base: &'a BaseUrl,
        bearer: Option<&'a HeaderValue>,
    ) -> SigningInput<'a> {
        SigningInput {
            base,
            client_id: "BRN-0001-10791114622547",
            client_id_value: None,
            secret_key: key,
            request_id: "d895fb53-479c-4f77-a76a-ab81b40d77cb",
            timestamp: &TIMESTAMP,
            bearer,
        }
    }

    /// The signature doku-sign computes for the test input's ids and timestamp.
    fn expected_signature(
        key: &SecretKey,
        target: &str,
        body: Option<&[u8]>,
    ) -> non_snap::Signature {
        let message = Message {
            client_id: "BRN-0001-10791114622547",
            request_id: "d895fb53-479c-4f77-a76a-ab81b40d77cb",
            timestamp: "2020-08-11T08:45:42Z",
            target,
            body,
        };
        non_snap::sign(key, Kind::Request, &message)
    }

    fn uat() -> BaseUrl {
        BaseUrl::parse(doku_model::UAT_BASE_URL).unwrap()
    }

    fn header<'a>(r: &'a http::Request<Bytes>, name: &str) -> Option<&'a str> {
        r.headers().get(name).map(|v| v.to_str().unwrap())
    }

    #[test]
    fn post_signs_the_exact_bytes_it_sends() {
        let key = SecretKey::new(KEY);
        // A body whose re-serialisation would differ (10000.00 → 10000.0).
        let body = br#"{ "grant_type" : "client_credentials", "n": 10000.00 }"#.to_vec();
        let req = ApiRequest::post_json(Endpoint::Token, body.clone());
        let base = uat();
        let inp = input(&key, &base, None);
        let http_req = build(&req, &inp).unwrap();

        assert_eq!(http_req.method(), http::Method::POST);
        assert_eq!(
            http_req.uri().to_string(),
            "https://api-uat.doku.com/adv-core-api/partner/v1.0/token"
        );
        assert_eq!(http_req.body().as_ref(), &body[..], "bytes sent");
        let expected = expected_signature(
            &key,
            "/adv-core-api/partner/v1.0/token",
            Some(http_req.body()),
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
        let sts =
            non_snap::string_to_sign(Kind::Request, &message(&req, &inp, "2020-08-11T08:45:42Z"));
        assert!(
            sts.ends_with(&format!("\nDigest:{}", non_snap::digest(&body))),
            "{sts}"
        );
    }

    /// A `Client-Id` value built ahead is sent as is; the `Signature` value fills a buffer of
    /// exactly [`non_snap::HEADER_VALUE_LEN`].
    #[test]
    fn a_prebuilt_client_id_is_sent_and_the_signature_fills_its_buffer() {
        let key = SecretKey::new(KEY);
        let req = ApiRequest::get(Endpoint::CheckRequirements, None);
        let base = uat();
        let client_id = HeaderValue::from_static("BRN-0001-10791114622547");
        let inp = SigningInput {
            client_id_value: Some(&client_id),
            ..input(&key, &base, None)
        };
        let http_req = build(&req, &inp).unwrap();
        assert_eq!(http_req.headers().get("Client-Id"), Some(&client_id));
        let signature = expected_signature(&key, "/adv-core-api/partner/v1.0/file", None);
        assert_eq!(signature.to_string().len(), non_snap::HEADER_VALUE_LEN);
        assert_eq!(
            header(&http_req, "Signature"),
            Some(signature.to_string().as_str())
        );
    }

    #[test]
    fn get_has_no_digest_and_target_excludes_query() {
        let key = SecretKey::new(KEY);
        let req = ApiRequest::get(
            Endpoint::CheckRequirements,
            Some("businessType=PERSONAL&businessContactNationality=ID".into()),
        );
        let base = uat();
        let mut bearer = HeaderValue::from_static("Bearer tok.en.x");
        bearer.set_sensitive(true);
        let inp = input(&key, &base, Some(&bearer));
        let http_req = build(&req, &inp).unwrap();
        assert_eq!(
            http_req.uri().to_string(),
            "https://api-uat.doku.com/adv-core-api/partner/v1.0/file?businessType=PERSONAL&businessContactNationality=ID"
        );
        assert!(http_req.body().is_empty());
        let sts =
            non_snap::string_to_sign(Kind::Request, &message(&req, &inp, "2020-08-11T08:45:42Z"));
        assert_eq!(
            sts,
            "Client-Id:BRN-0001-10791114622547\nRequest-Id:d895fb53-479c-4f77-a76a-ab81b40d77cb\n\
             Request-Timestamp:2020-08-11T08:45:42Z\nRequest-Target:/adv-core-api/partner/v1.0/file"
        );
        let expected = expected_signature(&key, "/adv-core-api/partner/v1.0/file", None);
        assert_eq!(
            header(&http_req, "Signature"),
            Some(expected.to_string().as_str())
        );
        assert_eq!(header(&http_req, "Content-Type"), None);
        let auth = http_req.headers().get("Authorization").unwrap();
        assert!(auth.is_sensitive());
        assert_eq!(auth.to_str().unwrap(), "Bearer tok.en.x");
        assert!(!format!("{inp:?}").contains("tok.en.x"));
        assert!(
            !format!("{http_req:?}").contains("tok.en.x"),
            "{http_req:?}"
        );
    }
}
