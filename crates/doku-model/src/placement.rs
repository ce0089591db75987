//! Where an uploaded file goes: from a Check Requirements code to the Upload File request that
//! satisfies it, and from Upload File's answer to the place in Business Registration that refers
//! to it.
//!
//! DOKU's Business Registration sample shows one place, `business.brands[].photo_proofs[]{id}`,
//! and Check Requirements' sample groups `photo_proof` under `business.brand`. The sample is cut
//! before the rest, so the other places are this crate's reading (docs/doku-api-notes.md): the
//! brand's `logo{id}`, the owner's identity documents and liveness photo in the first contact's
//! `documents[]`, everything else (deeds, permits, agreements, bank proofs) in the business's own
//! `documents[]`. Keeping that table here means a demo, a test and a caller place files the same
//! way.

use crate::business::BusinessRegistrationRequest;
use crate::common::FileRef;
use crate::ids::FileId;
use crate::upload::{DocumentCode, FileCategory, UploadFile};

/// Where Business Registration refers to an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Placement {
    /// `business.brands[0].photo_proofs[]`: a `PHOTO_PROOF` (DOKU's published sample).
    BrandPhotoProofs,
    /// `business.brands[0].logo`: a `LOGO`.
    BrandLogo,
    /// `business.contacts[0].documents[]`: the owner's `OWNER_LIVENESS` and identity documents
    /// (`DOCUMENT` with `KTP` or `KITAS_OR_KITAP`); the owner is the first contact.
    OwnerDocuments,
    /// `business.documents[]`: every other file (a deed, a permit, a licence, a service
    /// agreement, a bank account proof, a category DOKU adds later).
    BusinessDocuments,
}

impl Placement {
    /// Where an upload of this category (and, for `DOCUMENT`, this code) belongs.
    pub fn of(category: &FileCategory, code: Option<&DocumentCode>) -> Self {
        match (category, code) {
            (FileCategory::PhotoProof, _) => Self::BrandPhotoProofs,
            (FileCategory::Logo, _) => Self::BrandLogo,
            (FileCategory::OwnerLiveness, _)
            | (FileCategory::Document, Some(DocumentCode::Ktp | DocumentCode::KitasOrKitap)) => {
                Self::OwnerDocuments
            }
            _ => Self::BusinessDocuments,
        }
    }

    /// Where `upload` belongs.
    pub fn of_upload(upload: &UploadFile) -> Self {
        Self::of(&upload.category, upload.code.as_ref())
    }
}

impl UploadFile {
    /// The upload that satisfies a Check Requirements code: the code is a category
    /// (`PHOTO_PROOF`) or, for anything else, a document code under `DOCUMENT` (`KTP`).
    ///
    /// The inverse of [`UploadFile::requirement_code`].
    pub fn for_requirement(
        code: &str,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Self {
        let category = FileCategory::from(code);
        if category.is_unknown() {
            Self::file(FileCategory::Document, filename, content_type, bytes)
                .with_code(DocumentCode::from(code))
        } else {
            Self::file(category, filename, content_type, bytes)
        }
    }
}

impl BusinessRegistrationRequest {
    /// Refers to the file DOKU stored for `upload` (its `id`) where Business Registration
    /// expects it, and says where that was.
    ///
    /// A brand or owner file goes to `business.documents[]` when the request has no brand or no
    /// contact yet, so the id is never dropped; a second `LOGO` replaces the first.
    pub fn attach(&mut self, upload: &UploadFile, id: FileId) -> Placement {
        let file = FileRef { id };
        let business = &mut self.business;
        match Placement::of_upload(upload) {
            Placement::BrandPhotoProofs => {
                if let Some(brand) = business.brands.first_mut() {
                    brand.photo_proofs.push(file);
                    return Placement::BrandPhotoProofs;
                }
            }
            Placement::BrandLogo => {
                if let Some(brand) = business.brands.first_mut() {
                    brand.logo = Some(file);
                    return Placement::BrandLogo;
                }
            }
            Placement::OwnerDocuments => {
                if let Some(owner) = business.contacts.first_mut() {
                    owner.documents.push(file);
                    return Placement::OwnerDocuments;
                }
            }
            Placement::BusinessDocuments => {}
        }
        business.documents.push(file);
        Placement::BusinessDocuments
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::Placement;
    use crate::{BusinessRegistrationRequest, DocumentCode, FileCategory, FileId, UploadFile};

    fn registration(brands: Value, contacts: Value) -> BusinessRegistrationRequest {
        serde_json::from_value(json!({"business": {
            "type": "PERSONAL", "legal_entity": "PERSEORANGAN", "name": "Toko",
            "email": "owner@example.com", "phone_calling_code": "62", "phone_number": "81234567890",
            "brands": brands,
            "addresses": [{"area": "17133 - Kali Baru - Medan Satria - Bekasi - Jawa Barat",
                           "country": "ID", "name": "Jl. Gatot Subroto 20", "is_primary": true}],
            "contacts": contacts
        }}))
        .unwrap()
    }

    fn full() -> BusinessRegistrationRequest {
        registration(
            json!([{"name": "Toko", "description": "Groceries", "category": "RETAIL"}]),
            json!([{"name": "Budi", "email": "budi@example.com", "phone_calling_code": "62",
                    "phone_number": "81234567890", "nationality": "ID"}]),
        )
    }

    fn upload(code: &str) -> UploadFile {
        UploadFile::for_requirement(code, "f.png", "image/png", b"png".to_vec())
    }

    fn id(value: &str) -> FileId {
        FileId::new(value).unwrap()
    }

    /// Every requirement code: where its file goes, and the JSON path the id then has.
    const TABLE: &[(&str, Placement, &str)] = &[
        // DOKU's Business Registration sample: `brands[].photo_proofs[]{id}`.
        (
            "PHOTO_PROOF",
            Placement::BrandPhotoProofs,
            "/business/brands/0/photo_proofs/0/id",
        ),
        ("LOGO", Placement::BrandLogo, "/business/brands/0/logo/id"),
        (
            "OWNER_LIVENESS",
            Placement::OwnerDocuments,
            "/business/contacts/0/documents/0/id",
        ),
        (
            "KTP",
            Placement::OwnerDocuments,
            "/business/contacts/0/documents/0/id",
        ),
        (
            "KITAS_OR_KITAP",
            Placement::OwnerDocuments,
            "/business/contacts/0/documents/0/id",
        ),
        (
            "AKTA_PENDIRIAN_PERUSAHAAN",
            Placement::BusinessDocuments,
            "/business/documents/0/id",
        ),
        (
            "COMPANY_REGISTRATION",
            Placement::BusinessDocuments,
            "/business/documents/0/id",
        ),
        (
            "IZIN_USAHA",
            Placement::BusinessDocuments,
            "/business/documents/0/id",
        ),
        (
            "SERVICE_AGREEMENT",
            Placement::BusinessDocuments,
            "/business/documents/0/id",
        ),
        (
            "BANK_ACCOUNT",
            Placement::BusinessDocuments,
            "/business/documents/0/id",
        ),
        (
            "SOMETHING_DOKU_ADDS",
            Placement::BusinessDocuments,
            "/business/documents/0/id",
        ),
    ];

    #[test]
    fn each_requirement_code_lands_at_its_json_path() {
        for &(code, placement, pointer) in TABLE {
            let mut body = full();
            assert_eq!(body.attach(&upload(code), id("CNT-1")), placement, "{code}");
            let json = serde_json::to_value(&body).unwrap();
            assert_eq!(
                json.pointer(pointer),
                Some(&json!("CNT-1")),
                "{code}: {json}"
            );
            assert_eq!(
                body.file_ids(),
                [&id("CNT-1")],
                "{code}: placed exactly once"
            );
        }
    }

    #[test]
    fn for_requirement_is_the_inverse_of_requirement_code() {
        for &(code, _, _) in TABLE {
            assert_eq!(upload(code).requirement_code(), code);
        }
        assert_eq!(upload("PHOTO_PROOF").code, None);
        let ktp = upload("KTP");
        assert_eq!(
            (ktp.category, ktp.code),
            (FileCategory::Document, Some(DocumentCode::Ktp))
        );
    }

    #[test]
    fn a_document_without_a_code_is_a_business_document() {
        assert_eq!(
            Placement::of(&FileCategory::Document, None),
            Placement::BusinessDocuments
        );
    }

    #[test]
    fn without_a_brand_or_contact_the_id_goes_to_the_business_documents() {
        let mut body = registration(json!([]), json!([]));
        for code in ["PHOTO_PROOF", "LOGO", "KTP", "OWNER_LIVENESS"] {
            assert_eq!(
                body.attach(&upload(code), id(code)),
                Placement::BusinessDocuments,
                "{code}"
            );
        }
        let ids: Vec<&str> = body.file_ids().into_iter().map(FileId::as_str).collect();
        assert_eq!(ids, ["PHOTO_PROOF", "LOGO", "KTP", "OWNER_LIVENESS"]);
    }

    #[test]
    fn files_of_one_place_keep_their_order_and_a_second_logo_replaces_the_first() {
        let mut body = full();
        body.attach(&upload("PHOTO_PROOF"), id("P1"));
        body.attach(&upload("PHOTO_PROOF"), id("P2"));
        body.attach(&upload("LOGO"), id("L1"));
        body.attach(&upload("LOGO"), id("L2"));
        let brand = &body.business.brands[0];
        let proofs: Vec<&str> = brand.photo_proofs.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(proofs, ["P1", "P2"]);
        assert_eq!(brand.logo.as_ref().map(|f| f.id.as_str()), Some("L2"));
    }
}
