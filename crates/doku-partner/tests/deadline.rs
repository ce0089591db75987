//! `RetryPolicy::total_deadline` bounds the whole call — token fetch, attempts in flight, waits,
//! the 401 repeat — against a slow or misbehaving scripted server; a `Retry-After` never extends
//! past it; a retryable status on an answer failing a required signature check is not retried.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::scripted::{Reply, Scripted, Seen};
use common::*;
use doku_model::paths;
use doku_partner::{
    CallStage, Client, Config, Environment, Error, ResponseSignatureMode, RetryPolicy,
    SignatureProblem,
};
use doku_sign::SecretKey;

const TOKEN: &str = r#"{"token":"tok-1","type":"Bearer","valid_time":3600}"#;
/// Scheduling slack allowed past a deadline on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(500);

fn client_for(server: &Scripted, deadline: Duration, mode: ResponseSignatureMode) -> Client {
    Client::new(
        Config::builder(CLIENT_ID, SecretKey::new(SECRET))
            .environment(Environment::Custom(server.base_url()))
            .retry_policy(RetryPolicy {
                total_deadline: deadline,
                ..fast_retries()
            })
            // Far beyond the deadline: the deadline, not the attempt timeout, must end the call.
            .attempt_timeout(Duration::from_secs(30))
            .response_signatures(mode)
            .build()
            .unwrap(),
    )
    .unwrap()
}

async fn server(calls: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Scripted {
    let count = std::sync::atomic::AtomicUsize::new(0);
    Scripted::start(move |_, seen| {
        if seen.path() == paths::TOKEN {
            return Reply::signed(200, TOKEN, seen, SECRET);
        }
        calls(
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
            seen,
        )
    })
    .await
}

fn assert_within(started: Instant, deadline: Duration) -> Duration {
    let elapsed = started.elapsed();
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
    let started = Instant::now();
    let err = client
        .check_requirements(&personal_query())
        .await
        .unwrap_err();
    let elapsed = assert_within(started, deadline);
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
    let started = Instant::now();
    let err = client
        .check_requirements(&personal_query())
        .await
        .unwrap_err();
    assert_within(started, deadline);
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

/// The case from issue 10 (357.9 s for one `doku business`): slow 503s, then a 401, and the
/// 401 repeat restarted the budget. Now the repeat is cut at the call's deadline, and the 401
/// is reported as the cause.
#[tokio::test]
async fn slow_503_then_401_ends_at_the_deadline_with_the_last_outcome_as_cause() {
    let server = server(|i, seen| {
        let (status, wait) = match i {
            0 | 1 => (503, 300),
            2 => (401, 100),
            _ => (401, 5_000),
        };
        Reply::signed(
            status,
            format!(r#"{{"error":{{"code":"c{status}","message":"m"}}}}"#),
            seen,
            SECRET,
        )
        .with_header("retry-after", "0")
        .after(Duration::from_millis(wait))
    })
    .await;
    let deadline = Duration::from_millis(1500);
    let client = client_for(&server, deadline, ResponseSignatureMode::Require);
    let started = Instant::now();
    let err = client
        .check_requirements(&personal_query())
        .await
        .unwrap_err();
    assert_within(started, deadline);
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
    assert!(source.is_some_and(|s| s.contains("401")), "{err}");
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
    let started = Instant::now();
    let err = client
        .check_requirements(&personal_query())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1), "no 30 s wait");
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
        let client = client_for(
            &server,
            Duration::from_secs(60),
            ResponseSignatureMode::Require,
        );
        let started = Instant::now();
        let err = client
            .check_requirements(&personal_query())
            .await
            .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{status}: no wait"
        );
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
        let calls = server
            .seen()
            .iter()
            .filter(|s| s.path() != paths::TOKEN)
            .count();
        assert_eq!(calls, 1, "{status}: not retried");
    }
}

#[tokio::test]
async fn a_429_with_a_wrong_signature_is_not_retried_even_when_signatures_are_optional() {
    let server = server(|_, seen| {
        Reply::signed(429, r#"{"error":{}}"#, seen, "SK-not-the-secret")
            .with_header("retry-after", "0")
    })
    .await;
    let client = client_for(
        &server,
        Duration::from_secs(60),
        ResponseSignatureMode::VerifyIfPresent,
    );
    let err = client
        .check_requirements(&personal_query())
        .await
        .unwrap_err();
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
