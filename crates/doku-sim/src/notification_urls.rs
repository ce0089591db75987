//! Each merchant's Notification URL at run time. DOKU's Back Office setting (Integration >
//! Notification) is per merchant, so several receivers can be notified, one per merchant; a
//! brand registered through the Partner API gets its id only then, so its URL is set here
//! (unauthenticated, like `/doku-sim/v1/pay`: the simulator listens on loopback, and DOKU has
//! no such path):
//!
//! - `GET /doku-sim/v1/notification-urls`: `{"default": URL|null, "merchants": {ID: URL, …}}`;
//! - `POST /doku-sim/v1/notification-urls` with `{"client_id": ID, "url": URL|null}`: sets the
//!   merchant's own URL (`null` removes it: the default applies again).

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use hyper::body::Body;
use serde::Deserialize;

use crate::pipeline::Outcome;
use crate::snap::control::{json, refusal};
use crate::state::App;

/// Where merchants' Notification URLs are read and set.
pub const NOTIFICATION_URLS_PATH: &str = "/doku-sim/v1/notification-urls";

/// What `POST /doku-sim/v1/notification-urls` takes.
#[derive(Deserialize)]
struct SetUrl {
    client_id: String,
    url: Option<String>,
}

/// Whether `req` is for [`NOTIFICATION_URLS_PATH`].
pub(crate) fn is_request<B>(req: &Request<B>) -> bool {
    req.uri().path() == NOTIFICATION_URLS_PATH
}

/// The merchants' URLs as JSON.
fn listing(app: &App) -> serde_json::Value {
    let merchants: serde_json::Map<String, serde_json::Value> = app
        .notification_urls()
        .into_iter()
        .map(|(id, url)| (id, url.into()))
        .collect();
    serde_json::json!({"default": app.config.notification_url, "merchants": merchants})
}

/// Answers `GET` and `POST` [`NOTIFICATION_URLS_PATH`].
pub(crate) async fn answer<B>(app: &App, req: Request<B>) -> Outcome
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    app.count_request();
    match *req.method() {
        Method::GET => return json(StatusCode::OK, &listing(app)),
        Method::POST => {}
        _ => {
            return refusal(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "use GET or POST",
            )
        }
    }
    let (parts, body) = req.into_parts();
    let held = match crate::body::read_body(app, &parts.headers, body).await {
        Ok(held) => held,
        Err(reply) => {
            let value = serde_json::from_slice(&reply.body).unwrap_or_default();
            return json(reply.status, &value);
        }
    };
    let set: SetUrl = match serde_json::from_slice(&held.bytes) {
        Ok(set) => set,
        Err(e) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                &format!("expected {{\"client_id\":…, \"url\":\"http://…\"|null}}: {e}"),
            )
        }
    };
    match app.set_notification_url(&set.client_id, set.url.as_deref()) {
        Ok(()) => json(StatusCode::OK, &listing(app)),
        Err(why) => refusal(StatusCode::BAD_REQUEST, "invalid_notification_url", &why),
    }
}
