//! The names of the HTTP headers DOKU's Non-SNAP scheme signs and carries: the one vocabulary the client, the
//! simulator, the CLI and notification receivers share, so a typo cannot make one side disagree with another.
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
