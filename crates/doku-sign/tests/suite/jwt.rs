//! RS256 JWTs: what `jwt::verify` accepts and refuses, each refusal with its own error.
#![cfg(feature = "rsa")]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use doku_sign::jwt;
use doku_sign::snap_asymmetric::PrivateKey;
use doku_sign::Error;

fn key() -> PrivateKey {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/keys/merchant-pkcs8.pem"
    );
    PrivateKey::from_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

const CLAIMS: &[u8] = br#"{"iss":"DOKU","clientId":"MCH-0001","exp":1710835141}"#;

/// A token with this header JSON over `CLAIMS`, signed with the test key whatever the header says.
fn token_with_header(header: &str) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(CLAIMS)
    );
    let signature = key().sign_bytes(signed.as_bytes()).unwrap();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[test]
fn encode_then_verify_returns_the_claims_bytes() {
    let key = key();
    let token = jwt::encode(&key, CLAIMS).unwrap();
    let mut parts = token.split('.');
    assert_eq!(
        URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap(),
        jwt::HEADER.as_bytes()
    );
    assert!(!token.contains('='), "no padding: {token}");
    assert_eq!(jwt::verify(&key.public_key(), &token), Ok(CLAIMS.to_vec()));
    // Deterministic: PKCS#1 v1.5.
    assert_eq!(jwt::encode(&key, CLAIMS).unwrap(), token);
}

#[test]
fn a_header_is_read_as_json_not_compared_as_bytes() {
    let public = key().public_key();
    for header in [
        r#"{"typ":"JWT","alg":"RS256"}"#,
        r#" { "alg" : "RS256" } "#,
        r#"{"alg":"RS\u0032\u00356","kid":{"nested":["alg"]}}"#,
    ] {
        assert_eq!(
            jwt::verify(&public, &token_with_header(header)),
            Ok(CLAIMS.to_vec()),
            "{header}"
        );
    }
}

#[test]
fn only_rs256_is_accepted() {
    let public = key().public_key();
    for (header, found) in [
        (r#"{"alg":"none","typ":"JWT"}"#, "none"),
        (r#"{"alg":"HS256","typ":"JWT"}"#, "HS256"),
        (r#"{"alg":"rs256"}"#, "rs256"),
        (r#"{"alg":"RS256 "}"#, "RS256 "),
    ] {
        assert_eq!(
            jwt::verify(&public, &token_with_header(header)),
            Err(Error::UnsupportedAlgorithm {
                found: found.to_owned()
            }),
            "{header}"
        );
    }
}

#[test]
fn malformed_headers_are_invalid_jwts() {
    let public = key().public_key();
    for header in [
        r#"{"typ":"JWT"}"#,
        r#"{"alg":256}"#,
        r#"{"alg":["RS256"]}"#,
        r#"{"alg":"RS256","alg":"RS256"}"#,
        r#"{"alg":"RS256","crit":["exp"]}"#,
        r#"["RS256"]"#,
        r#""RS256""#,
        r#"{"alg":"RS256""#,
        "",
    ] {
        assert!(
            matches!(
                jwt::verify(&public, &token_with_header(header)),
                Err(Error::InvalidJwt { .. })
            ),
            "{header}"
        );
    }
}

#[test]
fn structure_encoding_and_signature_are_checked() {
    let key = key();
    let public = key.public_key();
    let token = jwt::encode(&key, CLAIMS).unwrap();
    let (header, rest) = token.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let invalid = |t: &str| matches!(jwt::verify(&public, t), Err(Error::InvalidJwt { .. }));
    assert!(invalid(&format!("{header}.{payload}")));
    assert!(invalid(&format!("{token}.")));
    assert!(invalid(&format!("{header}.{payload}.{signature}==")));
    assert!(invalid(&format!("{header}=.{payload}.{signature}")));
    // `+` and `/` are standard base64, not base64url.
    assert!(invalid(&format!("{header}.{payload}.+{}", &signature[1..])));
    assert!(invalid(&format!("{header}.{payload}./{}", &signature[1..])));
    let other_claims = URL_SAFE_NO_PAD.encode(br#"{"iss":"DOKU","exp":9999999999}"#);
    assert_eq!(
        jwt::verify(&public, &format!("{header}.{other_claims}.{signature}")),
        Err(Error::Mismatch)
    );
    assert!(matches!(
        jwt::verify(&public, &format!("{header}.{payload}.{}", &signature[4..])),
        Err(Error::InvalidLength { expected: 256, .. })
    ));
    let other_key = PrivateKey::from_pem(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/keys/partner-pkcs1.pem"
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        jwt::verify(&other_key.public_key(), &token),
        Err(Error::Mismatch)
    );
}
