//! What `doku -v` shows (doku-partner at DEBUG): one line per attempt with the method, the URL,
//! the status, the Request-Id and the latency — and still no secret, token, query or body.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use common::*;
use doku_partner::{Client, Config, Environment, ResponseSignatureMode};
use doku_sign::SecretKey;

/// The filter `doku -v` installs.
const VERBOSE: &str = "doku_partner=debug";

#[tokio::test]
async fn each_attempt_is_one_debug_line_with_method_url_status_request_id_and_latency() {
    let capture = LogCapture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(VERBOSE))
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sim = sim().await;
    let url = sim.base_url();
    let client = build(config(&sim).response_signatures(ResponseSignatureMode::Require));
    let answer = client.send(GenerateToken::new()).await.unwrap();
    let token = answer.value.token.clone();
    client.send(&personal_query()).await.unwrap();
    // A wrong secret key: DOKU's refusal does not verify; the attempt is logged all the same.
    let wrong_key = "SK-wrong-key-9f8e7d";
    let wrong = Client::new(
        Config::builder(CLIENT_ID, SecretKey::new(wrong_key))
            .environment(Environment::Custom(url.clone()))
            .response_signatures(ResponseSignatureMode::Require)
            .build()
            .unwrap(),
    )
    .unwrap();
    assert!(wrong.send(GenerateToken::new()).await.is_err());
    // Nothing listening: the attempt without an answer names the URL and the cause.
    let nowhere = format!("http://127.0.0.1:{}", unused_port());
    let unreachable = build(
        config_at(nowhere.clone())
            .retry_policy(doku_partner::RetryPolicy::default().with_max_attempts(1)),
    );
    assert!(unreachable.send(GenerateToken::new()).await.is_err());

    let logs = capture.text_with_call_spans();
    let attempts: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("attempt finished"))
        .collect();
    assert_eq!(attempts.len(), 4, "{logs}");
    let token_line = attempts[0];
    for want in [
        "DEBUG",
        "method=\"POST\"",
        &format!("url={url}/adv-core-api/partner/v1.0/token"),
        "status=200",
        &format!("request_id=\"{}\"", answer.request_id),
        "latency_ms=",
        "response_signature=\"verified\"",
    ] {
        assert!(token_line.contains(want), "{want} in {token_line}");
    }
    let requirements_line = attempts[1];
    assert!(
        requirements_line.contains("method=\"GET\"")
            && requirements_line.contains(&format!("url={url}/adv-core-api/partner/v1.0/file ")),
        "the path without the query: {requirements_line}"
    );
    assert!(
        attempts[2].contains("status=401") && attempts[2].contains("response_signature=\"failed\""),
        "{}",
        attempts[2]
    );
    assert!(
        attempts[3].contains("without an answer")
            && attempts[3].contains(&format!("could not connect to {nowhere}/adv-core-api/partner/v1.0/token: connection refused")),
        "{}",
        attempts[3]
    );
    for (what, needle) in [
        ("secret", SECRET),
        ("wrong secret", wrong_key),
        ("token", token.as_str()),
        ("token payload", token.split('.').nth(1).unwrap()),
        ("query", "businessType"),
        ("signature header", "HMACSHA256="),
    ] {
        assert!(
            !logs.contains(needle),
            "the {what} appears in the logs:\n{logs}"
        );
    }
}
