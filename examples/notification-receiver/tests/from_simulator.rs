//! The receiver against the simulator, end to end: a brand onboarded through the Partner calls
//! takes a payment, doku-sim pays it and delivers a signed notification to this receiver, which
//! verifies it with the brand's shared key and records it once in SQLite — also when DOKU retries
//! because the first answer was lost.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use doku_model::{BusinessDataBrand, CheckoutRequest, ClientId};
use doku_partner::{Client, Config, Environment};
use doku_sign::SecretKey;
use doku_sim::{NotificationRetryRequestId, PayStatus, Readings, Sim, SimConfig};
use doku_test_support::{mandatory_uploads, registration, PARTNER_CLIENT_ID, PARTNER_SECRET};
use notification_receiver::{router, Receiver, Store, NOTIFICATION_PATH};

/// Registers doku-test-support's PERSONAL business with the documents it needs through the Partner
/// calls; the brand as Get Business Data shows it.
///
/// Local to this test: it drives the client against the simulator, and doku-test-support (doku-sign
/// and doku-model only) must not depend on either.
async fn onboard(client: &Client) -> BusinessDataBrand {
    let mut ids = Vec::new();
    for upload in mandatory_uploads() {
        ids.push(client.upload_file(upload).await.expect("upload").id);
    }
    let body = registration("Toko Terima", &ids);
    let created = client.register_business(&body).await.expect("register");
    let brand = ClientId::new(created.brand_ids()[0].to_owned()).expect("brand id");
    let data = client.get_business(&brand).await.expect("business data");
    data.brands[0].clone()
}

/// Under both readings of DOKU's silence on whether a retried notification keeps its
/// Request-Id: the receiver's dedup key does not depend on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_from_the_simulator_is_recorded_once_even_when_retried() {
    for reading in [
        NotificationRetryRequestId::Same,
        NotificationRetryRequestId::Fresh,
    ] {
        recorded_once_when_retried(reading).await;
    }
}

async fn recorded_once_when_retried(reading: NotificationRetryRequestId) {
    // The receiver: the example's router, behind a layer that loses the answer to the first
    // notification (processed, then 500), so DOKU — the simulator — retries it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://{}{NOTIFICATION_PATH}",
        listener.local_addr().expect("addr")
    );
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let lose_first = move |request: Request, next: Next| {
        let counter = counter.clone();
        async move {
            let response = next.run(request).await;
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            } else {
                response
            }
        }
    };
    let dir = std::env::temp_dir().join(format!(
        "doku-receiver-sim-{}-{reading:?}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = dir.join("notifications.sqlite");
    let _ = std::fs::remove_file(&db);

    // The simulator: its Notification URL is the receiver; DOKU's retry schedule compressed.
    let partner_key = SecretKey::new(PARTNER_SECRET);
    let sim = Sim::start(
        SimConfig::builder()
            .credential(PARTNER_CLIENT_ID, partner_key.clone())
            .notification_url(url)
            .time_scale(0.0001)
            .readings(Readings::default().notification_retry_request_id(reading))
            .build()
            .expect("config"),
    )
    .await
    .expect("sim");
    let client = Client::new(
        Config::builder(PARTNER_CLIENT_ID, partner_key)
            .environment(Environment::Custom(sim.base_url()))
            .build()
            .expect("config"),
    )
    .expect("client");
    let brand = onboard(&client).await;
    let shared_key = brand
        .shared_key
        .as_ref()
        .expect("shared key")
        .expose()
        .to_owned();

    let keys: std::collections::HashMap<String, SecretKey> =
        [(brand.id.clone(), SecretKey::new(shared_key))]
            .into_iter()
            .collect();
    let receiver = Receiver {
        keys: Box::new(keys),
        store: Store::open(&db).expect("database"),
    };
    let app = router(receiver).layer(middleware::from_fn(lose_first));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let merchant = client.merchant_from_brand(&brand).expect("merchant");
    let invoice = "INV-RECEIVER-0001";
    merchant
        .create_checkout(&CheckoutRequest::new(19_000, invoice))
        .await
        .expect("checkout");
    sim.pay(invoice, PayStatus::Success, Some(&brand.id))
        .expect("pay");

    // The first delivery is processed but answered 500; the retry (+30 min × 0.0001) gets 200.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while seen.load(Ordering::SeqCst) < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the simulator did not retry"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        seen.load(Ordering::SeqCst),
        2,
        "retries stop at the first 2xx"
    );

    let store = Store::open(&db).expect("reopen");
    assert_eq!(
        store.notification_count().expect("count"),
        1,
        "applied once"
    );
    let payment = store
        .payment(&brand.id, invoice)
        .expect("query")
        .expect("row");
    assert_eq!(
        (payment.status.as_str(), payment.is_final),
        ("SUCCESS", true)
    );
    sim.shutdown().await;
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
