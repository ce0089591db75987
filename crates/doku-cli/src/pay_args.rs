//! The grammar of the payments commands: `doku checkout`, `doku status`, `doku listen`.
//!
//! A merchant's credentials are its brand id (`DOKU_MERCHANT_ID`) and shared key
//! (`DOKU_MERCHANT_KEY` or `--merchant-key-file`), never a flag value: it would show up in `ps`.

use std::path::PathBuf;

use clap::Args;

use crate::args::TargetArgs;

/// Target and merchant credentials shared by `doku checkout` and `doku status`.
#[derive(Debug, Args)]
pub(crate) struct MerchantArgs {
    /// Target, Request-Id and deadline.
    #[command(flatten)]
    pub(crate) target: TargetArgs,
    /// Read the merchant's shared key from this file instead of DOKU_MERCHANT_KEY.
    #[arg(long, value_name = "FILE")]
    pub(crate) merchant_key_file: Option<PathBuf>,
}

/// `doku checkout`.
#[derive(Debug, Args)]
pub(crate) struct CheckoutArgs {
    /// Amount in whole rupiah (no decimals), at most 12 digits.
    #[arg(long, value_name = "IDR")]
    pub(crate) amount: u64,
    /// Your invoice number (at most 64 characters; 30 when cards are offered).
    #[arg(long, value_name = "INVOICE")]
    pub(crate) invoice: String,
    /// Minutes the payment page stays open (DOKU's default: 60).
    #[arg(long, value_name = "M")]
    pub(crate) due_minutes: Option<u32>,
    /// A payment method to offer, e.g. VIRTUAL_ACCOUNT_BCA or QRIS; repeat for more
    /// (default: every method enabled for the merchant).
    #[arg(long = "method", value_name = "METHOD")]
    pub(crate) methods: Vec<String>,
    /// Send this payment's notifications here instead of the Back Office URL (DOKU requires the
    /// same path).
    #[arg(long, value_name = "URL")]
    pub(crate) override_notification_url: Option<String>,
    /// Print DOKU's JSON answer as received instead of the payment URL and invoice.
    #[arg(long)]
    pub(crate) json: bool,
    /// Target and merchant credentials.
    #[command(flatten)]
    pub(crate) merchant: MerchantArgs,
}

/// `doku status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// The invoice number (or the Request-Id of the Checkout call).
    pub(crate) invoice: String,
    /// Target and merchant credentials.
    #[command(flatten)]
    pub(crate) merchant: MerchantArgs,
}

/// `doku listen`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 after --max-notifications verified notifications; \
2 when it cannot start (no merchant key, port in use, bad flags). Refused notifications are \
answered 401 (signature, headers, stale timestamp, unknown Client-Id), 400 (a signed body that \
is not a notification), 404 (another path) or 405 (not POST), reported on stderr with the \
reason, never forwarded, and never end the command. With --forward-to, DOKU gets the app's \
answer (502 when the app gives none)."
)]
pub(crate) struct ListenArgs {
    /// TCP port to listen on (0: any free port, printed on stderr).
    #[arg(long, value_name = "P")]
    pub(crate) port: u16,
    /// The path of your notification URL, as DOKU signs it.
    #[arg(long, value_name = "PATH", default_value = "/payments/notifications")]
    pub(crate) path: String,
    /// Address to bind (default loopback; use 0.0.0.0 only behind your own TLS front).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub(crate) bind: std::net::IpAddr,
    /// Another merchant to accept, as `ID` (key from `DOKU_MERCHANT_KEY_<ID>`, the id upper-cased
    /// with every other character than A-Z and 0-9 as `_`) or `ID=FILE` (key read from FILE).
    /// Repeatable; DOKU_MERCHANT_ID with DOKU_MERCHANT_KEY (or --merchant-key-file) is added
    /// when set.
    #[arg(long = "merchant", value_name = "ID[=FILE]")]
    pub(crate) merchants: Vec<String>,
    /// Read DOKU_MERCHANT_ID's key from this file instead of DOKU_MERCHANT_KEY.
    #[arg(long, value_name = "FILE")]
    pub(crate) merchant_key_file: Option<PathBuf>,
    /// Exit 0 after this many verified notifications (default: run until killed).
    #[arg(long, value_name = "N")]
    pub(crate) max_notifications: Option<u64>,
    /// Refuse (401) a notification whose Request-Timestamp is further than this from now. Wide
    /// on purpose: DOKU retries up to 12 hours after the first attempt and does not say whether
    /// a retry carries a fresh timestamp or the first one; 86400 (24 h) accepts both.
    #[arg(long, value_name = "SECONDS", default_value_t = 86_400)]
    pub(crate) max_age: u32,
    /// Time a peer has to send its request head, and then again its body (408 when over).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = crate::args::seconds)]
    pub(crate) read_timeout: std::time::Duration,
    /// Connections served at once; at the cap, the one that has waited longest for its request
    /// is closed to make room for the newcomer.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) max_connections: u16,
    /// Pass each verified notification on to your app at this http:// URL (the exact body
    /// bytes and DOKU's headers) and answer DOKU with the app's answer (status, body): the app
    /// decides whether DOKU retries; 502 when it gives none. Refused notifications are never
    /// forwarded. Your app verifies over --path (what DOKU signed), whatever this URL's path.
    #[arg(long, value_name = "URL")]
    pub(crate) forward_to: Option<String>,
    /// Time the app has to answer a forwarded notification (connect, send and the whole answer;
    /// at most 64 KiB of it is read).
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = crate::args::seconds)]
    pub(crate) forward_timeout: std::time::Duration,
    /// SNAP notifications (on when DOKU's public key is given).
    #[command(flatten)]
    pub(crate) snap: SnapListenArgs,
}

/// `doku listen`'s SNAP routes: the token endpoint DOKU calls first, then the SNAP payment
/// notification. On when `--doku-public-key` (or `DOKU_SNAP_DOKU_PUBLIC_KEY_FILE`) is given.
#[derive(Debug, Args)]
#[command(next_help_heading = "SNAP notifications (Virtual Accounts)")]
pub(crate) struct SnapListenArgs {
    /// DOKU's SNAP public key (PEM, from DOKU's Back Office; `doku sim` serves its own at
    /// /doku-sim/v1/snap/doku-public-key): verifies DOKU's token requests. Turns the SNAP routes
    /// on; needs --snap-private-key.
    #[arg(long, env = "DOKU_SNAP_DOKU_PUBLIC_KEY_FILE", value_name = "FILE")]
    pub(crate) doku_public_key: Option<PathBuf>,
    /// The merchant's SNAP key pair.
    #[command(flatten)]
    pub(crate) private_key: SnapPrivateKeyArgs,
    /// Path of the token endpoint DOKU calls before each SNAP notification.
    #[arg(
        long,
        value_name = "PATH",
        default_value = "/authorization/v1/access-token/b2b"
    )]
    pub(crate) snap_token_path: String,
    /// Path of your SNAP notification URL, as DOKU signs it.
    #[arg(long, value_name = "PATH", default_value = "/v1/transfer-va/payment")]
    pub(crate) snap_path: String,
    /// The success responseCode acknowledging a SNAP notification: 2002500 (DOKU's Java, Go and
    /// Python SDKs) or 2002700 (its PHP and Node SDKs); no DOKU page says which.
    #[arg(long, value_name = "CODE", default_value = "2002500", value_parser = ack_code)]
    pub(crate) snap_ack_code: doku_model::snap::AckCode,
}

/// The merchant's SNAP RSA private key: a file (never a flag value), optionally encrypted.
#[derive(Debug, Args)]
pub(crate) struct SnapPrivateKeyArgs {
    /// The merchant's RSA private key (PEM: PKCS#8, PKCS#1, or encrypted PKCS#8 with the
    /// passphrase in DOKU_SNAP_PRIVATE_KEY_PASSPHRASE), whose public half DOKU holds.
    #[arg(long, env = "DOKU_SNAP_PRIVATE_KEY_FILE", value_name = "FILE")]
    pub(crate) snap_private_key: Option<PathBuf>,
    /// Read the private key's passphrase from this file instead of
    /// DOKU_SNAP_PRIVATE_KEY_PASSPHRASE.
    #[arg(long, value_name = "FILE")]
    pub(crate) snap_passphrase_file: Option<PathBuf>,
}

/// `2002500` or `2002700`.
fn ack_code(text: &str) -> Result<doku_model::snap::AckCode, String> {
    use doku_model::snap::{AckCode, ResponseCode};
    AckCode::from_response_code(&ResponseCode::parse(text.trim()))
        .ok_or_else(|| format!("`{text}` is not 2002500 or 2002700"))
}
