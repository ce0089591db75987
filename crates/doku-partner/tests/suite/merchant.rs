//! The merchant handle against a scripted local DOKU: Checkout and Check Status signed with the
//! brand's own Client-Id and key (never the partner's), no bearer token, validation before any
//! request, and the Partner calls' idempotency rules (409 replay, replayed refusal, fresh id after
//! a 401). The script checks every request's signature with the merchant key, as DOKU would.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use common::scripted::{signature_headers, Reply, Scripted, Seen};
use doku_model::{CheckoutRequest, ClientId, RequestId, TransactionStatus};
use doku_partner::{
    Call, CheckStatus, Client, Config, Environment, Error, GenerateToken, ResponseSignatureMode,
    RetryPolicy,
};
use doku_sign::SecretKey;
use doku_test_support::{BRAND_ID, CHECKOUT_CREATED as CREATE, CHECK_STATUS_PENDING as STATUS};

const PARTNER_ID: &str = "BRN-0001-10791114622547";
const PARTNER_KEY: &str = "SK-PARTNER-only-for-partner-calls";
const BRAND_KEY: &str = "SK-MERCHANT-brand-shared-key";

/// Whether `seen` is a request signed by the merchant: its Client-Id and key, the four headers.
fn signed_by_merchant(seen: &Seen) -> bool {
    seen.signed_by(BRAND_ID, BRAND_KEY)
}

/// DOKU's answer to a correctly signed request: the create sample for Checkout, the Check
/// Status sample (signed without the Digest line, as DOKU's page describes GET answers).
fn doku(seen: &Seen) -> Reply {
    if !signed_by_merchant(seen) {
        return Reply::json(
            401,
            r#"{"error":{"code":"invalid_signature","message":"Invalid Signature","type":"invalid_request_error"}}"#,
        );
    }
    match (seen.method.as_str(), seen.path()) {
        ("POST", "/checkout/v1/payment") => Reply::signed(200, CREATE, seen, BRAND_KEY),
        ("GET", p) if p.starts_with("/orders/v1/status/") => Reply::Response {
            status: 200,
            headers: signature_headers(seen, BRAND_KEY, None),
            body: STATUS.to_vec(),
            delay: Duration::ZERO,
        },
        _ => Reply::json(404, r#"{"message":["not found"]}"#),
    }
}

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
        .with_jitter(false)
}

fn partner(server: &Scripted) -> Client {
    let config = Config::builder(PARTNER_ID, SecretKey::new(PARTNER_KEY))
        .environment(Environment::Custom(server.base_url()))
        .retry_policy(fast())
        .response_signatures(ResponseSignatureMode::Require)
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

fn merchant(client: &Client) -> doku_partner::Merchant {
    client.merchant(ClientId::new(BRAND_ID).unwrap(), SecretKey::new(BRAND_KEY))
}

fn order() -> CheckoutRequest {
    CheckoutRequest::new(20_000, "INV-20210231-0001").due_in_minutes(60)
}

#[tokio::test]
async fn checkout_is_signed_by_the_merchant_without_a_bearer() {
    let server = Scripted::start(|_, seen| doku(seen)).await;
    let client = partner(&server);
    let answer = merchant(&client).send(&order()).await.unwrap();

    assert!(answer
        .value
        .payment_url()
        .starts_with("https://sandbox.doku.com/checkout-link-v2/"));
    assert_eq!(
        answer.value.response.order.invoice_number,
        "INV-20210231-0001"
    );
    assert_eq!(answer.body.as_ref(), CREATE, "body kept as received");
    assert!(!answer.replay);
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "one request: no token call for Checkout");
    let sent = &seen[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path(), "/checkout/v1/payment");
    assert_eq!(sent.header("client-id"), Some(BRAND_ID));
    assert_eq!(
        sent.header("authorization"),
        None,
        "Checkout carries no bearer"
    );
    assert!(signed_by_merchant(sent));
    let body: serde_json::Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(body["order"]["invoice_number"], "INV-20210231-0001");
    assert_eq!(answer.request_id, sent.header("request-id").unwrap());
}

#[tokio::test]
async fn check_status_reads_a_get_answer_signed_without_digest() {
    let server = Scripted::start(|_, seen| doku(seen)).await;
    let client = partner(&server);
    let answer = merchant(&client)
        .send(CheckStatus::new("INV-20250724-0001"))
        .await
        .unwrap();
    assert_eq!(answer.value.transaction.status, TransactionStatus::Pending);
    assert!(!answer.value.transaction.status.is_final());
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].target, "/orders/v1/status/INV-20250724-0001");
    assert_eq!(seen[0].header("authorization"), None);
    assert!(signed_by_merchant(&seen[0]));
}

#[tokio::test]
async fn an_answer_signed_with_the_partner_key_is_refused() {
    // The response must verify with the merchant's key: the partner's is the wrong one here.
    let server = Scripted::start(|_, seen| Reply::signed(200, CREATE, seen, PARTNER_KEY)).await;
    let client = partner(&server);
    let err = merchant(&client).send(&order()).await.unwrap_err();
    assert!(matches!(err, Error::Signature { .. }), "{err:?}");
}

#[tokio::test]
async fn the_partner_calls_still_sign_as_the_partner() {
    let server = Scripted::start(|_, seen| {
        Reply::signed(
            200,
            r#"{"token":"t.o.k","valid_time":60}"#,
            seen,
            PARTNER_KEY,
        )
    })
    .await;
    let client = partner(&server);
    let _merchant = merchant(&client);
    client.send(GenerateToken::new()).await.unwrap();
    assert_eq!(server.seen()[0].header("client-id"), Some(PARTNER_ID));
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = Scripted::start(|_, seen| doku(seen)).await;
    let client = partner(&server);
    let m = merchant(&client);
    let too_long = "X".repeat(65);
    let err = m
        .send(&CheckoutRequest::new(20_000, too_long))
        .await
        .unwrap_err();
    let Error::Validation(v) = err else {
        panic!("{err:?}")
    };
    assert!(v.paths().contains(&"order.invoice_number"), "{v:?}");
    for bad in ["", "a\nb"] {
        assert!(matches!(
            m.send(CheckStatus::new(bad)).await,
            Err(Error::Validation(_))
        ));
    }
    assert!(server.seen().is_empty(), "nothing sent");
}

#[tokio::test]
async fn a_retry_keeps_the_request_id_and_a_409_replay_is_success() {
    let server = Scripted::start(|i, seen| match i {
        0 => Reply::signed(503, r#"{"message":["busy"]}"#, seen, BRAND_KEY),
        _ if signed_by_merchant(seen) => Reply::signed(409, CREATE, seen, BRAND_KEY),
        _ => Reply::json(401, "{}"),
    })
    .await;
    let client = partner(&server);
    let answer = merchant(&client).send(&order()).await.unwrap();
    assert!(answer.replay);
    assert_eq!(
        answer.value.response.order.invoice_number,
        "INV-20210231-0001"
    );
    let ids = server.request_ids();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "same Request-Id on the retry");
}

#[tokio::test]
async fn a_replayed_refusal_is_not_success() {
    let server = Scripted::start(|_, seen| {
        Reply::signed(
            409,
            r#"{"error":{"code":"invalid_amount","message":"bad amount","type":"invalid_request_error"}}"#,
            seen,
            BRAND_KEY,
        )
    })
    .await;
    let client = partner(&server);
    let id = RequestId::new("4f2c0a4e-0b8e-4b8e-9a58-1a2b3c4d5e6f").unwrap();
    let err = merchant(&client)
        .send(Call::new(&order()).request_id(id))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::ReplayedRefusal { .. }), "{err:?}");
    assert_eq!(
        server.request_ids(),
        vec!["4f2c0a4e-0b8e-4b8e-9a58-1a2b3c4d5e6f"]
    );
}

#[tokio::test]
async fn a_generated_id_is_replaced_after_a_429() {
    let server = Scripted::start(|i, seen| match i {
        0 => Reply::signed(429, r#"{"message":["slow down"]}"#, seen, BRAND_KEY),
        _ => doku(seen),
    })
    .await;
    let client = partner(&server);
    merchant(&client).send(&order()).await.unwrap();
    let ids = server.request_ids();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1], "a refused generated id is not repeated");
}

#[test]
fn a_brand_without_a_shared_key_is_refused() {
    let config = Config::builder(PARTNER_ID, SecretKey::new(PARTNER_KEY))
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let mut brand: doku_model::BusinessDataBrand = serde_json::from_value(serde_json::json!({
        "id": BRAND_ID, "name": "Toko"
    }))
    .unwrap();
    let err = client.merchant_from_brand(&brand).unwrap_err();
    assert!(err.to_string().contains("no shared_key"), "{err}");
    brand.shared_key = Some(doku_model::SharedKey::new(BRAND_KEY));
    let m = client.merchant_from_brand(&brand).unwrap();
    assert_eq!(m.brand_id().as_str(), BRAND_ID);
    assert!(!format!("{m:?}").contains(BRAND_KEY));
}

/// DOKU's pages say the Digest line is for POST only, its samples sign every answer the same way:
/// a Check Status answer signed **with** the Digest line verifies too, and a tampered one does not.
#[tokio::test]
async fn check_status_reads_a_get_answer_signed_with_digest_and_refuses_a_tampered_one() {
    let server = Scripted::start(|i, seen| {
        let mut reply = Reply::signed(200, STATUS, seen, BRAND_KEY);
        if i == 1 {
            if let Reply::Response { body, .. } = &mut reply {
                *body = String::from_utf8_lossy(STATUS)
                    .replacen("PENDING", "SUCCESS", 1)
                    .into_bytes();
            }
        }
        reply
    })
    .await;
    let client = partner(&server);
    let m = merchant(&client);
    let answer = m.send(CheckStatus::new("INV-20250724-0001")).await.unwrap();
    assert_eq!(answer.value.transaction.status, TransactionStatus::Pending);
    let err = m
        .send(CheckStatus::new("INV-20250724-0001"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Signature { .. }), "{err:?}");
}
