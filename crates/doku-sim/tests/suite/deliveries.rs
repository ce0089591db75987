//! The delivery history and resend, and the payment trigger's `wait_seconds`: every attempt is
//! recorded (status or connection error, latency, next retry), the history is a bounded ring,
//! a resend is one more attempt now, and a payment that waits reports how its first attempt
//! went (or that no Notification URL is configured). No real sleeps: DOKU's schedule runs at
//! its real pace (the next retry is 30 minutes away) or compressed by the time scale.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use crate::checkout::{checkout_body, create, start_notifying, Answer, Receiver, NOTIFY_PATH};
use crate::common::*;
use doku_sign::SecretKey;
use doku_sim::{DeliveryKind, DeliveryOutcome, PayRequest, DELIVERIES_PATH, PAY_PATH};
use serde_json::Value;

/// Creates an order for `invoice` as the configured client (a configured credential acts as a
/// merchant too).
async fn order(f: &Fixture, invoice: &str) {
    let resp = create(f, CLIENT_ID, SECRET, &checkout_body(invoice, None), invoice).await;
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
}

async fn post_json(f: &Fixture, path: &str, body: &Value) -> RawResponse {
    let headers = [("Content-Type".to_owned(), "application/json".to_owned())];
    let body = serde_json::to_vec(body).unwrap();
    send(f.sim.addr(), "POST", path, &headers, &body)
        .await
        .unwrap()
}

async fn get(f: &Fixture, path: &str) -> RawResponse {
    send(f.sim.addr(), "GET", path, &[], b"").await.unwrap()
}

/// A URL nobody listens on: a port bound, then released.
async fn refused_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}{NOTIFY_PATH}")
}

/// Real schedule (time scale 1): after a failed first attempt the next retry is 30 minutes
/// away, so the test sees exactly one attempt.
async fn start_real_schedule(url: Option<String>) -> Fixture {
    start_notifying(url, |b| b.time_scale(1.0)).await
}

#[tokio::test]
async fn pay_with_wait_reports_a_receiver_answering_500_with_the_next_retry() {
    let receiver = Receiver::start(Answer::Always(500)).await;
    let f = start_real_schedule(Some(receiver.url(NOTIFY_PATH))).await;
    order(&f, "INV-W500").await;
    let resp = post_json(
        &f,
        PAY_PATH,
        &serde_json::json!({"invoice_number": "INV-W500", "wait_seconds": 10}),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    let answer = resp.json();
    let delivery = &answer["delivery"];
    assert_eq!(delivery["outcome"], "retrying", "{answer}");
    assert_eq!(delivery["kind"], "checkout");
    assert_eq!(delivery["reference"], "INV-W500");
    assert_eq!(delivery["client_id"], CLIENT_ID);
    assert_eq!(delivery["attempts"][0]["status"], 500);
    assert_eq!(delivery["attempts"][0]["attempt"], 1);
    assert_eq!(delivery["attempts"][0]["acknowledged"], false);
    // 30 minutes on the simulator's (manual) clock.
    assert_eq!(
        delivery["next_retry_at"], "2020-08-11T09:15:42Z",
        "{answer}"
    );
    let note = answer["note"].as_str().unwrap();
    assert!(
        note.starts_with("not delivered: HTTP 500") && note.contains("next retry at"),
        "{note}"
    );
    assert_eq!(answer["delivery_id"], delivery["id"]);
}

#[tokio::test]
async fn pay_with_wait_reports_a_refused_connection() {
    let f = start_real_schedule(Some(refused_url().await)).await;
    order(&f, "INV-WREF").await;
    let payment = f
        .sim
        .pay_and_wait(&PayRequest::new("INV-WREF").wait_seconds(10))
        .await
        .unwrap();
    assert!(!payment.delivered());
    let delivery = payment.delivery.as_ref().unwrap();
    let attempt = delivery.last_attempt().unwrap();
    assert_eq!(attempt.status, None);
    assert!(
        attempt.error.as_deref().unwrap().starts_with("connect:"),
        "{attempt:?}"
    );
    assert!(payment
        .note
        .as_deref()
        .unwrap()
        .contains("no answer (connect:"));
    assert_eq!(delivery.outcome, DeliveryOutcome::Retrying);
}

#[tokio::test]
async fn without_a_notification_url_the_answer_says_so_plainly() {
    let f = start_real_schedule(None).await;
    order(&f, "INV-NOURL").await;
    let resp = post_json(
        &f,
        PAY_PATH,
        &serde_json::json!({"invoice_number": "INV-NOURL", "wait_seconds": 5}),
    )
    .await;
    let answer = resp.json();
    assert_eq!(resp.status, 200);
    assert!(answer["notification_url"].is_null());
    assert!(answer.get("delivery_id").is_none() && answer.get("delivery").is_none());
    assert!(
        answer["note"]
            .as_str()
            .unwrap()
            .starts_with("no Notification URL is configured: no notification was sent"),
        "{answer}"
    );
    assert!(f.sim.deliveries().is_empty());
    // A wait past the bound is refused before anything moves.
    order(&f, "INV-LONG").await;
    let resp = post_json(
        &f,
        PAY_PATH,
        &serde_json::json!({"invoice_number": "INV-LONG", "wait_seconds": 61}),
    )
    .await;
    resp.assert_refused(400, "invalid_wait");
}

#[tokio::test]
async fn a_resend_is_one_more_attempt_and_ends_the_retries() {
    // 500 to the first attempt, 200 after.
    let receiver = Receiver::start(Answer::FailFirst(1)).await;
    let f = start_real_schedule(Some(receiver.url(NOTIFY_PATH))).await;
    order(&f, "INV-RESEND").await;
    let payment = f
        .sim
        .pay_and_wait(&PayRequest::new("INV-RESEND").wait_seconds(10))
        .await
        .unwrap();
    let id = payment.delivery_id.unwrap();
    assert_eq!(payment.delivery.unwrap().outcome, DeliveryOutcome::Retrying);

    let resp = post_json(&f, &format!("{DELIVERIES_PATH}/{id}/resend"), &Value::Null).await;
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    let delivery = resp.json();
    assert_eq!(delivery["outcome"], "delivered");
    assert_eq!(delivery["attempt_count"], 2);
    assert_eq!(delivery["attempts"][1]["resend"], true);
    assert_eq!(delivery["attempts"][1]["status"], 200);
    assert!(delivery["next_retry_at"].is_null(), "the retries end");
    // Under the default `same` reading the resend carries the first attempt's Request-Id.
    assert_eq!(
        delivery["attempts"][1]["request_id"],
        delivery["attempts"][0]["request_id"]
    );

    // Both reached the receiver, both verify with the merchant's key.
    let seen = receiver.wait_for(2, Duration::from_secs(5)).await;
    assert_eq!(seen.len(), 2);
    let key = SecretKey::new(SECRET);
    for s in &seen {
        let verified =
            doku_partner::verify_notification(&s.headers, &s.body, NOTIFY_PATH, &key, None)
                .unwrap();
        assert_eq!(verified.notification.order.invoice_number, "INV-RESEND");
    }
    assert_eq!(f.sim.stats().notification_resends, 1);

    // The dashboard's button: a form POST, answered with a redirect back to the dashboard.
    let headers = [(
        "Content-Type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    )];
    let resp = send(
        f.sim.addr(),
        "POST",
        &format!("{DELIVERIES_PATH}/{id}/resend"),
        &headers,
        b"",
    )
    .await
    .unwrap();
    assert_eq!(resp.status, 303);
    assert_eq!(resp.header("location"), Some(&*format!("/#delivery-{id}")));
    assert_eq!(f.sim.delivery(id).unwrap().attempt_count, 3);

    // Unknown ids, wrong methods.
    get(&f, &format!("{DELIVERIES_PATH}/999"))
        .await
        .assert_refused(404, "unknown_delivery");
    post_json(&f, &format!("{DELIVERIES_PATH}/999/resend"), &Value::Null)
        .await
        .assert_refused(404, "unknown_delivery");
    get(&f, &format!("{DELIVERIES_PATH}/{id}/resend"))
        .await
        .assert_refused(405, "method_not_allowed");
    assert!(matches!(
        f.sim.resend(999).await,
        Err(doku_sim::SimError::UnknownDelivery(999))
    ));
}

#[tokio::test]
async fn the_history_keeps_the_latest_n_with_every_scheduled_attempt() {
    let receiver = Receiver::start(Answer::Always(200)).await;
    let url = receiver.url(NOTIFY_PATH);
    let f = start_notifying(Some(url.clone()), |b| b.deliveries_kept(2)).await;
    for invoice in ["INV-H1", "INV-H2", "INV-H3"] {
        order(&f, invoice).await;
        let payment = f
            .sim
            .pay_and_wait(&PayRequest::new(invoice).wait_seconds(10))
            .await
            .unwrap();
        assert!(payment.delivered(), "{payment:?}");
    }
    let resp = get(&f, DELIVERIES_PATH).await;
    assert_eq!(resp.status, 200);
    let list = resp.json();
    assert_eq!(
        (list["kept"].as_u64(), list["max_kept"].as_u64()),
        (Some(2), Some(2))
    );
    let refs: Vec<&str> = list["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["INV-H2", "INV-H3"], "the oldest is forgotten first");
    let latest = get(&f, &format!("{DELIVERIES_PATH}?limit=1")).await.json();
    assert_eq!(latest["deliveries"][0]["reference"], "INV-H3");
    let first = &list["deliveries"][0];
    assert_eq!(first["url"], url.as_str());
    assert_eq!(first["outcome"], "delivered");
    assert!(first["attempts"][0]["latency_ms"].is_u64());
    assert!(first["attempts"][0]["at"].is_string());
    // The forgotten one cannot be resent.
    post_json(&f, &format!("{DELIVERIES_PATH}/1/resend"), &Value::Null)
        .await
        .assert_refused(404, "unknown_delivery");
    // `/health` is untouched.
    assert_eq!(get(&f, "/health").await.body, br#"{"status":"ok"}"#);
    // A zero bound is refused.
    let zero = doku_sim::SimConfig::builder()
        .credential(CLIENT_ID, SecretKey::new(SECRET))
        .deliveries_kept(0)
        .build();
    assert!(zero.is_err());
}

#[tokio::test]
async fn every_scheduled_attempt_is_recorded_until_the_last_retry() {
    // The whole schedule compressed (the checkout suite's scale): four attempts, all refused.
    let receiver = Receiver::start(Answer::Always(503)).await;
    let f = start_notifying(Some(receiver.url(NOTIFY_PATH)), |b| b).await;
    order(&f, "INV-ALL").await;
    let id = f
        .sim
        .pay(&PayRequest::new("INV-ALL"))
        .unwrap()
        .delivery_id
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while f.sim.delivery(id).unwrap().outcome != DeliveryOutcome::Abandoned {
        assert!(
            std::time::Instant::now() < deadline,
            "not abandoned in time"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let d = f.sim.delivery(id).unwrap();
    assert_eq!(d.kind, DeliveryKind::Checkout);
    let numbers: Vec<u32> = d.attempts.iter().map(|a| a.attempt).collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    assert!(d
        .attempts
        .iter()
        .all(|a| a.status == Some(503) && !a.resend));
    assert!(d.attempts[..3].iter().all(|a| a.next_retry_at.is_some()));
    assert!(d.attempts[3].next_retry_at.is_none() && d.next_retry_at.is_none());
}
