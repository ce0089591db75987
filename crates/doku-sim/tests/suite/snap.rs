//! SNAP against the simulator, over raw HTTP, signed with doku-sign: the B2B token, the Virtual
//! Account calls and their refusals, each SNAP reading, and paying a Virtual Account (inquiry,
//! token and notification to a scripted merchant, retries on a compressed clock).
#![allow(clippy::unwrap_used, dead_code)]

use crate::common::shapes::{assert_same, sample, shape};
use crate::common::{send, RawResponse, CLIENT_ID, OTHER_CLIENT, OTHER_SECRET, SECRET, START_UNIX};

use doku_model::Endpoint;
use doku_sign::clock::{Clock as _, ManualClock};
use doku_sign::snap_asymmetric::PrivateKey;
use doku_sign::snap_symmetric::{self, Message};
use doku_sign::timestamp::format_offset;
use doku_sign::{MinifyReading, SecretKey};
use doku_sim::{Readings, Sim, SimConfig, SimConfigBuilder, SimHandle, SnapMerchant, SnapReadings};
use serde_json::{json, Value};

const MERCHANT_PRIVATE: &str = include_str!("snap_keys/merchant-private.pem");
const MERCHANT_PUBLIC: &str = include_str!("snap_keys/merchant-public.pem");
const OTHER_PRIVATE: &str = include_str!("snap_keys/other-private.pem");

const TOKEN_PATH: &str = Endpoint::SnapToken.path();
const CREATE_PATH: &str = Endpoint::CreateVa.path();
const UPDATE_PATH: &str = Endpoint::UpdateVa.path();
const DELETE_PATH: &str = Endpoint::DeleteVa.path();
const STATUS_PATH: &str = Endpoint::VaStatus.path();

/// A simulator with [`CLIENT_ID`] registered for SNAP, on a manual clock.
struct Snap {
    sim: SimHandle,
    clock: ManualClock,
}

async fn start_snap(tune: impl FnOnce(SimConfigBuilder) -> SimConfigBuilder) -> Snap {
    let clock = ManualClock::at(START_UNIX);
    let builder = SimConfig::builder()
        .credential(CLIENT_ID, SecretKey::new(SECRET))
        .credential(OTHER_CLIENT, SecretKey::new(OTHER_SECRET))
        .snap_merchant(SnapMerchant::new(CLIENT_ID, MERCHANT_PUBLIC))
        .clock(clock.clone());
    let sim = Sim::start(tune(builder).build().unwrap()).await.unwrap();
    Snap { sim, clock }
}

fn with_snap(readings: SnapReadings) -> impl FnOnce(SimConfigBuilder) -> SimConfigBuilder {
    move |b| b.readings(Readings::default().snap(readings))
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// One SNAP transaction, signed unless a test changes what is sent.
#[derive(Clone)]
struct Tx {
    method: &'static str,
    path: String,
    body: Vec<u8>,
    token: String,
    timestamp: String,
    external_id: String,
    partner_id: String,
    secret: String,
    /// The minification signed (the body bytes themselves under `Whitespace` when compact).
    sign_as: MinifyReading,
    /// Replaces the computed signature.
    signature: Option<String>,
    omit: Vec<&'static str>,
}

impl Snap {
    fn jakarta_now(&self) -> String {
        format_offset(self.clock.unix_seconds(), 7 * 60)
    }

    async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> RawResponse {
        send(self.sim.addr(), method, path, headers, body)
            .await
            .unwrap()
    }

    /// A token request signed with `key` for `client_id` at `timestamp`.
    async fn token_with(
        &self,
        client_id: &str,
        key: &str,
        timestamp: &str,
        body: &str,
    ) -> RawResponse {
        let signature = PrivateKey::from_pem(key)
            .unwrap()
            .sign(client_id, timestamp)
            .unwrap();
        let headers = owned(&[
            ("Content-Type", "application/json"),
            ("X-CLIENT-KEY", client_id),
            ("X-TIMESTAMP", timestamp),
            ("X-SIGNATURE", &signature),
        ]);
        self.raw("POST", TOKEN_PATH, &headers, body.as_bytes())
            .await
    }

    async fn token(&self) -> String {
        let ts = self.jakarta_now();
        let resp = self
            .token_with(
                CLIENT_ID,
                MERCHANT_PRIVATE,
                &ts,
                r#"{"grantType":"client_credentials"}"#,
            )
            .await;
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
        resp.json()["accessToken"].as_str().unwrap().to_owned()
    }

    fn tx(&self, method: &'static str, path: &str, body: &Value, token: &str) -> Tx {
        Tx {
            method,
            path: path.to_owned(),
            body: serde_json::to_vec(body).unwrap(),
            token: token.to_owned(),
            timestamp: self.jakarta_now(),
            external_id: fastrand_id(),
            partner_id: CLIENT_ID.to_owned(),
            secret: SECRET.to_owned(),
            sign_as: MinifyReading::Whitespace,
            signature: None,
            omit: Vec::new(),
        }
    }

    async fn send(&self, tx: &Tx) -> RawResponse {
        let text = std::str::from_utf8(&tx.body).unwrap();
        let minified = doku_sign::minify_as(tx.sign_as, text).unwrap();
        let message = Message {
            method: tx.method,
            path: &tx.path,
            access_token: &tx.token,
            body: minified.as_bytes(),
            timestamp: &tx.timestamp,
        };
        let signature = tx.signature.clone().unwrap_or_else(|| {
            snap_symmetric::sign(&SecretKey::new(tx.secret.as_str()), &message).to_string()
        });
        let bearer = format!("Bearer {}", tx.token);
        let all = [
            ("Content-Type", "application/json"),
            ("Authorization", bearer.as_str()),
            ("X-PARTNER-ID", tx.partner_id.as_str()),
            ("X-EXTERNAL-ID", tx.external_id.as_str()),
            ("X-TIMESTAMP", tx.timestamp.as_str()),
            ("X-SIGNATURE", signature.as_str()),
            ("CHANNEL-ID", "H2H"),
        ];
        let headers: Vec<_> = all
            .into_iter()
            .filter(|(n, _)| !tx.omit.contains(n))
            .collect();
        self.raw(tx.method, &tx.path, &owned(&headers), &tx.body)
            .await
    }

    async fn create(&self, token: &str, body: &Value) -> RawResponse {
        self.send(&self.tx("POST", CREATE_PATH, body, token)).await
    }
}

fn fastrand_id() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 10u128.pow(20);
    format!("{n}")
}

/// DOKU's Create VA sample with another customer number.
fn va_body(customer_no: &str) -> Value {
    let mut body = sample("snap", "create-va-mgpc.request.json");
    body["customerNo"] = customer_no.into();
    body["virtualAccountNo"] = format!("   19008{customer_no}").into();
    body["expiredDate"] = "2020-08-12T15:45:42+07:00".into();
    body
}

#[track_caller]
fn assert_code(resp: &RawResponse, code: &str) {
    let body = resp.json();
    assert_eq!(
        body["responseCode"].as_str(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&resp.body)
    );
    assert_eq!(
        resp.status.to_string(),
        code[..3],
        "HTTP status = the code's first three digits"
    );
}

#[tokio::test]
async fn b2b_token_is_issued_for_a_valid_rsa_signature_and_refused_otherwise() {
    let s = start_snap(|b| b).await;
    let ts = s.jakarta_now();
    let ok = s
        .token_with(
            CLIENT_ID,
            MERCHANT_PRIVATE,
            &ts,
            r#"{"grantType":"client_credentials","additionalInfo":{}}"#,
        )
        .await;
    assert_code(&ok, "2007300");
    let body = ok.json();
    assert_eq!(body["tokenType"], "Bearer");
    assert_eq!(body["expiresIn"], "900");
    assert_same(
        "B2B token",
        &shape(&body),
        &shape(&sample("snap", "token.response.json")),
    );
    assert_eq!(s.sim.stats().snap_tokens_issued, 1);

    // Another key, another client's name, a signature over another timestamp.
    let wrong_key = s
        .token_with(
            CLIENT_ID,
            OTHER_PRIVATE,
            &ts,
            r#"{"grantType":"client_credentials"}"#,
        )
        .await;
    assert_code(&wrong_key, "4017300");
    let unknown = s
        .token_with(
            OTHER_CLIENT,
            MERCHANT_PRIVATE,
            &ts,
            r#"{"grantType":"client_credentials"}"#,
        )
        .await;
    assert_code(&unknown, "4017300");
    // Fields: missing grantType, another grant type, no X-TIMESTAMP.
    let missing = s
        .token_with(CLIENT_ID, MERCHANT_PRIVATE, &ts, r#"{}"#)
        .await;
    assert_code(&missing, "4007302");
    assert!(missing.json()["responseMessage"]
        .as_str()
        .unwrap()
        .contains("grantType"));
    let invalid = s
        .token_with(
            CLIENT_ID,
            MERCHANT_PRIVATE,
            &ts,
            r#"{"grantType":"password"}"#,
        )
        .await;
    assert_code(&invalid, "4007301");
    let headers = owned(&[("X-CLIENT-KEY", CLIENT_ID), ("X-SIGNATURE", "x")]);
    let no_ts = s.raw("POST", TOKEN_PATH, &headers, b"{}").await;
    assert_code(&no_ts, "4007302");
    assert!(no_ts.json()["responseMessage"]
        .as_str()
        .unwrap()
        .contains("X-TIMESTAMP"));
    // Outside the window.
    let stale = format_offset(s.clock.unix_seconds() - 7200, 7 * 60);
    let stale = s
        .token_with(
            CLIENT_ID,
            MERCHANT_PRIVATE,
            &stale,
            r#"{"grantType":"client_credentials"}"#,
        )
        .await;
    assert_code(&stale, "4017300");
}

#[tokio::test]
async fn create_va_answers_dokus_shape_and_refuses_duplicates() {
    let s = start_snap(|b| b).await;
    let token = s.token().await;
    let resp = s.create(&token, &va_body("00000000000000000001")).await;
    assert_code(&resp, "2002700");
    let body = resp.json();
    let data = &body["virtualAccountData"];
    assert_eq!(data["virtualAccountNo"], "   1900800000000000000000001");
    let page = data["additionalInfo"]["howToPayPage"].as_str().unwrap();
    assert!(page.starts_with(&s.sim.base_url()), "{page}");
    assert!(data["additionalInfo"]["howToPayApi"]
        .as_str()
        .unwrap()
        .starts_with(&s.sim.base_url()));
    // DOKU's sample answer leaves out the request's freeText; ours echoes it.
    let ours = shape(&body)
        .into_iter()
        .filter(|l| !l.starts_with("virtualAccountData.freeText"))
        .collect();
    assert_same(
        "Create VA",
        &ours,
        &shape(&sample("snap", "create-va-mgpc.response.json")),
    );
    let again = s.create(&token, &va_body("00000000000000000001")).await;
    assert_code(&again, "4092700");
    assert_eq!(s.sim.stats().snap_vas_created, 1);
}

#[tokio::test]
async fn create_va_refuses_each_header_and_field_with_its_code() {
    let s = start_snap(|b| b).await;
    let token = s.token().await;
    let body = va_body("00000000000000000002");
    let base = s.tx("POST", CREATE_PATH, &body, &token);

    let mut t = base.clone();
    t.token = "not-a-token".into();
    assert_code(&s.send(&t).await, "4012701");
    let mut t = base.clone();
    t.omit.push("Authorization");
    assert_code(&s.send(&t).await, "4012701");
    let mut t = base.clone();
    t.partner_id = OTHER_CLIENT.into();
    t.secret = OTHER_SECRET.into();
    assert_code(&s.send(&t).await, "4012701");
    let mut t = base.clone();
    t.secret = "wrong secret".into();
    let wrong = s.send(&t).await;
    assert_code(&wrong, "4012700");
    assert!(wrong.json()["stringToSign"]
        .as_str()
        .unwrap()
        .starts_with("POST:/virtual-accounts/"));
    let mut t = base.clone();
    t.signature = Some("ab".repeat(32));
    let hex = s.send(&t).await;
    assert_code(&hex, "4012700");
    assert!(hex.json()["responseMessage"]
        .as_str()
        .unwrap()
        .contains("hex"));
    let mut t = base.clone();
    t.external_id = "12ab".into();
    assert_code(&s.send(&t).await, "4002701");
    for header in ["X-EXTERNAL-ID", "CHANNEL-ID", "X-TIMESTAMP", "X-PARTNER-ID"] {
        let mut t = base.clone();
        t.omit.push(header);
        let resp = s.send(&t).await;
        assert_code(&resp, "4002702");
        assert!(resp.json()["responseMessage"]
            .as_str()
            .unwrap()
            .contains(header));
    }
    let mut t = base.clone();
    t.timestamp = "2020-08-11 15:45:42".into();
    assert_code(&s.send(&t).await, "4002701");
    // Fields.
    for (field, value, code) in [
        ("trxId", Value::Null, "4002702"),
        ("virtualAccountName", Value::Null, "4002702"),
        ("customerNo", json!("12x"), "4002701"),
        ("virtualAccountTrxType", json!("Z"), "4002701"),
        ("expiredDate", json!("tomorrow"), "4002701"),
    ] {
        let mut body = va_body("00000000000000000002");
        if value.is_null() {
            body.as_object_mut().unwrap().remove(field);
        } else {
            body[field] = value;
        }
        let resp = s.create(&token, &body).await;
        assert_code(&resp, code);
        assert!(
            resp.json()["responseMessage"]
                .as_str()
                .unwrap()
                .contains(field),
            "{field}"
        );
    }
    let mut body = va_body("00000000000000000002");
    body["totalAmount"]["value"] = "11500".into();
    let resp = s.create(&token, &body).await;
    assert_code(&resp, "4002701");
    assert!(resp.json()["responseMessage"]
        .as_str()
        .unwrap()
        .contains("totalAmount.value"));
    // The token expires after 900 s.
    s.clock.advance(901);
    let late = s.create(&token, &va_body("00000000000000000003")).await;
    assert_code(&late, "4012701");
}
