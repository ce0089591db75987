//! `doku checkout`, `doku status` and `doku listen`, run as the built binary.
//!
//! Checkout and Check Status go to a scripted DOKU on loopback (`doku-partner`'s raw-TCP server)
//! that verifies each request's signature with the merchant's key and brand id, as DOKU would,
//! and answers DOKU's samples signed as responses. `doku listen` gets a notification signed with
//! doku-sign and a tampered copy.
#![allow(clippy::unwrap_used)]

use std::process::{Output, Stdio};
use std::time::Duration;

use doku_test_support::scripted::{signature_headers, Reply, Scripted, Seen};
use doku_test_support::{
    is_signed_by, Signing, BRAND_ID, CHECKOUT_CREATED as CREATE, CHECK_STATUS_PENDING as STATUS,
    NOTIFICATION_BCA_VA as NOTIFICATION,
};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr};

const BRAND_KEY: &str = "SK-MERCHANT-cli-test-key";

/// Whether DOKU would take `seen` as signed by the brand: its Client-Id and key, the four headers.
fn signed_by_merchant(seen: &Seen) -> bool {
    is_signed_by(
        BRAND_ID,
        BRAND_KEY,
        &seen.method,
        seen.path(),
        |name| seen.header(name),
        &seen.body,
    )
}

/// DOKU as the merchant sees it.
fn doku(seen: &Seen) -> Reply {
    if !signed_by_merchant(seen) || seen.header("authorization").is_some() {
        return Reply::json(
            401,
            r#"{"error":{"code":"invalid_signature","message":"no"}}"#,
        );
    }
    match (seen.method.as_str(), seen.path()) {
        ("POST", "/checkout/v1/payment") => Reply::signed(200, CREATE, seen, BRAND_KEY),
        ("GET", "/orders/v1/status/INV-20250724-0001") => Reply::Response {
            status: 200,
            headers: signature_headers(seen, BRAND_KEY, None),
            body: STATUS.to_vec(),
            delay: Duration::ZERO,
        },
        _ => Reply::json(404, r#"{"message":["not found"]}"#),
    }
}

fn command(base_url: &str, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_doku"));
    command
        .args(args)
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SECRET_KEY")
        .env("DOKU_MERCHANT_ID", BRAND_ID)
        .env("DOKU_MERCHANT_KEY", BRAND_KEY)
        .env("DOKU_BASE_URL", base_url)
        .kill_on_drop(true);
    command
}

async fn doku_cli(base_url: &str, args: &[&str]) -> Output {
    command(base_url, args).output().await.expect("run doku")
}

/// `doku checkout` of DOKU's sample order (20000 for `INV-20210231-0001`) with `extra` flags.
fn checkout<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "checkout",
        "--amount",
        "20000",
        "--invoice",
        "INV-20210231-0001",
    ];
    args.extend_from_slice(extra);
    args
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_prints_the_payment_url_and_invoice() {
    let server = Scripted::start(|_, seen| doku(seen)).await;
    let out = doku_cli(
        &server.base_url(),
        &checkout(&[
            "--due-minutes",
            "30",
            "--method",
            "VIRTUAL_ACCOUNT_BCA",
            "--method",
            "QRIS",
            "--override-notification-url",
            "https://shop.example/payments/notifications",
        ]),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "invoice: INV-20210231-0001\npayment_url: https://sandbox.doku.com/checkout-link-v2/2ebffd22d23e436895ce5c38f7ddcf8620244712094712362\n"
    );
    assert!(text(&out.stderr).starts_with("Request-Id: "));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("client-id"), Some(BRAND_ID));
    assert_eq!(seen[0].header("authorization"), None);
    let body: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(body["order"]["amount"], 20000);
    assert_eq!(body["payment"]["payment_due_date"], 30);
    assert_eq!(
        body["payment"]["payment_method_types"],
        serde_json::json!(["VIRTUAL_ACCOUNT_BCA", "QRIS"])
    );
    assert_eq!(
        body["additional_info"]["override_notification_url"],
        "https://shop.example/payments/notifications"
    );
    assert!(!text(&out.stdout).contains(BRAND_KEY) && !text(&out.stderr).contains(BRAND_KEY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkout_json_prints_the_answer_as_received_and_reuses_a_request_id() {
    let server = Scripted::start(|_, seen| doku(seen)).await;
    let id = "7d1b5a4e-2f3c-4d5e-8f9a-0b1c2d3e4f5a";
    let out = doku_cli(
        &server.base_url(),
        &checkout(&["--json", "--request-id", id]),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim_end(), text(CREATE).trim_end());
    assert_eq!(server.request_ids(), vec![id.to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_prints_dokus_answer() {
    let server = Scripted::start(|_, seen| doku(seen)).await;
    let out = doku_cli(&server.base_url(), &["status", "INV-20250724-0001"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim_end(), text(STATUS).trim_end());
    assert!(
        text(&out.stderr).contains("transaction status: PENDING (not final)"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_checkout_and_missing_credentials_send_nothing() {
    let server = Scripted::start(|_, seen| doku(seen)).await;
    let long = "X".repeat(65);
    let out = doku_cli(
        &server.base_url(),
        &["checkout", "--amount", "20000", "--invoice", &long],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("order.invoice_number"));

    let out = command(&server.base_url(), &["status", "INV-1"])
        .env_remove("DOKU_MERCHANT_KEY")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("DOKU_MERCHANT_KEY"));
    assert!(server.seen().is_empty(), "nothing sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_answer_exits_1_with_dokus_message() {
    // DOKU refuses the signature (as it would with the partner's key instead of the brand's).
    let server = Scripted::start(|_, seen| {
        Reply::signed(
            401,
            r#"{"error":{"code":"invalid_signature","message":"Invalid Signature"}}"#,
            seen,
            BRAND_KEY,
        )
    })
    .await;
    let out = doku_cli(&server.base_url(), &["status", "INV-20250724-0001"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("invalid_signature"),
        "{}",
        text(&out.stderr)
    );
}

/// The merchant's notification path `doku listen` serves in these tests.
const NOTIFICATION_PATH: &str = "/payments/notifications";

/// DOKU's notification to `brand` as raw HTTP/1.1: headers signed with `key` over `signed`, carrying
/// `sent` (the same bytes, unless the test tampers with them).
/// Stamped now: `doku listen` refuses a `Request-Timestamp` more than 24 h away.
fn notification_request(brand: &str, key: &str, signed: &[u8], sent: &[u8]) -> Vec<u8> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    let timestamp = doku_sign::timestamp::format_utc(i64::try_from(now).expect("seconds"));
    let mut request = Signing {
        client_id: brand,
        secret: key,
        path: NOTIFICATION_PATH,
        body: signed,
        request_id: "0f3d0d7e-6a6b-4d3b-9d5a-2e7b1c0a9f11",
        timestamp: &timestamp,
        ..Signing::default()
    }
    .sign();
    request.body = sent.to_vec();
    request.to_http1("localhost")
}

/// `doku listen` on a free port until `max` notifications, with `extra` flags; the child, the
/// `host:port` it announced, and the rest of its stderr.
async fn start_listen(
    max: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Child, String, Lines<BufReader<ChildStderr>>) {
    let mut args = vec![
        "listen",
        "--port",
        "0",
        "--path",
        NOTIFICATION_PATH,
        "--max-notifications",
        max,
    ];
    args.extend_from_slice(extra);
    let mut command = command("http://127.0.0.1:9", &args);
    command.envs(env.iter().copied());
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), stderr.next_line())
        .await
        .expect("listen starts")
        .unwrap()
        .unwrap();
    let addr = first
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    (child, addr, stderr)
}

/// Waits for `doku listen` to exit after its notifications; asserts success, returns its stdout.
async fn finish_listen(mut child: Child) -> String {
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits after its notifications")
        .unwrap();
    assert!(status.success(), "{status}");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .await
        .unwrap();
    stdout
}

/// Sends raw bytes to `addr` and returns the status code of the answer.
async fn post(addr: &str, request: &[u8]) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects");
    stream.write_all(request).await.expect("sends");
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .expect("reads the answer");
    let answer = text(&answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_verifies_prints_and_refuses_a_tampered_notification() {
    let (child, addr, mut stderr) = start_listen("1", &[], &[]).await;

    // Tampered: the amount changed after signing.
    let tampered_body = text(NOTIFICATION).replacen("150000", "150001", 1);
    assert_ne!(
        tampered_body.as_bytes(),
        NOTIFICATION,
        "the sample has 150000"
    );
    let tampered =
        notification_request(BRAND_ID, BRAND_KEY, NOTIFICATION, tampered_body.as_bytes());
    assert_eq!(post(&addr, &tampered).await, 401);
    // Signed with another key: refused too.
    let wrong_key = notification_request(BRAND_ID, "SK-wrong", NOTIFICATION, NOTIFICATION);
    assert_eq!(post(&addr, &wrong_key).await, 401);
    let good = notification_request(BRAND_ID, BRAND_KEY, NOTIFICATION, NOTIFICATION);
    assert_eq!(post(&addr, &good).await, 200);

    let stdout = finish_listen(child).await;
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let line: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(line["client_id"], BRAND_ID);
    let sample: serde_json::Value = serde_json::from_slice(NOTIFICATION).unwrap();
    assert_eq!(
        line["invoice_number"], sample["order"]["invoice_number"],
        "{line}"
    );
    assert_eq!(line["status"], sample["transaction"]["status"]);
    assert!(line["dedup_key"].as_str().unwrap().contains(BRAND_ID));
    let mut rest = String::new();
    while let Ok(Some(l)) = stderr.next_line().await {
        rest.push_str(&l);
        rest.push('\n');
    }
    assert_eq!(rest.matches("refused (401)").count(), 2, "{rest}");
}

/// Many merchants: the env merchant plus `--merchant ID=FILE` and `--merchant ID` (key from
/// `DOKU_MERCHANT_KEY_<ID>`); each notification verifies with its own brand's key only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_looks_up_each_merchants_key_by_client_id() {
    let dir = std::env::temp_dir().join(format!("doku-cli-listen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("second.key");
    std::fs::write(&key_file, "SK-second\n").unwrap();
    let second = format!("BRN-SECOND={}", key_file.display());
    let (child, addr, _stderr) = start_listen(
        "3",
        &["--merchant", &second, "--merchant", "BRN-THIRD"],
        &[("DOKU_MERCHANT_KEY_BRN_THIRD", "SK-third")],
    )
    .await;
    let as_brand =
        |brand: &str, key: &str| notification_request(brand, key, NOTIFICATION, NOTIFICATION);
    // Brand two's notification signed with brand three's key: refused.
    assert_eq!(post(&addr, &as_brand("BRN-SECOND", "SK-third")).await, 401);
    // An unknown brand: refused.
    assert_eq!(post(&addr, &as_brand("BRN-UNKNOWN", "SK-third")).await, 401);
    assert_eq!(post(&addr, &as_brand("BRN-SECOND", "SK-second")).await, 200);
    assert_eq!(post(&addr, &as_brand("BRN-THIRD", "SK-third")).await, 200);
    assert_eq!(post(&addr, &as_brand(BRAND_ID, BRAND_KEY)).await, 200);
    let stdout = finish_listen(child).await;
    let brands: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["client_id"].to_string())
        .collect();
    assert_eq!(
        brands,
        vec![
            "\"BRN-SECOND\"",
            "\"BRN-THIRD\"",
            &format!("\"{BRAND_ID}\"")
        ],
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
