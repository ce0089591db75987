//! Building a `doku_partner::Client` from the command line's target and credentials.

use std::process::ExitCode;

use doku_model::RequestId;
use doku_partner::{CallOptions, Client, Config, Environment, ResponseSignatureMode, RetryPolicy};

use crate::args::{ApiArgs, EnvChoice};
use crate::credentials;
use crate::output::{chain, escape};

/// The environment named by `--env`, else `DOKU_BASE_URL`/`--base-url`.
pub(crate) fn environment(
    env: Option<EnvChoice>,
    base_url: Option<&str>,
) -> Result<Environment, String> {
    match (env, base_url) {
        (Some(EnvChoice::Uat), _) => Ok(Environment::Uat),
        (Some(EnvChoice::Production), _) => Ok(Environment::Production),
        (None, Some(url)) if !url.is_empty() => Ok(Environment::Custom(url.to_owned())),
        _ => Err(
            "no target: pass --env uat|production or set DOKU_BASE_URL (e.g. to a `doku sim`)"
                .to_owned(),
        ),
    }
}

/// A client for the per-endpoint commands: credentials from the environment or a file, response
/// signatures required (a CLI talking to DOKU should refuse an unsigned answer), the deadlines
/// from `--deadline` / `--attempt-timeout` when given.
pub(crate) fn from_args(args: &ApiArgs) -> Result<Client, String> {
    let environment = environment(args.env, args.base_url.as_deref())?;
    let client_id = credentials::client_id(args.client_id.as_deref())?;
    let secret = credentials::secret_key(args.secret.secret_key_file.as_deref())?;
    let mut builder = Config::builder(client_id, secret)
        .environment(environment)
        .response_signatures(ResponseSignatureMode::Require);
    if let Some(deadline) = args.deadline {
        builder = builder.retry_policy(RetryPolicy {
            total_deadline: deadline,
            ..RetryPolicy::default()
        });
    }
    if let Some(timeout) = args.attempt_timeout {
        builder = builder.attempt_timeout(timeout).connect_timeout(timeout);
    }
    let config = builder.build().map_err(|e| chain(&e, None))?;
    Client::new(config).map_err(|e| chain(&e, None))
}

/// Per-call options from `--request-id`.
pub(crate) fn call_options(args: &ApiArgs) -> Result<CallOptions, String> {
    match &args.request_id {
        None => Ok(CallOptions::default()),
        Some(id) => RequestId::new(id.clone())
            .map(CallOptions::with_request_id)
            .map_err(|e| format!("--request-id: {e}")),
    }
}

/// Prints a successful result as JSON on stdout.
pub(crate) fn print_json(value: &impl serde::Serialize) -> Result<ExitCode, String> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| format!("cannot print result: {e}"))?;
    println!("{}", escape(&text, true));
    Ok(ExitCode::SUCCESS)
}
