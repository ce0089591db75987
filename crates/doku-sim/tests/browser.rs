//! The payment page and the dashboard in a real browser: headless Chromium driven through
//! WebDriver (Debian's `chromium` and `chromium-driver`).
//!
//! A merchant creates a Checkout with doku-partner against the simulator, the browser opens
//! `payment.url`, pays with a Virtual Account, lands on the order's `callback_url` (served by this
//! test), the notification arrives at this test's receiver and verifies with doku-partner's
//! `verify_notification` (carrying the Virtual Account number the page showed), then the
//! dashboard shows the delivery and its resend button sends it again.
//!
//! It runs with `cargo test`; without `chromedriver` and Chromium it fails with one line naming
//! the packages to install, unless `DOKU_SKIP_BROWSER=1` is set. Screenshots of the payment page
//! and the dashboard go to `$CARGO_TARGET_TMPDIR/screenshots/`, and to `docs/images/` with
//! `DOKU_UPDATE_SCREENSHOTS=1`. Every wait is bounded; the whole test has 90 seconds.
//!
//! The WebDriver client is the few W3C WebDriver commands the test needs, over hyper (below):
//! fantoccini, the usual crate, depends on `webdriver`, licensed MPL-2.0, which the workspace's
//! licence policy (deny.toml, dev-dependencies included) does not allow.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use doku_model::{CheckoutRequest, ClientId, PaymentMethod};
use doku_partner::{Client, Config, Environment};
use doku_sign::SecretKey;
use doku_sim::{Sim, SimConfig};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

const MERCHANT: &str = "BRN-0204-1754540000001";
const KEY: &str = "SK-browser-test-only";
const NOTIFY_PATH: &str = "/payments/notifications";
const INVOICE: &str = "INV-BROWSER-0001";
const INSTALL: &str = "apt-get install chromium chromium-driver";

/// The executable `name` on `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// `chromedriver` and a Chromium binary, or `None` when either is missing.
fn browser() -> Option<(PathBuf, PathBuf)> {
    let driver = on_path("chromedriver")?;
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find_map(on_path)?;
    Some((driver, chromium))
}

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The few W3C WebDriver commands this test needs.
struct WebDriver {
    http: hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>,
    base: String,
    session: String,
}

/// W3C's key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

async fn call(
    http: &hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> Result<Value, String> {
    let bytes = body.map_or_else(Vec::new, |b| serde_json::to_vec(b).unwrap());
    let request = http::Request::builder()
        .method(method)
        .uri(url)
        .header("Content-Type", "application/json")
        .body(Full::new(Bytes::from(bytes)))
        .unwrap();
    let exchange = async {
        let response = http.request(request).await.map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let value: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        if status.is_success() {
            Ok(value["value"].clone())
        } else {
            Err(format!("{method} {url}: HTTP {status}: {}", value["value"]))
        }
    };
    tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .map_err(|_| format!("{method} {url}: no answer in 30 s"))?
}

impl WebDriver {
    /// Starts a headless Chromium session on the chromedriver at `base`.
    async fn start(base: &str, chromium: &Path) -> Self {
        let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1100", "--hide-scrollbars"],
            },
        }}});
        let value = call(
            &http,
            "POST",
            &format!("{base}/session"),
            Some(&capabilities),
        )
        .await
        .unwrap();
        let session = value["sessionId"].as_str().unwrap().to_owned();
        let driver = Self {
            http,
            base: base.to_owned(),
            session,
        };
        driver
            .post(
                "timeouts",
                &json!({"pageLoad": 20_000, "script": 5_000, "implicit": 0}),
            )
            .await;
        driver
    }

    fn url(&self, command: &str) -> String {
        format!("{}/session/{}/{command}", self.base, self.session)
    }

    async fn post(&self, command: &str, body: &Value) -> Value {
        call(&self.http, "POST", &self.url(command), Some(body))
            .await
            .unwrap()
    }

    async fn get(&self, command: &str) -> Value {
        call(&self.http, "GET", &self.url(command), None)
            .await
            .unwrap()
    }

    async fn goto(&self, url: &str) {
        self.post("url", &json!({ "url": url })).await;
    }

    async fn current_url(&self) -> String {
        self.get("url")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The element matching `css`, waiting (at most 10 s) for it to appear.
    async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let found = call(
                &self.http,
                "POST",
                &self.url("element"),
                Some(&json!({"using": "css selector", "value": css})),
            )
            .await;
            if let Ok(element) = found {
                return element[ELEMENT].as_str().unwrap().to_owned();
            }
            assert!(Instant::now() < deadline, "no element {css} within 10 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        let value = self.get(&format!("element/{element}/text")).await;
        value.as_str().unwrap_or_default().to_owned()
    }

    async fn attribute(&self, css: &str, name: &str) -> String {
        let element = self.find(css).await;
        let value = self
            .get(&format!("element/{element}/attribute/{name}"))
            .await;
        value.as_str().unwrap_or_default().to_owned()
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.post(&format!("element/{element}/click"), &json!({}))
            .await;
    }

    /// Waits (at most 15 s) until the browser is at a URL starting with `prefix`.
    async fn wait_for_url(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let now = self.current_url().await;
            if now.starts_with(prefix) {
                return now;
            }
            assert!(
                Instant::now() < deadline,
                "the browser is at {now}, not {prefix}, after 15 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A PNG of the viewport, saved as `name` under the screenshot folders.
    async fn screenshot(&self, name: &str) {
        let encoded = self.get("screenshot").await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let mut dirs = vec![PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots")];
        if std::env::var("DOKU_UPDATE_SCREENSHOTS").as_deref() == Ok("1") {
            dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/images"));
        }
        for dir in dirs {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(name), &png).unwrap();
        }
    }

    async fn quit(&self) {
        let _ = call(
            &self.http,
            "DELETE",
            &format!("{}/session/{}", self.base, self.session),
            None,
        )
        .await;
    }
}

/// Starts chromedriver on a free loopback port and waits (at most 10 s) until it is ready.
async fn start_chromedriver(driver: &Path) -> (Killed, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver.display()));
    let child = Killed(child);
    let base = format!("http://127.0.0.1:{port}");
    let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(status) = call(&http, "GET", &format!("{base}/status"), None).await {
            if status["ready"] == true {
                return (child, base);
            }
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver not ready within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One request the shop received.
#[derive(Clone)]
struct Seen {
    headers: http::HeaderMap,
    body: Bytes,
}

/// The merchant's side: the notification receiver (200 to every notification) and the page the
/// customer returns to (`/shop/return`).
async fn start_shop() -> (SocketAddr, Arc<Mutex<Vec<Seen>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |req: http::Request<hyper::body::Incoming>| {
                        let log = Arc::clone(&log);
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let (status, page) = match (parts.method.as_str(), parts.uri.path()) {
                                ("POST", NOTIFY_PATH) => {
                                    log.lock().unwrap().push(Seen { headers: parts.headers, body });
                                    (200, "ok")
                                }
                                ("GET", "/shop/return") => (
                                    200,
                                    "<!DOCTYPE html><html><body><h1 id=\"shop\">Back at the shop</h1></body></html>",
                                ),
                                _ => (404, "not found"),
                            };
                            Ok::<_, std::convert::Infallible>(
                                http::Response::builder()
                                    .status(status)
                                    .header("Content-Type", "text/html")
                                    .body(Full::new(Bytes::from_static(page.as_bytes())))
                                    .unwrap(),
                            )
                        }
                    },
                );
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    (addr, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_pays_on_the_payment_page_and_the_dashboard_shows_the_delivery() {
    if std::env::var("DOKU_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browser test skipped: DOKU_SKIP_BROWSER=1");
        return;
    }
    let Some((driver, chromium)) = browser() else {
        panic!("the browser test needs chromedriver and Chromium on PATH: {INSTALL} (or set DOKU_SKIP_BROWSER=1 to skip it)");
    };
    tokio::time::timeout(Duration::from_secs(90), run(&driver, &chromium))
        .await
        .expect("the browser test did not finish within 90 s");
}

async fn run(driver: &Path, chromium: &Path) {
    let (shop, seen) = start_shop().await;
    let sim = Sim::start(
        SimConfig::builder()
            .credential(MERCHANT, SecretKey::new(KEY))
            .notification_url(format!("http://{shop}{NOTIFY_PATH}"))
            .build()
            .unwrap(),
    )
    .await
    .unwrap();

    // The merchant creates the Checkout, as a shop's backend does.
    let client = Client::new(
        Config::builder(MERCHANT, SecretKey::new(KEY))
            .environment(Environment::Custom(sim.base_url()))
            .build()
            .unwrap(),
    )
    .unwrap();
    let merchant = client.merchant(ClientId::new(MERCHANT).unwrap(), SecretKey::new(KEY));
    let mut order = CheckoutRequest::new(25_000, INVOICE)
        .due_in_minutes(60)
        .methods([
            PaymentMethod::from("VIRTUAL_ACCOUNT_BCA"),
            PaymentMethod::from("QRIS"),
        ]);
    let callback = format!("http://{shop}/shop/return");
    order.order.callback_url = Some(callback.clone());
    let created = merchant.send(&order).await.unwrap();
    let payment_url = created.value.payment_url().to_owned();

    let (_chromedriver, base) = start_chromedriver(driver).await;
    let browser = WebDriver::start(&base, chromium).await;

    // The payment page.
    browser.goto(&payment_url).await;
    assert_eq!(browser.text("#amount").await, "Rp 25.000");
    let va = browser
        .attribute("#method-VIRTUAL_ACCOUNT_BCA .code", "data-va")
        .await;
    assert_eq!(va.len(), 16, "a 16-digit Virtual Account number: {va}");
    assert!(browser
        .text("#method-QRIS .qr")
        .await
        .contains("Simulated QR"));
    browser.screenshot("payment-page.png").await;

    // Pay with the Virtual Account: the browser lands on the shop's callback_url.
    browser.click("#method-VIRTUAL_ACCOUNT_BCA button").await;
    let landed = browser.wait_for_url(&callback).await;
    assert_eq!(landed, callback);
    assert_eq!(browser.text("#shop").await, "Back at the shop");

    // The notification arrived and verifies with the merchant's key.
    let first = seen
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("a notification");
    let verified = doku_partner::verify_notification(
        &first.headers,
        &first.body,
        NOTIFY_PATH,
        &SecretKey::new(KEY),
        None,
    )
    .unwrap();
    assert_eq!(verified.client_id, MERCHANT);
    assert_eq!(verified.notification.order.invoice_number, INVOICE);
    let body: Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(body["transaction"]["status"], "SUCCESS");
    assert_eq!(body["channel"]["id"], "VIRTUAL_ACCOUNT_BCA");
    assert_eq!(
        body["virtual_account_info"]["virtual_account_number"], va,
        "the number the page showed"
    );

    // The dashboard shows the order and the delivery.
    browser.goto(&format!("{}/", sim.base_url())).await;
    let row = browser.text("#delivery-1").await;
    assert!(
        row.contains(INVOICE) && row.contains("HTTP 200") && row.contains("delivered"),
        "{row}"
    );
    assert!(browser.text("#orders").await.contains("SUCCESS"));
    assert!(browser.text("#merchants").await.contains(MERCHANT));
    browser.screenshot("dashboard.png").await;

    // Its resend button sends the notification again and comes back to the dashboard.
    browser.click("#delivery-1 button").await;
    browser
        .wait_for_url(&format!("{}/#delivery-1", sim.base_url()))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.lock().unwrap().len() < 2 {
        assert!(
            Instant::now() < deadline,
            "the resend did not arrive in 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sim.delivery(1).unwrap().attempt_count, 2);
    assert!(browser.text("#delivery-1").await.contains("HTTP 200"));

    browser.quit().await;
    sim.shutdown().await;
}
