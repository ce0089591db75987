//! Building a `doku_partner::Client` from the command line's target and credentials.

use std::process::ExitCode;
use std::time::Duration;

use doku_model::RequestId;
use doku_partner::{
    Call, Client, Config, Environment, LikelyCause, Operation, ResponseSignatureMode, RetryPolicy,
};
use doku_sign::SecretKey;

use crate::args::{ApiArgs, EnvChoice, TargetArgs};
use crate::credentials;
use crate::output::{chain, escape};

/// The environment named by `--env`, else `DOKU_BASE_URL`/`--base-url`. `uat` and `sandbox` are
/// both DOKU's test mode ([`Environment::Uat`]): the Partner API at api-uat.doku.com, Checkout
/// and Check Status at api-sandbox.doku.com; Partner API commands refuse `sandbox` first
/// ([`from_args`]).
pub(crate) fn environment(
    env: Option<EnvChoice>,
    base_url: Option<&str>,
) -> Result<Environment, String> {
    match (env, base_url) {
        (Some(EnvChoice::Uat | EnvChoice::Sandbox), _) => Ok(Environment::Uat),
        (Some(EnvChoice::Production), _) => Ok(Environment::Production),
        (None, Some(url)) if !url.is_empty() => Ok(Environment::Custom(url.to_owned())),
        _ => Err(
            "no target: pass --env uat|sandbox|production or set DOKU_BASE_URL (e.g. to a `doku sim`)"
                .to_owned(),
        ),
    }
}

/// A client for the per-endpoint commands: the target, then the partner's credentials from the
/// environment or a file (checked in that order), then as [`client`].
pub(crate) fn from_args(args: &ApiArgs) -> Result<Client, String> {
    if args.target.env == Some(EnvChoice::Sandbox) {
        return Err(crate::args::SANDBOX_IS_NOT_PARTNER.to_owned());
    }
    let environment = environment(args.target.env, args.target.base_url.as_deref())?;
    let client_id = credentials::client_id(args.client_id.as_deref())?;
    let secret = credentials::secret_key(args.secret.secret_key_file.as_deref())?;
    client(
        environment,
        args.target.deadline,
        args.attempt_timeout,
        client_id,
        secret,
    )
}

/// A client on `environment` signing as `client_id` with `key`: response signatures required (a
/// CLI talking to DOKU should refuse an unsigned answer), the whole-call `deadline` and the
/// attempt (and connect) timeout when given.
pub(crate) fn client(
    environment: Environment,
    deadline: Option<Duration>,
    attempt_timeout: Option<Duration>,
    client_id: String,
    key: SecretKey,
) -> Result<Client, String> {
    let mut builder = Config::builder(client_id, key)
        .environment(environment)
        .response_signatures(ResponseSignatureMode::Require);
    if let Some(deadline) = deadline {
        builder = builder.retry_policy(RetryPolicy::default().with_total_deadline(deadline));
    }
    if let Some(timeout) = attempt_timeout {
        builder = builder.attempt_timeout(timeout).connect_timeout(timeout);
    }
    let config = builder.build().map_err(|e| chain(&e, None))?;
    let base_url = config.environment().base_url().to_owned();
    Client::new(config).map_err(|e| match e.likely_cause() {
        // The transport's message names the library's setting; say what this command allows.
        Some(LikelyCause::PlainHttpRefused) => format!(
            "refusing plain http:// to {}: it is not this machine, and signatures would cross the \
             network unencrypted. doku sends http:// only to this machine (localhost, 127.0.0.1, \
             [::1]): use the server's https:// URL, or forward a local port to it (e.g. \
             ssh -L 8080:HOST:PORT …) and use http://127.0.0.1:8080",
            escape(&base_url, false)
        ),
        _ => chain(&e, None),
    })
}

/// `operation` with the per-call options of `--request-id`.
pub(crate) fn call<O: Operation>(operation: O, target: &TargetArgs) -> Result<Call<O>, String> {
    let call = Call::new(operation);
    match &target.request_id {
        None => Ok(call),
        Some(id) => RequestId::new(id.clone())
            .map(|id| call.request_id(id))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `sandbox` is DOKU's test mode by Checkout's name: Checkout and Check Status at
    /// api-sandbox, the same environment as `uat` (whose Partner API host is api-uat).
    #[test]
    fn sandbox_and_uat_are_dokus_test_mode() {
        let sandbox = environment(Some(EnvChoice::Sandbox), None).unwrap();
        assert_eq!(sandbox.checkout_base_url(), "https://api-sandbox.doku.com");
        assert_eq!(sandbox.base_url(), "https://api-uat.doku.com");
        assert_eq!(environment(Some(EnvChoice::Uat), None).unwrap(), sandbox);
        assert_eq!(
            environment(Some(EnvChoice::Production), None)
                .unwrap()
                .checkout_base_url(),
            "https://api.doku.com"
        );
    }
}
