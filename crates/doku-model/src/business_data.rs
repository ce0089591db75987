//! Get Business Data (`GET /business/{client_id}`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::common::{string_or_number, BusinessType, CodeName};

/// A brand's shared key (its secret for the Direct API). `Debug` does not print it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SharedKey(String);

impl SharedKey {
    /// Wraps a key.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The key itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedKey(***)")
    }
}

/// Answer of Get Business Data (a top-level object, per DOKU's sample).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessData {
    /// Business id, e.g. `BSN-0104-1678960841263`.
    pub id: String,
    /// Business name.
    pub name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Business e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Calling code, e.g. `62`.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_calling_code: Option<String>,
    /// Phone number.
    #[serde(
        default,
        deserialize_with = "opt_string_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone_number: Option<String>,
    /// The partner's client id, e.g. `BRN-0201-1676357010382`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
    /// Where the business was created, e.g. `api`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `PERSONAL`, `CORPORATE`, …; absent for a business whose owner has not finished its
    /// onboarding (Create Business Lite).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub business_type: Option<BusinessType>,
    /// `{code, name}` of the website readiness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_readiness: Option<CodeName>,
    /// `{code, name}` of the mobile app readiness.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_app_readiness: Option<CodeName>,
    /// `{code, name}` of the legal entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_entity: Option<CodeName>,
    /// The brands.
    #[serde(default)]
    pub brands: Vec<BusinessDataBrand>,
    /// Fields this crate does not model (addresses, contacts, …), kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `brands[]` of [`BusinessData`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessDataBrand {
    /// Brand id: the client id of the business under the partner.
    pub id: String,
    /// Brand name.
    pub name: String,
    /// The brand's shared key (secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_key: Option<SharedKey>,
    /// `RETAIL` / `NON_RETAIL`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Minimum transaction amount (exact JSON number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_transaction: Option<serde_json::Number>,
    /// Maximum transaction amount (exact JSON number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_transaction: Option<serde_json::Number>,
    /// Volume band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_frequency: Option<CodeName>,
    /// Count band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_quantity: Option<CodeName>,
    /// Ticket size band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_size: Option<CodeName>,
    /// e.g. `PROBATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finance_status: Option<String>,
    /// e.g. `ON_PROCESS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_engine_status: Option<String>,
    /// Photo proofs with temporary links.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photo_proofs: Vec<PhotoProof>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `brands[].photo_proofs[]` of [`BusinessData`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoProof {
    /// File id, e.g. `PHP-0113-1678960841279`.
    pub id: String,
    /// Temporary URL of the photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn opt_string_or_number<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    string_or_number(d).map(Some)
}
