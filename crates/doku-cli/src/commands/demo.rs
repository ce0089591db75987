//! `doku demo`: the whole partner onboarding flow, step by step.
//!
//! Without `--env` it starts doku-sim in-process on a free loopback port with fresh demo credentials, so it
//! works on a fresh machine with no account. With `--env uat` (and `DOKU_CLIENT_ID`/`DOKU_SECRET_KEY`) the
//! same flow runs against DOKU. Response signatures are *required*: a step whose answer is unsigned or
//! badly signed fails, so exit code 0 means every step succeeded and every response verified.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use doku_model::{
    BusinessLiteRequest, BusinessRegistrationRequest, ClientId, DocumentCode, FileCategory, FileId,
    FileRef, RequestId, RequirementsQuery, UploadFile,
};
use doku_partner::{CallOptions, Client, Config, Environment, Exchange, ResponseSignatureMode};
use doku_sign::SecretKey;
use doku_sim::{Sim, SimConfig, SimHandle};

use super::client::environment;
use crate::args::DemoArgs;
use crate::credentials;
use crate::output::{chain, report_failure};

const SAMPLE_PNG: &[u8] = include_bytes!("../../samples/document.png");
const SAMPLE_BUSINESS: &str = include_str!("../../samples/business.json");
const SAMPLE_BUSINESS_LITE: &str = include_str!("../../samples/business-lite.json");

/// What the client observed of each HTTP exchange, keyed by Request-Id.
#[derive(Default)]
struct Observed {
    exchanges: Vec<Exchange>,
}

impl Observed {
    /// The last attempt of the call with this Request-Id.
    fn last_for(&self, request_id: &str) -> Option<&Exchange> {
        self.exchanges
            .iter()
            .rev()
            .find(|e| e.request_id == request_id)
    }
}

/// Prints progress and keeps the tally for the summary.
struct Run {
    client: Client,
    observed: Arc<Mutex<Observed>>,
    step: usize,
    started: Instant,
}

impl Run {
    /// Runs one step: a fresh Request-Id, the call, and one progress line.
    async fn step<T, F, Fut>(&mut self, name: &str, call: F) -> Result<T, ExitCode>
    where
        F: FnOnce(Client, CallOptions) -> Fut,
        Fut: std::future::Future<Output = Result<T, doku_partner::Error>>,
    {
        self.step += 1;
        let request_id = RequestId::random();
        let id = request_id.as_str().to_owned();
        let began = Instant::now();
        let result = call(
            self.client.clone(),
            CallOptions::with_request_id(request_id),
        )
        .await;
        let elapsed = began.elapsed();
        let observed = self
            .observed
            .lock()
            .map(|o| o.last_for(&id).cloned())
            .ok()
            .flatten();
        let status = observed
            .as_ref()
            .and_then(|e| e.status)
            .map_or_else(|| "—".to_owned(), |s| s.as_u16().to_string());
        let attempts = observed.as_ref().map_or(1, |e| e.attempt);
        let mark = if result.is_ok() { "ok  " } else { "FAIL" };
        println!(
            "[{}] {mark} {name:<28} request-id {id}  status {status}  {:>7.1} ms{}",
            self.step,
            elapsed.as_secs_f64() * 1000.0,
            if attempts > 1 {
                format!("  ({attempts} attempts)")
            } else {
                String::new()
            }
        );
        result.map_err(|error| report_failure(&error, Some(&self.client)))
    }

    fn verified_responses(&self) -> (usize, usize) {
        let observed = match self.observed.lock() {
            Ok(o) => o,
            Err(poisoned) => poisoned.into_inner(),
        };
        let answered = observed
            .exchanges
            .iter()
            .filter(|e| e.status.is_some())
            .count();
        let verified = observed
            .exchanges
            .iter()
            .filter(|e| e.signature_verified)
            .count();
        (verified, answered)
    }
}

/// Demo credentials for the embedded simulator: random, never printed.
fn demo_credentials() -> (String, SecretKey) {
    let client_id = "BRN-0001-DEMO".to_owned();
    let secret = format!("SK-demo-{}", uuid::Uuid::new_v4());
    (client_id, SecretKey::from(secret))
}

async fn target(
    args: &DemoArgs,
) -> Result<(Environment, String, SecretKey, Option<SimHandle>), String> {
    if let Some(env) = args.env {
        let environment = environment(Some(env), None)?;
        let client_id = credentials::client_id(None)?;
        let secret = credentials::secret_key(args.secret.secret_key_file.as_deref())?;
        return Ok((environment, client_id, secret, None));
    }
    let (client_id, secret) = demo_credentials();
    let config = SimConfig::builder()
        .credential(client_id.clone(), secret.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let sim = Sim::start(config)
        .await
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
    Ok((
        Environment::Custom(sim.base_url()),
        client_id,
        secret,
        Some(sim),
    ))
}

/// Where an uploaded document goes in the registration body.
fn place_document(body: &mut BusinessRegistrationRequest, category: &FileCategory, id: FileId) {
    let file = FileRef { id };
    let business = &mut body.business;
    match category {
        FileCategory::PhotoProof => {
            if let Some(brand) = business.brands.first_mut() {
                brand.photo_proofs.push(file);
                return;
            }
        }
        FileCategory::Logo => {
            if let Some(brand) = business.brands.first_mut() {
                brand.logo = Some(file);
                return;
            }
        }
        FileCategory::OwnerLiveness | FileCategory::Document => {
            if let Some(contact) = business.contacts.first_mut() {
                contact.documents.push(file);
                return;
            }
        }
        _ => {}
    }
    business.documents.push(file);
}

/// The upload for a requirement code: a category (`PHOTO_PROOF`) or a document code under `DOCUMENT` (`KTP`).
fn upload_for(code: &str) -> UploadFile {
    let category = FileCategory::from(code);
    let filename = format!("{}.png", code.to_ascii_lowercase());
    if category.is_unknown() {
        UploadFile::file(
            FileCategory::Document,
            filename,
            "image/png",
            SAMPLE_PNG.to_vec(),
        )
        .with_code(DocumentCode::from(code))
    } else {
        UploadFile::file(category, filename, "image/png", SAMPLE_PNG.to_vec())
    }
}

pub(crate) async fn run(args: DemoArgs) -> Result<ExitCode, String> {
    let (environment, client_id, secret, sim) = target(&args).await?;
    let target_name = match &environment {
        Environment::Custom(url) => format!("embedded doku-sim at {url}"),
        other => format!("DOKU at {}", other.base_url()),
    };
    let observed = Arc::new(Mutex::new(Observed::default()));
    let sink = Arc::clone(&observed);
    let config = Config::builder(client_id.clone(), secret)
        .environment(environment)
        .response_signatures(ResponseSignatureMode::Require)
        .observer(move |exchange: &Exchange| {
            if let Ok(mut o) = sink.lock() {
                o.exchanges.push(exchange.clone());
            }
        })
        .build()
        .map_err(|e| chain(&e, None))?;
    let client = Client::new(config).map_err(|e| chain(&e, None))?;
    println!("doku demo: partner onboarding against {target_name} as {client_id}");
    let mut run = Run {
        client,
        observed,
        step: 0,
        started: Instant::now(),
    };
    let outcome = flow(&mut run).await;
    let (verified, answered) = run.verified_responses();
    let total = run.started.elapsed();
    if let Some(sim) = sim {
        sim.shutdown().await;
    }
    match outcome {
        Ok(summary) => {
            println!();
            println!(
                "summary: all {} steps ok in {} ms",
                run.step,
                total.as_millis()
            );
            println!("  response signatures verified: {verified}/{answered}");
            for line in summary {
                println!("  {line}");
            }
            if verified == answered && answered > 0 {
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("error: not every response signature was verified");
                Ok(ExitCode::from(1))
            }
        }
        Err(code) => {
            println!();
            println!(
                "summary: failed at step {} ({} ms); response signatures verified: {verified}/{answered}",
                run.step,
                total.as_millis()
            );
            Ok(code)
        }
    }
}

async fn flow(run: &mut Run) -> Result<Vec<String>, ExitCode> {
    let mut summary = Vec::new();
    run.step(
        "Generate Token",
        |c, o| async move { c.token_with(o).await },
    )
    .await?;

    let query = RequirementsQuery::personal("ID");
    let requirements = run
        .step("Check Requirements", |c, o| async move {
            c.check_requirements_with(&query, o).await
        })
        .await?;
    let mandatory: Vec<String> = requirements
        .mandatory_codes()
        .into_iter()
        .map(str::to_owned)
        .collect();
    summary.push(format!(
        "mandatory documents for PERSONAL/ID: {}",
        mandatory.join(", ")
    ));

    let mut registration: BusinessRegistrationRequest = serde_json::from_str(SAMPLE_BUSINESS)
        .map_err(|e| {
            eprintln!("error: bundled sample business.json: {e}");
            ExitCode::from(1)
        })?;
    let mut uploaded = Vec::new();
    let upload_started = Instant::now();
    for code in &mandatory {
        let upload = upload_for(code);
        let category = upload.category.clone();
        let response = run
            .step(&format!("Upload File {code}"), |c, o| async move {
                c.upload_file_with(upload, o).await
            })
            .await?;
        uploaded.push(format!("{code} → {}", response.id));
        place_document(&mut registration, &category, response.id);
    }
    summary.push(format!(
        "uploaded {} document(s) in {} ms: {}",
        uploaded.len(),
        upload_started.elapsed().as_millis(),
        uploaded.join(", ")
    ));

    let created = run
        .step("Business Registration", |c, o| async move {
            c.register_business_with(&registration, o).await
        })
        .await?;
    let Some(brand) = created.brand_ids().first().copied() else {
        eprintln!("error: DOKU registered the business but returned no brand id");
        return Err(ExitCode::from(1));
    };
    let brand_id = ClientId::new(brand).map_err(|e| {
        eprintln!("error: DOKU returned an unusable brand id: {e}");
        ExitCode::from(1)
    })?;
    summary.push(format!(
        "registered business {} with brand {}",
        created.business.id, brand_id
    ));

    let data = run
        .step("Get Business Data", |c, o| async move {
            c.get_business_with(&brand_id, o).await
        })
        .await?;
    summary.push(format!(
        "business data: {} brand(s), name {:?}",
        data.brands.len(),
        data.name
    ));

    let mut lite: BusinessLiteRequest =
        serde_json::from_str(SAMPLE_BUSINESS_LITE).map_err(|e| {
            eprintln!("error: bundled sample business-lite.json: {e}");
            ExitCode::from(1)
        })?;
    lite.business.partner_ref_id = uuid::Uuid::new_v4().to_string();
    let invited = run
        .step("Create Business Lite", |c, o| async move {
            c.create_business_lite_with(&lite, o).await
        })
        .await?;
    summary.push(format!("invitation sent: business {}", invited.business.id));
    Ok(summary)
}
