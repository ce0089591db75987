//! The simulator's whole request pipeline (`Sim::in_process`) on fuzzed requests: method, path (the real
//! endpoints and garbage), query, headers, body, and optionally a fault, a bearer token issued first, a valid
//! signature over the fuzzed body (so inputs get past the signature check) and a replay of the same request.
//!
//! Properties: no panic; a delivered response is 2xx/4xx/5xx with a JSON body (except the `NonJsonBody`
//! fault); connection drops and truncated bodies happen only when such a fault was armed; a response to a
//! request with a known Client-Id and a valid Request-Id carries a response signature that verifies (except
//! the `WrongSignature` fault).
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use doku_sign::clock::ManualClock;
use doku_sim::{Delivered, Fault, FaultKind, FaultTarget, InProcessSim, Sim, SimConfig};
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

use doku_test_support::{
    OTHER_CLIENT_ID, OTHER_SECRET, PARTNER_CLIENT_ID as CLIENT_ID, PARTNER_SECRET as SECRET, TOKEN_BODY,
};
const NOW: &str = "2026-11-29T00:00:00Z";
const BASE: &str = "/adv-core-api/partner/v1.0";

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime")
    })
}

/// A fresh simulator per input, so every input is deterministic (fixed clock, empty state).
fn sim() -> InProcessSim {
    let clock = ManualClock::at(doku_sign::timestamp::parse_utc_strict(NOW).expect("valid"));
    Sim::in_process(
        SimConfig::builder()
            .credential(CLIENT_ID, SecretKey::from(SECRET))
            .credential(OTHER_CLIENT_ID, SecretKey::from(OTHER_SECRET))
            .clock(clock)
            .max_body_bytes(64 * 1024)
            .body_read_timeout(Duration::from_secs(1))
            .build()
            .expect("valid config"),
    )
}

fn text<'a>(u: &mut Unstructured<'a>, max: usize) -> &'a str {
    let len = u.int_in_range(0..=max).unwrap_or(0);
    let bytes = u.bytes(len).unwrap_or_default();
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    }
}

fn sign(client_id: &str, secret: &str, request_id: &str, timestamp: &str, target: &str, body: Option<&[u8]>) -> String {
    let message = Message { client_id, request_id, timestamp, target, body };
    non_snap::sign(&SecretKey::from(secret), Kind::Request, &message).to_string()
}

fn response_signature_verifies(response: &http::Response<Bytes>, request_id: &str, target: &str) -> bool {
    let h = |n: &str| response.headers().get(n).and_then(|v| v.to_str().ok());
    let (Some(client_id), Some(timestamp), Some(signature)) = (h("Client-Id"), h("Response-Timestamp"), h("Signature"))
    else {
        return false;
    };
    let secret = if client_id == CLIENT_ID { SECRET } else { OTHER_SECRET };
    let message = Message { client_id, request_id, timestamp, target, body: Some(response.body()) };
    h("Request-Id") == Some(request_id)
        && non_snap::verify(&SecretKey::from(secret), Kind::Response, &message, signature).is_ok()
}

async fn issue_token(sim: &InProcessSim) -> String {
    let body = TOKEN_BODY;
    let target = format!("{BASE}/token");
    let signature = sign(CLIENT_ID, SECRET, "fuzz-token", NOW, &target, Some(body));
    let request = http::Request::post(&target)
        .header("Client-Id", CLIENT_ID)
        .header("Request-Id", "fuzz-token")
        .header("Request-Timestamp", NOW)
        .header("Signature", signature)
        .header("Content-Type", "application/json")
        .body(Bytes::from_static(body))
        .expect("valid request");
    let response = sim.handle(request).await.into_response().expect("no fault armed yet");
    assert_eq!(response.status(), 200);
    let json: serde_json::Value = serde_json::from_slice(response.body()).expect("JSON");
    json["token"].as_str().expect("a token").to_owned()
}

/// `fault` is the fault that may have applied to this request.
fn check(delivered: &Delivered, fault: Option<&FaultKind>, signable: Option<(&str, &str)>) {
    match delivered {
        Delivered::Dropped => assert!(
            matches!(fault, Some(FaultKind::DropConnection | FaultKind::ProcessThenDrop)),
            "dropped without a drop fault ({fault:?})"
        ),
        Delivered::Truncated(_) => {
            assert!(matches!(fault, Some(FaultKind::TruncatedBody)), "truncated without the fault")
        }
        Delivered::Response(response) => {
            let status = response.status();
            assert!(
                status.is_success() || status.is_client_error() || status.is_server_error(),
                "status {status}"
            );
            let non_json = matches!(fault, Some(FaultKind::NonJsonBody));
            if !non_json {
                assert_eq!(response.headers().get("content-type").map(|v| v.as_bytes()), Some(&b"application/json"[..]));
                assert!(
                    serde_json::from_slice::<serde_json::Value>(response.body()).is_ok(),
                    "{status}: body is not JSON: {:?}",
                    String::from_utf8_lossy(response.body())
                );
            }
            // A fault armed is not necessarily used (an unrouted request does not consume it).
            if let Some((request_id, target)) = signable {
                if !matches!(fault, Some(FaultKind::WrongSignature)) {
                    assert!(
                        response_signature_verifies(response, request_id, target),
                        "{status}: the response signature does not verify"
                    );
                }
            }
        }
        other => panic!("a delivery this target does not know: {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let flags: u8 = u.arbitrary().unwrap_or(0);
    let method = match u.int_in_range(0u8..=7).unwrap_or(0) {
        0 => http::Method::GET,
        1 => http::Method::POST,
        2 => http::Method::PUT,
        3 => http::Method::DELETE,
        4 => http::Method::HEAD,
        5 => http::Method::PATCH,
        6 => http::Method::OPTIONS,
        _ => http::Method::from_bytes(text(&mut u, 12).as_bytes()).unwrap_or(http::Method::GET),
    };
    let path = match u.int_in_range(0u8..=8).unwrap_or(0) {
        0 => format!("{BASE}/token"),
        1 | 2 => format!("{BASE}/file"),
        3 => format!("{BASE}/business"),
        4 => format!("{BASE}/business/lite/registration"),
        5 => format!("{BASE}/business/{}", text(&mut u, 40)),
        6 => BASE.to_owned(),
        7 => "/".to_owned(),
        _ => text(&mut u, 80).to_owned(),
    };
    let query = match u.int_in_range(0u8..=5).unwrap_or(0) {
        0 => None,
        1 => Some("businessType=PERSONAL&businessLegalEntity=PERSEORANGAN&brandBusinessLine=RETAIL&businessContactNationality=ID".to_owned()),
        2 => Some("businessType=CORPORATE&businessLegalEntity=PT&brandBusinessLine=MINING&businessContactNationality=US".to_owned()),
        _ => Some(text(&mut u, 120).to_owned()),
    };
    let uri = match &query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    let Ok(uri) = http::Uri::try_from(uri) else {
        return;
    };
    // What the simulator will take as the path (the URI may normalise an empty path to "/").
    let target = uri.path().to_owned();

    let (client_id, secret) = match u.int_in_range(0u8..=3).unwrap_or(0) {
        0 | 1 => (CLIENT_ID.to_owned(), SECRET),
        2 => (OTHER_CLIENT_ID.to_owned(), OTHER_SECRET),
        _ => (text(&mut u, 30).to_owned(), "SK-unknown"),
    };
    let request_id = match u.int_in_range(0u8..=2).unwrap_or(0) {
        0 | 1 => format!("fuzz-{}", text(&mut u, 16).escape_debug()),
        _ => text(&mut u, 140).to_owned(),
    };
    let timestamp = match u.int_in_range(0u8..=3).unwrap_or(0) {
        0 | 1 => NOW.to_owned(),
        2 => "2026-11-29T01:00:00Z".to_owned(), // outside the window
        _ => text(&mut u, 25).to_owned(),
    };
    let content_type = match u.int_in_range(0u8..=3).unwrap_or(0) {
        0 => None,
        1 => Some("application/json".to_owned()),
        2 => Some(format!("multipart/form-data; boundary={}", text(&mut u, 20))),
        _ => Some(text(&mut u, 40).to_owned()),
    };
    let fault = match u.int_in_range(0u8..=15).unwrap_or(0) {
        0 => Some(FaultKind::Status(u.int_in_range(400u16..=599).unwrap_or(503))),
        1 => Some(FaultKind::DropConnection),
        2 => Some(FaultKind::ProcessThenDrop),
        3 => Some(FaultKind::TruncatedBody),
        4 => Some(FaultKind::NonJsonBody),
        5 => Some(FaultKind::WrongSignature),
        6 => Some(FaultKind::ExpireToken),
        7 => Some(FaultKind::Latency(Duration::ZERO)),
        _ => None,
    };
    let fuzzed_signature = text(&mut u, 70).to_owned();
    let fuzzed_auth = text(&mut u, 60).to_owned();
    let body = Bytes::copy_from_slice(u.take_rest());

    let with_valid_signature = flags & 1 != 0;
    let with_token = flags & 2 != 0;
    let with_fuzzed_auth = flags & 4 != 0;
    let replay = flags & 8 != 0;

    runtime().block_on(async {
        let sim = sim();
        let token = if with_token { Some(issue_token(&sim).await) } else { None };
        if let Some(kind) = &fault {
            sim.set_fault(FaultTarget::Any, Fault::once(kind.clone()));
        }
        let signed_body = (method != http::Method::GET && method != http::Method::HEAD).then_some(&body[..]);
        let signature = if with_valid_signature {
            sign(&client_id, secret, &request_id, &timestamp, &target, signed_body)
        } else {
            fuzzed_signature
        };
        let build = || {
            let mut request = http::Request::new(body.clone());
            *request.method_mut() = method.clone();
            *request.uri_mut() = uri.clone();
            let headers = request.headers_mut();
            let mut put = |name: &'static str, value: &str| {
                if let Ok(v) = http::HeaderValue::from_str(value) {
                    headers.insert(name, v);
                }
            };
            put("client-id", &client_id);
            put("request-id", &request_id);
            put("request-timestamp", &timestamp);
            put("signature", &signature);
            if let Some(ct) = &content_type {
                put("content-type", ct);
            }
            if let Some(t) = &token {
                put("authorization", &format!("Bearer {t}"));
            } else if with_fuzzed_auth {
                put("authorization", &fuzzed_auth);
            }
            request
        };
        let request = build();
        // The simulator signs its answer when it knows the Client-Id and the Request-Id is valid, and the
        // request reached a route (an unrouted request has no endpoint, but is still signed).
        let known = request.headers().get("client-id").and_then(|v| v.to_str().ok()).is_some_and(|c| {
            c == CLIENT_ID || c == OTHER_CLIENT_ID
        });
        let id_ok = request
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|r| doku_model::RequestId::new(r).is_ok());
        let signable = (known && id_ok).then_some((request_id.as_str(), target.as_str()));

        let first = sim.handle(request).await;
        check(&first, fault.as_ref(), signable);
        if replay {
            // The fault was armed once; it applies here only if the first request did not use it.
            let second = sim.handle(build()).await;
            check(&second, fault.as_ref(), signable);
            if let (Delivered::Response(a), Delivered::Response(b)) = (&first, &second) {
                if a.status().is_success() && fault.is_none() {
                    assert_eq!(b.status(), 409, "a replay of a 2xx answers 409");
                    assert_eq!(a.body(), b.body(), "a replay answers the original body");
                }
            }
        }
    });
});
