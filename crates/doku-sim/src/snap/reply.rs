//! SNAP's answers: `{"responseCode":"SSSvvcc","responseMessage":…}` with the HTTP status the
//! code's first three digits name (DOKU: "the HTTP status of the answer equals the first three
//! digits").

use http::StatusCode;
use serde_json::{Map, Value};

use crate::response::Reply;

/// A seven-digit code: HTTP status, service, case.
pub(crate) fn code(http: u16, service: u8, case: u8) -> String {
    format!("{http:03}{service:02}{case:02}")
}

/// An answer with `code(http, service, case)`, `message`, and `extra` fields after them.
pub(crate) fn with(
    http: u16,
    service: u8,
    case: u8,
    message: impl Into<String>,
    extra: Map<String, Value>,
) -> Reply {
    let status = StatusCode::from_u16(http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut body = Map::new();
    body.insert("responseCode".into(), code(http, service, case).into());
    body.insert("responseMessage".into(), message.into().into());
    body.extend(extra);
    Reply::json(status, &Value::Object(body))
}

/// An answer without other fields.
pub(crate) fn plain(http: u16, service: u8, case: u8, message: impl Into<String>) -> Reply {
    with(http, service, case, message, Map::new())
}

/// `400ss02` Invalid Mandatory Field {field}.
pub(crate) fn mandatory(service: u8, field: &str) -> Reply {
    plain(
        400,
        service,
        2,
        format!("Invalid Mandatory Field {{{field}}}"),
    )
}

/// `400ss01` Invalid Field Format {field}, with why.
pub(crate) fn format(service: u8, field: &str, why: &str) -> Reply {
    plain(
        400,
        service,
        1,
        format!("Invalid Field Format {{{field}}}: {why}"),
    )
}

/// `400ss00` Bad Request (a body that is not a JSON object).
pub(crate) fn bad_request(service: u8, why: &str) -> Reply {
    plain(400, service, 0, format!("Bad Request: {why}"))
}

/// `401ss00` Unauthorized. {reason}.
pub(crate) fn unauthorized(service: u8, reason: &str) -> Reply {
    plain(401, service, 0, format!("Unauthorized. {reason}"))
}

/// `401ss01` Invalid Token (B2B).
pub(crate) fn invalid_token(service: u8, why: &str) -> Reply {
    plain(401, service, 1, format!("Invalid Token (B2B): {why}"))
}

/// `404ss12` Invalid Bill/Virtual Account [Not Found].
pub(crate) fn not_found(service: u8, what: &str) -> Reply {
    plain(
        404,
        service,
        12,
        format!("Invalid Bill/Virtual Account [Not Found]: {what}"),
    )
}

/// `409ss00` Conflict.
pub(crate) fn conflict(service: u8, why: &str) -> Reply {
    plain(409, service, 0, format!("Conflict: {why}"))
}
