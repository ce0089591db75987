//! TRACE logs of the whole `doku demo` flow, with every step's result also logged with `{:?}`,
//! never contain the secret key or a token.
//!
//! In the `logs` test binary, away from tests that install no subscriber (see its `main.rs`).
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::sync::{Arc, Mutex};

use common::needles::Needles;
use common::*;
use doku_model::Endpoint;
use doku_model::{
    BusinessLiteRequest, BusinessRegistrationRequest, ClientId, RequestId, RequirementsQuery,
    UploadFile,
};
use doku_partner::{Client, Config, Environment, Exchange, ResponseSignatureMode};
use doku_sign::SecretKey;
use doku_sim::{Fault, FaultKind, Sim, SimConfig};

const SAMPLE_PNG: &[u8] = include_bytes!("../../../doku-cli/samples/document.png");
const SAMPLE_BUSINESS: &str = include_str!("../../../doku-cli/samples/business.json");
const SAMPLE_BUSINESS_LITE: &str = include_str!("../../../doku-cli/samples/business-lite.json");

/// `doku demo`'s steps (fresh demo credentials, embedded simulator, response signatures
/// required, an observer), each result logged with `{:?}` as a caller might, all at TRACE.
#[tokio::test]
async fn demo_flow_traced_with_debug_output_leaks_no_secret_or_token() {
    let (capture, _guard) = LogCapture::install_trace();

    let client_id = "BRN-0001-DEMO";
    let secret = format!("SK-demo-{}", uuid::Uuid::new_v4());
    let mut needles = Needles::new(&[&secret]);
    let sim_config = SimConfig::builder()
        .credential(client_id, SecretKey::new(secret.as_str()))
        .build()
        .unwrap();
    tracing::debug!(?sim_config, "starting the simulator");
    let sim = Sim::start(sim_config).await.unwrap();
    let exchanges = Arc::new(Mutex::new(Vec::<Exchange>::new()));
    let sink = exchanges.clone();
    let config = Config::builder(client_id, SecretKey::new(secret.as_str()))
        .environment(Environment::Custom(sim.base_url()))
        .response_signatures(ResponseSignatureMode::Require)
        .observer(move |e: &Exchange| sink.lock().unwrap().push(e.clone()))
        .build()
        .unwrap();
    tracing::debug!(?config, "client configuration");
    let client = Client::new(config).unwrap();
    tracing::debug!(?client, "client");

    let step = RequestId::random;
    let token = client
        .send(Call::new(GenerateToken::new()).request_id(step()))
        .await
        .unwrap()
        .value;
    needles.token(&token.token);
    tracing::info!(?token, "Generate Token");
    tracing::debug!(lifetime = ?client.cached_token_lifetime(), ?client, "token cached");

    let query = RequirementsQuery::personal("ID");
    let requirements = client
        .send(Call::new(&query).request_id(step()))
        .await
        .map(|answer| answer.value);
    tracing::info!(?requirements, "Check Requirements");
    let mandatory: Vec<String> = requirements
        .unwrap()
        .mandatory_codes()
        .into_iter()
        .map(str::to_owned)
        .collect();

    let mut registration: BusinessRegistrationRequest =
        serde_json::from_str(SAMPLE_BUSINESS).unwrap();
    for code in &mandatory {
        let upload = UploadFile::for_requirement(code, "doc.png", "image/png", SAMPLE_PNG);
        let uploaded = client
            .send(Call::new(upload.clone()).request_id(step()))
            .await
            .map(|answer| answer.value);
        tracing::info!(?uploaded, code, "Upload File");
        registration.attach(&upload, uploaded.unwrap().id);
    }
    let created = client
        .send(Call::new(&registration).request_id(step()))
        .await
        .map(|answer| answer.value);
    tracing::info!(?created, "Business Registration");
    let created = created.unwrap();
    let brand = ClientId::new(created.brand_ids()[0].to_owned()).unwrap();
    let data = client
        .send(Call::new(GetBusiness::new(&brand)).request_id(step()))
        .await
        .map(|answer| answer.value);
    tracing::info!(?data, "Get Business Data");
    assert_eq!(data.unwrap().name, registration.business.name);
    let mut lite: BusinessLiteRequest = serde_json::from_str(SAMPLE_BUSINESS_LITE).unwrap();
    lite.business.partner_ref_id = uuid::Uuid::new_v4().to_string();
    let invited = client
        .send(Call::new(&lite).request_id(step()))
        .await
        .map(|answer| answer.value);
    tracing::info!(?invited, "Create Business Lite");
    invited.unwrap();

    // A failing step too, as the demo reports failures: the token refused twice.
    sim.set_fault(
        Endpoint::GetBusinessData,
        Fault::always(FaultKind::ExpireToken),
    );
    let refused = client
        .send(Call::new(GetBusiness::new(&brand)).request_id(step()))
        .await
        .map(|answer| answer.value);
    tracing::warn!(?refused, "Get Business Data with the token refused");
    if let Err(e) = &refused {
        tracing::warn!(error = %e, "step failed");
    }
    sim.clear_faults();
    // The token the client fetched when the first one was refused.
    let latest = client.send(GenerateToken::new()).await.unwrap().value;
    needles.token(&latest.token);

    let exchanges = exchanges.lock().unwrap().clone();
    tracing::debug!(?exchanges, stats = ?sim.stats(), ?sim, "run summary");
    assert!(
        exchanges
            .iter()
            .filter(|e| e.status.is_some())
            .all(|e| { e.signature_verified || e.status.is_some_and(|s| s.as_u16() == 401) }),
        "every answer verified (Require mode): {exchanges:#?}"
    );
    sim.shutdown().await;

    let logs = capture.text_with_call_spans();
    assert!(
        logs.contains("TokenResponse"),
        "the Debug lines are captured"
    );
    assert!(logs.contains("SecretKey(***)") || logs.contains("secret_key: \"***\""));
    needles.check("the TRACE logs of the demo flow", &logs);
}
