//! DOKU Checkout, Check Status and payment notifications, over real HTTP: a brand registered
//! through the Partner calls takes payments with its own `shared_key`; the payment trigger
//! delivers a notification that doku-partner's verifier accepts; retries follow DOKU's schedule
//! (compressed by the time scale).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::shapes::{assert_same, shape};
use common::*;
use doku_model::Endpoint;
use doku_sign::SecretKey;
use doku_sim::{
    NotificationRetryRequestId, PayRequest, PayStatus, Readings, SimConfigBuilder, PAY_PATH,
};
use http_body_util::{BodyExt as _, Full};
use serde_json::Value;

fn order_status(id: &str) -> String {
    Endpoint::CheckStatus.path_with(id)
}

pub(crate) const CHECKOUT_PAYMENT: &str = Endpoint::Checkout.path();
pub(crate) const NOTIFY_PATH: &str = "/payments/notifications";
/// DOKU's schedule (+30 min, +6 h, +12 h) × 0.000001 = +1.8 ms, +21.6 ms, +43.2 ms: the whole
/// schedule runs in well under a second of real time.
const SCALE: f64 = 0.000_001;

/// Waits (polling, at most `within`) until `done` holds; panics naming `what` otherwise.
async fn wait_until(what: &str, within: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// One notification as a receiver saw it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) path: String,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

/// How the test receiver answers.
#[derive(Clone, Copy)]
pub(crate) enum Answer {
    /// This status to every attempt.
    Always(u16),
    /// 500 to the first `n` attempts, then 200.
    FailFirst(usize),
    /// Never answers (holds the request open).
    Hang,
}

/// A tiny hyper server that records every request and answers as told.
pub(crate) struct Receiver {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Receiver {
    pub(crate) async fn start(answer: Answer) -> Self {
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

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits (at most `within`) until `n` requests arrived.
    pub(crate) async fn wait_for(&self, n: usize, within: Duration) -> Vec<Seen> {
        let deadline = Instant::now() + within;
        while self.seen().len() < n && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.seen()
    }
}

pub(crate) async fn start_notifying(
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

pub(crate) fn checkout_body(invoice: &str, override_url: Option<&str>) -> Vec<u8> {
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
pub(crate) async fn create(
    f: &Fixture,
    brand: &str,
    key: &str,
    body: &[u8],
    request_id: &str,
) -> RawResponse {
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
pub(crate) async fn create_order(
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

pub(crate) async fn status(f: &Fixture, brand: &str, key: &str, id: &str) -> RawResponse {
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
    // The same invoice twice while unpaid: DOKU is not known to refuse it (a doubt), so the new
    // page replaces the unpaid order, with a warning; once paid, the invoice is refused.
    assert_eq!(create(&f, &brand, &key, &body, "r-1").await.status, 200);
    let resp = create(&f, &brand, &key, &body, "r-2").await;
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    assert_eq!(f.sim.stats().warnings, 1);
    let by_new_id = status(&f, &brand, &key, "r-2").await.json();
    assert_eq!(by_new_id["transaction"]["original_request_id"], "r-2");
    assert_eq!(
        status(&f, &brand, &key, "r-1").await.status,
        404,
        "replaced"
    );
    f.sim.pay(&PayRequest::new("INV-CHK-2")).unwrap();
    let resp = create(&f, &brand, &key, &body, "r-3").await;
    assert_message(&resp, 400, "INVOICE NUMBER ALREADY USED");
    assert_eq!(f.sim.stats().checkouts, 2);
    // Under --strict a second Checkout for an unpaid invoice is refused too.
    let strict = start_with(|b| b.strict(true)).await;
    let (brand, key) = register_brand(&strict).await;
    assert_eq!(
        create(&strict, &brand, &key, &body, "r-1").await.status,
        200
    );
    let resp = create(&strict, &brand, &key, &body, "r-2").await;
    assert_message(&resp, 400, "INVOICE NUMBER ALREADY USED");
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
    // DOKU's 2024 sample, plus `expired_datetime`, which a 2025 answer carries.
    let mut doku = shape(&sample("create.response.json"));
    doku.insert("response.payment.expired_datetime string".to_owned());
    assert_same("Checkout", &shape(&resp.json()), &doku);
    let resp = status(&f, &brand, &key, "INV-SHAPE").await;
    // The changelog's pending answer, plus what every real Check Status carries
    // (`transaction.type`, `additional_info.origin`).
    let mut doku = shape(&sample("check-status-pending.response.json"));
    doku.extend(
        shape(&sample("check-status-va.response.json"))
            .into_iter()
            .filter(|l| {
                l.starts_with("transaction.type") || l.starts_with("additional_info.origin")
            }),
    );
    doku.insert("additional_info object".to_owned());
    assert_same("Check Status (pending)", &shape(&resp.json()), &doku);
}

#[tokio::test]
async fn paying_delivers_a_notification_the_verifier_accepts() {
    let receiver = Receiver::start(Answer::Always(200)).await;
    let f = start_notifying(Some(receiver.url(NOTIFY_PATH)), |b| b).await;
    let (brand, key) = register_brand(&f).await;
    let resp = create_order(&f, &brand, &key, "INV-PAY-1", "r-pay-1").await;
    assert_eq!(resp.status, 200);

    let paid = f.sim.pay(&PayRequest::new("INV-PAY-1")).unwrap();
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

    // Every key of DOKU's BCA VA notification sample is there (its misspelt `identifer`
    // aside: the Mandiri sample and every real payload spell it `identifier`), and nothing
    // that neither that sample nor the real VA Check Status body (which DOKU says the
    // notification resembles) has.
    let ours: BTreeSet<String> = shape(&serde_json::from_slice(&n.body).unwrap());
    let sample_keys: BTreeSet<String> = shape(&sample("notification-bca-va.json"))
        .into_iter()
        .map(|l| l.replace("identifer", "identifier"))
        .collect();
    let missing: Vec<_> = sample_keys.difference(&ours).collect();
    assert!(
        missing.is_empty(),
        "missing from the notification: {missing:?}"
    );
    let known: BTreeSet<String> = sample_keys
        .union(&shape(&sample("check-status-va.response.json")))
        .cloned()
        .collect();
    let extra: Vec<_> = ours.difference(&known).collect();
    assert!(extra.is_empty(), "in no DOKU VA body: {extra:?}");

    // Check Status shows SUCCESS, with the channel.
    let v = status(&f, &brand, &key, "INV-PAY-1").await.json();
    assert_eq!(v["transaction"]["status"], "SUCCESS");
    assert_eq!(v["channel"]["id"], "VIRTUAL_ACCOUNT_BCA");
    assert_eq!(v["acquirer"]["id"], "BCA");
    // SUCCESS is final: a second payment is refused.
    assert!(f
        .sim
        .pay(&PayRequest::new("INV-PAY-1").status(PayStatus::Failed))
        .is_err());
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
    // No retry comes after a 2xx (the delivery ended with it).
    assert_eq!(receiver.seen().len(), 1);
}

#[tokio::test]
async fn a_refusing_receiver_gets_three_retries_then_nothing() {
    let receiver = Receiver::start(Answer::Always(503)).await;
    let f = start_notifying(Some(receiver.url(NOTIFY_PATH)), |b| b).await;
    let (brand, key) = register_brand(&f).await;
    create_order(&f, &brand, &key, "INV-RETRY", "r-retry").await;
    let started = Instant::now();
    f.sim.pay(&PayRequest::new("INV-RETRY")).unwrap();
    let seen = receiver.wait_for(4, Duration::from_secs(15)).await;
    assert_eq!(seen.len(), 4);
    // The last retry is 12 h × SCALE = 43.2 ms after the first attempt.
    assert!(
        started.elapsed() >= Duration::from_millis(43),
        "{:?}",
        started.elapsed()
    );
    // Abandoned (the delivery task ended): nothing more can come.
    wait_until("abandoned", Duration::from_secs(5), || {
        f.sim.stats().notifications_abandoned == 1
    })
    .await;
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
    f.sim.pay(&PayRequest::new("INV-FRESH")).unwrap();
    let seen = receiver.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(seen.len(), 3);
    // Delivered (the delivery task ended): no retry can follow the 2xx.
    wait_until("delivered", Duration::from_secs(5), || {
        f.sim.stats().notifications_delivered == 1
    })
    .await;
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
    f.sim.pay(&PayRequest::new("INV-HANG")).unwrap();
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
    let paid = f.sim.pay(&PayRequest::new("INV-OVR-1")).unwrap();
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
    let paid = f.sim.pay(&PayRequest::new("INV-OVR-2")).unwrap();
    assert!(!paid.override_ignored);
    let seen = other.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, NOTIFY_PATH);
    // Both deliveries ended: the configured URL got the first and only the first.
    wait_until("both delivered", Duration::from_secs(5), || {
        f.sim.stats().notifications_delivered == 2
    })
    .await;
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

/// A receiver that records each request's head exactly as it arrived on the wire (header
/// names in the sender's spelling) and answers 200.
struct RawReceiver {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl RawReceiver {
    async fn start() -> Self {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let heads: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = Arc::clone(&heads);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let head_end = loop {
                        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break at;
                        }
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            let (n, v) = l.split_once(':')?;
                            n.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse().ok())?
                        })
                        .unwrap_or(0);
                    while buf.len() < head_end + 4 + length {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    log.lock().unwrap().push(head);
                    let _ = stream
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        )
                        .await;
                });
            }
        });
        Self { addr, heads }
    }

    async fn wait_for_one(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Some(head) = self.heads.lock().unwrap().first() {
                return head.clone();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no notification arrived");
    }
}

/// The header names of a raw HTTP/1 head, as spelled on the wire.
fn header_names(head: &str) -> Vec<String> {
    head.lines()
        .skip(1)
        .filter_map(|l| l.split_once(':').map(|(n, _)| n.to_owned()))
        .collect()
}

/// DOKU's PHP library and sample receiver read `getallheaders()['Client-Id']`, which is
/// case-sensitive: notifications and answers must spell names as DOKU's pages do.
#[tokio::test]
async fn notifications_and_answers_spell_header_names_as_doku_does() {
    let receiver = RawReceiver::start().await;
    let url = format!("http://{}{NOTIFY_PATH}", receiver.addr);
    let f = start_notifying(Some(url), |b| b).await;
    let (brand, key) = register_brand(&f).await;
    let resp = create_order(&f, &brand, &key, "INV-CASE", "r-case").await;
    assert_eq!(resp.status, 200);
    let names: Vec<&str> = resp.headers.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "Client-Id",
        "Request-Id",
        "Response-Timestamp",
        "Signature",
        "Content-Type",
    ] {
        assert!(
            names.contains(&expected),
            "answer: {expected} not in {names:?}"
        );
    }

    f.sim.pay(&PayRequest::new("INV-CASE")).unwrap();
    let head = receiver.wait_for_one().await;
    let names = header_names(&head);
    for expected in [
        "Client-Id",
        "Request-Id",
        "Request-Timestamp",
        "Signature",
        "Content-Type",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "notification: {expected} not in {names:?}"
        );
    }
}

/// DOKU's WooCommerce plugin sends numeric ids as JSON integers and real code sends `+62…`
/// phones: accepted (the phone with a warning, counted), and refused only under `--strict`.
#[tokio::test]
async fn plugin_shaped_requests_are_accepted_and_doubts_warn_unless_strict() {
    let body = serde_json::to_vec(&serde_json::json!({
        "order": {"amount": 40000, "invoice_number": "INV-WOO-1", "line_items": [
            {"id": 42, "sku": 1001, "name": "Kopi", "price": 20000, "quantity": 2}
        ]},
        "payment": {"payment_due_date": 60},
        "customer": {"id": 7, "name": "Budi", "phone": "+6281234567890"}
    }))
    .unwrap();
    let (f, brand, key) = start_with_brand().await;
    let resp = create(&f, &brand, &key, &body, "r-woo-1").await;
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    assert_eq!(f.sim.stats().warnings, 1, "the `+` phone is in doubt");
    // Visible without a Rust handle too.
    let health = send(f.sim.addr(), "GET", "/doku-sim/v1/stats", &[], b"")
        .await
        .unwrap();
    assert_eq!(health.json()["warnings"], 1);

    let strict = start_with(|b| b.strict(true)).await;
    let (brand, key) = register_brand(&strict).await;
    let resp = create(&strict, &brand, &key, &body, "r-woo-2").await;
    assert_eq!(resp.status, 400);
    let messages = resp.json()["error_messages"].to_string();
    assert!(
        messages.contains("customer.phone") && messages.contains("--strict"),
        "{messages}"
    );
    // The integer ids alone are not in doubt: DOKU's own plugin sends them.
    let digits_only = String::from_utf8(body)
        .unwrap()
        .replace("+6281234567890", "6281234567890");
    let resp = create(&strict, &brand, &key, digits_only.as_bytes(), "r-woo-3").await;
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
}

/// The create answer carries `expired_datetime` (seen in a 2025 DOKU answer) and, when the
/// request names no method, every method enabled on the account.
#[tokio::test]
async fn create_answers_carry_expiry_in_utc_and_the_enabled_methods() {
    let (f, brand, key) = start_with_brand().await;
    let body = br#"{"order":{"amount":20000,"invoice_number":"INV-ALL"},"payment":{"payment_due_date":30}}"#;
    let resp = create(&f, &brand, &key, body, "r-all").await;
    assert_eq!(resp.status, 200);
    let payment = &resp.json()["response"]["payment"];
    let now = doku_sign::timestamp::parse_utc_strict(&f.now()).unwrap();
    let expected = doku_sign::timestamp::format_utc(now + 30 * 60);
    assert_eq!(payment["expired_datetime"], expected.as_str());
    let methods: Vec<&str> = payment["payment_method_types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(methods.len() > 30, "{methods:?}");
    assert!(methods.contains(&"VIRTUAL_ACCOUNT_BCA") && methods.contains(&"QRIS"));
    // Its payment block has the 2025 answer's keys.
    let ours: BTreeSet<String> = shape(payment);
    let doku: BTreeSet<String> = shape(&sample("create-2025.response.json")["response"]["payment"]);
    assert_same("Checkout payment", &ours, &doku);
}

/// Pays `invoice` through `method` and returns the notification body and Check Status answer.
async fn pay_through(method: &str, invoice: &str) -> (Value, Value) {
    let receiver = Receiver::start(Answer::Always(200)).await;
    let f = start_notifying(Some(receiver.url(NOTIFY_PATH)), |b| b).await;
    let (brand, key) = register_brand(&f).await;
    let resp = create_order(&f, &brand, &key, invoice, "r-channel").await;
    assert_eq!(resp.status, 200);
    f.sim.pay(&PayRequest::new(invoice).method(method)).unwrap();
    let seen = receiver.wait_for(1, Duration::from_secs(5)).await;
    let notification: Value = serde_json::from_slice(&seen[0].body).unwrap();
    let status = status(&f, &brand, &key, invoice).await.json();
    (notification, status)
}

#[tokio::test]
async fn a_va_payment_carries_dokus_va_blocks() {
    let (notification, status) = pay_through("VIRTUAL_ACCOUNT_BANK_MANDIRI", "INV-VA").await;
    for body in [&notification, &status] {
        assert_eq!(body["acquirer"]["id"], "BANK_MANDIRI");
        assert_eq!(body["channel"]["id"], "VIRTUAL_ACCOUNT_BANK_MANDIRI");
        assert_eq!(body["transaction"]["type"], "PAYMENT");
        let number = body["virtual_account_info"]["virtual_account_number"]
            .as_str()
            .unwrap();
        assert_eq!(number.len(), 16, "{number}");
        assert_eq!(body["virtual_account_payment"]["status"], "SUCCESS");
    }
    assert_eq!(
        notification, status,
        "the notification is the Check Status body"
    );
    // The real Checkout VA check status's shape, key for key (but the echo of line items,
    // which this order has none of).
    let doku: BTreeSet<String> = shape(&sample("check-status-va.response.json"))
        .into_iter()
        .filter(|l| !l.starts_with("additional_info.line_items"))
        .collect();
    assert_same("Check Status (VA)", &shape(&status), &doku);
    // The typed notification keeps every block.
    let typed: doku_model::PaymentNotification =
        doku_model::decode(&serde_json::to_vec(&notification).unwrap()).unwrap();
    assert_eq!(
        typed.payment_identifiers(),
        [
            (
                "REQUEST_ID",
                notification["virtual_account_payment"]["identifier"][0]["value"]
                    .as_str()
                    .unwrap()
            ),
            (
                "REFERENCE",
                notification["virtual_account_payment"]["identifier"][1]["value"]
                    .as_str()
                    .unwrap()
            ),
            ("CHANNEL_TYPE", "6014"),
        ]
    );
}

#[tokio::test]
async fn a_qris_payment_has_dokus_observed_ids_and_blocks() {
    let (notification, _) = pay_through("QRIS", "INV-QRIS").await;
    assert_eq!(
        notification["service"],
        serde_json::json!({"id": "QRIS", "name": "QRIS"})
    );
    assert_eq!(
        notification["acquirer"],
        serde_json::json!({"id": "93600899", "name": "DOKU"})
    );
    assert_eq!(
        notification["channel"],
        serde_json::json!({"id": "QRIS_DOKU", "name": "QRIS-DOKU"})
    );
    // Every block of DOKU's real QRIS notification is there.
    let ours: BTreeSet<String> = shape(&notification)
        .into_iter()
        .map(|l| l.split(['.', ':']).next().unwrap().to_owned())
        .collect();
    for block in [
        "issuer",
        "merchant",
        "emoney_payment",
        "order",
        "transaction",
    ] {
        assert!(ours.contains(block), "{block} missing from {ours:?}");
    }
}

#[tokio::test]
async fn e_money_card_and_o2o_payments_carry_their_blocks() {
    let (n, _) = pay_through("EMONEY_OVO", "INV-OVO").await;
    assert_eq!(
        (n["service"]["id"].as_str(), n["acquirer"]["id"].as_str()),
        (Some("EMONEY"), Some("OVO"))
    );
    assert!(n["emoney_payment"]["approval_code"].is_string(), "{n}");
    let (n, _) = pay_through("CREDIT_CARD", "INV-CARD").await;
    assert_eq!(n["service"]["id"], "CREDIT_CARD");
    assert!(n["card_payment"]["masked_card_number"].is_string(), "{n}");
    let (n, _) = pay_through("ONLINE_TO_OFFLINE_ALFA", "INV-ALFA").await;
    assert_eq!(n["acquirer"]["id"], "ALFA");
    let o2o: BTreeSet<String> = shape(&n)
        .into_iter()
        .filter(|l| l.starts_with("online_to_offline"))
        .collect();
    let doku: BTreeSet<String> = shape(&sample("check-status-o2o.response.json"))
        .into_iter()
        .filter(|l| l.starts_with("online_to_offline"))
        .collect();
    assert!(
        doku.is_subset(&o2o),
        "DOKU's O2O blocks {doku:?} not all in {o2o:?}"
    );
}

#[tokio::test]
async fn an_unknown_method_is_refused_with_the_known_ones() {
    let (f, brand, key) = start_with_brand().await;
    create_order(&f, &brand, &key, "INV-BAD-METHOD", "r-bad-method").await;
    let err = f
        .sim
        .pay(&PayRequest::new("INV-BAD-METHOD").method("BITCOIN"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("BITCOIN") && err.contains("VIRTUAL_ACCOUNT_BCA"),
        "{err}"
    );
    let v = status(&f, &brand, &key, "INV-BAD-METHOD").await.json();
    assert_eq!(v["transaction"]["status"], "PENDING", "nothing changed");
}

/// `doku checkout --invoice 'INV/4'` then `doku status 'INV/4'`: the client percent-encodes the
/// path parameter; the simulator decodes it.
#[tokio::test]
async fn invoices_with_slashes_spaces_and_non_ascii_are_found_by_check_status() {
    let (f, brand, key) = start_with_brand().await;
    for (i, invoice) in ["INV/4", "INV 4", "INV-é-4", "INV+4%"]
        .into_iter()
        .enumerate()
    {
        let resp = create_order(&f, &brand, &key, invoice, &format!("r-encoded-{i}")).await;
        assert_eq!(resp.status, 200, "{invoice}");
        let resp = status(&f, &brand, &key, invoice).await;
        assert_eq!(
            resp.status,
            200,
            "{invoice}: {}",
            String::from_utf8_lossy(&resp.body)
        );
        assert_eq!(resp.json()["order"]["invoice_number"], invoice);
    }
}

/// JavaScript's `toISOString()` writes milliseconds: refused by default with the reason, and
/// accepted under `--request-timestamp-millis accept`.
#[tokio::test]
async fn millisecond_timestamps_follow_the_reading() {
    use doku_sim::RequestTimestampMillis;
    for (reading, expected) in [
        (RequestTimestampMillis::Refuse, 400),
        (RequestTimestampMillis::Accept, 200),
    ] {
        let f =
            start_with(|b| b.readings(Readings::default().request_timestamp_millis(reading))).await;
        let (brand, key) = register_brand(&f).await;
        let body = checkout_body("INV-MS", None);
        let mut call = f.call("POST", CHECKOUT_PAYMENT, &body);
        call.client_id = &brand;
        call.secret = &key;
        call.timestamp = format!("{}.123Z", f.now().trim_end_matches('Z'));
        let resp = f.send(&call).await.unwrap();
        assert_eq!(
            resp.status,
            expected,
            "{reading:?}: {}",
            String::from_utf8_lossy(&resp.body)
        );
        if expected == 400 {
            let message = resp.json()["error"]["message"].as_str().unwrap().to_owned();
            assert!(message.contains("fractional seconds"), "{message}");
        }
    }
}
