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

/// The probe's path.
pub(crate) const PATH: &str = "/health";

/// The probe's body.
const BODY: &[u8] = br#"{"status":"ok"}"#;

/// Answers the probe when `req` is `GET /health` (any query), else `None` and the request goes on
/// through the pipeline (other methods on `/health` get the pipeline's 404 like any unknown path).
pub(crate) fn answer<B>(req: &Request<B>) -> Option<Outcome> {
    if req.method() != Method::GET || req.uri().path() != PATH {
        return None;
    }
    let response = Response::builder()
        .status(StatusCode::OK)
        .header(CONTENT_TYPE, "application/json")
        .header(CONTENT_LENGTH, BODY.len())
        .body(Bytes::from_static(BODY))
        .ok()?;
    Some(Outcome::Respond {
        response,
        truncate: false,
    })
}
