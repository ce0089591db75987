//! Sample upload files: the smallest bytes that start like a PNG, in each category a registration needs.

use doku_model::{DocumentCode, FileCategory, UploadFile};

/// The PNG signature followed by a few bytes: enough for every check DOKU's pages describe.
pub const PNG_BYTES: &[u8] = b"\x89PNG\r\n\x1a\n fake image";

/// A `doc.png` upload of [`PNG_BYTES`] in `category`.
pub fn png(category: FileCategory) -> UploadFile {
    UploadFile::file(category, "doc.png", "image/png", PNG_BYTES.to_vec())
}

/// The three documents a PERSONAL business of an Indonesian owner needs (KTP, liveness, photo proof), in the
/// order Check Requirements lists them.
pub fn mandatory_uploads() -> [UploadFile; 3] {
    [
        png(FileCategory::Document).with_code(DocumentCode::Ktp),
        png(FileCategory::OwnerLiveness),
        png(FileCategory::PhotoProof),
    ]
}
