//! `doku checkout` and `doku status`: a merchant's calls, signed with its own brand id and shared
//! key through a [`doku_partner::Merchant`].
//!
//! Exit codes as for the other API commands: 0 success, 1 the call failed (the whole error chain
//! on stderr), 2 a local problem (no credentials, bad flags).

use std::path::Path;
use std::process::ExitCode;

use doku_model::{CheckoutRequest, ClientId, PaymentMethod, RequestId};
use doku_partner::{CallOptions, Client, Config, Merchant, ResponseSignatureMode, RetryPolicy};
use doku_sign::SecretKey;

use super::client::environment;
use crate::output::{escape, print_body, report_failure};
use crate::pay_args::{CheckoutArgs, MerchantArgs, StatusArgs};

/// Environment variable holding the merchant's brand id (its Client-Id for Checkout).
pub(crate) const MERCHANT_ID_ENV: &str = "DOKU_MERCHANT_ID";
/// Environment variable holding the merchant's shared key.
pub(crate) const MERCHANT_KEY_ENV: &str = "DOKU_MERCHANT_KEY";

/// The merchant's brand id from `DOKU_MERCHANT_ID`.
pub(crate) fn merchant_id() -> Result<String, String> {
    match std::env::var(MERCHANT_ID_ENV) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(format!(
            "no merchant: set {MERCHANT_ID_ENV} to the brand id"
        )),
    }
}

/// The merchant's shared key from `file` if given, else `DOKU_MERCHANT_KEY`; a trailing newline
/// in the file is dropped.
pub(crate) fn merchant_key(file: Option<&Path>, env: &str) -> Result<SecretKey, String> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read merchant key file {}: {e}", path.display()))?;
        let trimmed = text.strip_suffix('\n').unwrap_or(&text);
        let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Err(format!("merchant key file {} is empty", path.display()));
        }
        return Ok(SecretKey::from(trimmed));
    }
    match std::env::var(env) {
        Ok(value) if !value.is_empty() => Ok(SecretKey::from(value)),
        _ => Err(format!(
            "no merchant key: set {env} or pass --merchant-key-file FILE"
        )),
    }
}

/// The merchant handle, and the client it sends through (whose `redact` hides the merchant key:
/// the client is configured with the merchant's own credentials, the only ones the CLI holds).
fn merchant(args: &MerchantArgs) -> Result<(Client, Merchant), String> {
    let environment = environment(args.env, args.base_url.as_deref())?;
    let id = merchant_id()?;
    let brand = ClientId::new(id.clone()).map_err(|e| format!("{MERCHANT_ID_ENV}: {e}"))?;
    let key = merchant_key(args.merchant_key_file.as_deref(), MERCHANT_KEY_ENV)?;
    let mut builder = Config::builder(id, key.clone())
        .environment(environment)
        .response_signatures(ResponseSignatureMode::Require);
    if let Some(deadline) = args.deadline {
        builder = builder.retry_policy(RetryPolicy {
            total_deadline: deadline,
            ..RetryPolicy::default()
        });
    }
    let config = builder
        .build()
        .map_err(|e| crate::output::chain(&e, None))?;
    let client = Client::new(config).map_err(|e| crate::output::chain(&e, None))?;
    let merchant = client.merchant(brand, key);
    Ok((client, merchant))
}

fn options(args: &MerchantArgs) -> Result<CallOptions, String> {
    match &args.request_id {
        None => Ok(CallOptions::default()),
        Some(id) => RequestId::new(id.clone())
            .map(CallOptions::with_request_id)
            .map_err(|e| format!("--request-id: {e}")),
    }
}

/// `doku checkout`: creates the payment page; prints `invoice` and `payment_url` lines (or, with
/// `--json`, DOKU's answer as received). The Request-Id goes to stderr, to repeat the call
/// idempotently with `--request-id` if its outcome is unknown.
pub(crate) async fn checkout(args: CheckoutArgs) -> Result<ExitCode, String> {
    let (client, merchant) = merchant(&args.merchant)?;
    let mut request = CheckoutRequest::new(args.amount, args.invoice.clone());
    if let Some(minutes) = args.due_minutes {
        request = request.due_in_minutes(minutes);
    }
    if !args.methods.is_empty() {
        request = request.methods(args.methods.iter().map(|m| PaymentMethod::from(m.as_str())));
    }
    if let Some(url) = &args.override_notification_url {
        request = request.override_notification_url(url.clone());
    }
    match merchant
        .create_checkout_with(&request, options(&args.merchant)?)
        .await
    {
        Ok(answer) => {
            eprintln!(
                "{}: {}{}",
                doku_sign::headers::REQUEST_ID,
                escape(&answer.request_id, false),
                if answer.replay {
                    " (DOKU replayed the original answer: 409)"
                } else {
                    ""
                }
            );
            if args.json {
                print_body(&answer.body, Some(&client));
            } else {
                let clean = |text: &str| escape(&client.redact(text), false);
                println!(
                    "invoice: {}",
                    clean(&answer.value.response.order.invoice_number)
                );
                println!("payment_url: {}", clean(answer.value.payment_url()));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Ok(report_failure(&error, Some(&client))),
    }
}

/// `doku status INVOICE`: DOKU's Check Status answer on stdout as received; the transaction
/// status and whether it is final on stderr.
pub(crate) async fn status(args: StatusArgs) -> Result<ExitCode, String> {
    let (client, merchant) = merchant(&args.merchant)?;
    match merchant
        .check_status_with(&args.invoice, options(&args.merchant)?)
        .await
    {
        Ok(answer) => {
            let status = &answer.value.transaction.status;
            eprintln!(
                "transaction status: {} ({})",
                escape(status.as_str(), false),
                if status.is_final() {
                    "final"
                } else {
                    "not final"
                }
            );
            print_body(&answer.body, Some(&client));
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Ok(report_failure(&error, Some(&client))),
    }
}
