//! `POST /business`: full Business Registration.

use doku_model::{
    BusinessCreatedResponse, BusinessData, BusinessRegistrationRequest, BusinessType, CreatedBrand,
    CreatedBusiness, ErrorBody, LegalEntity,
};
use http::StatusCode;

use super::catalogue::{self, code_name, List};
use super::requirements::{requirements_for, unknown_type};
use super::{decode_json, require_json, try_reply, validate, Req};
use crate::echo::echo;
use crate::response::Reply;
use crate::state::{App, StoredBusiness};

pub(crate) fn handle(app: &App, req: &Req<'_>) -> Reply {
    try_reply!(require_json(app, req));
    let body: BusinessRegistrationRequest = try_reply!(decode_json(req.body));
    try_reply!(validate(&body));
    let b = &body.business;
    try_reply!(documented_kind(&body));
    let nationality = b.contacts.first().map_or("ID", |c| c.nationality.as_str());
    let Some(required) = requirements_for(&b.business_type, nationality) else {
        return unknown_type(&b.business_type);
    };

    let mut store = app.store();
    let mut unknown = Vec::new();
    let mut provided = Vec::new();
    for id in body.file_ids() {
        match store.files.get(id.as_str()) {
            Some(f) if f.owner == req.client_id => provided.push(f.requirement_code.clone()),
            _ => unknown.push(id.as_str().to_owned()),
        }
    }
    if !unknown.is_empty() {
        drop(store);
        // Name at most ten, each capped: the list comes from the request body.
        let more = unknown.len().saturating_sub(10);
        unknown.truncate(10);
        let named: Vec<String> = unknown.iter().map(|id| echo(id)).collect();
        let err = ErrorBody::new(
            "unknown_file_id",
            format!(
                "file id(s) not uploaded by this client: {}{}",
                named.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ),
        )
        .with_detail("file_ids", unknown.into());
        return Reply::error_body(StatusCode::BAD_REQUEST, err);
    }
    let missing: Vec<&str> = required
        .iter()
        .filter(|r| !provided.iter().any(|p| p == r.code))
        .map(|r| r.code)
        .collect();
    if !missing.is_empty() {
        drop(store);
        let err = ErrorBody::new(
            "missing_documents",
            format!(
                "mandatory document(s) for {} not provided: {}",
                b.business_type.as_str(),
                missing.join(", ")
            ),
        )
        .with_detail("missing", missing.into());
        return Reply::error_body(StatusCode::BAD_REQUEST, err);
    }

    let business_id = app.new_id("BSN");
    let mut brands = Vec::new();
    let mut data_brands = Vec::new();
    for brand in &b.brands {
        let brand_id = app.new_id("BRN");
        brands.push(CreatedBrand {
            id: brand_id.clone(),
            extra: Default::default(),
        });
        let data = catalogue::registered_brand(&brand_id, brand, catalogue::new_shared_key());
        data_brands.push(data);
    }
    let data = BusinessData {
        id: business_id.clone(),
        name: b.name.clone(),
        description: b.description.clone(),
        email: Some(b.email.clone()),
        phone_calling_code: Some(b.phone_calling_code.clone()),
        phone_number: Some(b.phone_number.clone()),
        partner: Some(req.client_id.to_owned()),
        platform: Some("api".to_owned()),
        business_type: Some(b.business_type.clone()),
        website_readiness: b
            .website_readiness
            .as_ref()
            .map(|r| code_name(List::WebsiteReadiness, r.as_str())),
        mobile_app_readiness: b
            .mobile_app_readiness
            .as_ref()
            .map(|r| code_name(List::MobileAppReadiness, r.as_str())),
        legal_entity: Some(code_name(List::LegalEntity, b.legal_entity.as_str())),
        brands: data_brands,
        extra: Default::default(),
    };
    for brand in &brands {
        store.businesses.insert(
            brand.id.clone(),
            StoredBusiness {
                owner: req.client_id.to_owned(),
                data: data.clone(),
            },
        );
    }
    drop(store);
    app.stats().registrations += 1;
    // DOKU's shape (published for Create Business Lite): brands inside `business`.
    let response = BusinessCreatedResponse {
        business: CreatedBusiness {
            id: business_id,
            partner_ref_id: None,
            brands: Some(brands),
            extra: Default::default(),
        },
        brands: None,
        extra: Default::default(),
    };
    Reply::json(StatusCode::OK, &response)
}

/// Business Registration's table documents `business.type` "Possible Value : PERSONAL" and
/// `legal_entity` PERSEORANGAN only: anything else is refused, naming both fields.
fn documented_kind(body: &BusinessRegistrationRequest) -> Result<(), Reply> {
    let b = &body.business;
    let mut wrong = Vec::new();
    if b.business_type != BusinessType::Personal {
        wrong.push(format!(
            "business.type {} (only PERSONAL)",
            echo(b.business_type.as_str())
        ));
    }
    if b.legal_entity != LegalEntity::Perseorangan {
        wrong.push(format!(
            "business.legal_entity {} (only PERSEORANGAN)",
            echo(b.legal_entity.as_str())
        ));
    }
    if wrong.is_empty() {
        return Ok(());
    }
    Err(Reply::error(
        StatusCode::BAD_REQUEST,
        "unsupported_business_kind",
        format!(
            "Business Registration documents one kind of business: {}",
            wrong.join(", ")
        ),
    ))
}
