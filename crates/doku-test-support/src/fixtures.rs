//! Request fixtures in DOKU's published shapes.

use doku_model::{BusinessLiteRequest, BusinessRegistrationRequest, FileId, RequirementsQuery};

/// Generate Token's body, byte for byte as DOKU's page prints it.
pub const TOKEN_BODY: &[u8] = br#"{"grant_type":"client_credentials"}"#;

/// Check Requirements for a PERSONAL business of an Indonesian owner.
pub fn personal_query() -> RequirementsQuery {
    RequirementsQuery::personal("ID")
}

/// A PERSONAL business registration named `name`, with one brand, referencing `file_ids` as the contact's
/// documents.
pub fn registration(name: &str, file_ids: &[FileId]) -> BusinessRegistrationRequest {
    let docs: Vec<serde_json::Value> = file_ids
        .iter()
        .map(|id| serde_json::json!({ "id": id }))
        .collect();
    serde_json::from_value(serde_json::json!({"business": {
        "type": "PERSONAL", "legal_entity": "PERSEORANGAN", "name": name,
        "email": "owner@example.com", "phone_calling_code": "62", "phone_number": "81234567890",
        "brands": [{"name": name, "description": "Groceries", "category": "RETAIL"}],
        "addresses": [{"area": "17133 - Kali Baru - Medan Satria - Bekasi - Jawa Barat", "country": "ID",
                       "name": "Jl. Gatot Subroto 20", "is_primary": true}],
        "contacts": [{"name": "Budi", "email": "budi@example.com", "phone_calling_code": "62",
                      "phone_number": "81234567890", "nationality": "ID", "documents": docs}]
    }}))
    .expect("the registration fixture matches BusinessRegistrationRequest")
}

/// A Create Business Lite request named `name`.
pub fn lite(name: &str) -> BusinessLiteRequest {
    serde_json::from_value(serde_json::json!({
        "business": {"partner_ref_id": "3f1c0b6e-8a6e-4d3a-9f55-1b2a3c4d5e6f", "name": name,
            "contact": {"name": "Siti", "email": "siti@example.com", "phone_calling_code": "62",
                        "phone_number": "81298765432"}},
        "invited_user": {"email": "siti@example.com"}
    }))
    .expect("the Lite fixture matches BusinessLiteRequest")
}

#[cfg(test)]
mod tests {
    use doku_model::Validate;

    #[test]
    fn fixtures_validate() {
        super::registration("Toko", &[]).validate().unwrap();
        super::lite("Toko").validate().unwrap();
        super::personal_query().validate().unwrap();
    }
}
