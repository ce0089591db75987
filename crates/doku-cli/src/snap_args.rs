//! The grammar of the SNAP commands: `doku va create|update|delete|status` and `doku snap
//! token`.
//!
//! A merchant's SNAP credentials: its client id (`DOKU_MERCHANT_ID` or `--client-id`), its client
//! secret (`DOKU_MERCHANT_KEY` or `--merchant-key-file`), and its RSA private key
//! (`--snap-private-key FILE` or `DOKU_SNAP_PRIVATE_KEY_FILE`, with
//! `DOKU_SNAP_PRIVATE_KEY_PASSPHRASE` or `--snap-passphrase-file` when encrypted). No secret is
//! ever a flag value: it would show up in `ps`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::pay_args::SnapPrivateKeyArgs;

/// Where a SNAP call goes (`--env`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SnapEnv {
    /// A local simulator: the URL in `DOKU_BASE_URL` (what `doku sim` printed).
    Sim,
    /// DOKU's test host for SNAP, `https://api-sandbox.doku.com`.
    Sandbox,
    /// DOKU's production host, `https://api.doku.com`.
    Production,
    /// Any other base URL (plain http only on loopback).
    Url(String),
}

/// `sim`, `sandbox`, `production` or an `http(s)://` base URL.
fn snap_env(text: &str) -> Result<SnapEnv, String> {
    match text {
        "sim" => Ok(SnapEnv::Sim),
        "sandbox" | "uat" => Ok(SnapEnv::Sandbox),
        "production" => Ok(SnapEnv::Production),
        url if url.starts_with("http://") || url.starts_with("https://") => {
            Ok(SnapEnv::Url(url.trim_end_matches('/').to_owned()))
        }
        other => Err(format!(
            "`{other}` is not sim, sandbox, production or an http(s):// URL"
        )),
    }
}

/// Target and SNAP credentials shared by the SNAP commands.
#[derive(Debug, Args)]
pub(crate) struct SnapMerchantArgs {
    /// Where to send: sim (DOKU_BASE_URL, e.g. a `doku sim`), sandbox (api-sandbox.doku.com),
    /// production (api.doku.com) or a base URL. Default: sim when DOKU_BASE_URL is set.
    #[arg(long, value_name = "sim|sandbox|production|URL", value_parser = snap_env)]
    pub(crate) env: Option<SnapEnv>,
    /// The simulator's base URL for `--env sim`.
    #[arg(
        long,
        env = "DOKU_BASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub(crate) base_url: Option<String>,
    /// The merchant's client id (X-PARTNER-ID, X-CLIENT-KEY; default: DOKU_MERCHANT_ID).
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: Option<String>,
    /// Read the merchant's client secret from this file instead of DOKU_MERCHANT_KEY.
    #[arg(long, value_name = "FILE")]
    pub(crate) merchant_key_file: Option<PathBuf>,
    /// The merchant's RSA private key (signs the B2B token request).
    #[command(flatten)]
    pub(crate) private_key: SnapPrivateKeyArgs,
    /// The CHANNEL-ID header DOKU gave you (default H2H).
    #[arg(long, value_name = "ID")]
    pub(crate) channel_id: Option<String>,
    /// Whole-call deadline in seconds — token fetch, retries and waits included (default 60).
    #[arg(long, env = "DOKU_DEADLINE", value_name = "SECS", value_parser = crate::args::seconds)]
    pub(crate) deadline: Option<Duration>,
}

/// `doku va`.
#[derive(Debug, Args)]
pub(crate) struct VaCommand {
    /// Which Virtual Account call.
    #[command(subcommand)]
    pub(crate) action: VaAction,
}

/// The Virtual Account calls.
#[derive(Debug, Subcommand)]
pub(crate) enum VaAction {
    /// Create VA: a closed-amount Virtual Account (or the body of --json FILE).
    Create(VaWriteArgs),
    /// Update VA: the Virtual Account's new data (or the body of --json FILE).
    Update(VaWriteArgs),
    /// Delete VA.
    Delete(VaDeleteArgs),
    /// Check Status VA: whether it was paid, and how.
    Status(VaStatusArgs),
}

/// The Virtual Account a call is about: partnerServiceId + customerNo.
#[derive(Debug, Args)]
pub(crate) struct VaNumberArgs {
    /// partnerServiceId: the BIN DOKU gave you, 1 to 8 digits (padded with spaces to 8).
    #[arg(long, value_name = "DIGITS")]
    pub(crate) partner_service_id: String,
    /// customerNo: up to 20 digits; the Virtual Account number is partnerServiceId + customerNo.
    #[arg(long, value_name = "DIGITS")]
    pub(crate) customer_no: String,
}

/// `doku va create` and `doku va update`.
#[derive(Debug, Args)]
pub(crate) struct VaWriteArgs {
    /// JSON file with the whole request body (validated before sending); the flags below are
    /// then not used.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["partner_service_id", "customer_no"])]
    pub(crate) json: Option<PathBuf>,
    /// partnerServiceId: the BIN DOKU gave you, 1 to 8 digits (padded with spaces to 8).
    #[arg(long, value_name = "DIGITS", required_unless_present = "json")]
    pub(crate) partner_service_id: Option<String>,
    /// customerNo: up to 20 digits; the Virtual Account number is partnerServiceId + customerNo.
    #[arg(long, value_name = "DIGITS", required_unless_present = "json")]
    pub(crate) customer_no: Option<String>,
    /// trxId: your invoice number for this bill (at most 64 characters).
    #[arg(long, value_name = "ID", required_unless_present = "json")]
    pub(crate) trx_id: Option<String>,
    /// The bill in whole rupiah (closed amount).
    #[arg(long, value_name = "IDR", required_unless_present = "json")]
    pub(crate) amount: Option<u64>,
    /// The customer's name shown at the bank.
    #[arg(long, value_name = "NAME", default_value = "Customer")]
    pub(crate) name: String,
    /// The bank, e.g. VIRTUAL_ACCOUNT_BCA, VIRTUAL_ACCOUNT_BANK_MANDIRI, VIRTUAL_ACCOUNT_BRI.
    #[arg(
        long,
        value_name = "CHANNEL",
        default_value = "VIRTUAL_ACCOUNT_BANK_MANDIRI"
    )]
    pub(crate) channel: String,
    /// Minutes until the number expires (expiredDate, written in Jakarta time).
    #[arg(long, value_name = "M", default_value_t = 60)]
    pub(crate) expires_in_minutes: u32,
    /// The customer's e-mail.
    #[arg(long, value_name = "EMAIL")]
    pub(crate) email: Option<String>,
    /// The customer's phone.
    #[arg(long, value_name = "PHONE")]
    pub(crate) phone: Option<String>,
    /// X-EXTERNAL-ID to send (repeat a call whose outcome is unknown under the first one's id);
    /// default: a fresh one, printed on stderr.
    #[arg(long, value_name = "DIGITS")]
    pub(crate) external_id: Option<String>,
    /// Target and SNAP credentials.
    #[command(flatten)]
    pub(crate) merchant: SnapMerchantArgs,
}

/// `doku va delete`.
#[derive(Debug, Args)]
pub(crate) struct VaDeleteArgs {
    /// The Virtual Account.
    #[command(flatten)]
    pub(crate) number: VaNumberArgs,
    /// trxId the Virtual Account was created with.
    #[arg(long, value_name = "ID")]
    pub(crate) trx_id: String,
    /// The bank it was created at.
    #[arg(
        long,
        value_name = "CHANNEL",
        default_value = "VIRTUAL_ACCOUNT_BANK_MANDIRI"
    )]
    pub(crate) channel: String,
    /// X-EXTERNAL-ID to send (default: a fresh one, printed on stderr).
    #[arg(long, value_name = "DIGITS")]
    pub(crate) external_id: Option<String>,
    /// Target and SNAP credentials.
    #[command(flatten)]
    pub(crate) merchant: SnapMerchantArgs,
}

/// `doku va status`.
#[derive(Debug, Args)]
pub(crate) struct VaStatusArgs {
    /// The Virtual Account.
    #[command(flatten)]
    pub(crate) number: VaNumberArgs,
    /// Ask about this payment (DOKU's paymentRequestId from the notification).
    #[arg(long, value_name = "ID")]
    pub(crate) payment_request_id: Option<String>,
    /// Ask about this inquiry (DOKU's inquiryRequestId).
    #[arg(long, value_name = "ID")]
    pub(crate) inquiry_request_id: Option<String>,
    /// X-EXTERNAL-ID to send (default: a fresh one, printed on stderr).
    #[arg(long, value_name = "DIGITS")]
    pub(crate) external_id: Option<String>,
    /// Target and SNAP credentials.
    #[command(flatten)]
    pub(crate) merchant: SnapMerchantArgs,
}

/// `doku snap`.
#[derive(Debug, Args)]
pub(crate) struct SnapCommand {
    /// Which SNAP credential check.
    #[command(subcommand)]
    pub(crate) action: SnapAction,
}

/// The SNAP credential commands.
#[derive(Debug, Subcommand)]
pub(crate) enum SnapAction {
    /// Fetch a B2B access token (`POST /authorization/v1/access-token/b2b`, RSA-signed with the
    /// merchant's private key) and print when it expires: checks the client id and key pair
    /// before the first Virtual Account call. The token itself is never printed.
    Token(SnapMerchantArgs),
}
