//! `doku sim` starts the simulator and announces its address like `doku-sim` does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[test]
fn sim_prints_its_address_and_answers_http() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doku"))
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--credential",
            "BRN-CLI-1=SK-cli",
        ])
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SECRET_KEY")
        .env_remove("DOKU_SIM_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn doku sim");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    // An unsigned request must be refused with a DOKU-shaped JSON error, proving the simulator is up.
    let mut stream = TcpStream::connect(&addr).expect("connect");
    write!(
        stream,
        "POST /adv-core-api/partner/v1.0/token HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 4"), "{response}");
    assert!(
        response.contains("Client-Id") || response.contains("client"),
        "{response}"
    );
}

/// Starts `doku sim` with `extra` flags; returns the child and its `host:port`.
fn start_sim(extra: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_doku"))
        .args([
            "sim",
            "--listen",
            "127.0.0.1:0",
            "--credential",
            "BRN-CLI-1=SK-cli",
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

/// One HTTP/1.1 exchange; the whole response as text.
fn exchange(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

#[test]
fn sim_pay_pays_an_order_and_the_notification_arrives_signed() {
    use doku_sign::non_snap::{self, Kind, Message};
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
            let text = String::from_utf8_lossy(&data).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if body.len() >= len || n == 0 {
                    let _ = stream.write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                    let _ = tx.send((head.to_owned(), body.to_owned()));
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
    let timestamp = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let message = Message {
        client_id: "BRN-CLI-1",
        request_id: "req-cli-1",
        timestamp: &timestamp,
        target: "/checkout/v1/payment",
        body: Some(body.as_bytes()),
    };
    let signature = non_snap::sign(
        &doku_sign::SecretKey::new("SK-cli"),
        Kind::Request,
        &message,
    );
    let created = exchange(
        &addr,
        &format!(
            "POST /checkout/v1/payment HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nClient-Id: BRN-CLI-1\r\nRequest-Id: req-cli-1\r\nRequest-Timestamp: {timestamp}\r\nSignature: {signature}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
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
        head.lines()
            .find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
            })
            .unwrap_or_default()
    };
    let message = Message {
        client_id: &header("client-id"),
        request_id: &header("request-id"),
        timestamp: &header("request-timestamp"),
        target: "/payments/notifications",
        body: Some(body.as_bytes()),
    };
    non_snap::verify(
        &doku_sign::SecretKey::new("SK-cli"),
        Kind::Request,
        &message,
        &header("signature"),
    )
    .expect("signed with the merchant's key over the path and the exact body");
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
