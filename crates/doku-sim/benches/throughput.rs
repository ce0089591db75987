//! Signed Check Requirements requests per second against doku-sim on loopback, and, in the same
//! run, the same load generator against a trivial hyper server answering a fixed JSON body (the
//! baseline). Prints one summary line; see docs/performance.md.
//!
//! ```sh
//! cargo bench -p doku-sim --bench throughput                      # 5 s warm-up + 10 s measure, each server
//! cargo bench -p doku-sim --bench throughput -- --measure 3 --connections 16
//! ```
//!
//! The load generator is a hyper HTTP/1.1 client on one thread (a current-thread tokio runtime)
//! with `--connections` keep-alive connections, each sending its next request as soon as the
//! previous answer is read. Every request is signed **before** the timed window (distinct
//! Request-Ids, the bearer token fetched once, one `Request-Timestamp` well inside the
//! simulator's ±300 s window), so the client pays no signing cost during the measurement; the
//! baseline gets the very same request objects. Both servers run on one multi-thread runtime
//! with `--server-threads` workers (2, like the `doku-sim` binary on this machine) and use the
//! same hyper-util connection builder. Without `--bench` (e.g. `cargo test --benches`) it runs a
//! sub-second smoke version.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use doku_model::Endpoint;
use doku_test_support::now_timestamp;
use http::header::{CONTENT_TYPE, HOST};
use http::{Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Empty, Full};
use hyper::client::conn::http1;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};

use doku_test_support::load_kit::{client_runtime_and_sim, Batch, PreparedRequests};

const CLIENT_ID: &str = doku_test_support::PARTNER_CLIENT_ID;
const SECRET: &str = doku_test_support::PARTNER_SECRET;
const FILE_PATH: &str = Endpoint::CheckRequirements.path();
const TOKEN_PATH: &str = Endpoint::Token.path();
const QUERY_URI: &str =
    "/adv-core-api/partner/v1.0/file?businessType=PERSONAL&businessLegalEntity=PERSEORANGAN&brandBusinessLine=RETAIL&businessContactNationality=ID";

struct Opts {
    warmup: Duration,
    measure: Duration,
    connections: usize,
    server_threads: usize,
    /// Pre-signed requests = max_rate × (warm-up + measure); the sim run stops early (and says
    /// so) if it runs out.
    max_rate: usize,
}

impl Opts {
    fn parse() -> Self {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let bench = args.iter().any(|a| a == "--bench");
        let mut o = if bench {
            Self {
                warmup: Duration::from_secs(5),
                measure: Duration::from_secs(10),
                connections: 32,
                server_threads: 2,
                max_rate: 100_000,
            }
        } else {
            Self {
                warmup: Duration::from_millis(100),
                measure: Duration::from_millis(300),
                connections: 4,
                server_threads: 2,
                max_rate: 10_000,
            }
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = || -> f64 {
                it.next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{a} needs a number"))
            };
            match a.as_str() {
                "--warmup" => o.warmup = Duration::from_secs_f64(value()),
                "--measure" => o.measure = Duration::from_secs_f64(value()),
                "--connections" => o.connections = value() as usize,
                "--server-threads" => o.server_threads = value() as usize,
                "--max-rate" => o.max_rate = value() as usize,
                _ => {} // --bench and cargo's filters
            }
        }
        o
    }
}

async fn connect(addr: SocketAddr) -> http1::SendRequest<Empty<Bytes>> {
    let stream = TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(async move {
        let _ = conn.await;
    });
    sender
}

/// Fetches a bearer token from the simulator (outside any timed window).
async fn fetch_token(addr: SocketAddr) -> String {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    let timestamp = now_timestamp();
    let signed = doku_test_support::Signing {
        client_id: CLIENT_ID,
        secret: SECRET,
        method: "POST",
        path: TOKEN_PATH,
        query: None,
        body: doku_test_support::TOKEN_BODY,
        request_id: "bench-token",
        timestamp: &timestamp,
        sign_query: false,
    }
    .sign();
    let mut req = Request::post(TOKEN_PATH)
        .header(HOST, addr.to_string())
        .header(CONTENT_TYPE, "application/json");
    for (name, value) in signed.headers {
        req = req.header(name, value);
    }
    let req = req.body(Full::new(Bytes::from(signed.body))).unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    json["token"].as_str().unwrap().to_owned()
}

const WARMUP: u8 = 0;
const MEASURE: u8 = 1;
const STOP: u8 = 2;

struct RunResult {
    rate: f64,
    p50: Duration,
    p99: Duration,
    non_200: usize,
    first_error: Option<String>,
    exhausted: bool,
}

/// Drives `connections` keep-alive connections against `addr` for warm-up + measure.
/// `wrap`: reuse pre-signed requests cyclically (only for the baseline, which checks nothing).
async fn load(
    addr: SocketAddr,
    prepared: Arc<PreparedRequests>,
    opts: &Opts,
    wrap: bool,
) -> RunResult {
    let phase = Arc::new(AtomicU8::new(WARMUP));
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..opts.connections {
        let mut sender = connect(addr).await;
        let (phase, next, prepared) = (phase.clone(), next.clone(), prepared.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies: Vec<u32> = Vec::with_capacity(1 << 16);
            let mut non_200 = 0;
            let mut first_error = None;
            let mut exhausted = false;
            while phase.load(Ordering::Relaxed) != STOP {
                let mut i = next.fetch_add(1, Ordering::Relaxed);
                if i >= prepared.count {
                    if !wrap {
                        exhausted = true;
                        break;
                    }
                    i %= prepared.count;
                }
                let req = prepared.request(i);
                let started = Instant::now();
                if sender.ready().await.is_err() {
                    break;
                }
                let resp: Response<_> = match sender.send_request(req).await {
                    Ok(r) => r,
                    Err(e) => {
                        first_error.get_or_insert_with(|| e.to_string());
                        non_200 += 1;
                        break;
                    }
                };
                let status = resp.status();
                let body = resp.into_body().collect().await.map(|c| c.to_bytes());
                let elapsed = started.elapsed();
                if phase.load(Ordering::Relaxed) == MEASURE {
                    latencies.push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX));
                    if status != StatusCode::OK {
                        non_200 += 1;
                        if first_error.is_none() {
                            let text = body.map(|b| String::from_utf8_lossy(&b).into_owned());
                            first_error = Some(format!("{status}: {text:?}"));
                        }
                    }
                }
            }
            (latencies, non_200, first_error, exhausted)
        }));
    }
    tokio::time::sleep(opts.warmup).await;
    phase.store(MEASURE, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(opts.measure).await;
    phase.store(STOP, Ordering::Relaxed);
    let window = started.elapsed();
    let mut all = Vec::new();
    let mut result = RunResult {
        rate: 0.0,
        p50: Duration::ZERO,
        p99: Duration::ZERO,
        non_200: 0,
        first_error: None,
        exhausted: false,
    };
    for t in tasks {
        let (latencies, non_200, first_error, exhausted) = t.await.unwrap();
        all.extend(latencies);
        result.non_200 += non_200;
        result.exhausted |= exhausted;
        if result.first_error.is_none() {
            result.first_error = first_error;
        }
    }
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(Duration::ZERO, |us| Duration::from_micros(u64::from(*us)))
    };
    result.rate = all.len() as f64 / window.as_secs_f64();
    result.p50 = pct(0.50);
    result.p99 = pct(0.99);
    result
}

/// The baseline: hyper-util's auto connection builder (as doku-sim uses) answering `body`.
async fn baseline_server(body: Bytes) -> SocketAddr {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let body = body.clone();
            tokio::spawn(async move {
                let mut builder =
                    hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                builder
                    .http1()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(10));
                let service = hyper::service::service_fn(move |_req| {
                    let body = body.clone();
                    async move {
                        Ok::<_, std::convert::Infallible>(
                            Response::builder()
                                .header(CONTENT_TYPE, "application/json")
                                .body(Full::new(body))
                                .unwrap(),
                        )
                    }
                });
                let _ = builder
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let opts = Opts::parse();
    let (client_rt, sim) = client_runtime_and_sim(CLIENT_ID, SECRET, opts.server_threads);
    let sim_addr = sim.addr();

    let token = client_rt.block_on(fetch_token(sim_addr));
    let count = opts.max_rate * (opts.warmup + opts.measure).as_secs().max(1) as usize;
    let signing = Instant::now();
    let batch = |count| Batch {
        count,
        client_id: CLIENT_ID,
        secret: SECRET,
        path: FILE_PATH,
        uri: Uri::from_static(QUERY_URI),
        host: Some(sim_addr.to_string()),
        bearer: &token,
    };
    let prepared = Arc::new(PreparedRequests::new(batch(count), |i| format!("r{i:010}")));
    // One more request, with an id of its own, for the sample answer.
    let sample_request = PreparedRequests::new(batch(1), |_| "sample-0001".to_owned());
    let signing = signing.elapsed();

    // One request outside the window, with its own Request-Id: its body is what the baseline
    // answers.
    let sample = client_rt.block_on(async {
        let mut sender = connect(sim_addr).await;
        let resp = sender
            .send_request(sample_request.request(0))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        resp.into_body().collect().await.unwrap().to_bytes()
    });
    let sim_result = client_rt.block_on(load(sim_addr, prepared.clone(), &opts, false));
    let stats = sim.stats();

    // The baseline runs on the simulator's runtime (the simulator stays up, idle).
    let base_addr = sim.runtime().block_on(baseline_server(sample.clone()));
    let base_result = client_rt.block_on(load(base_addr, prepared.clone(), &opts, true));

    eprintln!(
        "pre-signed {count} requests in {:.2} s (not timed); warm-up {:?} + measure {:?} per server; \
         {} connections; server runtime {} workers; client 1 thread; response body {} B; sim saw {} requests, {} checks",
        signing.as_secs_f64(),
        opts.warmup,
        opts.measure,
        opts.connections,
        opts.server_threads,
        sample.len(),
        stats.total_requests,
        stats.requirement_checks,
    );
    for (name, r) in [("sim", &sim_result), ("baseline", &base_result)] {
        if r.non_200 > 0 {
            eprintln!(
                "{name}: {} responses were not 200; first: {}",
                r.non_200,
                r.first_error.as_deref().unwrap_or("?")
            );
        }
        if r.exhausted {
            eprintln!(
                "{name}: ran out of pre-signed requests before the window ended; raise --max-rate"
            );
        }
    }
    println!(
        "sim: check-requirements {:.0} req/s (baseline hyper {:.0} req/s, ratio {:.2}), p50 {} p99 {} (baseline p50 {} p99 {}){}",
        sim_result.rate,
        base_result.rate,
        sim_result.rate / base_result.rate,
        ms(sim_result.p50),
        ms(sim_result.p99),
        ms(base_result.p50),
        ms(base_result.p99),
        if sim_result.non_200 + base_result.non_200 > 0 || sim_result.exhausted {
            " [INVALID: errors, see stderr]"
        } else {
            ""
        }
    );
    if sim_result.non_200 + base_result.non_200 > 0 || sim_result.exhausted {
        std::process::exit(1);
    }
}
