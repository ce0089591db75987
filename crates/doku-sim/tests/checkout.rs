//! DOKU Checkout, Check Status and payment notifications, over real HTTP: a brand registered
//! through the Partner calls takes payments with its own `shared_key`; the payment trigger
//! delivers a notification that doku-partner's verifier accepts; retries follow DOKU's schedule
//! (compressed by the time scale).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::shapes::{assert_same, shape};
use common::*;
use doku_model::Endpoint;
use doku_sign::SecretKey;
use doku_sim::{NotificationRetryRequestId, PayStatus, Readings, SimConfigBuilder, PAY_PATH};
use http_body_util::{BodyExt as _, Full};
use serde_json::Value;

fn order_status(id: &str) -> String {
    Endpoint::CheckStatus.path_with(id)
}

const CHECKOUT_PAYMENT: &str = Endpoint::Checkout.path();
const NOTIFY_PATH: &str = "/payments/notifications";
/// DOKU's schedule (+30 min, +6 h, +12 h) × 0.0001 = +0.18 s, +2.16 s, +4.32 s.
const SCALE: f64 = 0.0001;

/// One notification as a receiver saw it.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    headers: http::HeaderMap,
    body: Bytes,
}

/// How the test receiver answers.
#[derive(Clone, Copy)]
enum Answer {
    /// This status to every attempt.
    Always(u16),
    /// 500 to the first `n` attempts, then 200.
    FailFirst(usize),
    /// Never answers (holds the request open).
    Hang,
}

/// A tiny hyper server that records every request and answers as told.
struct Receiver {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Receiver {
    async fn start(answer: Answer) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |req: http::Request<hyper::body::Incoming>| {
                            let log = Arc::clone(&log);
                            async move {
                                let (parts, body) = req.into_parts();
                                let body = body.collect().await.unwrap().to_bytes();
                                let n = {
                                    let mut log = log.lock().unwrap();
                                    log.push(Seen {
                                        path: parts.uri.path().to_owned(),
                                        headers: parts.headers,
                                        body,
                                    });
                                    log.len()
                                };
                                let status = match answer {
                                    Answer::Always(s) => s,
                                    Answer::FailFirst(k) if n <= k => 500,
                                    Answer::FailFirst(_) => 200,
                                    Answer::Hang => {
                                        std::future::pending::<()>().await;
                                        500
                                    }
                                };
                                Ok::<_, std::convert::Infallible>(
                                    http::Response::builder()
                                        .status(status)
                                        .body(Full::new(Bytes::from_static(b"ok")))
                                        .unwrap(),
                                )
                            }
                        },
                    );
                    let io = hyper_util::rt::TokioIo::new(stream);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(io, service)
                        .await;
                });
            }
        });
        Self { addr, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits (at most `within`) until `n` requests arrived.
    async fn wait_for(&self, n: usize, within: Duration) -> Vec<Seen> {
        let deadline = Instant::now() + within;
        while self.seen().len() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.seen()
    }
}

async fn start_notifying(
    url: Option<String>,
    tune: impl FnOnce(SimConfigBuilder) -> SimConfigBuilder,
) -> Fixture {
    start_with(move |b| {
        let b = tune(b.time_scale(SCALE));
        match url {
            Some(url) => b.notification_url(url),
            None => b,
        }
    })
    .await
}

fn checkout_body(invoice: &str, override_url: Option<&str>) -> Vec<u8> {
    let mut body = serde_json::json!({
        "order": {"amount": 20000, "invoice_number": invoice},
        "payment": {"payment_due_date": 60, "payment_method_types": ["VIRTUAL_ACCOUNT_BCA", "QRIS"]},
    });
    if let Some(url) = override_url {
        body["additional_info"] = serde_json::json!({ "override_notification_url": url });
    }
    serde_json::to_vec(&body).unwrap()
}

/// Creates a Checkout payment as `brand` with `key`; returns the answer.
async fn create(f: &Fixture, brand: &str, key: &str, body: &[u8], request_id: &str) -> RawResponse {
    let mut call = f.call("POST", CHECKOUT_PAYMENT, body);
    call.client_id = brand;
    call.secret = key;
    call.request_id = request_id.to_owned();
    f.send(&call).await.unwrap()
}

/// A started simulator (manual clock) with a brand registered through the Partner calls: the
/// fixture, the brand's id and its shared key.
async fn start_with_brand() -> (Fixture, String, String) {
    let f = start().await;
    let (brand, key) = register_brand(&f).await;
    (f, brand, key)
}

/// Creates a Checkout payment of [`checkout_body`] for `invoice` (no override) as `brand`.
async fn create_order(
    f: &Fixture,
    brand: &str,
    key: &str,
    invoice: &str,
    request_id: &str,
) -> RawResponse {
    create(f, brand, key, &checkout_body(invoice, None), request_id).await
}

/// Creates a Checkout payment of [`checkout_body`] for `invoice` as `brand`, asking DOKU to
/// notify `override_url` instead of the configured Notification URL.
async fn create_overridden(
    f: &Fixture,
    brand: &str,
    key: &str,
    invoice: &str,
    override_url: &str,
    request_id: &str,
) -> RawResponse {
    let body = checkout_body(invoice, Some(override_url));
    create(f, brand, key, &body, request_id).await
}

/// Asserts `resp` is Checkout's business refusal: `status` and `message` first in its list.
fn assert_message(resp: &RawResponse, status: u16, message: &str) {
    assert_eq!(
        (resp.status, resp.json()["message"][0].as_str()),
        (status, Some(message)),
        "{}",
        String::from_utf8_lossy(&resp.body)
    );
}

async fn status(f: &Fixture, brand: &str, key: &str, id: &str) -> RawResponse {
    let path = order_status(id);
    let mut call = f.call("GET", &path, b"");
    call.client_id = brand;
    call.secret = key;
    f.send(&call).await.unwrap()
}

fn sample(name: &str) -> Value {
    shapes::sample("checkout", name)
}

#[tokio::test]
async fn a_registered_brand_creates_and_checks_payments_with_its_shared_key() {
    let (f, brand, key) = start_with_brand().await;

    let body = checkout_body("INV-CHK-1", None);
    let resp = create(&f, &brand, &key, &body, "req-create-1").await;
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    verify_response(&resp, &brand, &key, "req-create-1", CHECKOUT_PAYMENT).unwrap();
    let answer: doku_model::CheckoutResponse = doku_model::decode(&resp.body).unwrap();
    assert_eq!(answer.message, ["SUCCESS"]);
    assert_eq!(answer.response.order.invoice_number, "INV-CHK-1");
    assert!(answer.payment_url().starts_with(&f.sim.base_url()));
    assert_eq!(
        answer.response.additional_info.unwrap().api_format(),
        Some("JOKUL")
    );
    // `uuid` is a bare 40-digit JSON number; the amount a string.
    let text = String::from_utf8(resp.body.clone()).unwrap();
    let uuid = answer.response.uuid.unwrap();
    assert_eq!(uuid.as_str().len(), 40, "{text}");
    assert!(
        text.contains(&format!("\"uuid\":{}", uuid.as_str())),
        "{text}"
    );
    assert!(text.contains("\"amount\":\"20000\""), "{text}");

    // Check Status by invoice number and by the create call's Request-Id.
    for id in ["INV-CHK-1", "req-create-1"] {
        let path = order_status(id);
        let mut call = f.call("GET", &path, b"");
        call.client_id = &brand;
        call.secret = &key;
        let resp = f.send(&call).await.unwrap();
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
        verify_response_with(&resp, &brand, &key, &call.request_id, &path, false).unwrap();
        let v = resp.json();
        assert_eq!(v["transaction"]["status"], "PENDING");
        assert_eq!(v["transaction"]["original_request_id"], "req-create-1");
        assert_eq!(v["order"]["amount"], 20000);
        assert_eq!(v["order"]["status"], "ORDER_GENERATED");
        assert!(v["channel"]["id"].is_null());
    }
    // Another merchant does not see it.
    let resp = status(&f, CLIENT_ID, SECRET, "INV-CHK-1").await;
    assert_message(&resp, 404, "ORDER NOT FOUND");
    assert_eq!(f.sim.stats().checkouts, 1);
}

#[tokio::test]
async fn wrong_keys_and_bad_requests_get_checkouts_envelopes() {
    let (f, brand, key) = start_with_brand().await;
    let body = checkout_body("INV-CHK-2", None);

    // Wrong key: refused, nothing created.
    let resp = create(&f, &brand, "SK-not-the-key", &body, "r-wrong").await;
    resp.assert_refused(401, "invalid_signature");
    // Unknown merchant.
    let resp = create(&f, "BRN-9999-0000000000000", &key, &body, "r-unknown").await;
    assert_eq!(resp.error_code(), "invalid_client_id");
    // Missing header: Checkout's `invalid_header_request`.
    let mut call = f.call("POST", CHECKOUT_PAYMENT, &body);
    call.client_id = "";
    let resp = f.send(&call).await.unwrap();
    resp.assert_refused(400, "invalid_header_request");
    // Timestamp out of the window.
    let mut call = f.call("POST", CHECKOUT_PAYMENT, &body);
    call.client_id = &brand;
    call.secret = &key;
    call.timestamp = "2020-08-11T10:45:42Z".to_owned();
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.error_code(), "request_time_out_of_range");
    // Validation: `error_messages`, every violation.
    let bad = br#"{"order":{"amount":0,"invoice_number":""}}"#;
    let resp = create(&f, &brand, &key, bad, "r-bad").await;
    assert_eq!(resp.status, 400);
    let messages = resp.json()["error_messages"].as_array().unwrap().len();
    assert!(messages >= 2, "{}", String::from_utf8_lossy(&resp.body));
    // A brand's key does not open the Partner API.
    let mut call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    call.client_id = &brand;
    call.secret = &key;
    assert_eq!(
        f.send(&call).await.unwrap().error_code(),
        "invalid_client_id"
    );
    // The same invoice twice: a business refusal.
    assert_eq!(create(&f, &brand, &key, &body, "r-1").await.status, 200);
    let resp = create(&f, &brand, &key, &body, "r-2").await;
    assert_message(&resp, 400, "INVOICE NUMBER ALREADY USED");
    assert_eq!(f.sim.stats().checkouts, 1);
}

#[tokio::test]
async fn a_repeated_request_id_replays_the_first_answer() {
    let (f, brand, key) = start_with_brand().await;
    let first = create_order(&f, &brand, &key, "INV-CHK-3", "r-same").await;
    assert_eq!(first.status, 200);
    let again = create_order(&f, &brand, &key, "INV-CHK-3", "r-same").await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body, first.body);
    verify_response(&again, &brand, &key, "r-same", CHECKOUT_PAYMENT).unwrap();
    assert_eq!(f.sim.stats().checkouts, 1);
}

#[tokio::test]
async fn checkout_answers_have_dokus_shapes() {
    let (f, brand, key) = start_with_brand().await;
    let resp = create_order(&f, &brand, &key, "INV-SHAPE", "r-shape").await;
    assert_same(
        "Checkout",
        &shape(&resp.json()),
        &shape(&sample("create.response.json")),
    );
    let resp = status(&f, &brand, &key, "INV-SHAPE").await;
    assert_same(
        "Check Status (pending)",
        &shape(&resp.json()),
        &shape(&sample("check-status-pending.response.json")),
    );
}

#[tokio::test]
async fn paying_delivers_a_notification_the_verifier_accepts() {
    let receiver = Receiver::start(Answer::Always(200)).await;
    let f = start_notifying(Some(receiver.url(NOTIFY_PATH)), |b| b).await;
    let (brand, key) = register_brand(&f).await;
    let resp = create_order(&f, &brand, &key, "INV-PAY-1", "r-pay-1").await;
    assert_eq!(resp.status, 200);

    let paid = f.sim.pay("INV-PAY-1", PayStatus::Success, None).unwrap();
    assert_eq!(paid.client_id, brand);
    assert_eq!(
        paid.notification_url.as_deref(),
        Some(receiver.url(NOTIFY_PATH).as_str())
    );
    let seen = receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(seen.len(), 1);
    let n = &seen[0];
    assert_eq!(n.path, NOTIFY_PATH);
    let verified = doku_partner::verify_notification(
        &n.headers,
        &n.body,
        NOTIFY_PATH,
        &SecretKey::new(key.as_str()),
        None,
    )
    .unwrap();
    assert_eq!(verified.client_id, brand);
    assert_eq!(verified.notification.order.invoice_number, "INV-PAY-1");
    assert!(verified.is_final());
    assert_eq!(
        verified
            .notification
            .transaction
            .original_request_id
            .as_deref(),
        Some("r-pay-1")
    );
    // A tampered body, another key or another path is refused.
    let mut tampered = n.body.to_vec();
    let at = tampered.len() - 2;
    tampered[at] ^= 1;
    assert!(doku_partner::verify_notification(
        &n.headers,
        &tampered,
        NOTIFY_PATH,
        &SecretKey::new(key.as_str()),
        None
    )
    .is_err());
    assert!(doku_partner::verify_notification(
        &n.headers,
        &n.body,
        NOTIFY_PATH,
        &SecretKey::new(SECRET),
        None
    )
    .is_err());
    assert!(doku_partner::verify_notification(
        &n.headers,
        &n.body,
        "/other",
        &SecretKey::new(key.as_str()),
        None
    )
    .is_err());

    // The body has the notification sample's shape (BCA VA: its channel blocks aside).
    let ours: BTreeSet<String> = shape(&serde_json::from_slice(&n.body).unwrap())
        .into_iter()
        .filter(|l| !l.starts_with("order.status"))
        .collect();
    let doku: BTreeSet<String> = shape(&sample("notification-bca-va.json"))
        .into_iter()
        .filter(|l| !l.starts_with("virtual_account_"))
        .collect();
    assert_same("Notification", &ours, &doku);

    // Check Status shows SUCCESS, with the channel.
    let v = status(&f, &brand, &key, "INV-PAY-1").await.json();
    assert_eq!(v["transaction"]["status"], "SUCCESS");
    assert_eq!(v["channel"]["id"], "VIRTUAL_ACCOUNT_BCA");
    assert_eq!(v["acquirer"]["id"], "BCA");
    // SUCCESS is final: a second payment is refused.
    assert!(f.sim.pay("INV-PAY-1", PayStatus::Failed, None).is_err());
    let stats = f.sim.stats();
    assert_eq!(
        (
            stats.payments,
            stats.notifications,
            stats.notification_attempts,
            stats.notifications_delivered
        ),
        (1, 1, 1, 1)
    );
    // No retry comes after a 2xx.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.seen().len(), 1);
}

#[tokio::test]
async fn a_refusing_receiver_gets_three_retries_then_nothing() {
    let receiver = Receiver::start(Answer::Always(503)).await;
    let f = start_notifying(Some(receiver.url(NOTIFY_PATH)), |b| b).await;
    let (brand, key) = register_brand(&f).await;
    create_order(&f, &brand, &key, "INV-RETRY", "r-retry").await;
    let started = Instant::now();
    f.sim.pay("INV-RETRY", PayStatus::Success, None).unwrap();
    let seen = receiver.wait_for(4, Duration::from_secs(15)).await;
    assert_eq!(seen.len(), 4);
    // The last retry is 12 h × SCALE = 4.32 s after the first attempt.
    assert!(
        started.elapsed() >= Duration::from_millis(4200),
        "{:?}",
        started.elapsed()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.seen().len(), 4, "stops after 3 retries");
    let stats = f.sim.stats();
    assert_eq!(
        (stats.notification_attempts, stats.notifications_abandoned),
        (4, 1)
    );
    // Default reading: every attempt has the first one's Request-Id, each verifies.
    let ids: BTreeSet<_> = seen
        .iter()
        .map(|s| s.headers["request-id"].clone())
        .collect();
    assert_eq!(ids.len(), 1);
    for s in &seen {
        doku_partner::verify_notification(
            &s.headers,
            &s.body,
            NOTIFY_PATH,
            &SecretKey::new(key.as_str()),
            None,
        )
        .unwrap();
    }
}

#[tokio::test]
async fn retries_stop_at_the_first_2xx_and_can_use_fresh_request_ids() {
    let receiver = Receiver::start(Answer::FailFirst(2)).await;
    let f = start_notifying(Some(receiver.url(NOTIFY_PATH)), |b| {
        b.readings(
            Readings::default().notification_retry_request_id(NotificationRetryRequestId::Fresh),
        )
    })
    .await;
    let (brand, key) = register_brand(&f).await;
    create_order(&f, &brand, &key, "INV-FRESH", "r-fresh").await;
    f.sim.pay("INV-FRESH", PayStatus::Success, None).unwrap();
    let seen = receiver.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(seen.len(), 3);
    tokio::time::sleep(Duration::from_millis(4500)).await;
    assert_eq!(receiver.seen().len(), 3, "no retry after the 2xx");
    let ids: BTreeSet<_> = seen
        .iter()
        .map(|s| s.headers["request-id"].clone())
        .collect();
    assert_eq!(ids.len(), 3, "a fresh Request-Id per attempt");
    let stats = f.sim.stats();
    assert_eq!(
        (stats.notification_attempts, stats.notifications_delivered),
        (3, 1)
    );
}

#[tokio::test]
async fn a_hanging_receiver_does_not_block_the_api() {
    let receiver = Receiver::start(Answer::Hang).await;
    let f = start_notifying(Some(receiver.url(NOTIFY_PATH)), |b| b).await;
    let (brand, key) = register_brand(&f).await;
    create_order(&f, &brand, &key, "INV-HANG", "r-hang").await;
    f.sim.pay("INV-HANG", PayStatus::Success, None).unwrap();
    receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(
        receiver.seen().len(),
        1,
        "the receiver holds the first attempt"
    );
    let started = Instant::now();
    for i in 0..5 {
        let invoice = format!("INV-AFTER-{i}");
        let resp = create_order(&f, &brand, &key, &invoice, &format!("r-after-{i}")).await;
        assert_eq!(resp.status, 200);
        assert_eq!(
            status(&f, &brand, &key, "INV-HANG").await.json()["transaction"]["status"],
            "SUCCESS"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_override_with_another_path_is_ignored_one_with_the_same_path_honoured() {
    let configured = Receiver::start(Answer::Always(200)).await;
    let other = Receiver::start(Answer::Always(200)).await;
    let f = start_notifying(Some(configured.url(NOTIFY_PATH)), |b| b).await;
    let (brand, key) = register_brand(&f).await;

    let wrong_path = other.url("/elsewhere");
    create_overridden(&f, &brand, &key, "INV-OVR-1", &wrong_path, "r-o1").await;
    let paid = f.sim.pay("INV-OVR-1", PayStatus::Success, None).unwrap();
    assert!(paid.override_ignored);
    assert_eq!(
        configured.wait_for(1, Duration::from_secs(5)).await.len(),
        1
    );

    let same_path = other.url(NOTIFY_PATH);
    let resp = create_overridden(&f, &brand, &key, "INV-OVR-2", &same_path, "r-o2").await;
    assert_eq!(
        resp.json()["response"]["additional_info"]["override_notification_url"],
        same_path.as_str()
    );
    let paid = f.sim.pay("INV-OVR-2", PayStatus::Success, None).unwrap();
    assert!(!paid.override_ignored);
    let seen = other.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, NOTIFY_PATH);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(configured.seen().len(), 1);
    assert_eq!(f.sim.stats().overrides_ignored, 1);
}

#[tokio::test]
async fn the_pay_endpoint_moves_orders_failed_is_not_final() {
    let f = start_notifying(None, |b| b).await;
    let (brand, key) = register_brand(&f).await;
    create_order(&f, &brand, &key, "INV-HTTP", "r-http").await;
    let addr = f.sim.addr();
    let headers = [("Content-Type".to_owned(), "application/json".to_owned())];
    let pay = |body: &'static str| {
        let headers = headers.clone();
        async move { send(addr, "POST", PAY_PATH, &headers, body.as_bytes()).await }
    };
    let resp = pay(r#"{"invoice_number":"INV-HTTP","status":"FAILED"}"#)
        .await
        .unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    assert_eq!(resp.json()["status"], "FAILED");
    assert!(
        resp.json()["notification_url"].is_null(),
        "no Notification URL configured"
    );
    assert_eq!(
        status(&f, &brand, &key, "INV-HTTP").await.json()["transaction"]["status"],
        "FAILED"
    );
    // FAILED is not final: the order can still be paid.
    let resp = pay(r#"{"invoice_number":"INV-HTTP"}"#).await.unwrap();
    assert_eq!(resp.json()["status"], "SUCCESS");
    assert_eq!(
        status(&f, &brand, &key, "INV-HTTP").await.json()["transaction"]["status"],
        "SUCCESS"
    );
    let resp = pay(r#"{"invoice_number":"INV-NONE"}"#).await.unwrap();
    resp.assert_refused(409, "cannot_pay");
    let resp = pay(r#"{"invoice":1}"#).await.unwrap();
    assert_eq!(resp.status, 400);
    assert_eq!(f.sim.stats().notifications, 0);
}
