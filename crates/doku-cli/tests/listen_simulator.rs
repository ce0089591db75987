//! `doku listen` receiving what the simulator delivers: a brand onboarded through the Partner
//! calls pays through Checkout, doku-sim delivers DOKU's signed notification, and `doku listen`
//! verifies it with the brand's shared key and prints it as one JSON line.

use std::process::Stdio;
use std::time::Duration;

use doku_model::{BusinessDataBrand, BusinessRegistrationRequest, CheckoutRequest, ClientId};
use doku_partner::{Client, Config, Environment};
use doku_sign::SecretKey;
use doku_sim::{PayStatus, Sim, SimConfig};
use doku_test_support::{mandatory_uploads, PARTNER_CLIENT_ID, PARTNER_SECRET};
use tokio::io::{AsyncBufReadExt, BufReader};

const PATH: &str = "/payments/notifications";

/// Registers the CLI's bundled sample business (`samples/business.json`) through the Partner calls,
/// with the documents a PERSONAL business needs; the brand as Get Business Data shows it.
///
/// The receiver example's test onboards the same way but with its own fixture: the helper needs
/// the client and the simulator, which doku-test-support (doku-sign and doku-model only) must not
/// depend on.
async fn onboard_sample(client: &Client) -> BusinessDataBrand {
    let mut body: BusinessRegistrationRequest =
        serde_json::from_str(include_str!("../samples/business.json")).expect("sample");
    for upload in mandatory_uploads() {
        let id = client.upload_file(upload.clone()).await.expect("upload").id;
        body.attach(&upload, id);
    }
    let created = client.register_business(&body).await.expect("register");
    let brand_id = ClientId::new(created.brand_ids()[0].to_owned()).expect("brand id");
    client.get_business(&brand_id).await.expect("data").brands[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_verifies_a_notification_the_simulator_delivers() {
    // A free port for the receiver: the simulator's Notification URL must name it up front.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let partner_key = SecretKey::new(PARTNER_SECRET);
    let sim = Sim::start(
        SimConfig::builder()
            .credential(PARTNER_CLIENT_ID, partner_key.clone())
            .notification_url(format!("http://127.0.0.1:{port}{PATH}"))
            .time_scale(0.0001)
            .build()
            .expect("config"),
    )
    .await
    .expect("sim");
    let client = Client::new(
        Config::builder(PARTNER_CLIENT_ID, partner_key)
            .environment(Environment::Custom(sim.base_url()))
            .build()
            .expect("config"),
    )
    .expect("client");

    let brand = onboard_sample(&client).await;
    let shared_key = brand
        .shared_key
        .as_ref()
        .expect("shared key")
        .expose()
        .to_owned();

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
        .env("DOKU_MERCHANT_KEY", &shared_key)
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

    let merchant = client.merchant_from_brand(&brand).expect("merchant");
    let invoice = "INV-LISTEN-0001";
    merchant
        .create_checkout(&CheckoutRequest::new(25_000, invoice))
        .await
        .expect("checkout");
    sim.pay(invoice, PayStatus::Success, Some(&brand.id))
        .expect("pay");

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
    assert!(!stdout.contains(&shared_key), "the key is never printed");
    sim.shutdown().await;
}
