//! SNAP calls (the B2B token and the Virtual Account family).

use doku_model::Endpoint;
use http::StatusCode;

use super::Req;
use crate::response::Reply;
use crate::state::App;

/// Answers a SNAP call. The simulator does not serve SNAP yet: a SNAP answer envelope with
/// `404` and the call's service code, so a client sees which call is missing.
pub(crate) fn handle(_app: &App, endpoint: Endpoint, _req: &Req<'_>) -> Reply {
    let service = endpoint.snap_service().unwrap_or(0);
    let body = serde_json::json!({
        "responseCode": format!("404{service:02}00"),
        "responseMessage": format!("{endpoint} is not served by this simulator"),
    });
    Reply::json(StatusCode::NOT_FOUND, &body)
}
