//! Receiving DOKU notifications with axum, verified with `doku-sign` alone.
//!
//! DOKU signs a notification like a request, where `Request-Target` is the path of *your* notification URL and
//! the Digest is over the raw bytes it sent. So the handler takes the body as [`Bytes`] —
//! never as an already-parsed `Json<T>`, whose re-serialisation would not match — verifies, and only then
//! parses. It answers 200 quickly (DOKU retries failed notifications) and 401 when the signature is wrong.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use doku_sign::non_snap::Message;
use doku_sign::notification::{self, Freshness};
use doku_sign::SecretKey;

/// The path DOKU is configured to call (it is part of what DOKU signs).
pub const NOTIFICATION_PATH: &str = "/payments/notifications";

/// What the handler needs: the shared secret, a clock and the replay window.
pub struct Receiver {
    /// DOKU's secret key for this merchant.
    pub secret_key: SecretKey,
    /// Current Unix time in seconds; injected so tests can fix it.
    pub now: fn() -> i64,
    /// Largest accepted distance between `Request-Timestamp` and now.
    pub tolerance_seconds: u32,
}

/// The current time from the system clock.
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The axum router with the notification route.
pub fn router(receiver: Receiver) -> Router {
    Router::new()
        .route(NOTIFICATION_PATH, post(receive))
        .with_state(Arc::new(receiver))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let (Some(client_id), Some(request_id), Some(timestamp), Some(signature)) = (
        header(&headers, "Client-Id"),
        header(&headers, "Request-Id"),
        header(&headers, "Request-Timestamp"),
        header(&headers, "Signature"),
    ) else {
        return (StatusCode::BAD_REQUEST, "missing signature headers");
    };
    let message = Message {
        client_id,
        request_id,
        timestamp,
        target: NOTIFICATION_PATH,
        body: Some(&body),
    };
    let window = Freshness {
        now_unix_seconds: (receiver.now)(),
        tolerance_seconds: receiver.tolerance_seconds,
    };
    match notification::verify(&receiver.secret_key, &message, signature, Some(window)) {
        Ok(()) => {
            // Verified: now parse `body` and record the payment (idempotently, keyed by Request-Id).
            (StatusCode::OK, "OK")
        }
        Err(_) => (StatusCode::UNAUTHORIZED, "invalid signature"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use doku_sign::non_snap::{self, Kind};
    use tower::ServiceExt;

    const NOW: i64 = 1_600_739_460; // 2020-09-22T01:51:00Z

    fn app() -> Router {
        router(Receiver {
            secret_key: SecretKey::from("SK-merchant"),
            now: || NOW,
            tolerance_seconds: 300,
        })
    }

    fn notification(body: &'static [u8], signed_body: &[u8], timestamp: &str) -> Request<Body> {
        let message = Message {
            client_id: "MCH-0001",
            request_id: "notif-1",
            timestamp,
            target: NOTIFICATION_PATH,
            body: Some(signed_body),
        };
        let signature = non_snap::sign(&SecretKey::from("SK-merchant"), Kind::Request, &message);
        Request::post(NOTIFICATION_PATH)
            .header("Client-Id", "MCH-0001")
            .header("Request-Id", "notif-1")
            .header("Request-Timestamp", timestamp)
            .header("Signature", signature.to_string())
            .body(Body::from(body))
            .expect("request")
    }

    const BODY: &[u8] = br#"{"order":{"invoice_number":"INV-1","amount":10000.00}}"#;

    #[tokio::test]
    async fn accepts_a_signed_notification() {
        let response = app()
            .oneshot(notification(BODY, BODY, "2020-09-22T01:51:00Z"))
            .await
            .expect("response");
        assert_eq!(response.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn refuses_a_tampered_body_and_a_stale_timestamp() {
        let tampered = app()
            .oneshot(notification(BODY, b"{}", "2020-09-22T01:51:00Z"))
            .await
            .expect("response");
        assert_eq!(tampered.status(), StatusCode::UNAUTHORIZED);
        let stale = app()
            .oneshot(notification(BODY, BODY, "2020-09-22T00:51:00Z"))
            .await
            .expect("response");
        assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    }

    #[tokio::test]
    async fn refuses_missing_headers() {
        let request = Request::post(NOTIFICATION_PATH)
            .body(Body::from(BODY))
            .expect("request");
        let response = app().oneshot(request).await.expect("response");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
}
