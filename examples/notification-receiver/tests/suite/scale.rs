//! Several instances on one PostgreSQL, as behind a load balancer: 4 receiver **processes**
//! (`DATABASE_URL`), 10,000 signed notifications delivered the way DOKU and a load balancer
//! deliver them — the same notification posted to every instance at once, a retry with a fresh
//! `Request-Id` at another instance after each first delivery (DOKU's answer lost), and one
//! instance killed mid-run and restarted (what it had not answered is retried elsewhere, as
//! DOKU retries what got no 2xx). Asserted: every notification acknowledged, exactly 10,000
//! rows, every payment in its final state (`SUCCESS`, never overwritten by a later `FAILED`).
//!
//! The bytes are DOKU's: signed with the merchant's key over the path and the exact body
//! (doku-test-support's `Sender`), posted over kept-alive HTTP/1.1 connections.
//!
//! `RECEIVER_SCALE_NOTIFICATIONS=N` changes the count for a local run (10,000 in CI); the wall
//! time is printed (`--nocapture`). Needs PostgreSQL (a throwaway server): without it the test
//! fails with one line naming what to install, unless `DOKU_SKIP_POSTGRES=1`.

use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use doku_test_support::postgres::{TestPostgres, USER};
use doku_test_support::receiver_attack::{now_unix, ListeningProcess, Sender};
use doku_test_support::{PARTNER_CLIENT_ID as MERCHANT, PARTNER_SECRET as KEY};
use notification_receiver::NOTIFICATION_PATH as PATH;

use crate::poster::Connections;

const INSTANCES: usize = 4;
const WORKERS: usize = 32;
/// Attempts per notification before the test gives up on it (DOKU makes 4 in 12 h).
const MAX_ATTEMPTS: usize = 40;

fn database_url(pg: &TestPostgres) -> String {
    format!(
        "host=127.0.0.1 port={} user={USER} dbname=postgres",
        pg.port()
    )
}

async fn spawn_receiver(url: &str) -> ListeningProcess {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_notification-receiver"));
    command
        .arg("127.0.0.1:0")
        .env("DATABASE_URL", url)
        .env("DOKU_MERCHANT_ID", MERCHANT)
        .env("DOKU_MERCHANT_KEY", KEY)
        .stdout(Stdio::null())
        .kill_on_drop(true);
    ListeningProcess::spawn(command, Duration::from_secs(30)).await
}

/// The `n`-th notification: invoices come in pairs of events, `SUCCESS` (even `n`) and a
/// `FAILED` (odd `n`) that must never undo it, whichever arrives first.
fn notification(n: usize) -> (String, Vec<u8>) {
    let invoice = format!("INV-SCALE-{}", n / 2);
    let status = if n % 2 == 0 { "SUCCESS" } else { "FAILED" };
    let body = format!(
        r#"{{"order":{{"invoice_number":"{invoice}","amount":19000.00}},"transaction":{{"status":"{status}","date":"2026-09-30T06:29:46Z"}},"channel":{{"id":"QRIS_DOKU"}}}}"#
    );
    (invoice, body.into_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "scale test: ~45 s of whole processes on PostgreSQL; CI runs it in its own step, locally `cargo test -- --ignored`"]
async fn four_receivers_on_one_postgres_record_each_notification_once() {
    let total: usize = std::env::var("RECEIVER_SCALE_NOTIFICATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
        .max(2)
        / 2
        * 2;
    let Some(pg) = tokio::task::spawn_blocking(TestPostgres::start)
        .await
        .unwrap()
    else {
        return;
    };
    let url = database_url(&pg);
    let started = Instant::now();

    // The shop registered every order (one statement: 5,000 of them).
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    let db_task = tokio::spawn(connection);
    let mut receivers = Vec::new();
    for _ in 0..INSTANCES {
        receivers.push(spawn_receiver(&url).await);
    }
    let invoices = i64::try_from(total / 2).unwrap();
    client
        .execute(
            "INSERT INTO doku_orders (client_id, invoice_number, amount)
             SELECT $1, 'INV-SCALE-' || i, '19000' FROM generate_series(0::bigint, $2::bigint - 1) AS i",
            &[&MERCHANT, &invoices],
        )
        .await
        .unwrap();
    let addrs: Arc<RwLock<Vec<SocketAddr>>> =
        Arc::new(RwLock::new(receivers.iter().map(|r| r.addr).collect()));
    let ready = started.elapsed();

    let next = Arc::new(AtomicUsize::new(0));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let posts = Arc::new(AtomicUsize::new(0));
    let run = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (next, acknowledged, posts, addrs) = (
            next.clone(),
            acknowledged.clone(),
            posts.clone(),
            addrs.clone(),
        );
        workers.push(tokio::spawn(async move {
            let sender = Sender {
                client_id: MERCHANT,
                key: KEY,
                path: PATH,
            };
            let mut connections: Vec<Connections> =
                (0..INSTANCES).map(|_| Connections::default()).collect();
            let mut unacknowledged = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                let (_, body) = notification(n);
                let addr_of = |i: usize| addrs.read().unwrap()[i % INSTANCES];
                let mut acked = false;
                // First delivery: every fifth notification to every instance at once (same
                // bytes, same Request-Id), the others to one instance.
                let first = sender.request(&body, &format!("n{n}-a0"), now_unix());
                if n % 5 == 0 {
                    let (c0, rest) = connections.split_at_mut(1);
                    let (c1, rest) = rest.split_at_mut(1);
                    let (c2, c3) = rest.split_at_mut(1);
                    let statuses = tokio::join!(
                        c0[0].post(0, addr_of(0), &first),
                        c1[0].post(0, addr_of(1), &first),
                        c2[0].post(0, addr_of(2), &first),
                        c3[0].post(0, addr_of(3), &first),
                    );
                    posts.fetch_add(4, Ordering::Relaxed);
                    acked = [statuses.0, statuses.1, statuses.2, statuses.3].contains(&200);
                } else {
                    let i = n % INSTANCES;
                    acked = connections[i].post(0, addr_of(i), &first).await == 200 || acked;
                    posts.fetch_add(1, Ordering::Relaxed);
                }
                // DOKU's answer was lost: it retries, with a fresh Request-Id, and the load
                // balancer picks another instance. Then, until a 2xx, more retries elsewhere.
                for attempt in 1..MAX_ATTEMPTS {
                    if acked && attempt > 1 {
                        break;
                    }
                    let i = (n + attempt) % INSTANCES;
                    let retry = sender.request(&body, &format!("n{n}-a{attempt}"), now_unix());
                    let status = connections[i].post(0, addr_of(i), &retry).await;
                    posts.fetch_add(1, Ordering::Relaxed);
                    if status == 200 {
                        acked = true;
                    } else if !acked {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
                if acked {
                    acknowledged.fetch_add(1, Ordering::Relaxed);
                } else {
                    unacknowledged.push(n);
                }
            }
            unacknowledged
        }));
    }

    // Kill one instance a third of the way in; restart it a moment later on a new port.
    while acknowledged.load(Ordering::Relaxed) < total / 3 {
        assert!(run.elapsed() < Duration::from_secs(300), "no progress");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    receivers[0].child.start_kill().unwrap();
    let _ = receivers[0].child.wait().await;
    let killed_at = acknowledged.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let restarted = spawn_receiver(&url).await;
    addrs.write().unwrap()[0] = restarted.addr;
    receivers[0] = restarted;

    let mut unacknowledged = Vec::new();
    for worker in workers {
        unacknowledged.extend(worker.await.unwrap());
    }
    let wall = run.elapsed();
    assert!(
        unacknowledged.is_empty(),
        "never acknowledged: {unacknowledged:?}"
    );

    let rows: i64 = client
        .query_one("SELECT COUNT(*) FROM doku_notifications", &[])
        .await
        .unwrap()
        .get(0);
    let not_success: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM doku_payments WHERE status <> 'SUCCESS' OR NOT is_final",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let payments: i64 = client
        .query_one("SELECT COUNT(*) FROM doku_payments", &[])
        .await
        .unwrap()
        .get(0);
    let stale: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM doku_notifications WHERE outcome = 'stale'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let posts = posts.load(Ordering::Relaxed);
    println!(
        "{total} notifications ({posts} posts: every fifth to all {INSTANCES} instances at once, \
         a fresh-Request-Id retry of each, instance 0 killed after {killed_at} and restarted) in \
         {:.1} s ({:.0} posts/s; set-up {:.1} s): {rows} rows, {payments} payments all SUCCESS, \
         {stale} late FAILED recorded as stale",
        wall.as_secs_f64(),
        posts as f64 / wall.as_secs_f64(),
        ready.as_secs_f64()
    );
    assert_eq!(
        rows,
        i64::try_from(total).unwrap(),
        "exactly one row per notification"
    );
    assert_eq!(payments, invoices);
    assert_eq!(not_success, 0, "a final SUCCESS was overwritten");
    drop(client);
    let _ = db_task.await;
    drop(receivers);
    drop(pg);
}
