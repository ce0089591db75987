//! `doku va create|update|delete|status`: a merchant's SNAP Virtual Account calls through
//! [`doku_partner::Merchant::send_snap`] — the B2B token (RSA-signed with the merchant's
//! private key) fetched and cached by the client, each call HMAC-SHA512-signed with the client
//! secret over the exact bytes sent, one `X-EXTERNAL-ID` kept across retries.
//!
//! The typed answer is printed as JSON on stdout; the `X-EXTERNAL-ID` on stderr (to repeat a
//! call whose outcome is unknown with `--external-id`). Exit codes: 0 success, 1 the call
//! failed (the whole error chain on stderr, DOKU's `responseCode` and message included), 2 a
//! local problem (credentials, key file, flags). Keys and tokens are never printed.

use std::process::ExitCode;

use doku_model::snap::{
    CheckStatusVaRequest, CreateVaRequest, CustomerNo, DeleteVaRequest, PartnerServiceId,
    SnapAmount, UpdateVaRequest, VaChannel, VirtualAccountData,
};
use doku_model::ClientId;
use doku_partner::{
    Answer, Client, Environment, ExternalId, Merchant, SnapCall, SnapKeys, SnapOperation,
};

use super::client::{client, print_json};
use crate::credentials::{self, MERCHANT_ID_ENV, MERCHANT_KEY_ENV};
use crate::output::{escape, report_failure};
use crate::snap_args::{
    SnapEnv, SnapMerchantArgs, VaAction, VaCommand, VaDeleteArgs, VaNumberArgs, VaStatusArgs,
    VaWriteArgs,
};

/// Runs `doku va …`.
pub(crate) async fn run(command: VaCommand) -> Result<ExitCode, String> {
    match command.action {
        VaAction::Create(args) => {
            let request = create_request(&args)?;
            send(&args.merchant, args.external_id.as_deref(), &request).await
        }
        VaAction::Update(args) => {
            let request: UpdateVaRequest = match &args.json {
                Some(file) => read_json(file)?,
                None => create_request(&args)?.into(),
            };
            send(&args.merchant, args.external_id.as_deref(), &request).await
        }
        VaAction::Delete(args) => delete(args).await,
        VaAction::Status(args) => status(args).await,
    }
}

async fn delete(args: VaDeleteArgs) -> Result<ExitCode, String> {
    let (partner_service_id, customer_no) = number(&args.number)?;
    let request = DeleteVaRequest::new(
        partner_service_id,
        customer_no,
        args.trx_id,
        VaChannel::from(args.channel.as_str()),
    );
    send(&args.merchant, args.external_id.as_deref(), &request).await
}

async fn status(args: VaStatusArgs) -> Result<ExitCode, String> {
    let (partner_service_id, customer_no) = number(&args.number)?;
    let mut request = CheckStatusVaRequest::new(partner_service_id, customer_no);
    if let Some(id) = args.payment_request_id {
        request = request.payment_request_id(id);
    }
    if let Some(id) = args.inquiry_request_id {
        request = request.inquiry_request_id(id);
    }
    send(&args.merchant, args.external_id.as_deref(), &request).await
}

/// The Create VA request of the flags (or of `--json FILE`).
fn create_request(args: &VaWriteArgs) -> Result<CreateVaRequest, String> {
    if let Some(file) = &args.json {
        return read_json(file);
    }
    let missing = |flag: &str| format!("{flag} is required without --json");
    let partner_service_id = args
        .partner_service_id
        .as_deref()
        .ok_or_else(|| missing("--partner-service-id"))?;
    let customer_no = args
        .customer_no
        .as_deref()
        .ok_or_else(|| missing("--customer-no"))?;
    let (partner_service_id, customer_no) = parse_number(partner_service_id, customer_no)?;
    let trx_id = args.trx_id.clone().ok_or_else(|| missing("--trx-id"))?;
    let amount = args.amount.ok_or_else(|| missing("--amount"))?;
    let expires = super::now_unix_seconds() + i64::from(args.expires_in_minutes) * 60;
    let data = VirtualAccountData::new(
        partner_service_id,
        customer_no,
        args.name.clone(),
        trx_id,
        SnapAmount::idr(amount),
        VaChannel::from(args.channel.as_str()),
    );
    // Jakarta time, as DOKU's samples write it.
    let mut request =
        CreateVaRequest::new(data, doku_sign::timestamp::format_offset(expires, 7 * 60));
    if let Some(email) = &args.email {
        request = request.email(email.clone());
    }
    if let Some(phone) = &args.phone {
        request = request.phone(phone.clone());
    }
    Ok(request)
}

/// A request body from a JSON file (DOKU's field names), bounded in size.
fn read_json<T: serde::de::DeserializeOwned>(file: &std::path::Path) -> Result<T, String> {
    const MAX_JSON_BYTES: u64 = 1024 * 1024;
    let size = std::fs::metadata(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?
        .len();
    if size > MAX_JSON_BYTES {
        return Err(format!("{} is over {MAX_JSON_BYTES} bytes", file.display()));
    }
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    doku_model::decode(&bytes).map_err(|e| format!("{}: {e}", file.display()))
}

/// partnerServiceId (padded) and customerNo of the flags.
fn number(args: &VaNumberArgs) -> Result<(PartnerServiceId, CustomerNo), String> {
    parse_number(&args.partner_service_id, &args.customer_no)
}

fn parse_number(
    partner_service_id: &str,
    customer_no: &str,
) -> Result<(PartnerServiceId, CustomerNo), String> {
    let partner_service_id = PartnerServiceId::from_digits(partner_service_id.trim())
        .map_err(|e| format!("--partner-service-id: {e}"))?;
    let customer_no =
        CustomerNo::new(customer_no.trim()).map_err(|e| format!("--customer-no: {e}"))?;
    Ok((partner_service_id, customer_no))
}

/// The environment `--env` names.
pub(crate) fn environment(args: &SnapMerchantArgs) -> Result<Environment, String> {
    let from_base_url = || match args.base_url.as_deref() {
        Some(url) if !url.is_empty() => {
            Ok(Environment::Custom(url.trim_end_matches('/').to_owned()))
        }
        _ => Err(
            "--env sim needs DOKU_BASE_URL (or --base-url): the URL `doku sim` printed".to_owned(),
        ),
    };
    match &args.env {
        Some(SnapEnv::Sim) => from_base_url(),
        Some(SnapEnv::Sandbox) => Ok(Environment::Uat),
        Some(SnapEnv::Production) => Ok(Environment::Production),
        Some(SnapEnv::Url(url)) => Ok(Environment::Custom(url.clone())),
        None => from_base_url().map_err(|_| {
            "no target: pass --env sim|sandbox|production|URL (sim reads DOKU_BASE_URL)".to_owned()
        }),
    }
}

/// The merchant handle with its SNAP keys, and the client it sends through (whose `redact`
/// hides the client secret). Credentials are checked before the key file is read.
pub(crate) fn merchant(args: &SnapMerchantArgs) -> Result<(Client, Merchant), String> {
    let environment = environment(args)?;
    let id = match &args.client_id {
        Some(id) => id.clone(),
        None => credentials::merchant_id()?,
    };
    let brand = ClientId::new(id.clone()).map_err(|e| format!("{MERCHANT_ID_ENV}: {e}"))?;
    let secret = credentials::merchant_key(args.merchant_key_file.as_deref(), MERCHANT_KEY_ENV)?;
    let key_file = args
        .private_key
        .snap_private_key
        .as_deref()
        .ok_or_else(|| {
            "no SNAP private key: pass --snap-private-key FILE or set DOKU_SNAP_PRIVATE_KEY_FILE"
                .to_owned()
        })?;
    let private_key =
        credentials::snap_private_key(key_file, args.private_key.snap_passphrase_file.as_deref())?;
    let mut keys = SnapKeys::new(private_key);
    if let Some(channel) = &args.channel_id {
        keys = keys.channel_id(channel.clone());
    }
    let client = client(environment, args.deadline, None, id, secret.clone())?;
    let merchant = client.merchant(brand, secret).with_snap(keys);
    Ok((client, merchant))
}

/// Sends `request`, prints the typed answer as JSON (and the `X-EXTERNAL-ID` on stderr).
async fn send<O>(
    args: &SnapMerchantArgs,
    external_id: Option<&str>,
    request: O,
) -> Result<ExitCode, String>
where
    O: SnapOperation,
    O::Answer: serde::Serialize,
{
    let (client, merchant) = merchant(args)?;
    let mut call = SnapCall::new(request);
    if let Some(id) = external_id {
        let id = ExternalId::new(id).map_err(|e| format!("--external-id: {e}"))?;
        call = call.external_id(id);
    }
    match merchant.send_snap(call).await {
        Ok(answer) => {
            report_answer(&answer);
            print_json(&answer.value)
        }
        Err(error) => Ok(report_failure(&error, Some(&client))),
    }
}

/// The `X-EXTERNAL-ID` and whether DOKU replayed an earlier outcome, on stderr.
fn report_answer<T>(answer: &Answer<T>) {
    eprintln!(
        "{}: {}{}",
        doku_sign::headers::X_EXTERNAL_ID,
        escape(&answer.request_id, false),
        if answer.replay {
            " (a repeat of an earlier call: DOKU answered 4092700, taken as its outcome)"
        } else {
            ""
        }
    );
}
