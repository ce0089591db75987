//! `doku sim` starts the simulator and announces its address like `doku-sim` does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use doku_model::Endpoint;
use doku_test_support::{
    is_signed_by, now_timestamp, Http1Message, Signing, PARTNER_CLIENT_ID, PARTNER_SECRET,
};

/// Starts `doku sim` with `extra` flags; returns the child and its `host:port`.
fn start_sim(extra: &[&str]) -> (std::process::Child, String) {
    // The test partner's credential, which the simulator also takes as a merchant's.
    let credential = format!("{PARTNER_CLIENT_ID}={PARTNER_SECRET}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_doku"))
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--credential",
            &credential,
        ])
        .args(extra)
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SECRET_KEY")
        .env_remove("DOKU_SIM_LISTEN")
        .env_remove("DOKU_SIM_NOTIFICATION_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn doku sim");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, addr)
}

#[test]
fn sim_prints_its_address_and_answers_http() {
    let (mut child, addr) = start_sim(&[]);
    // An unsigned request must be refused with a DOKU-shaped JSON error, proving the simulator is up.
    let response = exchange(
        &addr,
        format!(
            "POST {} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}",
            Endpoint::Token.path()
        ),
    );
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 4"), "{response}");
    assert!(
        response.contains("Client-Id") || response.contains("client"),
        "{response}"
    );
}

/// One HTTP/1.1 exchange; the whole response as text.
fn exchange(addr: &str, request: impl AsRef<[u8]>) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.write_all(request.as_ref()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

#[test]
fn sim_pay_pays_an_order_and_the_notification_arrives_signed() {
    // The receiver: one request, answered 200; its head and body sent back to the test.
    let receiver = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let notify_url = format!(
        "http://{}/payments/notifications",
        receiver.local_addr().expect("addr")
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let (mut stream, _) = receiver.accept().expect("accept");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).expect("read");
            data.extend_from_slice(&buf[..n]);
            if let Some(message) = Http1Message::parse(&data) {
                if message.is_complete() || n == 0 {
                    let _ = stream.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    let _ = tx.send((message.head, message.body));
                    return;
                }
            }
            if n == 0 {
                return;
            }
        }
    });
    let (mut child, addr) =
        start_sim(&["--notification-url", &notify_url, "--time-scale", "0.0001"]);

    // The configured credential acts as a merchant: create a Checkout order.
    let body = r#"{"order":{"amount":15000,"invoice_number":"INV-CLI-1"}}"#;
    let timestamp = now_timestamp();
    let create = Signing {
        path: "/checkout/v1/payment",
        body: body.as_bytes(),
        request_id: "req-cli-1",
        timestamp: &timestamp,
        ..Signing::default()
    }
    .sign();
    let created = exchange(&addr, create.to_http1(&addr));
    assert!(created.starts_with("HTTP/1.1 200"), "{created}");

    let base_url = format!("http://{addr}");
    let pay = Command::new(env!("CARGO_BIN_EXE_doku"))
        .args([
            "sim",
            "pay",
            "INV-CLI-1",
            "--status",
            "success",
            "--base-url",
            &base_url,
        ])
        .output()
        .expect("run doku sim pay");
    assert!(
        pay.status.success(),
        "{}",
        String::from_utf8_lossy(&pay.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&pay.stdout).expect("JSON line");
    assert_eq!(printed["status"], "SUCCESS");
    assert_eq!(printed["notification_url"], notify_url.as_str());

    let (head, body) = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the notification arrives");
    assert!(
        head.starts_with("POST /payments/notifications HTTP/1.1"),
        "{head}"
    );
    let header = |name: &str| {
        head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    };
    assert!(
        is_signed_by(
            PARTNER_CLIENT_ID,
            PARTNER_SECRET,
            "POST",
            "/payments/notifications",
            header,
            body.as_bytes()
        ),
        "signed with the merchant's key over the path and the exact body: {head}"
    );
    assert!(
        body.contains("\"INV-CLI-1\"") && body.contains("\"SUCCESS\""),
        "{body}"
    );

    // Unknown invoice: refused, non-zero exit, the reason on stderr.
    let unknown = Command::new(env!("CARGO_BIN_EXE_doku"))
        .args(["sim", "pay", "INV-NONE", "--base-url", &base_url])
        .output()
        .expect("run doku sim pay");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no order"));
    child.kill().expect("kill");
    let _ = child.wait();
}

/// `doku sim` takes the simulator's resource bounds, like the `doku-sim` binary: a bound is
/// applied (here refused for being zero) rather than rejected as an unknown flag.
#[test]
fn sim_takes_the_simulators_bound_flags() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_doku"))
        .args([
            "sim",
            "--credential",
            "BRN-1=SK-bounds",
            "--max-connections",
            "0",
        ])
        .output()
        .expect("run doku sim");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("max connections must be at least 1"),
        "{stderr}"
    );
}
