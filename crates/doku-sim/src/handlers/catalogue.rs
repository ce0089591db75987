//! DOKU's `{code, name}` pairs as Get Business Data shows them, and the values the simulator
//! fills in where a registration does not say (DOKU's published sample is the source of every
//! name here; a code it does not name is shown with its code as its name).

use doku_model::{Brand, BusinessDataBrand, CodeName, SharedKey};

/// Which `{code, name}` list a code belongs to.
#[derive(Clone, Copy)]
pub(crate) enum List {
    WebsiteReadiness,
    MobileAppReadiness,
    LegalEntity,
    TransactionFrequency,
    TransactionQuantity,
    TicketSize,
}

/// The `{code, name}` DOKU shows for `code` in `list`.
pub(crate) fn code_name(list: List, code: &str) -> CodeName {
    let name = match (list, code) {
        (List::WebsiteReadiness, "HAVE") => "Have a website",
        (List::WebsiteReadiness, "DONT_HAVE") => "Don't have a website",
        (List::MobileAppReadiness, "HAVE") => "Have a mobile app",
        (List::MobileAppReadiness, "DONT_HAVE") => "Don't have a mobile app",
        (List::WebsiteReadiness | List::MobileAppReadiness, "UNDER_DEVELOPMENT") => {
            "Under development"
        }
        (List::LegalEntity, "PERSEORANGAN") => "Personal",
        (List::TransactionFrequency, "UMI") => "< IDR 20 Mio",
        (List::TransactionQuantity, "UP_TO_100") => "< 100",
        (List::TicketSize, "UP_TO_50K") => "Less than or equal to IDR 50.000",
        _ => code,
    };
    CodeName {
        code: code.to_owned(),
        name: Some(name.to_owned()),
    }
}

/// Bands a registration may leave out, and the ticket size it cannot give: the smallest of
/// DOKU's published bands.
const DEFAULT_FREQUENCY: &str = "UMI";
const DEFAULT_QUANTITY: &str = "UP_TO_100";
const DEFAULT_TICKET_SIZE: &str = "UP_TO_50K";

/// A registered brand as Get Business Data shows it, with the shared key the simulator issued
/// (the merchant's own Non-SNAP secret).
pub(crate) fn registered_brand(
    id: &str,
    brand: &Brand,
    shared_key: SharedKey,
) -> BusinessDataBrand {
    let band = |list, value: Option<&String>, default: &str| {
        Some(code_name(list, value.map_or(default, String::as_str)))
    };
    BusinessDataBrand {
        id: id.to_owned(),
        name: brand.name.clone(),
        shared_key: Some(shared_key),
        category: Some(brand.category.as_str().to_owned()),
        minimum_transaction: Some(0.into()),
        maximum_transaction: Some(100_000_000.into()),
        transaction_frequency: band(
            List::TransactionFrequency,
            brand.transaction_frequency.as_ref(),
            DEFAULT_FREQUENCY,
        ),
        transaction_quantity: band(
            List::TransactionQuantity,
            brand.transaction_quantity.as_ref(),
            DEFAULT_QUANTITY,
        ),
        ticket_size: Some(code_name(List::TicketSize, DEFAULT_TICKET_SIZE)),
        finance_status: Some("PROBATION".to_owned()),
        risk_engine_status: Some("ON_PROCESS".to_owned()),
        photo_proofs: Vec::new(),
        extra: Default::default(),
    }
}

/// A fresh shared key, shaped like DOKU's `SK-` + 20 letters and digits.
pub(crate) fn new_shared_key() -> SharedKey {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    SharedKey::new(format!("SK-{}", &hex[..20]))
}
