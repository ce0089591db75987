//! The names of the HTTP headers DOKU's schemes sign and carry — Non-SNAP first, then SNAP: the one vocabulary
//! the client, the simulator, the CLI and notification receivers share, so a typo cannot make one side
//! disagree with another.
//!
//! HTTP header names are case-insensitive; these are the spellings DOKU's pages print, which is also what
//! doku-rs sends.

/// `Client-Id`: the caller's DOKU client id (partner or merchant); first line of the string to sign.
pub const CLIENT_ID: &str = "Client-Id";
/// `Request-Id`: a unique id per request, also DOKU's idempotency key; second line of the string to sign.
pub const REQUEST_ID: &str = "Request-Id";
/// `Request-Timestamp`: `YYYY-MM-DDTHH:MM:SSZ` of a request or notification; third line of its string to sign.
pub const REQUEST_TIMESTAMP: &str = "Request-Timestamp";
/// `Response-Timestamp`: the same line in a DOKU response's string to sign.
pub const RESPONSE_TIMESTAMP: &str = "Response-Timestamp";
/// `Request-Target`: the label of the path line in the string to sign (not sent as a header).
pub const REQUEST_TARGET: &str = "Request-Target";
/// `Signature`: `HMACSHA256=<base64>` over the string to sign.
pub const SIGNATURE: &str = "Signature";
/// `Digest`: the label of the body line in the string to sign (base64 SHA-256 of the exact body bytes). DOKU
/// does not send it as a header; the verifier computes it.
pub const DIGEST: &str = "Digest";

/// `X-TIMESTAMP` (SNAP): the sender's time, `YYYY-MM-DDTHH:MM:SS+07:00` or `…Z`; the last field of both SNAP
/// strings to sign, used byte for byte.
pub const X_TIMESTAMP: &str = "X-TIMESTAMP";
/// `X-SIGNATURE` (SNAP): base64 of HMAC-SHA512 on transactions ([`crate::snap_symmetric`]), base64 of
/// SHA256withRSA on access-token requests (`snap_asymmetric`, feature `rsa`).
pub const X_SIGNATURE: &str = "X-SIGNATURE";
/// `X-PARTNER-ID` (SNAP): the caller's client id on transactions (DOKU's own client id on its notifications).
pub const X_PARTNER_ID: &str = "X-PARTNER-ID";
/// `X-EXTERNAL-ID` (SNAP): a numeric reference unique within the day; SNAP's idempotency key.
pub const X_EXTERNAL_ID: &str = "X-EXTERNAL-ID";
/// `CHANNEL-ID` (SNAP): the channel the call comes through (`H2H` unless DOKU assigned another).
pub const CHANNEL_ID: &str = "CHANNEL-ID";
/// `X-CLIENT-KEY` (SNAP): the client id on an access-token request, the first part of its string to sign.
pub const X_CLIENT_KEY: &str = "X-CLIENT-KEY";
/// `Authorization` (SNAP): `Bearer <access token>` on transactions; the token, without `Bearer `, is the
/// third field of the symmetric string to sign.
pub const AUTHORIZATION: &str = "Authorization";
