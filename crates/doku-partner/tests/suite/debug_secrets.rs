//! `{:?}` and `{}` of every public type that can hold the secret key or a bearer token never
//! print them (the TRACE-logged `doku demo` flow is in `tests/logs/demo_trace_secrets.rs`, in its
//! binary so no concurrent test can race tracing's callsite-interest cache).
//!
//! `secrets.rs` covers the client's own log lines (secret, token and bodies); this file covers
//! what a caller sees when it formats our values: configs, clients, every `Error` variant (each
//! triggered against doku-sim), model, sign, sim and transport types.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::collections::BTreeSet;
use std::fmt::Debug;
use std::time::Duration;

use base64::Engine as _;
use common::needles::Needles;
use common::*;
use doku_model::{
    BusinessData, Endpoint, FileCategory, RequestId, SharedKey, TokenClaims, TokenResponse,
};
use doku_partner::{
    ApiRequest, Client, Environment, Error, Exchange, Operation, RequestContext,
    ResponseSignatureMode,
};
use doku_sign::SecretKey;
use doku_sim::{Fault, FaultKind, SimConfig};

/// The name of `e`'s variant, read from its derived `Debug` (`Api { .. }`, `Config(..)`): no
/// hand-kept list, so a variant added later is named, not lumped under "unknown".
fn variant(e: &Error) -> String {
    let debug = format!("{e:?}");
    let end = debug
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(debug.len());
    debug[..end].to_owned()
}

/// A client with a short attempt timeout and fast retries.
fn quick_client(sim: &doku_sim::SimHandle) -> Client {
    build(config(sim).attempt_timeout(Duration::from_millis(500)))
}

/// Generate Token under the fault set on `sim`: the error, then (faults cleared) the token of
/// DOKU's replay of the same Request-Id — the token the error must not show.
async fn token_fails_then_replays(client: &Client, sim: &doku_sim::SimHandle) -> (Error, String) {
    let rid = RequestId::random();
    let err = client
        .send(Call::new(GenerateToken::new()).request_id(rid.clone()))
        .await
        .unwrap_err();
    sim.clear_faults();
    let replayed = client
        .send(Call::new(GenerateToken::new()).request_id(rid))
        .await
        .unwrap()
        .value
        .token;
    (err, replayed)
}

#[tokio::test]
async fn config_builder_and_client_debug_hide_the_secret_and_the_token() {
    let sim = sim().await;
    let mut needles = Needles::new(&[SECRET]);
    let builder = config(&sim)
        .observer(|_: &Exchange| {})
        .token_valid_minutes(30)
        .response_signatures(ResponseSignatureMode::Require)
        .request_ids(RequestId::random);
    needles.check_debug("ConfigBuilder", &builder);
    let config = builder.build().unwrap();
    needles.check_debug("Config", &config);
    let client = Client::new(config.clone()).unwrap();
    needles.check_debug("Client", &client);

    let token = client.send(GenerateToken::new()).await.unwrap().value;
    needles.token(&token.token);
    needles.check_debug("TokenResponse", &token);
    needles.check_debug("Client with a cached token", &client);
    needles.check_debug("Client clone", &client.clone());
    needles.check_debug("Client::config", client.config());
    needles.check_debug("TokenLifetime", &client.cached_token_lifetime().unwrap());
    needles.check_debug("TransportConfig", client.config().transport());
    needles.check_debug("Config", &config);
}

#[tokio::test]
async fn every_error_variant_hides_the_secret_and_the_tokens() {
    let sim = sim().await;
    let wrong_secret = "SK-wrong-secret-zebra-7781";
    let mut needles = Needles::new(&[SECRET, wrong_secret]);
    let client = quick_client(&sim);
    let first = client.send(GenerateToken::new()).await.unwrap().value.token;
    needles.token(&first);
    let mut errors: Vec<(&str, Error)> = Vec::new();

    // Validation: nothing sent.
    let mut invalid = registration("", &[]);
    invalid.business.email = String::new();
    errors.push(("validation", client.send(&invalid).await.unwrap_err()));

    // Api: the bearer token refused twice (the client refreshes once).
    sim.set_fault(Endpoint::UploadFile, Fault::always(FaultKind::ExpireToken));
    errors.push((
        "api 401 expired_token",
        client.send(png(FileCategory::Logo)).await.unwrap_err(),
    ));
    sim.clear_faults();
    let refreshed = client.send(GenerateToken::new()).await.unwrap().value.token;
    needles.token(&refreshed);

    // Api: signed with the wrong secret (the simulator echoes the string it expected signed).
    let wrong = Client::new(
        doku_partner::Config::builder(CLIENT_ID, SecretKey::new(wrong_secret))
            .environment(Environment::Custom(sim.base_url()))
            .build()
            .unwrap(),
    )
    .unwrap();
    errors.push((
        "api 401 invalid_signature",
        wrong.send(GenerateToken::new()).await.unwrap_err(),
    ));

    // Signature: a token was issued, but the answer's signature is wrong. The replay of the
    // same Request-Id then hands us that token, to look for it in the error.
    sim.set_fault(Endpoint::Token, Fault::once(FaultKind::WrongSignature));
    let (err, replayed) = token_fails_then_replays(&client, &sim).await;
    needles.token(&replayed);
    errors.push(("signature", err));

    // Transport: the token answer cut in half, every attempt; the replay gives the token.
    sim.set_fault(Endpoint::Token, Fault::always(FaultKind::TruncatedBody));
    let (err, replayed) = token_fails_then_replays(&client, &sim).await;
    needles.token(&replayed);
    errors.push(("transport (body cut)", err));

    // Transport: the connection closed after processing.
    sim.set_fault(
        Endpoint::BusinessLite,
        Fault::always(FaultKind::ProcessThenDrop),
    );
    errors.push((
        "transport (dropped)",
        client.send(&lite("Toko")).await.unwrap_err(),
    ));
    sim.clear_faults();

    // Transport: nothing listening.
    let nowhere = build(config_at(format!("http://127.0.0.1:{}", unused_port())));
    errors.push((
        "transport (connect)",
        nowhere.send(GenerateToken::new()).await.unwrap_err(),
    ));

    // Decode: a 200 that is not JSON.
    sim.set_fault(
        Endpoint::CheckRequirements,
        Fault::once(FaultKind::NonJsonBody),
    );
    errors.push(("decode", client.send(&personal_query()).await.unwrap_err()));

    // Config, TransportSetup, Io: no network.
    errors.push((
        "config",
        doku_partner::Config::builder("BRN with spaces", SecretKey::new(SECRET))
            .build()
            .unwrap_err(),
    ));
    errors.push((
        "transport setup",
        Client::new(
            doku_partner::Config::builder(CLIENT_ID, SecretKey::new(SECRET))
                .environment(Environment::Custom("http://192.0.2.1:8080".to_owned()))
                .build()
                .unwrap(),
        )
        .unwrap_err(),
    ));
    errors.push((
        "io",
        doku_partner::upload_from_path(FileCategory::Logo, None, "/nonexistent/doku-rs/logo.png")
            .await
            .unwrap_err(),
    ));

    let seen: BTreeSet<String> = errors.iter().map(|(_, e)| variant(e)).collect();
    assert_eq!(
        seen,
        BTreeSet::from(
            [
                "Api",
                "Config",
                "Decode",
                "Io",
                "Signature",
                "Transport",
                "TransportSetup",
                "Validation"
            ]
            .map(str::to_owned)
        ),
        "every variant constructed"
    );
    for (what, err) in &errors {
        needles.check_error(what, err);
    }
}

/// Regression test (fixed: `doku_model::decode` now redacts quoted input values). It was a bug:
/// `Error::Decode`'s
/// `message` is serde's text, which quotes the offending JSON value ("invalid type: string
/// \"eyJ…\", expected u64"). When the value is a token or a shared key, `{}` and `{:?}` of the
/// error print it, contrary to `Error`'s documented "No variant contains the secret key or a
/// bearer token". Reachable through a public `Operation` whose answer type does not match
/// the answer (or DOKU changing a field's type). A fix: keep serde's message out of
/// `Display`/`Debug` when it quotes input (or redact quoted scalars), keeping the path.
#[tokio::test]
async fn decode_error_of_a_token_answer_does_not_quote_the_token() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Mismatched {
        token: u64,
    }
    /// Generate Token, its answer decoded as `Mismatched`.
    struct MismatchedToken;
    impl Operation for MismatchedToken {
        type Sender = Client;
        type Answer = Mismatched;
        const ENDPOINT: Endpoint = Endpoint::Token;
        fn to_request(&self, context: &RequestContext<'_>) -> Result<ApiRequest, Error> {
            GenerateToken::new().to_request(context)
        }
    }
    let sim = sim().await;
    let client = quick_client(&sim);
    let rid = RequestId::random();
    let err = client
        .send(Call::new(MismatchedToken).request_id(rid.clone()))
        .await
        .unwrap_err();
    assert_eq!(variant(&err), "Decode");
    // The 409 replay of the same Request-Id is the same answer: the token issued.
    let replayed: TokenResponse = client
        .send(Call::new(GenerateToken::new()).request_id(rid))
        .await
        .unwrap()
        .value;
    let mut needles = Needles::new(&[SECRET]);
    needles.token(&replayed.token);
    needles.check_error("Error::Decode of a token answer", &err);
}

#[tokio::test]
async fn model_sign_sim_and_transport_types_hide_secrets() {
    let sim = sim().await;
    let mut needles = Needles::new(&[SECRET, "SK-args-secret-1", "SK-args-secret-2"]);
    let client = quick_client(&sim);
    let token = client.send(GenerateToken::new()).await.unwrap().value;
    needles.token(&token.token);

    // doku-sign
    let key = SecretKey::new(SECRET);
    assert_eq!(format!("{key:?}"), "SecretKey(***)");
    needles.check_debug("SecretKey", &key);

    // doku-model: the token answer, its claims, shared keys.
    needles.check_debug("TokenResponse", &token);
    let payload = token.token.split('.').nth(1).unwrap();
    let claims: TokenClaims = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims.user.business_service_client_id, CLIENT_ID);
    needles.check_debug("TokenClaims", &claims);
    let shared = "SHK-shared-key-very-secret-0042";
    let shared_needles = Needles::new(&[shared]);
    shared_needles.check_debug("SharedKey", &SharedKey::new(shared));
    let data: BusinessData = serde_json::from_value(serde_json::json!({
        "id": "BSN-1", "name": "Toko", "type": "PERSONAL",
        "brands": [{"id": "BRN-1", "name": "Toko", "shared_key": shared}]
    }))
    .unwrap();
    assert_eq!(data.brands[0].shared_key.as_ref().unwrap().expose(), shared);
    shared_needles.check_debug("BusinessData", &data);
    shared_needles.check_debug("BusinessDataBrand", &data.brands[0]);

    // doku-partner: the described request (the signing input and the signed request are
    // private now; signer.rs's unit tests check their Debug hides the token).
    let request = ApiRequest::get(
        Endpoint::CheckRequirements,
        Some(personal_query().to_query_string()),
    );
    needles.check_debug("ApiRequest", &request);

    // doku-sim: config, handle, stats. (Its CLI arguments and their errors are checked by
    // doku-sim's own `cli::tests::debug_hides_keys`: the client's tests build doku-sim without
    // its `cli` feature.)
    let built = SimConfig::builder()
        .credential(CLIENT_ID, SecretKey::new(SECRET))
        .build()
        .unwrap();
    needles.check_debug("SimConfig", &built);
    let empty_key = SimConfig::builder()
        .credential(CLIENT_ID, SecretKey::new(""))
        .build()
        .unwrap_err();
    needles.check_error("SimError (empty key)", &empty_key);
    needles.check_debug("SimHandle", &sim);
    needles.check_debug("Stats", &sim.stats());

    // doku-transport: configuration and a request error.
    needles.check_debug("TransportConfig", client.config().transport());
    let transport = doku_transport::Transport::new(client.config().transport().clone()).unwrap();
    let refused = transport
        .send(
            http::Request::get("ftp://127.0.0.1/x")
                .body(bytes::Bytes::new())
                .unwrap(),
        )
        .await
        .unwrap_err();
    needles.check_error("TransportError", &refused);
}

// ---- the `doku demo` flow, logged at TRACE ----------------------------------------------
