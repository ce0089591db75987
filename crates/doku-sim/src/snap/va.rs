//! Virtual Accounts: one store per merchant, and the four calls on it (create, update, delete,
//! check status) in the shapes of DOKU's samples.

use std::collections::HashMap;

use doku_model::snap::{
    AmountValue, CheckStatusVaRequest, CustomerNo, DeleteVaRequest, PartnerServiceId, VaChannel,
    VaStatus, VaTrxType, VirtualAccountData, VirtualAccountNo, IDR,
};
use doku_model::{decode, DecodeErrorKind, Endpoint};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use super::reply;
use crate::doubts::Doubt;
use crate::response::Reply;
use crate::state::App;

/// Most Virtual Accounts kept (all merchants together); more are refused with `5002700`.
pub(crate) const MAX_VAS: usize = 100_000;

/// Why an unknown channel is in doubt.
const UNKNOWN_CHANNEL: &str = "is not one of the channels DOKU's SDKs list; DOKU may know it \
(the list is open) or refuse it";
/// Why a Create VA without `expiredDate` is in doubt.
const NO_EXPIRED_DATE: &str = "is absent: DOKU's sample and every SDK send it; whether DOKU \
refuses a Virtual Account without one (or picks a default) is not known";

/// A paid Virtual Account's payment.
#[derive(Debug, Clone)]
pub(crate) struct Paid {
    pub(crate) amount: String,
    pub(crate) payment_request_id: String,
    pub(crate) inquiry_request_id: Option<String>,
}

/// One Virtual Account.
#[derive(Debug, Clone)]
pub(crate) struct Va {
    /// The data as the merchant last sent it (create or update).
    pub(crate) data: VirtualAccountData,
    /// `expiredDate` in Unix seconds, when given.
    pub(crate) expires: Option<i64>,
    /// Switched off by Update VA (`virtualAccountConfig.status` `INACTIVE`).
    pub(crate) inactive: bool,
    /// The payments (a reusable number may be paid more than once; the last is shown).
    pub(crate) paid: Vec<Paid>,
}

impl Va {
    /// `C` unless the merchant said otherwise.
    pub(crate) fn trx_type(&self) -> VaTrxType {
        self.data
            .virtual_account_trx_type
            .clone()
            .unwrap_or(VaTrxType::Closed)
    }

    /// Whether the number may be paid again after a payment.
    pub(crate) fn reusable(&self) -> bool {
        self.data
            .additional_info
            .as_ref()
            .and_then(|i| i.virtual_account_config.as_ref())
            .and_then(|c| c.is_reusable())
            .unwrap_or(false)
    }

    /// The bill's amount text, if any.
    pub(crate) fn bill(&self) -> Option<&str> {
        self.data.total_amount.as_ref().map(|a| a.value.as_str())
    }

    /// The channel's name (`VIRTUAL_ACCOUNT_BCA` when none was given).
    pub(crate) fn channel(&self) -> String {
        self.data.channel().map_or_else(
            || "VIRTUAL_ACCOUNT_BCA".to_owned(),
            |c| c.as_str().to_owned(),
        )
    }
}

/// The key of a Virtual Account: merchant, BIN digits, customer number. The three paddings of
/// `partnerServiceId` DOKU's pages show all name the same account.
pub(crate) type Key = (String, String, String);

/// The key of `client_id`'s account with these parts.
pub(crate) fn key(client_id: &str, psid: &PartnerServiceId, customer_no: &CustomerNo) -> Key {
    (
        client_id.to_owned(),
        psid.as_str().trim_start_matches([' ', '0']).to_owned(),
        customer_no.as_str().to_owned(),
    )
}

/// Every merchant's Virtual Accounts.
#[derive(Debug, Default)]
pub(crate) struct VaStore {
    pub(crate) accounts: HashMap<Key, Va>,
}

/// What a handler needs of the request.
pub(crate) struct VaCall<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) body: &'a [u8],
    pub(crate) doubts: Vec<Doubt>,
}

/// Decodes a body; a missing field is `400ss02`, any other shape problem `400ss01`, naming the
/// path.
fn decode_as<T: DeserializeOwned>(service: u8, body: &[u8]) -> Result<T, Reply> {
    decode::<T>(body).map_err(|e| match e.kind {
        DecodeErrorKind::Data if e.message.starts_with("missing field") => {
            let field = e
                .message
                .split('`')
                .nth(1)
                .map(|name| {
                    if e.path == "." {
                        name.to_owned()
                    } else {
                        format!("{}.{name}", e.path)
                    }
                })
                .unwrap_or_else(|| e.path.clone());
            reply::mandatory(service, &field)
        }
        DecodeErrorKind::Data => reply::format(service, &e.path, &e.message),
        _ => reply::bad_request(service, &format!("the body is not JSON: {}", e.message)),
    })
}

/// The checks of a Virtual Account's identity as received (any of the three paddings).
fn check_identity(
    service: u8,
    psid: &PartnerServiceId,
    customer_no: &CustomerNo,
    va_no: &VirtualAccountNo,
) -> Result<(), Reply> {
    psid.check_received()
        .map_err(|why| reply::format(service, "partnerServiceId", why))?;
    customer_no
        .check()
        .map_err(|why| reply::format(service, "customerNo", why))?;
    if va_no.form_for(psid, customer_no).is_none() {
        return Err(reply::format(
            service,
            "virtualAccountNo",
            "is not partnerServiceId + customerNo (space-padded, zero-padded or unpadded)",
        ));
    }
    Ok(())
}

/// Checks a Create/Update body as received; `create` adds Create's mandatory fields.
fn check_data(
    service: u8,
    data: &VirtualAccountData,
    create: bool,
    doubts: &mut Vec<Doubt>,
) -> Result<Option<i64>, Reply> {
    let missing = |field: &str| reply::mandatory(service, field);
    if create && data.virtual_account_name.is_none() {
        return Err(missing("virtualAccountName"));
    }
    let Some(trx_id) = &data.trx_id else {
        return Err(missing("trxId"));
    };
    if create && data.total_amount.is_none() {
        return Err(missing("totalAmount"));
    }
    let Some(channel) = data.channel() else {
        return Err(missing("additionalInfo.channel"));
    };
    if create && data.virtual_account_trx_type.is_none() {
        return Err(missing("virtualAccountTrxType"));
    }
    check_identity(
        service,
        &data.partner_service_id,
        &data.customer_no,
        &data.virtual_account_no,
    )?;
    if trx_id.is_empty() || trx_id.chars().count() > doku_model::snap::MAX_TRX_ID {
        return Err(reply::format(
            service,
            "trxId",
            "must be 1 to 64 characters",
        ));
    }
    if let Some(name) = &data.virtual_account_name {
        if name.is_empty() || name.chars().count() > doku_model::snap::MAX_VA_NAME {
            return Err(reply::format(
                service,
                "virtualAccountName",
                "must be 1 to 255 characters",
            ));
        }
    }
    if let Some(amount) = &data.total_amount {
        amount
            .value
            .check()
            .map_err(|why| reply::format(service, "totalAmount.value", why))?;
        if amount.currency != IDR {
            return Err(reply::format(
                service,
                "totalAmount.currency",
                "must be IDR",
            ));
        }
    }
    if let Some(t) = &data.virtual_account_trx_type {
        if t.is_unknown() {
            return Err(reply::format(
                service,
                "virtualAccountTrxType",
                "must be C (closed), O (open) or V (variable)",
            ));
        }
    }
    if channel.is_unknown() {
        doubts.push(Doubt {
            field: "additionalInfo.channel",
            why: UNKNOWN_CHANNEL,
        });
    }
    let config = data
        .additional_info
        .as_ref()
        .and_then(|i| i.virtual_account_config.as_ref());
    for (field, value) in [
        (
            "additionalInfo.virtualAccountConfig.minAmount",
            config.and_then(|c| c.min_amount.as_ref()),
        ),
        (
            "additionalInfo.virtualAccountConfig.maxAmount",
            config.and_then(|c| c.max_amount.as_ref()),
        ),
    ] {
        if let Some(v) = value {
            v.check()
                .map_err(|why| reply::format(service, field, why))?;
        }
    }
    if let Some(status) = config.and_then(|c| c.status.as_ref()) {
        if status.is_unknown() {
            return Err(reply::format(
                service,
                "additionalInfo.virtualAccountConfig.status",
                "must be ACTIVE or INACTIVE",
            ));
        }
    }
    match &data.expired_date {
        Some(date) => {
            let fixed = date.len() >= 20 && !date.ends_with('z');
            match doku_sign::timestamp::parse_unix_seconds(date) {
                Ok(at) if fixed => Ok(Some(at)),
                _ => Err(reply::format(
                    service,
                    "expiredDate",
                    "must be ISO 8601 with an offset, e.g. 2024-07-12T10:47:11+07:00",
                )),
            }
        }
        None => {
            if create {
                doubts.push(Doubt {
                    field: "expiredDate",
                    why: NO_EXPIRED_DATE,
                });
            }
            Ok(None)
        }
    }
}

/// Runs the doubts, refusing under `--strict` with `400ss01` naming the first.
pub(crate) fn settle(
    app: &App,
    service: u8,
    endpoint: &str,
    doubts: Vec<Doubt>,
) -> Result<(), Reply> {
    let first = doubts.first().map(|d| d.field);
    crate::doubts::settle(app, endpoint, doubts).map_err(|messages| {
        reply::format(
            service,
            first.unwrap_or(""),
            messages.first().map_or("", String::as_str),
        )
    })
}

/// `virtualAccountData` of an answer: the data as stored, with the how-to-pay links.
fn answer_data(app: &App, data: &VirtualAccountData) -> Value {
    let mut data = data.clone();
    let channel = data
        .channel()
        .map_or("VIRTUAL_ACCOUNT_BCA", VaChannel::as_str)
        .to_owned();
    let bank = channel
        .strip_prefix("VIRTUAL_ACCOUNT_")
        .unwrap_or(&channel)
        .to_ascii_lowercase();
    let number: String = data
        .virtual_account_no
        .as_str()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let info = data.additional_info.get_or_insert_with(Default::default);
    info.how_to_pay_page = Some(format!(
        "{}/how-to-pay/virtual-account/{bank}/{number}",
        app.base_url
    ));
    info.how_to_pay_api = Some(format!(
        "{}/how-to-pay/v2/virtual-account/{bank}/{number}",
        app.base_url
    ));
    serde_json::to_value(&data).unwrap_or_default()
}

fn success(endpoint: Endpoint, data: Value) -> Reply {
    let service = super::service_code(endpoint);
    let mut extra = Map::new();
    extra.insert("virtualAccountData".into(), data);
    reply::with(200, service, 0, "Successful", extra)
}

/// Create VA: `2002700` with the data and the how-to-pay links; the same number again
/// `4092700`.
pub(crate) fn create(app: &App, call: VaCall<'_>) -> Reply {
    let service = super::service_code(Endpoint::CreateVa);
    let mut doubts = call.doubts;
    let data: VirtualAccountData = match decode_as(service, call.body) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let expires = match check_data(service, &data, true, &mut doubts) {
        Ok(e) => e,
        Err(r) => return r,
    };
    if let Err(r) = settle(app, service, Endpoint::CreateVa.name(), doubts) {
        return r;
    }
    let key = key(call.client_id, &data.partner_service_id, &data.customer_no);
    {
        let mut store = app.snap.vas();
        if store.accounts.contains_key(&key) {
            return reply::conflict(
                service,
                "this virtualAccountNo already exists for this merchant (delete it first)",
            );
        }
        if store.accounts.len() >= MAX_VAS {
            return reply::plain(
                500,
                service,
                0,
                format!("General Error: the simulator keeps at most {MAX_VAS} Virtual Accounts"),
            );
        }
        store.accounts.insert(
            key,
            Va {
                data: data.clone(),
                expires,
                inactive: false,
                paid: Vec::new(),
            },
        );
    }
    app.stats().snap_vas_created += 1;
    success(Endpoint::CreateVa, answer_data(app, &data))
}

/// Update VA: `2002800`; unknown `4042812`; a paid closed-amount number `4042814`.
pub(crate) fn update(app: &App, call: VaCall<'_>) -> Reply {
    let service = super::service_code(Endpoint::UpdateVa);
    let mut doubts = call.doubts;
    let data: VirtualAccountData = match decode_as(service, call.body) {
        Ok(d) => d,
        Err(r) => return r,
    };
    let expires = match check_data(service, &data, false, &mut doubts) {
        Ok(e) => e,
        Err(r) => return r,
    };
    if let Err(r) = settle(app, service, Endpoint::UpdateVa.name(), doubts) {
        return r;
    }
    let key = key(call.client_id, &data.partner_service_id, &data.customer_no);
    let stored = {
        let mut store = app.snap.vas();
        let Some(va) = store.accounts.get_mut(&key) else {
            return reply::not_found(service, "no such virtualAccountNo for this merchant");
        };
        if !va.paid.is_empty() && !va.reusable() {
            return reply::plain(404, service, 14, "Paid Bill: this Virtual Account is paid");
        }
        let status = data
            .additional_info
            .as_ref()
            .and_then(|i| i.virtual_account_config.as_ref())
            .and_then(|c| c.status.clone());
        if let Some(status) = status {
            va.inactive = status == VaStatus::Inactive;
        }
        merge(&mut va.data, &data);
        if expires.is_some() {
            va.expires = expires;
        }
        va.data.clone()
    };
    app.stats().snap_va_updates += 1;
    success(Endpoint::UpdateVa, answer_data(app, &stored))
}

/// Update VA's fields replace the stored ones; what it leaves out is kept.
fn merge(stored: &mut VirtualAccountData, new: &VirtualAccountData) {
    stored.virtual_account_no = new.virtual_account_no.clone();
    stored.partner_service_id = new.partner_service_id.clone();
    macro_rules! take {
        ($($field:ident),*) => {$(
            if new.$field.is_some() { stored.$field = new.$field.clone(); }
        )*};
    }
    take!(
        virtual_account_name,
        virtual_account_email,
        virtual_account_phone,
        trx_id,
        total_amount,
        additional_info,
        virtual_account_trx_type,
        expired_date,
        free_text
    );
    stored.extra.extend(new.extra.clone());
}

/// The preamble of a call that names an existing VA (delete, status): the request decoded, its
/// three numbers consistent, the doubts settled, and the VA's store key.
fn naming_a_va<T: DeserializeOwned>(
    app: &App,
    endpoint: Endpoint,
    call: VaCall<'_>,
    numbers: impl Fn(&T) -> (&PartnerServiceId, &CustomerNo, &VirtualAccountNo),
) -> Result<(T, Key), Reply> {
    let service = super::service_code(endpoint);
    let request: T = decode_as(service, call.body)?;
    let (psid, customer_no, va_no) = numbers(&request);
    check_identity(service, psid, customer_no, va_no)?;
    settle(app, service, endpoint.name(), call.doubts)?;
    let key = key(call.client_id, psid, customer_no);
    Ok((request, key))
}

/// Delete VA: `2003100` echoing the request; unknown number (or another trxId) `4043112`.
pub(crate) fn delete(app: &App, call: VaCall<'_>) -> Reply {
    let service = super::service_code(Endpoint::DeleteVa);
    let (request, key) = match naming_a_va(app, Endpoint::DeleteVa, call, |r: &DeleteVaRequest| {
        (&r.partner_service_id, &r.customer_no, &r.virtual_account_no)
    }) {
        Ok(named) => named,
        Err(r) => return r,
    };
    {
        let mut store = app.snap.vas();
        let same_trx = store
            .accounts
            .get(&key)
            .is_some_and(|va| va.data.trx_id.as_deref() == Some(request.trx_id.as_str()));
        if !same_trx {
            return reply::not_found(
                service,
                "no such virtualAccountNo with this trxId for this merchant",
            );
        }
        store.accounts.remove(&key);
    }
    app.stats().snap_va_deletes += 1;
    success(
        Endpoint::DeleteVa,
        serde_json::to_value(&request).unwrap_or_default(),
    )
}

/// Check status: `2002600` with `paymentFlagReason`, paid and bill amounts; unknown `4042612`.
pub(crate) fn status(app: &App, call: VaCall<'_>) -> Reply {
    let service = super::service_code(Endpoint::VaStatus);
    let (request, key) =
        match naming_a_va(app, Endpoint::VaStatus, call, |r: &CheckStatusVaRequest| {
            (&r.partner_service_id, &r.customer_no, &r.virtual_account_no)
        }) {
            Ok(named) => named,
            Err(r) => return r,
        };
    let Some(va) = app.snap.vas().accounts.get(&key).cloned() else {
        return reply::not_found(service, "no such virtualAccountNo for this merchant");
    };
    app.stats().snap_status_checks += 1;
    let now = app.config.clock.unix_seconds();
    let last = va.paid.last();
    let (english, indonesia) = match last {
        Some(_) => ("Success", "Sukses"),
        None if va.expires.is_some_and(|at| at <= now) => ("Expired", "Kedaluwarsa"),
        None => ("Pending", "Menunggu Pembayaran"),
    };
    let amount = |value: &str| json!({"value": value, "currency": IDR});
    let bank = va
        .channel()
        .strip_prefix("VIRTUAL_ACCOUNT_")
        .unwrap_or("DOKU")
        .to_owned();
    let data = json!({
        "paymentFlagReason": {"english": english, "indonesia": indonesia},
        "partnerServiceId": va.data.partner_service_id,
        "customerNo": va.data.customer_no,
        "virtualAccountNo": va.data.virtual_account_no,
        "inquiryRequestId": last.and_then(|p| p.inquiry_request_id.clone())
            .or(request.inquiry_request_id.clone()).unwrap_or_default(),
        "paymentRequestId": last.map(|p| p.payment_request_id.clone())
            .or(request.payment_request_id.clone()).unwrap_or_default(),
        "trxId": va.data.trx_id.clone().unwrap_or_default(),
        "paidAmount": amount(last.map_or("0.00", |p| p.amount.as_str())),
        "billAmount": amount(va.bill().unwrap_or("0.00")),
        "additionalInfo": {"acquirer": {"id": bank}},
    });
    success(Endpoint::VaStatus, data)
}

/// The amount a payment of `va` is for: the bill (closed amount), else `requested`, else the
/// bill or the minimum.
pub(crate) fn amount_to_pay(va: &Va, requested: Option<&str>) -> Option<AmountValue> {
    if va.trx_type() == VaTrxType::Closed {
        return va.bill().map(AmountValue::unchecked);
    }
    if let Some(r) = requested {
        return Some(AmountValue::unchecked(r));
    }
    va.bill().map(AmountValue::unchecked).or_else(|| {
        va.data
            .additional_info
            .as_ref()
            .and_then(|i| i.virtual_account_config.as_ref())
            .and_then(|c| c.min_amount.clone())
    })
}
