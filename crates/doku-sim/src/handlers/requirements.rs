//! `GET /file?…`: which documents a business type needs, and the table registration checks.

use std::sync::OnceLock;

use bytes::Bytes;
use doku_model::{BusinessType, RequirementsQuery};
use http::StatusCode;
use serde_json::{json, Map, Value};

use super::{try_reply, validate, Req};
use crate::response::Reply;
use crate::state::App;

/// One document the simulator asks for.
pub(crate) struct Requirement {
    /// Group in the answer: `business.<group>.<key>`.
    group: &'static str,
    key: &'static str,
    pub(crate) code: &'static str,
    name: &'static str,
    pub(crate) mandatory: bool,
}

const fn r(
    group: &'static str,
    key: &'static str,
    code: &'static str,
    name: &'static str,
    mandatory: bool,
) -> Requirement {
    Requirement {
        group,
        key,
        code,
        name,
        mandatory,
    }
}

/// The simulator's requirement table (invented, documented in docs/simulator.md).
pub(crate) fn requirements_for(
    business_type: &BusinessType,
    nationality: &str,
) -> Option<Vec<Requirement>> {
    let identity = if nationality == "ID" {
        r("owner", "identity_card", "KTP", "Owner ID Card (KTP)", true)
    } else {
        r(
            "owner",
            "identity_card",
            "KITAS_OR_KITAP",
            "Owner Residence Permit (KITAS/KITAP)",
            true,
        )
    };
    let common = [
        r(
            "brand",
            "photo_proof",
            "PHOTO_PROOF",
            "Brand Photo Proof",
            true,
        ),
        r("brand", "logo", "LOGO", "Brand Logo", false),
    ];
    match business_type {
        BusinessType::Personal => {
            let mut v = vec![
                identity,
                r(
                    "owner",
                    "liveness",
                    "OWNER_LIVENESS",
                    "Owner Liveness Photo",
                    true,
                ),
            ];
            v.extend(common);
            Some(v)
        }
        BusinessType::Corporate => {
            let mut v = vec![
                identity,
                r(
                    "company",
                    "deed",
                    "AKTA_PENDIRIAN_PERUSAHAAN",
                    "Deed of Establishment",
                    true,
                ),
                r(
                    "company",
                    "business_license",
                    "IZIN_USAHA",
                    "Business License",
                    false,
                ),
            ];
            v.extend(common);
            Some(v)
        }
        _ => None,
    }
}

/// Refusal for a business type the table does not know.
pub(crate) fn unknown_type(business_type: &BusinessType) -> Reply {
    Reply::error(
        StatusCode::BAD_REQUEST,
        "invalid_business_type",
        format!(
            "businessType {:?} is not supported; use one of {}",
            business_type.as_str(),
            BusinessType::KNOWN.join(", ")
        ),
    )
}

pub(crate) fn handle(app: &App, req: &Req<'_>) -> Reply {
    let query =
        try_reply!(
            RequirementsQuery::from_query_string(req.query.unwrap_or(""))
                .map_err(|e| Reply::error(StatusCode::BAD_REQUEST, "invalid_query", e.to_string()))
        );
    try_reply!(validate(&query));
    if !matches!(
        query.business_type,
        BusinessType::Personal | BusinessType::Corporate
    ) {
        return unknown_type(&query.business_type);
    }
    app.stats().requirement_checks += 1;
    let indonesian = query.business_contact_nationality == "ID";
    Reply::json_bytes(StatusCode::OK, body_for(&query.business_type, indonesian))
}

/// The answer for a business type the table knows (`PERSONAL`, else `CORPORATE`). The table is constant, so the four possible
/// bodies (two types × Indonesian or not) are rendered once per process and shared.
fn body_for(business_type: &BusinessType, indonesian: bool) -> Bytes {
    static BODIES: OnceLock<[Bytes; 4]> = OnceLock::new();
    let bodies = BODIES.get_or_init(|| {
        [
            (BusinessType::Personal, "ID"),
            (BusinessType::Personal, "other"),
            (BusinessType::Corporate, "ID"),
            (BusinessType::Corporate, "other"),
        ]
        .map(|(t, n)| render(&requirements_for(&t, n).unwrap_or_default()))
    });
    let row = if *business_type == BusinessType::Corporate {
        2
    } else {
        0
    };
    bodies[row + usize::from(!indonesian)].clone()
}

/// `{"business":{"<group>":{"<key>":{code, name, extensions, max_size, is_mandatory}}}}`.
fn render(list: &[Requirement]) -> Bytes {
    let mut business: Map<String, Value> = Map::new();
    for item in list {
        let group = business
            .entry(item.group)
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(g) = group {
            g.insert(
                item.key.to_owned(),
                json!({
                    "code": item.code,
                    "name": item.name,
                    "extensions": ["PNG", "JPG", "JPEG", "PDF"],
                    "max_size": 10,
                    "is_mandatory": item.mandatory,
                }),
            );
        }
    }
    Bytes::from(serde_json::to_vec(&json!({ "business": business })).unwrap_or_default())
}
