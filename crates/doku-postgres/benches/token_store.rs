//! `cargo bench -p doku-postgres --bench token_store`: what sharing tokens in PostgreSQL costs.
//!
//! 1. Per call: `Client::send` of Check Requirements against an in-process simulator on loopback,
//!    sequentially, with the token in memory (the default) and with a `PgTokenStore` (a fresh token
//!    is still taken from memory: the store is not asked). Mean latency and process CPU per call.
//! 2. Per refresh: the store's part of a token refresh (read, lease, read again, save, release: five
//!    statements) against a throwaway PostgreSQL on loopback, and that cost spread over the calls
//!    of one token lifetime.
//!
//! Prints one `tokens:` line (read by `cargo xtask bench`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::{Duration, Instant};

use doku_partner::{Client, Config, Environment, StoredToken, TokenKey, TokenKind, TokenStore};
use doku_postgres::PgTokenStore;
use doku_sign::SecretKey;
use doku_sim::{Sim, SimConfig};
use doku_test_support::postgres::TestPostgres;
use doku_test_support::{personal_query, PARTNER_CLIENT_ID, PARTNER_SECRET};

const CALLS: u32 = 5_000;
const WARM_UP: u32 = 500;
const REFRESHES: u32 = 1_000;
const ROUNDS: usize = 3;

/// User + system CPU time of this process.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11).and_then(|u| u.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
    Duration::from_millis(ticks * 10) // USER_HZ = 100 on Linux
}

/// (mean latency, CPU per call) of `CALLS` sequential calls.
async fn per_call(client: &Client) -> (Duration, Duration) {
    for _ in 0..WARM_UP {
        client.send(&personal_query()).await.unwrap();
    }
    let (started, cpu_before) = (Instant::now(), cpu());
    for _ in 0..CALLS {
        client.send(&personal_query()).await.unwrap();
    }
    (started.elapsed() / CALLS, (cpu() - cpu_before) / CALLS)
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let Some(pg) = TestPostgres::start() else {
        println!("tokens: skipped (DOKU_SKIP_POSTGRES=1)");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sim = Sim::start(
            SimConfig::builder()
                .credential(PARTNER_CLIENT_ID, SecretKey::new(PARTNER_SECRET))
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
        let store = PgTokenStore::connect(&pg.connection_string()).await.unwrap();
        store.migrate().await.unwrap();
        let config = || {
            Config::builder(PARTNER_CLIENT_ID, SecretKey::new(PARTNER_SECRET))
                .environment(Environment::Custom(sim.base_url()))
        };
        let memory = Client::new(config().build().unwrap()).unwrap();
        let shared = Client::new(
            config()
                .token_store(PgTokenStore::connect(&pg.connection_string()).await.unwrap())
                .build()
                .unwrap(),
        )
        .unwrap();
        // Alternate the two, best of ROUNDS each (the machine is shared).
        let (mut mem, mut pgs) = ((Duration::MAX, Duration::MAX), (Duration::MAX, Duration::MAX));
        for _ in 0..ROUNDS {
            let m = per_call(&memory).await;
            let p = per_call(&shared).await;
            mem = (mem.0.min(m.0), mem.1.min(m.1));
            pgs = (pgs.0.min(p.0), pgs.1.min(p.1));
        }

        let key = TokenKey::new(TokenKind::Partner, "BRN-BENCH", "http://127.0.0.1");
        let token = StoredToken::new("eyJ.bench.token", 0, 3_600);
        let started = Instant::now();
        for _ in 0..REFRESHES {
            store.load(&key).await.unwrap();
            let lease = store.acquire_fetch_lease(&key, Duration::from_secs(5)).await.unwrap();
            store.load(&key).await.unwrap();
            store.save(&key, &token).await.unwrap();
            store.release(&key, lease).await.unwrap();
        }
        let refresh = started.elapsed() / REFRESHES;
        // Spread over the calls of one default token lifetime (60 min, refreshed 60 s early) at
        // the sequential rate measured above.
        let calls_per_token = (59.0 * 60.0) / pgs.0.as_secs_f64();
        println!(
            "tokens: per call {:.1} µs in memory vs {:.1} µs with PgTokenStore ({:+.1}%), CPU {:.1} vs {:.1} µs/call; \
             a refresh through PostgreSQL {:.0} µs (5 statements, loopback), one refresh per {:.0} calls of a 60-min token ({CALLS} calls × {ROUNDS}, best round)",
            us(mem.0),
            us(pgs.0),
            (us(pgs.0) / us(mem.0) - 1.0) * 100.0,
            us(mem.1),
            us(pgs.1),
            us(refresh),
            calls_per_token,
        );
    });
}
