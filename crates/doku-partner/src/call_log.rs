//! What a call tells `tracing`: its span, and one line when it ends. No message text from
//! DOKU, no body, no token.

use tokio::time::Instant;
use tracing::field::Empty;

use crate::error::Error;
use crate::request::ApiRequest;

/// The span of one call (all its attempts).
pub(crate) fn call_span(request: &ApiRequest, request_id: &str) -> tracing::Span {
    tracing::info_span!(
        "doku_partner.call",
        endpoint = request.endpoint.name(),
        request_id,
        attempt = Empty,
        status = Empty,
        latency_ms = Empty,
        replay = Empty,
    )
}

/// One line per finished call. The clock is read only when the line is written (tracing
/// evaluates field values after its level check).
pub(crate) fn log_result<T>(result: &Result<T, Error>, started: Instant) {
    let total_ms = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match result {
        Ok(_) => tracing::info!(total_ms = total_ms(), "call succeeded"),
        Err(e) => tracing::warn!(
            total_ms = total_ms(),
            error = error_kind(e),
            status = e.status().map(|s| s.as_u16()),
            code = match e {
                Error::Api { code, .. } | Error::ReplayedRefusal { code, .. } => code.as_deref(),
                _ => None,
            },
            "call failed"
        ),
    }
}

/// A stable name for an error, safe to log (no message text from DOKU or the body).
fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::Validation(_) => "validation",
        Error::Api { .. } => "api",
        Error::ReplayedRefusal { .. } => "replayed_refusal",
        Error::DeadlineExceeded { .. } => "deadline_exceeded",
        Error::Signature { .. } => "signature",
        Error::Transport { .. } => "transport",
        Error::Decode { .. } => "decode",
        Error::Config(_) => "config",
        Error::TransportSetup(_) => "transport_setup",
        Error::Io { .. } => "io",
        Error::TokenUnavailable { .. } => "token_unavailable",
        Error::TokenStore { .. } => "token_store",
        Error::InvalidToken { .. } => "invalid_token",
        #[cfg(feature = "snap")]
        Error::Snap(_) => "snap",
    }
}
