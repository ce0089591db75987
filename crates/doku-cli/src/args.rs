//! The command-line grammar (clap derive). Every command and flag has `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// doku — DOKU Partner API from the command line: onboarding demo, one command per endpoint, and the
/// signature tools people use to debug "invalid signature".
#[derive(Debug, Parser)]
#[command(name = "doku", version, about, long_about = None)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Print the signed headers of a Non-SNAP request (and, with --explain, the exact string to sign).
    Sign(SignArgs),
    /// Verify an inbound DOKU notification: exit 0 if valid, 1 if not (with the reason).
    Verify(VerifyArgs),
    /// Run the local DOKU Partner API simulator (same flags as `doku-sim`) until Ctrl-C.
    Sim(doku_sim::cli::SimArgs),
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
    /// Secret key source.
    #[command(flatten)]
    pub(crate) secret: SecretArgs,
}
