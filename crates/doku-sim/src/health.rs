//! `GET /health`: a readiness probe for scripts and CI jobs in any language.
//!
//! It answers `200 {"status":"ok",…}` without authentication, before routing, faults, stats or logging, so a
//! script can poll it (`curl --retry-connrefused …/health`) without a DOKU credential and without
//! disturbing what a test later asserts about requests, faults or rejections. DOKU itself has no such
//! path; it lives outside DOKU's `/adv-core-api/…` prefix so it can never shadow a real endpoint.

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};

use crate::pipeline::Outcome;
use crate::state::App;

/// The probe's path.
pub(crate) const PATH: &str = "/health";

/// Answers the probe when `req` is `GET /health` (any query), else `None` and the request goes on
/// through the pipeline (other methods on `/health` get the pipeline's 404 like any unknown path).
/// The body is `{"status":"ok"}` plus what a developer watching the simulator wants to see
/// without a Rust handle: how many requests were accepted with a warning (`warnings`: DOKU might
/// refuse them, `--strict` would), and the notification delivery counts (`queued` waiting for a
/// slot, `dropped`, `abandoned` after the last retry, `delivered`).
pub(crate) fn answer<B>(app: &App, req: &Request<B>) -> Option<Outcome> {
    if req.method() != Method::GET || req.uri().path() != PATH {
        return None;
    }
    let stats = app.stats_snapshot();
    let body = serde_json::json!({
        "status": "ok",
        "warnings": stats.warnings,
        "notifications": {
            "delivered": stats.notifications_delivered,
            "queued": stats.notifications_queued,
            "dropped": stats.notifications_dropped,
            "abandoned": stats.notifications_abandoned,
        },
    });
    let body = Bytes::from(serde_json::to_vec(&body).ok()?);
    let response = Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, "application/json")
        .header(CONTENT_LENGTH, body.len())
        .body(body)
        .ok()?;
    Some(Outcome::Respond {
        response,
        truncate: false,
    })
}
