//! The onboarding flow with in-memory state, and fault injection, over real HTTP.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use doku_model::Endpoint;
use doku_model::{DocumentCode, FileCategory, UploadFile};
use doku_sim::{Fault, FaultKind, FaultTarget};

/// Uploads `file` with `token`; the id DOKU gave it.
async fn upload(f: &Fixture, token: &str, file: UploadFile) -> String {
    f.upload(token, file).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn full_onboarding_flow() {
    let f = start().await;
    let token = f.token().await;

    let mut call = f.call("GET", FILE_PATH, b"");
    call.query = Some("businessType=PERSONAL&businessLegalEntity=PERSEORANGAN&brandBusinessLine=RETAIL&businessContactNationality=ID");
    call.token = Some(&token);
    let resp = f.send(&call).await.unwrap();
    let reqs: doku_model::RequirementsResponse = doku_model::decode(&resp.body).unwrap();
    assert_eq!(
        reqs.mandatory_codes(),
        ["PHOTO_PROOF", "KTP", "OWNER_LIVENESS"]
    );

    let ktp = upload(
        &f,
        &token,
        png(FileCategory::Document).with_code(DocumentCode::Ktp),
    )
    .await;
    let liveness = upload(&f, &token, png(FileCategory::OwnerLiveness)).await;
    let photo = upload(
        &f,
        &token,
        UploadFile::url(FileCategory::PhotoProof, "https://example.com/p.png"),
    )
    .await;

    // Missing KTP: refused, naming the missing document type.
    let body = personal_registration(&[&liveness, &photo]);
    let mut call = f.call("POST", BUSINESS_PATH, &body);
    call.token = Some(&token);
    let resp = f.send(&call).await.unwrap();
    resp.assert_refused(400, "missing_documents");
    assert_eq!(resp.json()["error"]["missing"], serde_json::json!(["KTP"]));

    // Unknown file id: refused.
    let body = personal_registration(&[&ktp, &liveness, &photo, "DCM-0131-0"]);
    let mut call = f.call("POST", BUSINESS_PATH, &body);
    call.token = Some(&token);
    assert_eq!(f.send(&call).await.unwrap().error_code(), "unknown_file_id");

    // Invalid body: every violation named.
    let mut bad: serde_json::Value =
        serde_json::from_slice(&personal_registration(&[&ktp])).unwrap();
    bad["business"]["email"] = "nope".into();
    bad["business"]["contacts"][0]["nationality"] = "Indonesia".into();
    let bad = serde_json::to_vec(&bad).unwrap();
    let mut call = f.call("POST", BUSINESS_PATH, &bad);
    call.token = Some(&token);
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.error_code(), "validation_failed");
    let paths: Vec<String> = resp.json()["error"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        paths,
        ["business.email", "business.contacts[0].nationality"]
    );

    // Complete: registered.
    let body = personal_registration(&[&ktp, &liveness, &photo]);
    let mut call = f.call("POST", BUSINESS_PATH, &body);
    call.token = Some(&token);
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    let created: doku_model::BusinessRegistrationResponse = doku_model::decode(&resp.body).unwrap();
    let brand_id = created.brand_ids()[0].to_owned();

    let path = Endpoint::GetBusinessData.path_with(&brand_id);
    let mut call = f.call("GET", &path, b"");
    call.token = Some(&token);
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.status, 200);
    verify_response_with(&resp, CLIENT_ID, SECRET, &call.request_id, &path, false).unwrap();
    let data: doku_model::BusinessData = doku_model::decode(&resp.body).unwrap();
    assert_eq!(data.name, "Toko Maju");
    assert_eq!(data.id, created.business.id);
    assert_eq!(data.partner.as_deref(), Some(CLIENT_ID));

    let unknown = Endpoint::GetBusinessData.path_with("BRN-0000-404");
    let mut call = f.call("GET", &unknown, b"");
    call.token = Some(&token);
    assert_eq!(f.send(&call).await.unwrap().status, 404);

    // Another partner cannot read it.
    let other = f.token_for(OTHER_CLIENT, OTHER_SECRET).await;
    let mut call = f.call("GET", &path, b"");
    call.client_id = OTHER_CLIENT;
    call.secret = OTHER_SECRET;
    call.token = Some(&other);
    assert_eq!(f.send(&call).await.unwrap().status, 404);

    let stats = f.sim.stats();
    assert_eq!(
        (
            stats.uploads,
            stats.registrations,
            stats.business_data_reads
        ),
        (3, 1, 1)
    );
    assert_eq!(stats.tokens_for(CLIENT_ID), 1);
    assert_eq!(stats.tokens_for(OTHER_CLIENT), 1);
}

#[tokio::test]
async fn upload_needs_multipart_and_a_file() {
    let f = start().await;
    let token = f.token().await;
    let mut call = f.call("POST", FILE_PATH, b"{}");
    call.token = Some(&token);
    assert_eq!(f.send(&call).await.unwrap().status, 415);
    let body =
        doku_model::encode_multipart(&[doku_model::Part::text("category", "LOGO")], "b").unwrap();
    let mut call = f.call("POST", FILE_PATH, &body.body);
    call.content_type = Some(&body.content_type);
    call.token = Some(&token);
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.error_code(), "invalid_form");
    let doc_without_code = png(FileCategory::Document).to_multipart("b").unwrap();
    let mut call = f.call("POST", FILE_PATH, &doc_without_code.body);
    call.content_type = Some(&doc_without_code.content_type);
    call.token = Some(&token);
    assert_eq!(
        f.send(&call).await.unwrap().error_code(),
        "validation_failed"
    );
}

/// The simulator refuses what the client refuses before sending (`doku_model::check_upload`): a
/// name DOKU takes no file of, a content type that does not match the name, a `code` without
/// `DOCUMENT`. Each is sent as a client without those checks would send it; nothing is stored.
#[tokio::test]
async fn upload_refuses_what_check_upload_refuses() {
    let f = start().await;
    let token = f.token().await;
    let bytes = doku_test_support::PNG_BYTES.to_vec();
    let refused = [
        (
            UploadFile::file(FileCategory::Logo, "logo.exe", "image/png", bytes.clone()),
            "file.filename",
        ),
        (
            UploadFile::file(FileCategory::Logo, "logo.png", "image/jpeg", bytes.clone()),
            "file.content_type",
        ),
        (
            UploadFile::file(FileCategory::Logo, "logo", "image/png", bytes.clone()),
            "file.filename",
        ),
        (png(FileCategory::Logo).with_code(DocumentCode::Ktp), "code"),
    ];
    for (file, path) in refused {
        let expected = doku_model::check_upload(&file).unwrap_err();
        assert_eq!(expected.paths(), [path], "{file:?}");
        let body = file.to_multipart("sim-test-boundary").unwrap();
        let mut call = f.call("POST", FILE_PATH, &body.body);
        call.content_type = Some(&body.content_type);
        call.token = Some(&token);
        let resp = f.send(&call).await.unwrap();
        assert_eq!(resp.status, 400, "{file:?}");
        assert_eq!(resp.error_code(), "validation_failed", "{file:?}");
        let json = resp.json();
        let paths: Vec<&str> = json["error"]["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, [path], "{file:?}");
    }
    assert_eq!(f.sim.stats().uploads, 0);
    // What check_upload accepts, the simulator takes: any case of the extension, parameters on
    // the media type.
    let accepted = UploadFile::file(
        FileCategory::Logo,
        "LOGO.JPEG",
        "image/jpeg; charset=binary",
        bytes,
    );
    doku_model::check_upload(&accepted).unwrap();
    assert!(upload(&f, &token, accepted).await.starts_with("DCM"));
}

#[tokio::test]
async fn business_lite_records_an_invitation() {
    let f = start().await;
    let token = f.token().await;
    let body = br#"{"business":{"partner_ref_id":"3f1c0b6e-8a6e-4d3a-9f55-1b2a3c4d5e6f","name":"Toko Lite","contact":{"name":"Siti","email":"siti@example.com","phone_calling_code":"62","phone_number":"81298765432"}},"invited_user":{"email":"siti@example.com"}}"#;
    let mut call = f.call("POST", LITE_PATH, body);
    call.token = Some(&token);
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    let created: doku_model::BusinessLiteResponse = doku_model::decode(&resp.body).unwrap();
    assert_eq!(
        created.business.partner_ref_id.as_deref(),
        Some("3f1c0b6e-8a6e-4d3a-9f55-1b2a3c4d5e6f")
    );
    assert_eq!(f.sim.invitations_for(CLIENT_ID), 1);
    assert_eq!(f.sim.stats().lite_registrations, 1);
    // DOKU's shape: the brand sits inside `business`.
    let brand_id = resp.json()["business"]["brands"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created.brand_ids(), [brand_id.as_str()]);
    assert!(resp.json().get("brands").is_none());

    let path = Endpoint::GetBusinessData.path_with(&brand_id);
    let mut call = f.call("GET", &path, b"");
    call.token = Some(&token);
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.status, 200);
    let data = resp.json();
    // DOKU has no "LITE" business type: the type is chosen when the invitee finishes.
    assert!(data.get("type").is_none(), "{data}");
    assert_eq!(data["brands"][0]["id"], brand_id.as_str());
    assert!(data["brands"][0].get("shared_key").is_none());
}

/// Business Registration's table documents `type` PERSONAL and `legal_entity` PERSEORANGAN only.
#[tokio::test]
async fn registration_accepts_only_the_documented_kind() {
    let f = start().await;
    let token = f.token().await;
    let mut body: serde_json::Value = serde_json::from_slice(&personal_registration(&[])).unwrap();
    body["business"]["type"] = "CORPORATE".into();
    body["business"]["legal_entity"] = "PT".into();
    let body = serde_json::to_vec(&body).unwrap();
    let mut call = f.call("POST", BUSINESS_PATH, &body);
    call.token = Some(&token);
    let resp = f.send(&call).await.unwrap();
    resp.assert_refused(400, "unsupported_business_kind");
    let message = resp.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("business.type") && message.contains("business.legal_entity"),
        "{message}"
    );
    assert_eq!(f.sim.stats().registrations, 0);
}

#[tokio::test]
async fn status_fault_fails_first_attempt_only() {
    let f = start().await;
    f.sim
        .set_fault(Endpoint::Token, Fault::once(FaultKind::Status(503)));
    let call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    let first = f.send(&call).await.unwrap();
    first.assert_refused(503, "simulated_fault");
    assert_eq!(first.header("Retry-After"), Some("1"));
    assert_eq!(
        f.sim.stats().tokens_for(CLIENT_ID),
        0,
        "a pre-processing fault has no side effect"
    );
    let second = f.send(&call).await.unwrap();
    assert_eq!(
        second.status, 200,
        "the retry with the same Request-Id is processed once"
    );
    assert_eq!(f.sim.stats().tokens_for(CLIENT_ID), 1);
    assert_eq!(f.sim.stats().faults_applied, 1);
}

#[tokio::test]
async fn dropped_connection_then_success() {
    let f = start().await;
    f.sim
        .set_fault(Endpoint::Token, Fault::once(FaultKind::DropConnection));
    let call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    assert!(f.send(&call).await.is_none());
    assert_eq!(f.sim.stats().tokens_for(CLIENT_ID), 0);
    assert_eq!(f.send(&call).await.unwrap().status, 200);
}

#[tokio::test]
async fn process_then_drop_replays_on_retry_without_duplicate() {
    let f = start().await;
    let token = f.token().await;
    let lite = br#"{"business":{"partner_ref_id":"r-1","name":"Toko","contact":{"name":"S","email":"s@example.com","phone_calling_code":"62","phone_number":"81298765432"}},"invited_user":{"email":"s@example.com"}}"#;
    f.sim.set_fault(
        Endpoint::BusinessLite,
        Fault::once(FaultKind::ProcessThenDrop),
    );
    let mut call = f.call("POST", LITE_PATH, lite);
    call.token = Some(&token);
    assert!(f.send(&call).await.is_none(), "no answer");
    assert_eq!(
        f.sim.stats().lite_registrations,
        1,
        "but the side effect happened"
    );
    f.clock.advance(2);
    call.timestamp = f.now();
    let retry = f.send(&call).await.unwrap();
    assert_eq!(retry.status, 409);
    let created: doku_model::BusinessLiteResponse = doku_model::decode(&retry.body).unwrap();
    assert_eq!(created.business.partner_ref_id.as_deref(), Some("r-1"));
    assert_eq!(f.sim.stats().lite_registrations, 1, "no duplicate");
    assert_eq!(f.sim.invitations_for(CLIENT_ID), 1);
}

/// A Generate Token call with `kind` injected once: the call and its answer, which keeps its
/// 200 status (these faults spoil the body or the signature, not the status).
async fn token_call_under(f: &Fixture, kind: FaultKind) -> (Call<'static>, RawResponse) {
    f.sim.set_fault(Endpoint::Token, Fault::once(kind));
    let (call, resp) = f.send_token_call().await;
    let resp = resp.unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    (call, resp)
}

#[tokio::test]
async fn truncated_body_is_cut_mid_way() {
    let f = start().await;
    let (_, resp) = token_call_under(&f, FaultKind::TruncatedBody).await;
    assert!(!resp.complete, "body shorter than Content-Length");
    assert!(serde_json::from_slice::<serde_json::Value>(&resp.body).is_err());
    assert_eq!(
        f.sim.stats().tokens_for(CLIENT_ID),
        1,
        "post-processing fault: processed"
    );
}

#[tokio::test]
async fn non_json_body_and_wrong_signature() {
    let f = start().await;
    let (_, resp) = token_call_under(&f, FaultKind::NonJsonBody).await;
    assert!(resp
        .header("Content-Type")
        .unwrap()
        .starts_with("text/html"));
    assert!(serde_json::from_slice::<serde_json::Value>(&resp.body).is_err());

    let (call, resp) = token_call_under(&f, FaultKind::WrongSignature).await;
    assert_eq!(
        verify_response(&resp, CLIENT_ID, SECRET, &call.request_id, TOKEN_PATH),
        Err(doku_sign::Error::Mismatch)
    );
}

#[tokio::test]
async fn early_token_expiry_and_latency() {
    let f = start().await;
    let token = f.token().await;
    let path = Endpoint::GetBusinessData.path_with("BRN-x");
    let mut call = f.call("GET", &path, b"");
    call.token = Some(&token);
    f.sim.set_fault(
        Endpoint::GetBusinessData,
        Fault::once(FaultKind::ExpireToken),
    );
    assert_eq!(f.send(&call).await.unwrap().error_code(), "expired_token");
    call.request_id = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        f.send(&call).await.unwrap().status,
        404,
        "token works again"
    );

    f.sim.set_fault(
        FaultTarget::Any,
        Fault::once(FaultKind::Latency(Duration::from_millis(300))),
    );
    let started = Instant::now();
    call.request_id = uuid::Uuid::new_v4().to_string();
    assert_eq!(f.send(&call).await.unwrap().status, 404);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn fault_counts_always_and_clear() {
    let f = start().await;
    f.sim
        .set_fault(Endpoint::Token, Fault::times(2, FaultKind::Status(429)));
    for expected in [429, 429, 200] {
        assert_eq!(f.token_status().await, expected);
    }
    f.sim
        .set_fault(FaultTarget::Any, Fault::always(FaultKind::Status(500)));
    for _ in 0..3 {
        assert_eq!(f.token_status().await, 500);
    }
    f.sim.clear_faults();
    assert_eq!(f.token_status().await, 200);
}

#[tokio::test]
async fn concurrent_requests_are_all_answered() {
    let f = std::sync::Arc::new(start().await);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let f = std::sync::Arc::clone(&f);
        tasks.spawn(async move {
            let call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
            f.send(&call).await.unwrap().status
        });
    }
    let mut ok = 0;
    while let Some(status) = tasks.join_next().await {
        if status.unwrap() == 200 {
            ok += 1;
        }
    }
    assert_eq!(ok, 16);
    assert_eq!(f.sim.stats().total_requests, 16);
}

#[tokio::test]
async fn shutdown_stops_listening() {
    let f = start().await;
    let addr = f.sim.addr();
    assert!(f.sim.base_url().starts_with("http://127.0.0.1:"));
    f.sim.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
