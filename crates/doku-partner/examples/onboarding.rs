//! The whole Partner API onboarding flow against an in-process doku-sim on loopback:
//! token → requirements → upload every mandatory document → register → read back → lite invite.
//!
//! ```sh
//! cargo run -p doku-partner --example onboarding
//! RUST_LOG=doku_partner=debug cargo run -p doku-partner --example onboarding   # with call logs
//! ```
//!
//! Against DOKU's UAT host, drop the simulator and use `Environment::Uat` with your own
//! Client-Id and secret key (read from the environment, never hard-coded).

use doku_model::Endpoint;
use doku_model::{
    BusinessLiteRequest, BusinessRegistrationRequest, ClientId, DocumentCode, FileCategory, FileId,
    RequirementsQuery, UploadFile,
};
use doku_partner::{
    Client, Config, Environment, GenerateToken, GetBusiness, ResponseSignatureMode,
};
use doku_sign::SecretKey;
use doku_sim::{Fault, FaultKind, Sim, SimConfig};

const CLIENT_ID: &str = "BRN-0001-10791114622547";
const SECRET: &str = "SK-EXAMPLE-ONLY";

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        let mut source = e.source();
        while let Some(s) = source {
            eprintln!("  caused by: {s}");
            source = s.source();
        }
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sim = Sim::start(
        SimConfig::builder()
            .credential(CLIENT_ID, SecretKey::new(SECRET))
            .build()?,
    )
    .await?;
    println!("simulator listening on {}", sim.base_url());

    let client = Client::new(
        Config::builder(CLIENT_ID, SecretKey::new(SECRET))
            .environment(Environment::Custom(sim.base_url()))
            .response_signatures(ResponseSignatureMode::Require)
            .build()?,
    )?;

    // 0. A token (optional: every call fetches and caches one as needed).
    client.send(GenerateToken::new()).await?;
    println!("0. token cached until {:?}", client.cached_token_lifetime());

    // 1. What does a personal business of an Indonesian owner need?
    let requirements = client.send(&RequirementsQuery::personal("ID")).await?.value;
    let mandatory = requirements.mandatory_codes();
    println!("1. mandatory documents: {mandatory:?}");

    // 2. Upload each mandatory document.
    let mut file_ids: Vec<FileId> = Vec::new();
    for code in mandatory {
        let upload = match code {
            "KTP" => document(FileCategory::Document).with_code(DocumentCode::Ktp),
            "OWNER_LIVENESS" => document(FileCategory::OwnerLiveness),
            "PHOTO_PROOF" => document(FileCategory::PhotoProof),
            other => return Err(format!("this example cannot supply {other}").into()),
        };
        let uploaded = client.send(upload).await?.value;
        println!("2. uploaded {code} as {}", uploaded.id);
        file_ids.push(uploaded.id);
    }

    // 3a. Register. The simulator drops the connection after processing the first attempt;
    // the client retries with the same Request-Id and DOKU's 409 replay is the success.
    sim.set_fault(
        Endpoint::BusinessRegistration,
        Fault::once(FaultKind::ProcessThenDrop),
    );
    let created = client.send(&registration(&file_ids)?).await?.value;
    println!(
        "3a. registered business {} (brand {}); registrations recorded: {}",
        created.business.id,
        created.brand_ids()[0],
        sim.stats().registrations
    );

    // 4. Read it back.
    let brand = ClientId::new(created.brand_ids()[0].to_owned())?;
    let data = client.send(GetBusiness::new(&brand)).await?.value;
    println!(
        "4. {} — {} brand(s), risk status {:?}",
        data.name,
        data.brands.len(),
        data.brands
            .first()
            .and_then(|b| b.risk_engine_status.as_deref())
    );

    // 3b. Or invite a business to finish registration in the DOKU Dashboard.
    let invited = client.send(&lite()?).await?.value;
    println!("3b. invited business {}", invited.business.id);

    let stats = sim.stats();
    println!(
        "simulator saw {} requests, issued {} token(s), answered {} replay(s)",
        stats.total_requests,
        stats.tokens_for(CLIENT_ID),
        stats.replays
    );
    sim.shutdown().await;
    Ok(())
}

fn document(category: FileCategory) -> UploadFile {
    UploadFile::file(
        category,
        "document.png",
        "image/png",
        b"\x89PNG\r\n\x1a\n demo".to_vec(),
    )
}

fn registration(file_ids: &[FileId]) -> Result<BusinessRegistrationRequest, serde_json::Error> {
    let documents: Vec<_> = file_ids
        .iter()
        .map(|id| serde_json::json!({ "id": id }))
        .collect();
    serde_json::from_value(serde_json::json!({"business": {
        "type": "PERSONAL", "legal_entity": "PERSEORANGAN", "name": "Toko Maju",
        "email": "owner@example.com", "phone_calling_code": "62", "phone_number": "81234567890",
        "brands": [{"name": "Toko Maju", "description": "Groceries", "category": "RETAIL"}],
        "addresses": [{"area": "17133 - Kali Baru - Medan Satria - Bekasi - Jawa Barat",
                       "country": "ID", "name": "Jl. Gatot Subroto 20", "is_primary": true}],
        "contacts": [{"name": "Budi", "email": "budi@example.com", "phone_calling_code": "62",
                      "phone_number": "81234567890", "nationality": "ID", "documents": documents}]
    }}))
}

fn lite() -> Result<BusinessLiteRequest, serde_json::Error> {
    serde_json::from_value(serde_json::json!({
        "business": {"partner_ref_id": uuid::Uuid::new_v4().to_string(), "name": "Toko Lite",
            "contact": {"name": "Siti", "email": "siti@example.com", "phone_calling_code": "62",
                        "phone_number": "81298765432"}},
        "invited_user": {"email": "siti@example.com"}
    }))
}
