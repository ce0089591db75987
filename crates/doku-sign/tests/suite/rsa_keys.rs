//! PEM key loading for SNAP asymmetric signatures, including passphrase-encrypted PKCS#8.
//!
//! `vectors/keys/merchant-encrypted-pkcs8.pem` was made from `merchant-pkcs8.pem` with
//! `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in merchant-pkcs8.pem
//!  -passout pass:doku-rs-test-passphrase -out merchant-encrypted-pkcs8.pem`.
#![cfg(feature = "rsa")]

use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::Error;

fn key(name: &str) -> String {
    let path = format!("{}/../../vectors/keys/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn encrypted_pkcs8_signs_like_the_plain_key() {
    let plain = PrivateKey::from_pem(&key("merchant-pkcs8.pem")).unwrap();
    let encrypted = PrivateKey::from_pem_encrypted(
        &key("merchant-encrypted-pkcs8.pem"),
        b"doku-rs-test-passphrase",
    )
    .unwrap();
    let a = plain.sign("MCH-1", "2024-03-19T14:39:01+07:00").unwrap();
    let b = encrypted
        .sign("MCH-1", "2024-03-19T14:39:01+07:00")
        .unwrap();
    assert_eq!(
        a, b,
        "PKCS#1 v1.5 is deterministic: same key, same signature"
    );
    let public = PublicKey::from_pem(&key("merchant-public.pem")).unwrap();
    assert_eq!(
        public.verify("MCH-1", "2024-03-19T14:39:01+07:00", &a),
        Ok(())
    );
    assert_eq!(
        encrypted
            .public_key()
            .verify("MCH-1", "2024-03-19T14:39:01+07:00", &a),
        Ok(())
    );
}

#[test]
fn wrong_passphrase_and_missing_passphrase_are_clear_errors() {
    let pem = key("merchant-encrypted-pkcs8.pem");
    assert!(matches!(
        PrivateKey::from_pem_encrypted(&pem, b"wrong"),
        Err(Error::InvalidKey { .. })
    ));
    let err = PrivateKey::from_pem(&pem).unwrap_err();
    assert!(err.to_string().contains("passphrase"), "{err}");
    assert!(matches!(
        PrivateKey::from_pem("not a key"),
        Err(Error::InvalidKey { .. })
    ));
}

#[test]
fn private_key_debug_prints_no_material() {
    let private = PrivateKey::from_pem(&key("partner-pkcs1.pem")).unwrap();
    assert_eq!(format!("{private:?}"), "PrivateKey(***)");
}

#[test]
fn verify_refuses_bad_base64_and_other_messages() {
    let private = PrivateKey::from_pem(&key("partner-pkcs1.pem")).unwrap();
    let public = PublicKey::from_pem(&key("partner-public-pkcs1.pem")).unwrap();
    let sig = private.sign("BRN-1", "2020-09-22T01:51:00Z").unwrap();
    assert_eq!(public.verify("BRN-1", "2020-09-22T01:51:00Z", &sig), Ok(()));
    assert_eq!(
        public.verify("BRN-2", "2020-09-22T01:51:00Z", &sig),
        Err(Error::Mismatch)
    );
    assert_eq!(
        public.verify("BRN-1", "2020-09-22T01:51:00Z", "***"),
        Err(Error::InvalidBase64)
    );
}

#[test]
fn the_public_half_is_written_as_the_spki_pem_openssl_writes() {
    let private = PrivateKey::from_pem(&key("merchant-pkcs8.pem")).unwrap();
    let pem = private.public_key().to_pem().unwrap();
    assert_eq!(pem, key("merchant-public.pem").replace("\r\n", "\n"));
    // A PKCS#1 public key comes out as SPKI, and reads back as the same key.
    let pkcs1 = PublicKey::from_pem(&key("partner-public-pkcs1.pem")).unwrap();
    let spki = pkcs1.to_pem().unwrap();
    assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{spki}");
    let partner = PrivateKey::from_pem(&key("partner-pkcs1.pem")).unwrap();
    let sig = partner.sign("BRN-1", "2020-09-22T01:51:00Z").unwrap();
    assert_eq!(
        PublicKey::from_pem(&spki)
            .unwrap()
            .verify("BRN-1", "2020-09-22T01:51:00Z", &sig),
        Ok(())
    );
}

#[test]
fn sign_bytes_and_verify_bytes_are_sha256_with_rsa_over_any_message() {
    let private = PrivateKey::from_pem(&key("merchant-pkcs8.pem")).unwrap();
    let public = private.public_key();
    let message = b"header.payload \x00\xff any bytes";
    let signature = private.sign_bytes(message).unwrap();
    assert_eq!(signature.len(), 256);
    assert_eq!(public.modulus_bytes(), 256);
    assert_eq!(public.verify_bytes(message, &signature), Ok(()));
    assert_eq!(
        public.verify_bytes(b"another message", &signature),
        Err(Error::Mismatch)
    );
    assert_eq!(
        public.verify_bytes(message, &signature[1..]),
        Err(Error::InvalidLength {
            expected: 256,
            found: 255
        })
    );
    // The token signature is the same operation over `clientId|timestamp`.
    let token = private.sign("MCH-1", "2024-03-19T14:39:01+07:00").unwrap();
    let raw = private
        .sign_bytes(b"MCH-1|2024-03-19T14:39:01+07:00")
        .unwrap();
    use base64::Engine as _;
    assert_eq!(base64::engine::general_purpose::STANDARD.encode(raw), token);
}

#[test]
fn public_key_debug_prints_the_size_only() {
    let public = PublicKey::from_pem(&key("merchant-public.pem")).unwrap();
    assert_eq!(format!("{public:?}"), "PublicKey(RSA-2048)");
}
