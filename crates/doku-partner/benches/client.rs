//! End-to-end client benchmark, run by `cargo xtask bench` (`cargo bench -p doku-partner --bench
//! client`): `Client::send` of a `RequirementsQuery` (signed, token cached, response signature verified,
//! JSON decoded) against a **bare** hyper-util legacy client sending pre-signed requests — same
//! endpoint, same concurrency, same in-process doku-sim on loopback, in the same run. Numbers and
//! their reading: `docs/performance.md`, section "doku-partner vs a bare hyper client".
//!
//! Settings come from the environment (cargo passes `--bench` to the binary, which is ignored):
//!
//! | env | default | meaning |
//! |---|---|---|
//! | `BENCH_WARMUP` | 2 | seconds of warm-up per phase (not measured) |
//! | `BENCH_MEASURE` | 8 | seconds measured per phase |
//! | `BENCH_CONCURRENCY` | 32 | concurrent tasks (and pool size) per phase |
//! | `BENCH_ROUNDS` | 2 | rounds of (bare, sdk) phases, alternated to average out drift |
//! | `BENCH_MAX_RATE` | 100000 | pre-signed requests per bare phase = N × (warm-up + measure) |
//! | `BENCH_PARTS=1` | off | also print per-operation costs (ns/op) of the SDK's per-call work |
//!
//! Phases: `bare` — the legacy client over `HttpConnector` with the transport's pool settings,
//! sending requests signed before the timed window (distinct Request-Ids, one bearer token
//! fetched once, one timestamp inside the simulator's ±300 s window) and reading each body to
//! the end; `sdk` — `client.send(&query)` (Check Requirements) with `ResponseSignatureMode::Require`.
//! Both send the same header set and 36-character Request-Ids. The client runs on one
//! current-thread runtime, so the CPU time of that thread is the client's CPU per call.
//!
//! The last line is the summary the xtask shows:
//! `client: check-requirements sdk N req/s, X µs CPU/call vs bare M req/s, Y µs CPU/call: ratio R
//! (target >= 0.85), CPU Z× (target <= 1.5)`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::future::Future;
use std::hint::black_box;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use doku_model::{RequestId, RequirementsQuery, RequirementsResponse};
use doku_partner::{Client, Config, Environment, GenerateToken, ResponseSignatureMode};
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::{headers, SecretKey};
use doku_test_support::{PARTNER_CLIENT_ID as CLIENT_ID, PARTNER_SECRET as SECRET};
use http::header::{HeaderMap, HeaderName};
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// Check Requirements' path (the Request-Target signed).
const FILE_PATH: &str = "/adv-core-api/partner/v1.0/file";
/// Request-Ids are UUID-shaped (36 characters, like the SDK's UUID v4 ids), so both clients
/// send headers of the same size.
const ID_LEN: usize = 36;
/// The targets: throughput sdk/bare at least this …
const RATIO_TARGET: f64 = 0.85;
/// … and client-thread CPU per call sdk/bare at most this.
const CPU_TARGET: f64 = 1.5;

use doku_test_support::load_kit::{client_runtime_and_sim, Batch, PreparedRequests};

type Bare = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;

/// The settings, from the environment.
struct Opts {
    warmup: Duration,
    measure: Duration,
    concurrency: usize,
    rounds: usize,
    max_rate: usize,
    parts: bool,
}

impl Opts {
    fn from_env() -> Self {
        let num = |k: &str, d: f64| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(d)
        };
        Self {
            warmup: Duration::from_secs_f64(num("BENCH_WARMUP", 2.0)),
            measure: Duration::from_secs_f64(num("BENCH_MEASURE", 8.0)),
            concurrency: (num("BENCH_CONCURRENCY", 32.0) as usize).max(1),
            rounds: (num("BENCH_ROUNDS", 2.0) as usize).max(1),
            max_rate: num("BENCH_MAX_RATE", 100_000.0) as usize,
            parts: std::env::var("BENCH_PARTS").is_ok_and(|v| v == "1" || v == "true"),
        }
    }
}

fn header(name: &'static str) -> HeaderName {
    HeaderName::from_static(match name {
        headers::CLIENT_ID => "client-id",
        headers::REQUEST_ID => "request-id",
        headers::REQUEST_TIMESTAMP => "request-timestamp",
        headers::RESPONSE_TIMESTAMP => "response-timestamp",
        _ => "signature",
    })
}

// ---------------------------------------------------------------------------------------------
// The bare client and its pre-signed requests

/// The transport's pool settings, without TLS, timeouts or anything DOKU-specific.
fn bare_client(pool_size: usize) -> Bare {
    let mut http = HttpConnector::new();
    http.set_nodelay(true);
    http.set_connect_timeout(Some(Duration::from_secs(10)));
    hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .timer(TokioTimer::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(pool_size.max(32))
        .build(http)
}

/// A UUID-shaped, run-unique Request-Id.
fn id_for(series: u64, i: u64) -> String {
    let id = format!(
        "{:08x}-{:04x}-4000-8000-{:012x}",
        series as u32,
        (i >> 48) as u16,
        i & 0xffff_ffff_ffff
    );
    debug_assert_eq!(id.len(), ID_LEN);
    id
}

/// Every request of one bare phase (series `series`), signed before the timed window.
fn prepared(
    series: u64,
    count: usize,
    token: &str,
    base_url: &str,
    query: &str,
) -> PreparedRequests {
    let batch = Batch {
        count,
        client_id: CLIENT_ID,
        secret: SECRET,
        path: FILE_PATH,
        uri: format!("{base_url}{FILE_PATH}?{query}").parse().unwrap(),
        host: None,
        bearer: token,
    };
    PreparedRequests::new(batch, |i| id_for(series, i as u64))
}

/// Sends `req` and reads the whole body; `Ok` only for a 200.
async fn bare_send(client: &Bare, req: Request<Full<Bytes>>) -> Result<(HeaderMap, Bytes), String> {
    let resp = client.request(req).await.map_err(|e| format!("{e:?}"))?;
    let (parts, body) = resp.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|e| format!("{e:?}"))?
        .to_bytes();
    if parts.status != StatusCode::OK {
        return Err(format!(
            "{}: {}",
            parts.status,
            String::from_utf8_lossy(&body)
        ));
    }
    Ok((parts.headers, body))
}

// ---------------------------------------------------------------------------------------------
// The load driver

const WARMUP: u8 = 0;
const MEASURE: u8 = 1;
const STOP: u8 = 2;

enum Outcome {
    Ok,
    Failed(String),
    /// No pre-signed request left.
    Exhausted,
}

struct Phase {
    window: Duration,
    /// Latencies (µs) of the calls that finished inside the measured window.
    latencies: Vec<u32>,
    errors: usize,
    exhausted: bool,
    /// CPU time of the (current-thread) client runtime's thread during the window.
    client_cpu: Option<Duration>,
}

impl Phase {
    fn invalid(&self) -> bool {
        self.errors > 0 || self.exhausted
    }
}

/// CPU time consumed so far by the calling thread (`/proc/thread-self/schedstat`, Linux).
fn thread_cpu() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Percentile `p` of sorted µs latencies.
fn pct(sorted: &[u32], p: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .map_or(Duration::ZERO, |us| Duration::from_micros(u64::from(*us)))
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// `concurrency` tasks, each calling `op` back to back, for warm-up + measure.
async fn drive<Op, Fut>(name: &str, opts: &Opts, op: Op) -> Phase
where
    Op: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Outcome> + Send,
{
    let phase = Arc::new(AtomicU8::new(WARMUP));
    let mut tasks = Vec::with_capacity(opts.concurrency);
    for _ in 0..opts.concurrency {
        let (phase, op) = (phase.clone(), op.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies: Vec<u32> = Vec::with_capacity(1 << 15);
            let (mut errors, mut first_error, mut exhausted) = (0, None, false);
            while phase.load(Ordering::Relaxed) != STOP {
                let started = Instant::now();
                let outcome = op().await;
                let elapsed = started.elapsed();
                if matches!(outcome, Outcome::Exhausted) {
                    exhausted = true;
                    break;
                }
                if phase.load(Ordering::Relaxed) == MEASURE {
                    latencies.push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
                    if let Outcome::Failed(e) = outcome {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (latencies, errors, first_error, exhausted)
        }));
    }
    tokio::time::sleep(opts.warmup).await;
    // The client runtime is current-thread: every client task runs on this thread.
    let t0 = thread_cpu();
    phase.store(MEASURE, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(opts.measure).await;
    phase.store(STOP, Ordering::Relaxed);
    let window = started.elapsed();
    let t1 = thread_cpu();
    let mut result = Phase {
        window,
        latencies: Vec::new(),
        errors: 0,
        exhausted: false,
        client_cpu: t0.zip(t1).map(|(a, b)| b.saturating_sub(a)),
    };
    let mut first_error = None;
    for t in tasks {
        let (latencies, errors, error, exhausted) = t.await.unwrap();
        result.latencies.extend(latencies);
        result.errors += errors;
        result.exhausted |= exhausted;
        first_error = first_error.or(error);
    }
    result.latencies.sort_unstable();
    let calls = result.latencies.len();
    println!(
        "phase {name:<8} {:>8.0} req/s (p50 {}, p99 {}), {calls} calls in {:.2} s, {} errors; client CPU {}{}",
        calls as f64 / window.as_secs_f64(),
        ms(pct(&result.latencies, 0.50)),
        ms(pct(&result.latencies, 0.99)),
        window.as_secs_f64(),
        result.errors,
        per_call(std::slice::from_ref(&result)).map_or("?".to_owned(), |us| format!("{us:.1} µs/call")),
        if result.exhausted {
            " [ran out of pre-signed requests: raise BENCH_MAX_RATE]"
        } else {
            ""
        }
    );
    if let Some(e) = first_error {
        println!("  first error: {e:.300}");
    }
    result
}

/// Client-thread CPU µs per call over `phases`.
fn per_call(phases: &[Phase]) -> Option<f64> {
    let total: Option<Duration> = phases.iter().map(|p| p.client_cpu).sum();
    let calls: usize = phases.iter().map(|p| p.latencies.len()).sum();
    total.map(|d| d.as_secs_f64() * 1e6 / calls.max(1) as f64)
}

// ---------------------------------------------------------------------------------------------
// The phases

fn sdk_client(base_url: &str) -> Client {
    let config = Config::builder(CLIENT_ID, SecretKey::new(SECRET))
        .environment(Environment::Custom(base_url.to_owned()))
        .response_signatures(ResponseSignatureMode::Require)
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

async fn sdk_phase(
    name: &str,
    opts: &Opts,
    client: &Client,
    query: &Arc<RequirementsQuery>,
) -> Phase {
    let (client, query) = (client.clone(), query.clone());
    drive(name, opts, move || {
        let (client, query) = (client.clone(), query.clone());
        async move {
            match client.send(&*query).await {
                Ok(r) => {
                    black_box(r);
                    Outcome::Ok
                }
                Err(e) => Outcome::Failed(format!("{e} ({e:?})")),
            }
        }
    })
    .await
}

async fn bare_phase(name: &str, opts: &Opts, client: &Bare, prepared: PreparedRequests) -> Phase {
    let prepared = Arc::new(prepared);
    let next = Arc::new(AtomicUsize::new(0));
    let client = client.clone();
    drive(name, opts, move || {
        let (client, prepared, next) = (client.clone(), prepared.clone(), next.clone());
        async move {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= prepared.count {
                return Outcome::Exhausted;
            }
            match bare_send(&client, prepared.request(i)).await {
                Ok(r) => {
                    black_box(r);
                    Outcome::Ok
                }
                Err(e) => Outcome::Failed(e),
            }
        }
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Per-operation costs (BENCH_PARTS=1)

/// Mean ns per call of `f` over `iters` calls (best of 3 runs).
fn ns_per_op<R>(iters: u32, mut f: impl FnMut() -> R) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                black_box(f());
            }
            start.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .fold(f64::INFINITY, f64::min)
}

/// The costs of the pieces of work every SDK call does, one by one.
fn parts(query: &RequirementsQuery, sample: &(HeaderMap, Bytes), sample_id: &str) {
    let key = SecretKey::new(SECRET);
    let (response_headers, body) = sample;
    let n = 100_000;
    let timestamp = doku_sign::timestamp::format_utc(1_700_000_000);
    let id = RequestId::random();
    let get = |name| {
        response_headers
            .get(header(name))
            .and_then(|v| v.to_str().ok())
    };
    let rows: Vec<(&str, f64)> = vec![
        (
            "RequestId::random (UUID v4)",
            ns_per_op(n, RequestId::random),
        ),
        ("query string", ns_per_op(n, || query.to_query_string())),
        (
            "format_utc",
            ns_per_op(n, || doku_sign::timestamp::format_utc(1_700_000_000)),
        ),
        (
            "non_snap::sign (GET, no body)",
            ns_per_op(n, || {
                non_snap::sign(
                    &key,
                    Kind::Request,
                    &Message {
                        client_id: CLIENT_ID,
                        request_id: id.as_str(),
                        timestamp: &timestamp,
                        target: FILE_PATH,
                        body: None,
                    },
                )
                .to_string()
            }),
        ),
        (
            "verify response signature",
            ns_per_op(n, || {
                let message = Message {
                    client_id: CLIENT_ID,
                    request_id: sample_id,
                    timestamp: get(headers::RESPONSE_TIMESTAMP).unwrap(),
                    target: FILE_PATH,
                    body: Some(body),
                };
                non_snap::verify(
                    &key,
                    Kind::Response,
                    &message,
                    get(headers::SIGNATURE).unwrap(),
                )
            }),
        ),
        (
            "doku_model::decode::<RequirementsResponse>",
            ns_per_op(n / 10, || {
                doku_model::decode::<RequirementsResponse>(body).unwrap()
            }),
        ),
        (
            "from_utf8 + from_str::<RequirementsResponse> (client)",
            ns_per_op(n / 10, || {
                serde_json::from_str::<RequirementsResponse>(std::str::from_utf8(body).unwrap())
                    .unwrap()
            }),
        ),
        (
            "serde_json::from_slice::<RequirementsResponse>",
            ns_per_op(n / 10, || {
                serde_json::from_slice::<RequirementsResponse>(body).unwrap()
            }),
        ),
        (
            "serde_json::from_slice::<Value> (old decoder's 1st step)",
            ns_per_op(n / 10, || {
                serde_json::from_slice::<serde_json::Value>(body).unwrap()
            }),
        ),
        (
            "tracing info_span! (6 fields, no subscriber)",
            ns_per_op(n, || {
                tracing::info_span!(
                    "doku_partner.call",
                    endpoint = "check_requirements",
                    request_id = id.as_str(),
                    attempt = tracing::field::Empty,
                    status = tracing::field::Empty,
                    latency_ms = tracing::field::Empty,
                    replay = tracing::field::Empty,
                )
            }),
        ),
    ];
    println!(
        "parts (ns per call, best of 3 × {n} calls; response body {} B):",
        body.len()
    );
    for (name, ns) in rows {
        println!("  part {name:<48} {ns:>9.0} ns");
    }
}

// ---------------------------------------------------------------------------------------------

fn main() {
    let opts = Opts::from_env();
    let (client_rt, sim) = client_runtime_and_sim(CLIENT_ID, SECRET, 2);
    let base_url = sim.base_url();
    println!(
        "doku-sim at {base_url}; server runtime 2 workers, client runtime current-thread; concurrency {}; \
         warm-up {:?} + measure {:?} per phase; {} rounds (bare, sdk); {} CPUs",
        opts.concurrency,
        opts.warmup,
        opts.measure,
        opts.rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    let (sdk, bare) = client_rt.block_on(run(&opts, &base_url));
    drop(sim);

    let rate = |phases: &[Phase]| {
        let calls: usize = phases.iter().map(|p| p.latencies.len()).sum();
        let window: f64 = phases.iter().map(|p| p.window.as_secs_f64()).sum();
        calls as f64 / window
    };
    let (s_rate, b_rate) = (rate(&sdk), rate(&bare));
    let (s_cpu, b_cpu) = (per_call(&sdk), per_call(&bare));
    let invalid = sdk.iter().chain(&bare).any(Phase::invalid);
    let ratio = s_rate / b_rate;
    let cpu_ratio = s_cpu.zip(b_cpu).map(|(s, b)| s / b);
    let us = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{v:.1}"));
    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    println!(
        "client: check-requirements sdk {s_rate:.0} req/s, {} µs CPU/call vs bare {b_rate:.0} req/s, {} µs CPU/call: \
         ratio {ratio:.2} (target >= {RATIO_TARGET}) {}, CPU {}× (target <= {CPU_TARGET}) {}{}",
        us(s_cpu),
        us(b_cpu),
        verdict(ratio >= RATIO_TARGET),
        cpu_ratio.map_or("?".to_owned(), |r| format!("{r:.2}")),
        verdict(cpu_ratio.is_some_and(|r| r <= CPU_TARGET)),
        if invalid { " [INVALID: errors, see above]" } else { "" }
    );
    if invalid {
        std::process::exit(1);
    }
}

/// All phases; returns the (sdk, bare) phases.
async fn run(opts: &Opts, base_url: &str) -> (Vec<Phase>, Vec<Phase>) {
    let query = Arc::new(doku_test_support::personal_query());
    let query_string = query.to_query_string();
    let sdk = sdk_client(base_url);
    // The bare client's token, fetched once (this also fills the SDK's cache).
    let token = sdk.send(GenerateToken::new()).await.unwrap().value.token;
    sdk.send(&*query).await.unwrap();
    let bare = bare_client(opts.concurrency);
    let per_phase = opts.max_rate * (opts.warmup + opts.measure).as_secs_f64().ceil() as usize;

    let (mut sdk_phases, mut bare_phases) = (Vec::new(), Vec::new());
    for round in 0..opts.rounds {
        let prepared = prepared(round as u64, per_phase, &token, base_url, &query_string);
        bare_phases.push(bare_phase(&format!("bare #{}", round + 1), opts, &bare, prepared).await);
        sdk_phases.push(sdk_phase(&format!("sdk #{}", round + 1), opts, &sdk, &query).await);
    }

    if opts.parts {
        let prepared = prepared(300, 2, &token, base_url, &query_string);
        let sample = bare_send(&bare, prepared.request(1)).await.unwrap();
        parts(&query, &sample, &id_for(300, 1));
    }
    (sdk_phases, bare_phases)
}
