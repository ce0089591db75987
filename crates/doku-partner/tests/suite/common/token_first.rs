//! A scripted DOKU (see [`super::scripted`]) that answers Generate Token itself, signed, and
//! every other call from a script; with the client pointed at it and the readings the tests
//! make of what it saw.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};

use doku_model::Endpoint;
use doku_partner::{Client, ConfigBuilder};

use super::scripted::{Reply, Scripted, Seen};
use super::SECRET;

/// Generate Token's answer.
pub const TOKEN_ANSWER: &str = r#"{"token":"tok-1","type":"Bearer","valid_time":3600}"#;

/// Answers Generate Token with [`TOKEN_ANSWER`] (signed); every other call from `calls`, by its
/// index among them.
pub async fn token_first(
    calls: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static,
) -> Scripted {
    let count = AtomicUsize::new(0);
    Scripted::start(move |_, seen| {
        if is_token(seen) {
            return Reply::signed(200, TOKEN_ANSWER, seen, SECRET);
        }
        calls(count.fetch_add(1, Ordering::SeqCst), seen)
    })
    .await
}

/// A config pointed at `server` ([`super::config_at`]).
pub fn scripted_config(server: &Scripted) -> ConfigBuilder {
    super::config_at(server.base_url())
}

/// A client pointed at `server` ([`scripted_config`]).
pub fn scripted_client(server: &Scripted) -> Client {
    super::build(scripted_config(server))
}

/// Whether `seen` is a Generate Token request.
pub fn is_token(seen: &Seen) -> bool {
    seen.path() == Endpoint::Token.path()
}

/// The Request-Ids of the calls that were not Generate Token.
pub fn call_ids(server: &Scripted) -> Vec<String> {
    server
        .seen()
        .iter()
        .filter(|s| !is_token(s))
        .map(|s| s.header("request-id").unwrap().to_owned())
        .collect()
}

/// How many Generate Token requests `server` saw.
pub fn token_calls(server: &Scripted) -> usize {
    server.seen().iter().filter(|s| is_token(s)).count()
}

/// DOKU refusing with `status` (401 `invalid_token`, else `too_many_requests`), `Retry-After: 0`.
pub fn refused(status: u16) -> Reply {
    let code = if status == 401 {
        "invalid_token"
    } else {
        "too_many_requests"
    };
    Reply::json(
        status,
        format!(r#"{{"error":{{"code":"{code}","message":"refused"}}}}"#),
    )
    .with_header("retry-after", "0")
}
