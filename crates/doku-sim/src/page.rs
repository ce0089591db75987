//! The payment page (stub).
use bytes::Bytes;
use http::Request;
use hyper::body::Body;

use crate::pipeline::Outcome;
use crate::state::App;

pub(crate) fn is_request<B>(_req: &Request<B>) -> bool {
    false
}

pub(crate) async fn answer<B>(_app: &App, _req: Request<B>) -> Outcome
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    crate::html::respond(http::StatusCode::NOT_FOUND, String::new())
}
