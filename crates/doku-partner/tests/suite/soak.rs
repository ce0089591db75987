//! Soak: concurrent onboarding flows against one simulator with random retryable faults.
//!
//! `TASKS` tasks, each with its own `Client`, run the whole flow (Check Requirements, three
//! uploads, Business Registration, Get Business Data, Create Business Lite) in a loop while a
//! chaos task arms random retryable faults (`Fault::once`, seeded xorshift) on random endpoints.
//! Every side-effecting call uses a caller-chosen Request-Id, and a call that still fails with a
//! retryable error (`Transport`, 429/502/503/504, 401) is repeated with the **same** Request-Id,
//! as `Error::Transport` tells callers to do (and after `Error::ReplayedRefusal` with a fresh one,
//! as that error tells them). Asserted at the end:
//!
//! - no flow failed; every successful flow's business was read back with Get Business Data;
//! - no lost or duplicated effect: the simulator's registrations, uploads and invitations equal
//!   the successful calls, and every business id is distinct;
//! - flat memory: RSS growth after warm-up stays under a base allowance plus a per-flow
//!   allowance for the state the in-process simulator keeps (see `docs/reliability.md`).
//!
//! Default duration 8 s; `#[ignore]`d in the default run (its own CI step runs it):
//! `cargo test -p doku-partner --test suite soak -- --ignored`, and `DOKU_SOAK_SECS=60 cargo test -p
//! doku-partner --release --test suite soak -- --ignored --nocapture` for the long run.
//! `DOKU_SOAK_SEED` changes the fault sequence.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use doku_model::Endpoint;
use doku_model::{ClientId, FileCategory, FileId, RequestId, UploadResponse};
use doku_partner::{Client, Error, Exchange, RetryPolicy};
use doku_sim::{Fault, FaultKind, FaultTarget, SimHandle};

/// Concurrent flows.
const TASKS: usize = 16;
/// Each task starts at most one flow per interval. Unpaced, a release build runs ~3000
/// flows/s and the simulator's retained state (~7 KiB per flow) dwarfs anything the client
/// could leak; paced, a leak of a few KiB per flow stands out against the allowance below.
const FLOW_INTERVAL: Duration = Duration::from_millis(100);
/// Default run time (CI).
const DEFAULT_SECS: u64 = 8;
/// Deadline of one attempt; the injected latency is modestly beyond it.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(250);
const LATENCY: Duration = Duration::from_millis(400);
/// Times a caller repeats a call (same Request-Id) that failed with a retryable error.
const CALLER_ROUNDS: u32 = 8;
/// RSS growth allowed after warm-up regardless of work done (allocator arenas, pools, ...).
const BASE_ALLOWANCE_KIB: u64 = 32 * 1024;
/// RSS growth allowed per completed flow: the in-process simulator keeps every file,
/// business, invitation and idempotency record (7 requests' answers) in memory, measured at
/// ~7 KiB per flow (an unpaced 60 s release run: 1.14 GiB over 171k flows).
const PER_FLOW_ALLOWANCE_KIB: u64 = 12;

/// xorshift64*: deterministic, dependency-free randomness for the fault schedule.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Counters shared by the tasks.
#[derive(Default)]
struct Tally {
    flows_ok: AtomicU64,
    flows_failed: AtomicU64,
    uploads_ok: AtomicU64,
    registrations_ok: AtomicU64,
    lite_ok: AtomicU64,
    caller_repeats: AtomicU64,
    attempts: AtomicU64,
    client_retries: AtomicU64,
    faults_armed: AtomicU64,
    business_ids: Mutex<HashSet<String>>,
    failures: Mutex<Vec<String>>,
}

fn soak_duration() -> Duration {
    let secs = std::env::var("DOKU_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SECS);
    Duration::from_secs(secs)
}

fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(6)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(50))
        .with_max_retry_after(Duration::from_millis(50))
        .with_total_deadline(Duration::from_secs(10))
}

/// Whether a caller may repeat the call with the same Request-Id: DOKU's idempotency makes the
/// repeat safe whatever the status, so a caller repeats every server-side failure — a 500 too,
/// which the client itself retries only on a GET (a POST's 500 may mean "processed"; the same
/// Request-Id then gets the replay).
fn caller_retryable(e: &Error) -> bool {
    match e {
        Error::Transport { .. } => true,
        Error::Api { status, .. } => matches!(status.as_u16(), 401 | 429 | 500 | 502 | 503 | 504),
        _ => false,
    }
}

/// Runs `call` until it succeeds, repeating it with the **same** Request-Id after a retryable
/// error at most `CALLER_ROUNDS` times. After `Error::ReplayedRefusal` (a DOKU that records
/// refusals replayed one for this id: nothing was processed under it) the repeat gets a fresh
/// Request-Id, as the error tells callers to do — so the soak is a correct caller under both
/// readings of DOKU's idempotency page.
async fn persist<T, F, Fut>(tally: &Tally, mut call: F) -> Result<T, Error>
where
    F: FnMut(RequestId) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let mut rid = RequestId::random();
    let mut round = 1;
    loop {
        match call(rid.clone()).await {
            Ok(v) => return Ok(v),
            Err(e) if round < CALLER_ROUNDS && caller_retryable(&e) => {
                round += 1;
                tally.caller_repeats.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(Error::ReplayedRefusal { .. }) if round < CALLER_ROUNDS => {
                round += 1;
                tally.caller_repeats.fetch_add(1, Ordering::Relaxed);
                rid = RequestId::random();
            }
            Err(e) => return Err(e),
        }
    }
}

/// One whole onboarding flow. Counts each successful side effect as it happens.
async fn flow(client: &Client, tally: &Tally, task: usize, n: u64) -> Result<(), String> {
    let tag = format!("task {task} flow {n}");
    let err = |step: &str, e: Error| format!("{tag}: {step}: {e:?}");
    let query = personal_query();
    persist(tally, |options| {
        client.send(Call::new(&query).request_id(options))
    })
    .await
    .map_err(|e| err("check requirements", e))?;

    let mut file_ids: Vec<FileId> = Vec::new();
    for upload in [
        png(FileCategory::Document).with_code(doku_model::DocumentCode::Ktp),
        png(FileCategory::OwnerLiveness),
        png(FileCategory::PhotoProof),
    ] {
        // A repeat under the same Request-Id sends the same bytes (the multipart boundary is
        // derived from it), so DOKU replays it.
        let answer: UploadResponse =
            persist(tally, |id| client.send(Call::new(&upload).request_id(id)))
                .await
                .map_err(|e| err("upload", e))?
                .value;
        tally.uploads_ok.fetch_add(1, Ordering::Relaxed);
        file_ids.push(answer.id);
    }

    let name = format!("Soak {task}-{n}");
    let body = registration(&name, &file_ids);
    let created = persist(tally, |options| {
        client.send(Call::new(&body).request_id(options))
    })
    .await
    .map_err(|e| err("register", e))?
    .value;
    tally.registrations_ok.fetch_add(1, Ordering::Relaxed);
    let fresh = tally
        .business_ids
        .lock()
        .unwrap()
        .insert(created.business.id.clone());
    if !fresh {
        return Err(format!(
            "{tag}: business id {} answered twice",
            created.business.id
        ));
    }

    // Not lost: the business the answer names is stored, with this flow's name.
    let brand = ClientId::new(created.brand_ids()[0].to_owned()).unwrap();
    let stored = persist(tally, |options| {
        client.send(Call::new(GetBusiness::new(&brand)).request_id(options))
    })
    .await
    .map_err(|e| err("get business", e))?
    .value;
    if stored.id != created.business.id || stored.name != name {
        return Err(format!(
            "{tag}: Get Business Data answered {} {:?}",
            stored.id, stored.name
        ));
    }

    let invite = lite(&format!("Soak Lite {task}-{n}"));
    persist(tally, |options| {
        client.send(Call::new(&invite).request_id(options))
    })
    .await
    .map_err(|e| err("create business lite", e))?;
    tally.lite_ok.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// Arms a random retryable fault, once, on a random endpoint every few milliseconds.
async fn chaos(sim: &SimHandle, tally: &Tally, stop: &AtomicBool, seed: u64) {
    let mut rng = XorShift::new(seed);
    let endpoints = [
        Endpoint::Token.into(),
        Endpoint::CheckRequirements.into(),
        Endpoint::UploadFile.into(),
        Endpoint::BusinessRegistration.into(),
        Endpoint::BusinessLite.into(),
        Endpoint::GetBusinessData.into(),
        FaultTarget::Any,
    ];
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(2 + rng.below(8))).await;
        let endpoint = endpoints[usize::try_from(rng.below(7)).unwrap()];
        let get = matches!(
            endpoint,
            FaultTarget::Endpoint(Endpoint::CheckRequirements | Endpoint::GetBusinessData)
        );
        let kind = match rng.below(10) {
            0 => FaultKind::Latency(LATENCY),
            1 => FaultKind::Status(429),
            2 => FaultKind::Status(502),
            3 => FaultKind::Status(503),
            4 => FaultKind::Status(504),
            5 => FaultKind::DropConnection,
            6 => FaultKind::ProcessThenDrop,
            7 => FaultKind::TruncatedBody,
            8 => FaultKind::ExpireToken,
            // A 500 is retried on GET only; elsewhere use a 503.
            _ if get => FaultKind::Status(500),
            _ => FaultKind::Status(503),
        };
        sim.set_fault(endpoint, Fault::once(kind));
        tally.faults_armed.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn concurrent_flows_under_random_faults_lose_nothing_and_duplicate_nothing() {
    let duration = soak_duration();
    let seed = std::env::var("DOKU_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_d0c0_u64);
    let warm_up = (duration / 4).min(Duration::from_secs(2));
    let sim = Arc::new(sim().await);
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();

    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..TASKS {
        let (sim, tally, stop) = (sim.clone(), tally.clone(), stop.clone());
        tasks.spawn(async move {
            let counter = tally.clone();
            let client = Client::new(
                config(&sim)
                    .retry_policy(policy())
                    .attempt_timeout(ATTEMPT_TIMEOUT)
                    .observer(move |e: &Exchange| {
                        counter.attempts.fetch_add(1, Ordering::Relaxed);
                        if e.attempt > 1 {
                            counter.client_retries.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                    .build()
                    .unwrap(),
            )
            .unwrap();
            let mut pace = tokio::time::interval(FLOW_INTERVAL);
            pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                pace.tick().await;
                n += 1;
                match flow(&client, &tally, task, n).await {
                    Ok(()) => tally.flows_ok.fetch_add(1, Ordering::Relaxed),
                    Err(why) => {
                        tally.failures.lock().unwrap().push(why);
                        tally.flows_failed.fetch_add(1, Ordering::Relaxed)
                    }
                };
            }
        });
    }
    let chaos_task = {
        let (sim, tally, stop) = (sim.clone(), tally.clone(), stop.clone());
        tokio::spawn(async move { chaos(&sim, &tally, &stop, seed).await })
    };

    tokio::time::sleep(warm_up).await;
    let rss_warm = vm_rss_kib();
    let flows_warm = tally.flows_ok.load(Ordering::Relaxed);
    tokio::time::sleep(duration.saturating_sub(warm_up)).await;
    stop.store(true, Ordering::Relaxed);
    chaos_task.await.unwrap();
    // A flow in progress finishes: bounded by its calls' retry policy and the caller's rounds.
    let drain = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(joined) = tasks.join_next().await {
            joined.unwrap();
        }
    })
    .await;
    assert!(
        drain.is_ok(),
        "flows did not finish within 60 s of the stop"
    );
    sim.clear_faults();
    let elapsed = started.elapsed();
    let rss_end = vm_rss_kib();

    let stats = sim.stats();
    let flows_ok = tally.flows_ok.load(Ordering::Relaxed);
    let flows_failed = tally.flows_failed.load(Ordering::Relaxed);
    let registrations_ok = tally.registrations_ok.load(Ordering::Relaxed);
    let uploads_ok = tally.uploads_ok.load(Ordering::Relaxed);
    let lite_ok = tally.lite_ok.load(Ordering::Relaxed);
    let summary = format!(
        "soak: {:.1} s, {TASKS} tasks, seed {seed:#x}: flows ok {flows_ok}, failed {flows_failed}; \
         attempts {}, client retries {}, caller repeats {}; faults armed {}, applied {}; \
         sim: requests {}, registrations {}, uploads {}, lite {}, replays {}, tokens {}; \
         RSS after warm-up {} KiB ({flows_warm} flows), at end {} KiB",
        elapsed.as_secs_f64(),
        tally.attempts.load(Ordering::Relaxed),
        tally.client_retries.load(Ordering::Relaxed),
        tally.caller_repeats.load(Ordering::Relaxed),
        tally.faults_armed.load(Ordering::Relaxed),
        stats.faults_applied,
        stats.total_requests,
        stats.registrations,
        stats.uploads,
        stats.lite_registrations,
        stats.replays,
        stats.tokens_for(CLIENT_ID),
        rss_warm.map_or("?".into(), |v| v.to_string()),
        rss_end.map_or("?".into(), |v| v.to_string()),
    );
    println!("{summary}");

    let failures = tally.failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{summary}\nfailed flows:\n{}",
        failures.join("\n")
    );
    assert!(flows_ok > 0, "{summary}");
    assert!(stats.faults_applied > 0, "no fault was applied: {summary}");
    assert!(
        stats.replays > 0,
        "no replay happened, the faults did not bite: {summary}"
    );
    // Zero duplicated, zero lost: the simulator's effects are exactly the successful calls.
    assert_eq!(
        stats.registrations, registrations_ok,
        "registrations: {summary}"
    );
    assert_eq!(
        stats.registrations, flows_ok,
        "one registration per flow: {summary}"
    );
    assert_eq!(stats.uploads, uploads_ok, "uploads: {summary}");
    assert_eq!(stats.lite_registrations, lite_ok, "lite: {summary}");
    assert_eq!(
        u64::try_from(sim.invitations_for(CLIENT_ID)).unwrap(),
        lite_ok,
        "invitations: {summary}"
    );
    assert_eq!(
        u64::try_from(tally.business_ids.lock().unwrap().len()).unwrap(),
        flows_ok,
        "distinct business ids: {summary}"
    );

    // Flat memory, allowing for the simulator's per-flow state.
    if let (Some(warm), Some(end)) = (rss_warm, rss_end) {
        let growth = end.saturating_sub(warm);
        let flows_since = flows_ok.saturating_sub(flows_warm);
        let allowance = BASE_ALLOWANCE_KIB + flows_since * PER_FLOW_ALLOWANCE_KIB;
        println!(
            "soak: RSS growth {growth} KiB over {flows_since} flows ({:.2} KiB/flow), allowance {allowance} KiB",
            growth as f64 / flows_since.max(1) as f64
        );
        assert!(
            growth < allowance,
            "RSS grew {growth} KiB (allowance {allowance} KiB): {summary}"
        );
    }
}
