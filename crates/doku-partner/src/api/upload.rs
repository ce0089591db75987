//! Upload File (`POST /file`, `multipart/form-data`).
//!
//! Client-side rules, checked before anything is sent (our choices, from Check Requirements'
//! `extensions` of `PNG`, `JPG`, `JPEG`, `PDF` and the model's [`MAX_UPLOAD_BYTES`] cap):
//!
//! | extension | content type |
//! |---|---|
//! | `.png` | `image/png` |
//! | `.jpg`, `.jpeg` | `image/jpeg` |
//! | `.pdf` | `application/pdf` |
//!
//! plus everything [`UploadFile`]'s `Validate` checks (non-empty, at most
//! [`MAX_UPLOAD_BYTES`], `code` only with `DOCUMENT`, …). The multipart boundary is random per
//! request.

use std::path::Path;

use bytes::Bytes;
use doku_model::MAX_UPLOAD_BYTES;
use doku_model::{
    DocumentCode, Endpoint, FileCategory, UploadFile, UploadResponse, UploadSource, Validate,
    ValidationErrors,
};

use crate::client::Client;
use crate::error::Error;
use crate::request::{ApiRequest, CallOptions};

/// The content type an upload with this file name must have, or `None` for an extension DOKU
/// does not take.
pub fn content_type_for(filename: &str) -> Option<&'static str> {
    let (_, ext) = filename.rsplit_once('.')?;
    match ext.to_ascii_lowercase().as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "pdf" => Some("application/pdf"),
        _ => None,
    }
}

/// Every problem with `upload`: the model's validation plus the extension / content-type rules.
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

/// A multipart boundary that is a pure function of the Request-Id (and a candidate number), so the
/// same call always has the same bytes. SHA-256 keeps it to safe characters whatever the id holds.
fn boundary_for(request_id: &doku_model::RequestId, candidate: u32) -> String {
    let seed = format!("{}#{candidate}", request_id.as_str());
    let hash = doku_sign::snap_symmetric::body_hash(seed.as_bytes());
    format!("doku-rs-{}", &hash[..32])
}

impl Client {
    /// Upload File: sends one document and answers its id (for Business Registration).
    ///
    /// Checked before sending with [`check_upload`] (size ≤ [`MAX_UPLOAD_BYTES`], extension
    /// and content type). The multipart body is built once, with a boundary derived from the Request-Id, and those
    /// exact bytes are digested, signed and sent — on every attempt.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] before any network call; otherwise see [`Client::execute`].
    pub async fn upload_file(&self, upload: UploadFile) -> Result<UploadResponse, Error> {
        self.upload_file_with(upload, CallOptions::default()).await
    }

    /// [`Client::upload_file`] with per-call options.
    ///
    /// # Errors
    ///
    /// As [`Client::upload_file`].
    pub async fn upload_file_with(
        &self,
        upload: UploadFile,
        options: CallOptions,
    ) -> Result<UploadResponse, Error> {
        check_upload(&upload).map_err(Error::Validation)?;
        // The boundary is derived from the Request-Id, so repeating the call with the same Request-Id
        // (the documented way to retry after `may_have_reached_doku`) sends byte-identical bytes and
        // DOKU replays the original answer instead of refusing a reused id with a different body.
        let (request_id, origin) = self.request_id_for(options);
        let mut encoded = upload.to_multipart(&boundary_for(&request_id, 0));
        // A boundary occurring in the content is practically impossible; the next candidates are
        // still a pure function of the Request-Id.
        for attempt in 1..4 {
            if encoded.is_ok() {
                break;
            }
            encoded = upload.to_multipart(&boundary_for(&request_id, attempt));
        }
        let body = encoded.map_err(|e| {
            let mut v = ValidationErrors::new();
            v.push(
                "file",
                format!("cannot be encoded as multipart/form-data: {e}"),
            );
            Error::Validation(v)
        })?;
        let request = ApiRequest {
            body: Some(Bytes::from(body.body)),
            content_type: Some(body.content_type),
            ..ApiRequest::post_json(Endpoint::UploadFile, Vec::new())
        };
        // A generated id stays "generated": after a 401 or 429 it is replaced by a fresh one
        // (the body keeps its boundary, which is just a string that no longer matters).
        self.call(&self.partner_caller(), &request, request_id, origin)
            .await
            .map(|answer| answer.value)
    }

    /// Reads `path` and uploads it under `category` (and `code`, for `DOCUMENT`). The content
    /// type comes from the extension.
    ///
    /// The file is opened once (non-blocking, so a FIFO cannot hang the call) and only a
    /// **regular** file is read — a FIFO, a device (e.g. a `.png` symlink to `/dev/zero`) or a
    /// directory is refused. Its size is checked on the opened handle, and at most
    /// [`MAX_UPLOAD_BYTES`] + 1 bytes are ever read, so a file that grows is refused too.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] (bad extension, not a regular file, too large, …) and
    /// [`Error::Io`] before any network call; otherwise see [`Client::execute`].
    pub async fn upload_file_from_path(
        &self,
        category: FileCategory,
        code: Option<DocumentCode>,
        path: impl AsRef<Path>,
    ) -> Result<UploadResponse, Error> {
        let path = path.as_ref().to_owned();
        let filename = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(content_type) = content_type_for(&filename) else {
            return Err(invalid(
                "file.filename",
                "must end in .png, .jpg, .jpeg or .pdf".to_owned(),
            ));
        };
        let bytes = tokio::task::spawn_blocking(move || read_upload(&path, MAX_UPLOAD_BYTES))
            .await
            .map_err(|e| Error::Config(format!("the file-reading task failed: {e}")))??;
        let mut upload = UploadFile::file(category, filename, content_type, bytes);
        upload.code = code;
        self.upload_file(upload).await
    }
}

/// One validation violation.
fn invalid(path: &str, message: String) -> Error {
    let mut v = ValidationErrors::new();
    v.push(path, message);
    Error::Validation(v)
}

/// Reads the regular file at `path`, at most `cap` bytes: opened once, non-blocking (a FIFO
/// without a writer does not block the open), checked on the opened handle, read through
/// `take(cap + 1)` so nothing beyond the cap is ever read whatever the metadata said.
pub(crate) fn read_upload(path: &Path, cap: usize) -> Result<Vec<u8>, Error> {
    use std::io::Read as _;

    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // Regular files ignore O_NONBLOCK; a FIFO opens at once instead of waiting for a writer.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    if !metadata.is_file() {
        return Err(invalid(
            "file",
            "is not a regular file (a directory, FIFO, socket or device is never read)".to_owned(),
        ));
    }
    let too_large = |len: u64| invalid("file", format!("is {len} bytes, at most {cap} allowed"));
    if metadata.len() > cap as u64 {
        return Err(too_large(metadata.len()));
    }
    let limit = cap as u64 + 1;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(cap));
    file.take(limit).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() > cap {
        // The file grew after its size was read.
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("doku-upload-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn is_validation(result: Result<Vec<u8>, Error>) -> String {
        match result {
            Err(Error::Validation(v)) => v.to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_a_regular_file_up_to_the_cap_and_not_one_byte_more() {
        let dir = temp("cap");
        let exact = dir.join("exact.png");
        std::fs::write(&exact, [7u8; 10]).unwrap();
        assert_eq!(read_upload(&exact, 10).unwrap(), [7u8; 10]);
        let over = dir.join("over.png");
        std::fs::write(&over, [7u8; 11]).unwrap();
        assert!(is_validation(read_upload(&over, 10)).contains("at most 10"));
        let missing = dir.join("missing.png");
        assert!(matches!(read_upload(&missing, 10), Err(Error::Io { .. })));
        assert!(is_validation(read_upload(&dir, 10)).contains("not a regular file"));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_to_a_device_is_refused_without_reading_it() {
        let dir = temp("dev");
        let link = dir.join("zero.png");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let started = std::time::Instant::now();
        assert!(is_validation(read_upload(&link, MAX_UPLOAD_BYTES)).contains("not a regular file"));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_hanging() {
        let dir = temp("fifo");
        let fifo = dir.join("pipe.png");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo unavailable: skipped");
            return;
        }
        // On a thread, so a regression (a blocking open) fails the test instead of hanging it.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(is_validation(read_upload(&fifo, MAX_UPLOAD_BYTES)));
        });
        let message = rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("reading a FIFO must not hang");
        assert!(message.contains("not a regular file"), "{message}");
    }

    #[test]
    fn boundaries_follow_the_request_id() {
        let a = doku_model::RequestId::new("req-a").unwrap();
        let b = doku_model::RequestId::new("req-b").unwrap();
        assert_eq!(boundary_for(&a, 0), boundary_for(&a, 0));
        assert_ne!(boundary_for(&a, 0), boundary_for(&b, 0));
        assert_ne!(boundary_for(&a, 0), boundary_for(&a, 1));
    }
}
