//! DOKU → merchant SNAP, the receiving side: the token endpoint DOKU calls first, then payment
//! notifications and inquiries authenticated by that token and the client secret's HMAC.
//!
//! DOKU's key pair here is `vectors/keys/partner-*` and the merchant's `vectors/keys/merchant-*`:
//! two distinct pairs, so a token signed with the wrong one is refused.

use doku_model::snap::{AckCode, B2bTokenResponse, InquiryBill, SnapAmount, VaInquiryRequest};
use doku_partner::{
    SnapInboundRefusal, SnapReceiver, SnapTokenIssuer, SnapTokenRefusal, VerifiedSnapNotification,
};
use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::snap_symmetric::{self, BodyForm, Message};
use doku_sign::{minify_as, MinifyReading, SecretKey};
use http::{HeaderMap, HeaderValue};

const DOKU_PRIVATE: &str = include_str!("../../../../vectors/keys/partner-pkcs1.pem");
const DOKU_PUBLIC: &str = include_str!("../../../../vectors/keys/partner-public-pkcs1.pem");
const MERCHANT_PRIVATE: &str = include_str!("../../../../vectors/keys/merchant-pkcs8.pem");

const DOKU_CLIENT: &str = "BRN-0201-1700000000000";
const SECRET: &str = "SK-merchant-client-secret";
const PATH: &str = "/v1.0/transfer-va/payment";
const INQUIRY_PATH: &str = "/v1.0/transfer-va/inquiry";
/// 2024-01-01T03:00:00Z, i.e. 10:00 in Jakarta.
const NOW: i64 = 1_704_078_000;
const STAMP: &str = "2024-01-01T10:00:00+07:00";

/// DOKU's notification sample, minified (its own bytes: what most DOKUs send).
const NOTIFICATION: &str = r#"{"partnerServiceId":"77777","customerNo":"0000000000001","virtualAccountNo":"777770000000000001","virtualAccountName":"Toru Yamashita","virtualAccountEmail":"toru@example.com","virtualAccountPhone":"6281234567890","trxId":"23219829713","paymentRequestId":"52861","paidAmount":{"value":"12500.00","currency":"IDR"},"trxDateTime":"2024-01-01T10:00:00+07:00","virtualAccountTrxType":"C","additionalInfo":{"channel":"VIRTUAL_ACCOUNT_BANK_CIMB","virtualAccountConfig":{"reusableStatus":false},"senderName":"Toru Yamashita","sourceAccountNo":"1234567890","sourceBankCode":"022","sourceBankName":"CIMB NIAGA"}}"#;

/// The same notification sent non-canonically: spaces, `\/`, `\u00e9`, numbers every runtime
/// writes its own way (`10000.00`, `0.00001`).
const NON_CANONICAL: &str = "{ \"partnerServiceId\": \"77777\", \"customerNo\": \"0000000000001\",\n  \"virtualAccountNo\": \"777770000000000001\", \"virtualAccountName\": \"Jos\\u00e9 Yamashita\",\n  \"trxId\": \"INV\\/2024\\/1\", \"paymentRequestId\": \"52861\",\n  \"paidAmount\": { \"value\": \"10000.00\", \"currency\": \"IDR\" },\n  \"fee\": 10000.00, \"feeRate\": 0.00001 }";

const INQUIRY: &str = r#"{"partnerServiceId":"   19008","customerNo":"00000000000000000001","virtualAccountNo":"   1900800000000000000000001","channelCode":"6011","trxDateInit":"2024-01-01T10:00:00+07:00","language":"ID","inquiryRequestId":"INQ-0000001","additionalInfo":{}}"#;

fn doku_key() -> PrivateKey {
    PrivateKey::from_pem(DOKU_PRIVATE).unwrap()
}

fn merchant_key() -> PrivateKey {
    PrivateKey::from_pem(MERCHANT_PRIVATE).unwrap()
}

fn issuer() -> SnapTokenIssuer {
    SnapTokenIssuer::new(PublicKey::from_pem(DOKU_PUBLIC).unwrap(), merchant_key())
}

fn receiver() -> SnapReceiver {
    SnapReceiver::for_issuer(&issuer(), SecretKey::new(SECRET))
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (name, value) in pairs {
        h.append(*name, HeaderValue::from_str(value).unwrap());
    }
    h
}

/// DOKU's token request, signed with `key` over `client|stamp`.
fn token_request(key: &PrivateKey, client: &str, stamp: &str) -> HeaderMap {
    let signature = key.sign(client, stamp).unwrap();
    headers(&[
        ("x-client-key", client),
        ("x-timestamp", stamp),
        ("x-signature", &signature),
        ("content-type", "application/json"),
    ])
}

const GRANT: &[u8] = br#"{"grantType":"client_credentials"}"#;

/// A token from our issuer for DOKU, as DOKU would get it.
fn token_at(now: i64) -> String {
    let reply = issuer().answer(
        &token_request(&doku_key(), DOKU_CLIENT, STAMP),
        GRANT,
        now,
        "jti-1",
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let answer: B2bTokenResponse = doku_model::decode(&reply.body).unwrap();
    answer.access_token.unwrap()
}

/// The headers of a SNAP call DOKU signs over `signed` (the raw body, or a reading of it).
fn call_headers(token: &str, path: &str, signed: &[u8], secret: &str) -> HeaderMap {
    let message = Message {
        method: "POST",
        path,
        access_token: token,
        body: signed,
        timestamp: STAMP,
    };
    let signature = snap_symmetric::sign(&SecretKey::new(secret), &message).to_string();
    headers(&[
        ("authorization", &format!("Bearer {token}")),
        ("x-timestamp", STAMP),
        ("x-signature", &signature),
        ("x-partner-id", DOKU_CLIENT),
        ("x-external-id", "41807553358950093184162180797837"),
        ("channel-id", "VA008"),
        ("content-type", "application/json"),
    ])
}

fn notify(h: &HeaderMap, body: &str) -> Result<VerifiedSnapNotification, SnapInboundRefusal> {
    receiver().verify_notification("POST", PATH, h, body.as_bytes(), NOW + 1)
}

fn body_of(reply_body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(reply_body).unwrap()
}

#[test]
fn token_request_signed_with_dokus_key_gets_our_rs256_jwt() {
    let reply = issuer().answer(
        &token_request(&doku_key(), DOKU_CLIENT, STAMP),
        GRANT,
        NOW,
        "jti-42",
    );
    assert_eq!(reply.status, 200);
    let claims = reply.issued().unwrap().clone();
    assert_eq!(claims.client_id, DOKU_CLIENT);
    assert_eq!((claims.issued_at, claims.expires_at), (NOW, NOW + 900));
    assert_eq!(claims.jti, "jti-42");
    let answer: B2bTokenResponse = doku_model::decode(&reply.body).unwrap();
    let token = answer.access_token.clone().unwrap();
    // The body, byte for byte around the token.
    assert_eq!(
        String::from_utf8(reply.body.clone()).unwrap(),
        format!(
            r#"{{"responseCode":"2007300","responseMessage":"Successful","accessToken":"{token}","tokenType":"Bearer","expiresIn":900}}"#
        )
    );
    // An RS256 JWT with our claims, verifiable with our public key only.
    let payload = doku_sign::jwt::verify(&merchant_key().public_key(), &token).unwrap();
    let payload: serde_json::Value = serde_json::from_slice(payload.as_ref()).unwrap();
    assert_eq!(
        payload,
        serde_json::json!({"iss": "doku-rs", "clientId": DOKU_CLIENT, "iat": NOW, "exp": NOW + 900, "jti": "jti-42"})
    );
    assert!(doku_sign::jwt::verify(&doku_key().public_key(), &token).is_err());
    // No key and no token in Debug.
    let debug = format!("{reply:?} {:?}", issuer());
    assert!(
        !debug.contains(&token) && !debug.contains("BEGIN"),
        "{debug}"
    );
    // The PHP SDK's body and a UTC `Z` stamp work too.
    let php = br#"{"grantType":"client_credentials","additionalInfo":{}}"#;
    let utc = token_request(&doku_key(), DOKU_CLIENT, "2024-01-01T03:00:00Z");
    assert_eq!(issuer().answer(&utc, php, NOW, "j").status, 200);
}

#[test]
fn token_request_with_a_bad_signature_is_4017300() {
    let refused = |h: &HeaderMap| {
        let reply = issuer().answer(h, GRANT, NOW, "j");
        assert_eq!(reply.status, 401);
        assert_eq!(
            String::from_utf8(reply.body.clone()).unwrap(),
            r#"{"responseCode":"4017300","responseMessage":"Unauthorized. Invalid Signature"}"#
        );
        assert!(reply.issued().is_none());
        reply.outcome.unwrap_err()
    };
    // Signed with the merchant's key instead of DOKU's.
    assert!(matches!(
        refused(&token_request(&merchant_key(), DOKU_CLIENT, STAMP)),
        SnapTokenRefusal::Signature(doku_sign::Error::Mismatch)
    ));
    // DOKU's signature over another client key or timestamp.
    let mut other_client = token_request(&doku_key(), DOKU_CLIENT, STAMP);
    other_client.insert("x-client-key", HeaderValue::from_static("BRN-other"));
    refused(&other_client);
    let mut other_stamp = token_request(&doku_key(), DOKU_CLIENT, STAMP);
    other_stamp.insert(
        "x-timestamp",
        HeaderValue::from_static("2024-01-01T10:00:01+07:00"),
    );
    refused(&other_stamp);
    // Not base64.
    let mut garbage = token_request(&doku_key(), DOKU_CLIENT, STAMP);
    garbage.insert("x-signature", HeaderValue::from_static("%%%"));
    refused(&garbage);
}

#[test]
fn token_request_outside_the_timestamp_window_is_refused() {
    let h = token_request(&doku_key(), DOKU_CLIENT, STAMP);
    for now in [NOW - 900, NOW + 900] {
        assert_eq!(issuer().answer(&h, GRANT, now, "j").status, 200, "{now}");
    }
    for (now, skew) in [(NOW + 901, -901), (NOW - 901, 901)] {
        let reply = issuer().answer(&h, GRANT, now, "j");
        assert_eq!(reply.status, 401);
        assert!(
            matches!(reply.outcome, Err(SnapTokenRefusal::StaleTimestamp { skew_seconds }) if skew_seconds == skew)
        );
        assert_eq!(body_of(&reply.body)["responseCode"], "4017300");
    }
    let narrow = issuer().timestamp_tolerance_seconds(60);
    assert_eq!(narrow.answer(&h, GRANT, NOW + 61, "j").status, 401);
}

#[test]
fn malformed_token_requests_are_4007301_or_4007302() {
    let good = token_request(&doku_key(), DOKU_CLIENT, STAMP);
    let code = |h: &HeaderMap, body: &[u8]| {
        let reply = issuer().answer(h, body, NOW, "j");
        let code = body_of(&reply.body)["responseCode"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(reply.status.to_string(), code[..3]);
        (code, reply.outcome.unwrap_err())
    };
    let mut missing = good.clone();
    missing.remove("x-client-key");
    assert!(
        matches!(code(&missing, GRANT), (c, SnapTokenRefusal::MissingHeader("X-CLIENT-KEY")) if c == "4007302")
    );
    let mut twice = good.clone();
    twice.append("x-timestamp", HeaderValue::from_static(STAMP));
    assert!(
        matches!(code(&twice, GRANT), (c, SnapTokenRefusal::DuplicateHeader("X-TIMESTAMP")) if c == "4007301")
    );
    let mut bad_stamp = good.clone();
    bad_stamp.insert(
        "x-timestamp",
        HeaderValue::from_static("2024-01-01 10:00:00"),
    );
    assert!(
        matches!(code(&bad_stamp, GRANT), (c, SnapTokenRefusal::InvalidTimestamp) if c == "4007301")
    );
    assert!(
        matches!(code(&good, b"{}"), (c, SnapTokenRefusal::MissingGrantType) if c == "4007302")
    );
    assert!(matches!(
        code(&good, br#"{"grantType":"password"}"#),
        (c, SnapTokenRefusal::UnsupportedGrantType) if c == "4007301"
    ));
    assert!(
        matches!(code(&good, b"grantType=client_credentials"), (c, SnapTokenRefusal::MalformedBody(_)) if c == "4007301")
    );
    // A client DOKU did not tell us about.
    let only = issuer().expected_client_ids(["BRN-someone-else"]);
    let reply = only.answer(&good, GRANT, NOW, "j");
    assert!(matches!(
        reply.outcome,
        Err(SnapTokenRefusal::UnknownClient)
    ));
    assert_eq!(reply.status, 401);
}

#[test]
fn a_notification_with_our_bearer_and_dokus_hmac_is_accepted() {
    let token = token_at(NOW);
    let h = call_headers(&token, PATH, NOTIFICATION.as_bytes(), SECRET);
    let v = notify(&h, NOTIFICATION).unwrap();
    assert_eq!(v.delivery.signed_form, BodyForm::Raw);
    assert_eq!(v.delivery.bearer.client_id, DOKU_CLIENT);
    assert_eq!(v.delivery.partner_id.as_deref(), Some(DOKU_CLIENT));
    assert_eq!(v.delivery.channel_id.as_deref(), Some("VA008"));
    assert_eq!(v.notification.payment_request_id.as_deref(), Some("52861"));
    assert_eq!(
        v.dedup_key(),
        "5:7777713:000000000000118:7777700000000000015:5286111:23219829713"
    );
    // A retry under a fresh X-EXTERNAL-ID is the same payment.
    let mut retry = call_headers(&token, PATH, NOTIFICATION.as_bytes(), SECRET);
    retry.insert("x-external-id", HeaderValue::from_static("99999"));
    assert_eq!(
        notify(&retry, NOTIFICATION).unwrap().dedup_key(),
        v.dedup_key()
    );
}

#[test]
fn ack_bodies_for_both_codes_byte_for_byte() {
    let token = token_at(NOW);
    let v = notify(
        &call_headers(&token, PATH, NOTIFICATION.as_bytes(), SECRET),
        NOTIFICATION,
    )
    .unwrap();
    let data = r#""virtualAccountData":{"partnerServiceId":"77777","customerNo":"0000000000001","virtualAccountNo":"777770000000000001","virtualAccountName":"Toru Yamashita","paymentRequestId":"52861"}"#;
    for (code, text) in [
        (AckCode::PaymentNotification, "2002500"),
        (AckCode::CreateVa, "2002700"),
    ] {
        let reply = v.ack(code);
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.body_text(),
            format!(r#"{{"responseCode":"{text}","responseMessage":"Successful",{data}}}"#)
        );
    }
}

/// Each refusal, its code, and an HTTP status equal to the code's first three digits.
#[test]
fn every_refusal_names_its_cause_and_dokus_code() {
    let token = token_at(NOW);
    let good = call_headers(&token, PATH, NOTIFICATION.as_bytes(), SECRET);
    let check = |h: &HeaderMap, body: &str, code: &str| -> SnapInboundRefusal {
        let refusal = notify(h, body).unwrap_err();
        let reply = refusal.notification_reply();
        assert_eq!(body_of(&reply.body)["responseCode"], code, "{refusal}");
        assert_eq!(reply.status.to_string(), code[..3], "{refusal}");
        refusal
    };
    let without = |name: &str| {
        let mut h = good.clone();
        h.remove(name);
        h
    };
    let with = |name: &'static str, value: &'static str| {
        let mut h = good.clone();
        h.insert(name, HeaderValue::from_static(value));
        h
    };
    assert!(matches!(
        check(&without("authorization"), NOTIFICATION, "4012701"),
        SnapInboundRefusal::MissingHeader("Authorization")
    ));
    assert!(matches!(
        check(&with("authorization", "Basic abc"), NOTIFICATION, "4012701"),
        SnapInboundRefusal::NotBearer
    ));
    assert!(matches!(
        check(&without("x-signature"), NOTIFICATION, "4012700"),
        SnapInboundRefusal::MissingHeader("X-SIGNATURE")
    ));
    assert!(matches!(
        check(&without("x-timestamp"), NOTIFICATION, "4002502"),
        SnapInboundRefusal::MissingHeader("X-TIMESTAMP")
    ));
    let mut twice = good.clone();
    twice.append("x-signature", HeaderValue::from_static("AAAA"));
    assert!(matches!(
        check(&twice, NOTIFICATION, "4002501"),
        SnapInboundRefusal::DuplicateHeader("X-SIGNATURE")
    ));
    // DOKU's sample signature: 64 hex characters.
    let hex = with(
        "x-signature",
        "4f1a7d4c0a1f5f7b9a3ecb2c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e",
    );
    assert!(matches!(
        check(&hex, NOTIFICATION, "4012700"),
        SnapInboundRefusal::HexSignature
    ));
    assert!(matches!(
        check(&with("x-signature", "AAAA"), NOTIFICATION, "4012700"),
        SnapInboundRefusal::MalformedSignature(_)
    ));
    // Wrong secret, another path, an altered body.
    let wrong_secret = call_headers(&token, PATH, NOTIFICATION.as_bytes(), "SK-other");
    assert!(matches!(
        check(&wrong_secret, NOTIFICATION, "4012700"),
        SnapInboundRefusal::SignatureMismatch
    ));
    let other_path = call_headers(&token, "/other", NOTIFICATION.as_bytes(), SECRET);
    assert!(matches!(
        check(&other_path, NOTIFICATION, "4012700"),
        SnapInboundRefusal::SignatureMismatch
    ));
    let altered = NOTIFICATION.replace("12500.00", "99500.00");
    assert!(matches!(
        check(&good, &altered, "4012700"),
        SnapInboundRefusal::SignatureMismatch
    ));
    // Signed, but not a notification: a missing field, the wrong shape, broken rules.
    let signed = |body: &str| call_headers(&token, PATH, body.as_bytes(), SECRET);
    let no_customer = r#"{"partnerServiceId":"77777","virtualAccountNo":"777770000000000001"}"#;
    let refusal = check(&signed(no_customer), no_customer, "4002502");
    assert!(matches!(refusal, SnapInboundRefusal::MissingField(_)));
    assert_eq!(
        refusal.response_message(),
        "Invalid Mandatory Field {customerNo}"
    );
    let wrong_type = r#"{"partnerServiceId":77777}"#;
    assert!(matches!(
        check(&signed(wrong_type), wrong_type, "4002501"),
        SnapInboundRefusal::MalformedBody(_)
    ));
    let not_json = "paid=1";
    assert!(matches!(
        check(&signed(not_json), not_json, "4002501"),
        SnapInboundRefusal::MalformedBody(_)
    ));
    let no_amount =
        NOTIFICATION.replace(r#""paidAmount":{"value":"12500.00","currency":"IDR"},"#, "");
    assert!(matches!(
        check(&signed(&no_amount), &no_amount, "4002502"),
        SnapInboundRefusal::InvalidBody(_)
    ));
    let float_amount = NOTIFICATION.replace(r#""12500.00""#, r#""12500""#);
    assert!(matches!(
        check(&signed(&float_amount), &float_amount, "4002501"),
        SnapInboundRefusal::InvalidBody(_)
    ));
    // The inquiry's service code in its own refusals.
    let reply = SnapInboundRefusal::MissingHeader("X-TIMESTAMP").inquiry_reply();
    assert_eq!(
        reply.body_text(),
        r#"{"responseCode":"4002402","responseMessage":"Invalid Mandatory Field {X-TIMESTAMP}"}"#
    );
}

#[test]
fn a_body_signed_over_a_readings_minified_form_is_accepted_and_the_reading_reported() {
    let token = token_at(NOW);
    // Signed over the raw bytes: reported as raw.
    let raw = call_headers(&token, PATH, NON_CANONICAL.as_bytes(), SECRET);
    assert_eq!(
        notify(&raw, NON_CANONICAL).unwrap().delivery.signed_form,
        BodyForm::Raw
    );
    let mut forms = Vec::new();
    for reading in [
        MinifyReading::Whitespace,
        MinifyReading::Php,
        MinifyReading::Node,
        MinifyReading::Jackson,
    ] {
        let minified = minify_as(reading, NON_CANONICAL).unwrap();
        forms.push(minified.clone());
        let h = call_headers(&token, PATH, minified.as_bytes(), SECRET);
        let v = notify(&h, NON_CANONICAL).unwrap_or_else(|e| panic!("{reading:?}: {e}"));
        assert_eq!(
            v.delivery.signed_form,
            BodyForm::Minified(reading),
            "{minified}"
        );
        assert_eq!(
            v.notification.virtual_account_name.as_deref(),
            Some("José Yamashita")
        );
    }
    // The four forms differ, so each reading was told apart.
    forms.sort();
    forms.dedup();
    assert_eq!(forms.len(), 4, "{forms:#?}");
    // A form no reading produces is refused.
    let other = NON_CANONICAL.replace("10000.00", "1e4");
    let h = call_headers(&token, PATH, other.as_bytes(), SECRET);
    assert!(matches!(
        notify(&h, NON_CANONICAL),
        Err(SnapInboundRefusal::SignatureMismatch)
    ));
}

#[test]
fn forged_foreign_and_expired_bearers_are_refused() {
    let token = token_at(NOW);
    let signed_with = |bearer: &str| call_headers(bearer, PATH, NOTIFICATION.as_bytes(), SECRET);
    let claims = |iss: &str, client: &str, exp: i64| {
        format!(r#"{{"iss":"{iss}","clientId":"{client}","iat":{NOW},"exp":{exp},"jti":"x"}}"#)
    };
    // Someone else's JWT: the same claims signed with DOKU's key (a key that is not ours).
    let theirs = doku_sign::jwt::encode(
        &doku_key(),
        claims("doku-rs", DOKU_CLIENT, NOW + 900).as_bytes(),
    )
    .unwrap();
    assert!(matches!(
        notify(&signed_with(&theirs), NOTIFICATION),
        Err(SnapInboundRefusal::BadBearer)
    ));
    // DOKU's own sample-style token for the merchant (iss DOKU), signed by our key all the same.
    let doku_style = doku_sign::jwt::encode(
        &merchant_key(),
        claims("DOKU", DOKU_CLIENT, NOW + 900).as_bytes(),
    )
    .unwrap();
    assert!(matches!(
        notify(&signed_with(&doku_style), NOTIFICATION),
        Err(SnapInboundRefusal::ForeignBearer)
    ));
    // Ours, but for a client we no longer expect.
    let narrowed = SnapReceiver::for_issuer(
        &issuer().expected_client_ids(["BRN-other"]),
        SecretKey::new(SECRET),
    );
    assert!(matches!(
        narrowed.verify_notification(
            "POST",
            PATH,
            &signed_with(&token),
            NOTIFICATION.as_bytes(),
            NOW
        ),
        Err(SnapInboundRefusal::ForeignBearer)
    ));
    // A forged one: our header and signature, another payload.
    let parts: Vec<&str> = token.split('.').collect();
    let forged_payload = doku_sign::jwt::encode(
        &doku_key(),
        claims("doku-rs", "BRN-attacker", NOW + 99_999).as_bytes(),
    )
    .unwrap();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        forged_payload.split('.').nth(1).unwrap(),
        parts[2]
    );
    assert!(matches!(
        notify(&signed_with(&forged), NOTIFICATION),
        Err(SnapInboundRefusal::BadBearer)
    ));
    for garbage in ["not-a-jwt", "a.b.c", "..", "eyJhbGciOiJub25lIn0.e30."] {
        assert!(
            matches!(
                notify(&signed_with(garbage), NOTIFICATION),
                Err(SnapInboundRefusal::BadBearer)
            ),
            "{garbage}"
        );
    }
    // Expired: valid up to exp - 1, refused from exp on.
    let h = signed_with(&token);
    let at = |now| receiver().verify_notification("POST", PATH, &h, NOTIFICATION.as_bytes(), now);
    assert!(at(NOW + 899).is_ok());
    for now in [NOW + 900, NOW + 12 * 3600] {
        let refusal = at(now).unwrap_err();
        assert!(
            matches!(refusal, SnapInboundRefusal::ExpiredBearer { expired_at } if expired_at == NOW + 900)
        );
        assert_eq!(
            refusal.notification_reply().body_text(),
            r#"{"responseCode":"4012701","responseMessage":"Unauthorized. Invalid Token (B2B)"}"#
        );
    }
}

/// The MAC is compared whole: a signature right in all but its last byte is refused like one
/// wrong from its first byte, and a case-folded signature is a different signature.
#[test]
fn the_signature_comparison_has_no_prefix_or_case_shortcut() {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    let token = token_at(NOW);
    let good = call_headers(&token, PATH, NOTIFICATION.as_bytes(), SECRET);
    let signature = good["x-signature"].to_str().unwrap().to_owned();
    let mac = STANDARD.decode(&signature).unwrap();
    assert_eq!(mac.len(), 64);
    let with_signature = |value: &str| {
        let mut h = good.clone();
        h.insert("x-signature", HeaderValue::from_str(value).unwrap());
        notify(&h, NOTIFICATION)
    };
    assert!(with_signature(&signature).is_ok());
    for index in [0, 1, 32, 62, 63] {
        let mut altered = mac.clone();
        altered[index] ^= 0x01;
        assert!(
            matches!(
                with_signature(&STANDARD.encode(&altered)),
                Err(SnapInboundRefusal::SignatureMismatch)
            ),
            "byte {index}"
        );
    }
    for folded in [signature.to_lowercase(), signature.to_uppercase()] {
        if folded != signature {
            assert!(with_signature(&folded).is_err(), "{folded}");
        }
    }
    // A prefix of the right signature is not the signature.
    assert!(with_signature(&signature[..84]).is_err());
}

#[test]
fn an_optional_timestamp_window() {
    let token = token_at(NOW);
    let h = call_headers(&token, PATH, NOTIFICATION.as_bytes(), SECRET);
    let windowed = receiver().timestamp_window_seconds(300);
    let at = |now| windowed.verify_notification("POST", PATH, &h, NOTIFICATION.as_bytes(), now);
    assert!(at(NOW + 300).is_ok());
    let refusal = at(NOW + 301).unwrap_err();
    assert!(matches!(
        refusal,
        SnapInboundRefusal::StaleTimestamp { skew_seconds: -301 }
    ));
    assert_eq!(refusal.notification_reply().status, 401);
}

#[test]
fn inquiry_is_verified_and_answered() {
    let token = token_at(NOW);
    let h = call_headers(&token, INQUIRY_PATH, INQUIRY.as_bytes(), SECRET);
    let v = receiver()
        .verify_inquiry("POST", INQUIRY_PATH, &h, INQUIRY.as_bytes(), NOW + 1)
        .unwrap();
    assert_eq!(v.inquiry.inquiry_request_id.as_deref(), Some("INQ-0000001"));
    assert_eq!(v.delivery.signed_form, BodyForm::Raw);
    // Signed for the notification path: refused on the inquiry path.
    let wrong = call_headers(&token, PATH, INQUIRY.as_bytes(), SECRET);
    assert!(matches!(
        receiver().verify_inquiry("POST", INQUIRY_PATH, &wrong, INQUIRY.as_bytes(), NOW),
        Err(SnapInboundRefusal::SignatureMismatch)
    ));

    let found = v.found(InquiryBill::new(
        "Customer Name",
        SnapAmount::idr(11500),
        "23219829713",
    ));
    assert_eq!(found.status, 200);
    assert_eq!(
        found.body_text(),
        r#"{"responseCode":"2002400","responseMessage":"Successful","virtualAccountData":{"partnerServiceId":"   19008","customerNo":"00000000000000000001","virtualAccountNo":"   1900800000000000000000001","virtualAccountName":"Customer Name","totalAmount":{"value":"11500.00","currency":"IDR"},"virtualAccountTrxType":"C","inquiryStatus":"00","inquiryReason":{"english":"Success","indonesia":"Sukses"},"inquiryRequestId":"INQ-0000001","additionalInfo":{"trxId":"23219829713"}}}"#
    );
    for (reply, code) in [
        (v.not_found(), "4042412"),
        (v.paid(), "4042414"),
        (v.expired(), "4042419"),
    ] {
        assert_eq!(reply.status, 404);
        let body = body_of(&reply.body);
        assert_eq!(body["responseCode"], code);
        assert_eq!(body["virtualAccountData"]["inquiryStatus"], "01");
        assert_eq!(
            body["virtualAccountData"]["inquiryRequestId"],
            "INQ-0000001"
        );
    }
    let request: VaInquiryRequest = doku_model::decode(INQUIRY.as_bytes()).unwrap();
    assert_eq!(v.inquiry, request);
}
