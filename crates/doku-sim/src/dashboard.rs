//! The dashboard (stub).
use http::Request;

use crate::pipeline::Outcome;
use crate::state::App;

pub(crate) fn is_request<B>(_req: &Request<B>) -> bool {
    false
}

pub(crate) fn answer<B>(_app: &App, _req: &Request<B>) -> Outcome {
    crate::html::respond(http::StatusCode::NOT_FOUND, String::new())
}
