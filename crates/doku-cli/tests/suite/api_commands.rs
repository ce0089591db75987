//! Every per-endpoint command, run as the built binary against doku-sim on loopback.

use std::path::PathBuf;
use std::process::Output;

use doku_sign::SecretKey;
use doku_sim::{Sim, SimConfig, SimHandle};
use doku_test_support::{PARTNER_CLIENT_ID, PARTNER_SECRET};

async fn sim() -> SimHandle {
    let config = SimConfig::builder()
        .credential(PARTNER_CLIENT_ID, SecretKey::from(PARTNER_SECRET))
        .build()
        .expect("config");
    Sim::start(config).await.expect("sim starts")
}

/// Runs `doku` off the async runtime's threads, with credentials and target in the environment.
async fn doku(base_url: &str, args: &[&str]) -> Output {
    doku_as(Some(base_url), PARTNER_SECRET, args).await
}

/// Runs `doku` as the partner signing with `secret`, against `base_url` (none: `DOKU_BASE_URL` unset).
async fn doku_as(base_url: Option<&str>, secret: &str, args: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_doku"));
    command
        .args(args)
        .env("DOKU_CLIENT_ID", PARTNER_CLIENT_ID)
        .env("DOKU_SECRET_KEY", secret)
        .env_remove("DOKU_BASE_URL");
    if let Some(url) = base_url {
        command.env("DOKU_BASE_URL", url);
    }
    command.output().await.expect("run doku")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "doku failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("doku-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_command_works_against_the_simulator() {
    let sim = sim().await;
    let url = sim.base_url();

    let token = json(&doku(&url, &["token"]).await);
    assert!(token["token"]
        .as_str()
        .is_some_and(|t| t.split('.').count() == 3));

    let requirements = json(&doku(&url, &["requirements", "--business-type", "PERSONAL"]).await);
    assert!(requirements["business"].is_object(), "{requirements}");

    let png = sample("document.png");
    let png = png.to_str().expect("utf-8 path");
    let mut ids = Vec::new();
    for (category, code) in [
        ("DOCUMENT", Some("KTP")),
        ("OWNER_LIVENESS", None),
        ("PHOTO_PROOF", None),
    ] {
        let mut args = vec!["upload", png, "--category", category];
        if let Some(code) = code {
            args.extend(["--code", code]);
        }
        let uploaded = json(&doku(&url, &args).await);
        ids.push(uploaded["id"].as_str().expect("id").to_owned());
    }

    // Registration body: the sample with the uploaded ids on the contact.
    let mut body: serde_json::Value =
        serde_json::from_str(include_str!("../../samples/business.json")).expect("sample");
    body["business"]["contacts"][0]["documents"] =
        ids.iter().map(|id| serde_json::json!({"id": id})).collect();
    let dir = temp_dir("register");
    let path = dir.join("business.json");
    std::fs::write(&path, serde_json::to_vec(&body).expect("json")).expect("write");
    let created = json(&doku(&url, &["register", "--json", path.to_str().expect("path")]).await);
    // DOKU's shape, printed as received: the brands sit inside `business`.
    let brand = created["business"]["brands"][0]["id"]
        .as_str()
        .expect("brand id")
        .to_owned();
    assert_eq!(sim.stats().registrations, 1);

    let data = json(&doku(&url, &["business", &brand]).await);
    assert_eq!(data["brands"][0]["id"], brand.as_str());

    let lite_path = sample("business-lite.json");
    let lite = json(
        &doku(
            &url,
            &["register-lite", "--json", lite_path.to_str().expect("path")],
        )
        .await,
    );
    assert!(lite["business"]["id"].is_string(), "{lite}");
    // Nothing invented: the brand DOKU created is printed where DOKU put it, and no empty
    // top-level `brands` is added.
    assert!(lite["business"]["brands"][0]["id"].is_string(), "{lite}");
    assert!(lite.get("brands").is_none(), "{lite}");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_request_id_is_replayed_not_registered_twice() {
    let sim = sim().await;
    let url = sim.base_url();
    let lite_path = sample("business-lite.json");
    let lite_path = lite_path.to_str().expect("path");
    let args = [
        "register-lite",
        "--json",
        lite_path,
        "--request-id",
        "cli-idempotent-1",
    ];
    let first = json(&doku(&url, &args).await);
    let second = json(&doku(&url, &args).await);
    assert_eq!(first, second, "the 409 replay is the original answer");
    assert_eq!(sim.invitations_for(PARTNER_CLIENT_ID), 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_errors_list_every_field_and_send_nothing() {
    let sim = sim().await;
    let url = sim.base_url();
    let mut body: serde_json::Value =
        serde_json::from_str(include_str!("../../samples/business.json")).expect("sample");
    body["business"]["email"] = "not-an-email".into();
    body["business"]["contacts"][0]["nationality"] = "Indonesia".into();
    let dir = temp_dir("invalid");
    let path = dir.join("bad.json");
    std::fs::write(&path, serde_json::to_vec(&body).expect("json")).expect("write");
    let before = sim.stats().total_requests;
    let output = doku(&url, &["register", "--json", path.to_str().expect("path")]).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("business.email"), "{stderr}");
    assert!(
        stderr.contains("business.contacts[0].nationality"),
        "{stderr}"
    );
    assert_eq!(
        sim.stats().total_requests,
        before,
        "nothing reached the simulator"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_and_missing_targets_fail_clearly() {
    let sim = sim().await;
    let url = sim.base_url();
    let unknown = doku(&url, &["business", "BRN-0000-404"]).await;
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("404"));

    let output = doku_as(None, PARTNER_SECRET, &["token"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--env"));

    let wrong_secret = doku_as(Some(&url), "SK-wrong", &["token"]).await;
    assert_eq!(wrong_secret.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&wrong_secret.stderr);
    assert!(
        stderr.contains("401") || stderr.contains("signature"),
        "{stderr}"
    );
    assert!(!stderr.contains("SK-wrong"));
    sim.shutdown().await;
}
