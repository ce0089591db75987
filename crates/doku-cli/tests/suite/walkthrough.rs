//! The README's local walkthrough, run as written so that it cannot rot: the `doku` lines of
//! the block between `<!-- walkthrough` and `<!-- end of walkthrough -->` are run in order with
//! the built binary, their two fixed ports swapped for free ones, and the `export` line
//! `doku sim` prints applied to the commands after it (as a reader pastes it). It ends with a
//! verified notification printed by `doku listen` and `doku status` showing the order paid.
//!
//! Every wait is bounded; no test sleeps.

use std::collections::HashMap;
use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

/// The longest any one step may take.
const BOUND: Duration = Duration::from_secs(30);

/// The `doku` command lines of the README's walkthrough block, trailing comments removed.
fn walkthrough() -> Vec<Vec<String>> {
    let readme = include_str!("../../../../README.md");
    let start = readme
        .find("<!-- walkthrough")
        .expect("the README has the walkthrough");
    let end = readme[start..]
        .find("<!-- end of walkthrough -->")
        .expect("the walkthrough ends")
        + start;
    readme[start..end]
        .lines()
        .filter(|line| line.starts_with("doku "))
        .map(|line| {
            let command = line.split(" #").next().unwrap_or(line);
            command
                .split_whitespace()
                .skip(1)
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// A port free now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// `args` with the README's ports replaced.
fn with_ports(args: &[String], sim: u16, receiver: u16) -> Vec<String> {
    args.iter()
        .map(|a| match a.as_str() {
            "8080" => receiver.to_string(),
            _ => a
                .replace("127.0.0.1:8099", &format!("127.0.0.1:{sim}"))
                .replace("127.0.0.1:8080", &format!("127.0.0.1:{receiver}")),
        })
        .collect()
}

/// `doku` with `args` and the pasted variables, without any DOKU variable of the test's own.
fn doku(args: &[String], env: &HashMap<String, String>) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_doku"));
    command.args(args).kill_on_drop(true);
    for name in [
        "DOKU_CLIENT_ID",
        "DOKU_SECRET_KEY",
        "DOKU_MERCHANT_ID",
        "DOKU_MERCHANT_KEY",
        "DOKU_BASE_URL",
        "DOKU_SIM_LISTEN",
        "DOKU_SIM_NOTIFICATION_URL",
    ] {
        command.env_remove(name);
    }
    command.envs(env);
    command
}

/// Runs a command to its end, bounded.
async fn run(args: &[String], env: &HashMap<String, String>) -> Output {
    tokio::time::timeout(BOUND, doku(args, env).output())
        .await
        .expect("ends in time")
        .expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_walkthrough_ends_with_a_verified_notification() {
    let steps = walkthrough();
    let names: Vec<&str> = steps.iter().map(|s| s[0].as_str()).collect();
    assert_eq!(
        names,
        ["sim", "listen", "checkout", "sim", "status"],
        "five commands: {steps:?}"
    );
    let (sim_port, receiver_port) = (free_port(), free_port());
    let steps: Vec<Vec<String>> = steps
        .iter()
        .map(|s| with_ports(s, sim_port, receiver_port))
        .collect();
    let mut env = HashMap::new();

    // 1. The simulator: its address, then the export line to paste.
    let mut sim = doku(&steps[0], &env)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("doku sim");
    let mut sim_out = BufReader::new(sim.stdout.take().unwrap()).lines();
    let export = loop {
        let line = tokio::time::timeout(BOUND, sim_out.next_line())
            .await
            .expect("doku sim prints its exports")
            .unwrap()
            .expect("a line");
        if let Some(export) = line.strip_prefix("export ") {
            break export.to_owned();
        }
    };
    for pair in export.split_whitespace() {
        let (name, value) = pair.split_once('=').expect("NAME=value");
        env.insert(name.to_owned(), value.to_owned());
    }
    assert_eq!(
        env.get("DOKU_BASE_URL").map(String::as_str),
        Some(format!("http://127.0.0.1:{sim_port}").as_str())
    );
    assert!(env.contains_key("DOKU_MERCHANT_ID") && env.contains_key("DOKU_MERCHANT_KEY"));

    // 2. The receiver, once it listens.
    let mut listen = doku(&steps[1], &env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("doku listen");
    let mut listen_err = BufReader::new(listen.stderr.take().unwrap()).lines();
    let first = tokio::time::timeout(BOUND, listen_err.next_line())
        .await
        .expect("listen starts")
        .unwrap()
        .unwrap();
    assert!(
        first.starts_with(&format!(
            "listening on http://127.0.0.1:{receiver_port}/payments/notifications"
        )),
        "{first}"
    );
    let mut listen_out = BufReader::new(listen.stdout.take().unwrap()).lines();

    // 3. The payment page.
    let checkout = run(&steps[2], &env).await;
    assert!(checkout.status.success(), "{}", text(&checkout.stderr));
    assert!(
        text(&checkout.stdout).contains(&format!(
            "payment_url: http://127.0.0.1:{sim_port}/checkout-link-v2/"
        )),
        "{}",
        text(&checkout.stdout)
    );

    // 4. Paid; the notification delivered to the receiver.
    let pay = run(&steps[3], &env).await;
    assert!(pay.status.success(), "{}", text(&pay.stderr));
    assert!(
        text(&pay.stderr).contains("delivered: HTTP 200"),
        "{}",
        text(&pay.stderr)
    );
    let verified = tokio::time::timeout(BOUND, listen_out.next_line())
        .await
        .expect("listen prints the notification")
        .unwrap()
        .expect("a line");
    let verified: serde_json::Value = serde_json::from_str(&verified).unwrap();
    assert_eq!(verified["invoice_number"], "INV-1");
    assert_eq!(verified["status"], "SUCCESS");
    assert_eq!(
        verified["client_id"].as_str(),
        env.get("DOKU_MERCHANT_ID").map(String::as_str)
    );

    // 5. DOKU's view of the order.
    let status = run(&steps[4], &env).await;
    assert!(status.status.success(), "{}", text(&status.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(answer["transaction"]["status"], "SUCCESS");

    let _ = sim.kill().await;
    let _ = listen.kill().await;
}
