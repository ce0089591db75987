//! SNAP against the simulator, over raw HTTP, signed with doku-sign: the B2B token, the Virtual
//! Account calls and their refusals, each SNAP reading, and paying a Virtual Account (inquiry,
//! token and notification to a scripted merchant, retries on a compressed clock).
#![allow(clippy::unwrap_used)]

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

fn status_body(customer_no: &str) -> Value {
    json!({
        "partnerServiceId": "   19008",
        "customerNo": customer_no,
        "virtualAccountNo": format!("   19008{customer_no}"),
    })
}

#[tokio::test]
async fn update_delete_and_status_follow_the_store() {
    let s = start_snap(|b| b).await;
    let token = s.token().await;
    let no = "00000000000000000011";
    // Unknown number: each call's not-found code.
    let status = |body: &Value| s.tx("POST", STATUS_PATH, body, &token);
    assert_code(&s.send(&status(&status_body(no))).await, "4042612");
    let mut update = va_body(no);
    update["virtualAccountName"] = "Budi Santoso".into();
    assert_code(
        &s.send(&s.tx("PUT", UPDATE_PATH, &update, &token)).await,
        "4042812",
    );
    let delete = sample("snap", "delete-va.request.json");
    let mut delete_body = delete.clone();
    delete_body["customerNo"] = no.into();
    delete_body["virtualAccountNo"] = format!("   19008{no}").into();
    assert_code(
        &s.send(&s.tx("DELETE", DELETE_PATH, &delete_body, &token))
            .await,
        "4043112",
    );

    assert_code(&s.create(&token, &va_body(no)).await, "2002700");
    let updated = s.send(&s.tx("PUT", UPDATE_PATH, &update, &token)).await;
    assert_code(&updated, "2002800");
    assert_eq!(
        updated.json()["virtualAccountData"]["virtualAccountName"],
        "Budi Santoso"
    );
    let st = s.send(&status(&status_body(no))).await;
    assert_code(&st, "2002600");
    assert_same(
        "Check status",
        &shape(&st.json()),
        &shape(&sample("snap", "check-status.response.json")),
    );
    assert_eq!(
        st.json()["virtualAccountData"]["paymentFlagReason"]["english"],
        "Pending"
    );
    assert_eq!(
        st.json()["virtualAccountData"]["paidAmount"]["value"],
        "0.00"
    );
    // The zero-padded form names the same account.
    let mut zero = status_body(no);
    zero["virtualAccountNo"] = format!("00019008{no}").into();
    assert_code(&s.send(&status(&zero)).await, "2002600");
    // Another merchant does not see it.
    let deleted = s
        .send(&s.tx("DELETE", DELETE_PATH, &delete_body, &token))
        .await;
    assert_code(&deleted, "2003100");
    assert_code(&s.send(&status(&status_body(no))).await, "4042612");
    let stats = s.sim.stats();
    assert_eq!(
        (
            stats.snap_va_updates,
            stats.snap_va_deletes,
            stats.snap_status_checks
        ),
        (1, 1, 2)
    );
}

#[tokio::test]
async fn timestamp_zone_reading() {
    for (zone, offset_ok, utc_ok) in [
        (doku_sim::SnapTimestampZone::Both, true, true),
        (doku_sim::SnapTimestampZone::Offset, true, false),
        (doku_sim::SnapTimestampZone::Utc, false, true),
    ] {
        let s = start_snap(with_snap(SnapReadings::default().timestamp_zone(zone))).await;
        let utc = doku_sign::timestamp::format_utc(s.clock.unix_seconds());
        let offset = s.jakarta_now();
        for (ts, ok) in [(offset, offset_ok), (utc, utc_ok)] {
            let resp = s
                .token_with(
                    CLIENT_ID,
                    MERCHANT_PRIVATE,
                    &ts,
                    r#"{"grantType":"client_credentials"}"#,
                )
                .await;
            assert_code(&resp, if ok { "2007300" } else { "4007301" });
        }
    }
}

#[tokio::test]
async fn minification_reading_decides_what_the_signature_covers() {
    // A body with a number written 10000.00, an escaped slash and a non-ASCII name.
    let mut body = va_body("00000000000000000021");
    body["virtualAccountName"] = "José / Budi".into();
    let text = serde_json::to_string(&body)
        .unwrap()
        .replace("\"additionalInfo\":{", "\"additionalInfo\":{\"virtualAccountConfig\":{\"reusableStatus\":false,\"minAmount\":\"10000.00\"},\"note\":10000.00,")
        .replace('/', "\\/");
    for (reading, signed_as) in [
        (doku_sim::SnapMinify::Whitespace, MinifyReading::Whitespace),
        (doku_sim::SnapMinify::Php, MinifyReading::Php),
        (doku_sim::SnapMinify::Node, MinifyReading::Node),
        (doku_sim::SnapMinify::Jackson, MinifyReading::Jackson),
    ] {
        let s = start_snap(with_snap(SnapReadings::default().minify(reading))).await;
        let token = s.token().await;
        for other in [
            MinifyReading::Whitespace,
            MinifyReading::Php,
            MinifyReading::Node,
            MinifyReading::Jackson,
        ] {
            let mut tx = s.tx("POST", CREATE_PATH, &json!({}), &token);
            tx.body = text.clone().into_bytes();
            tx.sign_as = other;
            let resp = s.send(&tx).await;
            let same = doku_sign::minify_as(other, &text).unwrap()
                == doku_sign::minify_as(signed_as, &text).unwrap();
            assert_code(&resp, if same { "2002700" } else { "4012700" });
            if same {
                // Delete it again for the next attempt.
                let mut d = sample("snap", "delete-va.request.json");
                d["customerNo"] = "00000000000000000021".into();
                d["virtualAccountNo"] = "   1900800000000000000000021".into();
                assert_code(
                    &s.send(&s.tx("DELETE", DELETE_PATH, &d, &token)).await,
                    "2003100",
                );
            }
        }
    }
}

#[tokio::test]
async fn token_revocation_reading() {
    for revokes in [false, true] {
        let s = start_snap(with_snap(
            SnapReadings::default().token_revokes_previous(revokes),
        ))
        .await;
        let first = s.token().await;
        let _second = s.token().await;
        let resp = s
            .send(&s.tx("POST", STATUS_PATH, &status_body("1"), &first))
            .await;
        assert_code(&resp, if revokes { "4012601" } else { "4042612" });
    }
}

#[tokio::test]
async fn repeated_external_id_reading() {
    for (reading, second) in [
        (doku_sim::SnapExternalIdRepeat::Replay, "2002700"),
        (doku_sim::SnapExternalIdRepeat::Conflict, "4092700"),
    ] {
        let s = start_snap(with_snap(
            SnapReadings::default().external_id_repeat(reading),
        ))
        .await;
        let token = s.token().await;
        let tx = s.tx(
            "POST",
            CREATE_PATH,
            &va_body("00000000000000000031"),
            &token,
        );
        let first = s.send(&tx).await;
        assert_code(&first, "2002700");
        let again = s.send(&tx).await;
        assert_code(&again, second);
        if second == "2002700" {
            assert_eq!(again.body, first.body, "the first answer, byte for byte");
        }
        assert_eq!(s.sim.stats().snap_vas_created, 1, "processed once");
        assert_eq!(s.sim.stats().snap_replays, 1);
    }
}

#[tokio::test]
async fn path_version_reading() {
    let older = Endpoint::CreateVa.older_paths()[0];
    for (version, current_ok, older_ok) in [
        (doku_sim::SnapPathVersion::Current, true, false),
        (doku_sim::SnapPathVersion::Older, false, true),
        (doku_sim::SnapPathVersion::Both, true, true),
    ] {
        let s = start_snap(with_snap(SnapReadings::default().path_version(version))).await;
        let token = s.token().await;
        for (path, ok, no) in [(CREATE_PATH, current_ok, "41"), (older, older_ok, "42")] {
            let body = va_body(&format!("000000000000000000{no}"));
            let resp = s.send(&s.tx("POST", path, &body, &token)).await;
            if ok {
                assert_code(&resp, "2002700");
            } else {
                assert_eq!(resp.status, 404, "{version:?} {path}");
            }
        }
    }
}

#[tokio::test]
async fn doubtful_forms_are_accepted_with_a_warning_and_refused_under_strict() {
    for strict in [false, true] {
        let s = start_snap(|b| b.strict(strict)).await;
        let token = s.token().await;
        let mut body = va_body("00000000000000000051");
        body.as_object_mut().unwrap().remove("expiredDate");
        let resp = s.create(&token, &body).await;
        if strict {
            assert_code(&resp, "4002701");
            assert!(resp.json()["responseMessage"]
                .as_str()
                .unwrap()
                .contains("expiredDate"));
        } else {
            assert_code(&resp, "2002700");
            assert_eq!(s.sim.stats().warnings, 1);
        }
    }
}

#[tokio::test]
async fn faults_apply_to_snap_calls_in_snap_shape() {
    use doku_sim::{Fault, FaultKind};
    let s = start_snap(|b| b).await;
    s.sim
        .set_fault(Endpoint::SnapToken, Fault::once(FaultKind::Status(503)));
    let ts = s.jakarta_now();
    let resp = s
        .token_with(
            CLIENT_ID,
            MERCHANT_PRIVATE,
            &ts,
            r#"{"grantType":"client_credentials"}"#,
        )
        .await;
    assert_code(&resp, "5037300");
    let token = s.token().await;
    s.sim
        .set_fault(Endpoint::CreateVa, Fault::once(FaultKind::ExpireToken));
    assert_code(
        &s.create(&token, &va_body("00000000000000000061")).await,
        "4012701",
    );
    assert_eq!(s.sim.stats().faults_applied, 2);
}

#[tokio::test]
async fn doku_public_key_and_merchant_registration_over_http() {
    let s = start_snap(|b| b).await;
    let resp = s.raw("GET", doku_sim::DOKU_PUBLIC_KEY_PATH, &[], b"").await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        String::from_utf8(resp.body).unwrap(),
        s.sim.doku_public_key_pem()
    );
    let register = json!({"client_id": OTHER_CLIENT, "public_key_pem": MERCHANT_PUBLIC});
    let body = serde_json::to_vec(&register).unwrap();
    let ok = s
        .raw("POST", doku_sim::SNAP_MERCHANTS_PATH, &[], &body)
        .await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    let ts = s.jakarta_now();
    let resp = s
        .token_with(
            OTHER_CLIENT,
            MERCHANT_PRIVATE,
            &ts,
            r#"{"grantType":"client_credentials"}"#,
        )
        .await;
    assert_code(&resp, "2007300");
    let unknown = json!({"client_id": "BRN-NOBODY", "public_key_pem": MERCHANT_PUBLIC});
    let bad = s
        .raw(
            "POST",
            doku_sim::SNAP_MERCHANTS_PATH,
            &[],
            &serde_json::to_vec(&unknown).unwrap(),
        )
        .await;
    assert_eq!(bad.status, 400);
}

use doku_test_support::scripted::{Reply as Script, Scripted, Seen};

const TOKEN_ANSWER: &str = r#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"merchant-token","tokenType":"Bearer","expiresIn":900}"#;

/// A merchant: its token endpoint at `/token`, the inquiry at `/inquiry` answering `inquiry`,
/// notifications at `/notify` answered by `notify(index of the notification)`.
async fn merchant(
    inquiry: &'static str,
    notify: impl Fn(usize) -> (u16, &'static str) + Send + Sync + 'static,
) -> Scripted {
    let notifications = std::sync::atomic::AtomicUsize::new(0);
    Scripted::start(move |_, seen: &Seen| match seen.path() {
        "/token" => Script::json(200, TOKEN_ANSWER),
        "/inquiry" => Script::json(200, inquiry),
        _ => {
            let n = notifications.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (status, body) = notify(n);
            Script::json(status, body)
        }
    })
    .await
}

fn registered(m: &Scripted) -> SnapMerchant {
    let base = m.base_url();
    SnapMerchant::new(CLIENT_ID, MERCHANT_PUBLIC)
        .token_url(format!("{base}/token"))
        .notification_url(format!("{base}/notify"))
        .inquiry_url(format!("{base}/inquiry"))
}

/// Waits (at most 5 s, in 10 ms steps) until `done` holds.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..500 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{what} did not happen within 5 s");
}

const ACK_2002500: &str = r#"{"responseCode":"2002500","responseMessage":"Successful"}"#;

#[tokio::test]
async fn pay_va_gets_a_token_then_delivers_a_signed_notification_and_status_shows_paid() {
    let m = merchant("{}", |_| (200, ACK_2002500)).await;
    let reg = registered(&m);
    let s = start_snap(move |b| {
        b.snap_merchant(reg)
            .snap_direct_inquiry_channels(Vec::<String>::new())
    })
    .await;
    let token = s.token().await;
    assert_code(
        &s.create(&token, &va_body("00000000000000000071")).await,
        "2002700",
    );
    let payment = s
        .sim
        .pay_va(&doku_sim::PayVaRequest::new("1900800000000000000000071"))
        .await
        .unwrap();
    assert_eq!(payment.paid_amount, "11500.00");
    assert_eq!(payment.inquiry_response_code, None);
    eventually("delivery", || {
        s.sim.stats().snap_notifications_delivered == 1
    })
    .await;

    let seen = m.seen();
    assert_eq!(seen.len(), 2, "a token call, then the notification");
    let (token_call, notification) = (&seen[0], &seen[1]);
    assert_eq!(token_call.path(), "/token");
    assert_eq!(token_call.header("x-client-key"), Some(CLIENT_ID));
    let doku =
        doku_sign::snap_asymmetric::PublicKey::from_pem(&s.sim.doku_public_key_pem()).unwrap();
    let ts = token_call.header("x-timestamp").unwrap();
    assert!(doku
        .verify(CLIENT_ID, ts, token_call.header("x-signature").unwrap())
        .is_ok());

    assert_eq!(notification.bearer(), Some("merchant-token"));
    assert_eq!(notification.header("x-partner-id"), Some(CLIENT_ID));
    assert!(notification
        .header("x-external-id")
        .unwrap()
        .bytes()
        .all(|b| b.is_ascii_digit()));
    assert!(notification.header("channel-id").is_some());
    let message = Message {
        method: "POST",
        path: "/notify",
        access_token: "merchant-token",
        body: &notification.body,
        timestamp: notification.header("x-timestamp").unwrap(),
    };
    let signature = notification.header("x-signature").unwrap();
    assert!(snap_symmetric::verify(&SecretKey::new(SECRET), &message, signature).is_ok());
    let body: Value = serde_json::from_slice(&notification.body).unwrap();
    assert_eq!(body["paidAmount"]["value"], "11500.00");
    assert_eq!(
        body["paymentRequestId"],
        payment.payment_request_id.as_str()
    );
    assert_same(
        "Payment notification",
        &shape(&body),
        &shape(&sample("snap", "payment-notification.json")),
    );

    let st = s
        .send(&s.tx(
            "POST",
            STATUS_PATH,
            &status_body("00000000000000000071"),
            &token,
        ))
        .await;
    assert_eq!(
        st.json()["virtualAccountData"]["paymentFlagReason"]["english"],
        "Success"
    );
    assert_eq!(
        st.json()["virtualAccountData"]["paidAmount"]["value"],
        "11500.00"
    );
    // Paid: a second payment is refused.
    let again = s
        .sim
        .pay_va(&doku_sim::PayVaRequest::new("1900800000000000000000071"))
        .await;
    assert!(again.unwrap_err().to_string().contains("already paid"));
}

#[tokio::test]
async fn unacknowledged_notifications_are_retried_on_dokus_schedule_under_the_ack_reading() {
    for (ack, attempts, delivered) in [
        (doku_sim::SnapAck::Either, 1, 1),
        (doku_sim::SnapAck::Code2002500, 1, 1),
        (doku_sim::SnapAck::Code2002700, 4, 0),
    ] {
        let m = merchant("{}", |_| (200, ACK_2002500)).await;
        let reg = registered(&m);
        let s = start_snap(move |b| {
            b.snap_merchant(reg)
                .snap_direct_inquiry_channels(Vec::<String>::new())
                .time_scale(0.00001)
                .readings(Readings::default().snap(SnapReadings::default().ack(ack)))
        })
        .await;
        let token = s.token().await;
        assert_code(
            &s.create(&token, &va_body("00000000000000000081")).await,
            "2002700",
        );
        s.sim
            .pay_va(&doku_sim::PayVaRequest::new("   1900800000000000000000081"))
            .await
            .unwrap();
        eventually("the end of the schedule", || {
            let st = s.sim.stats();
            st.snap_notifications_delivered + st.snap_notifications_abandoned == 1
        })
        .await;
        let st = s.sim.stats();
        assert_eq!(
            (
                st.snap_notification_attempts,
                st.snap_notifications_delivered
            ),
            (attempts, delivered),
            "{ack:?}"
        );
        assert_eq!(st.snap_token_calls, attempts, "a token per attempt");
    }
    // A refusal then an acknowledgement: retried once.
    let m = merchant("{}", |n| {
        if n == 0 {
            (500, "{}")
        } else {
            (200, ACK_2002500)
        }
    })
    .await;
    let reg = registered(&m);
    let s = start_snap(move |b| {
        b.snap_merchant(reg)
            .snap_direct_inquiry_channels(Vec::<String>::new())
            .time_scale(0.00001)
    })
    .await;
    let token = s.token().await;
    assert_code(
        &s.create(&token, &va_body("00000000000000000082")).await,
        "2002700",
    );
    s.sim
        .pay_va(&doku_sim::PayVaRequest::new("1900800000000000000000082"))
        .await
        .unwrap();
    eventually("delivery", || {
        s.sim.stats().snap_notifications_delivered == 1
    })
    .await;
    assert_eq!(s.sim.stats().snap_notification_attempts, 2);
}

#[tokio::test]
async fn under_another_minification_the_notification_is_not_canonical_and_signs_the_readings_form()
{
    let m = merchant("{}", |_| (200, ACK_2002500)).await;
    let reg = registered(&m);
    let s = start_snap(move |b| {
        b.snap_merchant(reg)
            .snap_direct_inquiry_channels(Vec::<String>::new())
            .readings(
                Readings::default().snap(SnapReadings::default().minify(doku_sim::SnapMinify::Php)),
            )
    })
    .await;
    let token = s.token().await;
    let mut body = va_body("00000000000000000091");
    body["virtualAccountName"] = "José / Budi".into();
    let mut tx = s.tx("POST", CREATE_PATH, &body, &token);
    tx.sign_as = MinifyReading::Php;
    assert_code(&s.send(&tx).await, "2002700");
    s.sim
        .pay_va(&doku_sim::PayVaRequest::new("1900800000000000000000091"))
        .await
        .unwrap();
    eventually("delivery", || {
        s.sim.stats().snap_notifications_delivered == 1
    })
    .await;
    let n = &m.seen()[1];
    let raw = std::str::from_utf8(&n.body).unwrap();
    assert!(
        raw.contains("\\/") && raw.contains("\\u00e9") && raw.contains(" : "),
        "{raw}"
    );
    let verifies = |bytes: &[u8]| {
        let message = Message {
            method: "POST",
            path: "/notify",
            access_token: "merchant-token",
            body: bytes,
            timestamp: n.header("x-timestamp").unwrap(),
        };
        snap_symmetric::verify(
            &SecretKey::new(SECRET),
            &message,
            n.header("x-signature").unwrap(),
        )
        .is_ok()
    };
    assert!(!verifies(&n.body), "the raw bytes do not verify");
    let php = doku_sign::minify_as(MinifyReading::Php, raw).unwrap();
    assert!(verifies(php.as_bytes()), "PHP's minification does");
}

#[tokio::test]
async fn the_inquiry_decides_the_amount_or_stops_the_payment() {
    for (code, stopped) in [("4042414", true), ("4042419", true), ("4042412", true)] {
        let answer: &'static str = Box::leak(
            format!(r#"{{"responseCode":"{code}","responseMessage":"x"}}"#).into_boxed_str(),
        );
        let m = merchant(answer, |_| (200, ACK_2002500)).await;
        let reg = registered(&m);
        let s = start_snap(move |b| b.snap_merchant(reg)).await;
        let token = s.token().await;
        assert_code(
            &s.create(&token, &va_body("00000000000000000101")).await,
            "2002700",
        );
        let result = s
            .sim
            .pay_va(&doku_sim::PayVaRequest::new("1900800000000000000000101"))
            .await;
        assert_eq!(result.is_err(), stopped);
        assert!(result.unwrap_err().to_string().contains(code));
        let seen = m.seen();
        assert_eq!(
            seen.iter().map(|r| r.path().to_owned()).collect::<Vec<_>>(),
            ["/token", "/inquiry"]
        );
        let inquiry: Value = serde_json::from_slice(&seen[1].body).unwrap();
        assert_same(
            "Inquiry",
            &shape(&inquiry),
            &shape(&sample("snap", "inquiry.request.json")),
        );
        let st = s
            .send(&s.tx(
                "POST",
                STATUS_PATH,
                &status_body("00000000000000000101"),
                &token,
            ))
            .await;
        assert_eq!(
            st.json()["virtualAccountData"]["paymentFlagReason"]["english"],
            "Pending"
        );
        assert_eq!(s.sim.stats().snap_notifications, 0);
    }
    // 2002400: the merchant's amount is paid (an open amount).
    let found = r#"{"responseCode":"2002400","responseMessage":"Successful","virtualAccountData":{"totalAmount":{"value":"25000.00","currency":"IDR"}}}"#;
    let m = merchant(found, |_| (200, ACK_2002500)).await;
    let reg = registered(&m);
    let s = start_snap(move |b| b.snap_merchant(reg)).await;
    let token = s.token().await;
    let mut body = va_body("00000000000000000102");
    body["virtualAccountTrxType"] = "O".into();
    assert_code(&s.create(&token, &body).await, "2002700");
    let paid = s
        .sim
        .pay_va(&doku_sim::PayVaRequest::new("1900800000000000000000102"))
        .await
        .unwrap();
    assert_eq!(paid.inquiry_response_code.as_deref(), Some("2002400"));
    assert_eq!(paid.paid_amount, "25000.00");
    eventually("delivery", || {
        s.sim.stats().snap_notifications_delivered == 1
    })
    .await;
    // Over HTTP, an unknown number is a 409 cannot_pay.
    let req = serde_json::to_vec(&json!({"virtual_account_no": "999"})).unwrap();
    let resp = s.raw("POST", doku_sim::PAY_VA_PATH, &[], &req).await;
    assert_eq!(resp.status, 409);
    assert_eq!(resp.json()["error"]["code"], "cannot_pay");
}
