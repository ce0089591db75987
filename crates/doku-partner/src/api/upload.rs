//! Upload File (`POST /file`, `multipart/form-data`).
//!
//! Checked before anything is sent with [`doku_model::check_upload`] (size at most
//! [`MAX_UPLOAD_BYTES`], a `.png`/`.jpg`/`.jpeg`/`.pdf` name whose content type matches, `code`
//! only with `DOCUMENT`, …). The multipart boundary is derived from the Request-Id, so a repeat
//! under the same id sends the same bytes.

use std::path::Path;

use bytes::Bytes;
use doku_model::MAX_UPLOAD_BYTES;
use doku_model::{
    check_upload, content_type_for, DocumentCode, Endpoint, FileCategory, UploadFile,
    UploadResponse, ValidationErrors,
};

use crate::client::Client;
use crate::error::Error;
use crate::operation::{Operation, RequestContext};
use crate::request::ApiRequest;

/// A multipart boundary that is a pure function of the Request-Id (and a candidate number), so the
/// same call always has the same bytes. SHA-256 keeps it to safe characters whatever the id holds.
fn boundary_for(request_id: &doku_model::RequestId, candidate: u32) -> String {
    let seed = format!("{}#{candidate}", request_id.as_str());
    let hash = doku_sign::snap_symmetric::body_hash(seed.as_bytes());
    format!("doku-rs-{}", &hash[..32])
}

/// Upload File: sends one document and answers its id (for Business Registration).
///
/// Checked before sending with [`check_upload`]. The multipart body is built once, with a
/// boundary derived from the Request-Id, and those exact bytes are digested, signed and sent —
/// on every attempt. A file on disk becomes an `UploadFile` with [`upload_from_path`].
impl Operation for UploadFile {
    type Sender = Client;
    type Answer = UploadResponse;
    const ENDPOINT: Endpoint = Endpoint::UploadFile;

    fn to_request(&self, context: &RequestContext<'_>) -> Result<ApiRequest, Error> {
        check_upload(self).map_err(Error::Validation)?;
        // The boundary is derived from the Request-Id, so repeating the call with the same
        // Request-Id (the documented way to retry after `may_have_reached_doku`) sends
        // byte-identical bytes and DOKU replays the original answer instead of refusing a reused
        // id with a different body. A generated id replaced after a 401 or 429 leaves the body
        // as it was (the boundary is just a string that no longer matters).
        let request_id = context.request_id();
        let mut encoded = self.to_multipart(&boundary_for(request_id, 0));
        // A boundary occurring in the content is practically impossible; the next candidates are
        // still a pure function of the Request-Id.
        for attempt in 1..4 {
            if encoded.is_ok() {
                break;
            }
            encoded = self.to_multipart(&boundary_for(request_id, attempt));
        }
        let body = encoded.map_err(|e| {
            invalid(
                "file",
                format!("cannot be encoded as multipart/form-data: {e}"),
            )
        })?;
        Ok(ApiRequest {
            body: Some(Bytes::from(body.body)),
            content_type: Some(body.content_type),
            ..ApiRequest::post_json(Self::ENDPOINT, Vec::new())
        })
    }
}

/// The upload of the file at `path` under `category` (and `code`, for `DOCUMENT`), its content
/// type from the extension: `client.send(&upload_from_path(…).await?)`.
///
/// The file is opened once (non-blocking, so a FIFO cannot hang the call) and only a
/// **regular** file is read — a FIFO, a device (e.g. a `.png` symlink to `/dev/zero`) or a
/// directory is refused. Its size is checked on the opened handle, and at most
/// [`MAX_UPLOAD_BYTES`] + 1 bytes are ever read, so a file that grows is refused too. The read
/// runs on tokio's blocking pool.
///
/// ```no_run
/// # async fn run(client: doku_partner::Client) -> Result<(), doku_partner::Error> {
/// use doku_model::{DocumentCode, FileCategory};
/// use doku_partner::upload_from_path;
///
/// let ktp = upload_from_path(FileCategory::Document, Some(DocumentCode::Ktp), "ktp.png").await?;
/// let uploaded = client.send(&ktp).await?.value;
/// println!("uploaded {}", uploaded.id);
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// [`Error::Validation`] (an extension DOKU does not take, not a regular file, too large) and
/// [`Error::Io`].
pub async fn upload_from_path(
    category: FileCategory,
    code: Option<DocumentCode>,
    path: impl AsRef<Path>,
) -> Result<UploadFile, Error> {
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
    Ok(upload)
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
