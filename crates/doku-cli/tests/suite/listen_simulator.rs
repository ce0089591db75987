//! `doku listen` receiving what the simulator delivers: a brand onboarded through the Partner
//! calls pays through Checkout, doku-sim delivers DOKU's signed notification, and `doku listen`
//! verifies it with the brand's shared key and prints it as one JSON line.

use std::process::Stdio;
use std::time::Duration;

use doku_model::BusinessRegistrationRequest;
use doku_sim::SimConfig;
use doku_test_support::onboarded::{onboard, Onboarded};
use tokio::io::{AsyncBufReadExt, BufReader};

const PATH: &str = "/payments/notifications";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_verifies_a_notification_the_simulator_delivers() {
    // A free port for the receiver: the simulator's Notification URL must name it up front.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    // The CLI's bundled sample business (`samples/business.json`).
    let sample: BusinessRegistrationRequest =
        serde_json::from_str(include_str!("../../samples/business.json")).expect("sample");
    let sim_config = SimConfig::builder()
        .notification_url(format!("http://127.0.0.1:{port}{PATH}"))
        .time_scale(0.0001);
    let onboarded = onboard(sim_config, sample).await;
    let Onboarded {
        brand, shared_key, ..
    } = &onboarded;

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_doku"))
        .args([
            "listen",
            "--port",
            &port.to_string(),
            "--path",
            PATH,
            "--max-notifications",
            "1",
        ])
        .env("DOKU_MERCHANT_ID", &brand.id)
        .env("DOKU_MERCHANT_KEY", shared_key)
        .env_remove("DOKU_CLIENT_ID")
        .env_remove("DOKU_SECRET_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("doku listen");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), stderr.next_line())
        .await
        .expect("listen starts")
        .expect("read")
        .expect("a line");
    assert!(first.starts_with("listening on http://"), "{first}");

    let invoice = "INV-LISTEN-0001";
    onboarded.pay(25_000, invoice).await;

    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("listen exits after one notification")
        .expect("output");
    assert!(output.status.success(), "{:?}", output.status);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let line: serde_json::Value = serde_json::from_str(lines[0]).expect("one JSON line");
    assert_eq!(line["client_id"], brand.id.as_str());
    assert_eq!(line["invoice_number"], invoice);
    assert_eq!(line["status"], "SUCCESS");
    assert_eq!(line["final"], true);
    assert!(
        !stdout.contains(shared_key.as_str()),
        "the key is never printed"
    );
    onboarded.sim.shutdown().await;
}
