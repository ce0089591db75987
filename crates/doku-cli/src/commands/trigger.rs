//! `doku sim trigger`: a whole payment against a running simulator in one command — a Checkout
//! created with the merchant's own credentials (signed, as DOKU sees it), paid through the
//! simulator's trigger, and its notification's first delivery attempt waited for (bounded) and
//! reported: the URL, the receiver's HTTP status, the latency and the attempt number.
//!
//! Exit codes: 0 when the receiver acknowledged the notification; 1 when the Checkout or the
//! payment was refused, no Notification URL is configured, or the delivery failed; 2 for a local
//! problem (no credentials, bad flags) or no simulator at the URL.

use std::path::PathBuf;
use std::process::ExitCode;

use doku_model::{CheckoutRequest, ClientId, PaymentMethod};
use doku_partner::Environment;
use doku_sim::{PayRequest, PayStatus};

use super::client::client;
use super::deliveries::Report;
use super::sim::{wait_seconds, DEFAULT_WAIT_SECONDS};
use crate::credentials::{self, MERCHANT_ID_ENV, MERCHANT_KEY_ENV};
use crate::output::{escape, report_failure};

/// `doku sim trigger`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Needs the merchant's DOKU_MERCHANT_ID and DOKU_MERCHANT_KEY (what `doku sim` \
prints) and a simulator started with --notification-url. Exit codes: 0 delivered; 1 the \
Checkout or payment refused, no notification URL, or the delivery failed; 2 no simulator at the \
URL or a local problem."
)]
pub(crate) struct TriggerArgs {
    /// The running simulator, e.g. http://127.0.0.1:8080 (what `doku sim` printed).
    #[arg(long, env = "DOKU_BASE_URL", value_name = "URL")]
    pub(crate) base_url: String,
    /// Amount in whole rupiah.
    #[arg(long, value_name = "IDR", default_value_t = 20_000)]
    pub(crate) amount: u64,
    /// The invoice number (default: a fresh INV-TRIGGER-…).
    #[arg(long, value_name = "INVOICE")]
    pub(crate) invoice: Option<String>,
    /// The channel the Checkout offers and the customer pays through, e.g. VIRTUAL_ACCOUNT_BCA,
    /// QRIS, EMONEY_OVO (default: every method offered, the first one paid with).
    #[arg(long, value_name = "METHOD")]
    pub(crate) method: Option<String>,
    /// How the payment ends.
    #[arg(long, value_enum, ignore_case = true, default_value_t = PayStatus::Success)]
    pub(crate) status: PayStatus,
    /// Seconds to wait for the notification's first delivery attempt (at most 60).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_WAIT_SECONDS, value_parser = wait_seconds)]
    pub(crate) wait: u64,
    /// Read the merchant's shared key from this file instead of DOKU_MERCHANT_KEY.
    #[arg(long, value_name = "FILE")]
    pub(crate) merchant_key_file: Option<PathBuf>,
}

/// Creates the Checkout, pays it and reports the delivery (see the module's documentation).
pub(crate) async fn run(args: TriggerArgs) -> Result<ExitCode, String> {
    let id = credentials::merchant_id()?;
    let brand = ClientId::new(id.clone()).map_err(|e| format!("{MERCHANT_ID_ENV}: {e}"))?;
    let key = credentials::merchant_key(args.merchant_key_file.as_deref(), MERCHANT_KEY_ENV)?;
    crate::sim_pay::check_base_url(&args.base_url)?;
    let environment = Environment::Custom(args.base_url.trim_end_matches('/').to_owned());
    let client = client(environment, None, None, id.clone(), key.clone())?;
    let merchant = client.merchant(brand, key);
    let invoice = args.invoice.clone().unwrap_or_else(|| {
        let fresh = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
        format!("INV-TRIGGER-{}", &fresh[..12])
    });
    let mut order = CheckoutRequest::new(args.amount, invoice.clone());
    if let Some(method) = &args.method {
        order = order.methods([PaymentMethod::from(method.as_str())]);
    }
    let created = match merchant.send(&order).await {
        Ok(created) => created,
        Err(error) => return Ok(report_failure(&error, Some(&client))),
    };
    let clean = |text: &str| escape(&client.redact(text), false);
    println!(
        "invoice: {}",
        clean(&created.value.response.order.invoice_number)
    );
    println!("payment_url: {}", clean(created.value.payment_url()));

    let mut pay = PayRequest::new(invoice).client_id(id).status(args.status);
    if let Some(method) = args.method {
        pay = pay.method(method);
    }
    if args.wait > 0 {
        pay = pay.wait_seconds(args.wait);
    }
    let payment = match crate::sim_pay::request_payment(&args.base_url, &pay).await {
        Ok(payment) => payment,
        Err(refused @ crate::sim_pay::PayError::Refused(_)) => {
            eprintln!("error: {}", refused.message());
            return Ok(ExitCode::from(1));
        }
        Err(unreachable) => return Err(unreachable.message()),
    };
    let status = serde_json::to_value(payment.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    println!("status: {}", escape(&status, false));
    let report = Report::new(
        payment.notification_url.as_deref(),
        payment.delivery_id,
        payment.delivery.as_ref(),
        payment.note.as_deref(),
        args.wait,
    );
    println!("{}", report.line());
    if report.ok() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: the notification was not delivered (see above)");
        Ok(ExitCode::from(1))
    }
}
