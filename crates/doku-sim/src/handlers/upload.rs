//! `POST /file`: store an uploaded document and answer its id.
//!
//! The upload must meet [`doku_model::check_upload`], the rules the client checks before
//! sending (size, `code` with `DOCUMENT`, a `.png`/`.jpg`/`.jpeg`/`.pdf` name whose content type
//! matches): what the client refuses, the simulator refuses too.

use doku_model::{check_upload, UploadResponse};
use http::StatusCode;

use super::{try_reply, validation_failed, Req};
use crate::response::Reply;
use crate::state::{App, StoredFile};

pub(crate) fn handle(app: &App, req: &Req<'_>) -> Reply {
    let content_type = req.content_type.unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return Reply::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_type",
            format!(
                "Content-Type must be multipart/form-data, got {}",
                crate::echo::echo(content_type)
            ),
        );
    }
    let upload = try_reply!(crate::form::upload_from_multipart(content_type, req.body)
        .map_err(|e| Reply::error(StatusCode::BAD_REQUEST, "invalid_form", e.to_string())));
    if let Err(errors) = check_upload(&upload) {
        return validation_failed(&errors);
    }
    let id = app.new_id("DCM");
    app.store().files.insert(
        id.clone(),
        StoredFile {
            owner: req.client_id.to_owned(),
            requirement_code: upload.requirement_code().to_owned(),
        },
    );
    app.stats().uploads += 1;
    let link = format!("{}/files/{id}", app.base_url);
    let mut extra = serde_json::Map::new();
    if let Some(code) = &upload.code {
        extra.insert("code".to_owned(), code.as_str().into());
    }
    let body = serde_json::json!({
        "id": id,
        "link": link,
        "category": upload.category,
    });
    // Built through the model type so the answer has exactly its shape.
    match serde_json::from_value::<UploadResponse>(body) {
        Ok(mut response) => {
            response.extra = extra;
            Reply::json(StatusCode::OK, &response)
        }
        Err(e) => Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            e.to_string(),
        ),
    }
}
