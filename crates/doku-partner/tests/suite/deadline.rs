//! `RetryPolicy::total_deadline` (or a call's own `Call::deadline`) bounds the whole call — token
//! fetch, attempts in flight, waits, the 401 repeat — against a slow or misbehaving scripted
//! server; a `Retry-After` never extends past it; a retryable status on an answer failing a
//! required signature check is not retried.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::time::{Duration, Instant};

use common::scripted::{Reply, Scripted};
use common::token_first::{call_ids, scripted_config, token_first as server};
use common::*;
use doku_partner::{CallStage, Client, Error, ResponseSignatureMode, SignatureProblem};

/// Scheduling slack allowed past a deadline on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(500);

fn client_for(server: &Scripted, deadline: Duration, mode: ResponseSignatureMode) -> Client {
    let config = scripted_config(server)
        .retry_policy(fast_retries().with_total_deadline(deadline))
        // Far beyond the deadline: the deadline, not the attempt timeout, must end the call.
        .attempt_timeout(Duration::from_secs(30))
        .response_signatures(mode);
    build(config)
}

/// A client whose 60 s deadline plays no part: what ends the call must be something else.
fn client_without_deadline(server: &Scripted, mode: ResponseSignatureMode) -> Client {
    client_for(server, Duration::from_secs(60), mode)
}

/// A Check Requirements call that must fail; its error and how long it took.
async fn failing_call(client: &Client) -> (Error, Duration) {
    let started = Instant::now();
    let err = client.send(&personal_query()).await.unwrap_err();
    (err, started.elapsed())
}

fn assert_within(elapsed: Duration, deadline: Duration) -> Duration {
    assert!(
        elapsed <= deadline + SLACK,
        "took {elapsed:?}, deadline {deadline:?}"
    );
    elapsed
}

#[tokio::test]
async fn an_attempt_in_flight_is_cut_at_the_deadline() {
    let server = server(|_, _| Reply::Silent).await;
    let deadline = Duration::from_millis(800);
    let client = client_for(&server, deadline, ResponseSignatureMode::VerifyIfPresent);
    let (err, elapsed) = failing_call(&client).await;
    let elapsed = assert_within(elapsed, deadline);
    assert!(elapsed >= deadline, "{elapsed:?}");
    let Error::DeadlineExceeded {
        deadline: d,
        stage,
        attempts,
        may_have_reached_doku,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*d, *stage, *attempts, *may_have_reached_doku),
        (deadline, CallStage::InFlight, 1, true)
    );
    assert!(err.to_string().contains("deadline"), "{err}");
}

#[tokio::test]
async fn a_slow_token_fetch_counts_against_the_deadline() {
    let server = Scripted::start(|_, _| Reply::Silent).await;
    let deadline = Duration::from_millis(600);
    let client = client_for(&server, deadline, ResponseSignatureMode::VerifyIfPresent);
    let (err, elapsed) = failing_call(&client).await;
    assert_within(elapsed, deadline);
    assert!(
        matches!(
            err,
            Error::DeadlineExceeded {
                stage: CallStage::FetchingToken,
                attempts: 0,
                ..
            }
        ),
        "{err:?}"
    );
}

/// A slow DOKU (once seen to take 357.9 s for one `doku business`): slow 503s, then a 401; the
/// 401 repeat must not restart the budget: it is cut at the call's deadline, and the 401 is
/// reported as the cause.
#[tokio::test]
async fn slow_503_then_401_ends_at_the_deadline_with_the_last_outcome_as_cause() {
    let server =
        server(|i, seen| Reply::slow_503s_then_401(i, seen, SECRET, [300, 100, 5_000])).await;
    let deadline = Duration::from_millis(1500);
    let client = client_for(&server, deadline, ResponseSignatureMode::Require);
    let (err, elapsed) = failing_call(&client).await;
    assert_within(elapsed, deadline);
    let Error::DeadlineExceeded {
        stage,
        attempts,
        last: Some(last),
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*stage, *attempts),
        (CallStage::InFlight, 4),
        "3 attempts, then the one 401 repeat, cut in flight"
    );
    assert!(
        matches!(**last, Error::Api { status, .. } if status.as_u16() == 401),
        "{last:?}"
    );
    let source = std::error::Error::source(&err).map(ToString::to_string);
    assert!(
        source.is_some_and(|s| s.contains("401") && s.contains("slow_401")),
        "{err}"
    );
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_is_not_waited_for() {
    let server = server(|_, seen| {
        Reply::signed(
            429,
            r#"{"error":{"code":"too_many_requests","message":"slow down"}}"#,
            seen,
            SECRET,
        )
        .with_header("retry-after", "30")
    })
    .await;
    let deadline = Duration::from_secs(3);
    let client = client_for(&server, deadline, ResponseSignatureMode::Require);
    let (err, elapsed) = failing_call(&client).await;
    assert!(elapsed < Duration::from_secs(1), "no 30 s wait");
    assert!(
        matches!(&err, Error::Api { status, .. } if status.as_u16() == 429),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_unsigned_429_or_503_is_a_signature_error_when_signatures_are_required() {
    for status in [429, 503] {
        let server = server(move |_, _| {
            Reply::json(status, r#"{"error":{"code":"busy","message":"busy"}}"#)
                .with_header("retry-after", "30")
        })
        .await;
        let client = client_without_deadline(&server, ResponseSignatureMode::Require);
        let (err, elapsed) = failing_call(&client).await;
        assert!(elapsed < Duration::from_secs(1), "{status}: no wait");
        assert!(
            matches!(
                &err,
                Error::Signature {
                    problem: SignatureProblem::Missing,
                    ..
                }
            ),
            "{status}: {err:?}"
        );
        assert_eq!(call_ids(&server).len(), 1, "{status}: not retried");
    }
}

#[tokio::test]
async fn a_429_with_a_wrong_signature_is_not_retried_even_when_signatures_are_optional() {
    let server = server(|_, seen| {
        Reply::signed(429, r#"{"error":{}}"#, seen, "SK-not-the-secret")
            .with_header("retry-after", "0")
    })
    .await;
    let client = client_without_deadline(&server, ResponseSignatureMode::VerifyIfPresent);
    let (err, _) = failing_call(&client).await;
    assert!(
        matches!(
            &err,
            Error::Signature {
                problem: SignatureProblem::Invalid,
                ..
            }
        ),
        "{err:?}"
    );
}

/// A call's own deadline (`Call::deadline`) bounds it instead of the policy's: shorter, the call
/// is cut at it.
#[tokio::test]
async fn a_call_s_own_deadline_is_shorter_than_the_policy_s() {
    let server = server(|_, _| Reply::Silent).await;
    let client = client_without_deadline(&server, ResponseSignatureMode::VerifyIfPresent);
    let deadline = Duration::from_millis(700);
    let started = Instant::now();
    let query = personal_query();
    let err = client
        .send(Call::new(&query).deadline(deadline))
        .await
        .unwrap_err();
    let elapsed = assert_within(started.elapsed(), deadline);
    assert!(elapsed >= deadline, "{elapsed:?}");
    let Error::DeadlineExceeded {
        deadline: d,
        stage,
        attempts,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*d, *stage, *attempts), (deadline, CallStage::InFlight, 1));
}

/// Longer than the policy's, a call's own deadline leaves room for a retry the policy's would
/// not wait for; the answer counts both attempts.
#[tokio::test]
async fn a_call_s_own_deadline_is_longer_than_the_policy_s() {
    let data = r#"{"id":"BSN-1","name":"Toko","type":"PERSONAL","brands":[]}"#;
    let server = server(move |i, seen| {
        if i < 2 {
            Reply::signed(
                503,
                r#"{"error":{"code":"busy","message":"busy"}}"#,
                seen,
                SECRET,
            )
            .with_header("retry-after", "1")
        } else {
            Reply::signed(200, data, seen, SECRET)
        }
    })
    .await;
    let client = client_for(
        &server,
        Duration::from_millis(400),
        ResponseSignatureMode::Require,
    );
    let brand = doku_model::ClientId::new("BRN-0001-1").unwrap();
    // Under the policy's 400 ms, the 1 s Retry-After is not waited for.
    let err = client.send(GetBusiness::new(&brand)).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status, .. } if status.as_u16() == 503),
        "{err:?}"
    );
    // The next call's first attempt is refused too (503), but its own 5 s leave room.
    let started = Instant::now();
    let answer = client
        .send(Call::new(GetBusiness::new(&brand)).deadline(Duration::from_secs(5)))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "waited");
    assert_eq!(answer.attempts, 2);
    assert_eq!(answer.value.name, "Toko");
    assert_eq!(call_ids(&server).len(), 3);
}
