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
use doku_sign::SecretKey;
use doku_sim::{NotificationRetryRequestId, Readings, SimConfig};
use doku_test_support::onboarded::{onboard, Onboarded};
use doku_test_support::registration;
use notification_receiver::{router, Limits, Receiver, Store, NOTIFICATION_PATH};

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
    let sim_config = SimConfig::builder()
        .notification_url(url)
        .time_scale(0.0001)
        .readings(Readings::default().notification_retry_request_id(reading));
    let onboarded = onboard(sim_config, registration("Toko Terima", &[])).await;
    let Onboarded {
        brand, shared_key, ..
    } = &onboarded;

    let keys: std::collections::HashMap<String, SecretKey> =
        [(brand.id.clone(), SecretKey::new(shared_key.as_str()))]
            .into_iter()
            .collect();
    let receiver = Receiver::new(keys, Store::open(&db).expect("database"), Limits::default())
        .expect("writer");
    let invoice = "INV-RECEIVER-0001";
    // The shop registers the order's amount when it creates the payment.
    receiver
        .records()
        .register_order(&brand.id, invoice, &doku_model::Amount::idr(19_000))
        .await
        .expect("order");
    let app = router(receiver).layer(middleware::from_fn(lose_first));
    tokio::spawn(async move { axum::serve(listener, app).await });

    onboarded.pay(19_000, invoice).await;

    // The first delivery is processed but answered 500; the retry (+30 min × 0.0001) gets 200.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while seen.load(Ordering::SeqCst) < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the simulator did not retry"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Delivered (the delivery task ended with the 2xx): no further retry can come.
    while onboarded.sim.stats().notifications_delivered < 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the simulator did not count the delivery"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    onboarded.sim.shutdown().await;
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
