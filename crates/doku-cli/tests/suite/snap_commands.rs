//! The SNAP commands as a user runs them, against a simulator listening in this process:
//! `doku va create` then `doku va status`, `doku sim pay-va`, and `doku listen` taking the
//! simulator's SNAP notification (after serving its token request) and refusing forged ones.
//!
//! The merchant's key pair is the demo's shipped TEST-ONLY pair; DOKU's is a test key of this
//! suite, given to the simulator, so the tests can also sign a token request as DOKU.

use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::time::Duration;

use doku_sign::snap_asymmetric::PrivateKey;
use doku_sim::{PayVaRequest, Sim, SimConfig, SimHandle, SnapMerchant};
use tokio::io::{AsyncBufReadExt, BufReader};

const MERCHANT: &str = "BRN-SNAP-CLI-1";
const MERCHANT_SECRET: &str = "SK-snap-cli-secret";
const MERCHANT_PUBLIC: &str = include_str!("../../samples/snap-demo-merchant-public.TEST-ONLY.pem");
const DOKU_PRIVATE: &str = include_str!("snap_keys/doku-private.TEST-ONLY.pem");
const TOKEN_PATH: &str = "/authorization/v1/access-token/b2b";
const NOTIFY_PATH: &str = "/v1/transfer-va/payment";

fn merchant_private_key_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("samples/snap-demo-merchant-private.TEST-ONLY.pem")
}

/// A simulator knowing the merchant (its secret and SNAP public key), with DOKU's test key.
async fn sim() -> SimHandle {
    let config = SimConfig::builder()
        .credential(MERCHANT, doku_sign::SecretKey::new(MERCHANT_SECRET))
        .snap_merchant(SnapMerchant::new(MERCHANT, MERCHANT_PUBLIC))
        .snap_doku_private_key_pem(DOKU_PRIVATE)
        .time_scale(0.0001)
        .build()
        .expect("config");
    Sim::start(config).await.expect("sim")
}

/// `doku ARGS` with the merchant's SNAP credentials in the environment.
fn doku(base_url: &str, args: &[&str]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_doku"));
    command
        .args(args)
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SECRET_KEY")
        .env_remove("DOKU_SNAP_DOKU_PUBLIC_KEY_FILE")
        .env_remove("DOKU_SNAP_PRIVATE_KEY_PASSPHRASE")
        .env("DOKU_MERCHANT_ID", MERCHANT)
        .env("DOKU_MERCHANT_KEY", MERCHANT_SECRET)
        .env("DOKU_SNAP_PRIVATE_KEY_FILE", merchant_private_key_file())
        .env("DOKU_BASE_URL", base_url)
        .kill_on_drop(true);
    command
}

async fn run(base_url: &str, args: &[&str]) -> Output {
    tokio::time::timeout(Duration::from_secs(60), doku(base_url, args).output())
        .await
        .expect("doku ends")
        .expect("run doku")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", text(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

/// `doku va create` of a closed-amount VA 19008 + `customer_no` for `trx_id`.
async fn create_va(base_url: &str, customer_no: &str, trx_id: &str) -> serde_json::Value {
    json(
        &run(
            base_url,
            &[
                "va",
                "create",
                "--env",
                "sim",
                "--partner-service-id",
                "19008",
                "--customer-no",
                customer_no,
                "--trx-id",
                trx_id,
                "--amount",
                "25000",
                "--name",
                "Budi",
            ],
        )
        .await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn va_create_then_status_then_sim_pay_va_then_paid() {
    let sim = sim().await;
    let base_url = sim.base_url();
    let created = create_va(&base_url, "000001", "INV-VA-1").await;
    assert_eq!(created["responseCode"], "2002700", "{created}");
    assert_eq!(
        created["virtualAccountData"]["virtualAccountNo"],
        "   19008000001"
    );

    let status_args = [
        "va",
        "status",
        "--env",
        "sim",
        "--partner-service-id",
        "19008",
        "--customer-no",
        "000001",
    ];
    let pending = json(&run(&base_url, &status_args).await);
    assert_eq!(pending["responseCode"], "2002600", "{pending}");
    assert_eq!(
        pending["virtualAccountData"]["paymentFlagReason"]["english"],
        "Pending"
    );

    // `doku sim pay-va` through the control API (no SNAP URLs registered: no notification, so
    // it exits 1 and says so; the payment's answer is still printed).
    let paid = run(
        &base_url,
        &["sim", "pay-va", "19008000001", "--base-url", &base_url],
    )
    .await;
    assert_eq!(paid.status.code(), Some(1), "{}", text(&paid.stderr));
    assert!(
        text(&paid.stderr).contains("error: no notification was sent"),
        "{}",
        text(&paid.stderr)
    );
    let paid: serde_json::Value = serde_json::from_slice(&paid.stdout).expect("JSON on stdout");
    assert_eq!(paid["client_id"], MERCHANT);
    assert_eq!(paid["paid_amount"], "25000.00");
    assert_eq!(paid["trx_id"], "INV-VA-1");

    let after = json(&run(&base_url, &status_args).await);
    assert_eq!(
        after["virtualAccountData"]["paymentFlagReason"]["english"], "Success",
        "{after}"
    );
    assert_eq!(
        after["virtualAccountData"]["paymentRequestId"],
        paid["payment_request_id"]
    );

    // Paid once: the simulator refuses again, exit 1 with its reason.
    let again = run(
        &base_url,
        &["sim", "pay-va", "19008000001", "--base-url", &base_url],
    )
    .await;
    assert_eq!(again.status.code(), Some(1), "{}", text(&again.stderr));
    assert!(
        text(&again.stderr).contains("the simulator refused: the Virtual Account is already paid"),
        "{}",
        text(&again.stderr)
    );
    let unknown = run(&base_url, &["sim", "pay-va", "1", "--base-url", &base_url]).await;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(text(&unknown.stderr).contains("no Virtual Account"));
    // No simulator at all: no answer, exit 2.
    let nobody = run(
        &base_url,
        &["sim", "pay-va", "1", "--base-url", "http://127.0.0.1:9"],
    )
    .await;
    assert_eq!(nobody.status.code(), Some(2), "{}", text(&nobody.stderr));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn va_errors_name_their_cause_and_never_print_keys() {
    let sim = sim().await;
    let base_url = sim.base_url();
    // Validation: nothing sent.
    let bad = run(
        &base_url,
        &[
            "va",
            "create",
            "--env",
            "sim",
            "--partner-service-id",
            "123456789",
            "--customer-no",
            "1",
            "--trx-id",
            "T",
            "--amount",
            "1",
        ],
    )
    .await;
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("--partner-service-id"),
        "{}",
        text(&bad.stderr)
    );
    // A wrong client secret: DOKU's refusal, its responseCode named; the secret not printed.
    let wrong = doku(
        &base_url,
        &[
            "va",
            "status",
            "--env",
            "sim",
            "--partner-service-id",
            "19008",
            "--customer-no",
            "9",
        ],
    )
    .env("DOKU_MERCHANT_KEY", "SK-not-the-secret")
    .output()
    .await
    .expect("run");
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong.stderr));
    let stderr = text(&wrong.stderr);
    assert!(stderr.contains("401"), "{stderr}");
    assert!(
        !stderr.contains("SK-not-the-secret") && !stderr.contains("eyJ"),
        "{stderr}"
    );
    // No private key.
    let keyless = doku(
        &base_url,
        &[
            "va",
            "status",
            "--env",
            "sim",
            "--partner-service-id",
            "19008",
            "--customer-no",
            "9",
        ],
    )
    .env_remove("DOKU_SNAP_PRIVATE_KEY_FILE")
    .output()
    .await
    .expect("run");
    assert_eq!(keyless.status.code(), Some(2));
    assert!(text(&keyless.stderr).contains("DOKU_SNAP_PRIVATE_KEY_FILE"));
    sim.shutdown().await;
}

/// `doku snap token`: a token for the right key (its lifetime printed, never the token), and
/// DOKU's `4017300` named as a key problem for another key.
#[tokio::test]
async fn snap_token_checks_the_key_pair_and_never_prints_the_token() {
    let sim = sim().await;
    let base_url = sim.base_url();
    let ok = run(&base_url, &["snap", "token", "--env", "sim"]).await;
    let printed = json(&ok);
    assert_eq!(printed["client_id"], MERCHANT);
    let expires_at = printed["expires_at"].as_i64().expect("expires_at");
    assert!(printed["refresh_at"].as_i64().expect("refresh_at") < expires_at);
    assert!(!text(&ok.stdout).contains("eyJ") && !text(&ok.stderr).contains("eyJ"));
    assert_eq!(sim.stats().snap_tokens_issued, 1);
    let other_key =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../vectors/keys/merchant-pkcs8.pem");
    let refused = doku(&base_url, &["snap", "token", "--env", "sim"])
        .env("DOKU_SNAP_PRIVATE_KEY_FILE", other_key)
        .output()
        .await
        .expect("run");
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stderr));
    let stderr = text(&refused.stderr);
    assert!(stderr.contains("4017300"), "{stderr}");
    assert!(stderr.contains("public half"), "{stderr}");
    assert!(!stderr.contains("PRIVATE KEY"), "{stderr}");
    sim.shutdown().await;
}

/// The next line of `lines`, within 30 s.
async fn next_line(lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStderr>>) -> String {
    tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("a line in time")
        .expect("read")
        .expect("a line")
}

/// A raw HTTP/1.1 POST to `addr`; (status, body).
async fn post(addr: &str, path: &str, headers: &[(&str, String)], body: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body.as_bytes()).await.expect("write");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut answer))
        .await
        .expect("answered")
        .expect("read");
    let status = answer[9..12].parse().expect("status");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_takes_the_simulators_snap_notification_and_refuses_forged_ones() {
    let sim = sim().await;
    let base_url = sim.base_url();
    let dir = std::env::temp_dir().join(format!("doku-cli-snap-listen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let doku_public = dir.join("doku-public.pem");
    std::fs::write(&doku_public, sim.doku_public_key_pem()).expect("write");

    let mut child = doku(
        &base_url,
        &[
            "listen",
            "--port",
            "0",
            "--max-notifications",
            "1",
            "--doku-public-key",
            doku_public.to_str().expect("path"),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("doku listen");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = next_line(&mut stderr).await;
    let addr = first
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split_once('/'))
        .map(|(addr, _)| addr.to_owned())
        .unwrap_or_else(|| panic!("{first}"));
    let second = next_line(&mut stderr).await;
    assert!(second.starts_with("SNAP: token endpoint"), "{second}");

    // A token request signed with the merchant's own key, not DOKU's: 401 4017300.
    let ts = "2030-01-01T07:00:00+07:00".to_owned();
    let not_doku = PrivateKey::from_pem(include_str!(
        "../../samples/snap-demo-merchant-private.TEST-ONLY.pem"
    ))
    .expect("key");
    let token_request = |key: &PrivateKey, ts: &str| {
        vec![
            ("X-CLIENT-KEY", MERCHANT.to_owned()),
            ("X-TIMESTAMP", ts.to_owned()),
            ("X-SIGNATURE", key.sign(MERCHANT, ts).expect("sign")),
        ]
    };
    let grant = r#"{"grantType":"client_credentials"}"#;
    let (status, body) = post(&addr, TOKEN_PATH, &token_request(&not_doku, &ts), grant).await;
    assert_eq!((status, body.contains("4017300")), (401, true), "{body}");
    // Signed as DOKU: a token. Then a notification with our bearer but a forged HMAC: 4012700;
    // and one with a forged bearer: 4012701.
    let now = doku_sign::timestamp::format_offset(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("now")
            .as_secs() as i64,
        7 * 60,
    );
    let doku_key = PrivateKey::from_pem(DOKU_PRIVATE).expect("key");
    let (status, body) = post(&addr, TOKEN_PATH, &token_request(&doku_key, &now), grant).await;
    assert_eq!(status, 200, "{body}");
    let token: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let token = token["accessToken"].as_str().expect("token").to_owned();
    let notification = r#"{"partnerServiceId":"   19008","customerNo":"000002","virtualAccountNo":"   19008000002","trxId":"INV-FORGED","paymentRequestId":"1","paidAmount":{"value":"25000.00","currency":"IDR"}}"#;
    let forged_signature = doku_sign::snap_symmetric::sign(
        &doku_sign::SecretKey::new("SK-someone-else"),
        &doku_sign::snap_symmetric::Message {
            method: "POST",
            path: NOTIFY_PATH,
            access_token: &token,
            body: notification.as_bytes(),
            timestamp: &now,
        },
    )
    .to_string();
    let forged = |bearer: &str| {
        vec![
            ("Authorization", format!("Bearer {bearer}")),
            ("X-TIMESTAMP", now.clone()),
            ("X-SIGNATURE", forged_signature.clone()),
            ("X-PARTNER-ID", MERCHANT.to_owned()),
            ("X-EXTERNAL-ID", "1".to_owned()),
            ("CHANNEL-ID", "95221".to_owned()),
        ]
    };
    let (status, body) = post(&addr, NOTIFY_PATH, &forged(&token), notification).await;
    assert_eq!((status, body.contains("4012700")), (401, true), "{body}");
    let (status, body) = post(
        &addr,
        NOTIFY_PATH,
        &forged("eyJhbGciOiJub25lIn0.e30."),
        notification,
    )
    .await;
    assert_eq!((status, body.contains("4012701")), (401, true), "{body}");

    // The real thing: the simulator gets a token from `doku listen`, then notifies.
    sim.register_snap_merchant(
        SnapMerchant::new(MERCHANT, MERCHANT_PUBLIC)
            .token_url(format!("http://{addr}{TOKEN_PATH}"))
            .notification_url(format!("http://{addr}{NOTIFY_PATH}")),
    )
    .expect("register");
    let created = create_va(&base_url, "000002", "INV-VA-2").await;
    assert_eq!(created["responseCode"], "2002700");
    let paid = sim
        .pay_va(&PayVaRequest::new("19008000002"))
        .await
        .expect("paid");
    assert!(paid.notification_url.is_some());

    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("listen exits after one notification")
        .expect("output");
    assert!(output.status.success(), "{:?}", output.status);
    let mut rest = Vec::new();
    while let Ok(Some(line)) = stderr.next_line().await {
        rest.push(line);
    }
    let rest = rest.join("\n");
    assert!(
        rest.contains("refused SNAP token request (401 4017300)"),
        "{rest}"
    );
    assert!(
        rest.contains("refused SNAP notification (401 4012700)"),
        "{rest}"
    );
    assert!(
        rest.contains("refused SNAP notification (401 4012701)"),
        "{rest}"
    );
    assert!(
        rest.contains(&format!("SNAP token issued to {MERCHANT}")),
        "{rest}"
    );
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "only the genuine one is printed: {stdout}");
    let line: serde_json::Value = serde_json::from_str(lines[0]).expect("one JSON line");
    assert_eq!(line["scheme"], "snap");
    assert_eq!(line["verdict"], "verified");
    assert_eq!(line["client_id"], MERCHANT);
    assert_eq!(line["trx_id"], "INV-VA-2");
    assert_eq!(line["payment_request_id"], paid.payment_request_id.as_str());
    assert_eq!(line["paid_amount"], "25000.00");
    assert_eq!(line["ack"], "2002500");
    assert_eq!(line["signed_form"], "raw");
    assert!(
        !stdout.contains("eyJ") && !rest.contains("eyJ"),
        "no token printed"
    );
    assert!(!stdout.contains(MERCHANT_SECRET) && !rest.contains(MERCHANT_SECRET));
    // The simulator saw the 2002500 acknowledgement (its default ack reading): delivered.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while sim.stats().notifications_delivered < 1 {
        assert!(tokio::time::Instant::now() < deadline, "not delivered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// `doku listen --forward-to` on the SNAP route: the simulator's SNAP notification (after the
/// token `doku listen` issued) is verified and passed on byte for byte with its headers as DOKU
/// spells them; the app's answer (its `responseCode`) is what the simulator sees.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_forwards_a_verified_snap_notification_to_the_app() {
    let sim = sim().await;
    let base_url = sim.base_url();
    let app = crate::developer_loop::App::start(
        200,
        r#"{"responseCode":"2002500","responseMessage":"Successful"}"#,
    )
    .await;
    let dir = std::env::temp_dir().join(format!("doku-cli-snap-forward-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let doku_public = dir.join("doku-public.pem");
    std::fs::write(&doku_public, sim.doku_public_key_pem()).expect("write");
    let app_url = app.url("/app/snap");
    let mut child = doku(
        &base_url,
        &[
            "listen",
            "--port",
            "0",
            "--max-notifications",
            "1",
            "--doku-public-key",
            doku_public.to_str().expect("path"),
            "--forward-to",
            &app_url,
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("doku listen");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = next_line(&mut stderr).await;
    let addr = first
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split_once('/'))
        .map(|(addr, _)| addr.to_owned())
        .unwrap_or_else(|| panic!("{first}"));
    sim.register_snap_merchant(
        SnapMerchant::new(MERCHANT, MERCHANT_PUBLIC)
            .token_url(format!("http://{addr}{TOKEN_PATH}"))
            .notification_url(format!("http://{addr}{NOTIFY_PATH}")),
    )
    .expect("register");
    create_va(&base_url, "000003", "INV-VA-FWD").await;
    let paid = run(
        &base_url,
        &["sim", "pay-va", "19008000003", "--base-url", &base_url],
    )
    .await;
    assert_eq!(paid.status.code(), Some(0), "{}", text(&paid.stderr));
    assert!(
        text(&paid.stderr).contains("delivered: HTTP 200"),
        "the app's acknowledgement reached the simulator: {}",
        text(&paid.stderr)
    );
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("listen exits after one notification")
        .expect("output");
    assert!(output.status.success(), "{:?}", output.status);
    let seen = app.seen();
    assert_eq!(
        seen.len(),
        1,
        "only the notification is forwarded, not the token call"
    );
    let (head, body) = &seen[0];
    assert!(head.starts_with("POST /app/snap HTTP/1.1"), "{head}");
    for name in [
        "X-PARTNER-ID: ",
        "X-SIGNATURE: ",
        "X-TIMESTAMP: ",
        "CHANNEL-ID: ",
        "Authorization: Bearer ",
    ] {
        assert!(
            head.lines().any(|l| l.starts_with(name)),
            "{name} as DOKU spells it: {head}"
        );
    }
    let sent: serde_json::Value = serde_json::from_slice(body).expect("the notification");
    assert_eq!(sent["trxId"], "INV-VA-FWD");
    let line: serde_json::Value =
        serde_json::from_str(text(&output.stdout).trim()).expect("one JSON line");
    assert_eq!(line["scheme"], "snap");
    assert_eq!(line["forward"]["status"], 200);
    assert_eq!(line["forward"]["url"], app_url.as_str());
    sim.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
