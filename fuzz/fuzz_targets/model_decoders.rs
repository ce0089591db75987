//! Every doku-model response decoder, the multipart parser and the query parser on arbitrary bytes: errors,
//! never panics.
#![no_main]

use doku_model::{decode, BusinessCreatedResponse, BusinessData, ErrorBody, RequirementsResponse};
use doku_model::{TokenResponse, UploadFile, UploadResponse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = decode::<TokenResponse>(data);
    let _ = decode::<RequirementsResponse>(data).map(|r| {
        let _ = r.documents();
        let _ = r.mandatory_codes();
    });
    let _ = decode::<UploadResponse>(data);
    let _ = decode::<BusinessCreatedResponse>(data);
    let _ = decode::<BusinessData>(data);
    let _ = decode::<ErrorBody>(data).map(|e| e.to_string());
    if let Some((content_type, body)) = data.split_first().map(|(n, rest)| rest.split_at((*n as usize).min(rest.len()))) {
        if let Ok(content_type) = std::str::from_utf8(content_type) {
            let _ = UploadFile::from_multipart(content_type, body);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = doku_model::query::parse_query(text);
        let _ = doku_model::RequirementsQuery::from_query_string(text);
    }
});
