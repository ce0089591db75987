//! Headers, signatures, timestamps, tokens, idempotency and bad input, over real HTTP.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::*;
use doku_sim::{BearerReading, GetResponseDigest, IdempotencyReading, Readings};

/// Computed with an independent tool, not with doku-sign:
/// ```sh
/// BODY='{"grant_type":"client_credentials"}'
/// DIGEST=$(printf '%s' "$BODY" | openssl dgst -sha256 -binary | base64)   # RjM9wA/SMBFp+cRqk76AHm1QEId4d7CiBwZZZYDfifk=
/// printf 'Client-Id:BRN-0001-10791114622547\nRequest-Id:d895fb53-479c-4f77-a76a-ab81b40d77cb\nRequest-Timestamp:2020-08-11T08:45:42Z\nRequest-Target:/adv-core-api/partner/v1.0/token\nDigest:%s' "$DIGEST" \
///   | openssl dgst -sha256 -hmac SK-EXAMPLE-ONLY -binary | base64
/// ```
/// (python3's hmac/hashlib gives the same value.)
const OPENSSL_SIGNATURE: &str = "HMACSHA256=0DodudwVE5yE9MxGf7bXHJzst7JmoxiBSAYFocE6pIs=";

fn fixed_headers(signature: &str) -> Vec<(String, String)> {
    vec![
        ("Client-Id".into(), CLIENT_ID.into()),
        (
            "Request-Id".into(),
            "d895fb53-479c-4f77-a76a-ab81b40d77cb".into(),
        ),
        ("Request-Timestamp".into(), START.into()),
        ("Signature".into(), signature.into()),
        ("Content-Type".into(), "application/json".into()),
    ]
}

/// Generate Token with `body` under the fixed headers and the signature openssl computed over
/// DOKU's token body (independently of doku-sign).
async fn token_signed_by_openssl(f: &Fixture, body: &[u8]) -> RawResponse {
    let headers = fixed_headers(OPENSSL_SIGNATURE);
    send(f.sim.addr(), "POST", TOKEN_PATH, &headers, body)
        .await
        .unwrap()
}

#[tokio::test]
async fn independently_computed_signature_is_accepted_and_response_is_signed() {
    let f = start().await;
    let resp = token_signed_by_openssl(&f, TOKEN_BODY).await;
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    let token = resp.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(token.split('.').count(), 3);
    verify_response(
        &resp,
        CLIENT_ID,
        SECRET,
        "d895fb53-479c-4f77-a76a-ab81b40d77cb",
        TOKEN_PATH,
    )
    .unwrap();
    assert_eq!(resp.header("Response-Timestamp"), Some(START));
    assert_eq!(f.sim.stats().tokens_for(CLIENT_ID), 1);

    // The JWT payload carries sub, iat, exp (60 min default) and the client id.
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.split('.').nth(1).unwrap())
        .unwrap();
    let claims: doku_model::TokenClaims = serde_json::from_slice(&payload).unwrap();
    assert_eq!(claims.exp - claims.iat, 3600);
    assert_eq!(claims.user.business_service_client_id, CLIENT_ID);
}

#[tokio::test]
async fn one_changed_body_byte_is_refused() {
    let f = start().await;
    let tampered = br#"{"grant_type":"client_credentialz"}"#;
    let resp = token_signed_by_openssl(&f, tampered).await;
    assert_eq!(resp.status, 401);
    assert_eq!(resp.error_code(), "invalid_signature");
    assert!(resp.json()["error"]["string_to_sign"]
        .as_str()
        .unwrap()
        .contains("Digest:"));
    assert_eq!(f.sim.stats().tokens_for(CLIENT_ID), 0);
}

#[tokio::test]
async fn missing_headers_are_all_named() {
    let f = start().await;
    let headers = vec![("Client-Id".to_owned(), CLIENT_ID.to_owned())];
    let resp = send(f.sim.addr(), "POST", TOKEN_PATH, &headers, TOKEN_BODY)
        .await
        .unwrap();
    assert_eq!(resp.status, 400);
    assert_eq!(resp.error_code(), "missing_header");
    let msg = resp.json()["error"]["message"].as_str().unwrap().to_owned();
    for name in ["Request-Id", "Request-Timestamp", "Signature"] {
        assert!(msg.contains(name), "{msg}");
    }
    assert!(
        resp.header("Signature").is_none(),
        "no signed answer without a Request-Id"
    );
}

#[tokio::test]
async fn unknown_client_and_wrong_key_are_refused() {
    let f = start().await;
    let mut call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    call.client_id = "BRN-9999-UNKNOWN";
    let resp = f.send(&call).await.unwrap();
    resp.assert_refused(401, "invalid_client_id");

    let mut call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    call.secret = "wrong";
    let resp = f.send(&call).await.unwrap();
    resp.assert_refused(401, "invalid_signature");
    // Errors to an identified client are signed too.
    verify_response(&resp, CLIENT_ID, SECRET, &call.request_id, TOKEN_PATH).unwrap();

    let headers = {
        let mut h = fixed_headers("HMACSHA256=not-base64!");
        h.retain(|(n, _)| n != "Signature");
        h.push((
            "Signature".into(),
            "hmacsha256=0DodudwVE5yE9MxGf7bXHJzst7JmoxiBSAYFocE6pIs=".into(),
        ));
        h
    };
    let resp = send(f.sim.addr(), "POST", TOKEN_PATH, &headers, TOKEN_BODY)
        .await
        .unwrap();
    assert_eq!(resp.status, 401, "the algorithm prefix is case-sensitive");
}

#[tokio::test]
async fn timestamps_must_be_strict_and_fresh() {
    let f = start().await;
    for bad in [
        "2020-08-11T08:45:42+00:00",
        "2020-08-11 08:45:42Z",
        "yesterday",
    ] {
        let mut call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
        call.timestamp = bad.to_owned();
        let resp = f.send(&call).await.unwrap();
        assert_eq!(
            (resp.status, resp.error_code().as_str()),
            (400, "invalid_timestamp"),
            "{bad}"
        );
    }
    let mut call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    call.timestamp = "2020-08-11T09:45:43Z".to_owned(); // 3601 s ahead
    let resp = f.send(&call).await.unwrap();
    resp.assert_refused(401, "invalid_timestamp");
    call.timestamp = "2020-08-11T07:45:42Z".to_owned(); // exactly 3600 s behind: allowed (DOKU's observed window)
    call.request_id = uuid::Uuid::new_v4().to_string();
    assert_eq!(f.send(&call).await.unwrap().status, 200);
}

#[tokio::test]
async fn request_id_is_constrained() {
    let f = start().await;
    let mut call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    call.request_id = "x".repeat(129);
    let resp = f.send(&call).await.unwrap();
    resp.assert_refused(400, "invalid_request_id");
}

/// Only Upload File's page documents the bearer: by default the other calls are answered
/// without one; `--bearer everywhere` requires it on every call but Generate Token.
#[tokio::test]
async fn bearer_reading_is_a_flag() {
    const QUERY: &str = "businessType=PERSONAL&businessLegalEntity=PERSEORANGAN&brandBusinessLine=RETAIL&businessContactNationality=ID";
    for (reading, status_without) in [
        (BearerReading::UploadOnly, 200),
        (BearerReading::Everywhere, 401),
    ] {
        let f = start_with(|b| b.readings(Readings::default().bearer(reading))).await;
        let mut call = f.call("GET", FILE_PATH, b"");
        call.query = Some(QUERY);
        let resp = f.send(&call).await.unwrap();
        assert_eq!(resp.status, status_without, "{reading:?}");
        if status_without == 401 {
            assert_eq!(resp.error_code(), "missing_token");
        }
        let token = f.token().await;
        let mut call = f.call("GET", FILE_PATH, b"");
        call.query = Some(QUERY);
        call.token = Some(&token);
        assert_eq!(f.send(&call).await.unwrap().status, 200, "{reading:?}");
        // Upload File needs it under both readings.
        let mut call = f.call("POST", FILE_PATH, b"");
        call.content_type = Some("multipart/form-data; boundary=x");
        assert_eq!(f.send(&call).await.unwrap().error_code(), "missing_token");
    }
}

#[tokio::test]
async fn tokens_are_required_checked_and_expire() {
    let f = start().await;
    let upload = |token: Option<&'static str>| {
        let mut c = f.call("POST", FILE_PATH, b"");
        c.content_type = Some("multipart/form-data; boundary=x");
        c.token = token;
        c
    };
    let resp = f.send(&upload(None)).await.unwrap();
    resp.assert_refused(401, "missing_token");
    let resp = f.send(&upload(Some("not.a.token"))).await.unwrap();
    resp.assert_refused(401, "invalid_token");

    let other = f.token_for(OTHER_CLIENT, OTHER_SECRET).await;
    let other: &'static str = Box::leak(other.into_boxed_str());
    let resp = f.send(&upload(Some(other))).await.unwrap();
    resp.assert_refused(401, "invalid_token");
    assert!(resp.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("another Client-Id"));

    // valid_time "1": expired two minutes later.
    let mut call = f.call(
        "POST",
        TOKEN_PATH,
        br#"{"grant_type":"client_credentials","valid_time":"1"}"#,
    );
    call.request_id = uuid::Uuid::new_v4().to_string();
    let short = f.send(&call).await.unwrap().json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let short: &'static str = Box::leak(short.into_boxed_str());
    let resp = f.send(&upload(Some(short))).await.unwrap();
    assert_eq!(
        resp.status,
        400,
        "token accepted, empty form refused: {}",
        String::from_utf8_lossy(&resp.body)
    );
    f.clock.advance(120);
    let resp = f.send(&upload(Some(short))).await.unwrap();
    resp.assert_refused(401, "expired_token");

    // Default lifetime: 60 minutes.
    let long = f.token().await;
    let long: &'static str = Box::leak(long.into_boxed_str());
    f.clock.advance(59 * 60);
    assert_eq!(f.send(&upload(Some(long))).await.unwrap().status, 400);
    f.clock.advance(61);
    assert_eq!(
        f.send(&upload(Some(long))).await.unwrap().error_code(),
        "expired_token"
    );
}

/// Both readings replay a processed request's original body with 409.
#[tokio::test]
async fn idempotent_replay_under_both_readings() {
    for reading in [
        IdempotencyReading::ReplayAll,
        IdempotencyReading::ReplaySuccesses,
    ] {
        let f = start_with(|b| b.readings(Readings::default().idempotency(reading))).await;
        let call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
        let first = f.send(&call).await.unwrap();
        assert_eq!(first.status, 200);
        // Same Request-Id and body, re-signed with a later timestamp.
        f.clock.advance(30);
        let mut again = call.clone();
        again.timestamp = f.now();
        let replay = f.send(&again).await.unwrap();
        assert_eq!(replay.status, 409, "{reading:?}");
        assert_eq!(replay.body, first.body, "the original body is replayed");
        verify_response(&replay, CLIENT_ID, SECRET, &call.request_id, TOKEN_PATH).unwrap();
        assert_eq!(f.sim.stats().tokens_for(CLIENT_ID), 1);
        assert_eq!(f.sim.stats().replays, 1);

        // The same Request-Id from another client is a different key.
        let mut other = call.clone();
        other.client_id = OTHER_CLIENT;
        other.secret = OTHER_SECRET;
        assert_eq!(f.send(&other).await.unwrap().status, 200);
    }
}

/// DOKU's literal words (the default): "a request is identical if it is sent with the same
/// request-id", and the first final answer is replayed with 409 whatever it was — a refusal
/// too, and whatever the repeat's body.
#[tokio::test]
async fn replay_all_reading_replays_refusals_and_ignores_the_body() {
    let f = start().await;
    assert_eq!(
        Readings::default().idempotency,
        IdempotencyReading::ReplayAll
    );
    let mut call = f.call("POST", TOKEN_PATH, br#"{"grant_type":"password"}"#);
    let refused = f.send(&call).await.unwrap();
    assert_eq!(refused.status, 400);
    call.body = TOKEN_BODY;
    let replay = f.send(&call).await.unwrap();
    assert_eq!(
        replay.status, 409,
        "a refusal is replayed, even for a corrected body"
    );
    assert_eq!(replay.body, refused.body);
    assert_eq!(replay.error_code(), "validation_failed");
    assert_eq!(f.sim.stats().tokens_for(CLIENT_ID), 0);

    // A refusal by the bearer check (an authenticated request) is recorded too.
    let mut call = f.call("POST", FILE_PATH, b"x");
    call.token = Some("not-a-token");
    let first = f.send(&call).await.unwrap();
    assert_eq!(first.status, 401);
    call.token = None;
    let again = f.send(&call).await.unwrap();
    assert_eq!((again.status, again.body), (409, first.body));

    // A request that fails authentication is not recorded: its Request-Id stays usable.
    let mut call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    call.secret = "wrong";
    assert_eq!(f.send(&call).await.unwrap().status, 401);
    call.secret = SECRET;
    assert_eq!(f.send(&call).await.unwrap().status, 200);
}

/// The other reading (`--idempotency replay-successes`): only 2xx answers are recorded, a
/// refused request may be corrected under the same Request-Id, and the same Request-Id with
/// another body is a conflict.
#[tokio::test]
async fn replay_successes_reading_records_only_successes() {
    let readings = Readings::default().idempotency(IdempotencyReading::ReplaySuccesses);
    let f = start_with(|b| b.readings(readings)).await;
    let mut call = f.call("POST", TOKEN_PATH, br#"{"grant_type":"password"}"#);
    assert_eq!(f.send(&call).await.unwrap().status, 400);
    call.body = TOKEN_BODY;
    assert_eq!(
        f.send(&call).await.unwrap().status,
        200,
        "a corrected request may reuse the Request-Id"
    );
    let mut different = call.clone();
    different.body = br#"{"grant_type":"client_credentials","valid_time":"5"}"#;
    let resp = f.send(&different).await.unwrap();
    resp.assert_refused(422, "request_id_reused");
}

#[tokio::test]
async fn bad_input_gets_clear_errors() {
    let f = start().await;
    let resp = f
        .send(&f.call("POST", TOKEN_PATH, b"{not json"))
        .await
        .unwrap();
    resp.assert_refused(400, "invalid_json");

    let resp = f
        .send(&f.call("POST", TOKEN_PATH, br#"{"valid_time":"5"}"#))
        .await
        .unwrap();
    resp.assert_refused(400, "invalid_field");
    assert!(resp.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("grant_type"));

    let resp = f
        .send(&f.call("POST", TOKEN_PATH, br#"{"grant_type":7}"#))
        .await
        .unwrap();
    assert_eq!(resp.json()["error"]["path"], "grant_type");

    let resp = f
        .send(&f.call(
            "POST",
            TOKEN_PATH,
            br#"{"grant_type":"password","valid_time":"x"}"#,
        ))
        .await
        .unwrap();
    resp.assert_refused(400, "validation_failed");
    let paths: Vec<&str> = resp.json()["error"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["path"].as_str().unwrap().to_owned())
        .map(|s| &*Box::leak(s.into_boxed_str()))
        .collect();
    assert_eq!(paths, ["grant_type", "valid_time"]);

    // A JSON body labelled otherwise: DOKU is not known to refuse it, so it is accepted with a
    // warning, and refused with 415 under --strict.
    let mut call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    call.content_type = Some("text/plain");
    let warnings = f.sim.stats().warnings;
    assert_eq!(f.send(&call).await.unwrap().status, 200);
    assert_eq!(f.sim.stats().warnings, warnings + 1);
    let strict = start_with(|b| b.strict(true)).await;
    let mut call = strict.call("POST", TOKEN_PATH, TOKEN_BODY);
    call.content_type = Some("text/plain");
    let resp = strict.send(&call).await.unwrap();
    resp.assert_refused(415, "unsupported_content_type");

    let resp = send(f.sim.addr(), "GET", "/nope", &[], b"").await.unwrap();
    resp.assert_refused(404, "not_found");
    let resp = send(f.sim.addr(), "DELETE", TOKEN_PATH, &[], b"")
        .await
        .unwrap();
    assert_eq!(resp.status, 405);
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let f = start_with(|b| b.max_body_bytes(1024)).await;
    let big = vec![b' '; 4096];
    let resp = f.send(&f.call("POST", TOKEN_PATH, &big)).await.unwrap();
    resp.assert_refused(413, "payload_too_large");
    assert_eq!(f.sim.stats().rejected, 1);
}

#[tokio::test]
async fn get_signatures_have_no_digest_and_no_query_by_default() {
    let f = start().await;
    let query = "businessType=PERSONAL&businessLegalEntity=PERSEORANGAN&brandBusinessLine=RETAIL&businessContactNationality=ID";
    let mut call = f.call("GET", FILE_PATH, b"");
    call.query = Some(query);
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    verify_response_with(&resp, CLIENT_ID, SECRET, &call.request_id, FILE_PATH, false).unwrap();
    assert!(
        verify_response(&resp, CLIENT_ID, SECRET, &call.request_id, FILE_PATH).is_err(),
        "a GET answer is signed without Digest by default"
    );

    call.sign_query = true;
    call.request_id = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        f.send(&call).await.unwrap().status,
        401,
        "query is not part of the target by default"
    );

    let g = start_with(|b| b.target_includes_query(true)).await;
    let mut call = g.call("GET", FILE_PATH, b"");
    call.query = Some(query);
    call.sign_query = true;
    let resp = g.send(&call).await.unwrap();
    assert_eq!(resp.status, 200);
    let target = format!("{FILE_PATH}?{query}");
    verify_response_with(&resp, CLIENT_ID, SECRET, &call.request_id, &target, false).unwrap();
}

/// The other reading of "Digest only applied for POST": `--get-response-digest include` signs
/// GET answers with a Digest over the body; POST answers have it under both readings.
#[tokio::test]
async fn get_response_digest_reading_is_a_flag() {
    for (reading, digest) in [
        (GetResponseDigest::Omit, false),
        (GetResponseDigest::Include, true),
    ] {
        let f = start_with(|b| b.readings(Readings::default().get_response_digest(reading))).await;
        let mut call = f.call("GET", FILE_PATH, b"");
        call.query = Some("businessType=PERSONAL&businessLegalEntity=PERSEORANGAN&brandBusinessLine=RETAIL&businessContactNationality=ID");
        let resp = f.send(&call).await.unwrap();
        assert_eq!(resp.status, 200);
        let id = &call.request_id;
        verify_response_with(&resp, CLIENT_ID, SECRET, id, FILE_PATH, digest).unwrap();
        assert!(verify_response_with(&resp, CLIENT_ID, SECRET, id, FILE_PATH, !digest).is_err());

        let body = br#"{"grant_type":"client_credentials"}"#;
        let call = f.call("POST", TOKEN_PATH, body);
        let resp = f.send(&call).await.unwrap();
        assert_eq!(resp.status, 200);
        verify_response(&resp, CLIENT_ID, SECRET, &call.request_id, TOKEN_PATH).unwrap();
    }
}

#[tokio::test]
async fn check_requirements_validates_its_query() {
    let f = start().await;
    // DOKU marks all four parameters Mandatory: the two an older reading sent are not enough,
    // and the answer names each missing one.
    for (query, missing) in [
        (
            "businessType=PERSONAL&businessContactNationality=ID",
            &["businessLegalEntity", "brandBusinessLine"][..],
        ),
        (
            "businessType=PERSONAL",
            &[
                "businessLegalEntity",
                "brandBusinessLine",
                "businessContactNationality",
            ][..],
        ),
    ] {
        let mut call = f.call("GET", FILE_PATH, b"");
        call.query = Some(query);
        let resp = f.send(&call).await.unwrap();
        assert_eq!(
            (resp.status, resp.error_code().as_str()),
            (400, "invalid_query"),
            "{query}"
        );
        let message = resp.json()["error"]["message"].as_str().unwrap().to_owned();
        for name in missing {
            assert!(message.contains(name), "{name} not named in {message}");
        }
    }

    let mut call = f.call("GET", FILE_PATH, b"");
    call.query = Some("businessType=ALIEN&businessLegalEntity=PT&brandBusinessLine=MINING&businessContactNationality=ID");
    assert_eq!(
        f.send(&call).await.unwrap().error_code(),
        "invalid_business_type"
    );
}
