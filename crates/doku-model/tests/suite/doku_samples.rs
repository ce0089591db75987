//! DOKU's own published Partner API samples (tests/doku-samples/partner/, each with its page in
//! the README there) are fixtures: every response decodes into the typed model with nothing
//! lost or moved (decode → encode is JSON-equal to the sample), and every request passes
//! `validate()` or fails only for the reason the README gives.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::{Path, PathBuf};

use base64::Engine as _;
use doku_model::{
    decode, BusinessData, BusinessLiteRequest, BusinessLiteResponse, RequirementsResponse,
    TokenRequest, TokenResponse, UploadResponse, Validate,
};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

fn folder() -> PathBuf {
    common::folder("partner")
}

fn read(name: &str) -> Vec<u8> {
    common::read(&folder(), name)
}

fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    common::round_trip(&folder(), name)
}

/// How each sample is checked; a file in the folder that is not listed fails the walk.
const CHECKS: &[(&str, fn())] = &[
    ("generate-token.request.json", generate_token_request),
    ("generate-token.response.json", generate_token_response),
    (
        "check-requirements.response.json",
        check_requirements_response,
    ),
    ("upload-file.response.json", upload_file_response),
    (
        "create-business-lite.request.json",
        create_business_lite_request,
    ),
    (
        "create-business-lite.response.json",
        create_business_lite_response,
    ),
    (
        "get-business-data.response.json",
        get_business_data_response,
    ),
];

fn generate_token_request() {
    let req: TokenRequest = round_trip("generate-token.request.json");
    req.validate().unwrap();
    assert_eq!(req.valid_time_minutes(), Some(360));
}

fn generate_token_response() {
    let resp: TokenResponse = round_trip("generate-token.response.json");
    // The JWT's payload is the claim set doku-model reads (and doku-sim issues).
    let payload = resp.token.split('.').nth(1).unwrap();
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: doku_model::TokenClaims = decode(&payload).unwrap();
    assert_eq!(claims.exp, 1_704_866_191);
    assert_eq!(
        claims.user.business_service_client_id,
        "BRN-0249-1697537396783"
    );
    let original: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(serde_json::to_value(&claims).unwrap(), original);
}

fn check_requirements_response() {
    let resp: RequirementsResponse = round_trip("check-requirements.response.json");
    let docs = resp.documents();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].path, "business.brand.photo_proof");
    assert_eq!(docs[0].requirement.code, "PHOTO_PROOF");
    assert_eq!(docs[0].requirement.extensions, ["PNG", "JPG", "JPEG"]);
    // The client's upload cap is not below DOKU's largest documented `max_size` (in MB; read
    // as MiB, the larger unit).
    let largest = docs
        .iter()
        .filter_map(|d| d.requirement.max_size)
        .max()
        .unwrap();
    assert!(
        doku_model::MAX_UPLOAD_BYTES as u64 >= largest * 1024 * 1024,
        "upload cap below DOKU's max_size {largest}"
    );
}

fn upload_file_response() {
    let resp: UploadResponse = round_trip("upload-file.response.json");
    assert_eq!(resp.id.as_str(), "CNT-0104-1676639713907");
    assert_eq!(resp.category.as_str(), "OWNER_LIVENESS");
}

fn create_business_lite_request() {
    let req: BusinessLiteRequest = round_trip("create-business-lite.request.json");
    let errors = req.validate().unwrap_err();
    // The page's placeholder `"string"` is not an e-mail address; nothing else is wrong.
    assert_eq!(errors.paths(), vec!["invited_user.email"], "{errors}");
}

fn create_business_lite_response() {
    let resp: BusinessLiteResponse = round_trip("create-business-lite.response.json");
    assert_eq!(resp.business.id, "BSN-0103-1700206906468");
    assert_eq!(resp.brand_ids(), vec!["BRN-0103-1700206906471"]);
    assert!(resp.extra.is_empty() && resp.business.extra.is_empty());
}

fn get_business_data_response() {
    let data: BusinessData = round_trip("get-business-data.response.json");
    let brand = &data.brands[0];
    assert_eq!(brand.id, "BRN-0104-1678960841263");
    assert_eq!(
        brand.shared_key.as_ref().unwrap().expose(),
        "SK-ViEeAojc5K0nBrL41ou4"
    );
    assert!(!format!("{data:?}").contains("SK-ViEe"));
    assert!(data.extra.is_empty() && brand.extra.is_empty());
}

#[test]
fn every_published_sample_decodes_with_nothing_lost_or_moved() {
    common::walk(&folder(), CHECKS);
}

/// The repo's copy is the shared spec's copy, byte for byte (where the spec is beside us).
#[test]
fn fixtures_are_the_published_copies() {
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/spec/doku-samples/partner");
    if !spec.is_dir() {
        eprintln!("skipped: {} is not here", spec.display());
        return;
    }
    for (name, _) in CHECKS {
        assert_eq!(
            read(name),
            std::fs::read(spec.join(name)).unwrap(),
            "{name} differs from the shared spec's copy"
        );
    }
}
