//! Delete VA and Check Status VA.

use serde::{Deserialize, Serialize};

use super::amount::SnapAmount;
use super::response_code::ResponseCode;
use super::rules;
use super::va::VaResponse;
use super::va_number::{self, CustomerNo, PartnerServiceId, VirtualAccountNo};
use super::va_parts::{BilingualText, VaAdditionalInfo, VaChannel};
use crate::validate::{Validate, ValidationErrors};

/// Longest `inquiryRequestId` / `paymentRequestId` accepted in requests we send (SNAP's
/// standard; DOKU's pages give none).
pub const MAX_REQUEST_ID: usize = 128;

/// Body of Delete VA (`DELETE …/transfer-va/delete-va`, service 31).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteVaRequest {
    /// The BIN, 8 characters left-padded with spaces.
    #[serde(rename = "partnerServiceId")]
    pub partner_service_id: PartnerServiceId,
    /// Up to 20 digits.
    #[serde(rename = "customerNo")]
    pub customer_no: CustomerNo,
    /// partnerServiceId + customerNo.
    #[serde(rename = "virtualAccountNo")]
    pub virtual_account_no: VirtualAccountNo,
    /// The merchant's transaction id the number was created with.
    #[serde(rename = "trxId")]
    pub trx_id: String,
    /// `{"channel": …}`.
    #[serde(
        rename = "additionalInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_info: Option<VaAdditionalInfo>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl DeleteVaRequest {
    /// Deletes the number partnerServiceId (space-padded) + customerNo.
    pub fn new(
        partner_service_id: PartnerServiceId,
        customer_no: CustomerNo,
        trx_id: impl Into<String>,
        channel: VaChannel,
    ) -> Self {
        Self {
            virtual_account_no: VirtualAccountNo::compose(&partner_service_id, &customer_no),
            partner_service_id,
            customer_no,
            trx_id: trx_id.into(),
            additional_info: Some(VaAdditionalInfo::channel(channel)),
            extra: serde_json::Map::new(),
        }
    }
}

impl Validate for DeleteVaRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        va_number::check_sent(
            &mut e,
            "",
            &self.partner_service_id,
            &self.customer_no,
            &self.virtual_account_no,
        );
        rules::text(&mut e, "trxId", &self.trx_id, rules::MAX_TRX_ID);
        match &self.additional_info {
            Some(info) => info.check_into(&mut e, "additionalInfo", true),
            None => e.push("additionalInfo.channel", "is required"),
        }
        e.into_result()
    }
}

/// DOKU's answer to Delete VA (`2003100` on success).
pub type DeleteVaResponse = VaResponse;

/// Body of Check Status VA (`POST /orders/v1.0/transfer-va/status`, service 26).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckStatusVaRequest {
    /// The BIN, 8 characters left-padded with spaces.
    #[serde(rename = "partnerServiceId")]
    pub partner_service_id: PartnerServiceId,
    /// Up to 20 digits.
    #[serde(rename = "customerNo")]
    pub customer_no: CustomerNo,
    /// partnerServiceId + customerNo.
    #[serde(rename = "virtualAccountNo")]
    pub virtual_account_no: VirtualAccountNo,
    /// The inquiry to ask about.
    #[serde(
        rename = "inquiryRequestId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inquiry_request_id: Option<String>,
    /// The payment to ask about.
    #[serde(
        rename = "paymentRequestId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_request_id: Option<String>,
    /// Kept as received (the SDKs send an empty object or nothing).
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

impl CheckStatusVaRequest {
    /// Asks for the status of partnerServiceId (space-padded) + customerNo.
    pub fn new(partner_service_id: PartnerServiceId, customer_no: CustomerNo) -> Self {
        Self {
            virtual_account_no: VirtualAccountNo::compose(&partner_service_id, &customer_no),
            partner_service_id,
            customer_no,
            inquiry_request_id: None,
            payment_request_id: None,
            additional_info: None,
            extra: serde_json::Map::new(),
        }
    }

    /// Sets `paymentRequestId`.
    pub fn payment_request_id(mut self, id: impl Into<String>) -> Self {
        self.payment_request_id = Some(id.into());
        self
    }

    /// Sets `inquiryRequestId`.
    pub fn inquiry_request_id(mut self, id: impl Into<String>) -> Self {
        self.inquiry_request_id = Some(id.into());
        self
    }
}

impl Validate for CheckStatusVaRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        va_number::check_sent(
            &mut e,
            "",
            &self.partner_service_id,
            &self.customer_no,
            &self.virtual_account_no,
        );
        for (path, value) in [
            ("inquiryRequestId", &self.inquiry_request_id),
            ("paymentRequestId", &self.payment_request_id),
        ] {
            if let Some(v) = value {
                rules::text(&mut e, path, v, MAX_REQUEST_ID);
            }
        }
        e.into_result()
    }
}

/// `virtualAccountData` of DOKU's Check Status answer. Every field is optional: DOKU's pages
/// show no complete answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VaStatusData {
    /// Why the payment is (not) flagged paid, in both languages.
    #[serde(
        rename = "paymentFlagReason",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_flag_reason: Option<BilingualText>,
    /// The BIN.
    #[serde(
        rename = "partnerServiceId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub partner_service_id: Option<PartnerServiceId>,
    /// The customer number.
    #[serde(
        rename = "customerNo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_no: Option<CustomerNo>,
    /// The Virtual Account number.
    #[serde(
        rename = "virtualAccountNo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_no: Option<VirtualAccountNo>,
    /// The inquiry the status is for.
    #[serde(
        rename = "inquiryRequestId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub inquiry_request_id: Option<String>,
    /// The payment the status is for.
    #[serde(
        rename = "paymentRequestId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_request_id: Option<String>,
    /// The merchant's transaction id.
    #[serde(rename = "trxId", default, skip_serializing_if = "Option::is_none")]
    pub trx_id: Option<String>,
    /// What was paid.
    #[serde(
        rename = "paidAmount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub paid_amount: Option<SnapAmount>,
    /// What was billed.
    #[serde(
        rename = "billAmount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bill_amount: Option<SnapAmount>,
    /// Kept as received (`acquirer`, …).
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

/// DOKU's answer to Check Status VA (`2002600` on success).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckStatusVaResponse {
    /// The 7-digit code.
    #[serde(rename = "responseCode")]
    pub response_code: ResponseCode,
    /// DOKU's message.
    #[serde(
        rename = "responseMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_message: Option<String>,
    /// The status.
    #[serde(
        rename = "virtualAccountData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_data: Option<VaStatusData>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
