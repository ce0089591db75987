//! `doku sim`: the simulator, exactly as the `doku-sim` binary runs it; `doku sim pay`: pays a
//! Checkout order in a running simulator (like DOKU's payment simulator), which then delivers
//! the signed notification.

use std::io::Write as _;
use std::process::ExitCode;

use doku_sim::cli::{BoundArgs, SimArgs};
use doku_sim::{PayRequest, PayStatus, Sim};

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
}

pub(crate) async fn run(command: SimCommand) -> Result<ExitCode, String> {
    match command.action {
        Some(SimAction::Pay(pay)) => run_pay(pay).await,
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
    let payment = crate::sim_pay::request_payment(&pay.base_url, &request).await?;
    let line = serde_json::to_string(&payment).map_err(|e| e.to_string())?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}").map_err(|e| format!("cannot write to stdout: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

async fn run_sim(args: SimArgs, bounds: BoundArgs) -> Result<ExitCode, String> {
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
    drop(stdout);
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    sim.shutdown().await;
    Ok(ExitCode::SUCCESS)
}
