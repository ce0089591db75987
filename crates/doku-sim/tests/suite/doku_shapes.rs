//! The simulator answers in DOKU's shapes: for every call whose answer DOKU publishes, the
//! simulator's answer has the same keys at the same places, with the same JSON kinds, as
//! DOKU's sample (crates/doku-model/tests/doku-samples/partner/, each with its page).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use common::shapes::{assert_same, shape};
use common::*;
use doku_model::{DocumentCode, FileCategory};
use serde_json::Value;

fn sample(name: &str) -> Value {
    shapes::sample("partner", name)
}

/// Check Requirements answers a tree `business.<group>.<document>.{…}` whose group and document
/// names depend on the business: compare with those two levels folded.
fn requirement_shape(value: &Value) -> BTreeSet<String> {
    shape(value)
        .into_iter()
        .map(|line| {
            let (path, kind) = line.split_once(' ').unwrap();
            let mut parts: Vec<&str> = path.split('.').collect();
            for part in parts.iter_mut().skip(1).take(2) {
                *part = "*";
            }
            format!("{} {kind}", parts.join("."))
        })
        .collect()
}

#[tokio::test]
async fn every_answer_has_dokus_shape() {
    let f = start().await;

    // Generate Token.
    let call = f.call("POST", TOKEN_PATH, TOKEN_BODY);
    let resp = f.send(&call).await.unwrap();
    assert_same(
        "Generate Token",
        &shape(&resp.json()),
        &shape(&sample("generate-token.response.json")),
    );
    let token = resp.json()["token"].as_str().unwrap().to_owned();

    // Check Requirements (DOKU publishes one node of the tree; every node has its shape).
    let mut call = f.call("GET", FILE_PATH, b"");
    call.query = Some("businessType=PERSONAL&businessLegalEntity=PERSEORANGAN&brandBusinessLine=RETAIL&businessContactNationality=ID");
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.status, 200);
    assert_same(
        "Check Requirements",
        &requirement_shape(&resp.json()),
        &requirement_shape(&sample("check-requirements.response.json")),
    );
    assert_eq!(
        resp.json()["business"]["brand"]["photo_proof"],
        sample("check-requirements.response.json")["business"]["brand"]["photo_proof"],
        "DOKU's published requirement is answered value for value"
    );

    // Upload File (DOKU's sample uploads OWNER_LIVENESS).
    let liveness = f.upload(&token, png(FileCategory::OwnerLiveness)).await;
    assert_same(
        "Upload File",
        &shape(&liveness),
        &shape(&sample("upload-file.response.json")),
    );
    let ktp = f
        .upload(
            &token,
            png(FileCategory::Document).with_code(DocumentCode::Ktp),
        )
        .await;
    let photo = f.upload(&token, png(FileCategory::PhotoProof)).await;

    // Create Business Lite.
    let lite = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../doku-model/tests/doku-samples/partner/create-business-lite.request.json"),
    )
    .unwrap();
    // The page's placeholder e-mail is not an address; everything else is DOKU's request.
    let lite = String::from_utf8(lite)
        .unwrap()
        .replace("\"string\"", "\"invitee@example.com\"");
    let call = f.call("POST", LITE_PATH, lite.as_bytes());
    let resp = f.send(&call).await.unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    assert_same(
        "Create Business Lite",
        &shape(&resp.json()),
        &shape(&sample("create-business-lite.response.json")),
    );

    // Business Registration (answer unpublished), then Get Business Data of its brand.
    let ids: Vec<&str> = [&ktp, &liveness, &photo]
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    let (_, resp) = register_then_read(&f, &registration_body(&ids)).await;
    // Our copy of DOKU's sample stops after `ticket_size` in `brands[0]`: the simulator may add
    // brand fields past that point, nothing else.
    let past_the_cut = [
        "brands[].finance_status string",
        "brands[].risk_engine_status string",
    ];
    let ours: BTreeSet<String> = shape(&resp.json())
        .into_iter()
        .filter(|l| !past_the_cut.contains(&l.as_str()))
        .collect();
    assert_same(
        "Get Business Data",
        &ours,
        &shape(&sample("get-business-data.response.json")),
    );
}

fn registration_body(ids: &[&str]) -> Vec<u8> {
    let docs: Vec<Value> = ids.iter().map(|id| serde_json::json!({"id": id})).collect();
    serde_json::to_vec(&serde_json::json!({"business": {
        "type": "PERSONAL", "legal_entity": "PERSEORANGAN", "name": "Toko Maju",
        "description": "Groceries in Bekasi",
        "email": "owner@example.com", "phone_calling_code": "62", "phone_number": "81234567890",
        "website_readiness": "HAVE", "mobile_app_readiness": "UNDER_DEVELOPMENT",
        "brands": [{"name": "Toko Maju", "description": "Groceries", "category": "NON_RETAIL",
                    "transaction_frequency": "UMI", "transaction_quantity": "UP_TO_100"}],
        "addresses": [{"area": "17133 - Kali Baru - Medan Satria - Bekasi - Jawa Barat", "country": "ID", "name": "Jl. Gatot Subroto 20", "is_primary": true}],
        "contacts": [{"name": "Budi", "email": "budi@example.com", "phone_calling_code": "62", "phone_number": "81234567890", "nationality": "ID", "documents": docs}]
    }}))
    .unwrap()
}
