//! Every fault doku-sim can inject, and what the client makes of it.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::*;
use doku_model::{BusinessRegistrationResponse, ClientId, Endpoint, FileCategory};
use doku_partner::{Client, ConfigBuilder, Error, SignatureProblem};
use doku_sim::{Fault, FaultKind};

/// A client, a warm token, and the mandatory files uploaded.
async fn ready(sim: &doku_sim::SimHandle) -> (Client, Vec<doku_model::FileId>) {
    let client = client(sim);
    let ids = upload_mandatory(&client).await;
    (client, ids)
}

/// A client with the mandatory files uploaded, then one Business Registration under `fault`.
async fn register_under(
    fault: Fault,
) -> (
    doku_sim::SimHandle,
    Client,
    Result<BusinessRegistrationResponse, Error>,
) {
    let sim = sim().await;
    let (client, ids) = ready(&sim).await;
    let result = register_under_fault(&sim, &client, "Toko", &ids, fault).await;
    (sim, client, result)
}

/// A config change: `ms` milliseconds per attempt.
fn attempt_timeout(ms: u64) -> impl FnOnce(ConfigBuilder) -> ConfigBuilder {
    move |config| config.attempt_timeout(Duration::from_millis(ms))
}

/// Runs `call`, which must fail, and asserts it sent `sim` exactly one request (it was not
/// retried); its error.
async fn fails_without_retry<T: std::fmt::Debug>(
    sim: &doku_sim::SimHandle,
    call: impl std::future::Future<Output = Result<T, Error>>,
) -> Error {
    let before = sim.stats().total_requests;
    let err = call.await.unwrap_err();
    assert_eq!(
        sim.stats().total_requests - before,
        1,
        "not retried: {err:?}"
    );
    err
}

#[tokio::test]
async fn latency_beyond_attempt_timeout_once_is_retried_to_success() {
    let slow_once = Fault::once(FaultKind::Latency(Duration::from_millis(600)));
    let (sim, client) =
        warm_client_under_fault_with(attempt_timeout(200), Endpoint::UploadFile, slow_once).await;
    let started = Instant::now();
    client.send(png(FileCategory::Logo)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
    // Once the delayed first attempt is over on the server, still one file (the client gave up
    // on it, so the server may drop it or replay it, never store it twice).
    let delayed_over = Duration::from_millis(600 + 100).saturating_sub(started.elapsed());
    tokio::time::sleep(delayed_over).await;
    assert_eq!(sim.stats().uploads, 1, "exactly one side effect");
}

#[tokio::test]
async fn latency_beyond_attempt_timeout_always_is_a_timeout_error() {
    let slow_always = Fault::always(FaultKind::Latency(Duration::from_millis(1000)));
    let timeout = attempt_timeout(200);
    let (_sim, client) =
        warm_client_under_fault_with(timeout, Endpoint::CheckRequirements, slow_always).await;
    let err = client.send(&personal_query()).await.unwrap_err();
    let Error::Transport {
        source,
        attempts,
        may_have_reached_doku,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(source.is_timeout(), "{source:?}");
    assert_eq!(*attempts, 3);
    assert!(*may_have_reached_doku);
    assert!(
        std::error::Error::source(&err).is_some(),
        "the transport error is kept as the source"
    );
}

#[tokio::test]
async fn status_503_once_is_retried_with_the_same_request_id_and_one_side_effect() {
    let sim = sim().await;
    let (_, ids) = ready(&sim).await;
    let (generated, ids_fn) = counting_ids();
    let client = build(config(&sim).request_ids(ids_fn));
    client.send(GenerateToken::new()).await.unwrap();
    let before = generated.load(Ordering::SeqCst);
    // Files belong to the client id, not to the client object: reuse them.
    sim.set_fault(
        Endpoint::BusinessRegistration,
        Fault::once(FaultKind::Status(503)),
    );
    let started = Instant::now();
    client.send(&registration("Toko", &ids)).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 honoured"
    );
    assert_eq!(
        generated.load(Ordering::SeqCst) - before,
        1,
        "one Request-Id for both attempts"
    );
    let stats = sim.stats();
    assert_eq!(
        (stats.registrations, stats.replays, stats.faults_applied),
        (1, 0, 1)
    );
}

#[tokio::test]
async fn status_429_once_honours_retry_after() {
    let (sim, client) =
        warm_client_under_fault(Endpoint::UploadFile, Fault::once(FaultKind::Status(429))).await;
    let started = Instant::now();
    client.send(png(FileCategory::Logo)).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(sim.stats().uploads, 1);
}

#[tokio::test]
async fn status_503_always_gives_up_with_the_api_error() {
    let sim = sim().await;
    let policy = fast_retries().with_max_retry_after(Duration::from_millis(20));
    let client = build(config(&sim).retry_policy(policy));
    sim.set_fault(Endpoint::Token, Fault::always(FaultKind::Status(503)));
    let err = client.send(GenerateToken::new()).await.unwrap_err();
    assert_eq!(api_refusal(&err), (503, Some("simulated_fault")));
    assert_eq!(sim.stats().faults_applied, 3, "max_attempts");
}

#[tokio::test]
async fn status_500_is_not_retried_on_post_but_is_on_get() {
    let sim = sim().await;
    let (client, ids) = ready(&sim).await;
    let status_500 = Fault::once(FaultKind::Status(500));
    let err = register_under_fault(&sim, &client, "Toko", &ids, status_500)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(sim.stats().registrations, 0);

    let created = client
        .send(&registration("Toko", &ids))
        .await
        .unwrap()
        .value;
    sim.set_fault(
        Endpoint::GetBusinessData,
        Fault::once(FaultKind::Status(500)),
    );
    let brand = ClientId::new(created.brand_ids()[0].to_owned()).unwrap();
    assert_eq!(
        client
            .send(GetBusiness::new(&brand))
            .await
            .unwrap()
            .value
            .name,
        "Toko"
    );
}

/// One cut connection, and the retry ends in exactly one registration: dropped before
/// processing, the retry registers; with the body cut after processing (the sim announces the
/// full `Content-Length` and cuts it: a body error, which is retried) the retry gets the 409
/// replay. (A cut that still yields bytes — no `Content-Length` — is a `Decode` error; see the
/// `interpret` unit tests.)
#[tokio::test]
async fn one_cut_connection_is_retried_to_exactly_one_registration() {
    for (case, kind, replays) in [
        ("dropped before processing", FaultKind::DropConnection, 0),
        (
            "body truncated after processing",
            FaultKind::TruncatedBody,
            1,
        ),
    ] {
        let (sim, _, result) = register_under(Fault::once(kind)).await;
        result.unwrap_or_else(|e| panic!("{case}: {e:?}"));
        let stats = sim.stats();
        assert_eq!(
            (stats.registrations, stats.replays),
            (1, replays),
            "{case}: (registrations, replays)"
        );
    }
}

#[tokio::test]
async fn dropped_connection_after_processing_gets_the_409_replay_as_success() {
    let (sim, client, result) = register_under(Fault::once(FaultKind::ProcessThenDrop)).await;
    let created = result.unwrap();
    let stats = sim.stats();
    assert_eq!(
        (stats.registrations, stats.replays),
        (1, 1),
        "exactly one registration"
    );
    let brand = ClientId::new(created.brand_ids()[0].to_owned()).unwrap();
    assert_eq!(
        client
            .send(GetBusiness::new(&brand))
            .await
            .unwrap()
            .value
            .id,
        created.business.id
    );
}

#[tokio::test]
async fn dropped_connection_always_reports_may_have_reached_doku() {
    let (sim, _, result) = register_under(Fault::always(FaultKind::ProcessThenDrop)).await;
    let err = result.unwrap_err();
    let Error::Transport {
        may_have_reached_doku,
        attempts,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert!(may_have_reached_doku);
    assert_eq!(attempts, 3);
    assert_eq!(sim.stats().registrations, 1);
}

#[tokio::test]
async fn truncated_body_always_is_a_transport_error() {
    let truncated = Fault::always(FaultKind::TruncatedBody);
    let (sim, client) = warm_client_under_fault(Endpoint::UploadFile, truncated).await;
    let err = client.send(png(FileCategory::Logo)).await.unwrap_err();
    let Error::Transport {
        source,
        may_have_reached_doku: true,
        attempts: 3,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(
        matches!(source, doku_transport::TransportError::Body { .. }),
        "{source:?}"
    );
    assert_eq!(
        sim.stats().uploads,
        1,
        "one upload, the retries were replays"
    );
}

#[tokio::test]
async fn non_json_body_is_a_decode_error_and_not_retried() {
    let non_json = Fault::always(FaultKind::NonJsonBody);
    let (sim, client) = warm_client_under_fault(Endpoint::CheckRequirements, non_json).await;
    let err = fails_without_retry(&sim, client.send(&personal_query())).await;
    let Error::Decode { status, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(status.as_u16(), 200);
}

#[tokio::test]
async fn wrong_response_signature_is_a_signature_error_and_not_retried() {
    let sim = sim().await;
    let (client, ids) = ready(&sim).await;
    let wrong_signature = Fault::once(FaultKind::WrongSignature);
    let registration = register_under_fault(&sim, &client, "Toko", &ids, wrong_signature);
    let err = fails_without_retry(&sim, registration).await;
    let Error::Signature {
        problem, source, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*problem, SignatureProblem::Invalid);
    assert!(source.is_some());
}

#[tokio::test]
async fn expired_token_is_refreshed_and_the_call_repeated_once() {
    let (sim, client) =
        warm_client_under_fault(Endpoint::UploadFile, Fault::once(FaultKind::ExpireToken)).await;
    client.send(png(FileCategory::Logo)).await.unwrap();
    let stats = sim.stats();
    assert_eq!(stats.tokens_for(CLIENT_ID), 2);
    assert_eq!(stats.uploads, 1);

    // A token refused every time: one refresh, then the 401 is reported.
    sim.set_fault(Endpoint::UploadFile, Fault::always(FaultKind::ExpireToken));
    let err = client.send(png(FileCategory::Logo)).await.unwrap_err();
    assert_eq!(api_refusal(&err), (401, Some("expired_token")));
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 3);
}

#[tokio::test]
async fn connect_failure_is_retried_then_reported_as_not_sent() {
    let client = build(config_at(format!("http://127.0.0.1:{}", unused_port())));
    let err = client.send(GenerateToken::new()).await.unwrap_err();
    let Error::Transport {
        source,
        may_have_reached_doku,
        attempts,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(source.is_connect());
    assert!(!may_have_reached_doku);
    assert_eq!(*attempts, 3);
}
