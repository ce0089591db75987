//! The observer sees every attempt: status, Request-Id, attempt number and whether the signature verified.

use crate::common;

use std::sync::{Arc, Mutex};

use common::*;
use doku_model::Endpoint;
use doku_partner::{Client, Exchange, ResponseSignatureMode};
use doku_sim::{Fault, FaultKind};

fn recording(sim: &doku_sim::SimHandle) -> (Client, Arc<Mutex<Vec<Exchange>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let config = config(sim)
        .response_signatures(ResponseSignatureMode::Require)
        .observer(move |e: &Exchange| sink.lock().expect("lock").push(e.clone()))
        .build()
        .expect("config");
    (Client::new(config).expect("client"), seen)
}

#[tokio::test]
async fn every_attempt_is_observed_and_retries_share_the_request_id() {
    let sim = sim().await;
    let (client, seen) = recording(&sim);
    client.send(GenerateToken::new()).await.expect("token");
    sim.set_fault(
        Endpoint::CheckRequirements,
        Fault::once(FaultKind::Status(503)),
    );
    client
        .send(&personal_query())
        .await
        .expect("requirements after one retry");

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert_eq!(seen[0].endpoint, doku_model::Endpoint::Token);
    assert_eq!(seen[0].status.map(|s| s.as_u16()), Some(200));
    assert!(seen[0].signature_verified);

    let (first, second) = (&seen[1], &seen[2]);
    assert_eq!(first.endpoint, doku_model::Endpoint::CheckRequirements);
    assert_eq!((first.attempt, second.attempt), (1, 2));
    assert_eq!(first.request_id, second.request_id);
    assert_eq!(first.status.map(|s| s.as_u16()), Some(503));
    assert!(
        first.signature_verified,
        "a retried answer is verified before it is retried"
    );
    assert_eq!(second.status.map(|s| s.as_u16()), Some(200));
    assert!(second.signature_verified);
}

#[tokio::test]
async fn a_bad_signature_is_observed_as_unverified() {
    let sim = sim().await;
    let (client, seen) = recording(&sim);
    sim.set_fault(Endpoint::Token, Fault::once(FaultKind::WrongSignature));
    assert!(client.send(GenerateToken::new()).await.is_err());
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    assert!(!seen[0].signature_verified);
}
