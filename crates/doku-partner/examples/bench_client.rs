//! End-to-end client benchmark: `Client::check_requirements` (signed, token cached, response
//! signature verified, JSON decoded) against a **bare** hyper-util legacy client sending
//! pre-signed requests — same endpoint, same concurrency, same in-process doku-sim on loopback,
//! in the same run. Numbers and their reading: `docs/performance.md`, section
//! "doku-partner vs a bare hyper client".
//!
//! ```sh
//! cargo run --release -p doku-partner --example bench_client
//! cargo run --release -p doku-partner --example bench_client -- --warmup 1 --measure 3
//! cargo run --release -p doku-partner --example bench_client -- --variants --parts
//! ```
//!
//! Options (flag, or the environment variable in brackets):
//!
//! | flag | env | default | meaning |
//! |---|---|---|---|
//! | `--warmup S` | `BENCH_WARMUP` | 2 | seconds of warm-up per phase (not measured) |
//! | `--measure S` | `BENCH_MEASURE` | 8 | seconds measured per phase |
//! | `--concurrency N` | `BENCH_CONCURRENCY` | 32 | concurrent tasks (and pool size) per phase |
//! | `--rounds N` | `BENCH_ROUNDS` | 2 | rounds of (bare, sdk) phases, alternated to average out drift |
//! | `--client-threads N` | `BENCH_CLIENT_THREADS` | 1 | client runtime workers (1 = current-thread) |
//! | `--server-threads N` | `BENCH_SERVER_THREADS` | 2 | simulator runtime workers |
//! | `--max-rate N` | `BENCH_MAX_RATE` | 100000 | pre-signed requests per bare phase = N × (warm-up + measure) |
//! | `--variants` | `BENCH_VARIANTS=1` | off | extra phases that attribute the gap (see below) |
//! | `--parts` | `BENCH_PARTS=1` | off | per-operation costs of the SDK's per-call work (ns/op) |
//! | `--log FILTER` | `BENCH_LOG` | none | install a `tracing` fmt subscriber with FILTER, writing to a sink |
//!
//! Phases: `bare` — the legacy client over `HttpConnector` with the transport's pool settings
//! (TCP_NODELAY, pool timer, 90 s idle timeout, 32 idle per host), sending requests signed
//! before the timed window (distinct Request-Ids, one bearer token fetched once, one timestamp
//! inside the simulator's ±300 s window) and reading each body to the end; `sdk` —
//! `client.check_requirements(&query)` with `ResponseSignatureMode::Require`. Both send the same
//! header set (`Accept`, `Client-Id`, `Request-Id`, `Request-Timestamp`, `Signature`,
//! `Authorization`) and 36-character Request-Ids.
//!
//! With `--variants`, after the main rounds: `transport-presigned` (the bare phase's pre-signed
//! requests sent through `doku_transport::Transport`, the SDK's transport), `sdk-sig-off` (response signature not checked),
//! `sdk-counter-ids` (Request-Ids from a counter instead of UUID v4), and `diy` — the bare client
//! doing by hand, per request, exactly the work the SDK's contract needs (UUID Request-Id,
//! timestamp, sign, send, verify the response signature, decode `RequirementsResponse`). The
//! gap between `diy` and `sdk` is the SDK's own structure (spans, timeouts, retry bookkeeping,
//! URI building); the gap between `bare` and `diy` is the required work.
//!
//! The last line printed is the summary the xtask shows:
//! `client: check-requirements sdk … req/s (p50 …, p99 …) vs bare … req/s (…) ratio … (target >= 0.75)`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::future::Future;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use doku_model::{RequestId, RequirementsQuery, RequirementsResponse, Validate};
use doku_partner::signer::{self, SigningInput};
use doku_partner::{
    ApiRequest, Client, Clock, Config, EndpointName, Environment, ResponseSignatureMode,
    SystemClock,
};
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use doku_sim::{Sim, SimConfig};
use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION};
use http::{Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

const CLIENT_ID: &str = "BRN-0001-10791114622547";
const SECRET: &str = "SK-benchmark-secret-0123456789";
const FILE_PATH: &str = doku_model::paths::FILE;
/// Request-Ids are UUID-shaped (36 characters, like the SDK's UUID v4 ids), so both clients
/// send headers of the same size.
const ID_LEN: usize = 36;

static CLIENT_ID_H: HeaderName = HeaderName::from_static("client-id");
static REQUEST_ID_H: HeaderName = HeaderName::from_static("request-id");
static TIMESTAMP_H: HeaderName = HeaderName::from_static("request-timestamp");
static SIGNATURE_H: HeaderName = HeaderName::from_static("signature");
static RESPONSE_TIMESTAMP_H: HeaderName = HeaderName::from_static("response-timestamp");

type Bare = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;

// ---------------------------------------------------------------------------------------------
// Options

struct Opts {
    warmup: Duration,
    measure: Duration,
    concurrency: usize,
    rounds: usize,
    client_threads: usize,
    server_threads: usize,
    max_rate: usize,
    variants: bool,
    parts: bool,
    log: Option<String>,
}

impl Opts {
    fn parse() -> Self {
        let env_f = |k: &str, d: f64| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(d)
        };
        let env_b = |k: &str| std::env::var(k).is_ok_and(|v| v == "1" || v == "true");
        let mut o = Self {
            warmup: Duration::from_secs_f64(env_f("BENCH_WARMUP", 2.0)),
            measure: Duration::from_secs_f64(env_f("BENCH_MEASURE", 8.0)),
            concurrency: env_f("BENCH_CONCURRENCY", 32.0) as usize,
            rounds: env_f("BENCH_ROUNDS", 2.0) as usize,
            client_threads: env_f("BENCH_CLIENT_THREADS", 1.0) as usize,
            server_threads: env_f("BENCH_SERVER_THREADS", 2.0) as usize,
            max_rate: env_f("BENCH_MAX_RATE", 100_000.0) as usize,
            variants: env_b("BENCH_VARIANTS"),
            parts: env_b("BENCH_PARTS"),
            log: std::env::var("BENCH_LOG").ok(),
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            let mut num = || -> f64 {
                it.next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{a} needs a number"))
            };
            match a.as_str() {
                "--warmup" => o.warmup = Duration::from_secs_f64(num()),
                "--measure" => o.measure = Duration::from_secs_f64(num()),
                "--concurrency" => o.concurrency = num() as usize,
                "--rounds" => o.rounds = num() as usize,
                "--client-threads" => o.client_threads = num() as usize,
                "--server-threads" => o.server_threads = num() as usize,
                "--max-rate" => o.max_rate = num() as usize,
                "--variants" => o.variants = true,
                "--parts" => o.parts = true,
                "--log" => o.log = it.next(),
                other => panic!("unknown argument {other}"),
            }
        }
        o.concurrency = o.concurrency.max(1);
        o.rounds = o.rounds.max(1);
        o
    }
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

/// Every request of one bare phase, signed before the timed window. Header values are slices
/// of two shared buffers, so assembling a request copies no signature.
struct Prepared {
    count: usize,
    ids: Bytes,
    signatures: Bytes,
    signature_len: usize,
    timestamp: HeaderValue,
    authorization: HeaderValue,
    uri: Uri,
}

impl Prepared {
    fn new(series: u64, count: usize, token: &str, base_url: &str, query: &str) -> Self {
        let key = SecretKey::new(SECRET);
        let timestamp = doku_sign::timestamp::format_utc(SystemClock.unix_seconds());
        let mut ids = Vec::with_capacity(count * ID_LEN);
        let mut signatures = Vec::new();
        let mut signature_len = 0;
        for i in 0..count {
            let id = id_for(series, i as u64);
            let message = Message {
                client_id: CLIENT_ID,
                request_id: &id,
                timestamp: &timestamp,
                target: FILE_PATH,
                body: None,
            };
            let signature = non_snap::sign(&key, Kind::Request, &message).to_string();
            if i == 0 {
                signature_len = signature.len();
                signatures.reserve(count * signature_len);
            }
            assert_eq!(signature.len(), signature_len);
            ids.extend_from_slice(id.as_bytes());
            signatures.extend_from_slice(signature.as_bytes());
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
        authorization.set_sensitive(true);
        Self {
            count,
            ids: Bytes::from(ids),
            signatures: Bytes::from(signatures),
            signature_len,
            timestamp: HeaderValue::from_str(&timestamp).unwrap(),
            authorization,
            uri: format!("{base_url}{FILE_PATH}?{query}").parse().unwrap(),
        }
    }

    /// Request `i`: cheap `Bytes` slices and clones only, no signing.
    fn request(&self, i: usize) -> Request<Full<Bytes>> {
        let slice = |buf: &Bytes, len: usize| {
            HeaderValue::from_maybe_shared(buf.slice(i * len..(i + 1) * len)).unwrap()
        };
        let mut req = Request::new(Full::new(Bytes::new()));
        *req.uri_mut() = self.uri.clone();
        let h = req.headers_mut();
        h.insert(ACCEPT, HeaderValue::from_static("application/json"));
        h.insert(CLIENT_ID_H.clone(), HeaderValue::from_static(CLIENT_ID));
        h.insert(REQUEST_ID_H.clone(), slice(&self.ids, ID_LEN));
        h.insert(TIMESTAMP_H.clone(), self.timestamp.clone());
        h.insert(
            SIGNATURE_H.clone(),
            slice(&self.signatures, self.signature_len),
        );
        h.insert(AUTHORIZATION, self.authorization.clone());
        req
    }
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
    name: String,
    window: Duration,
    /// Latencies (µs) of the calls that finished inside the measured window.
    latencies: Vec<u32>,
    errors: usize,
    first_error: Option<String>,
    exhausted: bool,
    /// CPU time of the client thread during the window (current-thread client runtime only).
    client_cpu: Option<Duration>,
    /// CPU time of the whole process (client, simulator, everything) during the window.
    process_cpu: Option<Duration>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.window.as_secs_f64()
    }
    fn invalid(&self) -> bool {
        self.errors > 0 || self.exhausted
    }
    /// CPU µs per call.
    fn per_call(&self, cpu: Option<Duration>) -> Option<f64> {
        let n = self.latencies.len().max(1) as f64;
        cpu.map(|d| d.as_secs_f64() * 1e6 / n)
    }
}

/// CPU time consumed so far by the calling thread (`/proc/thread-self/schedstat`, Linux).
fn thread_cpu() -> Option<Duration> {
    schedstat("/proc/thread-self/schedstat")
}

/// CPU time consumed so far by every thread of this process.
fn process_cpu() -> Option<Duration> {
    let mut total = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path().join("schedstat");
        total += schedstat(path.to_str()?)?;
    }
    Some(total)
}

fn schedstat(path: &str) -> Option<Duration> {
    let text = std::fs::read_to_string(path).ok()?;
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
    // With a current-thread client runtime every client task runs on this thread.
    let single = opts.client_threads <= 1;
    let (t0, p0) = (thread_cpu().filter(|_| single), process_cpu());
    phase.store(MEASURE, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(opts.measure).await;
    phase.store(STOP, Ordering::Relaxed);
    let window = started.elapsed();
    let (t1, p1) = (thread_cpu().filter(|_| single), process_cpu());
    let mut result = Phase {
        name: name.to_owned(),
        window,
        latencies: Vec::new(),
        errors: 0,
        first_error: None,
        exhausted: false,
        client_cpu: t0.zip(t1).map(|(a, b)| b.saturating_sub(a)),
        process_cpu: p0.zip(p1).map(|(a, b)| b.saturating_sub(a)),
    };
    for t in tasks {
        let (latencies, errors, first_error, exhausted) = t.await.unwrap();
        result.latencies.extend(latencies);
        result.errors += errors;
        result.exhausted |= exhausted;
        if result.first_error.is_none() {
            result.first_error = first_error;
        }
    }
    result.latencies.sort_unstable();
    let us = |v: Option<f64>| v.map_or("?".to_owned(), |v| format!("{v:.1} µs"));
    println!(
        "phase {:<22} {:>8.0} req/s (p50 {}, p99 {}), {} calls in {:.2} s, {} errors; CPU per call: client thread {}, process {}{}",
        result.name,
        result.rate(),
        ms(pct(&result.latencies, 0.50)),
        ms(pct(&result.latencies, 0.99)),
        result.latencies.len(),
        window.as_secs_f64(),
        result.errors,
        us(result.per_call(result.client_cpu)),
        us(result.per_call(result.process_cpu)),
        if result.exhausted {
            " [ran out of pre-signed requests: raise --max-rate]"
        } else {
            ""
        }
    );
    if let Some(e) = &result.first_error {
        println!("  first error: {e:.300}");
    }
    result
}

// ---------------------------------------------------------------------------------------------
// The phases

fn sdk_client(base_url: &str, mode: ResponseSignatureMode, counter_ids: Option<u64>) -> Client {
    let mut builder = Config::builder(CLIENT_ID, SecretKey::new(SECRET))
        .environment(Environment::Custom(base_url.to_owned()))
        .response_signatures(mode);
    if let Some(series) = counter_ids {
        let next = AtomicU64::new(0);
        builder = builder.request_ids(move || {
            RequestId::new(id_for(series, next.fetch_add(1, Ordering::Relaxed))).unwrap()
        });
    }
    Client::new(builder.build().unwrap()).unwrap()
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
            match client.check_requirements(&query).await {
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

async fn bare_phase(name: &str, opts: &Opts, client: &Bare, prepared: Prepared) -> Phase {
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

/// doku-transport's `Transport::send` (what the SDK sends through) with the bare phase's
/// pre-signed requests: isolates the transport's own overhead.
async fn transport_phase(name: &str, opts: &Opts, prepared: Prepared) -> Phase {
    let transport =
        doku_transport::Transport::new(doku_transport::TransportConfig::default()).unwrap();
    let prepared = Arc::new(prepared);
    let next = Arc::new(AtomicUsize::new(0));
    drive(name, opts, move || {
        let (transport, prepared, next) = (transport.clone(), prepared.clone(), next.clone());
        async move {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= prepared.count {
                return Outcome::Exhausted;
            }
            match transport
                .send(prepared.request(i).map(|_| Bytes::new()))
                .await
            {
                Ok(r) if r.status == StatusCode::OK => {
                    black_box(r);
                    Outcome::Ok
                }
                Ok(r) => Outcome::Failed(format!("{}", r.status)),
                Err(e) => Outcome::Failed(format!("{e:?}")),
            }
        }
    })
    .await
}

/// The bare client doing by hand the work the SDK's contract requires, per request.
async fn diy_phase(
    name: &str,
    opts: &Opts,
    client: &Bare,
    token: &str,
    base_url: &str,
    query: &str,
) -> Phase {
    let client = client.clone();
    let key = Arc::new(SecretKey::new(SECRET));
    let mut authorization = HeaderValue::from_str(&format!("Bearer {token}")).unwrap();
    authorization.set_sensitive(true);
    let uri: Uri = format!("{base_url}{FILE_PATH}?{query}").parse().unwrap();
    drive(name, opts, move || {
        let (client, key, authorization, uri) = (
            client.clone(),
            key.clone(),
            authorization.clone(),
            uri.clone(),
        );
        async move {
            let id = RequestId::random();
            let timestamp = doku_sign::timestamp::format_utc(SystemClock.unix_seconds());
            let signature = non_snap::sign(
                &key,
                Kind::Request,
                &Message {
                    client_id: CLIENT_ID,
                    request_id: id.as_str(),
                    timestamp: &timestamp,
                    target: FILE_PATH,
                    body: None,
                },
            );
            let mut req = Request::new(Full::new(Bytes::new()));
            *req.uri_mut() = uri;
            let h = req.headers_mut();
            h.insert(ACCEPT, HeaderValue::from_static("application/json"));
            h.insert(CLIENT_ID_H.clone(), HeaderValue::from_static(CLIENT_ID));
            h.insert(
                REQUEST_ID_H.clone(),
                HeaderValue::from_str(id.as_str()).unwrap(),
            );
            h.insert(
                TIMESTAMP_H.clone(),
                HeaderValue::from_str(&timestamp).unwrap(),
            );
            h.insert(
                SIGNATURE_H.clone(),
                HeaderValue::from_str(&signature.to_string()).unwrap(),
            );
            h.insert(AUTHORIZATION, authorization);
            let (headers, body) = match bare_send(&client, req).await {
                Ok(r) => r,
                Err(e) => return Outcome::Failed(e),
            };
            if let Err(e) = verify_response(&key, id.as_str(), &headers, &body) {
                return Outcome::Failed(e);
            }
            match doku_model::decode::<RequirementsResponse>(&body) {
                Ok(r) => {
                    black_box(r);
                    Outcome::Ok
                }
                Err(e) => Outcome::Failed(e.to_string()),
            }
        }
    })
    .await
}

/// What `ResponseSignatureMode::Require` checks: echoed ids and the response signature.
fn verify_response(
    key: &SecretKey,
    request_id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), String> {
    let get = |n: &HeaderName| headers.get(n).and_then(|v| v.to_str().ok());
    let (Some(sig), Some(ts), Some(cid), Some(rid)) = (
        get(&SIGNATURE_H),
        get(&RESPONSE_TIMESTAMP_H),
        get(&CLIENT_ID_H),
        get(&REQUEST_ID_H),
    ) else {
        return Err("missing response signature header".to_owned());
    };
    if cid != CLIENT_ID || rid != request_id {
        return Err("echo mismatch".to_owned());
    }
    let message = Message {
        client_id: cid,
        request_id: rid,
        timestamp: ts,
        target: FILE_PATH,
        body: Some(body),
    };
    non_snap::verify(key, Kind::Response, &message, sig).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Per-operation costs (--parts)

/// A candidate decoder for the Check Requirements answer, to measure what a one-pass decode
/// could cost (`--parts`): the same `RequirementsResponse`, built by a hand-written visitor that
/// reads every map once (no `untagged` / `flatten` buffering, no `serde_path_to_error`). A map
/// whose fields make a valid `DocumentRequirement` becomes `Document`, any other map `Group`,
/// arrays `List`, scalars `Other` — the order `#[serde(untagged)]` tries. Benchmark-only
/// sketch: error paths and exotic inputs are not held to the model crate's standard.
mod one_pass {
    use std::collections::BTreeMap;
    use std::fmt;

    use doku_model::{DocumentRequirement, RequirementNode, RequirementsResponse};
    use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};

    struct Node(RequirementNode);

    impl<'de> de::Deserialize<'de> for Node {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(NodeVisitor)
        }
    }

    struct NodeVisitor;

    fn other(v: Value) -> Node {
        Node(RequirementNode::Other(v))
    }

    impl<'de> Visitor<'de> for NodeVisitor {
        type Value = Node;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a requirement node")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
            Ok(other(Value::Bool(v)))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
            Ok(other(v.into()))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
            Ok(other(v.into()))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
            Ok(other(v.into()))
        }
        fn visit_str<E>(self, v: &str) -> Result<Node, E> {
            Ok(other(Value::String(v.to_owned())))
        }
        fn visit_string<E>(self, v: String) -> Result<Node, E> {
            Ok(other(Value::String(v)))
        }
        fn visit_unit<E>(self) -> Result<Node, E> {
            Ok(other(Value::Null))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
            let mut items = Vec::new();
            while let Some(Node(n)) = seq.next_element()? {
                items.push(n);
            }
            Ok(Node(RequirementNode::List(items)))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
            let mut entries = BTreeMap::new();
            while let Some((k, Node(v))) = map.next_entry::<String, Node>()? {
                entries.insert(k, v);
            }
            Ok(Node(if is_document(&entries) {
                RequirementNode::Document(document(entries))
            } else {
                RequirementNode::Group(entries)
            }))
        }
    }

    fn to_value(n: &RequirementNode) -> Value {
        match n {
            RequirementNode::Other(v) => v.clone(),
            n => serde_json::to_value(n).unwrap_or(Value::Null),
        }
    }

    /// Whether the map's fields make a `DocumentRequirement` (checked without copying).
    fn is_document(m: &BTreeMap<String, RequirementNode>) -> bool {
        let is_str = |n: &RequirementNode| matches!(n, RequirementNode::Other(Value::String(_)));
        let null_or = |n: &RequirementNode, f: fn(&Value) -> bool| matches!(n, RequirementNode::Other(v) if v.is_null() || f(v));
        m.get("code").is_some_and(is_str)
            && m.iter().all(|(k, v)| match k.as_str() {
                "name" => null_or(v, Value::is_string),
                "extensions" => {
                    matches!(v, RequirementNode::List(items) if items.iter().all(is_str))
                }
                "max_size" => null_or(v, Value::is_u64),
                "is_mandatory" => null_or(v, Value::is_boolean),
                _ => true,
            })
    }

    fn document(m: BTreeMap<String, RequirementNode>) -> DocumentRequirement {
        let string = |n: RequirementNode| match n {
            RequirementNode::Other(Value::String(s)) => s,
            _ => String::new(),
        };
        let mut d = DocumentRequirement {
            code: String::new(),
            name: None,
            extensions: Vec::new(),
            max_size: None,
            is_mandatory: None,
            extra: Map::new(),
        };
        for (k, v) in m {
            match (k.as_str(), v) {
                ("code", v) => d.code = string(v),
                ("name", RequirementNode::Other(Value::String(s))) => d.name = Some(s),
                ("extensions", RequirementNode::List(items)) => {
                    d.extensions = items.into_iter().map(string).collect();
                }
                ("max_size", RequirementNode::Other(v)) => d.max_size = v.as_u64(),
                ("is_mandatory", RequirementNode::Other(v)) => d.is_mandatory = v.as_bool(),
                ("name", _) => {}
                (_, v) => {
                    d.extra.insert(k, to_value(&v));
                }
            }
        }
        d
    }

    /// Decodes the whole answer in one pass.
    pub(crate) fn decode(body: &[u8]) -> Result<RequirementsResponse, serde_json::Error> {
        let Node(top) = serde_json::from_slice(body)?;
        let RequirementNode::Group(mut top) = top else {
            return Err(de::Error::custom("not an object with `business`"));
        };
        let Some(RequirementNode::Group(business)) = top.remove("business") else {
            return Err(de::Error::custom("`business` is not an object"));
        };
        let extra = top.iter().map(|(k, v)| (k.clone(), to_value(v))).collect();
        Ok(RequirementsResponse { business, extra })
    }
}

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

fn parts(
    query: &RequirementsQuery,
    base_url: &str,
    token: &str,
    sample: &(HeaderMap, Bytes),
    sample_id: &str,
    prepared: &Prepared,
) {
    let key = SecretKey::new(SECRET);
    let (headers, body) = sample;
    let n = 100_000;
    let mut rows: Vec<(&str, f64)> = Vec::new();
    rows.push((
        "RequestId::random (UUID v4)",
        ns_per_op(n, RequestId::random),
    ));
    rows.push(("counter Request-Id (format!)", {
        let mut i = 0u64;
        ns_per_op(n, || {
            i += 1;
            RequestId::new(id_for(7, i)).unwrap()
        })
    }));
    rows.push((
        "validate + query string + ApiRequest",
        ns_per_op(n, || {
            query.validate().unwrap();
            ApiRequest::get(
                EndpointName::CheckRequirements,
                FILE_PATH,
                Some(query.to_query_string()),
            )
        }),
    ));
    rows.push((
        "clock + format_utc",
        ns_per_op(n, || {
            doku_sign::timestamp::format_utc(SystemClock.unix_seconds())
        }),
    ));
    let request = ApiRequest::get(
        EndpointName::CheckRequirements,
        FILE_PATH,
        Some(query.to_query_string()),
    );
    let id = RequestId::random();
    let timestamp = doku_sign::timestamp::format_utc(SystemClock.unix_seconds());
    let input = SigningInput {
        base_url,
        client_id: CLIENT_ID,
        secret_key: &key,
        request_id: id.as_str(),
        timestamp: &timestamp,
        token: Some(token),
    };
    rows.push((
        "non_snap::sign (GET, no body)",
        ns_per_op(n, || {
            non_snap::sign(&key, Kind::Request, &signer::message(&request, &input))
        }),
    ));
    rows.push((
        "signer::build (sign + URI + headers)",
        ns_per_op(n, || signer::build(&request, &input).unwrap()),
    ));
    rows.push((
        "bare: assemble pre-signed request",
        ns_per_op(n, || prepared.request(0)),
    ));
    rows.push((
        "verify response signature",
        ns_per_op(n, || {
            verify_response(&key, sample_id, headers, body).unwrap()
        }),
    ));
    rows.push((
        "decode RequirementsResponse",
        ns_per_op(n / 10, || {
            doku_model::decode::<RequirementsResponse>(body).unwrap()
        }),
    ));
    rows.push((
        "serde_json::from_slice::<RequirementsResponse>",
        ns_per_op(n / 10, || {
            serde_json::from_slice::<RequirementsResponse>(body).unwrap()
        }),
    ));
    assert_eq!(
        one_pass::decode(body).unwrap(),
        doku_model::decode::<RequirementsResponse>(body).unwrap(),
        "the one-pass sketch decodes the sample exactly like doku_model::decode"
    );
    rows.push((
        "one-pass visitor (sketch, same result)",
        ns_per_op(n / 10, || one_pass::decode(body).unwrap()),
    ));
    rows.push((
        "serde_json IgnoredAny (parse floor)",
        ns_per_op(n / 10, || {
            serde_json::from_slice::<serde::de::IgnoredAny>(body).unwrap()
        }),
    ));
    rows.push((
        "serde_json::Value (same body)",
        ns_per_op(n / 10, || {
            serde_json::from_slice::<serde_json::Value>(body).unwrap()
        }),
    ));
    rows.push((
        "tracing info_span! (6 fields)",
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
    ));
    println!(
        "parts (ns per call, best of 3 × {n} calls; response body {} B):",
        body.len()
    );
    for (name, ns) in rows {
        println!("  part {name:<40} {ns:>9.0} ns");
    }
}

// ---------------------------------------------------------------------------------------------

fn runtime(threads: usize) -> tokio::runtime::Runtime {
    if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    }
    .enable_all()
    .build()
    .unwrap()
}

fn main() {
    let opts = Opts::parse();
    if let Some(filter) = &opts.log {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::sink)
            .init();
    }
    let server_rt = runtime(opts.server_threads.max(2));
    let client_rt = runtime(opts.client_threads);
    let config = SimConfig::builder()
        .credential(CLIENT_ID, SecretKey::new(SECRET))
        .build()
        .unwrap();
    let sim = server_rt.block_on(Sim::start(config)).unwrap();
    let base_url = sim.base_url();
    println!(
        "doku-sim at {base_url}; server runtime {} workers, client runtime {}; concurrency {}; \
         warm-up {:?} + measure {:?} per phase; {} rounds (bare, sdk); {} CPUs",
        opts.server_threads.max(2),
        if opts.client_threads <= 1 {
            "current-thread".to_owned()
        } else {
            format!("{} workers", opts.client_threads)
        },
        opts.concurrency,
        opts.warmup,
        opts.measure,
        opts.rounds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    let (sdk, bare) = client_rt.block_on(run(&opts, &base_url));
    let stats = sim.stats();
    server_rt.block_on(sim.shutdown());
    println!(
        "sim saw {} requests ({} requirement checks)",
        stats.total_requests, stats.requirement_checks
    );

    let merge = |phases: &[Phase]| {
        let mut all: Vec<u32> = phases
            .iter()
            .flat_map(|p| p.latencies.iter().copied())
            .collect();
        all.sort_unstable();
        let window: f64 = phases.iter().map(|p| p.window.as_secs_f64()).sum();
        (all.len() as f64 / window, pct(&all, 0.50), pct(&all, 0.99))
    };
    let (s_rate, s50, s99) = merge(&sdk);
    let (b_rate, b50, b99) = merge(&bare);
    let invalid = sdk.iter().chain(&bare).any(Phase::invalid);
    let cpu = |phases: &[Phase], f: fn(&Phase) -> Option<Duration>| {
        let total: Option<Duration> = phases.iter().map(f).sum();
        let calls: usize = phases.iter().map(|p| p.latencies.len()).sum();
        total.map_or("?".to_owned(), |d| {
            format!("{:.1} µs", d.as_secs_f64() * 1e6 / calls.max(1) as f64)
        })
    };
    println!(
        "CPU per call: sdk client thread {}, process {}; bare client thread {}, process {}",
        cpu(&sdk, |p| p.client_cpu),
        cpu(&sdk, |p| p.process_cpu),
        cpu(&bare, |p| p.client_cpu),
        cpu(&bare, |p| p.process_cpu),
    );
    println!(
        "client: check-requirements sdk {s_rate:.0} req/s (p50 {}, p99 {}) vs bare {b_rate:.0} req/s (p50 {}, p99 {}) ratio {:.2} (target >= 0.75){}",
        ms(s50),
        ms(s99),
        ms(b50),
        ms(b99),
        s_rate / b_rate,
        if invalid { " [INVALID: errors, see above]" } else { "" }
    );
    if invalid {
        std::process::exit(1);
    }
}

/// All phases; returns the main (sdk, bare) phases.
async fn run(opts: &Opts, base_url: &str) -> (Vec<Phase>, Vec<Phase>) {
    let query = Arc::new(RequirementsQuery::personal("ID"));
    let query_string = query.to_query_string();
    let sdk = sdk_client(base_url, ResponseSignatureMode::Require, None);
    // The bare client's token, fetched once (this also fills the SDK's cache).
    let token = sdk.token().await.unwrap().token;
    sdk.check_requirements(&query).await.unwrap();
    let bare = bare_client(opts.concurrency);
    let per_phase = opts.max_rate * (opts.warmup + opts.measure).as_secs_f64().ceil() as usize;

    let (mut sdk_phases, mut bare_phases) = (Vec::new(), Vec::new());
    for round in 0..opts.rounds {
        let signing = Instant::now();
        let prepared = Prepared::new(round as u64, per_phase, &token, base_url, &query_string);
        println!(
            "pre-signed {per_phase} requests in {:.2} s (untimed)",
            signing.elapsed().as_secs_f64()
        );
        bare_phases.push(bare_phase(&format!("bare #{}", round + 1), opts, &bare, prepared).await);
        sdk_phases.push(sdk_phase(&format!("sdk #{}", round + 1), opts, &sdk, &query).await);
    }

    if opts.variants {
        let prepared = Prepared::new(100, per_phase, &token, base_url, &query_string);
        let reference = bare_phase("bare (variants ref)", opts, &bare, prepared).await;
        let mut variants = Vec::new();
        let prepared = Prepared::new(101, per_phase, &token, base_url, &query_string);
        variants.push(transport_phase("transport-presigned", opts, prepared).await);
        let off = sdk_client(base_url, ResponseSignatureMode::Off, None);
        off.token().await.unwrap();
        variants.push(sdk_phase("sdk-sig-off", opts, &off, &query).await);
        let counter = sdk_client(base_url, ResponseSignatureMode::Require, Some(200));
        counter.token().await.unwrap();
        variants.push(sdk_phase("sdk-counter-ids", opts, &counter, &query).await);
        variants.push(diy_phase("diy", opts, &bare, &token, base_url, &query_string).await);
        variants.push(sdk_phase("sdk (variants ref)", opts, &sdk, &query).await);
        for v in &variants {
            println!(
                "variant {:<22} {:>8.0} req/s = {:.2} × bare (variants ref, {:.0} req/s); client CPU {:.1} µs/call (bare ref {:.1})",
                v.name,
                v.rate(),
                v.rate() / reference.rate(),
                reference.rate(),
                v.per_call(v.client_cpu).unwrap_or(f64::NAN),
                reference.per_call(reference.client_cpu).unwrap_or(f64::NAN),
            );
        }
    }

    if opts.parts {
        let prepared = Prepared::new(300, 2, &token, base_url, &query_string);
        let sample_id = id_for(300, 1);
        let sample = bare_send(&bare, prepared.request(1)).await.unwrap();
        parts(&query, base_url, &token, &sample, &sample_id, &prepared);
    }
    (sdk_phases, bare_phases)
}
