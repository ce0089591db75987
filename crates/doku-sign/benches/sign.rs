//! Non-SNAP signing and verification against the raw primitives, in the same run.
//!
//! `raw` = SHA-256 of the body + HMAC-SHA256 of a precomputed string of the same length as the string to sign:
//! the floor any implementation pays. `sign` and `verify` are doku-sign's full paths (digest, base64, string to
//! sign streamed into the MAC; verify also parses and decodes the header). Run:
//! `cargo bench -p doku-sign --bench sign`.

use criterion::{black_box, criterion_main, BenchmarkId, Criterion, Throughput};
use doku_sign::non_snap::{self, Kind};
use doku_sign::SecretKey;
use doku_test_support::{business_message, json_body, PARTNER_SECRET};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

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

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
use group::benches;
criterion_main!(benches);
