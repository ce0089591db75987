//! Signing against the raw primitives doing the same work by hand, in the same run.
//!
//! Non-SNAP: `raw` = SHA-256 of the body + HMAC-SHA256 of a precomputed string of the same length as the string
//! to sign: the floor any implementation pays. `sign` and `verify` are doku-sign's full paths (digest, base64,
//! string to sign streamed into the MAC; verify also parses and decodes the header).
//!
//! SNAP transaction (`snap_1KiB`): a pretty-printed 1 KiB body. `sign` = `minify_json` + `snap_symmetric::sign` +
//! the header text; `raw` = the same four steps written by hand with the primitives (a byte loop dropping
//! whitespace outside strings, SHA-256 to lower-case hex, HMAC-SHA512 over the five fields, base64). Then a
//! Python peer does the same in a `python3 -c` subprocess (`json.loads`/`json.dumps`, `hashlib`, `hmac`,
//! `base64`), timed over many iterations by Python itself, and prints a `python:` line with its ns per
//! operation; its signature must equal doku-sign's.
//!
//! RSA (`rsa_token`, with feature `rsa`): the SNAP access-token signature, SHA256withRSA with a 2048-bit key, sign
//! and verify.
//!
//! Run: `cargo bench -p doku-sign --bench sign --features rsa` (without the feature, the RSA group is left out).

use std::io::Write as _;
use std::process::{Command, Stdio};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use criterion::{black_box, criterion_main, BenchmarkId, Criterion, Throughput};
use doku_sign::non_snap::{self, Kind};
use doku_sign::{minify_json, snap_symmetric, SecretKey};
use doku_test_support::{business_message, json_body, PARTNER_SECRET};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

const SIZES: [(usize, &str); 4] = [
    (256, "256B"),
    (1024, "1KiB"),
    (64 * 1024, "64KiB"),
    (1024 * 1024, "1MiB"),
];

fn raw(key: &[u8], body: &[u8], string_to_sign: &[u8]) -> [u8; 32] {
    let digest = Sha256::digest(body);
    black_box(&digest);
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(string_to_sign);
    mac.finalize().into_bytes().into()
}

fn bench(c: &mut Criterion) {
    let key = SecretKey::from(PARTNER_SECRET);
    for (len, label) in SIZES {
        let body = json_body(len);
        let message = business_message(&body);
        let string_to_sign = non_snap::string_to_sign(Kind::Request, &message).into_bytes();
        let header = non_snap::sign(&key, Kind::Request, &message).to_string();
        let mut group = c.benchmark_group(format!("non_snap_{label}"));
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_function(BenchmarkId::new("raw", label), |b| {
            b.iter(|| {
                raw(
                    key.expose_bytes(),
                    black_box(&body),
                    black_box(&string_to_sign),
                )
            })
        });
        group.bench_function(BenchmarkId::new("sign", label), |b| {
            b.iter(|| non_snap::sign(&key, Kind::Request, black_box(&message)))
        });
        group.bench_function(BenchmarkId::new("verify", label), |b| {
            b.iter(|| {
                non_snap::verify(&key, Kind::Request, black_box(&message), black_box(&header))
            })
        });
        group.finish();
    }
}

const SNAP_METHOD: &str = "POST";
const SNAP_PATH: &str = "/virtual-accounts/bi-snap-va/v1.1/transfer-va/create-va";
const SNAP_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJET0tVIn0.c2lnbmF0dXJl";
const SNAP_TIMESTAMP: &str = "2024-03-19T14:39:01+07:00";
/// Iterations the Python peer times (after a tenth as many to warm up).
const PYTHON_ITERATIONS: u32 = 20_000;

/// A pretty-printed Create VA body of exactly `len` bytes (padded in `freeText`), ASCII strings and integers
/// only, so a JSON round trip in any language gives the same bytes as removing whitespace.
fn snap_body(len: usize) -> String {
    let head = "{\n  \"partnerServiceId\": \"   19008\",\n  \"customerNo\": \"0000000000001\",\n  \
                \"virtualAccountNo\": \"   190080000000000001\",\n  \"virtualAccountName\": \"Toko Jokul Doe\",\n  \
                \"virtualAccountEmail\": \"jokul@example.com\",\n  \"virtualAccountPhone\": \"6281828384858\",\n  \
                \"trxId\": \"INV-20240319-0001\",\n  \"totalAmount\": {\n    \"value\": \"11500.00\",\n    \
                \"currency\": \"IDR\"\n  },\n  \"additionalInfo\": {\n    \"channel\": \"VIRTUAL_ACCOUNT_BCA\",\n    \
                \"virtualAccountConfig\": {\n      \"reusableStatus\": false,\n      \"minAmount\": 10000,\n      \
                \"maxAmount\": 5000000\n    }\n  },\n  \"virtualAccountTrxType\": \"C\",\n  \
                \"expiredDate\": \"2024-03-20T14:39:01+07:00\",\n  \"freeText\": [\n    {\n      \
                \"english\": \"Pay before the due date\",\n      \"indonesia\": \"";
    let tail = "\"\n    }\n  ]\n}\n";
    let mut body = String::from(head);
    while body.len() + tail.len() < len {
        body.push(char::from(b'a' + (body.len() % 26) as u8));
    }
    body.push_str(tail);
    body
}

/// The SNAP transaction signature written by hand with the primitives: the floor.
fn snap_raw(key: &[u8], body: &str) -> [u8; 88] {
    let mut minified = Vec::with_capacity(body.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in body.as_bytes() {
        if in_string {
            minified.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
            minified.push(b);
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            minified.push(b);
        }
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 64];
    for (i, byte) in Sha256::digest(&minified).iter().enumerate() {
        hex[2 * i] = HEX[usize::from(byte >> 4)];
        hex[2 * i + 1] = HEX[usize::from(byte & 0xf)];
    }
    let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("any key length");
    for part in [
        SNAP_METHOD.as_bytes(),
        b":",
        SNAP_PATH.as_bytes(),
        b":",
        SNAP_TOKEN.as_bytes(),
        b":",
        &hex,
        b":",
        SNAP_TIMESTAMP.as_bytes(),
    ] {
        mac.update(part);
    }
    let mut out = [0u8; 88];
    STANDARD
        .encode_slice(mac.finalize().into_bytes(), &mut out)
        .expect("88 bytes hold base64 of 64");
    out
}

/// doku-sign's path: minify, sign, the header text.
fn snap_sign(key: &SecretKey, body: &str) -> String {
    let minified = minify_json(body);
    let message = snap_symmetric::Message {
        method: SNAP_METHOD,
        path: SNAP_PATH,
        access_token: SNAP_TOKEN,
        body: minified.as_bytes(),
        timestamp: SNAP_TIMESTAMP,
    };
    snap_symmetric::sign(key, &message).to_string()
}

const PYTHON_PEER: &str = r#"
import base64, hashlib, hmac, json, sys, time
body = sys.stdin.read()
key, method, path, token, timestamp, n = sys.argv[1:7]
key, n = key.encode(), int(n)
def sign():
    minified = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False)
    body_hash = hashlib.sha256(minified.encode()).hexdigest()
    text = f"{method}:{path}:{token}:{body_hash}:{timestamp}"
    return base64.b64encode(hmac.new(key, text.encode(), hashlib.sha512).digest()).decode()
signature = sign()
for _ in range(n // 10):
    sign()
start = time.perf_counter_ns()
for _ in range(n):
    sign()
print(signature)
print((time.perf_counter_ns() - start) / n)
"#;

/// Times the Python peer; prints its `python:` line, or why it could not run.
fn python_peer(key: &str, body: &str, expected_signature: &str) {
    let run = || -> Result<(String, f64), String> {
        let mut child = Command::new("python3")
            .args([
                "-c",
                PYTHON_PEER,
                key,
                SNAP_METHOD,
                SNAP_PATH,
                SNAP_TOKEN,
                SNAP_TIMESTAMP,
            ])
            .arg(PYTHON_ITERATIONS.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run python3: {e}"))?;
        child
            .stdin
            .take()
            .ok_or("no stdin")?
            .write_all(body.as_bytes())
            .map_err(|e| e.to_string())?;
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut lines = text.lines();
        let (Some(signature), Some(ns)) = (lines.next(), lines.next()) else {
            return Err(format!("python3 printed {text:?} ({})", out.status));
        };
        let ns: f64 = ns.parse().map_err(|_| format!("not a number: {ns}"))?;
        Ok((signature.to_owned(), ns))
    };
    match run() {
        Ok((signature, ns)) => {
            assert_eq!(
                signature, expected_signature,
                "the Python peer's signature differs from doku-sign's"
            );
            println!(
                "python: snap sign 1KiB {ns:.0} ns/op over {PYTHON_ITERATIONS} iterations (json.loads+json.dumps, \
                 hashlib.sha256, hmac sha512, base64), same signature as doku-sign"
            );
        }
        Err(e) => println!("python: unavailable: {e}"),
    }
}

fn bench_snap(c: &mut Criterion) {
    let secret = "snap-client-secret-bench";
    let key = SecretKey::from(secret);
    let body = snap_body(1024);
    let signature = snap_sign(&key, &body);
    assert_eq!(
        signature.as_bytes(),
        snap_raw(key.expose_bytes(), &body),
        "raw and sign must compute the same signature"
    );
    let mut group = c.benchmark_group("snap_1KiB");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(BenchmarkId::new("raw", "1KiB"), |b| {
        b.iter(|| snap_raw(key.expose_bytes(), black_box(&body)))
    });
    group.bench_function(BenchmarkId::new("sign", "1KiB"), |b| {
        b.iter(|| snap_sign(&key, black_box(&body)))
    });
    group.finish();
    python_peer(secret, &body, &signature);
}

#[cfg(feature = "rsa")]
fn bench_rsa(c: &mut Criterion) {
    use doku_sign::snap_asymmetric::PrivateKey;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/keys/merchant-pkcs8.pem"
    );
    let pem = std::fs::read_to_string(path).expect("the test key");
    let private = PrivateKey::from_pem(&pem).expect("a PKCS#8 key");
    let public = private.public_key();
    let (client_id, timestamp) = ("MCH-0001-10791114622547", SNAP_TIMESTAMP);
    let signature = private.sign(client_id, timestamp).expect("RSA signing");
    let mut group = c.benchmark_group("rsa_token");
    group.bench_function("sign", |b| {
        b.iter(|| private.sign(black_box(client_id), black_box(timestamp)))
    });
    group.bench_function("verify", |b| {
        b.iter(|| {
            public.verify(
                black_box(client_id),
                black_box(timestamp),
                black_box(&signature),
            )
        })
    });
    group.finish();
}

#[cfg(not(feature = "rsa"))]
fn bench_rsa(_: &mut Criterion) {}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench, super::bench_snap, super::bench_rsa);
}
use group::benches;
criterion_main!(benches);
