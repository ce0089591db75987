//! The cross-language contract: every JSON file under `vectors/` (recursively) is checked stage by stage.
//!
//! Run with `cargo test -p doku-sign --all-features --test vectors`. A new file is picked up without editing
//! this test; a file that does not parse, or names a scheme this test does not know, fails it.

use std::fs;
use std::path::{Path, PathBuf};

use doku_sign::snap_symmetric::BodyForm;
use doku_sign::{minify_as, non_snap, snap_symmetric, MinifyReading, SecretKey};
use serde_json::{Map, Value};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors")
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "json") {
            out.push(path);
        }
    }
}

/// One vector file, with helpers that name the file and key in every failure.
struct Case {
    name: String,
    fields: Map<String, Value>,
}

impl Case {
    fn str(&self, key: &str) -> &str {
        self.fields
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{}: missing string field `{key}`", self.name))
    }

    fn opt_str(&self, key: &str) -> Option<&str> {
        match self.fields.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => panic!(
                "{}: `{key}` must be a string or null, got {other}",
                self.name
            ),
        }
    }

    fn expected(&self, key: &str) -> Option<&str> {
        let expected = self
            .fields
            .get("expected")
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("{}: missing object `expected`", self.name));
        match expected.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => panic!(
                "{}: expected.{key} must be a string, got {other}",
                self.name
            ),
        }
    }

    fn expected_required(&self, key: &str) -> &str {
        self.expected(key)
            .unwrap_or_else(|| panic!("{}: missing expected.{key}", self.name))
    }

    fn rejects(&self) -> Vec<&str> {
        match self.fields.get("reject") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str()
                        .unwrap_or_else(|| panic!("{}: reject entries must be strings", self.name))
                })
                .collect(),
            Some(other) => panic!("{}: `reject` must be an array, got {other}", self.name),
        }
    }

    fn stage(&self, stage: &str, actual: &str, expected: &str) {
        assert_eq!(
            actual, expected,
            "{}: stage `{stage}` differs (left: computed, right: file)",
            self.name
        );
    }
}

fn check_non_snap(case: &Case, kind: non_snap::Kind) {
    let key = SecretKey::new(case.str("secret_key"));
    let body = case.opt_str("body").map(str::as_bytes);
    let message = non_snap::Message {
        client_id: case.str("client_id"),
        request_id: case.str("request_id"),
        timestamp: case.str("timestamp"),
        target: case.str("request_target"),
        body,
    };
    let digest = body.map(non_snap::digest);
    assert_eq!(
        digest.as_deref(),
        case.expected("digest"),
        "{}: stage `digest` differs (left: computed, right: file)",
        case.name
    );
    case.stage(
        "string_to_sign",
        &non_snap::string_to_sign(kind, &message),
        case.expected_required("string_to_sign"),
    );
    let expected_signature = case.expected_required("signature");
    case.stage(
        "signature",
        &non_snap::sign(&key, kind, &message).to_string(),
        expected_signature,
    );
    if let Err(e) = non_snap::verify(&key, kind, &message, expected_signature) {
        panic!(
            "{}: stage `verify` refused the expected signature: {e}",
            case.name
        );
    }
    for rejected in case.rejects() {
        assert!(
            non_snap::verify(&key, kind, &message, rejected).is_err(),
            "{}: stage `reject` accepted `{rejected}`",
            case.name
        );
    }
}

fn check_snap_symmetric(case: &Case) {
    let key = SecretKey::new(case.str("secret_key"));
    let message = snap_symmetric::Message {
        method: case.str("method"),
        path: case.str("path"),
        access_token: case.str("access_token"),
        body: case.str("body").as_bytes(),
        timestamp: case.str("timestamp"),
    };
    case.stage(
        "body_hash",
        &snap_symmetric::body_hash(message.body),
        case.expected_required("body_hash"),
    );
    case.stage(
        "string_to_sign",
        &snap_symmetric::string_to_sign(&message),
        case.expected_required("string_to_sign"),
    );
    let expected_signature = case.expected_required("signature");
    case.stage(
        "signature",
        &snap_symmetric::sign(&key, &message).to_string(),
        expected_signature,
    );
    if let Err(e) = snap_symmetric::verify(&key, &message, expected_signature) {
        panic!(
            "{}: stage `verify` refused the expected signature: {e}",
            case.name
        );
    }
    for rejected in case.rejects() {
        assert!(
            snap_symmetric::verify(&key, &message, rejected).is_err(),
            "{}: stage `reject` accepted `{rejected}`",
            case.name
        );
    }
}

/// The reading a vector file names (`whitespace`, `php`, `node`, `jackson`).
fn reading_named(case: &Case, name: &str) -> MinifyReading {
    MinifyReading::ALL
        .into_iter()
        .find(|r| r.name() == name)
        .unwrap_or_else(|| panic!("{}: unknown reading `{name}`", case.name))
}

/// Each reading's entry of an object keyed by reading name; every reading must be present.
fn per_reading<'a>(
    case: &'a Case,
    object: &'a Value,
    what: &str,
) -> Vec<(MinifyReading, &'a Value)> {
    let object = object
        .as_object()
        .unwrap_or_else(|| panic!("{}: `{what}` must be an object", case.name));
    let entries: Vec<_> = object
        .iter()
        .map(|(name, value)| (reading_named(case, name), value))
        .collect();
    assert_eq!(
        entries.len(),
        MinifyReading::ALL.len(),
        "{}: `{what}` must name every reading",
        case.name
    );
    entries
}

fn check_json_minify(case: &Case) {
    let cases = case
        .fields
        .get("cases")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{}: missing array `cases`", case.name));
    assert!(!cases.is_empty(), "{}: no cases", case.name);
    for (n, item) in cases.iter().enumerate() {
        let input = item
            .get("input")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{}: cases[{n}] has no string `input`", case.name));
        let expected = item
            .get("expected")
            .unwrap_or_else(|| panic!("{}: cases[{n}] has no `expected`", case.name));
        for (reading, want) in per_reading(case, expected, "expected") {
            let got = minify_as(reading, input);
            match want {
                Value::String(want) => assert_eq!(
                    got.as_deref(),
                    Ok(want.as_str()),
                    "{}: cases[{n}] stage `minified.{reading}` differs (left: computed, right: file) for {input:?}",
                    case.name
                ),
                Value::Null => assert!(
                    got.is_err(),
                    "{}: cases[{n}] stage `minified.{reading}`: the runtime refused {input:?}, doku-sign gave {got:?}",
                    case.name
                ),
                other => panic!("{}: cases[{n}] expected.{reading} is {other}", case.name),
            }
        }
    }
}

fn check_snap_symmetric_minified(case: &Case) {
    let key = SecretKey::new(case.str("secret_key"));
    let body = case.str("body");
    let received = snap_symmetric::Message {
        method: case.str("method"),
        path: case.str("path"),
        access_token: case.str("access_token"),
        body: body.as_bytes(),
        timestamp: case.str("timestamp"),
    };
    let expected = case
        .fields
        .get("expected")
        .unwrap_or_else(|| panic!("{}: missing `expected`", case.name));
    for (reading, want) in per_reading(case, expected, "expected") {
        if want.is_null() {
            assert!(
                minify_as(reading, body).is_err(),
                "{}: stage `minified.{reading}`: the runtime refused the body",
                case.name
            );
            continue;
        }
        let field = |key: &str| {
            want.get(key)
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("{}: missing expected.{reading}.{key}", case.name))
        };
        let minified = field("minified");
        let stage = |stage: &str, actual: &str, file: &str| {
            case.stage(&format!("{stage}.{reading}"), actual, file)
        };
        stage(
            "minified",
            &minify_as(reading, body).unwrap_or_else(|e| panic!("{}: {reading}: {e}", case.name)),
            minified,
        );
        let signed = snap_symmetric::Message {
            body: minified.as_bytes(),
            ..received
        };
        stage(
            "body_hash",
            &snap_symmetric::body_hash(signed.body),
            field("body_hash"),
        );
        stage(
            "string_to_sign",
            &snap_symmetric::string_to_sign(&signed),
            field("string_to_sign"),
        );
        let signature = field("signature");
        stage(
            "signature",
            &snap_symmetric::sign(&key, &signed).to_string(),
            signature,
        );
        let same_as_raw = minified == body;
        let form = if same_as_raw {
            BodyForm::Raw
        } else {
            BodyForm::Minified(reading)
        };
        assert_eq!(
            snap_symmetric::verify_received(&key, &received, signature, &[reading]),
            Ok(form),
            "{}: stage `verify_received.{reading}`",
            case.name
        );
        assert_eq!(
            snap_symmetric::verify_received(&key, &received, signature, &[]).is_ok(),
            same_as_raw,
            "{}: stage `verify_received.{reading}` without readings",
            case.name
        );
        // With every reading allowed, the form reported is one whose bytes are these.
        match snap_symmetric::verify_received(&key, &received, signature, &MinifyReading::ALL) {
            Ok(BodyForm::Minified(found)) => {
                assert_eq!(
                    minify_as(found, body).as_deref(),
                    Ok(minified),
                    "{}",
                    case.name
                )
            }
            Ok(BodyForm::Raw) => assert!(same_as_raw, "{}", case.name),
            Err(e) => panic!(
                "{}: stage `verify_received.{reading}` with all readings: {e}",
                case.name
            ),
        }
    }
    for rejected in case.rejects() {
        assert!(
            snap_symmetric::verify_received(&key, &received, rejected, &MinifyReading::ALL)
                .is_err(),
            "{}: stage `reject` accepted `{rejected}`",
            case.name
        );
    }
}

#[cfg(feature = "rsa")]
fn check_jwt(case: &Case) {
    use doku_sign::jwt;
    use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
    let private = PrivateKey::from_pem(case.str("private_key_pem"))
        .unwrap_or_else(|e| panic!("{}: stage `private_key_pem`: {e}", case.name));
    let public = PublicKey::from_pem(case.str("public_key_pem"))
        .unwrap_or_else(|e| panic!("{}: stage `public_key_pem`: {e}", case.name));
    case.stage("header", jwt::HEADER, case.expected_required("header"));
    let claims = case.str("claims");
    let token = case.expected_required("token");
    let encoded = jwt::encode(&private, claims.as_bytes()).expect("RSA signing");
    case.stage(
        "signing_input",
        encoded.rsplit_once('.').map_or("", |(input, _)| input),
        case.expected_required("signing_input"),
    );
    case.stage("token", &encoded, token);
    match jwt::verify(&public, token) {
        Ok(bytes) => assert_eq!(
            bytes,
            claims.as_bytes(),
            "{}: stage `verify` claims",
            case.name
        ),
        Err(e) => panic!(
            "{}: stage `verify` refused the expected token: {e}",
            case.name
        ),
    }
    for rejected in case.rejects() {
        assert!(
            jwt::verify(&public, rejected).is_err(),
            "{}: stage `reject` accepted `{rejected}`",
            case.name
        );
    }
}

#[cfg(not(feature = "rsa"))]
fn check_jwt(case: &Case) {
    eprintln!("{}: skipped (build with --features rsa)", case.name);
}

#[cfg(feature = "rsa")]
fn check_snap_asymmetric(case: &Case) {
    use doku_sign::snap_asymmetric::{self, PrivateKey, PublicKey};
    let client_id = case.str("client_id");
    let timestamp = case.str("timestamp");
    case.stage(
        "string_to_sign",
        &snap_asymmetric::string_to_sign(client_id, timestamp),
        case.expected_required("string_to_sign"),
    );
    let private = PrivateKey::from_pem(case.str("private_key_pem"))
        .unwrap_or_else(|e| panic!("{}: stage `private_key_pem`: {e}", case.name));
    let public = PublicKey::from_pem(case.str("public_key_pem"))
        .unwrap_or_else(|e| panic!("{}: stage `public_key_pem`: {e}", case.name));
    let expected_signature = case.expected_required("signature");
    case.stage(
        "signature",
        &private.sign(client_id, timestamp).expect("RSA signing"),
        expected_signature,
    );
    if let Err(e) = public.verify(client_id, timestamp, expected_signature) {
        panic!(
            "{}: stage `verify` refused the expected signature: {e}",
            case.name
        );
    }
    for rejected in case.rejects() {
        assert!(
            public.verify(client_id, timestamp, rejected).is_err(),
            "{}: stage `reject` accepted `{rejected}`",
            case.name
        );
    }
}

#[cfg(not(feature = "rsa"))]
fn check_snap_asymmetric(case: &Case) {
    eprintln!("{}: skipped (build with --features rsa)", case.name);
}

#[test]
fn every_vector_file_passes_every_stage() {
    let root = vectors_dir();
    let mut files = Vec::new();
    json_files(&root, &mut files);
    assert!(
        files.len() >= 18,
        "expected at least 18 vector files under {}",
        root.display()
    );
    let mut schemes = std::collections::BTreeSet::new();
    for path in &files {
        let name = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: cannot read: {e}"));
        let value: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not valid JSON: {e}"));
        let Value::Object(fields) = value else {
            panic!("{name}: top level must be an object");
        };
        let case = Case { name, fields };
        let scheme = case.str("scheme").to_owned();
        match scheme.as_str() {
            "non-snap-request" => check_non_snap(&case, non_snap::Kind::Request),
            "non-snap-response" => check_non_snap(&case, non_snap::Kind::Response),
            "snap-symmetric" => check_snap_symmetric(&case),
            "snap-asymmetric" => check_snap_asymmetric(&case),
            "snap-symmetric-minified" => check_snap_symmetric_minified(&case),
            "json-minify" => check_json_minify(&case),
            "jwt-rs256" => check_jwt(&case),
            other => panic!("{}: unknown scheme `{other}`", case.name),
        }
        schemes.insert(scheme);
    }
    assert_eq!(
        schemes.len(),
        7,
        "every scheme must have vectors, found {schemes:?}"
    );
}
