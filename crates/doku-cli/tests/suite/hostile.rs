//! The `doku` binary against a misbehaving server: whatever the server does, the CLI
//! finishes within its stated deadline, prints the cause (`caused by: …`), escapes hostile text
//! and never prints the bearer token or the secret.
//!
//! The server is doku-test-support's `scripted` (raw TCP, loopback only); each case runs the real
//! binary with `DOKU_BASE_URL=http://127.0.0.1:PORT` and a short `DOKU_DEADLINE`. An attack
//! suite: `#[ignore]`d in the default run, run by its own CI step; by hand:
//! `cargo test -p doku-cli --test suite hostile -- --ignored --nocapture`.
#![allow(clippy::unwrap_used, clippy::panic)]

/// `doku listen` against hostile peers (the receiving side).
mod listen;

use std::process::Output;
use std::time::{Duration, Instant};

use doku_model::Endpoint;
use doku_test_support::scripted::{Reply, Scripted, Seen};
use doku_test_support::{PARTNER_CLIENT_ID, PARTNER_SECRET};

const TOKEN: &str = "tok-reflected-7f3a9c";
/// The deadline every case runs under (`DOKU_DEADLINE`).
const DEADLINE: Duration = Duration::from_secs(3);
/// Process start-up and scheduling slack on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(1500);

/// What one run of the CLI produced.
struct Run {
    output: Output,
    elapsed: Duration,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    fn all_bytes(&self) -> Vec<u8> {
        [&self.output.stdout[..], &self.output.stderr[..]].concat()
    }

    /// The bounds every case holds: within the deadline, a failure exit, the cause printed,
    /// nothing raw from the network, no credential.
    fn assert_held(&self, case: &str) {
        let stderr = self.stderr();
        println!("--- {case} ({:?})\n{stderr}", self.elapsed);
        assert!(
            self.elapsed <= DEADLINE + SLACK,
            "{case}: took {:?}",
            self.elapsed
        );
        assert_eq!(self.output.status.code(), Some(1), "{case}: {stderr}");
        assert!(stderr.starts_with("error: "), "{case}: {stderr}");
        let bytes = self.all_bytes();
        for forbidden in [0x1b_u8, b'\r', 0x07, 0x7f] {
            assert!(
                !bytes.contains(&forbidden),
                "{case}: raw control byte {forbidden:#x} printed"
            );
        }
        let all = String::from_utf8_lossy(&bytes);
        assert!(!all.contains(TOKEN), "{case}: the bearer token was printed");
        assert!(
            !all.contains(PARTNER_SECRET),
            "{case}: the secret was printed"
        );
    }

    /// Asserts that stderr contains every one of `needles`.
    fn assert_stderr_has(&self, needles: &[&str]) {
        let stderr = self.stderr();
        for needle in needles {
            assert!(stderr.contains(needle), "no {needle:?} in: {stderr}");
        }
    }
}

/// The command most cases run: Get Business Data for one brand.
const GET_BUSINESS: &[&str] = &["business", "BRN-0001-1"];

/// Runs `doku args` against `base_url` and asserts the bounds every case holds (see
/// [`Run::assert_held`]).
async fn held(base_url: &str, args: &[&str], case: &str) -> Run {
    let run = doku(base_url, args).await;
    run.assert_held(case);
    run
}

/// An answer signed as DOKU signs responses, with the partner's key.
fn signed(status: u16, body: impl Into<Vec<u8>>, seen: &Seen) -> Reply {
    Reply::signed(status, body, seen, PARTNER_SECRET)
}

async fn doku(base_url: &str, args: &[&str]) -> Run {
    let started = Instant::now();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_doku"))
        .args(args)
        .env("DOKU_CLIENT_ID", PARTNER_CLIENT_ID)
        .env("DOKU_SECRET_KEY", PARTNER_SECRET)
        .env("DOKU_BASE_URL", base_url)
        .env("DOKU_DEADLINE", DEADLINE.as_secs_f64().to_string())
        .env_remove("RUST_LOG")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    Run {
        output,
        elapsed: started.elapsed(),
    }
}

fn token_answer(seen: &Seen) -> Reply {
    signed(
        200,
        format!(r#"{{"token":"{TOKEN}","type":"Bearer","valid_time":3600}}"#),
        seen,
    )
}

/// A server answering Generate Token properly and everything else with `calls(index, seen)`.
async fn server(calls: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Scripted {
    let count = std::sync::atomic::AtomicUsize::new(0);
    Scripted::start(move |_, seen| {
        if seen.path() == Endpoint::Token.path() {
            return token_answer(seen);
        }
        calls(
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
            seen,
        )
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn a_server_that_never_answers_is_cut_at_the_deadline() {
    let server = Scripted::start(|_, _| Reply::Silent).await;
    let run = held(&server.base_url(), GET_BUSINESS, "silent server").await;
    assert!(run.elapsed >= DEADLINE, "{:?}", run.elapsed);
    run.assert_stderr_has(&["deadline"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn slow_503_then_slow_401_ends_at_the_deadline_with_the_last_answer_as_cause() {
    // Two slow 503s, a 401 (token refresh), then a repeat that would take 60 s: cut at 3 s.
    let slowly =
        |i, seen: &Seen| Reply::slow_503s_then_401(i, seen, PARTNER_SECRET, [500, 300, 60_000]);
    let server = server(slowly).await;
    let run = held(&server.base_url(), GET_BUSINESS, "503 then 401, slowly").await;
    assert!(run.elapsed >= DEADLINE, "{:?}", run.elapsed);
    run.assert_stderr_has(&[
        "deadline",
        "caused by: DOKU answered HTTP 401 Unauthorized, code slow_401",
    ]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn unsigned_429_and_503_with_retry_after_30_are_signature_errors_at_once() {
    for status in [429, 503] {
        let server = server(move |_, _| {
            Reply::json(status, r#"{"error":{"code":"busy","message":"come back"}}"#)
                .with_header("retry-after", "30")
        })
        .await;
        let case = format!("unsigned {status} + Retry-After: 30");
        let run = held(&server.base_url(), GET_BUSINESS, &case).await;
        assert!(run.elapsed < Duration::from_secs(2) + SLACK / 2);
        run.assert_stderr_has(&["no Signature header"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn a_1_gib_body_is_refused_at_the_cap_and_never_allocated() {
    // Announced: refused on the header. Unannounced (read to EOF): refused at the cap.
    for head in [
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1073741824\r\n\r\n",
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n",
    ] {
        let server = Scripted::start(move |_, _| Reply::Endless {
            head: head.as_bytes().to_vec(),
        })
        .await;
        let run = held(&server.base_url(), &["token"], "1 GiB body").await;
        run.assert_stderr_has(&["caused by: response body exceeds the"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn a_garbage_status_line_and_huge_headers_print_their_cause() {
    let garbage = Scripted::start(|_, _| Reply::Raw {
        bytes: b"HTTP/1.1 OK-ish \x1b[31mgarbage\r\n\r\n".to_vec(),
        delay: Duration::ZERO,
    })
    .await;
    let run = held(&garbage.base_url(), &["token"], "garbage status line").await;
    run.assert_stderr_has(&["caused by: "]);

    let huge = Scripted::start(|_, _| {
        let mut bytes = b"HTTP/1.1 200 OK\r\nx-huge: ".to_vec();
        bytes.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
        bytes.extend_from_slice(b"\r\ncontent-length: 2\r\n\r\n{}");
        Reply::Raw {
            bytes,
            delay: Duration::ZERO,
        }
    })
    .await;
    let run = held(&huge.base_url(), &["token"], "huge headers").await;
    run.assert_stderr_has(&["caused by: "]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn escape_sequences_and_carriage_returns_from_the_server_are_escaped() {
    let server = server(|_, seen| {
        signed(
            400,
            r#"{"error":{"code":"\u001b[31mEVIL\r","message":"ok\u001b]0;pwned\u0007\r\u009b2Jfake line\u202e"}}"#,
            seen,
        )
    })
    .await;
    let case = "escapes in error.code / error.message";
    let run = held(&server.base_url(), GET_BUSINESS, case).await;
    run.assert_stderr_has(&["\\u{1b}[31mEVIL\\r", "\\u{9b}2Jfake line\\u{202e}"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn a_server_reflecting_the_token_and_the_secret_gets_them_redacted() {
    let server = server(|_, seen| {
        let token = seen.bearer().unwrap_or("none").to_owned();
        let body = format!(
            r#"{{"error":{{"code":"invalid_token {token}","message":"token {token} and key {PARTNER_SECRET} refused"}},"echo":"{token}"}}"#
        );
        signed(400, body, seen)
    })
    .await;
    let run = held(
        &server.base_url(),
        GET_BUSINESS,
        "reflected token and secret",
    )
    .await;
    run.assert_stderr_has(&["token *** and key *** refused"]);
    // The server did get the token: the redaction is what kept it off the terminal.
    assert!(server.seen().iter().any(|s| s.bearer() == Some(TOKEN)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn plain_http_to_a_remote_host_prints_the_refusal_as_the_cause() {
    // Refused before any network: nothing is sent to example.com.
    let run = doku("http://example.com", &["token"]).await;
    assert_eq!(run.output.status.code(), Some(2), "{}", run.stderr());
    run.assert_stderr_has(&[
        "error: refusing plain http:// to http://example.com: it is not this machine",
        "use the server's https:// URL, or forward a local port to it",
    ]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn a_name_that_does_not_resolve_prints_the_cause() {
    // `.invalid` never resolves (RFC 6761); the resolver answers locally or the deadline cuts it.
    let run = held("https://doku-rs-test.invalid", &["token"], "DNS failure").await;
    let stderr = run.stderr();
    assert!(
        stderr.contains("caused by: ") || stderr.contains("deadline"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn uploading_a_fifo_or_a_device_is_refused_at_once() {
    let server = server(|_, _| Reply::json(500, "{}")).await;
    let dir = std::env::temp_dir().join(format!("doku-cli-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let zero = dir.join("zero.png");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let mut files = vec![zero];
    let fifo = dir.join("pipe.png");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        files.push(fifo);
    }
    for file in files {
        let args = ["upload", file.to_str().unwrap(), "--category", "LOGO"];
        let run = held(
            &server.base_url(),
            &args,
            &format!("upload {}", file.display()),
        )
        .await;
        assert!(run.elapsed < Duration::from_secs(2), "{:?}", run.elapsed);
        run.assert_stderr_has(&["not a regular file"]);
    }
    assert!(server.seen().is_empty(), "nothing was sent");
}

/// DOKU's published Create Business Lite answer (`brands` inside `business`).
const LITE_SAMPLE: &str = r#"{"business":{"id":"BSN-0103-1700206906468","partner_ref_id":"PARTNER-TEST-MPE-JSM-171123.1","brands":[{"id":"BRN-0103-1700206906471"}]}}"#;

fn lite_json() -> String {
    let path =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/business-lite.json");
    path.to_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn register_lite_prints_dokus_json_as_received_nothing_lost_or_invented() {
    let server = server(|_, seen| signed(200, LITE_SAMPLE, seen)).await;
    let run = doku(
        &server.base_url(),
        &["register-lite", "--json", &lite_json()],
    )
    .await;
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.stdout().trim_end(), LITE_SAMPLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "attack suite: .ci/run runs it as its own step (cargo test --tests -- --ignored)"]
async fn a_created_business_answer_that_does_not_decode_is_printed_not_lost() {
    // A 2xx whose body is not the expected shape: DOKU may have created the business.
    const ODD: &str = r#"{"business":"BSN-0103-1700206906468","brand":"BRN-0103-1700206906471"}"#;
    let server = server(|_, seen| signed(201, ODD, seen)).await;
    let run = doku(
        &server.base_url(),
        &["register-lite", "--json", &lite_json()],
    )
    .await;
    run.assert_held("undecodable created-business answer");
    assert_eq!(run.stdout().trim_end(), ODD, "DOKU's answer on stdout");
    let request_id = server.request_ids().pop().unwrap();
    assert!(run.stderr().contains(&request_id), "{}", run.stderr());
}
