//! Check Requirements (`GET /file?businessType=…`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::common::{BusinessLine, BusinessType, LegalEntity};
use crate::query::percent_encode_into;
use crate::validate::{Validate, ValidationErrors};

/// Query parameters of Check Requirements.
///
/// DOKU's check-requirements-api page marks all four parameters *Mandatory*, so all four are
/// fields here (an empty value is reported by [`Validate`]). For a personal business DOKU's only
/// possible values are `PERSEORANGAN` and `RETAIL`: [`RequirementsQuery::personal`] fills them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementsQuery {
    /// `businessType`, e.g. `PERSONAL`, `CORPORATE`.
    pub business_type: BusinessType,
    /// `businessLegalEntity`, e.g. `PERSEORANGAN` (PERSONAL) or `PT` (CORPORATE).
    pub business_legal_entity: LegalEntity,
    /// `brandBusinessLine`, e.g. `RETAIL` (PERSONAL) or `MINING` (CORPORATE).
    pub brand_business_line: BusinessLine,
    /// `businessContactNationality`: ISO 3166-1 alpha-2, e.g. `ID`.
    pub business_contact_nationality: String,
}

/// Query parameter names, in the order [`RequirementsQuery::to_query_string`] writes them.
pub const QUERY_PARAMS: [&str; 4] = [
    "businessType",
    "businessLegalEntity",
    "brandBusinessLine",
    "businessContactNationality",
];

impl RequirementsQuery {
    /// A query with DOKU's four mandatory parameters.
    pub fn new(
        business_type: BusinessType,
        legal_entity: LegalEntity,
        business_line: BusinessLine,
        nationality: impl Into<String>,
    ) -> Self {
        Self {
            business_type,
            business_legal_entity: legal_entity,
            brand_business_line: business_line,
            business_contact_nationality: nationality.into(),
        }
    }

    /// A personal business: `PERSONAL`, `PERSEORANGAN`, `RETAIL` (DOKU's only possible values
    /// for PERSONAL) and the contact's nationality.
    pub fn personal(nationality: impl Into<String>) -> Self {
        Self::new(
            BusinessType::Personal,
            LegalEntity::Perseorangan,
            BusinessLine::Retail,
            nationality,
        )
    }

    /// The query string without the leading `?`, deterministic: parameters in the order of
    /// [`QUERY_PARAMS`], values percent-encoded (RFC 3986 unreserved characters kept).
    pub fn to_query_string(&self) -> String {
        let values = [
            self.business_type.as_str(),
            self.business_legal_entity.as_str(),
            self.brand_business_line.as_str(),
            self.business_contact_nationality.as_str(),
        ];
        // Sized for the whole string when no value needs encoding (DOKU's values never do): one
        // allocation instead of a string regrown four or five times on every call.
        let len = QUERY_PARAMS
            .iter()
            .zip(values)
            .map(|(name, value)| name.len() + 2 + value.len())
            .sum::<usize>();
        let mut out = String::with_capacity(len);
        for (name, value) in QUERY_PARAMS.iter().zip(values) {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            percent_encode_into(&mut out, value);
        }
        out
    }
}

impl Validate for RequirementsQuery {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        e.non_empty(QUERY_PARAMS[0], self.business_type.as_str());
        e.non_empty(QUERY_PARAMS[1], self.business_legal_entity.as_str());
        e.non_empty(QUERY_PARAMS[2], self.brand_business_line.as_str());
        e.country(QUERY_PARAMS[3], &self.business_contact_nationality);
        e.into_result()
    }
}

/// One required document, as listed by Check Requirements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRequirement {
    /// Document code. It matches Upload File's `category` (e.g. `PHOTO_PROOF`) or, for
    /// `category=DOCUMENT`, Upload File's `code` (e.g. `KTP`).
    pub code: String,
    /// Human label, e.g. `Brand Photo Proof`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Accepted file extensions, e.g. `["PNG","JPG","JPEG"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    /// Maximum size as DOKU states it (the sample says `15`; unit unstated, we read MB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<u64>,
    /// Whether the document is mandatory. DOKU's sample omits the flag; absent means
    /// mandatory (our documented reading), see [`DocumentRequirement::mandatory`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mandatory: Option<bool>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl DocumentRequirement {
    /// Whether the document must be uploaded before Business Registration.
    pub fn mandatory(&self) -> bool {
        self.is_mandatory.unwrap_or(true)
    }
}

/// A node of the Check Requirements answer: DOKU groups requirements by subject
/// (`business.brand.photo_proof`, …), so the answer is a tree.
///
/// Decoding reads each node once: an object with a string `code` that reads as a
/// [`DocumentRequirement`] is a document, other objects are groups, arrays are lists, anything else
/// is kept as it is. The decoder (`requirements_decode.rs`) builds the nodes directly, with no
/// intermediate JSON tree; a derived `#[serde(untagged)]` or a `serde_json::Value` tree walked
/// afterwards gives the same result at several times the cost (docs/performance.md).
///
/// The document is boxed so a node stays small (32 bytes, the size of a `serde_json::Value`):
/// a `BTreeMap` of nodes keeps up to eleven of them in one allocation, and with the document
/// inline (120-byte nodes) that allocation would be ≈ 1.6 KiB, past the 1 KiB from which
/// glibc's allocator leaves its fast path (docs/performance.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RequirementNode {
    /// A single requirement (an object with a string `code`).
    Document(Box<DocumentRequirement>),
    /// A list of requirements.
    List(Vec<RequirementNode>),
    /// A named group of nodes.
    Group(BTreeMap<String, RequirementNode>),
    /// Anything else, kept verbatim.
    Other(serde_json::Value),
}

impl RequirementNode {
    /// Classifies a JSON value, recursively: the same rules as decoding (see [`RequirementNode`]).
    pub fn from_value(value: serde_json::Value) -> Self {
        crate::requirements_decode::classify(value)
    }
}

/// Answer of Check Requirements: `{"business": {"brand": {"photo_proof": {…}}, …}}`.
///
/// Its `Deserialize` (in `requirements_decode.rs`) reads the tree under `business` in one pass
/// and behaves as the derive would: any other top-level field goes to `extra`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementsResponse {
    /// The requirement tree under `business`.
    pub business: BTreeMap<String, RequirementNode>,
    /// Top-level fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A requirement together with the dotted path where it was found (e.g.
/// `business.brand.photo_proof`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedRequirement<'a> {
    /// Where in the answer the requirement sits.
    pub path: String,
    /// The requirement.
    pub requirement: &'a DocumentRequirement,
}

impl RequirementsResponse {
    /// Every requirement in the tree, depth first in key order, with its path.
    pub fn documents(&self) -> Vec<LocatedRequirement<'_>> {
        let mut out = Vec::new();
        for (key, node) in &self.business {
            walk(&format!("business.{key}"), node, &mut out);
        }
        out
    }

    /// Codes of the mandatory documents, deduplicated, in tree order.
    pub fn mandatory_codes(&self) -> Vec<&str> {
        let mut codes: Vec<&str> = Vec::new();
        for located in self.documents() {
            let code = located.requirement.code.as_str();
            if located.requirement.mandatory() && !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    }
}

fn walk<'a>(path: &str, node: &'a RequirementNode, out: &mut Vec<LocatedRequirement<'a>>) {
    match node {
        RequirementNode::Document(d) => out.push(LocatedRequirement {
            path: path.to_owned(),
            requirement: d,
        }),
        RequirementNode::List(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(&format!("{path}[{i}]"), item, out);
            }
        }
        RequirementNode::Group(map) => {
            for (k, v) in map {
                walk(&format!("{path}.{k}"), v, out);
            }
        }
        RequirementNode::Other(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    #[test]
    fn query_string_is_deterministic() {
        let q = RequirementsQuery::personal("ID");
        assert_eq!(
            q.to_query_string(),
            "businessType=PERSONAL&businessLegalEntity=PERSEORANGAN&brandBusinessLine=RETAIL&businessContactNationality=ID"
        );
        let corporate = RequirementsQuery::new(
            BusinessType::Corporate,
            LegalEntity::Pt,
            BusinessLine::Mining,
            "ID",
        );
        assert_eq!(
            corporate.to_query_string(),
            "businessType=CORPORATE&businessLegalEntity=PT&brandBusinessLine=MINING&businessContactNationality=ID"
        );
    }

    /// The string is allocated once, at its final length, when no value needs encoding.
    #[test]
    fn query_string_is_allocated_at_its_length() {
        let q = RequirementsQuery::personal("ID");
        let s = q.to_query_string();
        // The capacity counts one '&' too many (one per parameter).
        assert_eq!(s.capacity(), s.len() + 1);
    }

    #[test]
    fn query_values_are_encoded() {
        let mut q = RequirementsQuery::personal("ID");
        q.business_type = BusinessType::Unknown("A B&C".into());
        assert_eq!(
            q.to_query_string(),
            "businessType=A%20B%26C&businessLegalEntity=PERSEORANGAN&brandBusinessLine=RETAIL&businessContactNationality=ID"
        );
    }

    #[test]
    fn validate_lists_every_missing_parameter() {
        let q = RequirementsQuery::new(
            BusinessType::Unknown(String::new()),
            LegalEntity::Unknown(String::new()),
            BusinessLine::Unknown(String::new()),
            "Indonesia",
        );
        assert_eq!(
            q.validate().unwrap_err().paths(),
            vec![
                "businessType",
                "businessLegalEntity",
                "brandBusinessLine",
                "businessContactNationality"
            ]
        );
        RequirementsQuery::personal("ID").validate().unwrap();
    }

    #[test]
    fn spec_sample_response_round_trips() {
        let body = br#"{"business":{"brand":{"photo_proof":{"code":"PHOTO_PROOF","name":"Brand Photo Proof","extensions":["PNG","JPG","JPEG"],"max_size":15}}}}"#;
        let r: RequirementsResponse = decode(body).unwrap();
        let docs = r.documents();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].path, "business.brand.photo_proof");
        assert!(docs[0].requirement.mandatory());
        assert_eq!(r.mandatory_codes(), vec!["PHOTO_PROOF"]);
        let again: serde_json::Value = serde_json::to_value(&r).unwrap();
        let orig: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(again, orig);
    }

    #[test]
    fn lists_optional_flags_and_unknown_shapes() {
        let body = br#"{"business":{"owner":{"documents":[{"code":"KTP","is_mandatory":true},{"code":"NPWP","is_mandatory":false}]},"note":"x","brand":{"logo":{"code":"LOGO","is_mandatory":false,"new_field":1}}}}"#;
        let r: RequirementsResponse = decode(body).unwrap();
        assert_eq!(r.mandatory_codes(), vec!["KTP"]);
        assert_eq!(r.documents().len(), 3);
        assert!(matches!(
            r.business.get("note"),
            Some(RequirementNode::Other(_))
        ));
    }
}
