//! Any header value, for every scheme's parser and verifier: never a panic; a refusal unless it is the real
//! signature.
#![no_main]

use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::{snap_symmetric, timestamp, SecretKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let key = SecretKey::from("fuzz-secret");
    let message = Message {
        client_id: "BRN-1",
        request_id: "r",
        timestamp: "2026-11-29T00:00:00Z",
        target: "/t",
        body: Some(b"{}"),
    };
    let _ = non_snap::parse_header(text);
    let real = non_snap::sign(&key, Kind::Request, &message).to_string();
    let verdict = non_snap::verify(&key, Kind::Request, &message, text);
    assert_eq!(verdict.is_ok(), text == real);
    let snap = snap_symmetric::Message {
        method: "POST",
        path: "/p",
        access_token: "",
        body: b"{}",
        timestamp: "2026-11-29T00:00:00Z",
    };
    let _ = snap_symmetric::verify(&key, &snap, text);
    if let Ok(seconds) = timestamp::parse_unix_seconds(text) {
        let _ = timestamp::format_utc(seconds);
    }
    let _ = doku_sign::minify_json(text);
});
