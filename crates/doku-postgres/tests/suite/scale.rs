//! Eight client processes, one credential, one simulator that revokes a client id's older tokens
//! when it issues a new one (`--token-revokes-previous`): 10,000 calls with the tokens shared in
//! PostgreSQL, then the same with each process's own in-memory cache.
//!
//! The client processes are this test binary run again with `DOKU_SCALE_CHILD` set: the test
//! [`scale_child`] is then the client (and does nothing otherwise). Every process, the simulator
//! included, reads one clock that runs [`SPEED`] times real time from the test's start, so tokens of
//! one minute (`valid_time`), refreshed at half-life, come due every 0.5 s of real time and the run
//! sees several expiries.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use doku_partner::{Client, Config, Environment, Error, RetryPolicy};
use doku_postgres::PgTokenStore;
use doku_sign::SecretKey;
use doku_sim::{BearerReading, Readings, Sim, SimConfig};
use doku_test_support::postgres::TestPostgres;
use doku_test_support::{personal_query, PARTNER_CLIENT_ID, PARTNER_SECRET};

const PROCESSES: usize = 8;
const CALLS: usize = 10_000;
/// Calls in flight per process.
const CONCURRENCY: usize = 4;
/// The shared clock's speed: tokens of 60 clock seconds live 1 s of real time, so even a run of
/// 2.5 s (an idle machine) sees several refresh points.
const SPEED: i64 = 60;
/// The token lifetime asked for (`valid_time`, minutes).
const TOKEN_MINUTES: u32 = 1;
/// Bound on each run of the eight processes.
const RUN_LIMIT: Duration = Duration::from_secs(240);

/// Unix seconds on a clock that runs `SPEED` times real time from `epoch_ms` (Unix milliseconds).
fn fast_clock(epoch_ms: i64) -> impl Fn() -> i64 + Send + Sync + 'static {
    move || {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        (epoch_ms + (now_ms - epoch_ms) * SPEED) / 1000
    }
}

/// What one run of the eight processes did.
#[derive(Debug)]
struct Run {
    ok: usize,
    failed: usize,
    /// Generate Token calls the simulator answered.
    fetches: u64,
    /// Calls the simulator refused (401 for a revoked or expired token, mostly).
    refused: u64,
    wall: Duration,
    /// Clock seconds the run lasted on the shared clock.
    clock_seconds: i64,
    first_error: Option<String>,
}

async fn run(pg: Option<&TestPostgres>, epoch_ms: i64) -> Run {
    let clock = fast_clock(epoch_ms);
    let sim = Sim::start(
        SimConfig::builder()
            .clock(fast_clock(epoch_ms))
            .credential(PARTNER_CLIENT_ID, SecretKey::new(PARTNER_SECRET))
            .readings(
                Readings::default()
                    .bearer(BearerReading::Everywhere)
                    .token_revokes_previous(true),
            )
            .build()
            .unwrap(),
    )
    .await
    .unwrap();
    if let Some(pg) = pg {
        let store = PgTokenStore::connect(&pg.connection_string())
            .await
            .unwrap();
        store.migrate().await.unwrap();
    }
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let clock_start = clock();
    let children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            let mut command = Command::new(&exe);
            command
                .args([
                    "scale::scale_child",
                    "--exact",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("DOKU_SCALE_CHILD", "1")
                .env("DOKU_SCALE_BASE_URL", sim.base_url())
                .env("DOKU_SCALE_EPOCH_MS", epoch_ms.to_string())
                .env(
                    "DOKU_SCALE_CALLS",
                    (CALLS * (i + 1) / PROCESSES - CALLS * i / PROCESSES).to_string(),
                )
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit());
            match pg {
                Some(pg) => command.env("DOKU_SCALE_PG", pg.connection_string()),
                None => command.env_remove("DOKU_SCALE_PG"),
            };
            command.spawn().unwrap()
        })
        .collect();
    let mut outcome = Run {
        ok: 0,
        failed: 0,
        fetches: 0,
        refused: 0,
        wall: Duration::ZERO,
        clock_seconds: 0,
        first_error: None,
    };
    for mut child in children {
        let until = started + RUN_LIMIT;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() >= until {
                let _ = child.kill();
                let _ = child.wait();
                panic!("a client process did not finish within {RUN_LIMIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let mut stdout = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
        assert!(
            status.success(),
            "a client process failed: {status}\n{stdout}"
        );
        let line = stdout
            .lines()
            .find_map(|l| l.split_once("DOKU_SCALE_RESULT ").map(|(_, r)| r))
            .unwrap_or_else(|| panic!("no result line in:\n{stdout}"));
        let mut fields = line.splitn(3, ' ');
        outcome.ok += fields.next().unwrap().parse::<usize>().unwrap();
        outcome.failed += fields.next().unwrap().parse::<usize>().unwrap();
        let error = fields.next().unwrap_or("-");
        if error != "-" && outcome.first_error.is_none() {
            outcome.first_error = Some(error.to_owned());
        }
    }
    outcome.wall = started.elapsed();
    outcome.clock_seconds = clock() - clock_start;
    let stats = sim.stats();
    outcome.fetches = stats.tokens_for(PARTNER_CLIENT_ID);
    outcome.refused = stats.rejected;
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "scale test: ~45 s of whole processes on PostgreSQL; CI runs it in its own step, locally `cargo test -- --ignored`"]
async fn eight_processes_share_one_token_in_postgres_where_in_memory_caches_revoke_each_other() {
    let Some(pg) = TestPostgres::start() else {
        return;
    };
    let epoch_ms = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();

    let shared = run(Some(&pg), epoch_ms).await;
    // A token is due every half-lifetime of the clock (30 s of 60): at most one fetch each.
    let half_life = i64::from(TOKEN_MINUTES) * 60 / 2;
    let expiries = u64::try_from(shared.clock_seconds / half_life).unwrap();
    eprintln!(
        "shared PostgreSQL store: {} calls, {} failed, {} token fetches for {} refresh points ({} clock s), {} refused, {:.1} s",
        shared.ok + shared.failed,
        shared.failed,
        shared.fetches,
        expiries,
        shared.clock_seconds,
        shared.refused,
        shared.wall.as_secs_f64()
    );
    assert_eq!(shared.ok + shared.failed, CALLS);
    assert_eq!(shared.failed, 0, "first error: {:?}", shared.first_error);
    assert!(expiries >= 2, "the run saw too few expiries: {shared:?}");
    assert!(
        shared.fetches <= expiries + 1,
        "more than one fetch per expiry: {shared:?}"
    );

    let alone = run(None, epoch_ms).await;
    eprintln!(
        "in-memory caches: {} calls, {} failed, {} token fetches, {} refused, {:.1} s; first error: {}",
        alone.ok + alone.failed,
        alone.failed,
        alone.fetches,
        alone.refused,
        alone.wall.as_secs_f64(),
        alone.first_error.as_deref().unwrap_or("-")
    );
    assert_eq!(alone.ok + alone.failed, CALLS);
    // What the shared store prevents: every fetch revokes the other seven processes' tokens, and
    // their next calls meet a 401 and fetch again.
    assert!(
        alone.fetches >= 10 * shared.fetches.max(1) && alone.refused >= 100,
        "expected a 401 → fetch → 401 loop: {alone:?}"
    );
}

/// The client process (run by the test above with `DOKU_SCALE_CHILD=1`; does nothing otherwise):
/// `DOKU_SCALE_CALLS` Check Requirements calls, `CONCURRENCY` at a time, with the tokens in
/// PostgreSQL when `DOKU_SCALE_PG` is set. Prints `DOKU_SCALE_RESULT <ok> <failed> <first error>`.
#[test]
fn scale_child() {
    if std::env::var_os("DOKU_SCALE_CHILD").is_none() {
        return;
    }
    let var = |name: &str| std::env::var(name).unwrap();
    let calls: usize = var("DOKU_SCALE_CALLS").parse().unwrap();
    let epoch_ms: i64 = var("DOKU_SCALE_EPOCH_MS").parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut config = Config::builder(PARTNER_CLIENT_ID, SecretKey::new(PARTNER_SECRET))
            .environment(Environment::Custom(var("DOKU_SCALE_BASE_URL")))
            .clock(fast_clock(epoch_ms))
            .token_valid_minutes(TOKEN_MINUTES)
            .retry_policy(
                RetryPolicy::default()
                    .with_initial_backoff(Duration::from_millis(10))
                    .with_max_backoff(Duration::from_millis(100)),
            );
        if let Ok(settings) = std::env::var("DOKU_SCALE_PG") {
            config = config.token_store(PgTokenStore::connect(&settings).await.unwrap());
        }
        let client = Client::new(config.build().unwrap()).unwrap();
        let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let workers: Vec<_> = (0..CONCURRENCY)
            .map(|_| {
                let (client, next) = (client.clone(), next.clone());
                tokio::spawn(async move {
                    let (mut ok, mut failed, mut first) = (0usize, 0usize, None::<Error>);
                    while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < calls {
                        match client.send(&personal_query()).await {
                            Ok(_) => ok += 1,
                            Err(e) => {
                                failed += 1;
                                first.get_or_insert(e);
                            }
                        }
                    }
                    (ok, failed, first)
                })
            })
            .collect();
        let (mut ok, mut failed, mut first) = (0, 0, None);
        for worker in workers {
            let (o, f, e) = worker.await.unwrap();
            ok += o;
            failed += f;
            if first.is_none() {
                first = e;
            }
        }
        let first = first.map_or("-".to_owned(), |e| e.to_string().replace('\n', " "));
        println!("\nDOKU_SCALE_RESULT {ok} {failed} {first}");
    });
}
