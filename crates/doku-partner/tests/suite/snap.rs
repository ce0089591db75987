//! SNAP calls on a merchant handle (feature `snap`): against a scripted DOKU (the exact
//! headers, the signatures over the exact bytes, each reading's repeat and its limits) and
//! against doku-sim's SNAP under every reading combination that matters.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::common::scripted::{Reply, Scripted, Seen};
use doku_model::snap::{
    CheckStatusVaRequest, CreateVaRequest, CustomerNo, DeleteVaRequest, PartnerServiceId,
    ResponseKind, SnapAmount, UpdateVaRequest, VaChannel, VirtualAccountData,
};
use doku_model::{ClientId, Endpoint};
use doku_partner::{
    Client, Config, Environment, Error, ExternalId, Merchant, RetryPolicy, SnapCall, SnapKeys,
    SnapRefusal, SnapTimestamp,
};
use doku_sign::clock::ManualClock;
use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::snap_symmetric::{self, Message};
use doku_sign::SecretKey;
use doku_sim::{
    Fault, FaultKind, Readings, Sim, SimConfig, SimHandle, SnapExternalIdRepeat, SnapMerchant,
    SnapMinify, SnapPathVersion, SnapReadings, SnapTimestampZone,
};
use doku_test_support::{PARTNER_CLIENT_ID as CLIENT_ID, PARTNER_SECRET as SECRET, START_UNIX};

const PRIVATE: &str = include_str!("../../../doku-sim/tests/suite/snap_keys/merchant-private.pem");
const PUBLIC: &str = include_str!("../../../doku-sim/tests/suite/snap_keys/merchant-public.pem");
const OTHER_PRIVATE: &str =
    include_str!("../../../doku-sim/tests/suite/snap_keys/other-private.pem");

const TOKEN_OK: &str = r#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"tok-1","tokenType":"Bearer","expiresIn":"900"}"#;
const CREATED: &str = r#"{"responseCode":"2002700","responseMessage":"Successful","virtualAccountData":{"partnerServiceId":"   19008","customerNo":"00000000000000000001","virtualAccountNo":"   1900800000000000000000001","trxId":"INV-1"}}"#;

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
        .with_jitter(false)
}

fn client_at(
    base: String,
    clock: ManualClock,
    tune: impl FnOnce(doku_partner::ConfigBuilder) -> doku_partner::ConfigBuilder,
) -> Client {
    let builder = Config::builder(CLIENT_ID, SecretKey::new(SECRET))
        .environment(Environment::Custom(base))
        .retry_policy(fast())
        .attempt_timeout(Duration::from_secs(5))
        .clock(clock);
    Client::new(tune(builder).build().unwrap()).unwrap()
}

fn merchant_of(client: &Client, pem: &str) -> Merchant {
    client
        .merchant(ClientId::new(CLIENT_ID).unwrap(), SecretKey::new(SECRET))
        .with_snap(SnapKeys::new(PrivateKey::from_pem(pem).unwrap()))
}

fn va(customer: &str, trx: &str) -> VirtualAccountData {
    VirtualAccountData::new(
        PartnerServiceId::from_digits("19008").unwrap(),
        CustomerNo::new(customer).unwrap(),
        "Customer Name",
        trx,
        SnapAmount::idr(11_500),
        VaChannel::Bca,
    )
}

fn create(customer: &str) -> CreateVaRequest {
    CreateVaRequest::new(va(customer, "INV-1"), "2030-07-12T10:47:11+07:00")
}

/// Whether `seen` is a token request RSA-signed by the merchant.
fn token_request_ok(seen: &Seen) -> bool {
    let public = PrivateKey::from_pem(PRIVATE).unwrap().public_key();
    let (Some(client), Some(ts), Some(sig)) = (
        seen.header("x-client-key"),
        seen.header("x-timestamp"),
        seen.header("x-signature"),
    ) else {
        return false;
    };
    client == CLIENT_ID
        && seen.body == br#"{"grantType":"client_credentials"}"#
        && public.verify(client, ts, sig).is_ok()
}

/// Whether `seen` is a SNAP transaction HMAC-signed over its exact body bytes with `token`.
fn transaction_ok(seen: &Seen, token: &str) -> bool {
    let (Some(ts), Some(sig)) = (seen.header("x-timestamp"), seen.header("x-signature")) else {
        return false;
    };
    let message = Message {
        method: &seen.method,
        path: seen.path(),
        access_token: token,
        body: &seen.body,
        timestamp: ts,
    };
    seen.bearer() == Some(token)
        && snap_symmetric::verify(&SecretKey::new(SECRET), &message, sig).is_ok()
}

/// The SNAP refusal inside `err`.
fn refusal(err: &Error) -> &SnapRefusal {
    match err {
        Error::Snap(refusal) => refusal,
        other => panic!("not a SNAP refusal: {other:?}"),
    }
}

fn is_token(seen: &Seen) -> bool {
    seen.path() == Endpoint::SnapToken.path()
}

/// The token request and the create request carry exactly SNAP's headers, in the `+07:00`
/// form; the RSA and HMAC signatures verify (the HMAC over the very bytes received, which are
/// serde's compact serialisation of the request); the answer is typed and carries the
/// `X-EXTERNAL-ID`.
#[tokio::test]
async fn headers_and_signatures_over_the_exact_bytes() {
    let server = Scripted::start(|_, seen| {
        if is_token(seen) {
            return if token_request_ok(seen) {
                Reply::json(200, TOKEN_OK)
            } else {
                Reply::json(401, r#"{"responseCode":"4017300","responseMessage":"Unauthorized. Invalid Signature"}"#)
            };
        }
        if transaction_ok(seen, "tok-1") {
            Reply::json(200, CREATED)
        } else {
            Reply::json(401, r#"{"responseCode":"4012700","responseMessage":"Unauthorized. Invalid Signature"}"#)
        }
    })
    .await;
    let client = client_at(server.base_url(), ManualClock::at(START_UNIX), |b| b);
    let merchant = merchant_of(&client, PRIVATE);
    let request = create("00000000000000000001");
    let answer = merchant.send_snap(&request).await.unwrap();
    assert_eq!(answer.value.response_code.as_str(), "2002700");
    assert_eq!((answer.attempts, answer.replay), (1, false));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    let (token, tx) = (&seen[0], &seen[1]);
    assert_eq!(
        token.header("x-timestamp"),
        Some("2020-08-11T15:45:42+07:00")
    );
    assert_eq!(token.header("content-type"), Some("application/json"));
    assert!(token.header("authorization").is_none() && token.header("x-external-id").is_none());
    assert_eq!(tx.method, "POST");
    assert_eq!(tx.path(), Endpoint::CreateVa.path());
    assert_eq!(
        tx.body,
        serde_json::to_vec(&request).unwrap(),
        "the compact bytes, once"
    );
    assert_eq!(tx.header("x-partner-id"), Some(CLIENT_ID));
    assert_eq!(tx.header("channel-id"), Some("H2H"));
    assert_eq!(tx.header("content-type"), Some("application/json"));
    assert_eq!(tx.header("x-timestamp"), Some("2020-08-11T15:45:42+07:00"));
    let id = tx.header("x-external-id").unwrap();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(answer.request_id, id);
}

/// `CHANNEL-ID` and `X-PARTNER-ID` are configurable; update is a PUT and delete a DELETE,
/// each with its body signed.
#[tokio::test]
async fn channel_partner_id_and_methods() {
    let server = Scripted::start(|_, seen| {
        if is_token(seen) {
            return Reply::json(200, TOKEN_OK);
        }
        assert!(transaction_ok(seen, "tok-1"));
        let code = match seen.method.as_str() {
            "PUT" => "2002800",
            "DELETE" => "2003100",
            _ => "2002600",
        };
        Reply::json(
            200,
            format!(r#"{{"responseCode":"{code}","responseMessage":"Successful"}}"#),
        )
    })
    .await;
    let client = client_at(server.base_url(), ManualClock::at(START_UNIX), |b| b);
    let merchant = client
        .merchant(ClientId::new(CLIENT_ID).unwrap(), SecretKey::new(SECRET))
        .with_snap(
            SnapKeys::new(PrivateKey::from_pem(PRIVATE).unwrap())
                .channel_id("VA008")
                .partner_id("PARTNER-9"),
        );
    merchant
        .send_snap(&UpdateVaRequest::from(create("00000000000000000001")))
        .await
        .unwrap();
    let delete = DeleteVaRequest::new(
        PartnerServiceId::from_digits("19008").unwrap(),
        CustomerNo::new("00000000000000000001").unwrap(),
        "INV-1",
        VaChannel::Bca,
    );
    merchant.send_snap(&delete).await.unwrap();
    let status = CheckStatusVaRequest::new(
        PartnerServiceId::from_digits("19008").unwrap(),
        CustomerNo::new("00000000000000000001").unwrap(),
    );
    merchant.send_snap(&status).await.unwrap();
    let seen = server.seen();
    let methods: Vec<&str> = seen.iter().map(|s| s.method.as_str()).collect();
    assert_eq!(
        methods,
        ["POST", "PUT", "DELETE", "POST"],
        "one token for three calls"
    );
    for tx in &seen[1..] {
        assert_eq!(tx.header("channel-id"), Some("VA008"));
        assert_eq!(tx.header("x-partner-id"), Some("PARTNER-9"));
    }
    assert_eq!(seen[0].header("x-client-key"), Some(CLIENT_ID));
}

/// Nothing is sent for an invalid request (every problem listed) or a handle without keys.
#[tokio::test]
async fn refused_before_sending() {
    let server = Scripted::start(|_, _| Reply::json(500, "{}")).await;
    let client = client_at(server.base_url(), ManualClock::at(START_UNIX), |b| b);
    let mut bad = create("00000000000000000001");
    bad.va.trx_id = Some(String::new());
    bad.va.virtual_account_name = Some("x\u{2028}".to_owned());
    let err = merchant_of(&client, PRIVATE)
        .send_snap(&bad)
        .await
        .unwrap_err();
    let Error::Validation(problems) = &err else {
        panic!("{err:?}")
    };
    assert!(problems.to_string().contains("trxId"), "{problems}");
    let plain = client.merchant(ClientId::new(CLIENT_ID).unwrap(), SecretKey::new(SECRET));
    let err = plain
        .send_snap(&create("00000000000000000001"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("with_snap")),
        "{err}"
    );
    assert!(server.seen().is_empty());
}

/// `4012701`: the refused token is dropped, one new token fetched, the call repeated once; a
/// second `4012701` is the error (exactly two token fetches, two attempts).
#[tokio::test]
async fn invalid_token_is_refetched_exactly_once() {
    let tokens = Arc::new(AtomicUsize::new(0));
    let t = tokens.clone();
    let server = Scripted::start(move |_, seen| {
        if is_token(seen) {
            let n = t.fetch_add(1, Ordering::SeqCst) + 1;
            return Reply::json(200, TOKEN_OK.replace("tok-1", &format!("tok-{n}")));
        }
        Reply::json(
            401,
            r#"{"responseCode":"4012701","responseMessage":"Invalid Token (B2B)"}"#,
        )
    })
    .await;
    let client = client_at(server.base_url(), ManualClock::at(START_UNIX), |b| b);
    let err = merchant_of(&client, PRIVATE)
        .send_snap(&create("00000000000000000001"))
        .await
        .unwrap_err();
    let r = refusal(&err);
    assert_eq!(r.kind, ResponseKind::InvalidToken);
    assert_eq!(r.attempts, 2);
    assert!(!r.may_have_been_applied);
    assert!(
        r.hint.as_deref().unwrap().contains("freshly fetched"),
        "{err}"
    );
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
    let seen = server.seen();
    let bearers: Vec<_> = seen
        .iter()
        .filter(|s| !is_token(s))
        .map(|s| s.bearer().unwrap().to_owned())
        .collect();
    assert_eq!(bearers, ["tok-1", "tok-2"]);
    // A generated X-EXTERNAL-ID is replaced after a refusal DOKU did not process.
    let ids: Vec<_> = seen
        .iter()
        .filter(|s| !is_token(s))
        .map(|s| s.header("x-external-id").unwrap().to_owned())
        .collect();
    assert_ne!(ids[0], ids[1]);
    assert!(!err.to_string().contains("tok-"), "{err}");
}

/// 20 concurrent calls on an empty cache, from two handles of one merchant: one token fetch.
#[tokio::test]
async fn concurrent_calls_share_one_token_fetch() {
    let server = Scripted::start(|_, seen| {
        if is_token(seen) {
            Reply::json(200, TOKEN_OK).after(Duration::from_millis(50))
        } else {
            Reply::json(200, CREATED)
        }
    })
    .await;
    let client = client_at(server.base_url(), ManualClock::at(START_UNIX), |b| b);
    let handles = [merchant_of(&client, PRIVATE), merchant_of(&client, PRIVATE)];
    let calls = (0..20).map(|i| {
        let m = handles[i % 2].clone();
        tokio::spawn(async move { m.send_snap(&create("00000000000000000001")).await })
    });
    for call in calls.collect::<Vec<_>>() {
        call.await.unwrap().unwrap();
    }
    assert_eq!(server.seen().iter().filter(|s| is_token(s)).count(), 1);
}

/// The token is refreshed a margin (60 s) before `expiresIn` on the injected clock, not before.
#[tokio::test]
async fn token_refreshed_before_expires_in_on_the_injected_clock() {
    let server = Scripted::start(|_, seen| {
        if is_token(seen) {
            Reply::json(200, TOKEN_OK.replace(r#""900""#, "900"))
        } else {
            Reply::json(200, CREATED)
        }
    })
    .await;
    let clock = ManualClock::at(START_UNIX);
    let client = client_at(server.base_url(), clock.clone(), |b| b);
    let merchant = merchant_of(&client, PRIVATE);
    merchant
        .send_snap(&create("00000000000000000001"))
        .await
        .unwrap();
    let lifetime = merchant.cached_snap_token_lifetime().unwrap();
    assert_eq!(
        (lifetime.refresh_at, lifetime.expires_at),
        (START_UNIX + 840, START_UNIX + 900)
    );
    clock.advance(839);
    merchant
        .send_snap(&create("00000000000000000001"))
        .await
        .unwrap();
    assert_eq!(server.seen().iter().filter(|s| is_token(s)).count(), 1);
    clock.advance(1);
    merchant
        .send_snap(&create("00000000000000000001"))
        .await
        .unwrap();
    assert_eq!(server.seen().iter().filter(|s| is_token(s)).count(), 2);
}

/// `4017300` on the token names the likely cause; no key or token in the message.
#[tokio::test]
async fn a_refused_token_signature_names_the_key() {
    let server = Scripted::start(|_, _| {
        Reply::json(
            401,
            r#"{"responseCode":"4017300","responseMessage":"Unauthorized. Invalid Signature"}"#,
        )
    })
    .await;
    let client = client_at(server.base_url(), ManualClock::at(START_UNIX), |b| b);
    let err = merchant_of(&client, OTHER_PRIVATE)
        .send_snap(&create("00000000000000000001"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("is this the private key whose public half was uploaded for client BRN-0001-10791114622547?"),
        "{text}"
    );
    assert!(
        refusal(&err).endpoint == Endpoint::SnapToken
            && refusal(&err).kind == ResponseKind::UnauthorizedSignature
    );
    assert!(!text.contains("PRIVATE KEY") && !format!("{err:?}").contains(SECRET));
}

/// A route-level 404 (no `responseCode`) at the current path: the older paths are tried once
/// each, and the one that answers is remembered for the next call. A 404 WITH a SNAP code is
/// DOKU's real answer.
#[tokio::test]
async fn older_path_after_a_route_level_404_is_remembered() {
    let older = Endpoint::CreateVa.older_paths()[1];
    let server = Scripted::start(move |_, seen| match seen.path() {
        p if p == Endpoint::SnapToken.path() => Reply::json(200, TOKEN_OK),
        p if p == older && transaction_ok(seen, "tok-1") => Reply::json(200, CREATED),
        p if p == Endpoint::VaStatus.path() => Reply::json(404, r#"{"responseCode":"4042612","responseMessage":"Invalid Bill/Virtual Account [Not Found]"}"#),
        _ => Reply::Response { status: 404, headers: vec![], body: b"<html>no route</html>".to_vec(), delay: Duration::ZERO },
    })
    .await;
    let client = client_at(server.base_url(), ManualClock::at(START_UNIX), |b| b);
    let merchant = merchant_of(&client, PRIVATE);
    let answer = merchant
        .send_snap(&create("00000000000000000001"))
        .await
        .unwrap();
    assert_eq!(answer.attempts, 3);
    merchant
        .send_snap(&create("00000000000000000002"))
        .await
        .unwrap();
    let status = CheckStatusVaRequest::new(
        PartnerServiceId::from_digits("19008").unwrap(),
        CustomerNo::new("00000000000000000009").unwrap(),
    );
    let err = merchant.send_snap(&status).await.unwrap_err();
    assert!(
        refusal(&err).kind == ResponseKind::BillNotFound && refusal(&err).attempts == 1,
        "{err:?}"
    );
    let paths: Vec<String> = server
        .seen()
        .iter()
        .filter(|s| !is_token(s))
        .map(|s| s.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            Endpoint::CreateVa.path(),
            Endpoint::CreateVa.older_paths()[0],
            older,
            older,
            Endpoint::VaStatus.path()
        ]
    );
}

/// `+07:00` refused as an invalid field format naming the timestamp: the call is repeated
/// once with `Z` and `Z` is sent from then on; with an explicit form there is no repeat.
#[tokio::test]
async fn utc_timestamp_after_the_offset_form_is_refused() {
    let script = |_: usize, seen: &Seen| {
        if seen
            .header("x-timestamp")
            .is_some_and(|t| !t.ends_with('Z'))
        {
            return Reply::json(
                400,
                r#"{"responseCode":"4007301","responseMessage":"Invalid Field Format {X-TIMESTAMP}"}"#,
            );
        }
        if is_token(seen) {
            Reply::json(200, TOKEN_OK)
        } else {
            Reply::json(200, CREATED)
        }
    };
    let server = Scripted::start(script).await;
    let client = client_at(server.base_url(), ManualClock::at(START_UNIX), |b| b);
    let merchant = merchant_of(&client, PRIVATE);
    merchant
        .send_snap(&create("00000000000000000001"))
        .await
        .unwrap();
    merchant
        .send_snap(&create("00000000000000000002"))
        .await
        .unwrap();
    let stamps: Vec<String> = server
        .seen()
        .iter()
        .map(|s| s.header("x-timestamp").unwrap().to_owned())
        .collect();
    assert_eq!(
        stamps,
        [
            "2020-08-11T15:45:42+07:00",
            "2020-08-11T08:45:42Z",
            "2020-08-11T08:45:42Z",
            "2020-08-11T08:45:42Z"
        ]
    );

    let server = Scripted::start(script).await;
    let explicit = client_at(server.base_url(), ManualClock::at(START_UNIX), |b| {
        b.snap_timestamp(SnapTimestamp::Jakarta)
    });
    let err = merchant_of(&explicit, PRIVATE)
        .send_snap(&create("00000000000000000001"))
        .await
        .unwrap_err();
    assert!(
        refusal(&err).kind == ResponseKind::InvalidFieldFormat,
        "{err:?}"
    );
    assert!(err.to_string().contains("snap_timestamp"), "{err}");
    assert_eq!(server.seen().len(), 1);
}

/// The answer to an attempt is lost after DOKU applied it; the retry carries the same
/// X-EXTERNAL-ID. If DOKU answers `4092700`, the call succeeded (replay), decoded from DOKU's
/// body; a `4092700` to a first attempt is a conflict error.
#[tokio::test]
async fn a_conflict_after_a_lost_answer_is_a_replay_and_before_it_an_error() {
    let server = Scripted::start(|i, seen| {
        if is_token(seen) {
            return Reply::json(200, TOKEN_OK);
        }
        match i {
            1 => Reply::Raw {
                bytes: Vec::new(),
                delay: Duration::ZERO,
            },
            _ => Reply::json(
                409,
                r#"{"responseCode":"4092700","responseMessage":"Conflict"}"#,
            ),
        }
    })
    .await;
    let client = client_at(server.base_url(), ManualClock::at(START_UNIX), |b| b);
    let merchant = merchant_of(&client, PRIVATE);
    let answer = merchant
        .send_snap(&create("00000000000000000001"))
        .await
        .unwrap();
    assert!(answer.replay);
    assert_eq!(answer.attempts, 2);
    assert_eq!(answer.value.response_code.as_str(), "4092700");
    let ids: Vec<_> = server
        .seen()
        .iter()
        .filter(|s| !is_token(s))
        .map(|s| s.header("x-external-id").unwrap().to_owned())
        .collect();
    assert_eq!(ids[0], ids[1], "the same X-EXTERNAL-ID on the retry");

    let id = ExternalId::new("1234567890").unwrap();
    let err = merchant
        .send_snap(SnapCall::new(&create("00000000000000000001")).external_id(id))
        .await
        .unwrap_err();
    let r = refusal(&err);
    assert_eq!(
        (
            r.kind,
            r.external_id.as_deref(),
            r.may_have_been_applied,
            r.attempts
        ),
        (ResponseKind::Conflict, Some("1234567890"), false, 1)
    );
    assert!(err.to_string().contains("new X-EXTERNAL-ID"), "{err}");
}

// ---- against doku-sim -------------------------------------------------------------------

async fn sim_with(snap: SnapReadings, clock: ManualClock) -> SimHandle {
    let config = SimConfig::builder()
        .credential(CLIENT_ID, SecretKey::new(SECRET))
        .snap_merchant(SnapMerchant::new(CLIENT_ID, PUBLIC))
        .clock(clock)
        .readings(Readings::default().snap(snap))
        .build()
        .unwrap();
    Sim::start(config).await.unwrap()
}

/// The whole VA flow: token, create, update, status, delete, status of the deleted one.
async fn va_flow(merchant: &Merchant, customer: &str) {
    let request = create(customer);
    let created = merchant.send_snap(&request).await.unwrap();
    assert_eq!(created.value.response_code.as_str(), "2002700");
    let mut update = UpdateVaRequest::from(request);
    update.va.total_amount = Some(SnapAmount::idr(12_000));
    let updated = merchant.send_snap(&update).await.unwrap();
    assert_eq!(updated.value.response_code.as_str(), "2002800");
    let status = CheckStatusVaRequest::new(
        PartnerServiceId::from_digits("19008").unwrap(),
        CustomerNo::new(customer).unwrap(),
    );
    let checked = merchant.send_snap(&status).await.unwrap();
    assert_eq!(checked.value.response_code.as_str(), "2002600");
    let delete = DeleteVaRequest::new(
        PartnerServiceId::from_digits("19008").unwrap(),
        CustomerNo::new(customer).unwrap(),
        "INV-1",
        VaChannel::Bca,
    );
    let deleted = merchant.send_snap(&delete).await.unwrap();
    assert_eq!(deleted.value.response_code.as_str(), "2003100");
}

/// The flow under every combination of timestamp zone × repeated-X-EXTERNAL-ID reading ×
/// token revocation × path version (each combination also under one of the four
/// minifications, in turn), then under each minification alone, with two clients of one
/// merchant (two processes) taking turns, so a revoking DOKU refuses each one's older token.
#[tokio::test]
async fn the_va_flow_under_every_snap_reading() {
    let zones = [
        SnapTimestampZone::Offset,
        SnapTimestampZone::Utc,
        SnapTimestampZone::Both,
    ];
    let repeats = [SnapExternalIdRepeat::Replay, SnapExternalIdRepeat::Conflict];
    let paths = [
        SnapPathVersion::Current,
        SnapPathVersion::Older,
        SnapPathVersion::Both,
    ];
    let minifies = [
        SnapMinify::Whitespace,
        SnapMinify::Php,
        SnapMinify::Node,
        SnapMinify::Jackson,
    ];
    let mut combinations = Vec::new();
    for zone in zones {
        for repeat in repeats {
            for revokes in [false, true] {
                for path in paths {
                    let minify = minifies[combinations.len() % minifies.len()];
                    combinations.push(
                        SnapReadings::default()
                            .timestamp_zone(zone)
                            .external_id_repeat(repeat)
                            .token_revokes_previous(revokes)
                            .path_version(path)
                            .minify(minify),
                    );
                }
            }
        }
    }
    combinations.extend(minifies.map(|m| SnapReadings::default().minify(m)));
    assert_eq!(combinations.len(), 40);
    for readings in combinations {
        let clock = ManualClock::at(START_UNIX);
        let sim = sim_with(readings, clock.clone()).await;
        let a = client_at(sim.base_url(), clock.clone(), |b| b);
        let b = client_at(sim.base_url(), clock.clone(), |b| b);
        let (ma, mb) = (merchant_of(&a, PRIVATE), merchant_of(&b, PRIVATE));
        va_flow(&ma, "00000000000000000001").await;
        va_flow(&mb, "00000000000000000002").await;
        va_flow(&ma, "00000000000000000003").await;
        if readings.token_revokes_previous {
            assert!(sim.stats().snap_tokens_issued >= 3, "{readings:?}");
        }
    }
}

/// DOKU applies a create and the answer is lost: the retry (same X-EXTERNAL-ID) succeeds
/// under both readings of a repeat — DOKU's first answer replayed, or a conflict that the
/// client knows is its own earlier attempt — and exactly one VA exists.
#[tokio::test]
async fn a_retry_after_a_dropped_answer_under_both_repeat_readings() {
    for repeat in [SnapExternalIdRepeat::Replay, SnapExternalIdRepeat::Conflict] {
        let clock = ManualClock::at(START_UNIX);
        let sim = sim_with(
            SnapReadings::default().external_id_repeat(repeat),
            clock.clone(),
        )
        .await;
        sim.set_fault(Endpoint::CreateVa, Fault::once(FaultKind::ProcessThenDrop));
        let client = client_at(sim.base_url(), clock, |b| b);
        let answer = merchant_of(&client, PRIVATE)
            .send_snap(&create("00000000000000000001"))
            .await
            .unwrap();
        assert_eq!(answer.attempts, 2, "{repeat:?}");
        assert_eq!(
            answer.replay,
            repeat == SnapExternalIdRepeat::Conflict,
            "{repeat:?}"
        );
        let stats = sim.stats();
        assert_eq!(
            (stats.snap_vas_created, stats.snap_replays),
            (1, 1),
            "{repeat:?}"
        );
    }
}

/// The simulator's token expiry on the shared clock: after `expiresIn` minus the margin the
/// client fetches a new token before DOKU would refuse the old one.
#[tokio::test]
async fn token_refresh_against_the_simulator_clock() {
    let clock = ManualClock::at(START_UNIX);
    let sim = sim_with(SnapReadings::default(), clock.clone()).await;
    let client = client_at(sim.base_url(), clock.clone(), |b| b);
    let merchant = merchant_of(&client, PRIVATE);
    va_flow(&merchant, "00000000000000000001").await;
    assert_eq!(sim.stats().snap_tokens_issued, 1);
    clock.advance(880);
    va_flow(&merchant, "00000000000000000002").await;
    assert_eq!(sim.stats().snap_tokens_issued, 2);
}

/// `Merchant::snap_token` fetches once, then answers from the cache with the token's lifetime;
/// a key DOKU does not know is refused with the cause named.
#[tokio::test]
async fn snap_token_fetches_once_and_reports_the_lifetime() {
    let clock = ManualClock::at(START_UNIX);
    let sim = sim_with(SnapReadings::default(), clock.clone()).await;
    let client = client_at(sim.base_url(), clock.clone(), |b| b);
    let merchant = merchant_of(&client, PRIVATE);
    let lifetime = merchant.snap_token(None).await.unwrap();
    assert_eq!(lifetime.expires_at, START_UNIX + 900);
    assert!(lifetime.refresh_at < lifetime.expires_at);
    assert_eq!(merchant.snap_token(None).await.unwrap(), lifetime);
    assert_eq!(sim.stats().snap_tokens_issued, 1);
    // The cached token is the one the next transaction uses: no second fetch.
    va_flow(&merchant, "00000000000000000001").await;
    assert_eq!(sim.stats().snap_tokens_issued, 1);
    let err = merchant_of(&client_at(sim.base_url(), clock, |b| b), OTHER_PRIVATE)
        .snap_token(None)
        .await
        .unwrap_err();
    assert_eq!(refusal(&err).kind, ResponseKind::UnauthorizedSignature);
    assert!(err.to_string().contains("public half"), "{err}");
}

/// An early token expiry (DOKU revoking it) is survived by the one refetch.
#[tokio::test]
async fn an_expired_token_is_refetched_against_the_simulator() {
    let clock = ManualClock::at(START_UNIX);
    let sim = sim_with(SnapReadings::default(), clock.clone()).await;
    let client = client_at(sim.base_url(), clock, |b| b);
    let merchant = merchant_of(&client, PRIVATE);
    va_flow(&merchant, "00000000000000000001").await;
    sim.set_fault(Endpoint::CreateVa, Fault::once(FaultKind::ExpireToken));
    let answer = merchant
        .send_snap(&create("00000000000000000002"))
        .await
        .unwrap();
    assert_eq!(answer.attempts, 2);
    assert_eq!(sim.stats().snap_tokens_issued, 2);
}

#[test]
fn public_key_of_the_test_pair_matches() {
    let public = PublicKey::from_pem(PUBLIC).unwrap();
    let signature = PrivateKey::from_pem(PRIVATE)
        .unwrap()
        .sign("a", "b")
        .unwrap();
    assert!(public.verify("a", "b", &signature).is_ok());
}
