//! The command-line grammar (clap derive). Every command and flag has `--help`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// doku — DOKU Partner API from the command line: onboarding demo, one command per endpoint, and the
/// signature tools people use to debug "invalid signature".
#[derive(Debug, Parser)]
#[command(name = "doku", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Show each HTTP attempt on stderr: method, URL (no query), status, Request-Id, latency and
    /// whether the answer's signature verified; never a key, token or body. -vv shows more.
    /// RUST_LOG (e.g. RUST_LOG=doku_partner=debug) overrides it.
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the whole partner onboarding flow (against the embedded simulator unless --env is given).
    Demo(DemoArgs),
    /// Generate Token: print DOKU's token response.
    Token(TokenArgs),
    /// Check Requirements: which documents a kind of business must upload.
    Requirements(RequirementsArgs),
    /// Upload File: upload one business document and print its id.
    Upload(UploadArgs),
    /// Business Registration from a JSON file.
    Register(JsonBodyArgs),
    /// Create Business Lite (invite the business to finish in DOKU's dashboard) from a JSON file.
    RegisterLite(JsonBodyArgs),
    /// Get Business Data of a business under the partner.
    Business(BusinessArgs),
    /// Print the signed headers of a Non-SNAP request (and, with --explain, the exact string to sign).
    Sign(SignArgs),
    /// Verify an inbound DOKU notification: exit 0 if valid, 1 if not (with the reason).
    Verify(VerifyArgs),
    /// Run the local DOKU simulator (same flags as `doku-sim`) until Ctrl-C, printing the
    /// `export` lines of its credentials; in a running one, `doku sim pay INVOICE` pays a Checkout
    /// order, `pay-va NUMBER` a SNAP Virtual Account, `trigger` creates and pays one, and
    /// `deliveries` / `resend ID` show and resend its notifications.
    Sim(crate::commands::SimCommand),
    /// DOKU Checkout as a merchant: create a payment page and print its URL and invoice.
    Checkout(crate::pay_args::CheckoutArgs),
    /// Check Status as a merchant: print DOKU's answer for an invoice as received.
    Status(crate::pay_args::StatusArgs),
    /// Receive DOKU's payment notifications (Non-SNAP, and SNAP with --doku-public-key): verify
    /// each and print it as one JSON line.
    Listen(crate::pay_args::ListenArgs),
    /// SNAP Virtual Accounts as a merchant: create, update, delete, check status (prints the
    /// typed answer as JSON).
    Va(crate::snap_args::VaCommand),
    /// SNAP credentials as a merchant: `doku snap token` fetches a B2B access token to check
    /// the client id and RSA key (prints its lifetime, never the token).
    Snap(crate::snap_args::SnapCommand),
}

/// Where the secret key comes from (never a flag value: it would show up in `ps`).
#[derive(Debug, Args)]
pub(crate) struct SecretArgs {
    /// Read the secret key from this file instead of the DOKU_SECRET_KEY environment variable.
    #[arg(long, value_name = "FILE")]
    pub(crate) secret_key_file: Option<PathBuf>,
}

/// `doku sign`.
#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// HTTP method (GET requests have no body and no Digest line).
    #[arg(long, default_value = "POST")]
    pub(crate) method: String,
    /// Request-Target: the path only, e.g. /adv-core-api/partner/v1.0/token (no scheme, host or query).
    #[arg(long, value_name = "PATH")]
    pub(crate) target: String,
    /// File holding the exact body bytes to send (omit for a request without a body).
    #[arg(long, value_name = "FILE")]
    pub(crate) body: Option<PathBuf>,
    /// Client-Id (default: DOKU_CLIENT_ID).
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: Option<String>,
    /// Request-Id (default: a fresh UUID v4).
    #[arg(long, value_name = "ID")]
    pub(crate) request_id: Option<String>,
    /// Request-Timestamp, e.g. 2020-08-11T08:45:42Z (default: now, UTC).
    #[arg(long, value_name = "TS")]
    pub(crate) timestamp: Option<String>,
    /// Also print the string to sign and the body digest.
    #[arg(long)]
    pub(crate) explain: bool,
    /// Secret key source.
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
}

/// `doku verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// Path of YOUR notification URL, as DOKU signed it (e.g. /payments/notifications).
    #[arg(long, value_name = "PATH")]
    pub(crate) target: String,
    /// A received header, `Name: value`; repeat for Client-Id, Request-Id, Request-Timestamp and Signature.
    #[arg(
        long = "header",
        short = 'H',
        value_name = "NAME: VALUE",
        required = true
    )]
    pub(crate) headers: Vec<String>,
    /// File holding the raw body bytes received.
    #[arg(long, value_name = "FILE")]
    pub(crate) body: PathBuf,
    /// Reject notifications whose Request-Timestamp is more than SECS seconds from now.
    #[arg(long, value_name = "SECS")]
    pub(crate) max_age: Option<u32>,
    /// Read the merchant's key (DOKU signs a notification with it) from this file instead of
    /// DOKU_MERCHANT_KEY.
    #[arg(long, value_name = "FILE")]
    pub(crate) merchant_key_file: Option<PathBuf>,
    /// Deprecated name of --merchant-key-file (accepted for one more release, with a warning).
    #[arg(
        long,
        value_name = "FILE",
        hide = true,
        conflicts_with = "merchant_key_file"
    )]
    pub(crate) secret_key_file: Option<PathBuf>,
}

/// Which DOKU host a command talks to. (Doc comments double as `--help` text, so URLs stay bare.)
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum EnvChoice {
    /// DOKU's test mode: the Partner API at https://api-uat.doku.com, Checkout and Check
    /// Status at https://api-sandbox.doku.com.
    Uat,
    /// Checkout's and Check Status's test mode by DOKU's name for it: https://api-sandbox.doku.com
    /// (the Partner API's test host is uat's, https://api-uat.doku.com).
    Sandbox,
    /// Production: https://api.doku.com.
    Production,
}

/// The hint when `sandbox` is given to a Partner API command.
pub(crate) const SANDBOX_IS_NOT_PARTNER: &str = "--env sandbox is DOKU's test host for Checkout, \
Check Status and SNAP (https://api-sandbox.doku.com); the Partner API's test host is \
https://api-uat.doku.com: use --env uat";

/// `--env` of a Partner API command: `uat` or `production`; `sandbox` is refused with the hint
/// that names the Partner API's test host.
pub(crate) fn partner_env(text: &str) -> Result<EnvChoice, String> {
    match text {
        "uat" => Ok(EnvChoice::Uat),
        "production" => Ok(EnvChoice::Production),
        "sandbox" => Err(SANDBOX_IS_NOT_PARTNER.to_owned()),
        other => Err(format!(
            "`{other}` is not uat (https://api-uat.doku.com) or production (https://api.doku.com)"
        )),
    }
}

/// Where a call goes, its Request-Id and its deadline: what every command that calls DOKU takes
/// (flattened into [`ApiArgs`] and `MerchantArgs`). (Doc comments double as `--help` text, so
/// URLs stay bare.)
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Args)]
pub(crate) struct TargetArgs {
    /// DOKU environment: uat (Partner API https://api-uat.doku.com; Checkout and Check Status
    /// https://api-sandbox.doku.com), sandbox (Checkout and Check Status only,
    /// https://api-sandbox.doku.com), production (https://api.doku.com). Without it,
    /// DOKU_BASE_URL must name a base URL (e.g. a `doku sim`).
    #[arg(long, value_enum)]
    pub(crate) env: Option<EnvChoice>,
    /// Base URL of a custom target such as a local simulator (used when --env is absent).
    #[arg(long, env = "DOKU_BASE_URL", value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// Request-Id to use (e.g. to repeat an earlier call idempotently); default: a fresh UUID v4.
    #[arg(long, value_name = "ID")]
    pub(crate) request_id: Option<String>,
    /// Whole-call deadline in seconds — token fetch, retries, waits and the attempt in flight
    /// included (default 60).
    #[arg(long, env = "DOKU_DEADLINE", value_name = "SECS", value_parser = seconds)]
    pub(crate) deadline: Option<Duration>,
}

/// Target and partner credentials shared by the per-endpoint commands.
#[derive(Debug, Args)]
pub(crate) struct ApiArgs {
    /// Target, Request-Id and deadline.
    #[command(flatten)]
    pub(crate) target: TargetArgs,
    /// Client-Id (default: DOKU_CLIENT_ID).
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: Option<String>,
    /// Deadline of one HTTP attempt (and of connecting) in seconds (default 30; connect 10).
    #[arg(long, env = "DOKU_ATTEMPT_TIMEOUT", value_name = "SECS", value_parser = seconds)]
    pub(crate) attempt_timeout: Option<Duration>,
    /// Secret key source.
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
}

/// A positive number of seconds (fractions allowed), at most a day.
pub(crate) fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 86_400.0) {
        return Err("must be more than 0 and at most 86400 seconds".to_owned());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `doku demo`. (Doc comments double as `--help` text, so URLs stay bare.)
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Run against DOKU instead of the embedded simulator (needs DOKU_CLIENT_ID and
    /// DOKU_SECRET_KEY): uat (https://api-uat.doku.com) or production (https://api.doku.com).
    #[arg(long, value_name = "uat|production", value_parser = partner_env)]
    pub(crate) env: Option<EnvChoice>,
    /// Secret key source (only with --env).
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
}

/// `doku requirements`.
#[derive(Debug, Args)]
pub(crate) struct RequirementsArgs {
    /// businessType, e.g. PERSONAL or CORPORATE.
    #[arg(long, default_value = "PERSONAL")]
    pub(crate) business_type: String,
    /// businessContactNationality (ISO 3166-1 alpha-2).
    #[arg(long, default_value = "ID")]
    pub(crate) nationality: String,
    /// businessLegalEntity: PERSEORANGAN for PERSONAL; PT, CV, UD, … for CORPORATE.
    #[arg(long, default_value = "PERSEORANGAN")]
    pub(crate) legal_entity: String,
    /// brandBusinessLine: RETAIL for PERSONAL; e.g. MINING, EDUCATION for CORPORATE.
    #[arg(long, default_value = "RETAIL")]
    pub(crate) business_line: String,
    /// Target and credentials.
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

/// `doku upload`.
#[derive(Debug, Args)]
pub(crate) struct UploadArgs {
    /// The document: a regular file (.png, .jpg, .jpeg or .pdf) within DOKU's size limit.
    pub(crate) file: PathBuf,
    /// Upload category, e.g. DOCUMENT, OWNER_LIVENESS, PHOTO_PROOF, LOGO.
    #[arg(long)]
    pub(crate) category: String,
    /// Document code when the category is DOCUMENT, e.g. KTP.
    #[arg(long)]
    pub(crate) code: Option<String>,
    /// Target and credentials.
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

/// `doku register` and `doku register-lite`.
#[derive(Debug, Args)]
pub(crate) struct JsonBodyArgs {
    /// JSON file with the request body (validated before sending).
    #[arg(long, value_name = "FILE")]
    pub(crate) json: PathBuf,
    /// Target and credentials.
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

/// `doku business`.
#[derive(Debug, Args)]
pub(crate) struct BusinessArgs {
    /// Client id of the business under the partner (e.g. the brand id registration returned).
    pub(crate) business_client_id: String,
    /// Target and credentials.
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}

/// `doku token`.
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    /// Target and credentials.
    #[command(flatten)]
    pub(crate) api: ApiArgs,
}
