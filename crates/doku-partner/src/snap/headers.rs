//! SNAP's header names as `http` header names, built once (`HeaderName::from_static` needs the
//! lowercase spelling).

use http::header::HeaderName;

/// `X-TIMESTAMP`.
pub(crate) const X_TIMESTAMP: HeaderName = HeaderName::from_static("x-timestamp");
/// `X-SIGNATURE`.
pub(crate) const X_SIGNATURE: HeaderName = HeaderName::from_static("x-signature");
/// `X-CLIENT-KEY` (the token request).
pub(crate) const X_CLIENT_KEY: HeaderName = HeaderName::from_static("x-client-key");
/// `X-PARTNER-ID`.
pub(crate) const X_PARTNER_ID: HeaderName = HeaderName::from_static("x-partner-id");
/// `X-EXTERNAL-ID`.
pub(crate) const X_EXTERNAL_ID: HeaderName = HeaderName::from_static("x-external-id");
/// `CHANNEL-ID`.
pub(crate) const CHANNEL_ID: HeaderName = HeaderName::from_static("channel-id");

#[cfg(test)]
mod tests {
    use doku_sign::headers;

    /// Each name is doku-sign's, the one header vocabulary.
    #[test]
    fn names_are_doku_signs() {
        for (name, doku) in [
            (super::X_TIMESTAMP, headers::X_TIMESTAMP),
            (super::X_SIGNATURE, headers::X_SIGNATURE),
            (super::X_CLIENT_KEY, headers::X_CLIENT_KEY),
            (super::X_PARTNER_ID, headers::X_PARTNER_ID),
            (super::X_EXTERNAL_ID, headers::X_EXTERNAL_ID),
            (super::CHANNEL_ID, headers::CHANNEL_ID),
        ] {
            assert_eq!(name, http::HeaderName::from_bytes(doku.as_bytes()).unwrap());
        }
    }
}
