//! Every doku-model response decoder on arbitrary bytes: errors, never panics. (The multipart and query
//! parsers live in doku-sim, private; `sim_handler` reaches them through Upload File and Check Requirements.)
#![no_main]

use doku_model::{decode, BusinessCreatedResponse, BusinessData, ErrorBody, RequirementsResponse};
use doku_model::{TokenResponse, UploadResponse};
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
});
