//! `doku checkout` and `doku status`: a merchant's calls, signed with its own brand id and shared
//! key through a [`doku_partner::Merchant`].
//!
//! Exit codes as for the other API commands: 0 success, 1 the call failed (the whole error chain
//! on stderr), 2 a local problem (no credentials, bad flags).

use std::process::ExitCode;

use doku_model::{CheckoutRequest, ClientId, PaymentMethod};
use doku_partner::{CheckStatus, Client, Merchant};

use super::client::{call, client, environment};
use crate::credentials::{self, MERCHANT_ID_ENV, MERCHANT_KEY_ENV};
use crate::output::{escape, print_body, report_failure};
use crate::pay_args::{CheckoutArgs, MerchantArgs, StatusArgs};

/// The merchant handle, and the client it sends through (whose `redact` hides the merchant key:
/// the client is configured with the merchant's own credentials, the only ones the CLI holds).
fn merchant(args: &MerchantArgs) -> Result<(Client, Merchant), String> {
    let environment = environment(args.target.env, args.target.base_url.as_deref())?;
    let id = credentials::merchant_id()?;
    let brand = ClientId::new(id.clone()).map_err(|e| format!("{MERCHANT_ID_ENV}: {e}"))?;
    let key = credentials::merchant_key(args.merchant_key_file.as_deref(), MERCHANT_KEY_ENV)?;
    let client = client(environment, args.target.deadline, None, id, key.clone())?;
    let merchant = client.merchant(brand, key);
    Ok((client, merchant))
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
    match merchant.send(call(&request, &args.merchant.target)?).await {
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
    let status = CheckStatus::new(&args.invoice);
    match merchant.send(call(status, &args.merchant.target)?).await {
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
