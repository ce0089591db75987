//! `doku sim`: the simulator, exactly as the `doku-sim` binary runs it, printing ready-to-paste
//! `export` lines of the credentials it accepts (a fresh test merchant when none is given);
//! `doku sim pay`: pays a Checkout order in a running simulator (like DOKU's payment
//! simulator), which then delivers the signed notification; `doku sim pay-va`: pays a SNAP
//! Virtual Account, after which the simulator asks the merchant's token endpoint for a token and
//! delivers the SNAP notification; `doku sim trigger`: a Checkout created and paid in one
//! command ([`super::trigger`]); `doku sim deliveries` and `doku sim resend ID`: the delivery
//! history ([`super::deliveries`]).
//!
//! Both pay commands print the simulator's answer as one JSON line, wait (`--wait`, bounded) for
//! the notification's first delivery attempt and report it on stderr: exit 0 when it was
//! acknowledged; 1 when no notification URL is configured, the delivery failed, or the simulator
//! refuses (unknown, paid or expired, the merchant's inquiry said no); 2 when there is no answer
//! (no simulator at the URL, a timeout).

use std::io::Write as _;
use std::process::ExitCode;

use doku_sim::cli::{BoundArgs, SimArgs};
use doku_sim::{PayRequest, PayStatus, PayVaRequest, Sim};

use super::deliveries::{self, DeliveriesArgs, ResendArgs};
use super::trigger::{self, TriggerArgs};
use crate::sim_pay::PayError;

mod exports;

/// `doku sim [FLAGS]` runs the simulator; `doku sim pay INVOICE` pays an order in one.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct SimCommand {
    /// The simulator's flags (when no subcommand is given).
    #[command(flatten)]
    pub(crate) args: SimArgs,
    /// The simulator's resource bounds (the same flags as `doku-sim`).
    #[command(flatten)]
    pub(crate) bounds: BoundArgs,
    /// What to do instead of running a simulator.
    #[command(subcommand)]
    pub(crate) action: Option<SimAction>,
}

/// Subcommands of `doku sim`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum SimAction {
    /// Pay a Checkout order in a running simulator: moves it to --status and delivers the signed
    /// notification to the simulator's --notification-url (prints the outcome as JSON).
    Pay(PayArgs),
    /// Pay a SNAP Virtual Account in a running simulator: like a customer at the bank (with the
    /// merchant's inquiry first for direct-inquiry banks); the simulator then gets a token from
    /// the merchant's token URL and delivers the signed SNAP notification (prints the outcome
    /// as JSON).
    PayVa(PayVaArgs),
    /// Create a Checkout with a merchant's credentials (DOKU_MERCHANT_ID, DOKU_MERCHANT_KEY),
    /// pay it and wait for its notification's delivery: prints the payment URL and the
    /// delivery's outcome (URL, the receiver's HTTP status, latency, attempt).
    Trigger(TriggerArgs),
    /// The notifications the simulator delivered (oldest first): time, merchant, invoice or VA
    /// number, the receiver's status, latency, attempts, next retry, URL.
    Deliveries(DeliveriesArgs),
    /// Send a delivered (or failed) notification again now, like the retry button of DOKU's
    /// Back Office; prints the attempt's outcome.
    Resend(ResendArgs),
}

/// How long `pay`, `pay-va` and `trigger` wait for the first delivery attempt unless `--wait`
/// says otherwise: longer than one attempt may take (the simulator's 5 s to connect and 10 s for
/// the answer).
pub(crate) const DEFAULT_WAIT_SECONDS: u64 = 20;

/// `--wait`: whole seconds, at most the simulator's limit.
pub(crate) fn wait_seconds(text: &str) -> Result<u64, String> {
    let seconds: u64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number of seconds"))?;
    if seconds > doku_sim::MAX_WAIT_SECONDS {
        return Err(format!(
            "at most {} seconds (the simulator's limit)",
            doku_sim::MAX_WAIT_SECONDS
        ));
    }
    Ok(seconds)
}

/// `doku sim pay-va`.
#[derive(Debug, clap::Args)]
pub(crate) struct PayVaArgs {
    /// The Virtual Account number (partnerServiceId + customerNo; spaces, zeros or no padding:
    /// quote it when it has spaces).
    pub(crate) virtual_account_no: String,
    /// The running simulator, e.g. http://127.0.0.1:8080 (what `doku sim` printed).
    #[arg(long, env = "DOKU_BASE_URL", value_name = "URL")]
    pub(crate) base_url: String,
    /// The merchant (client id), only needed when two merchants have the same number.
    #[arg(long = "merchant", value_name = "CLIENT_ID")]
    pub(crate) merchant: Option<String>,
    /// What the customer pays, e.g. 25000.00 (open and variable amounts only: a closed amount
    /// pays the bill).
    #[arg(long, value_name = "AMOUNT")]
    pub(crate) amount: Option<String>,
    /// Seconds to wait for the notification's first delivery attempt (0: do not wait; at most
    /// 60).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_WAIT_SECONDS, value_parser = wait_seconds)]
    pub(crate) wait: u64,
}

/// `doku sim pay`.
#[derive(Debug, clap::Args)]
pub(crate) struct PayArgs {
    /// The order's invoice number.
    pub(crate) invoice: String,
    /// How the payment ends.
    #[arg(long, value_enum, ignore_case = true, default_value_t = PayStatus::Success)]
    pub(crate) status: PayStatus,
    /// The running simulator, e.g. http://127.0.0.1:8080 (what `doku sim` printed).
    #[arg(long, env = "DOKU_BASE_URL", value_name = "URL")]
    pub(crate) base_url: String,
    /// The merchant (brand id), only needed when two merchants used the same invoice number.
    #[arg(long = "merchant", value_name = "BRAND_ID")]
    pub(crate) merchant: Option<String>,
    /// The channel the customer pays through, e.g. VIRTUAL_ACCOUNT_BCA, QRIS, EMONEY_OVO,
    /// CREDIT_CARD (default: the order's first offered method); the notification and Check
    /// Status carry that channel's blocks.
    #[arg(long, value_name = "METHOD")]
    pub(crate) method: Option<String>,
    /// Seconds to wait for the notification's first delivery attempt (0: do not wait; at most
    /// 60).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_WAIT_SECONDS, value_parser = wait_seconds)]
    pub(crate) wait: u64,
}

/// Runs `doku sim` or one of its subcommands.
pub(crate) async fn run(command: SimCommand) -> Result<ExitCode, String> {
    match command.action {
        Some(SimAction::Pay(pay)) => run_pay(pay).await,
        Some(SimAction::PayVa(pay)) => run_pay_va(pay).await,
        Some(SimAction::Trigger(args)) => trigger::run(args).await,
        Some(SimAction::Deliveries(args)) => deliveries::list(args).await,
        Some(SimAction::Resend(args)) => deliveries::resend(args).await,
        None => run_sim(command.args, command.bounds).await,
    }
}

async fn run_pay(pay: PayArgs) -> Result<ExitCode, String> {
    let mut request = PayRequest::new(pay.invoice).status(pay.status);
    if let Some(merchant) = pay.merchant {
        request = request.client_id(merchant);
    }
    if let Some(method) = pay.method {
        request = request.method(method);
    }
    if pay.wait > 0 {
        request = request.wait_seconds(pay.wait);
    }
    let payment = crate::sim_pay::request_payment(&pay.base_url, &request).await;
    let report = payment.as_ref().ok().map(|p| {
        deliveries::Report::new(
            p.notification_url.as_deref(),
            p.delivery_id,
            p.delivery.as_ref(),
            p.note.as_deref(),
            pay.wait,
        )
    });
    finish(print_outcome(payment)?, report)
}

async fn run_pay_va(pay: PayVaArgs) -> Result<ExitCode, String> {
    let mut request = PayVaRequest::new(pay.virtual_account_no);
    if let Some(merchant) = pay.merchant {
        request = request.client_id(merchant);
    }
    if let Some(amount) = pay.amount {
        request = request.amount(amount);
    }
    if pay.wait > 0 {
        request = request.wait_seconds(pay.wait);
    }
    let payment = crate::sim_pay::request_va_payment(&pay.base_url, &request).await;
    let report = payment.as_ref().ok().map(|p| {
        deliveries::Report::new(
            p.notification_url.as_deref(),
            p.delivery_id,
            p.delivery.as_ref(),
            p.note.as_deref(),
            pay.wait,
        )
    });
    finish(print_outcome(payment)?, report)
}

/// After a payment's answer was printed: its delivery reported on stderr; exit 1 when no
/// notification was sent or its delivery failed.
fn finish(printed: ExitCode, report: Option<deliveries::Report>) -> Result<ExitCode, String> {
    let Some(report) = report else {
        return Ok(printed);
    };
    if report.ok() {
        eprintln!("{}", report.line());
        Ok(printed)
    } else {
        eprintln!("error: {}", report.line());
        Ok(ExitCode::from(1))
    }
}

/// The simulator's answer as one JSON line (escaped: it echoes our input); a refusal on stderr
/// with exit code 1; no answer is an error (exit code 2).
fn print_outcome(outcome: Result<impl serde::Serialize, PayError>) -> Result<ExitCode, String> {
    match outcome {
        Ok(payment) => {
            let line = serde_json::to_string(&payment).map_err(|e| e.to_string())?;
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{}", crate::output::escape_json_text(&line))
                .map_err(|e| format!("cannot write to stdout: {e}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(refused @ PayError::Refused(_)) => {
            eprintln!("error: {}", refused.message());
            Ok(ExitCode::from(1))
        }
        Err(unreachable) => Err(unreachable.message()),
    }
}

/// Runs the simulator until Ctrl-C: `listening on URL` on stdout, then the `export` lines of
/// the credentials it accepts (a fresh test merchant when none is given).
async fn run_sim(mut args: SimArgs, bounds: BoundArgs) -> Result<ExitCode, String> {
    let generated = exports::ensure_credential(&mut args);
    let credentials = exports::credentials(&args);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let config = args
        .into_config()
        .and_then(|c| bounds.apply_to(c))
        .map_err(|e| e.to_string())?;
    let sim = Sim::start(config).await.map_err(|e| e.to_string())?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {}", sim.base_url())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))?;
    // Best effort: a script that read the first line may have closed the pipe already.
    let _ = exports::write(&mut stdout, &credentials, &sim.base_url(), generated)
        .and_then(|()| stdout.flush());
    drop(stdout);
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    sim.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
