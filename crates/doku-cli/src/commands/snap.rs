//! `doku snap token`: fetches the merchant's SNAP B2B access token through
//! [`doku_partner::Merchant::snap_token`], to check the client id and the RSA key pair before
//! the first Virtual Account call.
//!
//! Prints `{"client_id":…,"expires_at":…,"refresh_at":…}` (Unix seconds) on stdout, never the
//! token. Exit codes as `doku va`: 0 a token was issued, 1 DOKU refused (its `responseCode`
//! and the likely cause on stderr, e.g. `4017300`: the signature does not verify with the
//! public key uploaded for this client id), 2 a local problem.

use std::process::ExitCode;

use super::client::print_json;
use super::va::merchant;
use crate::output::report_failure;
use crate::snap_args::{SnapAction, SnapCommand};

/// Runs `doku snap …`.
pub(crate) async fn run(command: SnapCommand) -> Result<ExitCode, String> {
    match command.action {
        SnapAction::Token(args) => {
            let (client, merchant) = merchant(&args)?;
            match merchant.snap_token(args.deadline).await {
                Ok(lifetime) => print_json(&serde_json::json!({
                    "client_id": merchant.brand_id().as_str(),
                    "expires_at": lifetime.expires_at,
                    "refresh_at": lifetime.refresh_at,
                })),
                Err(error) => Ok(report_failure(&error, Some(&client))),
            }
        }
    }
}
