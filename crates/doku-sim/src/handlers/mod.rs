//! One handler per endpoint; each turns an authenticated request into a [`Reply`].

pub(crate) mod business;
pub(crate) mod business_data;
pub(crate) mod business_lite;
mod catalogue;
pub(crate) mod checkout;
pub(crate) mod order_status;
pub(crate) mod requirements;
pub(crate) mod token;
pub(crate) mod upload;

use doku_model::{decode, DecodeErrorKind, ErrorBody, Validate};
use http::StatusCode;
use serde::de::DeserializeOwned;

use crate::response::Reply;
use crate::state::App;
use doku_model::Endpoint;

/// An authenticated request, as handlers see it.
pub(crate) struct Req<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) content_type: Option<&'a str>,
    pub(crate) body: &'a [u8],
    /// The request's `Request-Id` (checked).
    pub(crate) request_id: &'a str,
    /// Every header as received.
    pub(crate) headers: &'a http::HeaderMap,
}

/// The `{parameter}` of a path that has one (Get Business Data, Check Status), percent-decoded
/// (a client encodes an invoice `INV/4` as `INV%2F4`), or `""`. A parameter that does not
/// decode to UTF-8 is kept as received: it names no stored record.
pub(crate) fn path_parameter<'a>(req: &Req<'a>) -> std::borrow::Cow<'a, str> {
    let raw = Endpoint::recognise("GET", req.path)
        .and_then(|(_, parameter)| parameter)
        .unwrap_or("");
    if !raw.contains('%') {
        return raw.into();
    }
    crate::query::decode_path_segment(raw).map_or(raw.into(), Into::into)
}

/// Runs the handler of `endpoint`.
pub(crate) fn dispatch(app: &App, endpoint: Endpoint, req: &Req<'_>) -> Reply {
    match endpoint {
        Endpoint::Token => token::handle(app, req),
        Endpoint::CheckRequirements => requirements::handle(app, req),
        Endpoint::UploadFile => upload::handle(app, req),
        Endpoint::BusinessRegistration => business::handle(app, req),
        Endpoint::BusinessLite => business_lite::handle(app, req),
        Endpoint::GetBusinessData => business_data::handle(app, req),
        Endpoint::Checkout => checkout::handle(app, req),
        Endpoint::CheckStatus => order_status::handle(app, req),
        Endpoint::SnapToken
        | Endpoint::CreateVa
        | Endpoint::UpdateVa
        | Endpoint::DeleteVa
        | Endpoint::VaStatus => {
            // The pipeline hands SNAP calls to `crate::snap::process` before this Non-SNAP
            // dispatch; reaching here is a routing bug, answered rather than panicked on.
            Reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "routing_error",
                format!("{endpoint} is a SNAP call and was routed to the Non-SNAP handlers"),
            )
        }
    }
}

/// Checks the JSON `Content-Type` DOKU's pages show. A request without it, or with another
/// media type, is a doubt ([`crate::doubts`]): DOKU is not known to refuse one whose body is
/// JSON, so it is accepted with a warning, and refused with 415 under `--strict`.
pub(crate) fn require_json(app: &App, req: &Req<'_>) -> Result<(), Reply> {
    let media = req
        .content_type
        .and_then(|ct| ct.split(';').next())
        .map(str::trim)
        .unwrap_or("");
    if media.eq_ignore_ascii_case("application/json") {
        return Ok(());
    }
    let doubt = crate::doubts::Doubt {
        field: "Content-Type",
        why: crate::doubts::CONTENT_TYPE_NOT_JSON,
    };
    crate::doubts::settle(app, req.path, vec![doubt]).map_err(|_| {
        Reply::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_type",
            format!(
                "Content-Type must be application/json, got {} (refused under --strict)",
                crate::echo::echo(req.content_type.unwrap_or(""))
            ),
        )
    })
}

/// Decodes a JSON body; the error names the JSON path.
pub(crate) fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Reply> {
    decode::<T>(body).map_err(|e| {
        let code = match e.kind {
            DecodeErrorKind::Data => "invalid_field",
            _ => "invalid_json",
        };
        let err = ErrorBody::new(code, e.to_string()).with_detail("path", e.path.clone().into());
        Reply::error_body(StatusCode::BAD_REQUEST, err)
    })
}

/// Runs `validate()`; every violation is listed in `error.violations`.
pub(crate) fn validate<T: Validate>(value: &T) -> Result<(), Reply> {
    value
        .validate()
        .map_err(|errors| validation_failed(&errors))
}

/// A 400 `validation_failed` listing every violation with its path.
pub(crate) fn validation_failed(errors: &doku_model::ValidationErrors) -> Reply {
    let list: Vec<serde_json::Value> = errors
        .violations()
        .iter()
        .map(|v| serde_json::json!({"path": v.path, "message": v.message}))
        .collect();
    let err = ErrorBody::new("validation_failed", errors.to_string())
        .with_detail("violations", list.into());
    Reply::error_body(StatusCode::BAD_REQUEST, err)
}

/// Unwraps the two `Result<_, Reply>` layers handlers use.
macro_rules! try_reply {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(reply) => return reply,
        }
    };
}
pub(crate) use try_reply;
