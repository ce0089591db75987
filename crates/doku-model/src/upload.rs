//! Upload File (`POST /file`, `multipart/form-data`): metadata, request, answer, and the rules
//! an upload must meet ([`check_upload`]), which the client checks before sending and the
//! simulator checks on receipt.
//!
//! The wire encoding lives in [`crate::multipart`]; this module says what is sent.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::ids::FileId;
use crate::multipart::{self, MultipartBody, Part};
use crate::string_enum::string_enum;
use crate::validate::{Validate, ValidationErrors};

/// Client-side cap on an uploaded file: 15 MiB. DOKU states no limit for the request; Check
/// Requirements gives a per-document `max_size`, 15 (MB) in DOKU's published answer, so the cap
/// is not below the largest documented one even if DOKU's MB are MiB.
pub const MAX_UPLOAD_BYTES: usize = 15 * 1024 * 1024;

string_enum! {
    /// Form field `category`: what the file is.
    pub enum FileCategory {
        /// Liveness photo of the owner.
        OwnerLiveness => "OWNER_LIVENESS",
        /// Photo proof of the brand / business location.
        PhotoProof => "PHOTO_PROOF",
        /// Brand logo.
        Logo => "LOGO",
        /// A legal document; `code` says which.
        Document => "DOCUMENT",
        /// Signed service agreement.
        ServiceAgreement => "SERVICE_AGREEMENT",
        /// Bank account proof.
        BankAccount => "BANK_ACCOUNT",
    }
}

string_enum! {
    /// Form field `code`: which legal document (only with `category=DOCUMENT`).
    pub enum DocumentCode {
        /// Deed of establishment.
        AktaPendirianPerusahaan => "AKTA_PENDIRIAN_PERUSAHAAN",
        /// Food and drug agency permit.
        Bpom => "BPOM",
        /// Company registration.
        CompanyRegistration => "COMPANY_REGISTRATION",
        /// BLU permit.
        IzinBlu => "IZIN_BLU",
        /// BOPI permit.
        IzinBopi => "IZIN_BOPI",
        /// Education office permit.
        IzinDispendikKemendikbud => "IZIN_DISPENDIK_KEMENDIKBUD",
        /// Official distributor permit.
        IzinDistributorResmi => "IZIN_DISTRIBUTOR_RESMI",
        /// Medical device distribution permit.
        IzinEdarAlatKesehatan => "IZIN_EDAR_ALAT_KESEHATAN",
        /// Crowd / event permit.
        IzinKeramaian => "IZIN_KERAMAIAN",
        /// Savings and loan cooperative permit.
        IzinKoperasiSimpanPinjam => "IZIN_KOPERASI_SIMPAN_PINJAM",
        /// Hajj and umrah organiser permit.
        IzinPenyelenggaraanIbadahHajiDanUmrah => "IZIN_PENYELENGGARAAN_IBADAH_HAJI_DAN_UMRAH",
        /// PMB permit.
        IzinPmb => "IZIN_PMB",
        /// PUB permit.
        IzinPub => "IZIN_PUB",
        /// Business permit.
        IzinUsaha => "IZIN_USAHA",
        /// Individual business permit.
        IzinUsahaPerseorangan => "IZIN_USAHA_PERSEORANGAN",
        /// Residence permit (foreigners).
        KitasOrKitap => "KITAS_OR_KITAP",
        /// Indonesian identity card.
        Ktp => "KTP",
        /// ASIC licence.
        LicenseAsic => "LICENSE_ASIC",
        /// CFTC licence.
        LicenseCftc => "LICENSE_CFTC",
        /// CySEC licence.
        LicenseCysec => "LICENSE_CYSEC",
        /// FCA licence.
        LicenseFca => "LICENSE_FCA",
    }
}

/// Where the file content comes from: DOKU takes either the bytes (`file`) or a URL
/// (`file_url`).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadSource {
    /// The file itself, sent as the `file` form field.
    File {
        /// File name sent in `Content-Disposition` (e.g. `ktp.png`).
        filename: String,
        /// MIME type of the part (e.g. `image/png`).
        content_type: String,
        /// The bytes.
        bytes: Vec<u8>,
    },
    /// A public URL DOKU fetches, sent as the `file_url` form field.
    Url(String),
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File {
                filename,
                content_type,
                bytes,
            } => f
                .debug_struct("File")
                .field("filename", filename)
                .field("content_type", content_type)
                .field("len", &bytes.len())
                .finish(),
            Self::Url(url) => f.debug_tuple("Url").field(url).finish(),
        }
    }
}

/// An Upload File request: the form fields `category`, `code` and `file` or `file_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadFile {
    /// `category`, mandatory.
    pub category: FileCategory,
    /// `code`, needed when `category` is `DOCUMENT`.
    pub code: Option<DocumentCode>,
    /// `file` or `file_url`.
    pub source: UploadSource,
}

impl UploadFile {
    /// Uploads `bytes` as `filename` under `category`.
    pub fn file(
        category: FileCategory,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Self {
        Self {
            category,
            code: None,
            source: UploadSource::File {
                filename: filename.into(),
                content_type: content_type.into(),
                bytes: bytes.into(),
            },
        }
    }

    /// Lets DOKU fetch the file from `url`.
    pub fn url(category: FileCategory, url: impl Into<String>) -> Self {
        Self {
            category,
            code: None,
            source: UploadSource::Url(url.into()),
        }
    }

    /// Sets the document `code` (for `category=DOCUMENT`).
    pub fn with_code(mut self, code: DocumentCode) -> Self {
        self.code = Some(code);
        self
    }

    /// The code Check Requirements uses for this file: the document `code` for
    /// `DOCUMENT`, otherwise the `category`.
    pub fn requirement_code(&self) -> &str {
        match (&self.category, &self.code) {
            (FileCategory::Document, Some(code)) => code.as_str(),
            (category, _) => category.as_str(),
        }
    }

    /// Encodes the request as `multipart/form-data` with the given boundary (randomness is
    /// the caller's: pass e.g. a UUID). Fields go in the order `category`, `code`, `file` /
    /// `file_url`. Fails if the boundary is not a valid RFC 2046 boundary or occurs in the
    /// content.
    pub fn to_multipart(&self, boundary: &str) -> Result<MultipartBody, Error> {
        let mut parts = vec![Part::text("category", self.category.as_str())];
        if let Some(code) = &self.code {
            parts.push(Part::text("code", code.as_str()));
        }
        parts.push(match &self.source {
            UploadSource::File {
                filename,
                content_type,
                bytes,
            } => Part {
                name: "file".to_owned(),
                filename: Some(filename.clone()),
                content_type: Some(content_type.clone()),
                data: bytes.clone(),
            },
            UploadSource::Url(url) => Part::text("file_url", url),
        });
        multipart::encode(&parts, boundary)
    }
}

impl Validate for UploadFile {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        e.non_empty("category", self.category.as_str());
        match (&self.category, &self.code) {
            (FileCategory::Document, None) => {
                e.push("code", "is required when category is DOCUMENT")
            }
            (FileCategory::Document, Some(code)) => e.non_empty("code", code.as_str()),
            (_, Some(_)) => e.push("code", "is only allowed when category is DOCUMENT"),
            (_, None) => {}
        }
        match &self.source {
            UploadSource::File {
                filename,
                content_type,
                bytes,
            } => {
                e.non_empty("file.filename", filename);
                if filename.chars().any(char::is_control) {
                    e.push("file.filename", "must not contain control characters");
                }
                e.non_empty("file.content_type", content_type);
                if bytes.is_empty() {
                    e.push("file", "must not be empty");
                } else if bytes.len() > MAX_UPLOAD_BYTES {
                    e.push(
                        "file",
                        format!(
                            "is {} bytes, at most {MAX_UPLOAD_BYTES} allowed",
                            bytes.len()
                        ),
                    );
                }
            }
            UploadSource::Url(url) => e.url("file_url", url),
        }
        e.into_result()
    }
}

/// The content type an upload with this file name must have, or `None` for an extension DOKU
/// does not take. From Check Requirements' `extensions` (`PNG`, `JPG`, `JPEG`, `PDF`):
///
/// | extension | content type |
/// |---|---|
/// | `.png` | `image/png` |
/// | `.jpg`, `.jpeg` | `image/jpeg` |
/// | `.pdf` | `application/pdf` |
///
/// The extension is matched without regard to case.
pub fn content_type_for(filename: &str) -> Option<&'static str> {
    let (_, ext) = filename.rsplit_once('.')?;
    if ext.eq_ignore_ascii_case("png") {
        Some("image/png")
    } else if ext.eq_ignore_ascii_case("jpg") || ext.eq_ignore_ascii_case("jpeg") {
        Some("image/jpeg")
    } else if ext.eq_ignore_ascii_case("pdf") {
        Some("application/pdf")
    } else {
        None
    }
}

/// Every problem with `upload`: [`UploadFile`]'s [`Validate`] (non-empty, at most
/// [`MAX_UPLOAD_BYTES`], `code` only with `DOCUMENT`, …) plus the file-name rules: a file's name
/// must end in an extension [`content_type_for`] knows, and a content type, when given, must be
/// that extension's (parameters such as `; charset=binary` are ignored).
///
/// # Errors
///
/// All violations, with their paths (`file`, `file.filename`, `file.content_type`, …).
pub fn check_upload(upload: &UploadFile) -> Result<(), ValidationErrors> {
    let mut errors = upload.validate().err().unwrap_or_default();
    if let UploadSource::File {
        filename,
        content_type,
        ..
    } = &upload.source
    {
        match content_type_for(filename) {
            None if !filename.is_empty() => {
                errors.push("file.filename", "must end in .png, .jpg, .jpeg or .pdf")
            }
            Some(expected) => {
                let media = content_type.split(';').next().unwrap_or("").trim();
                if !content_type.is_empty() && !media.eq_ignore_ascii_case(expected) {
                    errors.push(
                        "file.content_type",
                        format!("must be {expected} for this file name"),
                    );
                }
            }
            None => {}
        }
    }
    errors.into_result()
}

/// Answer of Upload File: `{"id": "CNT-0104-1676639713907", "link": "…", "category": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadResponse {
    /// The file id to use in Business Registration.
    pub id: FileId,
    /// Temporary link to the file (expires after 60 minutes; the id stays valid).
    pub link: String,
    /// Same as the request's `category`.
    pub category: FileCategory,
    /// Fields this crate does not model (e.g. `code`).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    #[test]
    fn multipart_round_trip_file() {
        let up = UploadFile::file(
            FileCategory::Document,
            "ktp.png",
            "image/png",
            vec![0u8, 1, 2, 255, b'\r', b'\n'],
        )
        .with_code(DocumentCode::Ktp);
        let body = up.to_multipart("BOUNDARY123").unwrap();
        assert_eq!(
            body.content_type,
            "multipart/form-data; boundary=BOUNDARY123"
        );
        assert_eq!(up.requirement_code(), "KTP");
    }

    #[test]
    fn multipart_exact_bytes() {
        let up = UploadFile::url(FileCategory::Logo, "https://example.com/logo.png");
        let body = up.to_multipart("b").unwrap();
        let expected = "--b\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nLOGO\r\n\
--b\r\nContent-Disposition: form-data; name=\"file_url\"\r\n\r\nhttps://example.com/logo.png\r\n--b--\r\n";
        assert_eq!(String::from_utf8(body.body).unwrap(), expected);
        assert_eq!(up.requirement_code(), "LOGO");
    }

    #[test]
    fn validation_reports_every_problem() {
        let up = UploadFile::file(FileCategory::Document, "", "", Vec::new());
        let err = up.validate().unwrap_err();
        assert_eq!(
            err.paths(),
            vec!["code", "file.filename", "file.content_type", "file"]
        );
        let big = UploadFile::file(
            FileCategory::Logo,
            "a.png",
            "image/png",
            vec![0; MAX_UPLOAD_BYTES + 1],
        )
        .with_code(DocumentCode::Ktp);
        assert_eq!(big.validate().unwrap_err().paths(), vec!["code", "file"]);
        assert_eq!(
            UploadFile::url(FileCategory::Logo, "not a url")
                .validate()
                .unwrap_err()
                .paths(),
            vec!["file_url"]
        );
    }

    #[test]
    fn extension_and_content_type_rules() {
        let ok = UploadFile::file(FileCategory::Logo, "logo.PNG", "image/png", vec![1]);
        assert!(check_upload(&ok).is_ok());
        let jpeg = UploadFile::file(
            FileCategory::Logo,
            "a.jpeg",
            "image/jpeg; charset=binary",
            vec![1],
        );
        assert!(check_upload(&jpeg).is_ok());
        let wrong_type = UploadFile::file(FileCategory::Logo, "a.png", "image/jpeg", vec![1]);
        assert_eq!(
            check_upload(&wrong_type).unwrap_err().paths(),
            ["file.content_type"]
        );
        let exe = UploadFile::file(
            FileCategory::Logo,
            "a.exe",
            "application/octet-stream",
            vec![1],
        );
        assert_eq!(check_upload(&exe).unwrap_err().paths(), ["file.filename"]);
        let big = UploadFile::file(
            FileCategory::Logo,
            "a.pdf",
            "application/pdf",
            vec![0; MAX_UPLOAD_BYTES + 1],
        );
        assert_eq!(check_upload(&big).unwrap_err().paths(), ["file"]);
        let url = UploadFile::url(FileCategory::Logo, "https://example.com/x");
        assert!(check_upload(&url).is_ok());
        assert_eq!(content_type_for("noext"), None);
        assert_eq!(content_type_for("x.JPG"), Some("image/jpeg"));
        assert_eq!(content_type_for("x.Pdf"), Some("application/pdf"));
        assert_eq!(content_type_for("x.gif"), None);
    }

    #[test]
    fn response_sample_round_trips() {
        let body = br#"{"id":"CNT-0104-1676639713907","link":"https://doku.com/12345566","category":"OWNER_LIVENESS"}"#;
        let r: UploadResponse = decode(body).unwrap();
        assert_eq!(r.category, FileCategory::OwnerLiveness);
        assert_eq!(serde_json::to_vec(&r).unwrap(), body.to_vec());
        let future: UploadResponse =
            decode(br#"{"id":"X-1","link":"l","category":"SELFIE_VIDEO","code":"Z"}"#).unwrap();
        assert_eq!(future.category.as_str(), "SELFIE_VIDEO");
        assert!(future.extra.contains_key("code"));
    }
}
