//! Notifications verified and committed per second, by receiver processes (release builds):
//! SQLite with 1 receiver (the baseline), PostgreSQL with 1 and with 4 receivers on one
//! throwaway server, the same signed notifications posted by 32 kept-alive connections, each
//! counted when answered 200 (verified, recorded, committed). Prints one `notifications:` line
//! (read by `cargo xtask bench`).
//!
//! `cargo bench -p notification-receiver --bench store` (`RECEIVER_BENCH_NOTIFICATIONS`,
//! default 4,000 per case). Needs PostgreSQL (`apt-get install postgresql`).
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../tests/suite/poster.rs"]
mod poster;

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use doku_test_support::postgres::{TestPostgres, USER};
use doku_test_support::receiver_attack::{now_unix, ListeningProcess, Sender};
use doku_test_support::{PARTNER_CLIENT_ID as MERCHANT, PARTNER_SECRET as KEY};
use notification_receiver::NOTIFICATION_PATH as PATH;
use poster::Connections;

const WORKERS: usize = 32;

async fn spawn_receiver(database: Option<&str>, sqlite: &std::path::Path) -> ListeningProcess {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_notification-receiver"));
    command
        .arg("127.0.0.1:0")
        .arg(sqlite)
        .env("DOKU_MERCHANT_ID", MERCHANT)
        .env("DOKU_MERCHANT_KEY", KEY)
        .stdout(Stdio::null())
        .kill_on_drop(true);
    if let Some(url) = database {
        command.env("DATABASE_URL", url);
    }
    ListeningProcess::spawn(command, Duration::from_secs(30)).await
}

/// Posts `requests` round-robin over `addrs`: notifications acknowledged per second.
async fn post_all(addrs: &[SocketAddr], requests: Arc<Vec<Vec<u8>>>) -> f64 {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (next, requests, addrs) = (next.clone(), requests.clone(), addrs.to_vec());
        workers.push(tokio::spawn(async move {
            let mut connections: Vec<Connections> =
                addrs.iter().map(|_| Connections::default()).collect();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(request) = requests.get(n) else {
                    break;
                };
                let i = n % addrs.len();
                // A 503 (busy) is retried, as DOKU would.
                let mut tries = 0;
                while connections[i].post(0, addrs[i], request).await != 200 {
                    tries += 1;
                    assert!(tries < 100, "notification {n} never acknowledged");
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    requests.len() as f64 / started.elapsed().as_secs_f64()
}

fn requests(case: &str, count: usize) -> Arc<Vec<Vec<u8>>> {
    let sender = Sender {
        client_id: MERCHANT,
        key: KEY,
        path: PATH,
    };
    Arc::new(
        (0..count)
            .map(|i| {
                let body = doku_test_support::receiver_attack::notification_body(&format!(
                    "INV-{case}-{i}"
                ));
                sender.request(&body, &format!("{case}-{i}"), now_unix())
            })
            .collect(),
    )
}

async fn create_database(pg: &TestPostgres, name: &str) -> String {
    let admin = format!(
        "host=127.0.0.1 port={} user={USER} dbname=postgres",
        pg.port()
    );
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    drop(client);
    let _ = task.await;
    format!(
        "host=127.0.0.1 port={} user={USER} dbname={name}",
        pg.port()
    )
}

fn main() {
    let count: usize = std::env::var("RECEIVER_BENCH_NOTIFICATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let pg = TestPostgres::start().expect("DOKU_SKIP_POSTGRES=1: the store bench needs PostgreSQL");
    let dir = std::env::temp_dir().join(format!("doku-receiver-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rates = runtime.block_on(async {
        // SQLite, one receiver (orders not registered: each notification is recorded, flagged
        // unknown_order — the same write as an applied one).
        let sqlite = dir.join("bench.sqlite");
        let receiver = spawn_receiver(None, &sqlite).await;
        let sqlite_rate = post_all(&[receiver.addr], requests("SQLITE", count)).await;
        drop(receiver);
        let mut rates = vec![sqlite_rate];
        for (case, instances) in [("PG1", 1), ("PG4", 4)] {
            let url = create_database(&pg, &case.to_lowercase()).await;
            let mut receivers = Vec::new();
            for _ in 0..instances {
                receivers.push(spawn_receiver(Some(&url), &sqlite).await);
            }
            let addrs: Vec<SocketAddr> = receivers.iter().map(|r| r.addr).collect();
            rates.push(post_all(&addrs, requests(case, count)).await);
        }
        rates
    });
    let _ = std::fs::remove_dir_all(&dir);
    drop(pg);
    println!(
        "notifications: verified and committed per second ({count} each, {WORKERS} connections): \
         SQLite 1 receiver {:.0}/s (baseline), PostgreSQL 1 receiver {:.0}/s ({:.2}x), \
         PostgreSQL 4 receivers {:.0}/s ({:.2}x)",
        rates[0],
        rates[1],
        rates[1] / rates[0],
        rates[2],
        rates[2] / rates[0]
    );
}
