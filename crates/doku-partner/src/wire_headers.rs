//! doku-sign's header vocabulary as `http` header names, built once: `HeaderName::from_static`
//! needs the lowercase spelling, and a test pins each one to [`doku_sign::headers`].

use http::header::HeaderName;

/// [`doku_sign::headers::CLIENT_ID`].
pub(crate) const CLIENT_ID: HeaderName = HeaderName::from_static("client-id");
/// [`doku_sign::headers::REQUEST_ID`].
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("request-id");
/// [`doku_sign::headers::REQUEST_TIMESTAMP`].
pub(crate) const REQUEST_TIMESTAMP: HeaderName = HeaderName::from_static("request-timestamp");
/// [`doku_sign::headers::RESPONSE_TIMESTAMP`].
pub(crate) const RESPONSE_TIMESTAMP: HeaderName = HeaderName::from_static("response-timestamp");
/// [`doku_sign::headers::SIGNATURE`].
pub(crate) const SIGNATURE: HeaderName = HeaderName::from_static("signature");

#[cfg(test)]
mod tests {
    use doku_sign::headers;

    #[test]
    fn names_are_doku_signs() {
        for (name, doku) in [
            (super::CLIENT_ID, headers::CLIENT_ID),
            (super::REQUEST_ID, headers::REQUEST_ID),
            (super::REQUEST_TIMESTAMP, headers::REQUEST_TIMESTAMP),
            (super::RESPONSE_TIMESTAMP, headers::RESPONSE_TIMESTAMP),
            (super::SIGNATURE, headers::SIGNATURE),
        ] {
            assert_eq!(name, http::HeaderName::from_bytes(doku.as_bytes()).unwrap());
        }
    }
}
