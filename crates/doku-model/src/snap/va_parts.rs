//! The pieces every Virtual Account body shares: the open enums (`virtualAccountTrxType`,
//! `channel`, `status`), bilingual text and `additionalInfo.virtualAccountConfig`.

use serde::{Deserialize, Serialize};

use super::amount::AmountValue;
use super::rules;
use crate::string_enum::string_enum;
use crate::validate::ValidationErrors;

string_enum! {
    /// `virtualAccountTrxType`. Open: DOKU's pages disagree on the set.
    pub enum VaTrxType {
        /// Closed amount: the customer pays exactly `totalAmount`.
        Closed => "C",
        /// Open amount: the customer chooses the amount.
        Open => "O",
        /// Variable amount, within `minAmount`..`maxAmount` (some of DOKU's pages).
        Variable => "V",
    }
}

string_enum! {
    /// `additionalInfo.channel`: the bank of the Virtual Account (DOKU's SDK list; open).
    pub enum VaChannel {
        /// BCA.
        Bca => "VIRTUAL_ACCOUNT_BCA",
        /// Bank Mandiri.
        BankMandiri => "VIRTUAL_ACCOUNT_BANK_MANDIRI",
        /// BRI.
        Bri => "VIRTUAL_ACCOUNT_BRI",
        /// BNI.
        Bni => "VIRTUAL_ACCOUNT_BNI",
        /// Bank Danamon.
        BankDanamon => "VIRTUAL_ACCOUNT_BANK_DANAMON",
        /// Bank Permata.
        BankPermata => "VIRTUAL_ACCOUNT_BANK_PERMATA",
        /// Maybank.
        Maybank => "VIRTUAL_ACCOUNT_MAYBANK",
        /// BNC.
        Bnc => "VIRTUAL_ACCOUNT_BNC",
        /// BTN.
        Btn => "VIRTUAL_ACCOUNT_BTN",
        /// BSI.
        Bsi => "VIRTUAL_ACCOUNT_BSI",
        /// CIMB Niaga.
        BankCimb => "VIRTUAL_ACCOUNT_BANK_CIMB",
        /// Bank Sinarmas.
        Sinarmas => "VIRTUAL_ACCOUNT_SINARMAS",
        /// DOKU's own Virtual Account.
        Doku => "VIRTUAL_ACCOUNT_DOKU",
        /// BSS.
        Bss => "VIRTUAL_ACCOUNT_BSS",
    }
}

string_enum! {
    /// `virtualAccountConfig.status` of Update VA.
    pub enum VaStatus {
        /// The Virtual Account can be paid.
        Active => "ACTIVE",
        /// The Virtual Account is switched off.
        Inactive => "INACTIVE",
    }
}

/// `{"english": …, "indonesia": …}`: `freeText[]`, `paymentFlagReason`, `inquiryReason`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BilingualText {
    /// The English text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub english: Option<String>,
    /// The Indonesian text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indonesia: Option<String>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl BilingualText {
    /// Both texts.
    pub fn new(english: impl Into<String>, indonesia: impl Into<String>) -> Self {
        Self {
            english: Some(english.into()),
            indonesia: Some(indonesia.into()),
            extra: serde_json::Map::new(),
        }
    }

    pub(crate) fn check_into(&self, e: &mut ValidationErrors, path: &str) {
        for (key, value) in [("english", &self.english), ("indonesia", &self.indonesia)] {
            if let Some(v) = value {
                rules::wire_text(e, &format!("{path}.{key}"), v);
            }
        }
    }
}

/// `additionalInfo.virtualAccountConfig`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VirtualAccountConfig {
    /// Whether the number can be paid more than once. A JSON boolean in DOKU's samples; kept
    /// as received (some DOKU answers write booleans as strings); read it with
    /// [`VirtualAccountConfig::reusable`].
    #[serde(
        rename = "reusableStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reusable_status: Option<serde_json::Value>,
    /// Smallest amount accepted (open and variable amounts), e.g. `"10000.00"`.
    #[serde(rename = "minAmount", default, skip_serializing_if = "Option::is_none")]
    pub min_amount: Option<AmountValue>,
    /// Largest amount accepted, e.g. `"5000000.00"`.
    #[serde(rename = "maxAmount", default, skip_serializing_if = "Option::is_none")]
    pub max_amount: Option<AmountValue>,
    /// `ACTIVE` / `INACTIVE` (Update VA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<VaStatus>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl VirtualAccountConfig {
    /// A configuration with `reusableStatus` set.
    pub fn reusable(reusable: bool) -> Self {
        Self {
            reusable_status: Some(serde_json::Value::Bool(reusable)),
            ..Self::default()
        }
    }

    /// `reusableStatus` as a boolean (`true`/`false` or the strings `"true"`/`"false"`).
    pub fn is_reusable(&self) -> Option<bool> {
        match self.reusable_status.as_ref()? {
            serde_json::Value::Bool(b) => Some(*b),
            serde_json::Value::String(s) if s == "true" => Some(true),
            serde_json::Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// Sets `minAmount` and `maxAmount`.
    pub fn with_range(mut self, min: AmountValue, max: AmountValue) -> Self {
        self.min_amount = Some(min);
        self.max_amount = Some(max);
        self
    }

    /// Sets `status`.
    pub fn with_status(mut self, status: VaStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Problems of a configuration we send: a boolean `reusableStatus`, amounts in SNAP's
    /// form with min ≤ max, a known status.
    pub(crate) fn check_into(&self, e: &mut ValidationErrors, path: &str) {
        if self.reusable_status.is_some()
            && !matches!(self.reusable_status, Some(serde_json::Value::Bool(_)))
        {
            e.push(format!("{path}.reusableStatus"), "must be true or false");
        }
        for (key, value) in [
            ("minAmount", &self.min_amount),
            ("maxAmount", &self.max_amount),
        ] {
            if let Some(Err(why)) = value.as_ref().map(AmountValue::check) {
                e.push(format!("{path}.{key}"), why);
            }
        }
        if let (Some(min), Some(max)) = (
            self.min_amount.as_ref().and_then(AmountValue::minor_units),
            self.max_amount.as_ref().and_then(AmountValue::minor_units),
        ) {
            if min > max {
                e.push(format!("{path}.minAmount"), "must not exceed maxAmount");
            }
        }
        if let Some(status) = &self.status {
            e.known(&format!("{path}.status"), status.is_unknown(), status);
        }
    }
}

/// `additionalInfo` of the Virtual Account bodies (requests and answers).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct VaAdditionalInfo {
    /// The bank, e.g. `VIRTUAL_ACCOUNT_BCA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<VaChannel>,
    /// Reusability and amount range.
    #[serde(
        rename = "virtualAccountConfig",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub virtual_account_config: Option<VirtualAccountConfig>,
    /// DOKU's payment instructions page (answers).
    #[serde(
        rename = "howToPayPage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub how_to_pay_page: Option<String>,
    /// DOKU's payment instructions API (answers).
    #[serde(
        rename = "howToPayApi",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub how_to_pay_api: Option<String>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl VaAdditionalInfo {
    /// `{"channel": channel}`.
    pub fn channel(channel: VaChannel) -> Self {
        Self {
            channel: Some(channel),
            ..Self::default()
        }
    }

    /// Problems of an `additionalInfo` we send: a known channel, the configuration.
    pub(crate) fn check_into(&self, e: &mut ValidationErrors, path: &str, channel_required: bool) {
        match &self.channel {
            Some(c) => e.known(&format!("{path}.channel"), c.is_unknown(), c),
            None if channel_required => e.push(format!("{path}.channel"), "is required"),
            None => {}
        }
        if let Some(config) = &self.virtual_account_config {
            config.check_into(e, &format!("{path}.virtualAccountConfig"));
        }
    }
}
