//! Create VA and Update VA: the request (a Virtual Account's data) and DOKU's answer.

use serde::{Deserialize, Serialize};

use super::amount::SnapAmount;
use super::response_code::ResponseCode;
use super::rules;
use super::va_number::{self, CustomerNo, PartnerServiceId, VirtualAccountNo};
use super::va_parts::{
    BilingualText, VaAdditionalInfo, VaChannel, VaTrxType, VirtualAccountConfig,
};
use crate::validate::{Validate, ValidationErrors};

/// A Virtual Account's data: the body of Create VA and Update VA, and `virtualAccountData` in
/// their answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualAccountData {
    /// The BIN, 8 characters left-padded with spaces.
    #[serde(rename = "partnerServiceId")]
    pub partner_service_id: PartnerServiceId,
    /// Up to 20 digits.
    #[serde(rename = "customerNo")]
    pub customer_no: CustomerNo,
    /// partnerServiceId + customerNo.
    #[serde(rename = "virtualAccountNo")]
    pub virtual_account_no: VirtualAccountNo,
    /// The customer's name (at most 255).
    #[serde(
        rename = "virtualAccountName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_name: Option<String>,
    /// The customer's e-mail.
    #[serde(
        rename = "virtualAccountEmail",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_email: Option<String>,
    /// The customer's phone.
    #[serde(
        rename = "virtualAccountPhone",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_phone: Option<String>,
    /// The merchant's transaction id, e.g. its invoice number (at most 64).
    #[serde(rename = "trxId", default, skip_serializing_if = "Option::is_none")]
    pub trx_id: Option<String>,
    /// The bill.
    #[serde(
        rename = "totalAmount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amount: Option<SnapAmount>,
    /// Channel, configuration and (in answers) the how-to-pay links.
    #[serde(
        rename = "additionalInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_info: Option<VaAdditionalInfo>,
    /// `C` closed, `O` open, `V` variable.
    #[serde(
        rename = "virtualAccountTrxType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_trx_type: Option<VaTrxType>,
    /// When the number expires: ISO 8601 with an offset, e.g. `2024-07-12T10:47:11+07:00`.
    #[serde(
        rename = "expiredDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expired_date: Option<String>,
    /// Text shown to the customer.
    #[serde(rename = "freeText", default, skip_serializing_if = "Option::is_none")]
    pub free_text: Option<Vec<BilingualText>>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl VirtualAccountData {
    /// A closed-amount Virtual Account: the number is partnerServiceId (space-padded) +
    /// customerNo; `additionalInfo.channel` is set.
    pub fn new(
        partner_service_id: PartnerServiceId,
        customer_no: CustomerNo,
        name: impl Into<String>,
        trx_id: impl Into<String>,
        total_amount: SnapAmount,
        channel: VaChannel,
    ) -> Self {
        let virtual_account_no = VirtualAccountNo::compose(&partner_service_id, &customer_no);
        Self {
            partner_service_id,
            customer_no,
            virtual_account_no,
            virtual_account_name: Some(name.into()),
            virtual_account_email: None,
            virtual_account_phone: None,
            trx_id: Some(trx_id.into()),
            total_amount: Some(total_amount),
            additional_info: Some(VaAdditionalInfo::channel(channel)),
            virtual_account_trx_type: Some(VaTrxType::Closed),
            expired_date: None,
            free_text: None,
            extra: serde_json::Map::new(),
        }
    }

    /// The channel, if `additionalInfo.channel` is present.
    pub fn channel(&self) -> Option<&VaChannel> {
        self.additional_info.as_ref()?.channel.as_ref()
    }

    /// Every problem of the data as a request we send; `required` lists the mandatory
    /// optional fields' JSON names.
    pub(crate) fn check_sent(&self, e: &mut ValidationErrors, required: &[&str]) {
        va_number::check_sent(
            e,
            "",
            &self.partner_service_id,
            &self.customer_no,
            &self.virtual_account_no,
        );
        let need = |name: &str| required.contains(&name);
        match &self.virtual_account_name {
            Some(n) => rules::text(e, "virtualAccountName", n, rules::MAX_VA_NAME),
            None if need("virtualAccountName") => e.push("virtualAccountName", "is required"),
            None => {}
        }
        if let Some(email) = &self.virtual_account_email {
            e.email("virtualAccountEmail", email);
            rules::optional_text(e, "virtualAccountEmail", Some(email), rules::MAX_VA_EMAIL);
        }
        if let Some(phone) = &self.virtual_account_phone {
            if phone.is_empty() || !phone.bytes().all(|b| b.is_ascii_digit() || b == b'+') {
                e.push(
                    "virtualAccountPhone",
                    "must be digits (an optional leading +)",
                );
            }
            e.max_chars("virtualAccountPhone", phone, rules::MAX_VA_PHONE);
        }
        match &self.trx_id {
            Some(t) => rules::text(e, "trxId", t, rules::MAX_TRX_ID),
            None if need("trxId") => e.push("trxId", "is required"),
            None => {}
        }
        match &self.total_amount {
            Some(a) => a.check_into(e, "totalAmount"),
            None if need("totalAmount") => e.push("totalAmount", "is required"),
            None => {}
        }
        match &self.additional_info {
            Some(info) => info.check_into(e, "additionalInfo", need("additionalInfo.channel")),
            None if need("additionalInfo.channel") => {
                e.push("additionalInfo.channel", "is required");
            }
            None => {}
        }
        match &self.virtual_account_trx_type {
            Some(t) => e.known("virtualAccountTrxType", t.is_unknown(), t),
            None if need("virtualAccountTrxType") => e.push("virtualAccountTrxType", "is required"),
            None => {}
        }
        match &self.expired_date {
            Some(d) => rules::date_time(e, "expiredDate", d),
            None if need("expiredDate") => e.push("expiredDate", "is required"),
            None => {}
        }
        for (i, t) in self.free_text.iter().flatten().enumerate() {
            t.check_into(e, &format!("freeText[{i}]"));
        }
        for (key, value) in [
            (
                "additionalInfo.howToPayPage",
                self.additional_info
                    .as_ref()
                    .and_then(|i| i.how_to_pay_page.as_deref()),
            ),
            (
                "additionalInfo.howToPayApi",
                self.additional_info
                    .as_ref()
                    .and_then(|i| i.how_to_pay_api.as_deref()),
            ),
        ] {
            if let Some(v) = value {
                rules::wire_text(e, key, v);
            }
        }
    }
}

/// The fields Create VA requires (DOKU's sample and the SDKs).
const CREATE_REQUIRED: &[&str] = &[
    "virtualAccountName",
    "trxId",
    "totalAmount",
    "additionalInfo.channel",
    "virtualAccountTrxType",
    "expiredDate",
];

/// The fields Update VA requires.
const UPDATE_REQUIRED: &[&str] = &["trxId", "additionalInfo.channel"];

/// Body of Create VA (`POST …/transfer-va/create-va`, service 27).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CreateVaRequest {
    /// The Virtual Account to create.
    pub va: VirtualAccountData,
}

impl CreateVaRequest {
    /// A closed-amount Virtual Account expiring at `expired_date` (ISO 8601 with an offset);
    /// see [`VirtualAccountData::new`].
    pub fn new(va: VirtualAccountData, expired_date: impl Into<String>) -> Self {
        let mut va = va;
        va.expired_date = Some(expired_date.into());
        Self { va }
    }

    /// Sets `virtualAccountTrxType`.
    pub fn trx_type(mut self, trx_type: VaTrxType) -> Self {
        self.va.virtual_account_trx_type = Some(trx_type);
        self
    }

    /// Sets `virtualAccountEmail`.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.va.virtual_account_email = Some(email.into());
        self
    }

    /// Sets `virtualAccountPhone`.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.va.virtual_account_phone = Some(phone.into());
        self
    }

    /// Appends a `freeText` line.
    pub fn free_text(mut self, text: BilingualText) -> Self {
        self.va.free_text.get_or_insert_with(Vec::new).push(text);
        self
    }

    /// Sets `additionalInfo.virtualAccountConfig`.
    pub fn config(mut self, config: VirtualAccountConfig) -> Self {
        self.va
            .additional_info
            .get_or_insert_with(VaAdditionalInfo::default)
            .virtual_account_config = Some(config);
        self
    }
}

impl Validate for CreateVaRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        self.va.check_sent(&mut e, CREATE_REQUIRED);
        e.into_result()
    }
}

/// Body of Update VA (`PUT …/transfer-va/update-va`, service 28): the same shape as Create VA;
/// `additionalInfo.virtualAccountConfig.status` may switch the number off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UpdateVaRequest {
    /// The Virtual Account's new data.
    pub va: VirtualAccountData,
}

impl From<CreateVaRequest> for UpdateVaRequest {
    fn from(create: CreateVaRequest) -> Self {
        Self { va: create.va }
    }
}

impl Validate for UpdateVaRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        self.va.check_sent(&mut e, UPDATE_REQUIRED);
        e.into_result()
    }
}

/// DOKU's answer to Create, Update and Delete VA: `responseCode` (`2002700`, `2002800`,
/// `2003100` on success), `responseMessage` and the Virtual Account's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaResponse {
    /// The 7-digit code.
    #[serde(rename = "responseCode")]
    pub response_code: ResponseCode,
    /// DOKU's message, e.g. `Successful`.
    #[serde(
        rename = "responseMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_message: Option<String>,
    /// The Virtual Account as DOKU stored it (with `howToPayPage` on create).
    #[serde(
        rename = "virtualAccountData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_data: Option<VirtualAccountData>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl VaResponse {
    /// A success answer with the default message (`Successful`) and the data.
    pub fn success(code: ResponseCode, data: VirtualAccountData) -> Self {
        Self {
            response_message: Some(code.default_message().to_owned()),
            response_code: code,
            virtual_account_data: Some(data),
            extra: serde_json::Map::new(),
        }
    }
}

/// DOKU's answer to Create VA.
pub type CreateVaResponse = VaResponse;
/// DOKU's answer to Update VA.
pub type UpdateVaResponse = VaResponse;
