//! DOKU's idempotency page: a repeat of a Request-Id gets "the same Response body with HTTP Status
//! Code 409 Conflict" — and it does not say only successes are recorded. The client must be right
//! whether DOKU records refusals or not, so against a scripted server:
//!
//! - after a 401 (token refresh) or a 429 — refusals DOKU did not process — a **generated**
//!   Request-Id is replaced by a fresh one; a **caller-supplied** one is kept;
//! - retries after a 5xx keep the Request-Id (DOKU deduplicates by it);
//! - a 409 whose body is an error (or not the expected answer) is `Error::ReplayedRefusal`, after
//!   one attempt, never success; a 409 with the expected answer is the replay of a success.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use common::scripted::Reply;
use common::token_first::{
    call_ids, refused, scripted_client as client_for, token_calls, token_first as server,
};
use common::*;
use doku_model::{FileCategory, RequestId};
use doku_partner::Error;

const CREATED: &str = r#"{"business":{"id":"BSN-0103-1700206906468","partner_ref_id":"PARTNER-TEST-MPE-JSM-171123.1","brands":[{"id":"BRN-0103-1700206906471"}]}}"#;
const UPLOADED: &str =
    r#"{"id":"CNT-0104-1676639713907","link":"https://doku.com/12345566","category":"LOGO"}"#;

/// A server refusing the first call with a 401, then answering `answer`.
async fn refuses_once_with_401(answer: &'static str) -> common::scripted::Scripted {
    server(move |i, _| {
        if i == 0 {
            refused(401)
        } else {
            Reply::json(200, answer)
        }
    })
    .await
}

/// A client on `server` creates one Business Lite under a generated Request-Id (it must
/// succeed); the Request-Ids of every attempt the server saw.
async fn lite_with_generated_id(server: &common::scripted::Scripted) -> Vec<String> {
    let client = client_for(server);
    client.send(&lite("Toko")).await.unwrap();
    call_ids(server)
}

fn caller_id() -> RequestId {
    RequestId::new("caller-chosen-1").unwrap()
}

#[tokio::test]
async fn a_generated_request_id_is_replaced_after_a_401_refresh() {
    let server = refuses_once_with_401(CREATED).await;
    let ids = lite_with_generated_id(&server).await;
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_ne!(
        ids[0], ids[1],
        "the refused request was never processed: fresh id"
    );
    assert_eq!(token_calls(&server), 2, "the token was refreshed");
}

#[tokio::test]
async fn a_caller_supplied_request_id_is_kept_after_a_401_refresh() {
    let server = refuses_once_with_401(CREATED).await;
    let client = client_for(&server);
    client
        .send(Call::new(&lite("Toko")).request_id(caller_id()))
        .await
        .unwrap();
    assert_eq!(call_ids(&server), ["caller-chosen-1", "caller-chosen-1"]);
}

#[tokio::test]
async fn a_generated_request_id_is_replaced_after_a_429_a_caller_supplied_one_kept() {
    let server = server(|i, _| {
        if i % 2 == 0 {
            refused(429)
        } else {
            Reply::json(200, CREATED)
        }
    })
    .await;
    let client = client_for(&server);
    client.send(&lite("Toko")).await.unwrap();
    client
        .send(Call::new(&lite("Toko")).request_id(caller_id()))
        .await
        .unwrap();
    let ids = call_ids(&server);
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert_ne!(ids[0], ids[1], "generated: fresh id after the 429");
    assert_eq!(
        (ids[2].as_str(), ids[3].as_str()),
        ("caller-chosen-1", "caller-chosen-1")
    );
}

#[tokio::test]
async fn an_upload_with_a_generated_request_id_gets_a_fresh_one_after_a_401() {
    let server = refuses_once_with_401(UPLOADED).await;
    let client = client_for(&server);
    client.send(png(FileCategory::Logo)).await.unwrap();
    let ids = call_ids(&server);
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn retries_after_5xx_keep_the_request_id() {
    let server = server(|i, _| match i {
        0 => Reply::json(503, r#"{"error":{"code":"busy","message":"busy"}}"#)
            .with_header("retry-after", "0"),
        1 => Reply::json(502, "<html>bad gateway</html>"),
        _ => Reply::json(200, CREATED),
    })
    .await;
    let ids = lite_with_generated_id(&server).await;
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
}

#[tokio::test]
async fn a_409_with_an_error_body_is_a_replayed_refusal_after_one_attempt() {
    for body in [
        r#"{"error":{"code":"invalid_token","message":"token expired"}}"#,
        r#"{"responseCode":"4290000","responseMessage":"Too Many Requests"}"#,
        r#"{"unexpected":"not a business"}"#,
    ] {
        let server = server(move |_, _| Reply::json(409, body)).await;
        let client = client_for(&server);
        let err = client
            .send(Call::new(&lite("Toko")).request_id(caller_id()))
            .await
            .unwrap_err();
        let Error::ReplayedRefusal {
            status,
            request_id,
            body: raw,
            ..
        } = &err
        else {
            panic!("{body}: {err:?}")
        };
        assert_eq!(status.as_u16(), 409);
        assert_eq!(request_id, "caller-chosen-1");
        assert_eq!(raw, body);
        assert_eq!(call_ids(&server).len(), 1, "{body}: not retried");
    }
    // DOKU's code and message are carried and shown.
    let server = server(|_, _| {
        Reply::json(
            409,
            r#"{"error":{"code":"invalid_token","message":"token expired"}}"#,
        )
    })
    .await;
    let err = client_for(&server).send(&lite("Toko")).await.unwrap_err();
    let Error::ReplayedRefusal { code, message, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (code.as_deref(), message.as_deref()),
        (Some("invalid_token"), Some("token expired"))
    );
    let text = err.to_string();
    assert!(
        text.contains("replayed an earlier refusal")
            && text.contains("invalid_token")
            && text.contains("token expired"),
        "{text}"
    );
}

#[tokio::test]
async fn a_409_with_the_expected_answer_is_the_replay_of_a_success() {
    let server = server(|_, _| Reply::json(409, CREATED)).await;
    let client = client_for(&server);
    let created = client
        .send(Call::new(&lite("Toko")).request_id(caller_id()))
        .await
        .unwrap()
        .value;
    assert_eq!(created.business.id, "BSN-0103-1700206906468");
    assert_eq!(call_ids(&server).len(), 1);
}

/// A generated id is replaced only when nothing under it may have been processed: after a
/// dropped connection (DOKU may have registered the business), a later 429 or 401 keeps the id,
/// so DOKU replays that outcome instead of registering twice.
#[tokio::test]
async fn a_generated_request_id_is_kept_after_a_refusal_when_an_earlier_attempt_may_have_been_processed(
) {
    for refusal in [429, 401] {
        let server = server(move |i, _| match i {
            // Read the request, answer nothing: it may have been processed.
            0 => Reply::Raw {
                bytes: Vec::new(),
                delay: Duration::ZERO,
            },
            1 => refused(refusal),
            _ => Reply::json(200, CREATED),
        })
        .await;
        let ids = lite_with_generated_id(&server).await;
        assert_eq!(ids.len(), 3, "{refusal}: {ids:?}");
        assert!(
            ids.iter().all(|id| *id == ids[0]),
            "{refusal}: the id must not change after a possibly processed attempt: {ids:?}"
        );
    }
}
