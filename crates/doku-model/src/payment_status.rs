//! The state of a payment, as Check Status (`GET /orders/v1/status/{invoice or Request-Id}`)
//! answers it and as DOKU's HTTP notification carries it ("The response will be similar to
//! HTTP notification").
//!
//! The common part is typed (`order`, `transaction`, `service`, `acquirer`, `channel`); the
//! channel blocks (`virtual_account_info`, `virtual_account_payment`, `emoney_payment`, …) differ
//! by channel and are kept verbatim in `extra`, with accessors for what a merchant needs.
//! DOKU asks receivers to "parse it in non strict format": every enum is open and unknown
//! fields are kept.

use serde::{Deserialize, Serialize};

use crate::amount::Amount;
use crate::string_enum::string_enum;

type Extra = serde_json::Map<String, serde_json::Value>;

/// A payment's state: the body of Check Status and of a payment notification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentStatus {
    /// The order: invoice number, amount, and (newer merchants) the order-level status.
    pub order: StatusOrder,
    /// The transaction: status, date, the Request-Id of the create call.
    pub transaction: Transaction,
    /// The service, e.g. `VIRTUAL_ACCOUNT`; `id` is `null` until the customer picks a channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Party>,
    /// The acquirer, e.g. `BCA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquirer: Option<Party>,
    /// The channel, e.g. `VIRTUAL_ACCOUNT_BCA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Party>,
    /// Channel blocks and everything else, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The body of Check Status.
pub type CheckStatusResponse = PaymentStatus;

/// The body of a payment notification (DOKU's HTTP notification, Non-SNAP).
pub type PaymentNotification = PaymentStatus;

impl PaymentStatus {
    /// The payment identifiers of the channel's payment block (`virtual_account_payment`,
    /// `online_to_offline_payment`, …) as `(name, value)` pairs. DOKU's BCA sample spells the
    /// key `identifer`; every other sample `identifier`: both are read.
    pub fn payment_identifiers(&self) -> Vec<(&str, &str)> {
        self.extra
            .iter()
            .filter(|(key, _)| key.ends_with("_payment"))
            .filter_map(|(_, block)| {
                block
                    .get("identifier")
                    .or_else(|| block.get("identifer"))
                    .and_then(serde_json::Value::as_array)
            })
            .flatten()
            .filter_map(|pair| Some((pair.get("name")?.as_str()?, pair.get("value")?.as_str()?)))
            .collect()
    }

    /// `additional_info.origin.apiFormat` or `…api_format` (both spellings occur).
    pub fn api_format(&self) -> Option<&str> {
        let origin = self.extra.get("additional_info")?.get("origin")?;
        origin
            .get("api_format")
            .or_else(|| origin.get("apiFormat"))
            .and_then(serde_json::Value::as_str)
    }
}

/// `order` of a payment's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusOrder {
    /// The merchant's invoice number.
    pub invoice_number: String,
    /// The amount (an integer in Check Status, `19000.00` in a QRIS notification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
    /// The order-level status (merchants registered from December 2024).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderState>,
    /// Fields this crate does not model (e.g. `tips`, `terminal_id`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `transaction` of a payment's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    /// The transaction status: see [`TransactionStatus::is_final`].
    pub status: TransactionStatus,
    /// e.g. `PAYMENT`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// When, ISO 8601 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The `Request-Id` of the call that created the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_request_id: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `service`, `acquirer`, `channel`: an id (which may be `null`) and maybe a name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Party {
    /// e.g. `VIRTUAL_ACCOUNT`, `BCA`, `VIRTUAL_ACCOUNT_BCA`; `null` until a channel is picked
    /// (written back as `null`).
    pub id: Option<String>,
    /// Display name, where DOKU sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

string_enum! {
    /// `transaction.status`, DOKU's table on the Check Status page.
    pub enum TransactionStatus {
        /// Waiting for the customer or the channel.
        Pending => "PENDING",
        /// Paid.
        Success => "SUCCESS",
        /// Failed; with Checkout the customer may retry with another method.
        Failed => "FAILED",
        /// The payment expired.
        Expired => "EXPIRED",
        /// Refunded.
        Refunded => "REFUNDED",
        /// E-money timeout: ask Check Status for the final state.
        Timeout => "TIMEOUT",
        /// Card redirect in progress.
        Redirect => "REDIRECT",
        /// Voided (cards).
        Voided => "VOIDED",
    }
}

impl TransactionStatus {
    /// Whether DOKU's table marks the status final: `SUCCESS`, `EXPIRED`, `REFUNDED`, `VOIDED`.
    ///
    /// `FAILED` is **not** final: the Check Status page says so (a report page says otherwise),
    /// and for Checkout DOKU says "you must ignore the transaction.status FAILED" because the
    /// customer can retry with another method.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Success | Self::Expired | Self::Refunded | Self::Voided
        )
    }
}

string_enum! {
    /// `order.status`: the order-level status of Check Status (newer merchants).
    pub enum OrderState {
        /// The order exists; no channel has reported yet.
        OrderGenerated => "ORDER_GENERATED",
        /// The order expired.
        OrderExpired => "ORDER_EXPIRED",
        /// An abandoned cart was recovered.
        OrderRecovered => "ORDER_RECOVERED",
    }
}
