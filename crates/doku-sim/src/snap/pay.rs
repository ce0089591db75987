//! Paying a SNAP Virtual Account: what DOKU does when a customer pays at the bank.
//!
//! 1. For a direct-inquiry channel (`SimConfigBuilder::snap_direct_inquiry_channels`, default
//!    `VIRTUAL_ACCOUNT_BCA`) whose merchant has an inquiry URL: a token from the merchant, then
//!    the inquiry; `2002400` gives the amount, anything else (`4042412` unknown, `4042414`
//!    paid, `4042419` expired…) stops the payment.
//! 2. The Virtual Account is marked paid (check status shows it).
//! 3. In the background, with DOKU's retry schedule (the Non-SNAP queue, its bounds and time
//!    scale): each attempt asks the merchant's token endpoint for a token (`X-CLIENT-KEY`,
//!    `X-TIMESTAMP`, `X-SIGNATURE` = RSA with DOKU's private key over `clientId|X-TIMESTAMP`),
//!    then posts the payment notification signed with the merchant's secret over the
//!    merchant's path; the answer must satisfy the ack-code reading.
//!
//! Over HTTP: `POST /doku-sim/v1/pay-va` with a [`PayVaRequest`]; in Rust:
//! [`crate::SimControl::pay_va`].

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use doku_sign::clock::Clock;
use doku_sign::snap_symmetric::{self, Message};
use doku_sign::SecretKey;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::keys::DokuKeys;
use super::va::{self, Paid, Va};
use super::{
    minify_reading, CHANNEL_ID, X_CLIENT_KEY, X_EXTERNAL_ID, X_PARTNER_ID, X_SIGNATURE, X_TIMESTAMP,
};
use crate::error::SimError;
use crate::notify::{Job, Sender, Target, ATTEMPT_TIMEOUT, CONNECT_TIMEOUT, MAX_ANSWER_BYTES};
use crate::pipeline::Outcome;
use crate::readings::{SnapAck, SnapMinify};
use crate::state::App;
use crate::stats::Stats;

/// The `CHANNEL-ID` DOKU sends on its calls to merchants (a value DOKU's examples show).
const DOKU_CHANNEL_ID: &str = "95221";

/// A Virtual Account payment to make. The body of `POST /doku-sim/v1/pay-va`, and what
/// [`crate::SimControl::pay_va`] takes:
/// `{"virtual_account_no":"   1900800000000000000000001","client_id":"BRN-…","amount":"11500.00"}`
/// (`client_id` only when two merchants have the number; `amount` only for open or variable
/// amounts: a closed amount pays the bill).
///
/// ```
/// use doku_sim::PayVaRequest;
/// let pay = PayVaRequest::new("   1900800000000000000000001").client_id("BRN-1");
/// # let _ = pay;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PayVaRequest {
    /// The Virtual Account number, in any of the three paddings (space, zero, none).
    pub virtual_account_no: String,
    /// The merchant that created it, when more than one merchant has the number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// What the customer pays (SNAP's text, e.g. `"25000.00"`): open and variable amounts only;
    /// a closed amount pays the bill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// Seconds to wait (at most [`crate::MAX_WAIT_SECONDS`]) for the notification's first
    /// delivery attempt, so that the answer carries its outcome (`delivery`, `note`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<u64>,
}

impl PayVaRequest {
    /// Pays the Virtual Account with this number.
    pub fn new(virtual_account_no: impl Into<String>) -> Self {
        Self {
            virtual_account_no: virtual_account_no.into(),
            client_id: None,
            amount: None,
            wait_seconds: None,
        }
    }

    /// The merchant that created it.
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The amount paid (open and variable amounts).
    pub fn amount(mut self, amount: impl Into<String>) -> Self {
        self.amount = Some(amount.into());
        self
    }

    /// Waits up to `seconds` (at most [`crate::MAX_WAIT_SECONDS`]) for the notification's
    /// first delivery attempt.
    pub fn wait_seconds(mut self, seconds: u64) -> Self {
        self.wait_seconds = Some(seconds);
        self
    }
}

/// What a Virtual Account payment did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VaPayment {
    /// The merchant.
    pub client_id: String,
    /// The number as the merchant created it.
    pub virtual_account_no: String,
    /// The merchant's `trxId`.
    pub trx_id: Option<String>,
    /// The amount paid.
    pub paid_amount: String,
    /// DOKU's id of the payment (`paymentRequestId`).
    pub payment_request_id: String,
    /// The inquiry's `responseCode`, when an inquiry was made.
    pub inquiry_response_code: Option<String>,
    /// Where the notification goes, `None` when the merchant has no notification or token URL
    /// (or every delivery slot is taken).
    pub notification_url: Option<String>,
    /// The notification's id in the delivery history, `None` when nothing is delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_id: Option<u64>,
    /// The delivery as it stood after the first attempt, when the payment waited for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<crate::Delivery>,
    /// One line for people: why no notification was sent, or the first attempt's outcome when
    /// the payment waited for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How a SNAP notification is sent (one per payment, shared by its attempts).
pub(crate) struct SnapSender {
    client_id: String,
    secret: SecretKey,
    doku: Arc<DokuKeys>,
    token_target: Target,
    ack: SnapAck,
    minify: SnapMinify,
}

impl SnapSender {
    /// The merchant the notification is from.
    pub(crate) fn client_id(&self) -> &str {
        &self.client_id
    }
}

/// The answer of one call to the merchant.
struct Answer {
    status: u16,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn response_code(&self) -> Option<String> {
        self.json()["responseCode"].as_str().map(str::to_owned)
    }
}

/// Decodes a `Transfer-Encoding: chunked` body (bounded by what was read).
fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = std::str::from_utf8(&rest[..line_end]).unwrap_or("0");
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        rest = &rest[line_end + 2..];
        if size == 0 || size > rest.len() {
            break;
        }
        out.extend_from_slice(&rest[..size]);
        rest = rest.get(size + 2..).unwrap_or(&[]);
    }
    out
}

/// One `POST` over HTTP/1.1 with the header names exactly as SNAP spells them (`X-TIMESTAMP`,
/// not `X-Timestamp`), `Connection: close`, bounded by [`CONNECT_TIMEOUT`], [`ATTEMPT_TIMEOUT`]
/// and [`MAX_ANSWER_BYTES`].
async fn post(target: &Target, headers: &[(&str, String)], body: &[u8]) -> Result<Answer, String> {
    let exchange = async {
        let mut stream = tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio::net::TcpStream::connect(target.authority.as_str()),
        )
        .await
        .map_err(|_| "connect timed out".to_owned())?
        .map_err(|e| format!("connect: {e}"))?;
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            target.path_and_query,
            target.authority,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| format!("write: {e}"))?;
        stream
            .write_all(body)
            .await
            .map_err(|e| format!("write: {e}"))?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) => break,
                Ok(n) => {
                    buf.extend_from_slice(&chunk[..n]);
                    if buf.len() > MAX_ANSWER_BYTES {
                        break;
                    }
                }
                Err(e) if buf.is_empty() => return Err(format!("read: {e}")),
                Err(_) => break,
            }
        }
        let split = buf
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| "no HTTP answer".to_owned())?;
        let head = String::from_utf8_lossy(&buf[..split]).into_owned();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| "no HTTP status".to_owned())?;
        let raw = &buf[split + 4..];
        let chunked = head
            .lines()
            .any(|l| l.to_ascii_lowercase().replace(' ', "") == "transfer-encoding:chunked");
        let body = if chunked { dechunk(raw) } else { raw.to_vec() };
        Ok(Answer {
            status,
            body: Bytes::from(body),
        })
    };
    tokio::time::timeout(ATTEMPT_TIMEOUT, exchange)
        .await
        .map_err(|_| "no answer in time".to_owned())?
}

/// `YYYY-MM-DDTHH:MM:SS+07:00` of the simulator's clock.
fn jakarta(clock: &dyn Clock) -> String {
    doku_sign::timestamp::format_offset(clock.unix_seconds(), 7 * 60)
}

/// A fresh numeric `X-EXTERNAL-ID`.
fn external_id() -> String {
    format!("{}", uuid::Uuid::new_v4().as_u128() % 10u128.pow(20))
}

/// Asks the merchant's token endpoint for a token, signed with DOKU's private key.
async fn merchant_token(
    client_id: &str,
    doku: &DokuKeys,
    target: &Target,
    clock: &dyn Clock,
    stats: &Mutex<Stats>,
) -> Result<String, String> {
    crate::notify::count(stats, |s| s.snap_token_calls += 1);
    let timestamp = jakarta(clock);
    let signature = doku
        .private
        .sign(client_id, &timestamp)
        .map_err(|e| format!("signing the token request: {e}"))?;
    let headers = [
        (X_CLIENT_KEY, client_id.to_owned()),
        (X_TIMESTAMP, timestamp),
        (X_SIGNATURE, signature),
    ];
    let answer = post(target, &headers, br#"{"grantType":"client_credentials"}"#).await?;
    let body = answer.json();
    let code = body["responseCode"].as_str().unwrap_or("");
    match body["accessToken"].as_str() {
        Some(token) if code == "2007300" && (200..300).contains(&answer.status) => {
            Ok(token.to_owned())
        }
        _ => Err(format!(
            "the merchant's token endpoint answered HTTP {} responseCode {:?}",
            answer.status,
            crate::echo::echo(code)
        )),
    }
}

/// Sends one signed SNAP call to the merchant (after getting a token).
#[allow(clippy::too_many_arguments)]
async fn signed_call(
    client_id: &str,
    secret: &SecretKey,
    doku: &DokuKeys,
    token_target: &Target,
    target: &Target,
    sent: &[u8],
    minify: SnapMinify,
    clock: &dyn Clock,
    stats: &Mutex<Stats>,
) -> Result<Answer, String> {
    let token = merchant_token(client_id, doku, token_target, clock, stats).await?;
    let timestamp = jakarta(clock);
    let text = std::str::from_utf8(sent).map_err(|_| "the body is not UTF-8".to_owned())?;
    let minified = doku_sign::minify_as(minify_reading(minify), text)
        .map_err(|e| format!("minifying the body: {e}"))?;
    let message = Message {
        method: "POST",
        path: &target.path_and_query,
        access_token: &token,
        body: minified.as_bytes(),
        timestamp: &timestamp,
    };
    let signature = snap_symmetric::sign(secret, &message).to_string();
    let headers = [
        ("Authorization", format!("Bearer {token}")),
        (X_TIMESTAMP, timestamp),
        (X_SIGNATURE, signature),
        (X_PARTNER_ID, client_id.to_owned()),
        (X_EXTERNAL_ID, external_id()),
        (CHANNEL_ID, DOKU_CHANNEL_ID.to_owned()),
    ];
    post(target, &headers, sent).await
}

/// One notification attempt: `(HTTP status, acknowledged?)`, or why there is no answer.
pub(crate) async fn attempt(
    sender: &SnapSender,
    target: &Target,
    body: &[u8],
    clock: &dyn Clock,
    stats: &Mutex<Stats>,
) -> Result<(u16, bool), String> {
    let answer = signed_call(
        &sender.client_id,
        &sender.secret,
        &sender.doku,
        &sender.token_target,
        target,
        body,
        sender.minify,
        clock,
        stats,
    )
    .await?;
    let code = answer.response_code();
    Ok((
        answer.status,
        sender.ack.accepts(answer.status, code.as_deref()),
    ))
}

/// The body as sent: compact JSON under the whitespace reading; under another reading an
/// equivalent but non-canonical text (spaces, `\/`, `\uXXXX` escapes), so that only a
/// receiver that minifies as DOKU does verifies it.
pub(crate) fn render(value: &Value, minify: SnapMinify) -> Vec<u8> {
    if minify == SnapMinify::Whitespace {
        return serde_json::to_vec(value).unwrap_or_default();
    }
    let mut out = String::new();
    write_loose(value, &mut out);
    out.into_bytes()
}

fn write_loose(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            out.push_str("{ ");
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(k, out);
                out.push_str(" : ");
                write_loose(v, out);
            }
            out.push_str(" }");
        }
        Value::Array(items) => {
            out.push_str("[ ");
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_loose(v, out);
            }
            out.push_str(" ]");
        }
        Value::String(s) => write_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// Numbers of the normalised form: spaces and leading zeros off.
fn normal(number: &str) -> String {
    number
        .trim_start_matches([' ', '0'])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The source bank of a channel: code and name.
fn source_bank(channel: &str) -> (&'static str, String) {
    let bank = channel.strip_prefix("VIRTUAL_ACCOUNT_").unwrap_or(channel);
    let code = match bank {
        "BCA" => "014",
        "BANK_MANDIRI" => "008",
        "BRI" => "002",
        "BNI" => "009",
        "BANK_CIMB" => "022",
        "BANK_PERMATA" => "013",
        "BANK_DANAMON" => "011",
        "BSI" => "451",
        "BTN" => "200",
        "MAYBANK" => "016",
        _ => "899",
    };
    (code, bank.trim_start_matches("BANK_").replace('_', " "))
}

/// The payment notification of `va` (spec §5.2).
fn notification(va: &Va, paid: &Paid, at: &str) -> Value {
    let channel = va.channel();
    let (bank_code, bank_name) = source_bank(&channel);
    let d = &va.data;
    let mut info = json!({
        "channel": channel,
        "senderName": d.virtual_account_name.clone().unwrap_or_default(),
        "sourceAccountNo": "1234567890",
        "sourceBankCode": bank_code,
        "sourceBankName": bank_name,
    });
    let mut config = d
        .additional_info
        .as_ref()
        .and_then(|i| i.virtual_account_config.as_ref())
        .and_then(|c| serde_json::to_value(c).ok())
        .unwrap_or_else(|| json!({}));
    if config.get("reusableStatus").is_none() {
        config["reusableStatus"] = va.reusable().into();
    }
    info["virtualAccountConfig"] = config;
    json!({
        "partnerServiceId": d.partner_service_id,
        "customerNo": d.customer_no,
        "virtualAccountNo": d.virtual_account_no,
        "virtualAccountName": d.virtual_account_name,
        "virtualAccountEmail": d.virtual_account_email,
        "virtualAccountPhone": d.virtual_account_phone,
        "trxId": d.trx_id,
        "paymentRequestId": paid.payment_request_id,
        "paidAmount": {"value": paid.amount, "currency": doku_model::snap::IDR},
        "trxDateTime": at,
        "virtualAccountTrxType": va.trx_type(),
        "additionalInfo": info,
    })
}

/// The inquiry DOKU sends for `va`.
fn inquiry(va: &Va, inquiry_request_id: &str, at: &str) -> Value {
    let d = &va.data;
    json!({
        "partnerServiceId": d.partner_service_id,
        "customerNo": d.customer_no,
        "virtualAccountNo": d.virtual_account_no,
        "channelCode": "6011",
        "trxDateInit": at,
        "language": "ID",
        "inquiryRequestId": inquiry_request_id,
        "additionalInfo": {},
    })
}

/// Pays a Virtual Account (see the module's documentation).
pub(crate) async fn pay_va(app: &App, request: &PayVaRequest) -> Result<VaPayment, SimError> {
    crate::pay::check_wait(request.wait_seconds).map_err(SimError::Pay)?;
    let wanted = normal(&request.virtual_account_no);
    let now = app.config.clock.unix_seconds();
    let (key, va) = {
        let store = app.snap.vas();
        let mut found = store.accounts.iter().filter(|((owner, _, _), va)| {
            request.client_id.as_deref().is_none_or(|c| c == owner)
                && normal(va.data.virtual_account_no.as_str()) == wanted
        });
        let Some((key, va)) = found.next() else {
            return Err(SimError::Pay(format!(
                "no Virtual Account {}",
                crate::echo::echo(&request.virtual_account_no)
            )));
        };
        if found.next().is_some() {
            return Err(SimError::Pay(
                "several merchants have this Virtual Account number: give client_id".to_owned(),
            ));
        }
        (key.clone(), va.clone())
    };
    let client_id = key.0.clone();
    if va.inactive {
        return Err(SimError::Pay("the Virtual Account is INACTIVE".to_owned()));
    }
    if !va.paid.is_empty() && !va.reusable() {
        return Err(SimError::Pay(
            "the Virtual Account is already paid".to_owned(),
        ));
    }
    if va.expires.is_some_and(|at| at <= now) {
        return Err(SimError::Pay("the Virtual Account has expired".to_owned()));
    }
    let merchant = app.snap.merchant(&client_id);
    let secret = app.key_for(doku_model::Endpoint::CreateVa, &client_id);
    let (Some(doku), Some(secret)) = (app.snap.keys.clone(), secret) else {
        return Err(SimError::Pay(format!(
            "{client_id} has no secret key or DOKU has no key pair"
        )));
    };
    let reading = app.config.readings.snap;
    let stats = app.stats_handle();
    let clock = Arc::clone(&app.config.clock);
    let token_target = merchant
        .as_ref()
        .and_then(|m| m.token_url.as_deref())
        .and_then(|u| Target::parse(u).ok());
    let mut amount =
        va::amount_to_pay(&va, request.amount.as_deref()).map(|a| a.as_str().to_owned());
    let mut inquiry_code = None;
    let mut inquiry_request_id = None;

    // 1. The inquiry, for a direct-inquiry channel.
    let direct = app
        .config
        .snap_direct_inquiry_channels
        .iter()
        .any(|c| *c == va.channel());
    let inquiry_target = merchant
        .as_ref()
        .and_then(|m| m.inquiry_url.as_deref())
        .and_then(|u| Target::parse(u).ok());
    if let (true, Some(target), Some(token_target)) = (direct, &inquiry_target, &token_target) {
        let id = uuid::Uuid::new_v4().to_string();
        let body = render(&inquiry(&va, &id, &jakarta(clock.as_ref())), reading.minify);
        crate::notify::count(&stats, |s| s.snap_inquiries += 1);
        let answer = signed_call(
            &client_id,
            &secret,
            &doku,
            token_target,
            target,
            &body,
            reading.minify,
            clock.as_ref(),
            &stats,
        )
        .await
        .map_err(|why| SimError::Pay(format!("the merchant's inquiry failed: {why}")))?;
        let code = answer.response_code().unwrap_or_default();
        if code != "2002400" || !(200..300).contains(&answer.status) {
            let why = match code.as_str() {
                "4042412" => " (bill not found)",
                "4042414" => " (bill already paid)",
                "4042419" => " (bill expired)",
                _ => "",
            };
            return Err(SimError::Pay(format!(
                "the merchant's inquiry answered HTTP {} responseCode {}{why}: the payment is stopped",
                answer.status,
                crate::echo::echo(&code)
            )));
        }
        let data = answer.json();
        if let Some(v) = data["virtualAccountData"]["totalAmount"]["value"].as_str() {
            amount = Some(v.to_owned());
        }
        inquiry_code = Some(code);
        inquiry_request_id = Some(id);
    } else if direct {
        tracing::warn!(client_id, "direct-inquiry channel but the merchant has no inquiry or token URL: paid without an inquiry");
    }
    let Some(amount) = amount else {
        return Err(SimError::Pay(
            "an open or variable amount needs \"amount\"".to_owned(),
        ));
    };

    // 2. Paid.
    let notification_target = merchant
        .as_ref()
        .and_then(|m| m.notification_url.as_deref())
        .and_then(|u| Target::parse(u).ok());
    if notification_target.is_some() && !app.notifier.has_room() {
        return Err(SimError::Pay(app.notifier.full_message()));
    }
    let paid = Paid {
        amount,
        payment_request_id: format!("{}", uuid::Uuid::new_v4().as_u128() % 10u128.pow(12)),
        inquiry_request_id,
    };
    let va = {
        let mut store = app.snap.vas();
        let Some(stored) = store.accounts.get_mut(&key) else {
            return Err(SimError::Pay(
                "the Virtual Account was deleted meanwhile".to_owned(),
            ));
        };
        if !stored.paid.is_empty() && !stored.reusable() {
            return Err(SimError::Pay(
                "the Virtual Account is already paid".to_owned(),
            ));
        }
        stored.paid.push(paid.clone());
        stored.clone()
    };
    app.stats().snap_payments += 1;

    // 3. The notification, in the background.
    let mut scheduled = None;
    let mut delivery_id = None;
    let mut note = Some(
        "the merchant has no notification URL or token URL registered: no notification was \
         sent (register them with POST /doku-sim/v1/snap/merchants)"
            .to_owned(),
    );
    if let (Some(target), Some(token_target)) = (notification_target, token_target) {
        let body = render(
            &notification(&va, &paid, &jakarta(clock.as_ref())),
            reading.minify,
        );
        let url = merchant.as_ref().and_then(|m| m.notification_url.clone());
        let meta = crate::notify::JobMeta {
            kind: crate::DeliveryKind::SnapVa,
            reference: va.data.virtual_account_no.as_str().to_owned(),
            url: url.clone().unwrap_or_default(),
        };
        let job = Job {
            target,
            body: Bytes::from(body),
            sender: Sender::Snap(Box::new(SnapSender {
                client_id: client_id.clone(),
                secret,
                doku,
                token_target,
                ack: reading.ack,
                minify: reading.minify,
            })),
            meta,
        };
        delivery_id = app.notifier.spawn(job);
        if delivery_id.is_some() {
            app.stats().snap_notifications += 1;
            scheduled = url;
            note = None;
        } else {
            note = Some(crate::pay::DROPPED_NOTE.to_owned());
        }
    }
    let mut delivery = None;
    if let (Some(id), Some(wait)) = (delivery_id, request.wait_seconds) {
        delivery = app
            .notifier
            .history()
            .wait_first_attempt(id, std::time::Duration::from_secs(wait))
            .await;
        note = crate::deliveries::note(delivery.as_ref(), Some(wait));
    }
    Ok(VaPayment {
        client_id,
        virtual_account_no: va.data.virtual_account_no.as_str().to_owned(),
        trx_id: va.data.trx_id.clone(),
        paid_amount: paid.amount,
        payment_request_id: paid.payment_request_id,
        inquiry_response_code: inquiry_code,
        notification_url: scheduled,
        delivery_id,
        delivery,
        note,
    })
}

/// Answers `POST /doku-sim/v1/pay-va`.
pub(crate) async fn answer(app: &App, body: &[u8]) -> Outcome {
    let request: PayVaRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return super::control::refusal(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                &format!("expected {{\"virtual_account_no\":…, \"client_id\"?, \"amount\"?}}: {e}"),
            )
        }
    };
    if let Err(why) = crate::pay::check_wait(request.wait_seconds) {
        return super::control::refusal(StatusCode::BAD_REQUEST, "invalid_wait", &why);
    }
    match pay_va(app, &request).await {
        Ok(payment) => super::control::json(
            StatusCode::OK,
            &serde_json::to_value(&payment).unwrap_or_default(),
        ),
        Err(SimError::Pay(why)) => {
            super::control::refusal(StatusCode::CONFLICT, "cannot_pay", &why)
        }
        Err(other) => super::control::refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            &other.to_string(),
        ),
    }
}
