//! `doku sign`: the exact headers for a Non-SNAP request.

use std::process::ExitCode;

use doku_sign::headers;
use doku_sign::non_snap::{self, Kind, Message};

use crate::args::SignArgs;
use crate::credentials;

pub(crate) fn run(args: &SignArgs) -> Result<ExitCode, String> {
    let key = credentials::secret_key(args.secret.secret_key_file.as_deref())?;
    let client_id = credentials::client_id(args.client_id.as_deref())?;
    let body = match &args.body {
        Some(path) => Some(
            std::fs::read(path).map_err(|e| format!("cannot read body {}: {e}", path.display()))?,
        ),
        None => None,
    };
    if args.method.eq_ignore_ascii_case("GET") && body.is_some() {
        return Err("a GET request has no body: drop --body or use another method".to_owned());
    }
    if args.target.contains("://") || !args.target.starts_with('/') {
        return Err(format!(
            "--target must be a path such as /adv-core-api/partner/v1.0/token, not `{}`",
            args.target
        ));
    }
    let request_id = args
        .request_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let timestamp = args
        .timestamp
        .clone()
        .unwrap_or_else(|| doku_sign::timestamp::format_utc(super::now_unix_seconds()));
    if doku_sign::timestamp::parse_unix_seconds(&timestamp).is_err() {
        return Err(format!(
            "--timestamp `{timestamp}` is not ISO 8601 (e.g. 2020-08-11T08:45:42Z)"
        ));
    }
    let message = Message {
        client_id: &client_id,
        request_id: &request_id,
        timestamp: &timestamp,
        target: &args.target,
        body: body.as_deref(),
    };
    let signature = non_snap::sign(&key, Kind::Request, &message);
    println!("{}: {client_id}", headers::CLIENT_ID);
    println!("{}: {request_id}", headers::REQUEST_ID);
    println!("{}: {timestamp}", headers::REQUEST_TIMESTAMP);
    println!("{}: {signature}", headers::SIGNATURE);
    if args.explain {
        eprintln!("--- string to sign (between the lines, no trailing newline) ---");
        eprintln!("{}", non_snap::string_to_sign(Kind::Request, &message));
        eprintln!("---");
        match &body {
            Some(bytes) => eprintln!(
                "Digest = base64(SHA-256 of the {} body bytes) = {}",
                bytes.len(),
                non_snap::digest(bytes)
            ),
            None => eprintln!("No body: no Digest line."),
        }
    }
    Ok(ExitCode::SUCCESS)
}
