//! A DOKU payment-notification receiver: axum, verified with doku-partner, recorded once in SQLite.
//!
//! DOKU signs a notification like a request whose `Request-Target` is the path of *your*
//! notification URL and whose Digest covers the raw bytes it sent. So the handler takes the body
//! as [`Bytes`] — never as an already-parsed `Json<T>`, whose re-serialisation would not match —
//! verifies it with [`doku_partner::verify_notification`], records it in SQLite keyed by its
//! dedup key (a DOKU retry is applied once), and answers 200 at once. A notification that does
//! not verify gets 401, a malformed one 400 (DOKU retries both); a database failure gets 500 so
//! DOKU retries later. Checkout's `FAILED` is recorded but not final, as DOKU advises.

mod store;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use doku_partner::{verify_notification, MerchantKeys, NotificationRefusal};

pub use store::{Applied, Payment, Store};

/// The path DOKU is configured to call (it is part of what DOKU signs).
pub const NOTIFICATION_PATH: &str = "/payments/notifications";

/// What the handler needs: the merchants' keys and the store.
pub struct Receiver {
    /// The key of each merchant, found by `Client-Id`.
    pub keys: Box<dyn MerchantKeys + Send + Sync>,
    /// Where processed notifications are recorded.
    pub store: Store,
}

/// The axum router with the notification route.
pub fn router(receiver: Receiver) -> Router {
    Router::new()
        .route(NOTIFICATION_PATH, post(receive))
        .with_state(Arc::new(receiver))
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let verified =
        match verify_notification(&headers, &body, NOTIFICATION_PATH, &*receiver.keys, None) {
            Ok(v) => v,
            Err(refusal) => {
                eprintln!("refused a notification: {refusal}");
                return match refusal {
                    NotificationRefusal::Signature(_) | NotificationRefusal::UnknownClient => {
                        (StatusCode::UNAUTHORIZED, "invalid signature")
                    }
                    _ => (StatusCode::BAD_REQUEST, "malformed notification"),
                };
            }
        };
    let state = receiver.clone();
    let recorded = tokio::task::spawn_blocking(move || state.store.record(&verified, &body)).await;
    match recorded {
        Ok(Ok(_)) => (StatusCode::OK, "OK"),
        Ok(Err(e)) => {
            eprintln!("cannot record a notification: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "try again")
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "try again"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use doku_sign::SecretKey;
    // The test partner's credentials play the merchant whose key signs notifications.
    use doku_test_support::{
        Signing, PARTNER_CLIENT_ID as MERCHANT, PARTNER_SECRET as MERCHANT_KEY,
    };
    use tower::ServiceExt;

    fn receiver() -> Arc<Receiver> {
        Arc::new(Receiver {
            keys: Box::new(SecretKey::new(MERCHANT_KEY)),
            store: Store::in_memory().expect("database"),
        })
    }

    fn app(receiver: &Arc<Receiver>) -> Router {
        Router::new()
            .route(NOTIFICATION_PATH, post(receive))
            .with_state(receiver.clone())
    }

    fn body(invoice: &str, status: &str) -> Vec<u8> {
        format!(
            r#"{{"order":{{"invoice_number":"{invoice}","amount":19000.00}},"transaction":{{"status":"{status}","date":"2026-09-30T06:29:46Z"}},"channel":{{"id":"QRIS_DOKU"}}}}"#
        )
        .into_bytes()
    }

    /// DOKU's notification: headers signed by the merchant's key over `signed`, carrying `sent`.
    fn notification(sent: Vec<u8>, signed: &[u8], request_id: &str) -> Request<Body> {
        let signed = Signing {
            client_id: MERCHANT,
            secret: MERCHANT_KEY,
            path: NOTIFICATION_PATH,
            body: signed,
            request_id,
            timestamp: "2026-09-30T06:29:47Z",
            ..Signing::default()
        }
        .sign();
        let mut request = Request::post(NOTIFICATION_PATH);
        for (name, value) in signed.headers {
            request = request.header(name, value);
        }
        request.body(Body::from(sent)).expect("request")
    }

    async fn send(receiver: &Arc<Receiver>, request: Request<Body>) -> StatusCode {
        app(receiver)
            .oneshot(request)
            .await
            .expect("response")
            .status()
    }

    /// Sends a correctly signed notification of `invoice` at `status` with DOKU's `request_id`.
    async fn deliver(
        r: &Arc<Receiver>,
        invoice: &str,
        status: &str,
        request_id: &str,
    ) -> StatusCode {
        let b = body(invoice, status);
        send(r, notification(b.clone(), &b, request_id)).await
    }

    /// The recorded (status, is_final) of `invoice`.
    fn state(r: &Arc<Receiver>, invoice: &str) -> (String, bool) {
        let p = r
            .store
            .payment(MERCHANT, invoice)
            .expect("query")
            .expect("row");
        (p.status, p.is_final)
    }

    #[tokio::test]
    async fn a_retried_notification_is_applied_once() {
        let r = receiver();
        // DOKU retries (+30 min, +6 h, +12 h), with the same or a new Request-Id.
        for request_id in ["n-1", "n-1", "n-2"] {
            assert_eq!(
                deliver(&r, "INV-1", "SUCCESS", request_id).await,
                StatusCode::OK
            );
        }
        assert_eq!(r.store.notification_count().expect("count"), 1);
        assert_eq!(state(&r, "INV-1"), ("SUCCESS".to_owned(), true));
    }

    #[tokio::test]
    async fn failed_is_recorded_but_not_final() {
        let r = receiver();
        assert_eq!(deliver(&r, "INV-2", "FAILED", "n-1").await, StatusCode::OK);
        assert_eq!(state(&r, "INV-2"), ("FAILED".to_owned(), false));
        // The customer retries with another method and pays.
        assert_eq!(deliver(&r, "INV-2", "SUCCESS", "n-2").await, StatusCode::OK);
        assert_eq!(state(&r, "INV-2"), ("SUCCESS".to_owned(), true));
        // A late FAILED does not undo a final SUCCESS.
        assert_eq!(deliver(&r, "INV-2", "FAILED", "n-3").await, StatusCode::OK);
        assert_eq!(state(&r, "INV-2"), ("SUCCESS".to_owned(), true));
        assert_eq!(
            r.store.notification_count().expect("count"),
            2,
            "the late FAILED is a duplicate event"
        );
    }

    #[tokio::test]
    async fn tampered_and_malformed_notifications_are_refused_and_not_recorded() {
        let r = receiver();
        let b = body("INV-3", "SUCCESS");
        let tampered = body("INV-3", "SUCCESS").into_iter().chain(*b" ").collect();
        assert_eq!(
            send(&r, notification(tampered, &b, "n-1")).await,
            StatusCode::UNAUTHORIZED
        );
        let bare = Request::post(NOTIFICATION_PATH)
            .body(Body::from(b))
            .expect("request");
        assert_eq!(send(&r, bare).await, StatusCode::BAD_REQUEST);
        assert_eq!(r.store.notification_count().expect("count"), 0);
    }

    #[test]
    fn the_database_is_created_on_first_run_and_kept() {
        let dir = std::env::temp_dir().join(format!("doku-receiver-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("notifications.sqlite");
        let _ = std::fs::remove_file(&path);
        assert!(!path.exists());
        Store::open(&path).expect("create");
        assert!(path.exists(), "created on first run");
        Store::open(&path).expect("reopen");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
