//! The fault matrix: every fault doku-sim injects × every endpoint × {once, always} × each
//! idempotency reading (DOKU's words replay every final answer, or only successes).
//!
//! Each cell (one `#[tokio::test]`, named `<reading>::<endpoint>::<fault>::<mode>`) checks
//! - the documented outcome (`expected()` below; the table is in `docs/reliability.md`),
//!   derived from the client's retry rules: connect failures, timeouts, dropped connections and
//!   429/502/503/504 are retried, 500 only on GET, a 409 replay is success, a wrong signature
//!   or a non-JSON answer is not retried, a 401 refreshes the token and repeats the call once;
//! - the number of HTTP attempts the client made (seen through an `Observer`);
//! - that the call ends within a bound derived from the retry policy (no hang);
//! - the simulator's side effects: exactly what succeeded, replays counted; and after a
//!   failure, that repeating the call with the **same** Request-Id succeeds and leaves exactly
//!   one side effect (the recovery a caller is told to make).
//!
//! `faults.rs` holds the narrative tests of single faults; this file is the exhaustive grid.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use doku_model::Endpoint;
use doku_model::{ClientId, FileCategory, RequestId, UploadResponse};
use doku_partner::{Client, ConfigBuilder, Error, Exchange, RetryPolicy};
use doku_sim::{Fault, FaultKind, IdempotencyReading, Readings, SimConfig, SimHandle, Stats};
use doku_transport::TransportError;

/// Deadline of one attempt.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(200);
/// Injected latency: beyond the attempt timeout, but only modestly.
const LATENCY: Duration = Duration::from_millis(300);
/// Added to the computed bound for scheduling noise on a loaded machine.
const SLACK: Duration = Duration::from_secs(2);

/// Three attempts, short fixed waits, `Retry-After: 1` cut to 20 ms.
fn policy() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(40))
        .with_max_retry_after(Duration::from_millis(20))
        .with_total_deadline(Duration::from_secs(10))
        .with_jitter(false)
}

/// The longest a typed call may take under `policy()`: a token fetch, the call, and its
/// repeat after a token refresh, each at most `max_attempts` × (attempt timeout + longest wait).
fn call_bound() -> Duration {
    let p = policy();
    let wait = p.max_backoff().max(p.max_retry_after());
    (ATTEMPT_TIMEOUT + wait) * p.max_attempts() * 3 + SLACK
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Once,
    Always,
}

/// Which transport failure a `Transport` error must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// The attempt deadline passed (`TransportError::Timeout`).
    Timeout,
    /// The connection closed before a response (`TransportError::Request`).
    NoResponse,
    /// The response body was cut short (`TransportError::Body`).
    Body,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    /// `Error::Api` with this status and `error.code`.
    Api(u16, &'static str),
    /// `Error::Transport` with `may_have_reached_doku: true`.
    Transport(Cut),
    Decode,
    Signature,
    /// `Error::ReplayedRefusal` with DOKU's (the injected) `error.code`: under the replay-all
    /// reading the caller's Request-Id came back to a recorded refusal.
    Replayed(&'static str),
}

/// What a cell must produce.
#[derive(Debug, Clone, Copy)]
struct Expected {
    outcome: Outcome,
    /// HTTP attempts of the call (the observer's exchanges with the call's Request-Id).
    attempts: u32,
    /// Side effects (see `effects()`) right after the call, inclusive range.
    effects: (u64, u64),
    /// 409 replays right after the call, inclusive range.
    replays: (u64, u64),
    /// Tokens issued by the 401 → refresh path.
    refreshes: u64,
}

fn is_get(endpoint: Endpoint) -> bool {
    matches!(
        endpoint,
        Endpoint::CheckRequirements | Endpoint::GetBusinessData
    )
}

/// Whether the first answer under `kind` is a refusal the replay-all reading records (any 4xx
/// of an authenticated request): then the caller's Request-Id is spent.
fn records_refusal(kind: &FaultKind, endpoint: Endpoint, reading: IdempotencyReading) -> bool {
    reading == IdempotencyReading::ReplayAll
        && match *kind {
            FaultKind::Status(code) => (400..500).contains(&code),
            FaultKind::ExpireToken => endpoint != Endpoint::Token,
            _ => false,
        }
}

/// The documented outcome of `kind` on `endpoint`, applied once or always, under `reading`.
fn expected(
    kind: &FaultKind,
    endpoint: Endpoint,
    mode: Mode,
    reading: IdempotencyReading,
) -> Expected {
    let base = expected_replay_successes(kind, endpoint, mode);
    if !records_refusal(kind, endpoint, reading) {
        return base;
    }
    let once = mode == Mode::Once;
    match *kind {
        // The retry with the caller's id meets the recorded 429 (the fault is gone): DOKU's
        // replay of a refusal, returned as an error, not retried.
        FaultKind::Status(429) if once => Expected {
            outcome: Outcome::Replayed("simulated_fault"),
            attempts: 2,
            effects: (0, 0),
            replays: (1, 1),
            refreshes: 0,
        },
        // The refresh happens, then the repeat with the caller's id meets the recorded 401.
        FaultKind::ExpireToken => Expected {
            outcome: Outcome::Replayed("expired_token"),
            attempts: 2,
            effects: (0, 0),
            replays: (1, 1),
            refreshes: 1,
        },
        // An injected fault answers before the record is consulted: as under the other reading.
        _ => base,
    }
}

/// The documented outcome under the replay-successes reading (nothing but 2xx is recorded).
fn expected_replay_successes(kind: &FaultKind, endpoint: Endpoint, mode: Mode) -> Expected {
    let n = policy().max_attempts();
    let once = mode == Mode::Once;
    let bearer = endpoint != Endpoint::Token;
    let ok = |attempts, replays| Expected {
        outcome: Outcome::Success,
        attempts,
        effects: (1, 1),
        replays: (replays, replays),
        refreshes: 0,
    };
    let failed = |outcome, attempts, effects, replays| Expected {
        outcome,
        attempts,
        effects: (effects, effects),
        replays: (replays, replays),
        refreshes: 0,
    };
    match *kind {
        // The first attempt times out and is retried; the delayed request, if the server
        // still processes it, finds the outcome recorded and is a replay.
        FaultKind::Latency(_) if once => Expected {
            replays: (0, 1),
            ..ok(2, 0)
        },
        // Every attempt times out. The server may process one of the delayed requests (then
        // the others are replays): `may_have_reached_doku` is the honest answer.
        FaultKind::Latency(_) => Expected {
            effects: (0, 1),
            replays: (0, u64::from(n - 1)),
            ..failed(Outcome::Transport(Cut::Timeout), n, 0, 0)
        },
        FaultKind::Status(code @ (429 | 502 | 503 | 504)) => {
            if once {
                ok(2, 0)
            } else {
                failed(Outcome::Api(code, "simulated_fault"), n, 0, 0)
            }
        }
        FaultKind::Status(500) if is_get(endpoint) => {
            if once {
                ok(2, 0)
            } else {
                failed(Outcome::Api(500, "simulated_fault"), n, 0, 0)
            }
        }
        // A 500 on a POST may have applied an effect DOKU did not record: not retried.
        FaultKind::Status(code) => failed(Outcome::Api(code, "simulated_fault"), 1, 0, 0),
        FaultKind::DropConnection if once => ok(2, 0),
        FaultKind::DropConnection => failed(Outcome::Transport(Cut::NoResponse), n, 0, 0),
        // Processed, then the answer is lost: the retry with the same Request-Id is a replay.
        FaultKind::ProcessThenDrop if once => ok(2, 1),
        FaultKind::ProcessThenDrop => {
            failed(Outcome::Transport(Cut::NoResponse), n, 1, u64::from(n - 1))
        }
        FaultKind::TruncatedBody if once => ok(2, 1),
        FaultKind::TruncatedBody => failed(Outcome::Transport(Cut::Body), n, 1, u64::from(n - 1)),
        // Not retried: the answer is not what DOKU sends. Nothing was processed.
        FaultKind::NonJsonBody => failed(Outcome::Decode, 1, 0, 0),
        // Not retried: the answer did not demonstrably come from DOKU. It was processed.
        FaultKind::WrongSignature => failed(Outcome::Signature, 1, 1, 0),
        // Generate Token carries no bearer token: the fault has nothing to act on.
        FaultKind::ExpireToken if !bearer => ok(1, 0),
        FaultKind::ExpireToken if once => Expected {
            refreshes: 1,
            ..ok(2, 0)
        },
        FaultKind::ExpireToken => Expected {
            refreshes: 1,
            ..failed(Outcome::Api(401, "expired_token"), 2, 0, 0)
        },
        ref other => panic!("no expectation for {other:?}"),
    }
}

/// The endpoints whose calls are cells of the matrix (the Partner API; the merchant calls have
/// their own tests).
const MATRIX_ENDPOINTS: [Endpoint; 6] = [
    Endpoint::Token,
    Endpoint::CheckRequirements,
    Endpoint::UploadFile,
    Endpoint::BusinessRegistration,
    Endpoint::BusinessLite,
    Endpoint::GetBusinessData,
];

/// What counts as the endpoint's side effect (for GETs: answers actually computed).
fn effects(endpoint: Endpoint, stats: &Stats) -> u64 {
    match endpoint {
        Endpoint::Token => stats.tokens_for(CLIENT_ID),
        Endpoint::CheckRequirements => stats.requirement_checks,
        Endpoint::UploadFile => stats.uploads,
        Endpoint::BusinessRegistration => stats.registrations,
        Endpoint::BusinessLite => stats.lite_registrations,
        Endpoint::GetBusinessData => stats.business_data_reads,
        // Exhaustive on purpose: a new endpoint must be placed in the matrix or out of it here.
        Endpoint::Checkout
        | Endpoint::CheckStatus
        | Endpoint::SnapToken
        | Endpoint::CreateVa
        | Endpoint::UpdateVa
        | Endpoint::DeleteVa
        | Endpoint::VaStatus => {
            unreachable!("{endpoint}: merchant calls are not cells of this matrix")
        }
    }
}

/// A cell's world: a simulator, a client seeing every attempt, and the call's prerequisites.
struct Bench {
    sim: SimHandle,
    client: Client,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    file_ids: Vec<doku_model::FileId>,
    brand: Option<ClientId>,
}

impl Bench {
    async fn new(endpoint: Endpoint, reading: IdempotencyReading) -> Self {
        let sim =
            sim_with(SimConfig::builder().readings(Readings::default().idempotency(reading))).await;
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let sink = exchanges.clone();
        let client = Client::new(
            config(&sim)
                .retry_policy(policy())
                .attempt_timeout(ATTEMPT_TIMEOUT)
                .observer(move |e: &Exchange| sink.lock().unwrap().push(e.clone()))
                .build()
                .unwrap(),
        )
        .unwrap();
        let mut bench = Self {
            sim,
            client,
            exchanges,
            file_ids: Vec::new(),
            brand: None,
        };
        if endpoint != Endpoint::Token {
            bench.client.send(GenerateToken::new()).await.unwrap();
        }
        if matches!(
            endpoint,
            Endpoint::BusinessRegistration | Endpoint::GetBusinessData
        ) {
            bench.file_ids = upload_mandatory(&bench.client).await;
        }
        if endpoint == Endpoint::GetBusinessData {
            let created = bench
                .client
                .send(&registration("Toko Matrix", &bench.file_ids))
                .await
                .unwrap()
                .value;
            bench.brand = Some(ClientId::new(created.brand_ids()[0].to_owned()).unwrap());
        }
        bench
    }

    /// The endpoint's call with Request-Id `rid`; on success, checks the answer is real.
    async fn call(&self, endpoint: Endpoint, rid: &RequestId) -> Result<(), Error> {
        let options = || rid.clone();
        let client = &self.client;
        match endpoint {
            Endpoint::Token => {
                let token = client
                    .send(Call::new(GenerateToken::new()).request_id(options()))
                    .await?
                    .value;
                assert!(!token.token.is_empty());
            }
            Endpoint::CheckRequirements => {
                let answer = client
                    .send(Call::new(&personal_query()).request_id(options()))
                    .await?
                    .value;
                assert!(!answer.mandatory_codes().is_empty());
            }
            Endpoint::UploadFile => {
                // The same Request-Id gives the same multipart bytes (the boundary is derived
                // from it), so a repeat is DOKU's replay.
                let answer: UploadResponse = client
                    .send(Call::new(png(FileCategory::Logo)).request_id(options()))
                    .await?
                    .value;
                assert!(!answer.id.as_str().is_empty());
            }
            Endpoint::BusinessRegistration => {
                let created = client
                    .send(
                        Call::new(&registration("Toko Matrix", &self.file_ids))
                            .request_id(options()),
                    )
                    .await?
                    .value;
                // Not lost: what the (possibly replayed) answer names is registered.
                let brand = ClientId::new(created.brand_ids()[0].to_owned()).unwrap();
                let stored = self.client.send(GetBusiness::new(&brand)).await?.value;
                assert_eq!(stored.id, created.business.id);
            }
            Endpoint::BusinessLite => {
                let invited = client
                    .send(Call::new(&lite("Toko Matrix Lite")).request_id(options()))
                    .await?
                    .value;
                assert!(!invited.business.id.is_empty());
            }
            Endpoint::GetBusinessData => {
                let data = client
                    .send(
                        Call::new(GetBusiness::new(self.brand.as_ref().unwrap()))
                            .request_id(options()),
                    )
                    .await?
                    .value;
                assert_eq!(data.name, "Toko Matrix");
            }
            Endpoint::Checkout
            | Endpoint::CheckStatus
            | Endpoint::SnapToken
            | Endpoint::CreateVa
            | Endpoint::UpdateVa
            | Endpoint::DeleteVa
            | Endpoint::VaStatus => {
                unreachable!("{endpoint}: merchant calls are not cells of this matrix")
            }
        }
        Ok(())
    }

    fn attempts(&self, rid: &RequestId) -> u32 {
        let exchanges = self.exchanges.lock().unwrap();
        let mine = exchanges.iter().filter(|e| e.request_id == rid.as_str());
        u32::try_from(mine.count()).unwrap()
    }
}

/// Checks `err` is the expected failure.
fn check_error(cell: &str, want: Outcome, err: &Error, rid: &RequestId) {
    match (want, err) {
        (
            Outcome::Api(status, code),
            Error::Api {
                status: got,
                code: got_code,
                request_id,
                ..
            },
        ) => {
            assert_eq!(got.as_u16(), status, "{cell}: {err:?}");
            assert_eq!(got_code.as_deref(), Some(code), "{cell}: {err:?}");
            assert_eq!(request_id, rid.as_str(), "{cell}");
        }
        (
            Outcome::Transport(cut),
            Error::Transport {
                source,
                may_have_reached_doku,
                attempts,
                request_id,
            },
        ) => {
            assert!(*may_have_reached_doku, "{cell}: {err:?}");
            assert_eq!(*attempts, policy().max_attempts(), "{cell}: {err:?}");
            assert_eq!(request_id, rid.as_str(), "{cell}");
            let kind_ok = match cut {
                Cut::Timeout => source.is_timeout(),
                Cut::NoResponse => matches!(source, TransportError::Request { .. }),
                Cut::Body => matches!(source, TransportError::Body { .. }),
            };
            assert!(kind_ok, "{cell}: expected {cut:?}, got {source:?}");
            assert!(
                std::error::Error::source(err).is_some(),
                "{cell}: source kept"
            );
        }
        (Outcome::Decode, Error::Decode { status, .. }) => {
            assert_eq!(status.as_u16(), 200, "{cell}: {err:?}");
        }
        (Outcome::Signature, Error::Signature { request_id, .. }) => {
            assert_eq!(request_id, rid.as_str(), "{cell}");
        }
        (
            Outcome::Replayed(code),
            Error::ReplayedRefusal {
                status,
                code: got_code,
                request_id,
                ..
            },
        ) => {
            assert_eq!(status.as_u16(), 409, "{cell}: {err:?}");
            assert_eq!(got_code.as_deref(), Some(code), "{cell}: {err:?}");
            assert_eq!(request_id, rid.as_str(), "{cell}: the caller's id is kept");
        }
        _ => panic!("{cell}: expected {want:?}, got {err:?}"),
    }
}

fn in_range(value: u64, (low, high): (u64, u64)) -> bool {
    (low..=high).contains(&value)
}

/// Runs one cell.
async fn run(endpoint: Endpoint, kind: FaultKind, mode: Mode, reading: IdempotencyReading) {
    let cell = format!("cell [{endpoint} × {kind:?} × {mode:?} × {reading:?}]");
    let want = expected(&kind, endpoint, mode, reading);
    let bench = Bench::new(endpoint, reading).await;
    let before = bench.sim.stats();
    let fault = match mode {
        Mode::Once => Fault::once(kind.clone()),
        Mode::Always => Fault::always(kind.clone()),
    };
    bench.sim.set_fault(endpoint, fault);

    let rid = RequestId::random();
    let Ok(result) = tokio::time::timeout(call_bound(), bench.call(endpoint, &rid)).await else {
        panic!("{cell}: no answer within {:?}", call_bound());
    };
    match (&result, want.outcome) {
        (Ok(()), Outcome::Success) => {}
        (Ok(()), other) => panic!("{cell}: expected {other:?}, got success"),
        (Err(e), want_outcome) => check_error(&cell, want_outcome, e, &rid),
    }
    assert_eq!(bench.attempts(&rid), want.attempts, "{cell}: attempts");

    if matches!(kind, FaultKind::Latency(_)) {
        // Let the delayed requests finish on the server before counting.
        tokio::time::sleep(LATENCY + Duration::from_millis(100)).await;
    }
    let after = bench.sim.stats();
    let made = effects(endpoint, &after) - effects(endpoint, &before);
    let replays = after.replays - before.replays;
    assert!(
        in_range(made, want.effects),
        "{cell}: {made} side effects, expected {:?}",
        want.effects
    );
    assert!(
        in_range(replays, want.replays),
        "{cell}: {replays} replays, expected {:?}",
        want.replays
    );
    let faults = after.faults_applied - before.faults_applied;
    let want_faults = match mode {
        Mode::Once => 1,
        Mode::Always => u64::from(want.attempts),
    };
    assert_eq!(faults, want_faults, "{cell}: faults applied");
    if endpoint != Endpoint::Token {
        let tokens = after.tokens_for(CLIENT_ID) - before.tokens_for(CLIENT_ID);
        assert_eq!(tokens, want.refreshes, "{cell}: tokens issued");
    }
    if endpoint == Endpoint::BusinessLite {
        assert_eq!(
            u64::try_from(bench.sim.invitations_for(CLIENT_ID)).unwrap(),
            made,
            "{cell}: invitations"
        );
    }

    if result.is_err() {
        // The recovery a caller makes, the fault gone: the same call with the same Request-Id —
        // or, when DOKU recorded a refusal under it (which proves nothing was processed), with
        // a fresh one.
        bench.sim.clear_faults();
        let retry_id = if records_refusal(&kind, endpoint, reading) {
            RequestId::random()
        } else {
            rid.clone()
        };
        let Ok(again) = tokio::time::timeout(call_bound(), bench.call(endpoint, &retry_id)).await
        else {
            panic!("{cell}: recovery: no answer within {:?}", call_bound());
        };
        if let Err(e) = again {
            panic!("{cell}: recovery with the same Request-Id failed: {e:?}");
        }
        let recovered = bench.sim.stats();
        assert_eq!(
            effects(endpoint, &recovered) - effects(endpoint, &before),
            1,
            "{cell}: exactly one side effect after the recovery"
        );
        assert_eq!(
            recovered.replays - before.replays,
            replays + made,
            "{cell}: the recovery is a replay exactly when the effect had happened"
        );
    }
}

/// One module per endpoint, in it one per fault (`cells!`).
macro_rules! endpoint_cells {
    ($($module:ident => $endpoint:ident),* $(,)?) => {$(
        mod $module {
            use super::*;

            const ENDPOINT: Endpoint = Endpoint::$endpoint;

            cells! {
                latency => FaultKind::Latency(LATENCY);
                status_429 => FaultKind::Status(429);
                status_500 => FaultKind::Status(500);
                status_502 => FaultKind::Status(502);
                status_503 => FaultKind::Status(503);
                status_504 => FaultKind::Status(504);
                status_400 => FaultKind::Status(400);
                drop_connection => FaultKind::DropConnection;
                process_then_drop => FaultKind::ProcessThenDrop;
                truncated_body => FaultKind::TruncatedBody;
                non_json_body => FaultKind::NonJsonBody;
                wrong_signature => FaultKind::WrongSignature;
                expire_token => FaultKind::ExpireToken;
            }
        }
    )*};
}

/// One module per fault, with its two cells: the fault `once`, and `always`.
macro_rules! cells {
    ($($name:ident => $kind:expr;)*) => {$(
        mod $name {
            use super::*;

            #[tokio::test]
            async fn once() {
                run(ENDPOINT, $kind, Mode::Once, READING).await;
            }

            #[tokio::test]
            async fn always() {
                run(ENDPOINT, $kind, Mode::Always, READING).await;
            }
        }
    )*};
}

/// The grid under each idempotency reading (docs/conformance.md, A2): DOKU's literal words
/// (every final answer replayed) and the successes-only reading.
macro_rules! readings {
    ($($reading_module:ident => $reading:ident),* $(,)?) => {$(
        mod $reading_module {
            use super::*;

            const READING: IdempotencyReading = IdempotencyReading::$reading;

            endpoint_cells! {
                token => Token,
                check_requirements => CheckRequirements,
                upload_file => UploadFile,
                business_registration => BusinessRegistration,
                business_lite => BusinessLite,
                get_business_data => GetBusinessData,
            }
        }
    )*};
}

readings! {
    replay_all => ReplayAll,
    replay_successes => ReplaySuccesses,
}

/// Every cell has an expectation (`expected` panics on a cell it does not know), and each is
/// coherent: at least one attempt and at most the policy's attempts plus the 401 repeat, no more
/// side effects or replays than attempts, at most one token refresh.
#[test]
fn every_cell_has_a_coherent_expectation() {
    let kinds = [
        FaultKind::Latency(LATENCY),
        FaultKind::Status(429),
        FaultKind::Status(500),
        FaultKind::Status(502),
        FaultKind::Status(503),
        FaultKind::Status(504),
        FaultKind::Status(400),
        FaultKind::DropConnection,
        FaultKind::ProcessThenDrop,
        FaultKind::TruncatedBody,
        FaultKind::NonJsonBody,
        FaultKind::WrongSignature,
        FaultKind::ExpireToken,
    ];
    let most = policy().max_attempts() + 1;
    for kind in &kinds {
        for mode in [Mode::Once, Mode::Always] {
            for endpoint in MATRIX_ENDPOINTS {
                for reading in [
                    IdempotencyReading::ReplayAll,
                    IdempotencyReading::ReplaySuccesses,
                ] {
                    let e = expected(kind, endpoint, mode, reading);
                    let cell = format!("{kind:?} {mode:?} {endpoint} {reading:?}: {e:?}");
                    assert!((1..=most).contains(&e.attempts), "{cell}");
                    assert!(
                        e.effects.0 <= e.effects.1 && e.effects.1 <= u64::from(e.attempts),
                        "{cell}"
                    );
                    assert!(
                        e.replays.0 <= e.replays.1 && e.replays.1 <= u64::from(e.attempts),
                        "{cell}"
                    );
                    assert!(e.refreshes <= 1, "{cell}");
                }
            }
        }
    }
}

/// Repeating an upload that ended with `may_have_reached_doku: true` under the same Request-Id —
/// the recovery `Error::Transport` and `Call::request_id` document — sends the same bytes (the
/// multipart boundary is derived from the Request-Id, `src/api/upload.rs`), so DOKU's
/// idempotency check (Request-Id + exact body, as doku-sim models it) replays the stored answer
/// instead of answering 422 `request_id_reused`.
#[tokio::test]
async fn upload_file_with_the_same_request_id_is_replayed() {
    let matrix_config = |config: ConfigBuilder| {
        config
            .retry_policy(policy())
            .attempt_timeout(ATTEMPT_TIMEOUT)
    };
    let drops = Fault::always(FaultKind::ProcessThenDrop);
    let (sim, client) =
        warm_client_under_fault_with(matrix_config, Endpoint::UploadFile, drops).await;
    let rid = RequestId::random();
    let options = || rid.clone();
    let err = client
        .send(Call::new(png(FileCategory::Logo)).request_id(options()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                may_have_reached_doku: true,
                ..
            }
        ),
        "{err:?}"
    );
    sim.clear_faults();
    let again = client
        .send(Call::new(png(FileCategory::Logo)).request_id(options()))
        .await;
    assert!(
        again.is_ok(),
        "the same upload with the same Request-Id must be replayed, got {again:?}"
    );
    assert_eq!(sim.stats().uploads, 1);
}
