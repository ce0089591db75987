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
