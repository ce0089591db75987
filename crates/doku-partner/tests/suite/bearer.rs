//! DOKU documents the Bearer token only on Upload File; a DOKU that wants it everywhere, and one
//! that ignores it where undocumented, must both work. So the client sends it on every call
//! except Generate Token (which cannot have one).
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use common::scripted::{Reply, Scripted};
use common::token_first::{is_token, scripted_client};
use common::*;
use doku_model::{ClientId, Endpoint, FileCategory};
use doku_partner::Error;

#[tokio::test]
async fn every_call_but_generate_token_carries_the_bearer() {
    let server = Scripted::start(|_, seen| {
        if is_token(seen) {
            Reply::json(
                200,
                r#"{"token":"tok-bearer-1","type":"Bearer","valid_time":3600}"#,
            )
        } else {
            // Whatever the answer decodes to, the request has been seen.
            Reply::json(200, "{}")
        }
    })
    .await;
    let client = scripted_client(&server);
    let _ = client.send(&personal_query()).await;
    let _ = client.send(png(FileCategory::Logo)).await;
    let _ = client.send(&registration("Toko", &[])).await;
    let _ = client.send(&lite("Toko")).await;
    let _ = client
        .send(GetBusiness::new(&ClientId::new("BRN-0001-1").unwrap()))
        .await;
    // What the CLI prints goes through `redact`: the token and the secret never show.
    assert_eq!(
        client.redact(&format!("token tok-bearer-1, key {SECRET}, kept")),
        "token ***, key ***, kept"
    );
    let answer = client.send(GenerateToken::new()).await.unwrap();
    assert!(
        !format!("{answer:?}").contains("tok-bearer-1"),
        "{answer:?}"
    );
    let seen = server.seen();
    let paths_seen: Vec<&str> = seen.iter().map(|s| s.path()).collect();
    assert_eq!(seen.len(), 7, "{paths_seen:?}");
    for request in &seen {
        if is_token(request) {
            assert_eq!(request.bearer(), None, "Generate Token has no bearer");
        } else {
            assert_eq!(
                request.bearer(),
                Some("tok-bearer-1"),
                "{} {}",
                request.method,
                request.path()
            );
        }
    }
}

/// A Generate Token answer that decodes but whose token cannot go in a header (empty, or with a
/// control character) is `Error::InvalidToken`, is not cached, and no call is sent with it.
#[tokio::test]
async fn an_unusable_token_is_invalid_token_and_is_never_sent() {
    for token in ["", r"tok\u0001en"] {
        let body = format!(r#"{{"token":"{token}","type":"Bearer","valid_time":3600}}"#);
        let server = Scripted::start(move |_, _| Reply::json(200, body.clone())).await;
        let client = scripted_client(&server);
        let err = client.send(GenerateToken::new()).await.unwrap_err();
        assert!(
            matches!(&err, Error::InvalidToken { status, .. } if status.as_u16() == 200),
            "{err:?}"
        );
        assert_eq!(err.request_id(), server.seen()[0].header("request-id"));
        assert!(client.cached_token_lifetime().is_none(), "not cached");
        let err = client.send(&personal_query()).await.unwrap_err();
        assert!(matches!(err, Error::InvalidToken { .. }), "{err:?}");
        assert!(
            server
                .seen()
                .iter()
                .all(|s| s.path() == Endpoint::Token.path()),
            "only Generate Token was called"
        );
    }
}
