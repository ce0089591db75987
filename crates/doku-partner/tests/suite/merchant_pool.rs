//! Many merchant handles, one pool: 2,000 merchants calling a keep-alive server from 8 tasks open
//! a handful of connections — bounded by concurrency, not by the number of merchants. A handle with
//! its own pool would open one connection per merchant.
//!
//! The bound is 4 × tasks (headroom on a loaded machine), not tasks: hyper-util's pool takes a
//! connection back a moment after its response body ends, so a task's next request sometimes
//! finds none idle and dials another (observed: 8–15 for 8 tasks).
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use common::keep_alive::counting_server;
use doku_model::ClientId;
use doku_partner::{CheckStatus, Client, Config, Environment};
use doku_sign::SecretKey;
use doku_test_support::CHECK_STATUS_PENDING;
use http_body_util::Full;

const MERCHANTS: usize = 2_000;
const TASKS: usize = 8;

/// A keep-alive HTTP/1.1 server answering every request with the Check Status sample; counts
/// the connections it accepted.
async fn keep_alive_server() -> (String, Arc<AtomicUsize>) {
    counting_server(|_| {
        hyper::Response::builder()
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from_static(CHECK_STATUS_PENDING)))
            .unwrap()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_merchants_share_one_pool() {
    let (base_url, connections) = keep_alive_server().await;
    let config = Config::builder("BRN-0001-10791114622547", SecretKey::new("SK-PARTNER"))
        .environment(Environment::Custom(base_url))
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let merchants: Vec<_> = (0..MERCHANTS)
        .map(|i| {
            client.merchant(
                ClientId::new(format!("BRN-0104-{i:013}")).unwrap(),
                SecretKey::new(format!("SK-merchant-{i}")),
            )
        })
        .collect();
    let merchants = Arc::new(merchants);
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let merchants = merchants.clone();
        tasks.push(tokio::spawn(async move {
            for m in merchants.iter().skip(t).step_by(TASKS) {
                m.send(CheckStatus::new("INV-20250724-0001")).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let opened = connections.load(Ordering::SeqCst);
    println!("{MERCHANTS} merchants, {TASKS} concurrent tasks: {opened} connections");
    assert!(
        (1..=4 * TASKS).contains(&opened),
        "{opened} connections for {MERCHANTS} merchants and {TASKS} tasks"
    );
}
