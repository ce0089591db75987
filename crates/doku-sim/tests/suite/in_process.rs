//! `Sim::in_process`: the same pipeline as over HTTP, without a socket.
#![allow(clippy::unwrap_used)]

use crate::common;

use bytes::Bytes;
use common::{in_process_request, CLIENT_ID, FILE_PATH, SECRET, START, TOKEN_BODY, TOKEN_PATH};
use doku_model::Endpoint;
use doku_sign::clock::ManualClock;
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use doku_sim::{Delivered, Fault, FaultKind, FaultTarget, InProcessSim, Sim, SimConfig};

const NOW: &str = START;
const QUERY: &str = "businessType=PERSONAL&businessLegalEntity=PERSEORANGAN&brandBusinessLine=RETAIL&businessContactNationality=ID";

fn sim() -> InProcessSim {
    let clock = ManualClock::at(doku_sign::timestamp::parse_utc_strict(NOW).unwrap());
    Sim::in_process(
        SimConfig::builder()
            .credential(CLIENT_ID, SecretKey::new(SECRET))
            .clock(clock)
            .max_body_bytes(1024)
            .build()
            .unwrap(),
    )
}

fn json(response: &http::Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap()
}

/// Verifies the response signature; `digest` is whether the string to sign has a Digest line
/// (POST answers; GET answers have none under the simulator's default reading).
fn verify(response: &http::Response<Bytes>, request_id: &str, target: &str, digest: bool) {
    let (message, signature) = Message::from_headers(
        Kind::Response,
        |name| response.headers().get(name)?.to_str().ok(),
        target,
        digest.then_some(&response.body()[..]),
    )
    .unwrap();
    assert_eq!(message.client_id, CLIENT_ID);
    assert_eq!(message.request_id, request_id);
    non_snap::verify(&SecretKey::new(SECRET), Kind::Response, &message, signature).unwrap();
}

/// Generate Token as [`in_process_request`] signs it, with `request_id`.
fn token_request(request_id: &str) -> http::Request<Bytes> {
    in_process_request("POST", TOKEN_PATH, None, request_id, None, TOKEN_BODY)
}

/// `sim`'s answer to `request`, which must be delivered whole (no connection fault).
async fn answer(sim: &InProcessSim, request: http::Request<Bytes>) -> http::Response<Bytes> {
    sim.handle(request).await.into_response().unwrap()
}

async fn token(sim: &InProcessSim) -> String {
    let response = answer(sim, token_request("t-1")).await;
    assert_eq!(response.status(), 200);
    verify(&response, "t-1", TOKEN_PATH, true);
    json(&response)["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn token_then_check_requirements_then_replay() {
    let sim = sim();
    let token = token(&sim).await;
    let request = || in_process_request("GET", FILE_PATH, Some(QUERY), "r-1", Some(&token), b"");
    let first = answer(&sim, request()).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "application/json");
    verify(&first, "r-1", FILE_PATH, false);
    assert_eq!(
        json(&first)["business"]["owner"]["identity_card"]["code"],
        "KTP"
    );
    let replay = answer(&sim, request()).await;
    assert_eq!(replay.status(), 409);
    assert_eq!(replay.body(), first.body());
    let stats = sim.stats();
    assert_eq!(stats.total_requests, 3);
    assert_eq!(stats.requirement_checks, 1);
    assert_eq!(stats.replays, 1);
    assert_eq!(stats.tokens_for(CLIENT_ID), 1);
}

#[tokio::test]
async fn refusals_match_the_http_server() {
    let sim = sim();
    // Unknown path: 404, unsigned (no headers to sign with).
    let r = answer(
        &sim,
        http::Request::get("/nope").body(Bytes::new()).unwrap(),
    )
    .await;
    assert_eq!(r.status(), 404);
    assert_eq!(json(&r)["error"]["code"], "not_found");
    // Wrong method on a known path: 405.
    let r = answer(
        &sim,
        in_process_request("DELETE", TOKEN_PATH, None, "x", None, b""),
    )
    .await;
    assert_eq!(r.status(), 405);
    // Bad signature: 401 with the string to sign, and the refusal is itself signed.
    let mut bad = token_request("bad-sig");
    *bad.body_mut() = Bytes::from_static(b"{}");
    let r = answer(&sim, bad).await;
    assert_eq!(r.status(), 401);
    assert_eq!(json(&r)["error"]["code"], "invalid_signature");
    verify(&r, "bad-sig", TOKEN_PATH, true);
    // Body above the cap: 413, from the declared length and from the bytes themselves.
    let big = vec![b'x'; 2048];
    let mut declared = in_process_request("POST", TOKEN_PATH, None, "big-1", None, &big);
    declared
        .headers_mut()
        .insert("Content-Length", http::HeaderValue::from(2048));
    assert_eq!(answer(&sim, declared).await.status(), 413);
    let r = answer(
        &sim,
        in_process_request("POST", TOKEN_PATH, None, "big-2", None, &big),
    )
    .await;
    assert_eq!(r.status(), 413);
    // Check Requirements without the query parameters.
    let r = answer(
        &sim,
        in_process_request("GET", FILE_PATH, None, "q-1", None, b""),
    )
    .await;
    assert_eq!(r.status(), 400);
    assert_eq!(json(&r)["error"]["code"], "invalid_query");
}

#[tokio::test]
async fn connection_faults_are_reported_as_deliveries() {
    let sim = sim();
    sim.set_fault(Endpoint::Token, Fault::once(FaultKind::DropConnection));
    let d = sim.handle(token_request("d-1")).await;
    assert!(matches!(d, Delivered::Dropped), "{d:?}");
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 0);

    // Processed, then dropped: the retry with the same Request-Id is a 409 replay.
    sim.set_fault(Endpoint::Token, Fault::once(FaultKind::ProcessThenDrop));
    let request = || token_request("d-2");
    assert!(matches!(sim.handle(request()).await, Delivered::Dropped));
    assert_eq!(sim.stats().tokens_for(CLIENT_ID), 1);
    let retry = answer(&sim, request()).await;
    assert_eq!(retry.status(), 409);

    sim.set_fault(FaultTarget::Any, Fault::once(FaultKind::TruncatedBody));
    let Delivered::Truncated(cut) = sim.handle(token_request("d-3")).await else {
        panic!("expected a truncated body");
    };
    let announced: usize = cut.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(cut.body().len(), announced / 2);
    assert!(serde_json::from_slice::<serde_json::Value>(cut.body()).is_err());

    sim.set_fault(FaultTarget::Any, Fault::once(FaultKind::NonJsonBody));
    let html = answer(&sim, token_request("d-4")).await;
    assert_eq!(html.status(), 200);
    assert_eq!(html.headers()["content-type"], "text/html");
}

#[test]
fn paying_outside_a_runtime_drops_the_notification_without_panicking() {
    use doku_sign::non_snap::{self, Kind, Message};
    let config = doku_sim::SimConfig::builder()
        .credential("BRN-IP-1", doku_sign::SecretKey::new("SK-ip"))
        .notification_url("http://127.0.0.1:9/payments/notifications")
        .build()
        .unwrap();
    let sim = doku_sim::Sim::in_process(config);
    let body = br#"{"order":{"amount":1000,"invoice_number":"INV-IP-1"}}"#;
    let timestamp = doku_sign::timestamp::format_utc(doku_sign::clock::Clock::unix_seconds(
        &doku_sign::clock::SystemClock,
    ));
    let message = Message {
        client_id: "BRN-IP-1",
        request_id: "r-ip-1",
        timestamp: &timestamp,
        target: Endpoint::Checkout.path(),
        body: Some(body),
    };
    let signature = non_snap::sign(&doku_sign::SecretKey::new("SK-ip"), Kind::Request, &message);
    let request = http::Request::post(Endpoint::Checkout.path())
        .header("Content-Type", "application/json")
        .header("Client-Id", "BRN-IP-1")
        .header("Request-Id", "r-ip-1")
        .header("Request-Timestamp", timestamp.as_str())
        .header("Signature", signature.to_string())
        .body(bytes::Bytes::from_static(body))
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let delivered = runtime.block_on(sim.handle(request));
    assert_eq!(delivered.response().unwrap().status(), 200);
    drop(runtime);
    let paid = sim.pay(&doku_sim::PayRequest::new("INV-IP-1")).unwrap();
    assert_eq!(paid.notification_url, None);
    let stats = sim.stats();
    assert_eq!((stats.payments, stats.notifications_dropped), (1, 1));
}
