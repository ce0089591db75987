//! SNAP Virtual Account payments, end to end: the merchant creates a Virtual Account at doku-sim
//! through doku-partner's SNAP client, the simulator pays it, asks this receiver's token
//! endpoint for a token and delivers the SNAP notification, which the receiver verifies and
//! records once — also when the first answer is lost and DOKU (the simulator) sends it again
//! with a fresh token and a fresh `X-EXTERNAL-ID`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use doku_model::snap::{
    CreateVaRequest, CustomerNo, PartnerServiceId, SnapAmount, VaChannel, VirtualAccountData,
};
use doku_model::{Amount, ClientId};
use doku_partner::{Client, Config, Environment, SnapKeys};
use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::SecretKey;
use doku_sim::{PayVaRequest, Sim, SimConfig, SnapMerchant};
use notification_receiver::{
    router, Limits, Receiver, SnapSide, Store, SNAP_NOTIFICATION_PATH, SNAP_TOKEN_PATH,
};

const MERCHANT: &str = "BRN-SNAP-RECEIVER-1";
const SECRET: &str = "SK-snap-receiver-secret";
const DOKU_PRIVATE: &str = include_str!("snap_keys/doku-private.TEST-ONLY.pem");
const MERCHANT_PRIVATE: &str = include_str!("snap_keys/merchant-private.TEST-ONLY.pem");
const MERCHANT_PUBLIC: &str = include_str!("snap_keys/merchant-public.TEST-ONLY.pem");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snap_payment_is_recorded_once_when_doku_sends_it_again() {
    // The simulator: DOKU's key pair is this suite's test key; DOKU's retries compressed.
    let sim = Sim::start(
        SimConfig::builder()
            .credential(MERCHANT, SecretKey::new(SECRET))
            .snap_doku_private_key_pem(DOKU_PRIVATE)
            .time_scale(0.0001)
            .build()
            .expect("config"),
    )
    .await
    .expect("sim");

    // The receiver, behind a layer that loses the answer to the first SNAP notification
    // (processed, then 500), so the simulator sends it again.
    let doku_public = PublicKey::from_pem(&sim.doku_public_key_pem()).expect("DOKU's key");
    let merchant_key = PrivateKey::from_pem(MERCHANT_PRIVATE).expect("merchant key");
    let snap = SnapSide::new(
        doku_public,
        merchant_key.clone(),
        [(MERCHANT.to_owned(), SecretKey::new(SECRET))],
    );
    let keys: std::collections::HashMap<String, SecretKey> =
        [(MERCHANT.to_owned(), SecretKey::new(SECRET))]
            .into_iter()
            .collect();
    let receiver = Receiver::new(keys, Store::in_memory().expect("db"), Limits::default())
        .expect("writer")
        .with_snap(snap);
    let store = Arc::clone(receiver.records());
    store
        .register_order(MERCHANT, "INV-SNAP-1", &Amount::idr(25_000))
        .await
        .expect("order");
    let notifications = Arc::new(AtomicUsize::new(0));
    let counter = notifications.clone();
    let lose_first = move |request: Request, next: Next| {
        let counter = counter.clone();
        async move {
            let snap = request.uri().path() == SNAP_NOTIFICATION_PATH;
            let response = next.run(request).await;
            if snap && counter.fetch_add(1, Ordering::SeqCst) == 0 {
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            } else {
                response
            }
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = router(receiver).layer(middleware::from_fn(lose_first));
    tokio::spawn(async move { axum::serve(listener, app).await });

    // The merchant's SNAP registration at DOKU: its public key and its two URLs.
    sim.register_snap_merchant(
        SnapMerchant::new(MERCHANT, MERCHANT_PUBLIC)
            .token_url(format!("http://{addr}{SNAP_TOKEN_PATH}"))
            .notification_url(format!("http://{addr}{SNAP_NOTIFICATION_PATH}")),
    )
    .expect("register");

    // The shop creates the Virtual Account for order INV-SNAP-1.
    let client = Client::new(
        Config::builder(MERCHANT, SecretKey::new(SECRET))
            .environment(Environment::Custom(sim.base_url()))
            .build()
            .expect("config"),
    )
    .expect("client");
    let merchant = client
        .merchant(ClientId::new(MERCHANT).expect("id"), SecretKey::new(SECRET))
        .with_snap(SnapKeys::new(merchant_key));
    let data = VirtualAccountData::new(
        PartnerServiceId::from_digits("19008").expect("BIN"),
        CustomerNo::new("000777").expect("customer"),
        "Budi",
        "INV-SNAP-1",
        SnapAmount::idr(25_000),
        VaChannel::BankMandiri,
    );
    let create = CreateVaRequest::new(data, "2099-01-01T00:00:00+07:00");
    let created = merchant.send_snap(&create).await.expect("created");
    assert_eq!(created.value.response_code.as_str(), "2002700");

    let paid = sim
        .pay_va(&PayVaRequest::new("19008000777"))
        .await
        .expect("paid");
    assert!(paid.notification_url.is_some());

    // Delivered (a 2xx with the 2002500 acknowledgement ended the retries).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sim.stats().notifications_delivered < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "not delivered; notifications seen: {}",
            notifications.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        notifications.load(Ordering::SeqCst),
        2,
        "sent again after the lost answer, and not after the acknowledgement"
    );
    assert_eq!(
        store.notification_count().await.expect("count"),
        1,
        "recorded once"
    );
    let payment = store
        .payment(MERCHANT, "INV-SNAP-1")
        .await
        .expect("query")
        .expect("row");
    assert_eq!(
        (payment.status.as_str(), payment.is_final),
        ("SUCCESS", true)
    );
    assert!(store.flagged().await.expect("flagged").is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_forged_snap_notification_is_refused_with_dokus_code_and_not_recorded() {
    use tower::ServiceExt as _;
    let doku_public = PrivateKey::from_pem(DOKU_PRIVATE)
        .expect("key")
        .public_key();
    let snap = SnapSide::new(
        doku_public,
        PrivateKey::from_pem(MERCHANT_PRIVATE).expect("key"),
        [(MERCHANT.to_owned(), SecretKey::new(SECRET))],
    );
    let keys: std::collections::HashMap<String, SecretKey> = std::collections::HashMap::new();
    let receiver = Receiver::new(keys, Store::in_memory().expect("db"), Limits::default())
        .expect("writer")
        .with_snap(snap);
    let store = Arc::clone(receiver.records());
    let app = router(receiver);
    let body = r#"{"partnerServiceId":"   19008","customerNo":"1","virtualAccountNo":"   190081","trxId":"INV-X","paymentRequestId":"1","paidAmount":{"value":"1.00","currency":"IDR"}}"#;
    let request = axum::http::Request::post(SNAP_NOTIFICATION_PATH)
        .header("Authorization", "Bearer eyJhbGciOiJub25lIn0.e30.")
        .header("X-TIMESTAMP", "2030-01-01T00:00:00+07:00")
        .header("X-SIGNATURE", "c2lnbmF0dXJl")
        .header("X-PARTNER-ID", MERCHANT)
        .header("X-EXTERNAL-ID", "1")
        .body(axum::body::Body::from(body))
        .expect("request");
    let response = app.oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let answer = http_body_util::BodyExt::collect(response.into_body())
        .await
        .expect("body")
        .to_bytes();
    assert!(
        String::from_utf8_lossy(&answer).contains("4012701"),
        "{answer:?}"
    );
    assert_eq!(store.notification_count().await.expect("count"), 0);
}
