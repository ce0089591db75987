//! Arbitrary notifications: headers, path and body all fuzzed. Verification never panics, accepts what was
//! signed with the key, and refuses the fuzzed signature unless it equals the real one.
#![no_main]

use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::notification::{self, Freshness};
use doku_sign::SecretKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Fields separated by 0xFF, which never occurs in UTF-8.
    let mut parts = data.splitn(6, |b| *b == 0xFF);
    let mut next = || std::str::from_utf8(parts.next().unwrap_or_default()).ok();
    let (Some(client_id), Some(request_id), Some(timestamp), Some(target), Some(signature)) =
        (next(), next(), next(), next(), next())
    else {
        return;
    };
    let body = data.rsplit(|b| *b == 0xFF).next().unwrap_or_default();
    let key = SecretKey::from("SK-fuzz");
    let message = Message { client_id, request_id, timestamp, target, body: Some(body) };
    let window = Some(Freshness { now_unix_seconds: 1_800_000_000, tolerance_seconds: 300 });
    let real = non_snap::sign(&key, Kind::Request, &message).to_string();
    assert!(notification::verify(&key, &message, &real, None).is_ok());
    let _ = notification::verify(&key, &message, &real, window);
    if signature != real {
        assert!(notification::verify(&key, &message, signature, window).is_err());
    }
});
