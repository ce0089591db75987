//! Round-trips of DOKU's published example bodies and validation of full requests.
#![allow(clippy::unwrap_used)]

use doku_model::{
    decode, BusinessData, BusinessLiteRequest, BusinessLiteResponse, BusinessRegistrationRequest,
    BusinessType, ErrorBody, LegalEntity, Readiness, Validate,
};
use serde_json::Value;

/// The start of DOKU's Business Registration sample (verbatim up to `addresses`), completed
/// with the address/contact fields of DOKU's parameter table.
const REGISTRATION: &str = r#"{
   "business": {
       "type": "PERSONAL",
       "callback_url": "https://webhook.site/example-url",
       "legal_entity": "PERSEORANGAN",
       "name": "Merchant 26 May",
       "description": "Merchant Description",
       "email": "merchant26maydemo@example.com",
       "phone_calling_code": "62",
       "phone_number": "81234567890",
       "website_readiness": "DONT_HAVE",
       "mobile_app_readiness": "DONT_HAVE",
       "brands": [
           {
               "name": "Brand Merchant 26 May",
               "description": "Merchant 26 May Brand Description",
               "category": "NON_RETAIL",
               "transaction_frequency": "UMI",
               "transaction_quantity": "UP_TO_100",
               "social_media": [
                   {"accounts": ["https://www.instagram.com/merchant"], "code": "INSTAGRAM"},
                   {"accounts": ["https://www.facebook.com/merchant"], "code": "FACEBOOK"}
               ],
               "photo_proofs": [{"id": "DCM-0131-1234567890123"}]
           }
       ],
       "addresses": [
           {"area": "17133 - Kali Baru - Medan Satria - Bekasi - Jawa Barat", "country": "ID",
            "name": "Jalan Gatot Subroto No 20", "is_primary": true}
       ],
       "contacts": [
           {"type": "OWNER", "name": "Budi", "email": "budi@example.com", "phone_calling_code": "62",
            "phone_number": "81234567890", "nationality": "ID",
            "documents": [{"id": "DCM-0131-0000000000001"}, {"id": "CNT-0104-1676639713907"}]}
       ],
       "future_field": {"kept": true}
   }
}"#;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap()
}

#[test]
fn registration_sample_round_trips() {
    let req: BusinessRegistrationRequest = decode(REGISTRATION.as_bytes()).unwrap();
    assert_eq!(req.business.business_type, BusinessType::Personal);
    assert_eq!(req.business.legal_entity, LegalEntity::Perseorangan);
    assert_eq!(req.business.website_readiness, Some(Readiness::DontHave));
    assert!(req.business.extra.contains_key("future_field"));
    req.validate().unwrap();
    let ids: Vec<&str> = req.file_ids().iter().map(|id| id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "DCM-0131-1234567890123",
            "DCM-0131-0000000000001",
            "CNT-0104-1676639713907"
        ]
    );
    assert_eq!(serde_json::to_value(&req).unwrap(), json(REGISTRATION));
}

#[test]
fn registration_accepts_numbers_for_phone_fields() {
    let text = REGISTRATION.replace(
        r#""phone_calling_code": "62","#,
        r#""phone_calling_code": 62,"#,
    );
    let req: BusinessRegistrationRequest = decode(text.as_bytes()).unwrap();
    assert_eq!(req.business.phone_calling_code, "62");
}

#[test]
fn registration_reports_every_violation_with_its_path() {
    let mut req: BusinessRegistrationRequest = decode(REGISTRATION.as_bytes()).unwrap();
    req.business.name = String::new();
    req.business.email = "not-an-email".into();
    req.business.phone_number = "12ab".into();
    req.business.callback_url = Some("webhook".into());
    req.business.brands[0].description = "x".repeat(1024);
    req.business.addresses[0].country = "IDN".into();
    req.business.addresses[0].is_primary = false;
    req.business.contacts[0].email = String::new();
    req.business.contacts[0].nationality = "id".into();
    let err = req.validate().unwrap_err();
    assert_eq!(
        err.paths(),
        vec![
            "business.callback_url",
            "business.name",
            "business.email",
            "business.phone_number",
            "business.brands[0].description",
            "business.addresses[0].country",
            "business.addresses",
            "business.contacts[0].email",
            "business.contacts[0].nationality",
        ]
    );
    let text = err.to_string();
    assert!(text.starts_with("9 validation error(s)"), "{text}");

    req.business.brands.clear();
    req.business.contacts.clear();
    let err = req.validate().unwrap_err();
    assert!(err.paths().contains(&"business.brands"));
    assert!(err.paths().contains(&"business.contacts"));
}

#[test]
fn registration_decode_error_names_the_path() {
    let text = REGISTRATION.replace(r#""is_primary": true"#, r#""is_primary": "yes""#);
    let err = decode::<BusinessRegistrationRequest>(text.as_bytes()).unwrap_err();
    assert_eq!(err.path, "business.addresses[0].is_primary");
    let missing = REGISTRATION.replace(r#""email": "merchant26maydemo@example.com","#, "");
    let err = decode::<BusinessRegistrationRequest>(missing.as_bytes()).unwrap_err();
    assert!(err.message.contains("email"), "{err}");
    assert!(err.path.starts_with("business"), "{err}");
}

const LITE: &str = r#"{
  "business": {
    "partner_ref_id": "3f1c0b6e-8a6e-4d3a-9f55-1b2a3c4d5e6f",
    "name": "Toko Maju",
    "contact": {"name": "Siti", "email": "siti@example.com", "phone_calling_code": "62", "phone_number": "81298765432"}
  },
  "referral": {"code": "AB12CD"},
  "invited_user": {"email": "siti@example.com"}
}"#;

#[test]
fn lite_round_trips_and_validates() {
    let req: BusinessLiteRequest = decode(LITE.as_bytes()).unwrap();
    req.validate().unwrap();
    assert_eq!(serde_json::to_value(&req).unwrap(), json(LITE));

    let mut bad = req.clone();
    bad.business.partner_ref_id.clear();
    bad.business.contact.email = "x".into();
    bad.business.contact.phone_calling_code = "6262".into();
    bad.referral.as_mut().unwrap().code = "toolong1".into();
    bad.invited_user.email = String::new();
    assert_eq!(
        bad.validate().unwrap_err().paths(),
        vec![
            "business.partner_ref_id",
            "business.contact.email",
            "business.contact.phone_calling_code",
            "referral.code",
            "invited_user.email"
        ]
    );
}

#[test]
fn lite_response_shape() {
    // DOKU's published answer: brands inside `business`.
    let nested = r#"{"business":{"id":"BSN-0103-1700206906468","partner_ref_id":"P-1","brands":[{"id":"BRN-0103-1700206906471"}]}}"#;
    let r: BusinessLiteResponse = decode(nested.as_bytes()).unwrap();
    assert_eq!(r.brand_ids(), vec!["BRN-0103-1700206906471"]);
    assert!(r.extra.is_empty() && r.business.extra.is_empty());
    assert_eq!(serde_json::to_value(&r).unwrap(), json(nested));

    // The page's table reading (`brands.id` at the top level) is read too, and kept there.
    let top = r#"{"business":{"id":"BSN-0104-1678960841263","partner_ref_id":"3f1c"},"brands":[{"id":"BRN-0104-1678960841263"}]}"#;
    let r: BusinessLiteResponse = decode(top.as_bytes()).unwrap();
    assert_eq!(r.brand_ids(), vec!["BRN-0104-1678960841263"]);
    assert_eq!(serde_json::to_value(&r).unwrap(), json(top));

    // Both at once: every brand once, nested first, nothing dropped on re-encoding.
    let both = r#"{"business":{"id":"B","brands":[{"id":"BRN-1"},{"id":"BRN-2"}]},"brands":[{"id":"BRN-2"},{"id":"BRN-3"}]}"#;
    let r: BusinessLiteResponse = decode(both.as_bytes()).unwrap();
    assert_eq!(r.brand_ids(), vec!["BRN-1", "BRN-2", "BRN-3"]);
    assert_eq!(serde_json::to_value(&r).unwrap(), json(both));
}

const BUSINESS_DATA: &str = r#"{
    "id": "BSN-0104-1678960841263",
    "name": "Business under partner personal to check partner identifier CRM",
    "description": "Description test untuk personal partner CRM DOKU",
    "email": "jasmine_partnercrm@doku.com",
    "phone_calling_code": "62",
    "phone_number": "81510229216",
    "partner": "BRN-0201-1676357010382",
    "platform": "api",
    "type": "PERSONAL",
    "website_readiness": {"code": "HAVE", "name": "Have a website"},
    "mobile_app_readiness": {"code": "UNDER_DEVELOPMENT", "name": "Under development"},
    "legal_entity": {"code": "PERSEORANGAN", "name": "Personal"},
    "brands": [
        {
            "id": "BRN-0104-1678960841263",
            "name": "Brand under partner personal only test",
            "shared_key": "SK-ViEeAojc5K0nBrL41ou4",
            "category": "NON_RETAIL",
            "minimum_transaction": 0,
            "maximum_transaction": 100,
            "transaction_frequency": {"code": "UMI", "name": "< IDR 20 Mio"},
            "transaction_quantity": {"code": "UP_TO_100", "name": "< 100"},
            "ticket_size": {"code": "UP_TO_50K", "name": "Less than or equal to IDR 50.000"},
            "finance_status": "PROBATION",
            "risk_engine_status": "ON_PROCESS",
            "photo_proofs": [{"id": "PHP-0113-1678960841279", "photo": "https://cdn.example/x.jpeg"}]
        }
    ],
    "addresses": [{"area": "x", "country": "ID"}]
}"#;

#[test]
fn business_data_sample_round_trips_and_hides_shared_key() {
    let d: BusinessData = decode(BUSINESS_DATA.as_bytes()).unwrap();
    assert_eq!(
        d.brands[0].shared_key.as_ref().unwrap().expose(),
        "SK-ViEeAojc5K0nBrL41ou4"
    );
    assert!(!format!("{d:?}").contains("SK-ViEe"));
    assert!(d.extra.contains_key("addresses"));
    assert_eq!(serde_json::to_value(&d).unwrap(), json(BUSINESS_DATA));
}

#[test]
fn error_body_keeps_unknown_fields() {
    let body = r#"{"error":{"code":"x","message":"y","type":"z","field":"business.name"},"request_id":"r1"}"#;
    let e: ErrorBody = decode(body.as_bytes()).unwrap();
    assert_eq!(e.code(), Some("x"));
    assert_eq!(serde_json::to_value(&e).unwrap(), json(body));
}
