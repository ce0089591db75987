//! DOKU's SNAP payment notification (DOKU → merchant, service 25) and the merchant's
//! acknowledgement.
//!
//! The acknowledgement's success code is not on any DOKU page: the Java, Go and Python SDKs
//! answer `2002500`, the PHP and Node SDKs `2002700`. [`AckCode`] names both readings; DOKU
//! retries until it gets an HTTP 2xx (+30 min, +6 h, +12 h).

use serde::{Deserialize, Serialize};

use super::amount::SnapAmount;
use super::response_code::{ResponseCode, ServiceCode};
use super::rules;
use super::va_number::{self, CustomerNo, PartnerServiceId, VirtualAccountNo};
use super::va_parts::{VaChannel, VaTrxType, VirtualAccountConfig};
use crate::validate::{Validate, ValidationErrors};

/// Body of DOKU's payment notification (DOKU's spec names the path `/v1/transfer-va/payment`;
/// DOKU posts to the merchant's notification URL).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaPaymentNotification {
    /// The BIN (DOKU's sample sends it unpadded).
    #[serde(rename = "partnerServiceId")]
    pub partner_service_id: PartnerServiceId,
    /// The customer number.
    #[serde(rename = "customerNo")]
    pub customer_no: CustomerNo,
    /// partnerServiceId + customerNo, in any of the three paddings.
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
    /// The merchant's transaction id.
    #[serde(rename = "trxId", default, skip_serializing_if = "Option::is_none")]
    pub trx_id: Option<String>,
    /// DOKU's id of this payment (echoed in the acknowledgement; a dedup key).
    #[serde(
        rename = "paymentRequestId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_request_id: Option<String>,
    /// What the customer paid.
    #[serde(
        rename = "paidAmount",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub paid_amount: Option<SnapAmount>,
    /// When the payment happened, as DOKU wrote it.
    #[serde(
        rename = "trxDateTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub trx_date_time: Option<String>,
    /// `C`, `O` or `V`.
    #[serde(
        rename = "virtualAccountTrxType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_trx_type: Option<VaTrxType>,
    /// Channel, configuration and the payer's bank account.
    #[serde(
        rename = "additionalInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_info: Option<NotificationAdditionalInfo>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `additionalInfo` of a payment notification.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NotificationAdditionalInfo {
    /// The bank, e.g. `VIRTUAL_ACCOUNT_BCA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<VaChannel>,
    /// The Virtual Account's configuration.
    #[serde(
        rename = "virtualAccountConfig",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_config: Option<VirtualAccountConfig>,
    /// The payer's name.
    #[serde(
        rename = "senderName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sender_name: Option<String>,
    /// The payer's account number.
    #[serde(
        rename = "sourceAccountNo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub source_account_no: Option<String>,
    /// The payer's bank code.
    #[serde(
        rename = "sourceBankCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub source_bank_code: Option<String>,
    /// The payer's bank name.
    #[serde(
        rename = "sourceBankName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub source_bank_name: Option<String>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl VaPaymentNotification {
    /// The acknowledgement of this notification with the given success code.
    pub fn ack(&self, code: AckCode) -> NotificationAck {
        NotificationAck::for_notification(self, code)
    }
}

impl Validate for VaPaymentNotification {
    /// What a receiver (or the simulator, before sending) checks: the identity in any of the
    /// three paddings, lengths, the paid amount's form, and text that signs under every
    /// minifier. DOKU's own fields are not refused for being unknown.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        va_number::check_received(
            &mut e,
            "",
            &self.partner_service_id,
            &self.customer_no,
            &self.virtual_account_no,
        );
        rules::optional_text(
            &mut e,
            "virtualAccountName",
            self.virtual_account_name.as_deref(),
            rules::MAX_VA_NAME,
        );
        rules::optional_text(
            &mut e,
            "virtualAccountEmail",
            self.virtual_account_email.as_deref(),
            rules::MAX_VA_EMAIL,
        );
        rules::optional_text(
            &mut e,
            "virtualAccountPhone",
            self.virtual_account_phone.as_deref(),
            rules::MAX_VA_PHONE,
        );
        rules::optional_text(&mut e, "trxId", self.trx_id.as_deref(), rules::MAX_TRX_ID);
        if let Some(id) = &self.payment_request_id {
            rules::wire_text(&mut e, "paymentRequestId", id);
        }
        match &self.paid_amount {
            Some(a) => a.check_into(&mut e, "paidAmount"),
            None => e.push("paidAmount", "is required"),
        }
        if let Some(info) = &self.additional_info {
            for (key, value) in [
                ("senderName", &info.sender_name),
                ("sourceAccountNo", &info.source_account_no),
                ("sourceBankCode", &info.source_bank_code),
                ("sourceBankName", &info.source_bank_name),
            ] {
                if let Some(v) = value {
                    rules::wire_text(&mut e, &format!("additionalInfo.{key}"), v);
                }
            }
        }
        e.into_result()
    }
}

/// The success code of the acknowledgement: DOKU's pages give none, the SDKs disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AckCode {
    /// `2002500`: service 25, the payment notification's own (Java, Go and Python SDKs).
    PaymentNotification,
    /// `2002700`: service 27, Create VA's (PHP and Node SDKs).
    CreateVa,
}

impl AckCode {
    /// Both readings.
    pub const ALL: [Self; 2] = [Self::PaymentNotification, Self::CreateVa];

    /// The code to send.
    pub fn response_code(self) -> ResponseCode {
        match self {
            Self::PaymentNotification => ResponseCode::success(ServiceCode::PAYMENT_NOTIFICATION),
            Self::CreateVa => ResponseCode::success(ServiceCode::CREATE_VA),
        }
    }

    /// Which reading a received code is, if either.
    pub fn from_response_code(code: &ResponseCode) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.response_code() == *code)
    }
}

/// `virtualAccountData` of the acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckVirtualAccountData {
    /// As received.
    #[serde(rename = "partnerServiceId")]
    pub partner_service_id: PartnerServiceId,
    /// As received.
    #[serde(rename = "customerNo")]
    pub customer_no: CustomerNo,
    /// As received.
    #[serde(rename = "virtualAccountNo")]
    pub virtual_account_no: VirtualAccountNo,
    /// As received.
    #[serde(
        rename = "virtualAccountName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_name: Option<String>,
    /// As received.
    #[serde(
        rename = "paymentRequestId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub payment_request_id: Option<String>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The merchant's answer to a payment notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationAck {
    /// [`AckCode::response_code`] on success; `4012701` for an invalid token.
    #[serde(rename = "responseCode")]
    pub response_code: ResponseCode,
    /// `Successful`.
    #[serde(
        rename = "responseMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_message: Option<String>,
    /// The notification's identity, echoed.
    #[serde(
        rename = "virtualAccountData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_data: Option<AckVirtualAccountData>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl NotificationAck {
    /// `{code, "Successful", virtualAccountData{partnerServiceId, customerNo, virtualAccountNo,
    /// virtualAccountName, paymentRequestId}}`, the identity copied as received.
    pub fn for_notification(n: &VaPaymentNotification, code: AckCode) -> Self {
        Self {
            response_code: code.response_code(),
            response_message: Some("Successful".to_owned()),
            virtual_account_data: Some(AckVirtualAccountData {
                partner_service_id: n.partner_service_id.clone(),
                customer_no: n.customer_no.clone(),
                virtual_account_no: n.virtual_account_no.clone(),
                virtual_account_name: n.virtual_account_name.clone(),
                payment_request_id: n.payment_request_id.clone(),
                extra: serde_json::Map::new(),
            }),
            extra: serde_json::Map::new(),
        }
    }

    /// `4012701` "Unauthorized. Invalid Token (B2B)", without data.
    pub fn invalid_token() -> Self {
        let code = ResponseCode::INVALID_TOKEN;
        Self {
            response_message: Some(code.default_message().to_owned()),
            response_code: code,
            virtual_account_data: None,
            extra: serde_json::Map::new(),
        }
    }
}
