//! The notification store under concurrent duplicates: several stores (each its own pool, as
//! separate instances are) record the same notifications at once, in every order: one row per
//! event, the payment only moves forward, nothing overwrites a final state; and a database
//! that is gone fails closed within the bounds.

use std::time::{Duration, Instant};

use doku_model::{Amount, TransactionStatus};
use doku_postgres::notifications::{Applied, Event, Flag, NotificationsConfig, PgNotifications};
use doku_test_support::postgres::TestPostgres;

fn event(invoice: &str, status: &str, delivery: usize) -> Event {
    Event {
        // As doku-partner's key: client id, invoice and status; never the Request-Id.
        dedup_key: format!("MCH:{invoice}:{status}"),
        client_id: "MCH".to_owned(),
        invoice_number: invoice.to_owned(),
        status: TransactionStatus::from(status),
        amount: Some("19000".to_owned()),
        request_id: format!("req-{delivery}"),
    }
}

/// Records `event`; a busy store (2,400 callers on 16 connections) is answered 503 to DOKU,
/// which retries: so does this.
async fn record_as_doku_would(store: &PgNotifications, event: &Event) -> Applied {
    for _ in 0..500 {
        match store.record_event(event, b"{}").await {
            Ok(applied) => return applied,
            Err(doku_postgres::Error::Timeout { .. }) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(other) => panic!("{other}"),
        }
    }
    panic!("never recorded")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_at_several_instances_are_recorded_once_and_only_forward() {
    let Some(pg) = tokio::task::spawn_blocking(TestPostgres::start)
        .await
        .unwrap()
    else {
        return;
    };
    let url = pg.connection_string();
    let mut instances = Vec::new();
    for _ in 0..4 {
        // Connected at once: the tables are created by one of them, the others wait.
        instances.push(tokio::spawn({
            let url = url.clone();
            async move {
                PgNotifications::connect(&url, NotificationsConfig::default().connections(4))
                    .await
                    .unwrap()
            }
        }));
    }
    let mut stores = Vec::new();
    for i in instances {
        stores.push(i.await.unwrap());
    }
    let invoices: Vec<String> = (0..50).map(|i| format!("INV-{i}")).collect();
    for invoice in &invoices {
        stores[0]
            .register_order("MCH", invoice, &Amount::idr(19_000))
            .await
            .unwrap();
    }
    // Every invoice gets PENDING, FAILED, SUCCESS and REFUNDED, each delivered 3 times to each
    // of the 4 instances, all at once and in no order.
    let mut tasks = Vec::new();
    for invoice in &invoices {
        for status in ["PENDING", "FAILED", "SUCCESS", "REFUNDED"] {
            for delivery in 0..3 {
                for store in &stores {
                    let (store, event) = (store.clone(), event(invoice, status, delivery));
                    tasks.push(tokio::spawn(async move {
                        let applied = record_as_doku_would(&store, &event).await;
                        (event.status.as_str().to_owned(), applied)
                    }));
                }
            }
        }
    }
    let mut applied_success = 0;
    for task in tasks {
        let (status, applied) = task.await.unwrap();
        if status == "SUCCESS" && applied == Applied::New {
            applied_success += 1;
        }
    }
    assert_eq!(applied_success, invoices.len(), "each SUCCESS applied once");
    // A refund that overtook its payment was refused (not recorded): DOKU's retry brings it.
    for invoice in &invoices {
        let retry = stores[1]
            .record_event(&event(invoice, "REFUNDED", 9), b"{}")
            .await
            .unwrap();
        assert!(
            matches!(retry, Applied::New | Applied::Duplicate),
            "{retry:?}"
        );
    }
    let recorded = stores[2].notification_count().await.unwrap();
    assert_eq!(recorded, 4 * invoices.len() as u64, "one row per event");
    for invoice in &invoices {
        let payment = stores[3].payment("MCH", invoice).await.unwrap().unwrap();
        assert_eq!(
            (payment.status.as_str(), payment.is_final),
            ("REFUNDED", true),
            "{invoice}: the refund is final, nothing overwrote it"
        );
    }
    // PENDING or FAILED arriving after SUCCESS were recorded as stale, never applied over it.
    let flagged = stores[0].flagged().await.unwrap();
    assert!(flagged
        .iter()
        .all(|f| f.outcome == Flag::Stale.as_str() && f.status != "SUCCESS"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_is_gone_fails_closed_within_the_bounds() {
    let Some(pg) = tokio::task::spawn_blocking(TestPostgres::start)
        .await
        .unwrap()
    else {
        return;
    };
    let config = NotificationsConfig::default()
        .connect_timeout(Duration::from_secs(1))
        .operation_timeout(Duration::from_secs(2));
    let store = PgNotifications::connect(&pg.connection_string(), config)
        .await
        .unwrap();
    store
        .register_order("MCH", "INV-1", &Amount::idr(19_000))
        .await
        .unwrap();
    tokio::task::spawn_blocking(move || drop(pg)).await.unwrap();
    let started = Instant::now();
    let refused = store
        .record_event(&event("INV-1", "SUCCESS", 0), b"{}")
        .await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let again = store
        .record_event(&event("INV-1", "SUCCESS", 1), b"{}")
        .await;
    assert!(again.is_err(), "reconnecting fails closed too: {again:?}");
}
