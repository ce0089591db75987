//! Many merchants, one process: what 10,000 merchant handles cost, whether calls
//! spread over them stay on one bounded pool, and what the receiver's key look-up costs.
//! Every figure is measured against a baseline in the same run. Numbers and their reading:
//! `docs/performance.md`, section "Many merchants, one process".
//!
//! ```sh
//! cargo bench -p doku-partner --bench merchants
//! cargo bench -p doku-partner --bench merchants -- --calls 20000 --tasks 16
//! ```
//!
//! | flag | default | meaning |
//! |---|---|---|
//! | `--merchants N` | 10000 | merchant handles / receiver keys |
//! | `--tasks N` | 32 | concurrent tasks calling Check Status |
//! | `--calls N` | 40000 | Check Status calls per phase |
//! | `--rounds N` | 3 | rounds of (one merchant, many merchants) phases, alternated |
//! | `--verify-secs S` | 2 | seconds per receiver phase (two phases per round) |
//!
//! 1. **Memory**: 10,000 handles from one `Client` (`Client::merchant`), bytes counted by a
//!    counting global allocator (stats_alloc), Vec included, against a target of 256 B per handle;
//!    baseline: the same count of bare `(ClientId, SecretKey)` pairs from the same strings.
//! 2. **Calls**: `Merchant::send(CheckStatus::new(…))` from N tasks against a local keep-alive HTTP/1.1
//!    server that signs every answer with the calling merchant's key (looked up by Client-Id;
//!    the client runs with `ResponseSignatureMode::Require`, so every answer is verified).
//!    Phase `one`: every call through one merchant; phase `many`: call *i* through merchant
//!    *i mod 10,000*. Each phase gets a fresh `Client` (empty pool) and a fresh server that
//!    counts the TCP connections it accepted. Reported per phase: calls/s, process CPU per
//!    call (client and server threads, `/proc/self/task/*/schedstat`) and connections; the
//!    summary averages the rounds and gives the largest connection count.
//! 3. **Receiver**: `verify_notification` of pre-signed notifications, 10,000 merchants
//!    through a `HashMap<String, SecretKey>` (`MerchantKeys`) vs one merchant through its
//!    `SecretKey`; plus the look-up alone (`key_for` over the 10,000 Client-Ids).
//!
//! Summary lines (what `cargo xtask bench` prints) start with `merchants:` and `receiver:`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::alloc::System;
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use doku_model::ClientId;
use doku_partner::{
    verify_notification, CheckStatus, Client, Config, Environment, Merchant, MerchantKeys,
    ResponseSignatureMode,
};
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use doku_test_support::keep_alive::counting_server;
use doku_test_support::CHECK_STATUS_PENDING;
use http::{HeaderMap, HeaderValue};
use http_body_util::Full;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

// Counts every allocation of the process; both sides of each comparison pay its (atomic) cost.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const INVOICE: &str = "INV-20250724-0001";
const NOTIFICATION_PATH: &str = "/payments/notifications";
/// DOKU's BCA VA notification sample (the `identifer` spelling is DOKU's).
const NOTIFICATION: &[u8] = br#"{"service":{"id":"VIRTUAL_ACCOUNT"},"acquirer":{"id":"BCA"},"channel":{"id":"VIRTUAL_ACCOUNT_BCA"},"transaction":{"status":"SUCCESS","date":"2021-01-27T03:24:23Z","original_request_id":"15022aab-444f-4b04-afa8-ddfce89432ec"},"order":{"invoice_number":"INV-20210124-0001","amount":150000},"virtual_account_info":{"virtual_account_number":"1900600000000046"},"virtual_account_payment":{"identifer":[{"name":"REQUEST_ID","value":"7892931"}]}}"#;

struct Opts {
    merchants: usize,
    tasks: usize,
    calls: usize,
    rounds: usize,
    verify_secs: f64,
}

impl Opts {
    fn parse() -> Self {
        let mut o = Opts {
            merchants: 10_000,
            tasks: 32,
            calls: 40_000,
            rounds: 3,
            verify_secs: 2.0,
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            if flag == "--bench" {
                // What `cargo bench` passes to every bench binary.
                continue;
            }
            let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
            let n = || value.parse::<usize>().expect("a number");
            match flag.as_str() {
                "--merchants" => o.merchants = n().max(1),
                "--tasks" => o.tasks = n().max(1),
                "--calls" => o.calls = n().max(1),
                "--rounds" => o.rounds = n().max(1),
                "--verify-secs" => o.verify_secs = value.parse().expect("seconds"),
                other => panic!("unknown flag {other}"),
            }
        }
        o
    }
}

/// Most bytes a merchant handle may cost.
const HANDLE_BYTES_TARGET: usize = 256;

/// Realistic credentials: DOKU brand ids are 22 characters, shared keys ~ 40.
fn credentials(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("BRN-0104-{i:013}"), format!("SK-{i:037}")))
        .collect()
}

fn heap_of(region: &Region<'_, System>) -> usize {
    let c = region.change();
    c.bytes_allocated.saturating_sub(c.bytes_deallocated)
}

/// Bytes per handle and per bare pair (Vec storage included in both).
fn memory(client: &Client, creds: &[(String, String)]) -> (usize, usize) {
    let n = creds.len();
    let region = Region::new(GLOBAL);
    let mut pairs = Vec::with_capacity(n);
    for (id, key) in creds {
        pairs.push((
            ClientId::new(id.clone()).unwrap(),
            SecretKey::new(key.clone().into_bytes()),
        ));
    }
    let pair_bytes = heap_of(&region);
    black_box(&pairs);
    drop(pairs);

    let region = Region::new(GLOBAL);
    let mut handles: Vec<Merchant> = Vec::with_capacity(n);
    for (id, key) in creds {
        handles.push(client.merchant(
            ClientId::new(id.clone()).unwrap(),
            SecretKey::new(key.clone().into_bytes()),
        ));
    }
    let handle_bytes = heap_of(&region);
    black_box(&handles);
    (handle_bytes / n, pair_bytes / n)
}

/// A keep-alive HTTP/1.1 server on loopback answering every request with the Check Status
/// sample, signed (no Digest line, as for a GET) with the key of the request's Client-Id.
/// Returns its base URL and its count of accepted connections.
async fn signing_server(keys: Arc<HashMap<String, SecretKey>>) -> (String, Arc<AtomicUsize>) {
    counting_server(move |req| answer(&keys, req)).await
}

fn answer<B>(
    keys: &HashMap<String, SecretKey>,
    req: &hyper::Request<B>,
) -> hyper::Response<Full<Bytes>> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let client_id = header("client-id");
    let request_id = header("request-id");
    let Some(key) = keys.get(client_id) else {
        return hyper::Response::builder()
            .status(401)
            .body(Full::new(Bytes::new()))
            .unwrap();
    };
    let timestamp = "2025-07-24T00:00:00Z";
    let signature = non_snap::sign(
        key,
        Kind::Response,
        &Message {
            client_id,
            request_id,
            timestamp,
            target: req.uri().path(),
            body: None,
        },
    )
    .to_string();
    hyper::Response::builder()
        .header("content-type", "application/json")
        .header("client-id", client_id)
        .header("request-id", request_id)
        .header("response-timestamp", timestamp)
        .header("signature", signature)
        .body(Full::new(Bytes::from_static(CHECK_STATUS_PENDING)))
        .unwrap()
}

struct Phase {
    rate: f64,
    connections: usize,
    /// Process CPU (client and server threads) per call, µs: steadier than calls/s when
    /// other work shares the cores.
    cpu_us: f64,
}

/// CPU time consumed so far by every thread of this process (`/proc/self/task/*/schedstat`,
/// Linux; `None` elsewhere).
fn process_cpu() -> Option<Duration> {
    let mut total = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let text = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += Duration::from_nanos(text.split_whitespace().next()?.parse().ok()?);
    }
    Some(total)
}

/// `calls` Check Status calls from `tasks` tasks; `spread`: call i uses merchant i mod n,
/// else merchant 0 only. A fresh server (`base_url`, counting `connections`) and a fresh
/// client per phase: the connection count is this phase's.
async fn calls_phase(
    opts: &Opts,
    creds: &[(String, String)],
    base_url: String,
    connections: Arc<AtomicUsize>,
    spread: bool,
) -> Phase {
    let config = Config::builder("BRN-0001-10791114622547", SecretKey::new("SK-PARTNER"))
        .environment(Environment::Custom(base_url))
        .response_signatures(ResponseSignatureMode::Require)
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let handles: Arc<Vec<Merchant>> = Arc::new(
        creds
            .iter()
            .map(|(id, key)| {
                client.merchant(
                    ClientId::new(id.clone()).unwrap(),
                    SecretKey::new(key.clone()),
                )
            })
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_before = process_cpu();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..opts.tasks {
        let (handles, next, calls) = (handles.clone(), next.clone(), opts.calls);
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= calls {
                    break;
                }
                let m = if spread {
                    &handles[i % handles.len()]
                } else {
                    &handles[0]
                };
                let answer = m
                    .send(CheckStatus::new(INVOICE))
                    .await
                    .expect("check status");
                black_box(answer);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = start.elapsed();
    let cpu = match (cpu_before, process_cpu()) {
        (Some(a), Some(b)) => b.saturating_sub(a).as_secs_f64() * 1e6 / opts.calls as f64,
        _ => f64::NAN,
    };
    Phase {
        rate: opts.calls as f64 / elapsed.as_secs_f64(),
        connections: connections.load(Ordering::SeqCst),
        cpu_us: cpu,
    }
}

/// Pre-signed notification headers: one per merchant, or `n` copies for merchant 0.
fn notifications(creds: &[(String, String)], spread: bool) -> Vec<HeaderMap> {
    (0..creds.len())
        .map(|i| {
            let (id, key) = if spread { &creds[i] } else { &creds[0] };
            let request_id = format!("{i:08}-5c9d-400d-8e80-3e548a8f7639");
            let message = Message {
                client_id: id,
                request_id: &request_id,
                timestamp: "2025-07-24T00:00:00Z",
                target: NOTIFICATION_PATH,
                body: Some(NOTIFICATION),
            };
            let signature =
                non_snap::sign(&SecretKey::new(key.as_str()), Kind::Request, &message).to_string();
            let mut h = HeaderMap::new();
            for (name, value) in [
                ("client-id", id.as_str()),
                ("request-id", request_id.as_str()),
                ("request-timestamp", message.timestamp),
                ("signature", signature.as_str()),
            ] {
                h.insert(name, HeaderValue::from_str(value).unwrap());
            }
            h
        })
        .collect()
}

/// Verifications per second of `set` through `keys`, cycling for `secs`.
fn verify_phase(set: &[HeaderMap], keys: &(impl MerchantKeys + ?Sized), secs: f64) -> f64 {
    let budget = Duration::from_secs_f64(secs);
    let start = Instant::now();
    let mut done = 0usize;
    // Batches of 1,000 between clock reads, cycling through the whole set.
    while start.elapsed() < budget {
        for k in 0..1_000 {
            let headers = &set[(done + k) % set.len()];
            let v = verify_notification(headers, NOTIFICATION, NOTIFICATION_PATH, keys, None)
                .expect("verifies");
            black_box(v);
        }
        done += 1_000;
    }
    done as f64 / start.elapsed().as_secs_f64()
}

/// ns per `key_for` over all Client-Ids of `creds`, best of 5 passes of 100 rounds.
fn lookup_ns(map: &HashMap<String, SecretKey>, creds: &[(String, String)]) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..100 {
            for (id, _) in creds {
                black_box(map.key_for(black_box(id)));
            }
        }
        let ns = start.elapsed().as_nanos() as f64 / (100 * creds.len()) as f64;
        best = best.min(ns);
    }
    best
}

fn main() {
    let opts = Opts::parse();
    let n = opts.merchants;
    let creds = credentials(n);

    // 1. Memory.
    let config = Config::builder("BRN-0001-10791114622547", SecretKey::new("SK-PARTNER"))
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let (per_handle, per_pair) = memory(&client, &creds);
    drop(client);
    println!(
        "memory: {n} handles {per_handle} B each vs bare (ClientId, SecretKey) {per_pair} B each"
    );

    // 2. Calls: server on its own 1-worker runtime, client on a current-thread runtime.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server_keys: Arc<HashMap<String, SecretKey>> = Arc::new(
        creds
            .iter()
            .map(|(id, key)| (id.clone(), SecretKey::new(key.as_str())))
            .collect(),
    );
    let (mut one, mut many) = (Vec::new(), Vec::new());
    for round in 0..opts.rounds {
        for spread in [false, true] {
            let (base_url, connections) = server_rt.block_on(signing_server(server_keys.clone()));
            let p = client_rt.block_on(calls_phase(&opts, &creds, base_url, connections, spread));
            println!(
                "calls round {round} {}: {:.0} calls/s, {:.1} µs process CPU per call, {} connections ({} tasks, {} calls)",
                if spread { "many" } else { "one " },
                p.rate,
                p.cpu_us,
                p.connections,
                opts.tasks,
                opts.calls
            );
            if spread { &mut many } else { &mut one }.push(p);
        }
    }

    // 3. Receiver.
    let map: HashMap<String, SecretKey> = creds
        .iter()
        .map(|(id, key)| (id.clone(), SecretKey::new(key.as_str())))
        .collect();
    let single = SecretKey::new(creds[0].1.as_str());
    let many_set = notifications(&creds, true);
    let one_set = notifications(&creds, false);
    let (mut v_one, mut v_many) = (Vec::new(), Vec::new());
    for _ in 0..opts.rounds {
        v_one.push(verify_phase(&one_set, &single, opts.verify_secs));
        v_many.push(verify_phase(&many_set, &map, opts.verify_secs));
    }
    let lookup = lookup_ns(&map, &creds);

    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let one_rate = mean(&one.iter().map(|p| p.rate).collect::<Vec<_>>());
    let many_rate = mean(&many.iter().map(|p| p.rate).collect::<Vec<_>>());
    let one_cpu = mean(&one.iter().map(|p| p.cpu_us).collect::<Vec<_>>());
    let many_cpu = mean(&many.iter().map(|p| p.cpu_us).collect::<Vec<_>>());
    let max_conn = |v: &[Phase]| v.iter().map(|p| p.connections).max().unwrap_or(0);
    let (v1, vn) = (mean(&v_one), mean(&v_many));
    let verify_ns = 1e9 / vn;
    // One Arc plus two short strings; a handle holding its own pool or config would be kilobytes.
    let memory_ok = per_handle <= HANDLE_BYTES_TARGET;
    println!(
        "merchants: memory {per_handle} B per handle (target <= {HANDLE_BYTES_TARGET}) {} vs {per_pair} B per bare \
         (ClientId, SecretKey) pair (+{} B), {n} handles from one Client",
        if memory_ok { "ok" } else { "MISSED" },
        per_handle.saturating_sub(per_pair)
    );
    println!(
        "merchants: check-status over {n} merchants {many_rate:.0} calls/s ({many_cpu:.1} µs CPU/call), {} connections \
         vs one merchant {one_rate:.0} calls/s ({one_cpu:.1} µs CPU/call), {} connections; ratio {:.2} (CPU {:.2}) \
         ({} tasks, {} calls per phase, signed answers verified)",
        max_conn(&many),
        max_conn(&one),
        many_rate / one_rate,
        one_cpu / many_cpu,
        opts.tasks,
        opts.calls
    );
    println!(
        "receiver: verify_notification {n} merchants via HashMap {vn:.0}/s vs one SecretKey {v1:.0}/s, \
         ratio {:.2}; look-up {lookup:.0} ns = {:.1}% of a verification",
        vn / v1,
        100.0 * lookup / verify_ns
    );
    if !memory_ok {
        std::process::exit(1);
    }
}
