//! The developer's loop against a simulator, run as the built binary: `doku sim pay` and
//! `doku sim trigger` report the delivery and fail when there is no Notification URL or the
//! receiver answers 500; `doku sim deliveries` then `doku sim resend`; `doku listen
//! --forward-to` passing a verified notification's exact bytes on to an app and refusing a forged
//! one without forwarding it.
//!
//! Every wait is bounded (a timeout on each child and each read); no test sleeps.

use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use doku_sign::SecretKey;
use doku_sim::{Sim, SimConfig, SimHandle};
use doku_test_support::{
    Http1Message, Signing, NOTIFICATION_BCA_VA, PARTNER_CLIENT_ID, PARTNER_SECRET,
};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// The longest any one command or exchange may take.
const BOUND: Duration = Duration::from_secs(30);

/// The requests an [`App`] received: each head and its exact body bytes.
type Seen = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// A receiver or app on loopback: records each request (head and exact body bytes) and answers
/// with the current status and a fixed body (also `snap_commands`' app).
pub(crate) struct App {
    addr: String,
    status: Arc<AtomicU16>,
    seen: Seen,
}

impl App {
    pub(crate) async fn start(status: u16, reply_body: &'static str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let status = Arc::new(AtomicU16::new(status));
        let seen: Seen = Arc::new(Mutex::new(Vec::new()));
        let (answer, record) = (status.clone(), seen.clone());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (answer, record) = (answer.clone(), record.clone());
                tokio::spawn(async move {
                    let mut data = Vec::new();
                    let mut buf = [0u8; 8192];
                    let message = loop {
                        let read = tokio::time::timeout(BOUND, stream.read(&mut buf)).await;
                        let Ok(Ok(n)) = read else { return };
                        data.extend_from_slice(&buf[..n]);
                        match Http1Message::parse(&data) {
                            Some(m) if m.is_complete() => break m,
                            _ if n == 0 => return,
                            _ => {}
                        }
                    };
                    let head_len = message.head.len() + 4;
                    let body = data[head_len..head_len + message.content_length].to_vec();
                    record.lock().unwrap().push((message.head, body));
                    let status = answer.load(Ordering::SeqCst);
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply_body}",
                        reply_body.len()
                    );
                    let _ = stream.write_all(reply.as_bytes()).await;
                });
            }
        });
        Self { addr, status, seen }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(crate) fn seen(&self) -> Vec<(String, Vec<u8>)> {
        self.seen.lock().unwrap().clone()
    }
}

/// A simulator whose configured credential (the test partner's, which also acts as a merchant)
/// notifies `notify` when given.
async fn sim(notify: Option<String>) -> SimHandle {
    let mut config =
        SimConfig::builder().credential(PARTNER_CLIENT_ID, SecretKey::new(PARTNER_SECRET));
    if let Some(url) = notify {
        config = config.notification_url(url);
    }
    Sim::start(config.build().unwrap()).await.unwrap()
}

/// `doku ARGS` as the test merchant against `base_url`, bounded.
async fn doku(base_url: &str, args: &[&str]) -> Output {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_doku"))
        .args(args)
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SECRET_KEY")
        .env("DOKU_MERCHANT_ID", PARTNER_CLIENT_ID)
        .env("DOKU_MERCHANT_KEY", PARTNER_SECRET)
        .env("DOKU_BASE_URL", base_url)
        .kill_on_drop(true)
        .output();
    tokio::time::timeout(BOUND, child)
        .await
        .expect("doku ends in time")
        .expect("run doku")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `doku checkout` of `invoice` against the simulator, which must succeed.
async fn checkout(base_url: &str, invoice: &str) {
    let out = doku(
        base_url,
        &["checkout", "--amount", "15000", "--invoice", invoice],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_fails_without_a_notification_url() {
    let sim = sim(None).await;
    let base = sim.base_url();
    checkout(&base, "INV-NO-URL").await;
    let out = doku(&base, &["sim", "pay", "INV-NO-URL"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: no notification was sent: no Notification URL is configured"),
        "{stderr}"
    );
    // The payment itself happened: its answer is still printed.
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["status"], "SUCCESS");
    assert!(printed["notification_url"].is_null());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_fails_when_the_receiver_answers_500_and_resend_delivers_it_later() {
    let receiver = App::start(500, "down").await;
    let sim = sim(Some(receiver.url("/payments/notifications"))).await;
    let base = sim.base_url();
    checkout(&base, "INV-500").await;
    let out = doku(&base, &["sim", "pay", "INV-500"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error: notification 1 to http://")
            && stderr.contains("not delivered: HTTP 500"),
        "{stderr}"
    );
    assert!(
        stderr.contains("(attempt 1)") && stderr.contains("doku sim resend 1"),
        "{stderr}"
    );

    // The history shows it, as a table and as JSON.
    let table = doku(&base, &["sim", "deliveries"]).await;
    assert!(table.status.success(), "{}", text(&table.stderr));
    let table = text(&table.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[0].starts_with("ID  LAST ATTEMPT"), "{table}");
    assert!(
        lines[1].starts_with("1 ") && lines[1].contains("INV-500"),
        "{table}"
    );
    assert!(
        lines[1].contains("HTTP 500") && lines[1].contains("retrying"),
        "{table}"
    );
    let json = doku(&base, &["sim", "deliveries", "--json", "--limit", "5"]).await;
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["deliveries"][0]["attempts"][0]["status"], 500);

    // Resent while the receiver still fails: exit 1; once it is fixed: delivered, exit 0.
    let again = doku(&base, &["sim", "resend", "1"]).await;
    assert_eq!(again.status.code(), Some(1), "{}", text(&again.stdout));
    assert!(
        text(&again.stdout).contains("HTTP 500"),
        "{}",
        text(&again.stdout)
    );
    receiver.status.store(200, Ordering::SeqCst);
    let fixed = doku(&base, &["sim", "resend", "1"]).await;
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
    assert!(
        text(&fixed.stdout).contains("delivered: HTTP 200")
            && text(&fixed.stdout).contains("(attempt 3)"),
        "{}",
        text(&fixed.stdout)
    );
    assert_eq!(receiver.seen().len(), 3);
    // An id the simulator does not keep.
    let unknown = doku(&base, &["sim", "resend", "99"]).await;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("the simulator refused"),
        "{}",
        text(&unknown.stderr)
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_creates_pays_and_reports_the_delivery() {
    let receiver = App::start(200, "OK").await;
    let sim = sim(Some(receiver.url("/payments/notifications"))).await;
    let base = sim.base_url();
    let out = doku(
        &base,
        &[
            "sim",
            "trigger",
            "--invoice",
            "INV-TRIGGER-1",
            "--method",
            "QRIS",
            "--amount",
            "12345",
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "invoice: INV-TRIGGER-1", "{stdout}");
    assert!(
        lines[1].starts_with(&format!("payment_url: {base}/checkout-link-v2/")),
        "{stdout}"
    );
    assert_eq!(lines[2], "status: SUCCESS", "{stdout}");
    assert!(
        lines[3].starts_with(&format!(
            "notification 1 to {}: delivered: HTTP 200 in ",
            receiver.url("/payments/notifications")
        )) && lines[3].ends_with("(attempt 1)"),
        "{stdout}"
    );
    // The receiver got the signed notification of that order, paid by QRIS.
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    let body: serde_json::Value = serde_json::from_slice(&seen[0].1).unwrap();
    assert_eq!(body["order"]["invoice_number"], "INV-TRIGGER-1");
    assert_eq!(body["order"]["amount"], 12345);
    assert_eq!(body["channel"]["id"], "QRIS_DOKU");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_fails_when_delivery_fails_or_no_url_is_configured() {
    let receiver = App::start(500, "no").await;
    let sim_500 = sim(Some(receiver.url("/payments/notifications"))).await;
    let out = doku(
        &sim_500.base_url(),
        &["sim", "trigger", "--status", "FAILED"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("status: FAILED"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains("not delivered: HTTP 500"),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stderr).contains("error: the notification was not delivered"));

    let no_url = sim(None).await;
    let out = doku(&no_url.base_url(), &["sim", "trigger"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("no Notification URL is configured"),
        "{}",
        text(&out.stdout)
    );

    // A merchant key the simulator does not know: the Checkout is refused, nothing is paid.
    let paid_before = no_url.stats().payments;
    let wrong = tokio::process::Command::new(env!("CARGO_BIN_EXE_doku"))
        .args(["sim", "trigger", "--base-url", &no_url.base_url()])
        .env("DOKU_MERCHANT_ID", PARTNER_CLIENT_ID)
        .env("DOKU_MERCHANT_KEY", "SK-not-this-one")
        .kill_on_drop(true)
        .output();
    let wrong = tokio::time::timeout(BOUND, wrong).await.unwrap().unwrap();
    assert_eq!(wrong.status.code(), Some(1), "{}", text(&wrong.stderr));
    assert!(
        text(&wrong.stderr).contains("invalid_signature"),
        "{}",
        text(&wrong.stderr)
    );
    assert_eq!(no_url.stats().payments, paid_before);

    // No simulator at the URL: exit 2.
    let nobody = doku("http://127.0.0.1:9", &["sim", "deliveries"]).await;
    assert_eq!(nobody.status.code(), Some(2));
    assert!(
        text(&nobody.stderr).contains("cannot connect to the simulator"),
        "{}",
        text(&nobody.stderr)
    );
    sim_500.shutdown().await;
    no_url.shutdown().await;
}

/// A notification to `path` signed by the test merchant over `signed`, carrying `sent`, as raw
/// HTTP/1.1 with DOKU's header spelling.
fn notification(path: &str, key: &str, signed: &[u8], sent: &[u8]) -> Vec<u8> {
    let timestamp = doku_test_support::now_timestamp();
    let mut request = Signing {
        client_id: PARTNER_CLIENT_ID,
        secret: key,
        path,
        body: signed,
        request_id: "3c1d0a8e-5a2b-4c7d-9e1f-0a1b2c3d4e5f",
        timestamp: &timestamp,
        ..Signing::default()
    }
    .sign();
    request.body = sent.to_vec();
    request.to_http1("localhost")
}

/// Sends `request` to `addr`; the whole answer.
async fn exchange(addr: &str, request: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(BOUND, stream.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .unwrap();
    text(&answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_forwards_the_exact_bytes_and_answers_with_the_apps_answer() {
    let app = App::start(202, "app-ok").await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_doku"))
        .args([
            "listen",
            "--port",
            "0",
            "--max-notifications",
            "1",
            "--forward-to",
            &app.url("/hooks/doku"),
        ])
        .env("DOKU_MERCHANT_ID", PARTNER_CLIENT_ID)
        .env("DOKU_MERCHANT_KEY", PARTNER_SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = tokio::time::timeout(BOUND, stderr.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let addr = first
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();

    // DOKU's sample as DOKU sent it: spaces and line breaks a re-serialising proxy would lose.
    let body = NOTIFICATION_BCA_VA;
    // Forged (signed with another key) and to another path: refused, not forwarded.
    let forged = notification("/payments/notifications", "SK-forged", body, body);
    assert!(exchange(&addr, &forged).await.starts_with("HTTP/1.1 401"));
    let elsewhere = notification("/elsewhere", PARTNER_SECRET, body, body);
    assert!(exchange(&addr, &elsewhere)
        .await
        .starts_with("HTTP/1.1 404"));
    assert!(app.seen().is_empty(), "nothing forwarded yet");

    let good = notification("/payments/notifications", PARTNER_SECRET, body, body);
    let answer = exchange(&addr, &good).await;
    assert!(
        answer.starts_with("HTTP/1.1 202"),
        "DOKU gets the app's status: {answer}"
    );
    assert!(answer.ends_with("app-ok"), "and its body: {answer}");

    let status = tokio::time::timeout(BOUND, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
    let seen = app.seen();
    assert_eq!(seen.len(), 1);
    let (head, forwarded) = &seen[0];
    assert_eq!(forwarded.as_slice(), body, "the exact bytes");
    assert!(head.starts_with("POST /hooks/doku HTTP/1.1"), "{head}");
    let sent = String::from_utf8_lossy(&good);
    for header in [
        "Client-Id: ",
        "Request-Id: ",
        "Request-Timestamp: ",
        "Signature: ",
    ] {
        let line = sent.lines().find(|l| l.starts_with(header)).unwrap();
        assert!(
            head.lines().any(|l| l == line),
            "{line} forwarded as sent: {head}"
        );
    }

    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .await
        .unwrap();
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(line["invoice_number"], "INV-20210124-0001");
    assert_eq!(line["forward"]["status"], 202);
    assert_eq!(line["forward"]["url"], app.url("/hooks/doku"));
    let mut rest = String::new();
    while let Ok(Ok(Some(l))) = tokio::time::timeout(BOUND, stderr.next_line()).await {
        rest.push_str(&l);
        rest.push('\n');
    }
    assert!(
        rest.contains("refused (401)") && rest.contains("; not forwarded"),
        "{rest}"
    );
    assert!(
        rest.contains("refused (404): POST /elsewhere is not the notification path"),
        "{rest}"
    );
    assert!(
        rest.contains(&format!(
            "verified {PARTNER_CLIENT_ID} INV-20210124-0001 SUCCESS → app {}: HTTP 202 in ",
            app.url("/hooks/doku")
        )),
        "{rest}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_answers_502_when_the_app_is_down() {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_doku"))
        .args([
            "listen",
            "--port",
            "0",
            "--max-notifications",
            "1",
            "--forward-timeout",
            "2",
        ])
        .arg("--forward-to")
        .arg(format!("http://{closed}/hooks"))
        .env("DOKU_MERCHANT_ID", PARTNER_CLIENT_ID)
        .env("DOKU_MERCHANT_KEY", PARTNER_SECRET)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = tokio::time::timeout(BOUND, stderr.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let addr = first
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let body = NOTIFICATION_BCA_VA;
    let good = notification("/payments/notifications", PARTNER_SECRET, body, body);
    let answer = exchange(&addr, &good).await;
    assert!(answer.starts_with("HTTP/1.1 502"), "{answer}");
    let _ = tokio::time::timeout(BOUND, child.wait()).await.unwrap();
    let mut rest = String::new();
    while let Ok(Ok(Some(l))) = tokio::time::timeout(BOUND, stderr.next_line()).await {
        rest.push_str(&l);
        rest.push('\n');
    }
    assert!(
        rest.contains("no answer (cannot connect to") && rest.contains("DOKU answered 502"),
        "{rest}"
    );
}
