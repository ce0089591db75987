//! Checks every request's Non-SNAP headers: presence, Client-Id, Request-Id, timestamp
//! window and signature (via `doku-sign`).

use doku_sign::non_snap::{self, Kind, Message};
use http::{HeaderMap, StatusCode};
use jiff::Timestamp;

use crate::clock::parse_timestamp;
use crate::config::SimConfig;
use crate::response::Reply;

/// The four headers every Partner API request carries.
pub(crate) const REQUIRED_HEADERS: [&str; 4] =
    ["Client-Id", "Request-Id", "Request-Timestamp", "Signature"];

/// A header as UTF-8 text, if present and valid.
pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The `Request-Target` the signature covers: the path, plus `?query` only when configured.
pub(crate) fn request_target(config: &SimConfig, path: &str, query: Option<&str>) -> String {
    match query {
        Some(q) if config.target_includes_query => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

/// Verifies a request. `body` is `None` for GET (no Digest line).
pub(crate) fn check(
    config: &SimConfig,
    headers: &HeaderMap,
    target: &str,
    body: Option<&[u8]>,
    now: Timestamp,
) -> Result<(), Reply> {
    let missing: Vec<&str> = REQUIRED_HEADERS
        .iter()
        .copied()
        .filter(|name| header(headers, name).is_none_or(str::is_empty))
        .collect();
    if !missing.is_empty() {
        return Err(Reply::error(
            StatusCode::BAD_REQUEST,
            "missing_header",
            format!("missing required header(s): {}", missing.join(", ")),
        ));
    }
    let client_id = header(headers, "Client-Id").unwrap_or_default();
    let request_id = header(headers, "Request-Id").unwrap_or_default();
    let timestamp = header(headers, "Request-Timestamp").unwrap_or_default();
    let signature = header(headers, "Signature").unwrap_or_default();

    let Some(key) = config.secret_for(client_id) else {
        return Err(Reply::error(
            StatusCode::UNAUTHORIZED,
            "invalid_client_id",
            format!("Client-Id {client_id:?} is not known"),
        ));
    };
    if let Err(e) = doku_model::RequestId::new(request_id) {
        return Err(Reply::error(
            StatusCode::BAD_REQUEST,
            "invalid_request_id",
            e.to_string(),
        ));
    }
    let Some(sent) = parse_timestamp(timestamp) else {
        return Err(Reply::error(
            StatusCode::BAD_REQUEST,
            "invalid_timestamp",
            format!("Request-Timestamp {timestamp:?} is not UTC `YYYY-MM-DDTHH:MM:SSZ`"),
        ));
    };
    let skew = sent.as_second() - now.as_second();
    let window = i64::try_from(config.timestamp_window.as_secs()).unwrap_or(i64::MAX);
    if skew.abs() > window {
        return Err(Reply::error(
            StatusCode::UNAUTHORIZED,
            "invalid_timestamp",
            format!(
                "Request-Timestamp is {skew:+} s from the server's clock ({}); at most ±{window} s allowed",
                crate::clock::format_timestamp(now)
            ),
        ));
    }
    let message = Message {
        client_id,
        request_id,
        timestamp,
        target,
        body,
    };
    non_snap::verify(key, Kind::Request, &message, signature).map_err(|e| {
        let why = match e {
            doku_sign::Error::Mismatch => "the signature does not match the request".to_owned(),
            other => format!("malformed Signature header: {other:?}"),
        };
        let body = doku_model::ErrorBody::new("invalid_signature", why).with_detail(
            "string_to_sign",
            non_snap::string_to_sign(Kind::Request, &message).into(),
        );
        Reply::error_body(StatusCode::UNAUTHORIZED, body)
    })
}
