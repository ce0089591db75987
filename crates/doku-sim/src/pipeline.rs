//! The life of one request: route, read the body (capped), pre-processing faults, signature,
//! idempotency, bearer token, handler, post-processing faults, signed response, log line.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use doku_model::{Endpoint, Scheme};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use hyper::body::{Body, Incoming};

use crate::body;
use crate::echo::echo;
use crate::faults::FaultKind;
use crate::handlers::{dispatch, Req};
use crate::idempotency::{self, Begin, Fingerprint, Stored};
use crate::response::{finish, Delivery, Reply, SignWith, SimBody};
use crate::signature_check::{self, header};
use crate::state::App;
use crate::tokens::TokenError;

/// Returned to hyper to close the connection without a response.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DropConnection {}

/// What [`process`] decided: an answer (with how to deliver it and an outcome for the log) or
/// a dropped connection.
pub(crate) enum Flow {
    Respond(Reply, Delivery, &'static str),
    Drop(&'static str),
}

/// An answer delivered normally.
pub(crate) fn respond(reply: Reply, outcome: &'static str) -> Flow {
    Flow::Respond(reply, Delivery::default(), outcome)
}

/// Longest path plus query accepted; DOKU's targets are under 200 bytes. Keeps echoes of the
/// target (404 messages, `error.string_to_sign`) small.
const MAX_URI_BYTES: usize = 4096;

/// 414 for a request target longer than [`MAX_URI_BYTES`].
fn within_uri_cap(path: &str, query: Option<&str>) -> Result<(), Reply> {
    let len = path.len() + query.map_or(0, |q| q.len() + 1);
    if len <= MAX_URI_BYTES {
        return Ok(());
    }
    Err(Reply::error(
        StatusCode::URI_TOO_LONG,
        "uri_too_long",
        format!("the request target is {len} bytes; at most {MAX_URI_BYTES} accepted"),
    ))
}

/// Maps method + path to an endpoint of [`Endpoint`]'s table, or a 404/405 reply. SNAP calls
/// are served on the paths the path-version reading names (current, older or both).
fn route(app: &App, method: &Method, path: &str) -> Result<Endpoint, Reply> {
    if let Some(endpoint) = crate::snap::route(app.config.readings.snap.path_version, method, path)
    {
        return Ok(endpoint);
    }
    if let Some((endpoint, _)) = Endpoint::recognise(method.as_str(), path) {
        if endpoint.scheme() == Scheme::NonSnap {
            return Ok(endpoint);
        }
    }
    let known_path = ["GET", "POST"].into_iter().any(|other| {
        Endpoint::recognise(other, path).is_some_and(|(e, _)| e.scheme() == Scheme::NonSnap)
    }) || (crate::snap::is_snap_path(path)
        && ["POST", "PUT", "DELETE"].into_iter().any(|other| {
            let other = Method::from_bytes(other.as_bytes()).unwrap_or(Method::POST);
            crate::snap::route(app.config.readings.snap.path_version, &other, path).is_some()
        }));
    Err(if known_path {
        Reply::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{} is not allowed on {path}", echo(method.as_str())),
        )
    } else {
        Reply::error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no endpoint at {}", echo(path)),
        )
    })
}

/// What the pipeline decided for one request, before it is turned into a hyper body.
pub(crate) enum Outcome {
    /// Answer with this response; `truncate` cuts the body after half (TruncatedBody fault).
    Respond {
        response: Response<Bytes>,
        truncate: bool,
    },
    /// Close the connection without answering.
    Drop,
}

/// Handles one request from a socket. `Err` makes hyper close the connection without
/// answering.
pub(crate) async fn handle(
    app: Arc<App>,
    req: Request<Incoming>,
) -> Result<Response<SimBody>, DropConnection> {
    match run(&app, req).await {
        Outcome::Drop => Err(DropConnection),
        Outcome::Respond { response, truncate } => Ok(response.map(|body| {
            if truncate {
                SimBody::truncated(body)
            } else {
                SimBody::full(body)
            }
        })),
    }
}

/// The whole pipeline for one request, with any body type (hyper's `Incoming` from a socket,
/// `Full<Bytes>` in process).
pub(crate) async fn run<B>(app: &App, req: Request<B>) -> Outcome
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if let Some(outcome) = crate::health::answer(app, &req) {
        return outcome;
    }
    if crate::pay::is_pay_request(&req) {
        return crate::pay::answer(app, req).await;
    }
    if crate::snap::control::is_control(&req) {
        return crate::snap::control::answer(app, req).await;
    }
    if crate::notification_urls::is_request(&req) {
        return crate::notification_urls::answer(app, req).await;
    }
    if crate::deliveries::is_request(&req) {
        return crate::deliveries::answer(app, req).await;
    }
    if crate::page::is_request(&req) {
        return crate::page::answer(app, req).await;
    }
    if crate::dashboard::is_request(&req) {
        return crate::dashboard::answer(app, &req);
    }
    let started = Instant::now();
    app.count_request();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path();
    let query = parts.uri.query();
    let target = signature_check::request_target(&app.config, path, query);
    let routed = within_uri_cap(path, query).and_then(|()| route(app, &parts.method, path));
    let endpoint_name = routed.as_ref().map_or("unknown", |e| e.name());
    let endpoint = routed.as_ref().ok().copied();

    let flow = process(
        app,
        routed,
        &parts.method,
        &parts.headers,
        path,
        query,
        &target,
        body,
    )
    .await;

    let latency_ms = started.elapsed().as_millis();
    match flow {
        Flow::Drop(outcome) => {
            tracing::info!(method = %parts.method, path = %path, endpoint = endpoint_name, outcome, latency_ms, "request");
            Outcome::Drop
        }
        Flow::Respond(reply, delivery, outcome) => {
            let status = reply.status;
            if status.is_client_error() && status != StatusCode::CONFLICT {
                app.stats().rejected += 1;
            }
            let client_id = header(&parts.headers, doku_sign::headers::CLIENT_ID);
            let request_id = header(&parts.headers, doku_sign::headers::REQUEST_ID)
                .filter(|r| doku_model::RequestId::new(*r).is_ok());
            let snap = endpoint.is_some_and(|e| e.scheme() != Scheme::NonSnap);
            let key = match (endpoint, client_id) {
                // SNAP answers carry no Non-SNAP response signature.
                (Some(_), _) if snap => None,
                (Some(e), Some(c)) => app.key_for(e, c),
                (None, Some(c)) => app.config.secret_for(c).cloned(),
                _ => None,
            };
            let sign = match (client_id, request_id, key.as_ref()) {
                (Some(c), Some(r), Some(key)) => Some(SignWith {
                    key,
                    client_id: c,
                    request_id: r,
                    target: &target,
                    digest: app
                        .config
                        .readings
                        .get_response_digest
                        .signs_digest(&parts.method),
                }),
                _ => None,
            };
            let reply = match endpoint {
                Some(e)
                    if e.credentials() == doku_model::Credentials::Merchant
                        && e.scheme() == Scheme::NonSnap =>
                {
                    crate::checkout_errors::envelope(reply)
                }
                _ => reply,
            };
            let timestamp = app.response_timestamp();
            tracing::info!(
                method = %parts.method, path = %path, endpoint = endpoint_name, status = status.as_u16(),
                outcome, latency_ms, "request"
            );
            Outcome::Respond {
                response: finish(reply, sign, &timestamp, delivery),
                truncate: delivery.truncate,
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn process<B>(
    app: &App,
    routed: Result<Endpoint, Reply>,
    method: &Method,
    headers: &HeaderMap,
    path: &str,
    query: Option<&str>,
    target: &str,
    body: B,
) -> Flow
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let endpoint = match routed {
        Ok(e) => e,
        Err(reply) => return respond(reply, "no_route"),
    };
    if endpoint.scheme() != Scheme::NonSnap {
        return crate::snap::process(app, endpoint, method, headers, path, query, body).await;
    }
    // Refuse before reading: everything the headers alone can tell is checked before one body
    // byte is buffered; the body is then read under the size cap and the in-flight budget.
    let key_for = |id: &str| app.key_for(endpoint, id);
    let checked = match signature_check::check_headers(
        &app.config,
        &key_for,
        headers,
        app.config.clock.unix_seconds(),
    ) {
        Ok(checked) => checked,
        Err(reply) => return respond(reply, "bad_signature_headers"),
    };
    let held = match body::read_body(app, headers, body).await {
        Ok(held) => held,
        Err(reply) => return respond(reply, "bad_body"),
    };
    let bytes = held.bytes.clone(); // `held` keeps its share of the budget until the answer

    // Faults that act before processing. An injected status is answered after the signature
    // check, so that (under the replay-all reading) a refusal of an authenticated request is
    // recorded like DOKU might record it.
    let mut expire_token = false;
    let mut post_fault = None;
    let mut injected = None;
    let armed = app.faults().take(endpoint);
    if let Some(kind) = armed {
        app.stats().faults_applied += 1;
        match kind {
            FaultKind::Latency(d) => tokio::time::sleep(d).await,
            FaultKind::Status(code) => {
                let status =
                    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                injected = Some(Reply::error(
                    status,
                    "simulated_fault",
                    format!("simulated HTTP {code} (fault injection)"),
                ));
            }
            FaultKind::DropConnection => return Flow::Drop("fault_drop"),
            FaultKind::NonJsonBody => {
                let reply = Reply {
                    status: StatusCode::OK,
                    body: Bytes::from_static(b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
                    content_type: "text/html",
                    retry_after: false,
                };
                return respond(reply, "fault_non_json");
            }
            FaultKind::ExpireToken => expire_token = true,
            post => post_fault = Some(post),
        }
    }

    let signed_body = (method != Method::GET && method != Method::HEAD).then(|| bytes.clone());
    if let Err(reply) = signature_check::check_signature(&checked, target, signed_body).await {
        return respond(reply, "bad_signature_headers");
    }
    let (client_id, request_id) = (checked.client_id, checked.request_id);

    let reading = app.config.readings.idempotency;
    let fingerprint = Fingerprint::of(method.as_str(), path, query, &bytes);
    if let Some(reply) = injected {
        if idempotency::is_recorded(reading, reply.status) {
            let stored = Stored {
                body: reply.body.clone(),
            };
            app.idempotency()
                .record_if_absent(client_id, request_id, fingerprint, stored);
        }
        return respond(reply, "fault_status");
    }
    let begin = app
        .idempotency()
        .begin(reading, client_id, request_id, fingerprint);
    let (reply, outcome) = match begin {
        Begin::Replay(stored) => {
            app.stats().replays += 1;
            (Reply::replay(stored.body), "replay")
        }
        Begin::Conflict => {
            let reply = Reply::error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "request_id_reused",
                format!("Request-Id {request_id:?} was already used for a different request"),
            );
            return respond(reply, "request_id_reused");
        }
        Begin::InFlight => {
            let reply = Reply::error(
                StatusCode::TOO_MANY_REQUESTS,
                "request_in_progress",
                format!("a request with Request-Id {request_id:?} is still being processed"),
            );
            return respond(reply, "in_flight");
        }
        Begin::Fresh => {
            let reply = match check_bearer(app, endpoint, headers, client_id, expire_token) {
                Err(reply) => reply,
                Ok(()) => {
                    let req = Req {
                        client_id,
                        path,
                        query,
                        content_type: header(headers, "Content-Type"),
                        body: &bytes,
                        request_id,
                        headers,
                    };
                    dispatch(app, endpoint, &req)
                }
            };
            let stored = idempotency::is_recorded(reading, reply.status).then(|| Stored {
                body: reply.body.clone(),
            });
            app.idempotency()
                .finish(client_id, request_id, fingerprint, stored);
            let outcome = if reply.status.is_success() {
                "ok"
            } else {
                "refused"
            };
            (reply, outcome)
        }
    };

    finish_flow(reply, post_fault, outcome)
}

/// Applies a post-processing fault (if any) to a processed request's answer.
pub(crate) fn finish_flow(
    reply: Reply,
    post_fault: Option<FaultKind>,
    outcome: &'static str,
) -> Flow {
    match post_fault {
        Some(FaultKind::ProcessThenDrop) => Flow::Drop("fault_process_then_drop"),
        Some(FaultKind::TruncatedBody) => Flow::Respond(
            reply,
            Delivery {
                truncate: true,
                ..Delivery::default()
            },
            "fault_truncated",
        ),
        Some(FaultKind::WrongSignature) => Flow::Respond(
            reply,
            Delivery {
                wrong_signature: true,
                ..Delivery::default()
            },
            "fault_wrong_signature",
        ),
        _ => Flow::Respond(reply, Delivery::default(), outcome),
    }
}

/// Checks `Authorization: Bearer` where the bearer reading requires it (checked wherever it is
/// present, except on Generate Token).
fn check_bearer(
    app: &App,
    endpoint: Endpoint,
    headers: &HeaderMap,
    client_id: &str,
    expire: bool,
) -> Result<(), Reply> {
    let auth = header(headers, http::header::AUTHORIZATION.as_str());
    if auth.is_none() && !app.config.readings.bearer.required_on(endpoint) {
        return Ok(());
    }
    if endpoint == Endpoint::Token {
        return Ok(());
    }
    let unauthorized =
        |code: &str, msg: &str| Reply::error(StatusCode::UNAUTHORIZED, code, msg.to_owned());
    let Some(auth) = auth else {
        return Err(unauthorized(
            "missing_token",
            "missing header Authorization: Bearer <token>",
        ));
    };
    let Some(token) = auth
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Err(unauthorized(
            "invalid_token",
            "Authorization must be `Bearer <token>`",
        ));
    };
    if expire {
        return Err(unauthorized("expired_token", TokenError::Expired.message()));
    }
    match app.tokens.check(
        token,
        client_id,
        app.config.clock.unix_seconds(),
        app.config.readings.token_revokes_previous,
    ) {
        Ok(_) => Ok(()),
        Err(e) => {
            let code = if e == TokenError::Expired {
                "expired_token"
            } else {
                "invalid_token"
            };
            Err(unauthorized(code, e.message()))
        }
    }
}
