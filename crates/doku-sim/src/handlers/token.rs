//! `POST /token`: issue a bearer token.

use doku_model::{TokenRequest, TokenResponse};
use http::StatusCode;

use super::{decode_json, require_json, try_reply, validate, Req};
use crate::response::Reply;
use crate::state::App;

pub(crate) fn handle(app: &App, req: &Req<'_>) -> Reply {
    try_reply!(require_json(app, req));
    let body: TokenRequest = try_reply!(decode_json(req.body));
    try_reply!(validate(&body));
    let minutes = body
        .valid_time_minutes()
        .unwrap_or(app.config.token_valid_minutes);
    let (token, _claims) =
        app.tokens
            .issue(req.client_id, app.config.clock.unix_seconds(), minutes);
    *app.stats()
        .tokens_issued
        .entry(req.client_id.to_owned())
        .or_default() += 1;
    Reply::json(StatusCode::OK, &TokenResponse::new(token))
}
