//! Values shared by several endpoints: business types, legal entities, business lines,
//! `{code, name}` pairs, file references, and a lenient string-or-number codec.

use serde::{Deserialize, Deserializer, Serialize};

use crate::ids::FileId;
use crate::string_enum::string_enum;

string_enum! {
    /// `businessType` / `business.type`: the kind of business account.
    pub enum BusinessType {
        /// An individual without a legal business entity.
        Personal => "PERSONAL",
        /// A business with an Indonesian legal entity.
        Corporate => "CORPORATE",
    }
}

string_enum! {
    /// `businessLegalEntity` / `business.legal_entity`.
    pub enum LegalEntity {
        /// Individual (for `PERSONAL`).
        Perseorangan => "PERSEORANGAN",
        /// Perseroan Terbatas.
        Pt => "PT",
        /// Commanditaire Venootschap.
        Cv => "CV",
        /// Usaha Dagang.
        Ud => "UD",
        /// Cooperative.
        Koperasi => "KOPERASI",
        /// Firm.
        Firma => "FIRMA",
        /// Persekutuan Perdata.
        Pp => "PP",
        /// State-owned enterprise.
        Bumn => "BUMN",
        /// State university with legal entity status.
        PtnBh => "PTN_BH",
        /// Foundation.
        Yayasan => "YAYASAN",
        /// Legal entity association.
        PerkumpulanBerbadanHukum => "PERKUMPULAN_BERBADAN_HUKUM",
        /// Badan Layanan Umum.
        Blu => "BLU",
    }
}

string_enum! {
    /// `brandBusinessLine`: the brand's line of business (DOKU's list is long and grows).
    pub enum BusinessLine {
        /// Agriculture.
        Agriculture => "AGRICULTURE",
        /// Capital market.
        CapitalMarket => "CAPITAL_MARKET",
        /// Charity.
        Charity => "CHARITY",
        /// Communication.
        Communication => "COMMUNICATION",
        /// Digital goods and games.
        DigitalAndGame => "DIGITAL_AND_GAME",
        /// Education.
        Education => "EDUCATION",
        /// Event organiser.
        EventOrganizer => "EVENT_ORGANIZER",
        /// Financial services.
        FinancialService => "FINANCIAL_SERVICE",
        /// Food and beverage.
        FoodAndBeverage => "FOOD_AND_BEVERAGE",
        /// Gas station.
        GasStation => "GAS_STATION",
        /// Hospitality.
        Hospitality => "HOSPITALITY",
        /// Insurance.
        Insurance => "INSURANCE",
        /// Logistics.
        Logistics => "LOGISTICS",
        /// Manufacture.
        Manufacture => "MANUFACTURE",
        /// Marketplace.
        Marketplace => "MARKETPLACE",
        /// Mining.
        Mining => "MINING",
        /// Retail (the value for `PERSONAL`).
        Retail => "RETAIL",
    }
}

string_enum! {
    /// `website_readiness` / `mobile_app_readiness`.
    pub enum Readiness {
        /// The business has one.
        Have => "HAVE",
        /// The business does not have one.
        DontHave => "DONT_HAVE",
        /// Under development.
        UnderDevelopment => "UNDER_DEVELOPMENT",
    }
}

string_enum! {
    /// `business.brands[].category`.
    pub enum BrandCategory {
        /// Retail.
        Retail => "RETAIL",
        /// Non-retail.
        NonRetail => "NON_RETAIL",
    }
}

/// A `{"code": …, "name": …}` pair as DOKU returns for enumerated values in Get Business Data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeName {
    /// Machine code, e.g. `HAVE`.
    pub code: String,
    /// Human label, e.g. `Have a website`. Some pages call it `value`; both are accepted.
    #[serde(default, alias = "value", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A reference to an uploaded file: `{"id": "DCM-0131-1234567890123"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// The id answered by Upload File.
    pub id: FileId,
}

impl FileRef {
    /// Wraps a file id.
    pub fn new(id: FileId) -> Self {
        Self { id }
    }
}

/// Deserialises a JSON string or number into a `String` (DOKU's tables say `int` for phone
/// numbers and calling codes while its samples send strings; we send strings and accept both).
pub(crate) fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        U(u64),
    }
    Ok(match Either::deserialize(d)? {
        Either::S(s) => s,
        Either::U(n) => n.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_round_trip() {
        let t: BusinessType = serde_json::from_str("\"INTERNATIONAL\"").unwrap();
        assert_eq!(t, BusinessType::Unknown("INTERNATIONAL".into()));
        assert!(t.is_unknown());
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"INTERNATIONAL\"");
        let l: BusinessLine = serde_json::from_str("\"ONLINE_STORE\"").unwrap();
        assert_eq!(serde_json::to_string(&l).unwrap(), "\"ONLINE_STORE\"");
    }

    #[test]
    fn known_values() {
        assert_eq!(LegalEntity::from("PTN_BH"), LegalEntity::PtnBh);
        assert_eq!(Readiness::DontHave.as_str(), "DONT_HAVE");
        assert_eq!(BusinessType::KNOWN, &["PERSONAL", "CORPORATE"]);
    }

    #[test]
    fn code_name_accepts_value_alias() {
        let c: CodeName =
            serde_json::from_str(r#"{"code":"HAVE","value":"Have a website"}"#).unwrap();
        assert_eq!(c.name.as_deref(), Some("Have a website"));
    }
}
