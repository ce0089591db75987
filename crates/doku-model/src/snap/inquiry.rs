//! DOKU's inquiry (DOKU → merchant, service 24, only for banks with direct inquiry) and the
//! merchant's answer: the bill (`2002400`), or not found (`4042412`), paid (`4042414`),
//! expired (`4042419`).

use serde::{Deserialize, Serialize};

use super::amount::SnapAmount;
use super::response_code::ResponseCode;
use super::rules;
use super::va_number::{self, CustomerNo, PartnerServiceId, VirtualAccountNo};
use super::va_parts::{BilingualText, VaChannel, VaTrxType, VirtualAccountConfig};
use crate::validate::{Validate, ValidationErrors};

/// `inquiryStatus` of a bill that was found.
pub const INQUIRY_STATUS_SUCCESS: &str = "00";
/// `inquiryStatus` of a bill that was not (not found, paid, expired): SNAP's failure value.
pub const INQUIRY_STATUS_FAILED: &str = "01";

/// Body of DOKU's inquiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaInquiryRequest {
    /// The BIN.
    #[serde(rename = "partnerServiceId")]
    pub partner_service_id: PartnerServiceId,
    /// The customer number.
    #[serde(rename = "customerNo")]
    pub customer_no: CustomerNo,
    /// partnerServiceId + customerNo, in any of the three paddings.
    #[serde(rename = "virtualAccountNo")]
    pub virtual_account_no: VirtualAccountNo,
    /// The bank's channel code, e.g. `6011`.
    #[serde(
        rename = "channelCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_code: Option<String>,
    /// When the inquiry started, as DOKU wrote it.
    #[serde(
        rename = "trxDateInit",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub trx_date_init: Option<String>,
    /// The customer's language, e.g. `ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// DOKU's id of this inquiry (echoed in the answer).
    #[serde(
        rename = "inquiryRequestId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inquiry_request_id: Option<String>,
    /// Kept as received.
    #[serde(
        rename = "additionalInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_info: Option<serde_json::Map<String, serde_json::Value>>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Validate for VaInquiryRequest {
    /// The identity in any of the three paddings and text that signs under every minifier.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        va_number::check_received(
            &mut e,
            "",
            &self.partner_service_id,
            &self.customer_no,
            &self.virtual_account_no,
        );
        for (path, value) in [
            ("channelCode", &self.channel_code),
            ("trxDateInit", &self.trx_date_init),
            ("language", &self.language),
            ("inquiryRequestId", &self.inquiry_request_id),
        ] {
            if let Some(v) = value {
                rules::wire_text(&mut e, path, v);
            }
        }
        e.into_result()
    }
}

/// `additionalInfo` of an inquiry answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InquiryAdditionalInfo {
    /// The bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<VaChannel>,
    /// The merchant's transaction id of the bill.
    #[serde(rename = "trxId", default, skip_serializing_if = "Option::is_none")]
    pub trx_id: Option<String>,
    /// Reusability and amount range.
    #[serde(
        rename = "virtualAccountConfig",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_config: Option<VirtualAccountConfig>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `virtualAccountData` of an inquiry answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InquiryVaData {
    /// Echoed from the inquiry.
    #[serde(rename = "partnerServiceId")]
    pub partner_service_id: PartnerServiceId,
    /// Echoed from the inquiry.
    #[serde(rename = "customerNo")]
    pub customer_no: CustomerNo,
    /// Echoed from the inquiry.
    #[serde(rename = "virtualAccountNo")]
    pub virtual_account_no: VirtualAccountNo,
    /// The customer's name.
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
    /// The bill.
    #[serde(
        rename = "totalAmount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub total_amount: Option<SnapAmount>,
    /// `C`, `O` or `V`.
    #[serde(
        rename = "virtualAccountTrxType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_trx_type: Option<VaTrxType>,
    /// `00` found, `01` not.
    #[serde(
        rename = "inquiryStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inquiry_status: Option<String>,
    /// Why, in both languages.
    #[serde(
        rename = "inquiryReason",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inquiry_reason: Option<BilingualText>,
    /// Echoed from the inquiry.
    #[serde(
        rename = "inquiryRequestId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inquiry_request_id: Option<String>,
    /// Text shown to the customer.
    #[serde(rename = "freeText", default, skip_serializing_if = "Option::is_none")]
    pub free_text: Option<Vec<BilingualText>>,
    /// Channel, transaction id, configuration.
    #[serde(
        rename = "additionalInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_info: Option<InquiryAdditionalInfo>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The bill a merchant answers an inquiry with.
#[derive(Debug, Clone, PartialEq)]
pub struct InquiryBill {
    /// The customer's name (at most 255).
    pub name: String,
    /// The amount due.
    pub total_amount: SnapAmount,
    /// `C`, `O` or `V`.
    pub trx_type: VaTrxType,
    /// The merchant's transaction id (at most 64).
    pub trx_id: String,
    /// The bank (defaults to none).
    pub channel: Option<VaChannel>,
    /// Reusability and amount range.
    pub config: Option<VirtualAccountConfig>,
    /// Text shown to the customer.
    pub free_text: Vec<BilingualText>,
}

impl InquiryBill {
    /// A closed-amount bill.
    pub fn new(
        name: impl Into<String>,
        total_amount: SnapAmount,
        trx_id: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            total_amount,
            trx_type: VaTrxType::Closed,
            trx_id: trx_id.into(),
            channel: None,
            config: None,
            free_text: Vec::new(),
        }
    }
}

/// The merchant's answer to an inquiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaInquiryResponse {
    /// `2002400`, `4042412`, `4042414` or `4042419`.
    #[serde(rename = "responseCode")]
    pub response_code: ResponseCode,
    /// The message.
    #[serde(
        rename = "responseMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_message: Option<String>,
    /// The bill, or the echoed identity with the failure reason.
    #[serde(
        rename = "virtualAccountData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_data: Option<InquiryVaData>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl VaInquiryResponse {
    fn echo(req: &VaInquiryRequest, status: &str, reason: BilingualText) -> InquiryVaData {
        InquiryVaData {
            partner_service_id: req.partner_service_id.clone(),
            customer_no: req.customer_no.clone(),
            virtual_account_no: req.virtual_account_no.clone(),
            virtual_account_name: None,
            virtual_account_email: None,
            virtual_account_phone: None,
            total_amount: None,
            virtual_account_trx_type: None,
            inquiry_status: Some(status.to_owned()),
            inquiry_reason: Some(reason),
            inquiry_request_id: req.inquiry_request_id.clone(),
            free_text: None,
            additional_info: None,
            extra: serde_json::Map::new(),
        }
    }

    /// `2002400` "Successful" with the bill; the identity and `inquiryRequestId` are echoed
    /// as received, `inquiryStatus` is `00`.
    pub fn found(req: &VaInquiryRequest, bill: InquiryBill) -> Self {
        let mut data = Self::echo(
            req,
            INQUIRY_STATUS_SUCCESS,
            BilingualText::new("Success", "Sukses"),
        );
        data.virtual_account_name = Some(bill.name);
        data.total_amount = Some(bill.total_amount);
        data.virtual_account_trx_type = Some(bill.trx_type);
        data.free_text = (!bill.free_text.is_empty()).then_some(bill.free_text);
        data.additional_info = Some(InquiryAdditionalInfo {
            channel: bill.channel,
            trx_id: Some(bill.trx_id),
            virtual_account_config: bill.config,
            extra: serde_json::Map::new(),
        });
        Self::with(ResponseCode::INQUIRY_SUCCESS, data)
    }

    /// `4042412`: no such bill.
    pub fn not_found(req: &VaInquiryRequest) -> Self {
        let reason = BilingualText::new("Bill not found", "Tagihan tidak ditemukan");
        Self::with(
            ResponseCode::BILL_NOT_FOUND,
            Self::echo(req, INQUIRY_STATUS_FAILED, reason),
        )
    }

    /// `4042414`: the bill is already paid.
    pub fn paid(req: &VaInquiryRequest) -> Self {
        let reason = BilingualText::new("Bill has been paid", "Tagihan sudah dibayar");
        Self::with(
            ResponseCode::BILL_PAID,
            Self::echo(req, INQUIRY_STATUS_FAILED, reason),
        )
    }

    /// `4042419`: the bill has expired.
    pub fn expired(req: &VaInquiryRequest) -> Self {
        let reason = BilingualText::new("Bill has expired", "Tagihan sudah kedaluwarsa");
        Self::with(
            ResponseCode::BILL_EXPIRED,
            Self::echo(req, INQUIRY_STATUS_FAILED, reason),
        )
    }

    fn with(code: ResponseCode, data: InquiryVaData) -> Self {
        Self {
            response_message: Some(code.default_message().to_owned()),
            response_code: code,
            virtual_account_data: Some(data),
            extra: serde_json::Map::new(),
        }
    }
}

impl Validate for VaInquiryResponse {
    /// What a merchant sends back: the bill's amount in SNAP's form, a known trx type, the
    /// documented lengths, text that signs under every minifier. The echoed identity may
    /// carry any of the three paddings DOKU sends.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let Some(d) = &self.virtual_account_data else {
            return e.into_result();
        };
        let p = "virtualAccountData.";
        va_number::check_received(
            &mut e,
            p,
            &d.partner_service_id,
            &d.customer_no,
            &d.virtual_account_no,
        );
        if let Some(n) = &d.virtual_account_name {
            rules::text(
                &mut e,
                &format!("{p}virtualAccountName"),
                n,
                rules::MAX_VA_NAME,
            );
        }
        if let Some(a) = &d.total_amount {
            a.check_into(&mut e, &format!("{p}totalAmount"));
        }
        if let Some(t) = &d.virtual_account_trx_type {
            e.known(&format!("{p}virtualAccountTrxType"), t.is_unknown(), t);
        }
        if let Some(r) = &d.inquiry_reason {
            r.check_into(&mut e, &format!("{p}inquiryReason"));
        }
        for (i, t) in d.free_text.iter().flatten().enumerate() {
            t.check_into(&mut e, &format!("{p}freeText[{i}]"));
        }
        if let Some(info) = &d.additional_info {
            if let Some(t) = &info.trx_id {
                rules::text(
                    &mut e,
                    &format!("{p}additionalInfo.trxId"),
                    t,
                    rules::MAX_TRX_ID,
                );
            }
            if let Some(c) = &info.virtual_account_config {
                c.check_into(&mut e, &format!("{p}additionalInfo.virtualAccountConfig"));
            }
        }
        e.into_result()
    }
}
