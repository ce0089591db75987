//! `POST /business/lite/registration`: create a business and record the invitation.

use doku_model::{
    BusinessCreatedResponse, BusinessData, BusinessDataBrand, BusinessLiteRequest, CreatedBrand,
    CreatedBusiness,
};
use http::StatusCode;

use super::{decode_json, require_json, try_reply, validate, Req};
use crate::response::Reply;
use crate::state::{App, Invitation, StoredBusiness};

pub(crate) fn handle(app: &App, req: &Req<'_>) -> Reply {
    try_reply!(require_json(app, req));
    let body: BusinessLiteRequest = try_reply!(decode_json(req.body));
    try_reply!(validate(&body));
    let business_id = app.new_id("BSN");
    let brand_id = app.new_id("BRN");
    let data = BusinessData {
        id: business_id.clone(),
        name: body.business.name.clone(),
        description: None,
        email: Some(body.business.contact.email.clone()),
        phone_calling_code: Some(body.business.contact.phone_calling_code.clone()),
        phone_number: Some(body.business.contact.phone_number.clone()),
        partner: Some(req.client_id.to_owned()),
        platform: Some("api".to_owned()),
        // The kind of business is chosen when the invited user finishes onboarding in DOKU's
        // dashboard: until then there is no `type` (DOKU has no "LITE" type).
        business_type: None,
        website_readiness: None,
        mobile_app_readiness: None,
        legal_entity: None,
        brands: vec![lite_brand(&brand_id, &body.business.name)],
        extra: Default::default(),
    };
    {
        let mut store = app.store();
        store.invitations.push(Invitation {
            owner: req.client_id.to_owned(),
            partner_ref_id: body.business.partner_ref_id.clone(),
            invited_email: body.invited_user.email.clone(),
            brand_id: brand_id.clone(),
        });
        store.businesses.insert(
            brand_id.clone(),
            StoredBusiness {
                owner: req.client_id.to_owned(),
                data,
            },
        );
    }
    app.stats().lite_registrations += 1;
    // DOKU's published answer: `{"business":{"id","partner_ref_id","brands":[{"id"}]}}`.
    let response = BusinessCreatedResponse {
        business: CreatedBusiness {
            id: business_id,
            partner_ref_id: Some(body.business.partner_ref_id.clone()),
            brands: Some(vec![CreatedBrand {
                id: brand_id,
                extra: Default::default(),
            }]),
            extra: Default::default(),
        },
        brands: None,
        extra: Default::default(),
    };
    Reply::json(StatusCode::OK, &response)
}

/// The brand of a Lite business as Get Business Data shows it: its id and name, no shared key
/// until the invited user has finished onboarding.
fn lite_brand(id: &str, name: &str) -> BusinessDataBrand {
    BusinessDataBrand {
        id: id.to_owned(),
        name: name.to_owned(),
        shared_key: None,
        category: None,
        minimum_transaction: None,
        maximum_transaction: None,
        transaction_frequency: None,
        transaction_quantity: None,
        ticket_size: None,
        finance_status: None,
        risk_engine_status: None,
        photo_proofs: Vec::new(),
        extra: Default::default(),
    }
}
