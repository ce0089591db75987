//! SNAP: DOKU's Virtual Accounts under Bank Indonesia's open-API standard, both ways.
//!
//! Merchant → DOKU: the B2B token ([`Endpoint::SnapToken`], RSA-signed) and the Virtual Account
//! transactions (HMAC-SHA512-signed, with the token), on their own branch of the pipeline:
//! headers checked before the body is read, the body under the shared cap, faults, the
//! signature over the minified body, `X-EXTERNAL-ID` idempotency, then the handler. Answers are
//! `{"responseCode","responseMessage",…}` with the HTTP status of the code's first three digits.
//!
//! DOKU → merchant: [`pay`] (inquiry, token, payment notification with DOKU's retries).

mod check;
pub(crate) mod control;
mod external_ids;
mod keys;
mod merchant;
pub(crate) mod pay;
pub(crate) mod reply;
mod tokens;
pub(crate) mod va;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use doku_model::{Endpoint, Scheme};
use doku_sign::snap_asymmetric::PublicKey;
use doku_sign::snap_symmetric::{self, Message};
use doku_sign::MinifyReading;
use http::{HeaderMap, Method};
use hyper::body::Body;
use serde_json::Map;

use crate::faults::FaultKind;
use crate::pipeline::{finish_flow, respond, Flow};
use crate::readings::{SnapExternalIdRepeat, SnapMinify, SnapPathVersion};
use crate::response::Reply;
use crate::signature_check::header;
use crate::state::App;

pub(crate) use keys::DokuKeys;
#[cfg(all(test, feature = "cli"))]
pub(crate) use keys::TEST_PUBLIC_PEM;
pub(crate) use merchant::Registered;
pub use merchant::SnapMerchant;

pub(crate) use doku_sign::headers::{
    CHANNEL_ID, X_CLIENT_KEY, X_EXTERNAL_ID, X_PARTNER_ID, X_SIGNATURE, X_TIMESTAMP,
};

/// The call's SNAP service code (the middle of its `responseCode`s), from its declaration.
pub(crate) const fn service_code(endpoint: Endpoint) -> u8 {
    match endpoint.snap_service() {
        Some(code) => code,
        None => 0,
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The SNAP state of one simulator.
pub(crate) struct SnapState {
    merchants: Mutex<HashMap<String, Registered>>,
    /// DOKU's key pair (`None` only if the shipped key could not be read: never in practice).
    pub(crate) keys: Option<Arc<DokuKeys>>,
    pub(crate) tokens: tokens::SnapTokens,
    vas: Mutex<va::VaStore>,
    external_ids: Mutex<external_ids::ExternalIds>,
}

impl SnapState {
    pub(crate) fn new(merchants: &[Registered], keys: Option<Arc<DokuKeys>>) -> Self {
        Self {
            merchants: Mutex::new(
                merchants
                    .iter()
                    .map(|r| (r.merchant.client_id.clone(), r.clone()))
                    .collect(),
            ),
            keys,
            tokens: tokens::SnapTokens::new(),
            vas: Mutex::default(),
            external_ids: Mutex::default(),
        }
    }

    /// The public key of a registered SNAP merchant.
    pub(crate) fn public_key(&self, client_id: &str) -> Option<PublicKey> {
        lock(&self.merchants).get(client_id).map(|r| r.key.clone())
    }

    /// A registered SNAP merchant.
    pub(crate) fn merchant(&self, client_id: &str) -> Option<SnapMerchant> {
        lock(&self.merchants)
            .get(client_id)
            .map(|r| r.merchant.clone())
    }

    /// Registers (or replaces) a merchant.
    pub(crate) fn register(&self, registered: Registered) {
        lock(&self.merchants).insert(registered.merchant.client_id.clone(), registered);
    }

    pub(crate) fn vas(&self) -> MutexGuard<'_, va::VaStore> {
        lock(&self.vas)
    }
}

/// The doku-sign reading of a minification reading.
pub(crate) fn minify_reading(reading: SnapMinify) -> MinifyReading {
    match reading {
        SnapMinify::Whitespace => MinifyReading::Whitespace,
        SnapMinify::Php => MinifyReading::Php,
        SnapMinify::Node => MinifyReading::Node,
        SnapMinify::Jackson => MinifyReading::Jackson,
    }
}

/// The SNAP call served at `method` + `path` under the path-version reading, if any. A call
/// without older paths (the B2B token) keeps its path under every reading.
pub(crate) fn route(version: SnapPathVersion, method: &Method, path: &str) -> Option<Endpoint> {
    Endpoint::ALL.into_iter().find(|e| {
        e.scheme() != Scheme::NonSnap
            && e.method() == method.as_str()
            && ((e.path() == path && (version.serves(false) || e.older_paths().is_empty()))
                || (e.older_paths().contains(&path) && version.serves(true)))
    })
}

/// Whether `path` is a SNAP call's path, current or older (for 405 rather than 404).
pub(crate) fn is_snap_path(path: &str) -> bool {
    Endpoint::ALL.into_iter().any(|e| {
        e.scheme() != Scheme::NonSnap && (e.path() == path || e.older_paths().contains(&path))
    })
}

/// Faults armed for the endpoint: acts on the ones that act before processing; returns what is
/// left for after.
struct Armed {
    expire_token: bool,
    post: Option<FaultKind>,
}

async fn take_fault(app: &App, endpoint: Endpoint, service: u8) -> Result<Armed, Flow> {
    let mut armed = Armed {
        expire_token: false,
        post: None,
    };
    let Some(kind) = app.faults().take(endpoint) else {
        return Ok(armed);
    };
    app.stats().faults_applied += 1;
    match kind {
        FaultKind::Latency(d) => tokio::time::sleep(d).await,
        FaultKind::Status(code) => {
            let reply = reply::plain(
                code,
                service,
                0,
                format!("simulated HTTP {code} (fault injection)"),
            );
            return Err(respond(
                Reply {
                    retry_after: matches!(code, 429 | 503),
                    ..reply
                },
                "fault_status",
            ));
        }
        FaultKind::DropConnection => return Err(Flow::Drop("fault_drop")),
        FaultKind::NonJsonBody => {
            let reply = Reply {
                status: http::StatusCode::OK,
                body: Bytes::from_static(b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
                content_type: "text/html",
                retry_after: false,
            };
            return Err(respond(reply, "fault_non_json"));
        }
        FaultKind::ExpireToken => armed.expire_token = true,
        post => armed.post = Some(post),
    }
    Ok(armed)
}

/// The SNAP branch of the pipeline, for an endpoint whose scheme is SNAP.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn process<B>(
    app: &App,
    endpoint: Endpoint,
    method: &Method,
    headers: &HeaderMap,
    path: &str,
    query: Option<&str>,
    body: B,
) -> Flow
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let service = service_code(endpoint);
    match endpoint.scheme() {
        Scheme::SnapAsymmetric => token(app, endpoint, headers, body).await,
        Scheme::SnapSymmetric => {
            transaction(app, endpoint, method, headers, path, query, body).await
        }
        Scheme::NonSnap => respond(
            reply::plain(500, service, 0, "General Error: not a SNAP call"),
            "no_route",
        ),
    }
}

/// The body under the cap (a Non-SNAP error from the reader becomes SNAP's shape).
async fn read<B>(app: &App, service: u8, headers: &HeaderMap, body: B) -> Result<Bytes, Flow>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    match crate::body::read_body(app, headers, body).await {
        Ok(held) => Ok(held.bytes.clone()),
        Err(reply) => {
            let message = serde_json::from_slice::<serde_json::Value>(&reply.body)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| "the body could not be read".to_owned());
            let snap = reply::plain(reply.status.as_u16(), service, 0, message);
            Err(respond(
                Reply {
                    retry_after: reply.retry_after,
                    ..snap
                },
                "bad_body",
            ))
        }
    }
}

/// Content-Type: a doubt when not JSON (as on the Non-SNAP calls).
fn content_type_doubt(headers: &HeaderMap, doubts: &mut Vec<crate::doubts::Doubt>) {
    let media = header(headers, "Content-Type")
        .and_then(|ct| ct.split(';').next())
        .map(str::trim)
        .unwrap_or("");
    if !media.eq_ignore_ascii_case("application/json") {
        doubts.push(crate::doubts::Doubt {
            field: "Content-Type",
            why: check::CONTENT_TYPE_NOT_JSON,
        });
    }
}

/// `POST /authorization/v1/access-token/b2b`.
async fn token<B>(app: &App, endpoint: Endpoint, headers: &HeaderMap, body: B) -> Flow
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let service = service_code(Endpoint::SnapToken);
    let checked = match check::token_headers(app, headers) {
        Ok(c) => c,
        Err(reply) => return respond(reply, "bad_signature_headers"),
    };
    let bytes = match read(app, service, headers, body).await {
        Ok(b) => b,
        Err(flow) => return flow,
    };
    let armed = match take_fault(app, endpoint, service).await {
        Ok(a) => a,
        Err(flow) => return flow,
    };
    let mut doubts = checked.doubts;
    content_type_doubt(headers, &mut doubts);
    let reply = token_answer(app, checked.client_id, &bytes, doubts);
    let outcome = if reply.status.is_success() {
        "ok"
    } else {
        "refused"
    };
    finish_flow(reply, armed.post, outcome)
}

fn token_answer(
    app: &App,
    client_id: &str,
    body: &[u8],
    doubts: Vec<crate::doubts::Doubt>,
) -> Reply {
    let service = service_code(Endpoint::SnapToken);
    let Ok(serde_json::Value::Object(request)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return reply::bad_request(service, "the body must be a JSON object");
    };
    match request.get("grantType") {
        None | Some(serde_json::Value::Null) => return reply::mandatory(service, "grantType"),
        Some(serde_json::Value::String(g)) if g == "client_credentials" => {}
        Some(_) => {
            return reply::format(service, "grantType", "must be \"client_credentials\"");
        }
    }
    if let Some(info) = request.get("additionalInfo") {
        if !info.is_object() {
            return reply::format(service, "additionalInfo", "must be a JSON object");
        }
    }
    if let Err(r) = va::settle(app, service, Endpoint::SnapToken.name(), doubts) {
        return r;
    }
    let now = app.config.clock.unix_seconds();
    let token = app.snap.tokens.issue(client_id, now);
    app.stats().snap_tokens_issued += 1;
    let mut extra = Map::new();
    extra.insert("accessToken".into(), token.into());
    extra.insert("tokenType".into(), "Bearer".into());
    extra.insert(
        "expiresIn".into(),
        tokens::LIFETIME_SECONDS.to_string().into(),
    );
    reply::with(200, service, 0, "Successful", extra)
}

/// Create, Update, Delete VA and status.
#[allow(clippy::too_many_arguments)]
async fn transaction<B>(
    app: &App,
    endpoint: Endpoint,
    method: &Method,
    headers: &HeaderMap,
    path: &str,
    query: Option<&str>,
    body: B,
) -> Flow
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let service = service_code(endpoint);
    let checked = match check::symmetric_headers(app, endpoint, headers) {
        Ok(c) => c,
        Err(reply) => return respond(reply, "bad_signature_headers"),
    };
    let bytes = match read(app, service, headers, body).await {
        Ok(b) => b,
        Err(flow) => return flow,
    };
    let armed = match take_fault(app, endpoint, service).await {
        Ok(a) => a,
        Err(flow) => return flow,
    };
    if armed.expire_token {
        return respond(
            reply::invalid_token(service, "the token has expired (fault injection)"),
            "fault_expire_token",
        );
    }
    // The signature: over the body minified as DOKU's minifier reading says.
    let reading = app.config.readings.snap.minify;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return respond(
            reply::bad_request(service, "the body is not UTF-8 JSON"),
            "bad_body",
        );
    };
    let minified = if text.is_empty() {
        String::new()
    } else {
        match doku_sign::minify_as(minify_reading(reading), text) {
            Ok(m) => m,
            Err(e) => {
                return respond(
                    reply::bad_request(service, &format!("the body is not JSON: {e}")),
                    "bad_body",
                )
            }
        }
    };
    let target = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_owned(),
    };
    let message = Message {
        method: method.as_str(),
        path: &target,
        access_token: checked.token,
        body: minified.as_bytes(),
        timestamp: checked.timestamp,
    };
    if snap_symmetric::verify(&checked.key, &message, checked.signature).is_err() {
        let mut extra = Map::new();
        let string_to_sign = snap_symmetric::string_to_sign(&message);
        extra.insert("stringToSign".into(), string_to_sign.into());
        let reply = reply::with(
            401,
            service,
            0,
            "Unauthorized. Invalid Signature: X-SIGNATURE must be base64(HMAC-SHA512(client \
             secret, stringToSign)); stringToSign is what this server computed",
            extra,
        );
        return respond(reply, "bad_signature");
    }
    let mut doubts = checked.doubts;
    content_type_doubt(headers, &mut doubts);

    // X-EXTERNAL-ID: the first answer of the day is recorded; a repeat gets the reading's answer.
    let day = external_ids::jakarta_day(app.config.clock.unix_seconds());
    let (client_id, external_id) = (checked.client_id, checked.external_id);
    let mut ids = lock(&app.snap.external_ids);
    if let Some(recorded) = ids.get(client_id, day, external_id) {
        drop(ids);
        app.stats().snap_replays += 1;
        let reply = match app.config.readings.snap.external_id_repeat {
            SnapExternalIdRepeat::Replay => Reply::json_bytes(recorded.status, recorded.body),
            SnapExternalIdRepeat::Conflict => reply::conflict(
                service,
                "X-EXTERNAL-ID was already used today by this merchant",
            ),
        };
        return finish_flow(reply, armed.post, "replay");
    }
    let call = va::VaCall {
        client_id,
        body: &bytes,
        doubts,
    };
    let reply = match endpoint {
        Endpoint::CreateVa => va::create(app, call),
        Endpoint::UpdateVa => va::update(app, call),
        Endpoint::DeleteVa => va::delete(app, call),
        Endpoint::VaStatus => va::status(app, call),
        Endpoint::Token
        | Endpoint::CheckRequirements
        | Endpoint::UploadFile
        | Endpoint::BusinessRegistration
        | Endpoint::BusinessLite
        | Endpoint::GetBusinessData
        | Endpoint::Checkout
        | Endpoint::CheckStatus
        | Endpoint::SnapToken => {
            reply::plain(500, service, 0, "General Error: not a SNAP transaction")
        }
    };
    if reply.status.as_u16() < 500 {
        ids.record(
            client_id,
            day,
            external_id,
            external_ids::Recorded {
                status: reply.status,
                body: reply.body.clone(),
            },
        );
    }
    drop(ids);
    let outcome = if reply.status.is_success() {
        "ok"
    } else {
        "refused"
    };
    finish_flow(reply, armed.post, outcome)
}
