//! The simulator-only SNAP control endpoints (unauthenticated, like `/doku-sim/v1/pay`: the
//! simulator listens on loopback, and DOKU has no such paths):
//!
//! - `GET /doku-sim/v1/snap/doku-public-key`: DOKU's public key, PEM (`application/x-pem-file`);
//! - `POST /doku-sim/v1/snap/merchants`: register a merchant ([`SnapMerchant`] as JSON);
//! - `POST /doku-sim/v1/pay-va`: pay a Virtual Account ([`super::pay::PayVaRequest`]).

use bytes::Bytes;
use doku_model::Endpoint;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};
use hyper::body::Body;

use super::SnapMerchant;
use crate::error::SimError;
use crate::pipeline::Outcome;
use crate::state::App;

/// Where DOKU's public key is given out.
pub const DOKU_PUBLIC_KEY_PATH: &str = "/doku-sim/v1/snap/doku-public-key";
/// Where merchants are registered for SNAP.
pub const SNAP_MERCHANTS_PATH: &str = "/doku-sim/v1/snap/merchants";
/// Where a Virtual Account is paid.
pub const PAY_VA_PATH: &str = "/doku-sim/v1/pay-va";

/// Whether `req` is for one of the SNAP control endpoints.
pub(crate) fn is_control<B>(req: &Request<B>) -> bool {
    matches!(
        req.uri().path(),
        DOKU_PUBLIC_KEY_PATH | SNAP_MERCHANTS_PATH | PAY_VA_PATH
    )
}

/// Registers a merchant: known client id, a readable key, `http://` URLs.
pub(crate) fn register(app: &App, merchant: SnapMerchant) -> Result<(), SimError> {
    if app
        .key_for(Endpoint::CreateVa, &merchant.client_id)
        .is_none()
    {
        return Err(SimError::Config(format!(
            "{} is not a merchant of this simulator: configure its credential or register its \
             brand first",
            crate::echo::echo(&merchant.client_id)
        )));
    }
    let registered = merchant.check().map_err(SimError::Config)?;
    app.snap.register(registered);
    tracing::info!(client_id = %merchant.client_id, "SNAP merchant registered");
    Ok(())
}

fn response(status: StatusCode, content_type: &'static str, body: Bytes) -> Outcome {
    let response = Response::builder()
        .status(status)
        .header(CONTENT_TYPE, content_type)
        .header(CONTENT_LENGTH, body.len())
        .body(body)
        .unwrap_or_else(|_| Response::new(Bytes::new()));
    Outcome::Respond {
        response,
        truncate: false,
    }
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Outcome {
    let body = Bytes::from(serde_json::to_vec(value).unwrap_or_default());
    response(status, "application/json", body)
}

/// A refusal `{"error":{"code","message","type"}}`.
pub(crate) fn refusal(status: StatusCode, code: &str, message: &str) -> Outcome {
    json(
        status,
        &serde_json::json!({"error": {"code": code, "message": message, "type": "invalid_request_error"}}),
    )
}

/// Answers a control request.
pub(crate) async fn answer<B>(app: &App, req: Request<B>) -> Outcome
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    app.count_request();
    let path = req.uri().path().to_owned();
    let wanted = if path == DOKU_PUBLIC_KEY_PATH {
        Method::GET
    } else {
        Method::POST
    };
    if req.method() != wanted {
        return refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            &format!("use {wanted}"),
        );
    }
    if path == DOKU_PUBLIC_KEY_PATH {
        let pem = app
            .snap
            .keys
            .as_ref()
            .map(|k| k.public_pem.clone())
            .unwrap_or_default();
        return response(StatusCode::OK, "application/x-pem-file", Bytes::from(pem));
    }
    let (parts, body) = req.into_parts();
    let held = match crate::body::read_body(app, &parts.headers, body).await {
        Ok(held) => held,
        Err(reply) => {
            let value = serde_json::from_slice(&reply.body).unwrap_or_default();
            return json(reply.status, &value);
        }
    };
    if path == SNAP_MERCHANTS_PATH {
        let merchant: SnapMerchant = match serde_json::from_slice(&held.bytes) {
            Ok(m) => m,
            Err(e) => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    "invalid_json",
                    &format!(
                        "expected {{\"client_id\":…, \"public_key_pem\":…, \"token_url\"?, \
                         \"notification_url\"?, \"inquiry_url\"?}}: {e}"
                    ),
                )
            }
        };
        let client_id = merchant.client_id.clone();
        return match register(app, merchant) {
            Ok(()) => json(
                StatusCode::OK,
                &serde_json::json!({"client_id": client_id, "registered": true}),
            ),
            Err(e) => refusal(StatusCode::BAD_REQUEST, "invalid_merchant", &e.to_string()),
        };
    }
    super::pay::answer(app, &held.bytes).await
}
