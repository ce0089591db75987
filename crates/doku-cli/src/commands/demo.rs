//! `doku demo`: the whole partner onboarding flow, step by step, then the new merchant's first
//! payment.
//!
//! Without `--env` it starts doku-sim in-process on a free loopback port with fresh demo credentials, so it
//! works on a fresh machine with no account. After onboarding, the brand DOKU created takes a payment
//! with its own credentials (Checkout), the simulator pays it and delivers a signed notification to an
//! embedded receiver that verifies it, and Check Status shows `SUCCESS`. Then the SNAP half: the
//! merchant registers its SNAP public key with the simulator (a key pair shipped for the demo,
//! **test-only**: `samples/snap-demo-merchant-*.TEST-ONLY.pem`), creates a Virtual Account, the
//! simulator pays it — asking the embedded receiver's token endpoint for a token (DOKU's RSA
//! signature verified with DOKU's public key, our JWT issued) and delivering the SNAP
//! notification (our bearer and the HMAC-SHA512 verified, acknowledged `2002500`) — and Check
//! Status VA shows it paid. Against DOKU (`--env`) the payment and SNAP halves are skipped:
//! paying needs DOKU's payment simulator and a public notification URL. With `--env uat` (and
//! `DOKU_CLIENT_ID`/`DOKU_SECRET_KEY`) the onboarding runs against DOKU. Non-SNAP response
//! signatures are *required*: a step whose answer is unsigned or badly signed fails, so exit
//! code 0 means every step succeeded, every Non-SNAP response verified and every notification
//! verified. (SNAP answers carry no signature: the B2B token authenticates the calls.)

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use doku_model::snap::{
    CheckStatusVaRequest, CreateVaRequest, CustomerNo, PartnerServiceId, SnapAmount, VaChannel,
    VirtualAccountData,
};
use doku_model::{
    BusinessData, BusinessLiteRequest, BusinessRegistrationRequest, CheckoutRequest, ClientId,
    RequestId, RequirementsQuery, Scheme, TransactionStatus, UploadFile,
};
use doku_partner::{
    Answer, Call, CheckStatus, Client, Config, Environment, Exchange, ExternalId, GenerateToken,
    GetBusiness, Merchant, ResponseSignatureMode, SnapCall, SnapKeys,
};
use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::SecretKey;
use doku_sim::{PayRequest, PayVaRequest, Sim, SimConfig, SimHandle, SnapMerchant};
use tokio::net::TcpListener;
use tokio::sync::mpsc::Receiver;

use super::client::environment;
use super::listen::{self, snap::DEFAULT_NOTIFICATION_PATH as SNAP_NOTIFICATION_PATH};
use super::listen::{snap::DEFAULT_TOKEN_PATH as SNAP_TOKEN_PATH, Keys, Received, SnapRoutes};
use crate::args::DemoArgs;
use crate::credentials;
use crate::output::{chain, report_failure};

/// The path of the demo merchant's notification URL (what DOKU signs as `Request-Target`).
const NOTIFICATION_PATH: &str = "/payments/notifications";
/// How long the demo waits for the simulator's notification.
const NOTIFICATION_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The demo merchant's SNAP private key. **TEST-ONLY**: shipped in this crate so the demo needs
/// no key generation (slow in debug builds); its private half is public, so it must never be
/// registered with DOKU.
const DEMO_SNAP_PRIVATE_PEM: &str =
    include_str!("../../samples/snap-demo-merchant-private.TEST-ONLY.pem");
/// The public half of [`DEMO_SNAP_PRIVATE_PEM`]: what the merchant registers with the simulator.
const DEMO_SNAP_PUBLIC_PEM: &str =
    include_str!("../../samples/snap-demo-merchant-public.TEST-ONLY.pem");
/// The demo Virtual Account's partnerServiceId (a BIN; the simulator accepts any).
const DEMO_PARTNER_SERVICE_ID: &str = "88899";

/// The embedded simulator and the notification receiver's socket, for the payment half.
struct Embedded {
    sim: SimHandle,
    receiver: TcpListener,
}

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
    /// Runs one step: a fresh Request-Id, the call, and one progress line; the answer's value.
    async fn step<T, F, Fut>(&mut self, name: &str, call: F) -> Result<T, ExitCode>
    where
        F: FnOnce(Client, RequestId) -> Fut,
        Fut: std::future::Future<Output = Result<Answer<T>, doku_partner::Error>>,
    {
        self.step += 1;
        let request_id = RequestId::random();
        let id = request_id.as_str().to_owned();
        let began = Instant::now();
        let result = call(self.client.clone(), request_id).await;
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
        // The answer counts its attempts; a failed call's come from the observer.
        let attempts = match &result {
            Ok(answer) => answer.attempts,
            Err(_) => observed.as_ref().map_or(1, |e| e.attempt),
        };
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
        result
            .map(|answer| answer.value)
            .map_err(|error| report_failure(&error, Some(&self.client)))
    }

    /// Runs one SNAP step: a fresh `X-EXTERNAL-ID`, the call, and one progress line; the
    /// answer's value.
    async fn snap_step<T, F, Fut>(&mut self, name: &str, call: F) -> Result<T, ExitCode>
    where
        F: FnOnce(ExternalId) -> Fut,
        Fut: std::future::Future<Output = Result<Answer<T>, doku_partner::Error>>,
    {
        self.step += 1;
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let external_id = ExternalId::generate(millis);
        let id = external_id.as_str().to_owned();
        let began = Instant::now();
        let result = call(external_id).await;
        let elapsed = began.elapsed();
        let status = self
            .observed
            .lock()
            .ok()
            .and_then(|o| o.last_for(&id).and_then(|e| e.status))
            .map_or_else(|| "—".to_owned(), |s| s.as_u16().to_string());
        let mark = if result.is_ok() { "ok  " } else { "FAIL" };
        println!(
            "[{}] {mark} {name:<28} external-id {id}  status {status}  {:>7.1} ms",
            self.step,
            elapsed.as_secs_f64() * 1000.0,
        );
        result
            .map(|answer| answer.value)
            .map_err(|error| report_failure(&error, Some(&self.client)))
    }

    /// (verified, answered) Non-SNAP responses: SNAP answers carry no signature.
    fn verified_responses(&self) -> (usize, usize) {
        let observed = match self.observed.lock() {
            Ok(o) => o,
            Err(poisoned) => poisoned.into_inner(),
        };
        let signed = || {
            observed
                .exchanges
                .iter()
                .filter(|e| e.endpoint.scheme() == Scheme::NonSnap)
        };
        let answered = signed().filter(|e| e.status.is_some()).count();
        let verified = signed().filter(|e| e.signature_verified).count();
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
) -> Result<(Environment, String, SecretKey, Option<Embedded>), String> {
    if let Some(env) = args.env {
        let environment = environment(Some(env), None)?;
        let client_id = credentials::client_id(None)?;
        let secret = credentials::secret_key(args.secret.secret_key_file.as_deref())?;
        return Ok((environment, client_id, secret, None));
    }
    let (client_id, secret) = demo_credentials();
    // The merchant's notification receiver listens first: its URL is the simulator's Back
    // Office setting.
    let receiver = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("cannot listen for notifications: {e}"))?;
    let receiver_addr = receiver
        .local_addr()
        .map_err(|e| format!("cannot read the receiver's address: {e}"))?;
    let config = SimConfig::builder()
        .credential(client_id.clone(), secret.clone())
        .notification_url(format!("http://{receiver_addr}{NOTIFICATION_PATH}"))
        .build()
        .map_err(|e| e.to_string())?;
    let sim = Sim::start(config)
        .await
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
    Ok((
        Environment::Custom(sim.base_url()),
        client_id,
        secret,
        Some(Embedded { sim, receiver }),
    ))
}

/// The upload for a requirement code, named after it (`ktp.png`): the bundled sample image.
fn upload_for(code: &str) -> UploadFile {
    let filename = format!("{}.png", code.to_ascii_lowercase());
    UploadFile::for_requirement(code, filename, "image/png", SAMPLE_PNG)
}

pub(crate) async fn run(args: DemoArgs) -> Result<ExitCode, String> {
    let (environment, client_id, secret, embedded) = target(&args).await?;
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
    let mut outcome = flow(&mut run).await;
    let mut sim = None;
    if let Some(Embedded {
        sim: handle,
        receiver,
    }) = embedded
    {
        if let Ok((summary, data)) = &mut outcome {
            match payment(&mut run, &handle, receiver, data).await {
                Ok(lines) => summary.extend(lines),
                Err(code) => outcome = Err(code),
            }
        }
        sim = Some(handle);
    } else if let Ok((summary, _)) = &mut outcome {
        summary.push(
            "payment and SNAP halves skipped against DOKU: they need DOKU's payment simulator and a public notification URL"
                .to_owned(),
        );
    }
    let outcome = outcome.map(|(summary, _)| summary);
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

/// The onboarding steps; the summary lines and the registered business's data.
async fn flow(run: &mut Run) -> Result<(Vec<String>, BusinessData), ExitCode> {
    let mut summary = Vec::new();
    run.step("Generate Token", |c, id| async move {
        c.send(Call::new(GenerateToken::new()).request_id(id)).await
    })
    .await?;

    let query = RequirementsQuery::personal("ID");
    let requirements = run
        .step("Check Requirements", |c, id| async move {
            c.send(Call::new(&query).request_id(id)).await
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
        let request = upload.clone();
        let response = run
            .step(&format!("Upload File {code}"), |c, id| async move {
                c.send(Call::new(request).request_id(id)).await
            })
            .await?;
        uploaded.push(format!("{code} → {}", response.id));
        registration.attach(&upload, response.id);
    }
    summary.push(format!(
        "uploaded {} document(s) in {} ms: {}",
        uploaded.len(),
        upload_started.elapsed().as_millis(),
        uploaded.join(", ")
    ));

    let created = run
        .step("Business Registration", |c, id| async move {
            c.send(Call::new(&registration).request_id(id)).await
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
        .step("Get Business Data", |c, id| async move {
            c.send(Call::new(GetBusiness::new(&brand_id)).request_id(id))
                .await
        })
        .await?;
    summary.push(format!(
        "business data: {} brand(s), name {:?}",
        data.brands.len(),
        data.name
    ));
    let brand_data = data;

    let mut lite: BusinessLiteRequest =
        serde_json::from_str(SAMPLE_BUSINESS_LITE).map_err(|e| {
            eprintln!("error: bundled sample business-lite.json: {e}");
            ExitCode::from(1)
        })?;
    lite.business.partner_ref_id = uuid::Uuid::new_v4().to_string();
    let invited = run
        .step("Create Business Lite", |c, id| async move {
            c.send(Call::new(&lite).request_id(id)).await
        })
        .await?;
    summary.push(format!("invitation sent: business {}", invited.business.id));
    Ok((summary, brand_data))
}

/// The new merchant's first payment: Checkout with the brand's own credentials, the simulator
/// pays, the embedded receiver verifies DOKU's notification, Check Status shows SUCCESS.
async fn payment(
    run: &mut Run,
    sim: &SimHandle,
    receiver: TcpListener,
    data: &BusinessData,
) -> Result<Vec<String>, ExitCode> {
    let fail = |message: String| {
        eprintln!("error: {message}");
        ExitCode::from(1)
    };
    let Some(brand) = data.brands.first() else {
        return Err(fail("Get Business Data listed no brand".to_owned()));
    };
    let merchant = run
        .client
        .merchant_from_brand(brand)
        .map_err(|e| report_failure(&e, Some(&run.client)))?;
    let key = brand
        .shared_key
        .as_ref()
        .map(|k| SecretKey::new(k.expose()))
        .ok_or_else(|| fail("the brand has no shared_key".to_owned()))?;
    let keys: Keys = [(brand.id.clone(), key)].into_iter().collect();
    let receiver_addr = receiver
        .local_addr()
        .map_err(|e| fail(format!("cannot read the receiver's address: {e}")))?;
    // The receiver's SNAP routes: DOKU's public key (the simulator's, as a merchant downloads it
    // from DOKU's Back Office) verifies the token requests; the demo key signs our tokens.
    let doku_public_key = PublicKey::from_pem(&sim.doku_public_key_pem())
        .map_err(|e| fail(format!("the simulator's DOKU public key: {e}")))?;
    let demo_key = PrivateKey::from_pem(DEMO_SNAP_PRIVATE_PEM)
        .map_err(|e| fail(format!("the shipped demo SNAP key: {e}")))?;
    let snap = SnapRoutes::new(
        doku_public_key,
        demo_key.clone(),
        &keys,
        None,
        doku_model::snap::AckCode::PaymentNotification,
        SNAP_TOKEN_PATH,
        SNAP_NOTIFICATION_PATH,
    );
    let (sink, mut notifications) = tokio::sync::mpsc::channel(4);
    let server = tokio::spawn(listen::serve(
        receiver,
        listen::Shared::to_channel(keys, NOTIFICATION_PATH, Some(snap), sink),
    ));

    let invoice = format!(
        "INV-DEMO-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let request = CheckoutRequest::new(150_000, invoice.clone()).due_in_minutes(60);
    let m = merchant.clone();
    let created = run
        .step("Checkout (merchant)", move |_, id| async move {
            m.send(Call::new(&request).request_id(id)).await
        })
        .await;
    let outcome = async {
        let created = created?;
        let mut lines = vec![format!(
            "merchant {} created invoice {invoice}: {}",
            brand.id,
            created.payment_url()
        )];

        run.step += 1;
        let paid = sim
            .pay(&PayRequest::new(invoice.as_str()).client_id(brand.id.as_str()))
            .map_err(|e| fail(format!("the simulator could not pay {invoice}: {e}")))?;
        println!(
            "[{}] ok   Simulator pays the order     invoice {invoice}  → {}",
            run.step,
            paid.notification_url
                .as_deref()
                .unwrap_or("no notification URL")
        );

        run.step += 1;
        let verified = next_checkout(&mut notifications).await.ok_or_else(|| {
            println!("[{}] FAIL Notification received", run.step);
            fail(format!(
                "no verified notification within {NOTIFICATION_WAIT:?}"
            ))
        })?;
        println!(
            "[{}] ok   Notification verified        request-id {}  status {}  dedup {}",
            run.step,
            verified.request_id,
            verified.status().as_str(),
            verified.dedup_key()
        );
        lines.push(format!(
            "notification verified with the brand's shared key: {} is {}{}",
            verified.notification.order.invoice_number,
            verified.status().as_str(),
            if verified.is_final() { " (final)" } else { "" }
        ));

        let m = merchant.clone();
        let invoice_number = invoice.clone();
        let status = run
            .step("Check Status (merchant)", move |_, id| async move {
                m.send(Call::new(CheckStatus::new(&invoice_number)).request_id(id))
                    .await
            })
            .await?;
        if status.transaction.status != TransactionStatus::Success {
            return Err(fail(format!(
                "Check Status says {} for {invoice}, not SUCCESS",
                status.transaction.status.as_str()
            )));
        }
        lines.push(format!("check status: {invoice} is SUCCESS"));
        let snap_merchant = merchant.clone().with_snap(SnapKeys::new(demo_key));
        let snap_lines =
            snap_half(run, sim, &snap_merchant, receiver_addr, &mut notifications).await?;
        lines.extend(snap_lines);
        Ok(lines)
    }
    .await;
    server.abort();
    outcome
}

/// The next verified Checkout notification, within [`NOTIFICATION_WAIT`].
async fn next_checkout(
    notifications: &mut Receiver<Received>,
) -> Option<Box<doku_partner::Verified>> {
    let wait = async {
        while let Some(received) = notifications.recv().await {
            if let Received::NonSnap(verified) = received {
                return Some(verified);
            }
        }
        None
    };
    tokio::time::timeout(NOTIFICATION_WAIT, wait)
        .await
        .ok()
        .flatten()
}

/// The next verified SNAP notification, within [`NOTIFICATION_WAIT`].
async fn next_snap(notifications: &mut Receiver<Received>) -> Option<Box<listen::SnapReceived>> {
    let wait = async {
        while let Some(received) = notifications.recv().await {
            if let Received::Snap(received) = received {
                return Some(received);
            }
        }
        None
    };
    tokio::time::timeout(NOTIFICATION_WAIT, wait)
        .await
        .ok()
        .flatten()
}

/// The SNAP half: the merchant registers its (demo) public key and its token and notification
/// URLs (the embedded receiver), creates a Virtual Account, the simulator pays it and delivers
/// the SNAP notification, the receiver verifies and acknowledges it, and Check Status VA shows
/// it paid.
async fn snap_half(
    run: &mut Run,
    sim: &SimHandle,
    merchant: &Merchant,
    receiver: std::net::SocketAddr,
    notifications: &mut Receiver<Received>,
) -> Result<Vec<String>, ExitCode> {
    let fail = |message: String| {
        eprintln!("error: {message}");
        ExitCode::from(1)
    };
    let client_id = merchant.brand_id().as_str().to_owned();
    run.step += 1;
    let registration = SnapMerchant::new(client_id.as_str(), DEMO_SNAP_PUBLIC_PEM)
        .token_url(format!("http://{receiver}{SNAP_TOKEN_PATH}"))
        .notification_url(format!("http://{receiver}{SNAP_NOTIFICATION_PATH}"));
    sim.register_snap_merchant(registration).map_err(|e| {
        println!("[{}] FAIL Register SNAP public key", run.step);
        fail(format!("the simulator refused the SNAP registration: {e}"))
    })?;
    println!(
        "[{}] ok   Register SNAP public key     client-id {client_id}  (the demo's TEST-ONLY key pair)",
        run.step
    );

    let partner_service_id = PartnerServiceId::from_digits(DEMO_PARTNER_SERVICE_ID)
        .map_err(|e| fail(format!("demo partnerServiceId: {e}")))?;
    let digits = uuid::Uuid::new_v4().as_u128() % 10u128.pow(12);
    let customer_no = CustomerNo::new(&format!("{digits:012}"))
        .map_err(|e| fail(format!("demo customerNo: {e}")))?;
    let trx_id = format!("VA-DEMO-{digits:012}");
    let expires = super::now_unix_seconds() + 3600;
    let data = VirtualAccountData::new(
        partner_service_id.clone(),
        customer_no.clone(),
        "Demo Customer",
        trx_id.clone(),
        SnapAmount::idr(75_000),
        VaChannel::BankMandiri,
    );
    let create = CreateVaRequest::new(data, doku_sign::timestamp::format_offset(expires, 7 * 60));
    let m = merchant.clone();
    let created = run
        .snap_step("Create VA (SNAP)", move |id| async move {
            m.send_snap(SnapCall::new(&create).external_id(id)).await
        })
        .await?;
    let va_number = created
        .virtual_account_data
        .as_ref()
        .map_or_else(String::new, |d| d.virtual_account_no.as_str().to_owned());
    let mut lines = vec![format!(
        "SNAP: {client_id} created Virtual Account {:?} for {trx_id} (IDR 75000, {})",
        va_number.trim(),
        created.response_code.as_str()
    )];

    run.step += 1;
    let paid = sim
        .pay_va(&PayVaRequest::new(va_number.as_str()).client_id(client_id.as_str()))
        .await
        .map_err(|e| {
            println!("[{}] FAIL Simulator pays the VA", run.step);
            fail(format!("the simulator could not pay {va_number:?}: {e}"))
        })?;
    println!(
        "[{}] ok   Simulator pays the VA        payment-request-id {}  → {}",
        run.step,
        paid.payment_request_id,
        paid.notification_url
            .as_deref()
            .unwrap_or("no notification URL")
    );

    run.step += 1;
    let received = next_snap(notifications).await.ok_or_else(|| {
        println!("[{}] FAIL SNAP notification verified", run.step);
        fail(format!(
            "no verified SNAP notification within {NOTIFICATION_WAIT:?}"
        ))
    })?;
    let delivery = &received.verified.delivery;
    println!(
        "[{}] ok   SNAP notification verified   external-id {}  bearer ours, HMAC over {} body  ack {}",
        run.step,
        delivery.external_id.as_deref().unwrap_or("—"),
        listen::snap::signed_form(delivery.signed_form),
        received.ack.response_code().as_str()
    );
    let notified = &received.verified.notification;
    if notified.payment_request_id.as_deref() != Some(paid.payment_request_id.as_str()) {
        return Err(fail(format!(
            "the SNAP notification is for payment {:?}, not {}",
            notified.payment_request_id, paid.payment_request_id
        )));
    }
    lines.push(format!(
        "SNAP notification verified (DOKU's token request with DOKU's public key, our bearer, \
         the HMAC-SHA512 with the client secret): {} paid {}, acknowledged {}",
        notified.virtual_account_no.as_str().trim(),
        notified
            .paid_amount
            .as_ref()
            .map_or("?", |a| a.value.as_str()),
        received.ack.response_code().as_str()
    ));

    let status_request = CheckStatusVaRequest::new(partner_service_id, customer_no)
        .payment_request_id(paid.payment_request_id.clone());
    let m = merchant.clone();
    let status = run
        .snap_step("Check Status VA (SNAP)", move |id| async move {
            m.send_snap(SnapCall::new(&status_request).external_id(id))
                .await
        })
        .await?;
    let data = status.virtual_account_data.as_ref();
    let paid_amount = data
        .and_then(|d| d.paid_amount.as_ref())
        .map_or("0.00", |a| a.value.as_str());
    let reason = data
        .and_then(|d| d.payment_flag_reason.as_ref())
        .and_then(|r| r.english.as_deref())
        .unwrap_or("");
    if paid_amount != "75000.00" || reason != "Success" {
        return Err(fail(format!(
            "Check Status VA says {reason:?} with {paid_amount} paid, not Success with 75000.00"
        )));
    }
    lines.push(format!(
        "SNAP check status: {} is paid ({paid_amount}, {reason})",
        va_number.trim()
    ));
    Ok(lines)
}
