//! `doku verify`: check an inbound DOKU notification with doku-sign alone.

use std::process::ExitCode;

use doku_sign::non_snap::Message;
use doku_sign::notification::{self, Freshness};

use crate::args::VerifyArgs;
use crate::credentials;

/// The headers a notification must carry.
struct Received {
    client_id: String,
    request_id: String,
    timestamp: String,
    signature: String,
}

fn parse_headers(headers: &[String]) -> Result<Received, String> {
    let mut found: [Option<String>; 4] = Default::default();
    const NAMES: [&str; 4] = ["client-id", "request-id", "request-timestamp", "signature"];
    for header in headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| format!("--header `{header}` is not `Name: value`"))?;
        let name = name.trim().to_ascii_lowercase();
        if let Some(slot) = NAMES.iter().position(|n| *n == name) {
            found[slot] = Some(value.trim().to_owned());
        }
    }
    let [client_id, request_id, timestamp, signature] = found;
    let missing = |name: &str| format!("missing --header '{name}: …'");
    Ok(Received {
        client_id: client_id.ok_or_else(|| missing("Client-Id"))?,
        request_id: request_id.ok_or_else(|| missing("Request-Id"))?,
        timestamp: timestamp.ok_or_else(|| missing("Request-Timestamp"))?,
        signature: signature.ok_or_else(|| missing("Signature"))?,
    })
}

pub(crate) fn run(args: &VerifyArgs) -> Result<ExitCode, String> {
    let key = credentials::secret_key(args.secret.secret_key_file.as_deref())?;
    let received = parse_headers(&args.headers)?;
    let body = std::fs::read(&args.body)
        .map_err(|e| format!("cannot read body {}: {e}", args.body.display()))?;
    let message = Message {
        client_id: &received.client_id,
        request_id: &received.request_id,
        timestamp: &received.timestamp,
        target: &args.target,
        body: Some(&body),
    };
    let freshness = args.max_age.map(|max_age| Freshness {
        now_unix_seconds: super::now_unix_seconds(),
        tolerance_seconds: max_age,
    });
    match notification::verify(&key, &message, &received.signature, freshness) {
        Ok(()) => {
            println!("valid");
            Ok(ExitCode::SUCCESS)
        }
        Err(reason) => {
            println!("invalid: {reason}");
            eprintln!("notification refused: {reason}");
            Ok(ExitCode::from(1))
        }
    }
}
