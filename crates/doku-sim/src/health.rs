//! `GET /health`: a readiness probe for scripts and CI jobs in any language.
//!
//! It answers `200 {"status":"ok"}` without authentication, before routing, faults, stats or logging, so a
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

/// The counters' path (simulator-only, outside DOKU's prefixes like the pay trigger).
pub(crate) const STATS_PATH: &str = "/doku-sim/v1/stats";

/// The probe's body, exactly: scripts compare it whole.
const OK_BODY: &[u8] = br#"{"status":"ok"}"#;

/// Answers `GET /health` (any query) with `{"status":"ok"}`, and `GET /doku-sim/v1/stats` with
/// what a developer watching the simulator wants to see without a Rust handle: how many requests
/// were accepted although DOKU might refuse them (`warnings`; `--strict` would refuse them) and
/// the notification delivery counts (`delivered`, `queued` waiting for a slot, `dropped`,
/// `abandoned` after the last retry). Else `None`: the request goes on through the pipeline
/// (other methods on these paths get the pipeline's 404 like any unknown path).
pub(crate) fn answer<B>(app: &App, req: &Request<B>) -> Option<Outcome> {
    if req.method() != Method::GET {
        return None;
    }
    let body = match req.uri().path() {
        PATH => Bytes::from_static(OK_BODY),
        STATS_PATH => {
            let stats = app.stats_snapshot();
            let body = serde_json::json!({
                "warnings": stats.warnings,
                "notifications": {
                    "delivered": stats.notifications_delivered,
                    "queued": stats.notifications_queued,
                    "dropped": stats.notifications_dropped,
                    "abandoned": stats.notifications_abandoned,
                },
            });
            Bytes::from(serde_json::to_vec(&body).ok()?)
        }
        _ => return None,
    };
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
