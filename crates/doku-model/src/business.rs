//! Business Registration (`POST /business`): register a full business with its documents.
//!
//! Field names follow DOKU's published sample; fields DOKU's table lists that the sample
//! does not show are modelled from the table, and every object keeps unknown fields in
//! `extra` so callers can send or receive what this crate does not model. See
//! `docs/doku-api-notes.md` for what was read where and what was chosen.

use serde::{Deserialize, Serialize};

use crate::common::{
    string_or_number, BrandCategory, BusinessType, FileRef, LegalEntity, Readiness,
};
use crate::ids::FileId;
use crate::validate::{Validate, ValidationErrors};

/// Body of Business Registration: `{"business": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessRegistrationRequest {
    /// The business to register.
    pub business: Business,
}

/// `business` of Business Registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Business {
    /// `type`: `PERSONAL` (the only value documented for this API) or `CORPORATE`.
    #[serde(rename = "type")]
    pub business_type: BusinessType,
    /// URL DOKU notifies about the registration outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// `legal_entity`, e.g. `PERSEORANGAN`.
    pub legal_entity: LegalEntity,
    /// Legal name of the business (max 255).
    pub name: String,
    /// Description (max 1023).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Business e-mail.
    pub email: String,
    /// Calling code without `+`, e.g. `62` (sent as a string; a number is accepted).
    #[serde(deserialize_with = "string_or_number")]
    pub phone_calling_code: String,
    /// Phone number without the calling code, digits only (max 13).
    #[serde(deserialize_with = "string_or_number")]
    pub phone_number: String,
    /// Whether the business has a website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_readiness: Option<Readiness>,
    /// Whether the business has a mobile app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_app_readiness: Option<Readiness>,
    /// The business's brands (at least one).
    pub brands: Vec<Brand>,
    /// The business's addresses (at least one, one of them primary).
    pub addresses: Vec<Address>,
    /// Contact persons, the owner first (at least one).
    pub contacts: Vec<Contact>,
    /// Business-level documents (uploaded file ids), e.g. a deed of establishment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<FileRef>,
    /// Fields this crate does not model, sent and received verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `business.brands[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Brand {
    /// Brand name (max 255).
    pub name: String,
    /// Brand description (max 1023).
    pub description: String,
    /// `RETAIL` or `NON_RETAIL`.
    pub category: BrandCategory,
    /// Monthly volume band, e.g. `UMI`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_frequency: Option<String>,
    /// Monthly count band, e.g. `UP_TO_100`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_quantity: Option<String>,
    /// Social media accounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub social_media: Vec<SocialMedia>,
    /// Uploaded `PHOTO_PROOF` files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photo_proofs: Vec<FileRef>,
    /// Uploaded `LOGO` file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<FileRef>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `business.brands[].social_media[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocialMedia {
    /// Account URLs.
    pub accounts: Vec<String>,
    /// Network, e.g. `INSTAGRAM`, `FACEBOOK`.
    pub code: String,
}

/// `business.addresses[]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// Area: `postcode - village - district - city - province`, e.g.
    /// `17133 - Kali Baru - Medan Satria - Bekasi - Jawa Barat` (max 255).
    pub area: String,
    /// ISO 3166-1 alpha-2 country, e.g. `ID`.
    pub country: String,
    /// Street address, e.g. `Jalan Gatot Subroto No 20` (max 255).
    pub name: String,
    /// Whether this is the primary address.
    pub is_primary: bool,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `business.contacts[]`: a person representing the business.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Role, e.g. `OWNER` (our reading; optional).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub contact_type: Option<String>,
    /// Full name (max 255).
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Calling code, e.g. `62`.
    #[serde(deserialize_with = "string_or_number")]
    pub phone_calling_code: String,
    /// Phone number, digits only.
    #[serde(deserialize_with = "string_or_number")]
    pub phone_number: String,
    /// ISO 3166-1 alpha-2 nationality, e.g. `ID`.
    pub nationality: String,
    /// Position in the business, e.g. `Owner`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// Uploaded identity documents (`KTP`, `KITAS_OR_KITAP`, `OWNER_LIVENESS`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<FileRef>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl BusinessRegistrationRequest {
    /// Every uploaded-file id the request refers to, in document order.
    pub fn file_ids(&self) -> Vec<&FileId> {
        let b = &self.business;
        let mut ids: Vec<&FileId> = b.documents.iter().map(|f| &f.id).collect();
        for brand in &b.brands {
            ids.extend(brand.photo_proofs.iter().map(|f| &f.id));
            ids.extend(brand.logo.iter().map(|f| &f.id));
        }
        for contact in &b.contacts {
            ids.extend(contact.documents.iter().map(|f| &f.id));
        }
        ids
    }
}

impl Validate for BusinessRegistrationRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let b = &self.business;
        e.non_empty("business.type", b.business_type.as_str());
        if let Some(url) = &b.callback_url {
            e.url("business.callback_url", url);
        }
        e.non_empty("business.legal_entity", b.legal_entity.as_str());
        e.text("business.name", &b.name, 255);
        if let Some(d) = &b.description {
            e.max_chars("business.description", d, 1023);
        }
        e.email("business.email", &b.email);
        e.digits("business.phone_calling_code", &b.phone_calling_code, 1, 3);
        e.digits("business.phone_number", &b.phone_number, 5, 13);
        e.not_empty_list("business.brands", &b.brands);
        for (i, brand) in b.brands.iter().enumerate() {
            let p = format!("business.brands[{i}]");
            e.text(&format!("{p}.name"), &brand.name, 255);
            e.text(&format!("{p}.description"), &brand.description, 1023);
            e.non_empty(&format!("{p}.category"), brand.category.as_str());
            for (j, sm) in brand.social_media.iter().enumerate() {
                e.non_empty(&format!("{p}.social_media[{j}].code"), &sm.code);
                for (k, account) in sm.accounts.iter().enumerate() {
                    e.non_empty(&format!("{p}.social_media[{j}].accounts[{k}]"), account);
                }
            }
        }
        e.not_empty_list("business.addresses", &b.addresses);
        for (i, a) in b.addresses.iter().enumerate() {
            let p = format!("business.addresses[{i}]");
            e.text(&format!("{p}.area"), &a.area, 255);
            e.country(&format!("{p}.country"), &a.country);
            e.text(&format!("{p}.name"), &a.name, 255);
        }
        let primaries = b.addresses.iter().filter(|a| a.is_primary).count();
        if !b.addresses.is_empty() && primaries != 1 {
            e.push(
                "business.addresses",
                format!("exactly one address must have is_primary = true, {primaries} do"),
            );
        }
        e.not_empty_list("business.contacts", &b.contacts);
        for (i, c) in b.contacts.iter().enumerate() {
            let p = format!("business.contacts[{i}]");
            e.text(&format!("{p}.name"), &c.name, 255);
            e.email(&format!("{p}.email"), &c.email);
            e.digits(
                &format!("{p}.phone_calling_code"),
                &c.phone_calling_code,
                1,
                3,
            );
            e.digits(&format!("{p}.phone_number"), &c.phone_number, 5, 13);
            e.country(&format!("{p}.nationality"), &c.nationality);
        }
        e.into_result()
    }
}

/// Answer of Business Registration and of Create Business Lite.
///
/// DOKU's published Create Business Lite answer is
/// `{"business":{"id":…,"partner_ref_id":…,"brands":[{"id":"BRN-…"}]}}`: the brands sit
/// **inside** `business`, although the page's table writes `brands.id`. Both places are read and
/// kept (nothing is dropped or moved on re-encoding); [`brand_ids`](Self::brand_ids) gives the
/// brand ids wherever they came. Business Registration's answer is not published and is read the
/// same way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessCreatedResponse {
    /// The created business (with its brands, where DOKU puts them).
    pub business: CreatedBusiness,
    /// Brands at the top level, if an answer puts them there (the table's reading).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brands: Option<Vec<CreatedBrand>>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl BusinessCreatedResponse {
    /// Every created brand, `business.brands` first, then any top-level `brands`, each id once.
    /// A brand's `id` is the merchant's Client-Id from then on: the key a partner needs to act
    /// for the merchant.
    pub fn created_brands(&self) -> Vec<&CreatedBrand> {
        let nested = self.business.brands.iter().flatten();
        let top = self.brands.iter().flatten();
        let mut out: Vec<&CreatedBrand> = Vec::new();
        for brand in nested.chain(top) {
            if !out.iter().any(|b| b.id == brand.id) {
                out.push(brand);
            }
        }
        out
    }

    /// The ids of [`created_brands`](Self::created_brands), in the same order.
    pub fn brand_ids(&self) -> Vec<&str> {
        self.created_brands()
            .into_iter()
            .map(|b| b.id.as_str())
            .collect()
    }
}

/// `business` of [`BusinessCreatedResponse`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedBusiness {
    /// Business id generated by DOKU, e.g. `BSN-0104-1678960841263`.
    pub id: String,
    /// The partner's own reference, echoed back (Create Business Lite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_ref_id: Option<String>,
    /// The created brands, where DOKU's published answer puts them (`business.brands[]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brands: Option<Vec<CreatedBrand>>,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One created brand of [`BusinessCreatedResponse`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedBrand {
    /// Brand id (a client id, `BRN-…`).
    pub id: String,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Answer of Business Registration.
pub type BusinessRegistrationResponse = BusinessCreatedResponse;
