//! `GET /file?…`: which documents a business type needs, and the table registration checks.

use std::sync::OnceLock;

use bytes::Bytes;
use doku_model::BusinessType;
use http::StatusCode;
use serde_json::{json, Map, Value};

use super::{try_reply, validate, Req};
use crate::response::Reply;
use crate::state::App;

/// One document the simulator asks for (every listed document is mandatory, as in DOKU's
/// published answer, which has no optional flag).
pub(crate) struct Requirement {
    /// Group in the answer: `business.<group>.<key>`.
    group: &'static str,
    key: &'static str,
    pub(crate) code: &'static str,
    name: &'static str,
}

const fn r(
    group: &'static str,
    key: &'static str,
    code: &'static str,
    name: &'static str,
) -> Requirement {
    Requirement {
        group,
        key,
        code,
        name,
    }
}

/// File types of every requirement: DOKU's published values.
const EXTENSIONS: [&str; 3] = ["PNG", "JPG", "JPEG"];
/// `max_size` of every requirement: DOKU's published value (MB).
const MAX_SIZE: u64 = 15;

/// The simulator's requirement table (documents beyond DOKU's published `photo_proof` are
/// ours, named after Upload File's categories and codes; docs/simulator.md lists them).
pub(crate) fn requirements_for(
    business_type: &BusinessType,
    nationality: &str,
) -> Option<Vec<Requirement>> {
    let identity = if nationality == "ID" {
        r("owner", "identity_card", "KTP", "Owner ID Card (KTP)")
    } else {
        r(
            "owner",
            "identity_card",
            "KITAS_OR_KITAP",
            "Owner Residence Permit (KITAS/KITAP)",
        )
    };
    let photo_proof = r("brand", "photo_proof", "PHOTO_PROOF", "Brand Photo Proof");
    match business_type {
        BusinessType::Personal => Some(vec![
            identity,
            r(
                "owner",
                "liveness",
                "OWNER_LIVENESS",
                "Owner Liveness Photo",
            ),
            photo_proof,
        ]),
        BusinessType::Corporate => Some(vec![
            identity,
            r(
                "company",
                "deed",
                "AKTA_PENDIRIAN_PERUSAHAAN",
                "Deed of Establishment",
            ),
            photo_proof,
        ]),
        _ => None,
    }
}

/// Refusal for a business type the table does not know.
pub(crate) fn unknown_type(business_type: &BusinessType) -> Reply {
    Reply::error(
        StatusCode::BAD_REQUEST,
        "invalid_business_type",
        format!(
            "businessType {} is not supported; use one of {}",
            crate::echo::echo(business_type.as_str()),
            BusinessType::KNOWN.join(", ")
        ),
    )
}

pub(crate) fn handle(app: &App, req: &Req<'_>) -> Reply {
    let query =
        try_reply!(
            crate::form::requirements_from_query(req.query.unwrap_or(""))
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

/// `{"business":{"<group>":{"<key>":{code, name, extensions, max_size}}}}`: DOKU's shape.
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
                    "extensions": EXTENSIONS,
                    "max_size": MAX_SIZE,
                }),
            );
        }
    }
    Bytes::from(serde_json::to_vec(&json!({ "business": business })).unwrap_or_default())
}
