//! The crate's single error type.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use doku_model::{ErrorBody, ValidationErrors};
use doku_transport::TransportError;
use http::StatusCode;

/// At most this many bytes of an error body are kept in [`Error::Api`] (lossy UTF-8).
pub const MAX_ERROR_BODY_BYTES: usize = 4 * 1024;

/// Everything a call to DOKU can fail with.
///
/// Sources are kept (see [`std::error::Error::source`]); transport errors are never flattened
/// into strings. No variant contains the secret key or a bearer token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request failed client-side validation; nothing was sent. Every violation is listed.
    #[error("invalid request: {0}")]
    Validation(#[source] ValidationErrors),

    /// DOKU answered with an error status (or a 409 whose body is not the expected answer).
    #[error("DOKU answered HTTP {status}{}{} (Request-Id {request_id})",
        code.as_deref().map(|c| format!(", code {c}")).unwrap_or_default(),
        message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Api {
        /// The HTTP status.
        status: StatusCode,
        /// DOKU's machine code (`error.code`, `responseCode`, …), when the body had one.
        code: Option<String>,
        /// DOKU's human message, when the body had one.
        message: Option<String>,
        /// The raw body, lossy UTF-8, at most [`MAX_ERROR_BODY_BYTES`] bytes (cut on a char
        /// boundary, with `…` appended when cut).
        body: String,
        /// The Request-Id of the call (the idempotency key to reuse when retrying it later).
        request_id: String,
    },

    /// The response signature is missing (in [`ResponseSignatureMode::Require`] mode), malformed,
    /// does not verify, or its headers do not echo the request. Not retried: the answer did
    /// not demonstrably come from DOKU.
    ///
    /// What the answer said is kept in `answer` and shown in the message, marked unverified,
    /// with its [`LikelyCause`] when it names one (a wrong secret key gets DOKU's
    /// `invalid_signature`, an unknown client id `invalid_client_id`): DOKU refuses a bad
    /// request before it signs anything, so this is how a wrong key or client id shows. It is
    /// only shown: no decision (retry, replay, success) is taken from it.
    ///
    /// [`ResponseSignatureMode::Require`]: crate::ResponseSignatureMode::Require
    #[error("response signature check failed ({problem}) for Request-Id {request_id}; {answer}")]
    Signature {
        /// What was wrong.
        problem: SignatureProblem,
        /// The HTTP status of the rejected response.
        status: StatusCode,
        /// The Request-Id of the call.
        request_id: String,
        /// The verification error from `doku-sign`, when verification itself failed.
        #[source]
        source: Option<doku_sign::Error>,
        /// What the answer said (status, DOKU's code and message, the body of an error
        /// answer): unverified, for people to read, never to decide on. Boxed: keeps `Error`
        /// small.
        answer: Box<UnverifiedAnswer>,
    },

    /// The request could not be completed at the HTTP level, after all retries.
    #[error("transport failure after {attempts} attempt(s) (Request-Id {request_id}; may have reached DOKU: {may_have_reached_doku})")]
    Transport {
        /// The last attempt's error.
        #[source]
        source: TransportError,
        /// Whether DOKU may have received (and acted on) the request. When `true`, retry later
        /// with the **same** Request-Id (see [`Call::request_id`](crate::Call::request_id)) so DOKU deduplicates it.
        may_have_reached_doku: bool,
        /// Attempts made.
        attempts: u32,
        /// The Request-Id of the call.
        request_id: String,
    },

    /// DOKU answered a repeated Request-Id with HTTP 409 and an **error** body: it replayed
    /// the refusal it recorded for the first request with this id (DOKU's idempotency page:
    /// "the same Response body with HTTP Status Code 409 Conflict"). Never success, never
    /// retried: repeating the same Request-Id gets the same refusal again. Fix the cause, then
    /// call again with a new Request-Id.
    #[error("DOKU replayed an earlier refusal of Request-Id {request_id} (HTTP {status}){}{}; send the call again with a new Request-Id",
        code.as_deref().map(|c| format!(", code {c}")).unwrap_or_default(),
        message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    ReplayedRefusal {
        /// The HTTP status (409).
        status: StatusCode,
        /// DOKU's machine code from the replayed body, when it had one.
        code: Option<String>,
        /// DOKU's human message from the replayed body, when it had one.
        message: Option<String>,
        /// The raw replayed body, lossy UTF-8, capped like [`Error::Api`]'s.
        body: String,
        /// The Request-Id that was replayed.
        request_id: String,
    },

    /// A success response (2xx, or a 409 replay) whose body is not the expected JSON.
    ///
    /// DOKU may have **created** something (a business, a file): the raw body and the
    /// Request-Id are kept so nothing DOKU sent is lost.
    #[error("cannot decode DOKU's HTTP {status} answer (Request-Id {request_id}): {message}")]
    Decode {
        /// JSON path where decoding failed (`.` = the root).
        path: String,
        /// What went wrong, where (`path`, line and column) — the decoder's message.
        message: String,
        /// The HTTP status of the response.
        status: StatusCode,
        /// The Request-Id of the call.
        request_id: String,
        /// The body exactly as received, for the calls that create something (Upload File,
        /// Business Registration, Create Business Lite). `None` for Generate Token (its answer
        /// holds a bearer token) and for GETs (nothing is created, a repeat is harmless, and Get
        /// Business Data's answer holds a shared key), so `{:?}` of the error shows no credential.
        body: Option<Bytes>,
        /// The decoder's error (boxed: keeps `Error` small).
        #[source]
        source: Box<doku_model::DecodeError>,
    },

    /// The call did not finish within [`RetryPolicy::total_deadline`]: the token fetch, an
    /// attempt in flight or a wait before a retry was cut when the deadline passed.
    ///
    /// [`RetryPolicy::total_deadline`]: crate::RetryPolicy::total_deadline
    #[error("the call did not finish within its {deadline:?} deadline ({stage}; Request-Id {request_id}; {attempts} attempt(s); may have reached DOKU: {may_have_reached_doku})")]
    DeadlineExceeded {
        /// The deadline ([`RetryPolicy::total_deadline`](crate::RetryPolicy::total_deadline)).
        deadline: Duration,
        /// What the call was doing when it was cut.
        stage: CallStage,
        /// Attempts started (the one cut included).
        attempts: u32,
        /// The Request-Id of the call (the last one, if a fresh one was taken).
        request_id: String,
        /// Whether DOKU may have received (and acted on) the request: retry later with the
        /// same Request-Id when `true`.
        may_have_reached_doku: bool,
        /// The outcome of the last finished attempt, when one finished before the cut.
        #[source]
        last: Option<Box<Error>>,
    },

    /// This call waited for a token that another, concurrent call was fetching, and that fetch
    /// failed. Shared instead of repeated, so an outage does not turn N waiting calls into N more
    /// Generate Token requests. The next call (not already waiting) fetches afresh.
    #[error(
        "no bearer token: the concurrent Generate Token call (Request-Id {request_id}) failed"
    )]
    TokenUnavailable {
        /// The HTTP status of the failed token call, if DOKU answered.
        status: Option<StatusCode>,
        /// The Request-Id of the failed token call.
        request_id: String,
        /// The failed call's error and its whole chain (each message as it read; none holds a
        /// secret or a token).
        #[source]
        source: SharedCause,
    },

    /// The token store ([`ConfigBuilder::token_store`](crate::ConfigBuilder::token_store))
    /// failed while the call needed a token from it: no call is sent without the shared token
    /// (fail closed). `source` is the store's own error and its chain.
    #[error("the token store failed while {what} ({key}); no call is sent without the shared token (fail closed)")]
    TokenStore {
        /// What the client asked of the store: `loading the token`, `taking the fetch lease`, …
        what: &'static str,
        /// Which token: its kind, client id and base URL (never the token).
        key: String,
        /// The store's error, its chain kept.
        #[source]
        source: SharedCause,
    },

    /// DOKU's Generate Token answer decoded, but the token in it cannot be used: it is empty or
    /// not valid in an HTTP header. Not cached; the next call asks again.
    #[error("DOKU's Generate Token answer (HTTP {status}, Request-Id {request_id}) holds no usable token: it is empty or not valid in an HTTP header")]
    InvalidToken {
        /// The HTTP status of the answer.
        status: StatusCode,
        /// The Request-Id of the token call.
        request_id: String,
    },

    /// DOKU answered a SNAP call (feature `snap`) with anything but success: its 7-digit
    /// `responseCode`, classified, with DOKU's message, the call's `X-EXTERNAL-ID` and whether
    /// the call may have been applied ([`SnapRefusal`]). Also a SNAP answer without a
    /// `responseCode` (e.g. a gateway's error page), with `code: None`.
    #[cfg(feature = "snap")]
    #[error("{0}")]
    Snap(Box<SnapRefusal>),

    /// The client configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// The transport could not be built from the configuration.
    #[error("cannot build the HTTP transport")]
    TransportSetup(#[source] TransportError),

    /// Reading a file to upload failed.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The HTTP status DOKU answered, for [`Error::Api`], [`Error::Decode`] and [`Error::Signature`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Api { status, .. }
            | Self::ReplayedRefusal { status, .. }
            | Self::Decode { status, .. }
            | Self::Signature { status, .. }
            | Self::InvalidToken { status, .. } => Some(*status),
            #[cfg(feature = "snap")]
            Self::Snap(refusal) => Some(refusal.status),
            Self::TokenUnavailable { status, .. } => *status,
            _ => None,
        }
    }

    /// The Request-Id of the failed call, when one was sent (or about to be); for a SNAP
    /// transaction, its `X-EXTERNAL-ID`.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Api { request_id, .. }
            | Self::ReplayedRefusal { request_id, .. }
            | Self::Decode { request_id, .. }
            | Self::DeadlineExceeded { request_id, .. }
            | Self::Signature { request_id, .. }
            | Self::Transport { request_id, .. }
            | Self::TokenUnavailable { request_id, .. }
            | Self::InvalidToken { request_id, .. } => Some(request_id),
            #[cfg(feature = "snap")]
            Self::Snap(refusal) => refusal.external_id.as_deref(),
            _ => None,
        }
    }

    /// Builds [`Error::Api`] from a response, reading DOKU's error body if it has one.
    pub(crate) fn api(status: StatusCode, body: &[u8], request_id: &str) -> Self {
        let (code, message) = code_and_message(body);
        Self::Api {
            status,
            code,
            message,
            body: capped_lossy(body, MAX_ERROR_BODY_BYTES),
            request_id: request_id.to_owned(),
        }
    }

    /// Builds [`Error::ReplayedRefusal`] from a 409 whose body is not the expected answer,
    /// with DOKU's error body when it was already read as one (`parsed`).
    pub(crate) fn replayed_refusal(
        status: StatusCode,
        body: &[u8],
        parsed: Option<&ErrorBody>,
        request_id: &str,
    ) -> Self {
        let code = parsed.and_then(|b| b.code().map(str::to_owned));
        let message = parsed.and_then(ErrorBody::message);
        Self::ReplayedRefusal {
            status,
            code,
            message,
            body: capped_lossy(body, MAX_ERROR_BODY_BYTES),
            request_id: request_id.to_owned(),
        }
    }
}

/// DOKU's error code and message from an error body in any of its envelopes.
fn code_and_message(body: &[u8]) -> (Option<String>, Option<String>) {
    let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
    let code = parsed.as_ref().and_then(|b| b.code().map(str::to_owned));
    let message = parsed.as_ref().and_then(ErrorBody::message);
    (code, message)
}

impl Error {
    /// What most likely caused this error, when it can be told: for [`Error::Signature`] read
    /// from the unverified answer, for [`Error::Api`] from DOKU's code, for
    /// [`Error::TransportSetup`] a refused `http://` base URL. For people (a hint beside the
    /// error, which a program can word in its own terms); never a reason to retry or not.
    pub fn likely_cause(&self) -> Option<LikelyCause> {
        match self {
            Self::Signature { answer, .. } => answer.likely_cause(),
            Self::Api { code, .. } => code.as_deref().and_then(LikelyCause::from_code),
            Self::TransportSetup(TransportError::InsecureHttp { .. }) => {
                Some(LikelyCause::PlainHttpRefused)
            }
            _ => None,
        }
    }

    /// Whether DOKU refused the bearer token (HTTP 401).
    pub(crate) fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Api { status, .. } if *status == StatusCode::UNAUTHORIZED)
    }
}

/// What an answer that failed its signature check said ([`Error::Signature`]): shown, marked
/// unverified, and never acted on — it did not demonstrably come from DOKU.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnverifiedAnswer {
    /// The HTTP status.
    pub status: StatusCode,
    /// DOKU's machine code (`error.code`, …), when the body had one.
    pub code: Option<String>,
    /// DOKU's human message, when the body had one.
    pub message: Option<String>,
    /// The raw body of an error answer (4xx or 5xx, not 409), lossy UTF-8, capped like
    /// [`Error::Api`]'s; empty for any other answer, which may hold a token or a shared key.
    pub body: String,
    /// Whose credentials signed the request: the partner's (Partner API) or a merchant's
    /// (Checkout, Check Status), so a hint can name the right key.
    pub credentials: doku_model::Credentials,
}

impl UnverifiedAnswer {
    /// Reads DOKU's code and message (and, for an error answer, keeps the body).
    pub(crate) fn read(
        status: StatusCode,
        body: &[u8],
        credentials: doku_model::Credentials,
    ) -> Self {
        let (code, message) = code_and_message(body);
        let error_answer = (status.is_client_error() || status.is_server_error())
            && status != StatusCode::CONFLICT;
        Self {
            status,
            code,
            message,
            body: if error_answer {
                capped_lossy(body, MAX_ERROR_BODY_BYTES)
            } else {
                String::new()
            },
            credentials,
        }
    }

    /// The likely cause DOKU's code names, if any.
    pub fn likely_cause(&self) -> Option<LikelyCause> {
        self.code.as_deref().and_then(LikelyCause::from_code)
    }
}

impl fmt::Display for UnverifiedAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the answer, unverified (shown, not acted on): HTTP {}",
            self.status
        )?;
        if let Some(code) = &self.code {
            write!(f, ", code {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(cause) = self.likely_cause() {
            write!(f, ". Likely cause: {cause}")?;
        }
        Ok(())
    }
}

/// What most likely went wrong ([`Error::likely_cause`]), mostly read from DOKU's error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LikelyCause {
    /// DOKU refused the request's signature (`invalid_signature`): the secret key is not the one
    /// DOKU holds for this client id.
    SignatureRefused,
    /// DOKU does not know the client id (`invalid_client_id`), at least not in this
    /// environment.
    UnknownClientId,
    /// DOKU refused the `Request-Timestamp` (`invalid_timestamp`, `request_time_out_of_range`):
    /// this machine's clock is off.
    ClockSkew,
    /// The base URL is plain `http://` to a host that is not this machine, which the transport
    /// refuses unless allowed ([`TransportConfigBuilder::allow_insecure_http`]).
    ///
    /// [`TransportConfigBuilder::allow_insecure_http`]: doku_transport::TransportConfigBuilder::allow_insecure_http
    PlainHttpRefused,
}

impl LikelyCause {
    /// The cause DOKU's error `code` names (the Non-SNAP codes DOKU and doku-sim answer).
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "invalid_signature" => Some(Self::SignatureRefused),
            "invalid_client_id" => Some(Self::UnknownClientId),
            "invalid_timestamp" | "request_time_out_of_range" => Some(Self::ClockSkew),
            _ => None,
        }
    }
}

impl fmt::Display for LikelyCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SignatureRefused => {
                "DOKU refused our signature: is the secret key the key of this client id?"
            }
            Self::UnknownClientId => {
                "DOKU does not know this client id: is it the right one, and for this environment?"
            }
            Self::ClockSkew => "DOKU refused our Request-Timestamp: is this machine's clock right?",
            Self::PlainHttpRefused => {
                "plain http:// goes only to this machine: use https://, or allow it for a test server on a trusted network (TransportConfigBuilder::allow_insecure_http(true), given to ConfigBuilder::transport)"
            }
        })
    }
}

/// DOKU's refusal of a SNAP call ([`Error::Snap`], feature `snap`).
#[cfg(feature = "snap")]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SnapRefusal {
    /// Which SNAP call.
    pub endpoint: doku_model::Endpoint,
    /// The HTTP status.
    pub status: StatusCode,
    /// DOKU's `responseCode`, when the body had one.
    pub code: Option<doku_model::snap::ResponseCode>,
    /// What the code means ([`ResponseKind::Other`](doku_model::snap::ResponseKind::Other)
    /// without a code).
    pub kind: doku_model::snap::ResponseKind,
    /// DOKU's `responseMessage`, when the body had one.
    pub message: Option<String>,
    /// The call's `X-EXTERNAL-ID` (`None` for the token request, which has none): repeat the
    /// call under it when `may_have_been_applied`.
    pub external_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// Whether DOKU may have applied the call (an earlier attempt under this `X-EXTERNAL-ID`
    /// may have been processed, or this answer was a 5xx): repeat it with the same
    /// `X-EXTERNAL-ID`, never a new one.
    pub may_have_been_applied: bool,
    /// What the refusal most likely means for you, when the code names a cause (e.g. a token
    /// request refused for its signature: the wrong private key).
    pub hint: Option<String>,
    /// The raw body, lossy UTF-8, capped like [`Error::Api`]'s (empty for the token request).
    pub body: String,
}

#[cfg(feature = "snap")]
impl fmt::Display for SnapRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DOKU refused {} with HTTP {}",
            self.endpoint.name(),
            self.status
        )?;
        if let Some(code) = &self.code {
            write!(f, ", responseCode {code} ({:?})", self.kind)?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.external_id {
            write!(f, " (X-EXTERNAL-ID {id})")?;
        }
        write!(f, "; may have been applied: {}", self.may_have_been_applied)?;
        if let Some(hint) = &self.hint {
            write!(f, ". {hint}")?;
        }
        Ok(())
    }
}

/// The error of a call, as another call that waited on it sees it: the same messages, link by
/// link, as a chain of sources (the original error stays with the call that made it; its
/// transport sources cannot be cloned).
#[derive(Debug, Clone)]
pub struct SharedCause {
    message: String,
    source: Option<Box<SharedCause>>,
}

impl SharedCause {
    /// The messages of `error` and of every source below it.
    pub(crate) fn of(error: &(dyn std::error::Error + 'static)) -> Self {
        Self {
            message: error.to_string(),
            source: error.source().map(|s| Box::new(Self::of(s))),
        }
    }
}

impl fmt::Display for SharedCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SharedCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// What a call was doing when its deadline passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallStage {
    /// Getting a bearer token (Generate Token, or waiting for a concurrent fetch).
    FetchingToken,
    /// Waiting for an attempt's answer.
    InFlight,
    /// Waiting before the next attempt.
    WaitingToRetry,
}

impl fmt::Display for CallStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::FetchingToken => "cut while getting a bearer token",
            Self::InFlight => "cut while an attempt was in flight",
            Self::WaitingToRetry => "cut while waiting to retry",
        })
    }
}

/// What was wrong with a response signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureProblem {
    /// No `Signature` header, and the mode requires one.
    Missing,
    /// A header needed to verify (`Response-Timestamp`, `Client-Id`, `Request-Id`) is absent or
    /// not text.
    MissingHeader(&'static str),
    /// `Client-Id` or `Request-Id` in the response is not the one sent.
    Mismatch(&'static str),
    /// The signature is malformed or does not verify.
    Invalid,
}

impl fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing => f.write_str("no Signature header"),
            Self::MissingHeader(h) => write!(f, "header {h} missing"),
            Self::Mismatch(h) => write!(f, "header {h} does not echo the request"),
            Self::Invalid => f.write_str("signature does not verify"),
        }
    }
}

/// Lossy UTF-8 of at most `max` bytes of `body`, cut on a character boundary.
pub(crate) fn capped_lossy(body: &[u8], max: usize) -> String {
    if body.len() <= max {
        return String::from_utf8_lossy(body).into_owned();
    }
    let mut text = String::from_utf8_lossy(&body[..max]).into_owned();
    // A multi-byte character cut at `max` became U+FFFD; that is acceptable for a diagnostic.
    text.push('…');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_reads_doku_body_and_caps_raw_text() {
        let body = br#"{"error":{"code":"invalid_token","message":"expired","type":"invalid_request_error"}}"#;
        let e = Error::api(StatusCode::UNAUTHORIZED, body, "rid-1");
        let Error::Api {
            code,
            message,
            body: raw,
            ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(code.as_deref(), Some("invalid_token"));
        assert_eq!(message.as_deref(), Some("expired"));
        assert!(raw.contains("invalid_token"));
        assert_eq!(
            e.to_string(),
            "DOKU answered HTTP 401 Unauthorized, code invalid_token: expired (Request-Id rid-1)"
        );

        let big = vec![b'x'; 10_000];
        let Error::Api { body, code, .. } = Error::api(StatusCode::BAD_GATEWAY, &big, "r") else {
            unreachable!()
        };
        assert_eq!(code, None);
        assert_eq!(body.len(), MAX_ERROR_BODY_BYTES + '…'.len_utf8());
        let Error::Api { body, .. } = Error::api(StatusCode::BAD_GATEWAY, b"\xff\xfe<html>", "r")
        else {
            unreachable!()
        };
        assert!(body.ends_with("<html>"));
    }

    #[test]
    fn likely_causes_from_codes_and_a_refused_base_url() {
        for (code, cause) in [
            ("invalid_signature", Some(LikelyCause::SignatureRefused)),
            ("invalid_client_id", Some(LikelyCause::UnknownClientId)),
            ("invalid_timestamp", Some(LikelyCause::ClockSkew)),
            ("request_time_out_of_range", Some(LikelyCause::ClockSkew)),
            ("invalid_token", None),
        ] {
            let body = format!(r#"{{"error":{{"code":"{code}","message":"m"}}}}"#);
            let e = Error::api(StatusCode::UNAUTHORIZED, body.as_bytes(), "r");
            assert_eq!(e.likely_cause(), cause, "{code}");
        }
        let refused = Error::TransportSetup(TransportError::InsecureHttp {
            host: "10.1.2.3".into(),
        });
        assert_eq!(refused.likely_cause(), Some(LikelyCause::PlainHttpRefused));
        assert!(LikelyCause::PlainHttpRefused
            .to_string()
            .contains("allow_insecure_http(true)"));
    }
}
