//! Shared helpers: an in-process-over-loopback doku-sim and a client pointed at it.
#![allow(dead_code, unused_imports, unreachable_pub, clippy::unwrap_used)]

pub mod needles;
pub mod token_first;

pub use doku_test_support::{keep_alive, onboarded, scripted};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use doku_model::{BusinessRegistrationResponse, Endpoint, FileId, RequestId, UploadFile};
pub use doku_partner::{Call, CheckStatus, GenerateToken, GetBusiness};
use doku_partner::{Client, Config, ConfigBuilder, Environment, Error, RetryPolicy};
use doku_sign::SecretKey;
use doku_sim::{Fault, Sim, SimConfig, SimHandle};
pub use doku_test_support::{
    lite, mandatory_uploads, personal_query, png, registration, PARTNER_CLIENT_ID as CLIENT_ID,
    PARTNER_SECRET as SECRET,
};

/// A simulator on loopback with our credential.
pub async fn sim() -> SimHandle {
    sim_with(SimConfig::builder()).await
}

/// A simulator from a builder (the credential is added here).
pub async fn sim_with(builder: doku_sim::SimConfigBuilder) -> SimHandle {
    let config = builder
        .credential(CLIENT_ID, SecretKey::new(SECRET))
        .build()
        .unwrap();
    Sim::start(config).await.unwrap()
}

/// Fast retries (10 ms doubling, no randomness) so fault tests are quick.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(100))
        .with_jitter(false)
}

/// A config builder pointed at `sim`.
pub fn config(sim: &SimHandle) -> ConfigBuilder {
    config_at(sim.base_url())
}

/// A config builder for the test credential pointed at `base_url`: fast retries, 5 s per
/// attempt.
pub fn config_at(base_url: String) -> ConfigBuilder {
    Config::builder(CLIENT_ID, SecretKey::new(SECRET))
        .environment(Environment::Custom(base_url))
        .retry_policy(fast_retries())
        .attempt_timeout(Duration::from_secs(5))
}

/// A client pointed at `sim`.
pub fn client(sim: &SimHandle) -> Client {
    build(config(sim))
}

/// The client `config` describes (a test's config is always valid).
pub fn build(config: ConfigBuilder) -> Client {
    Client::new(config.build().unwrap()).unwrap()
}

/// A simulator and a client (the default test config) that already holds a token, then `fault`
/// set on `endpoint`: the fault meets the call under test, never the token fetch before it.
pub async fn warm_client_under_fault(endpoint: Endpoint, fault: Fault) -> (SimHandle, Client) {
    warm_client_under_fault_with(|config| config, endpoint, fault).await
}

/// [`warm_client_under_fault`] with the client's config changed by `configure` first.
pub async fn warm_client_under_fault_with(
    configure: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
    endpoint: Endpoint,
    fault: Fault,
) -> (SimHandle, Client) {
    let sim = sim().await;
    let client = build(configure(config(&sim)));
    client.send(GenerateToken::new()).await.unwrap();
    sim.set_fault(endpoint, fault);
    (sim, client)
}

/// One Business Registration named `name` with `files`, with `fault` set on that endpoint first.
pub async fn register_under_fault(
    sim: &SimHandle,
    client: &Client,
    name: &str,
    files: &[FileId],
    fault: Fault,
) -> Result<BusinessRegistrationResponse, Error> {
    sim.set_fault(Endpoint::BusinessRegistration, fault);
    client
        .send(&registration(name, files))
        .await
        .map(|answer| answer.value)
}

/// The status and DOKU error code of an `Error::Api`; panics (failing the test) on any other
/// error.
pub fn api_refusal(err: &Error) -> (u16, Option<&str>) {
    let Error::Api { status, code, .. } = err else {
        panic!("expected Error::Api, got {err:?}")
    };
    (status.as_u16(), code.as_deref())
}

/// A loopback port nothing listens on (a listener bound, then dropped), for connect failures.
pub fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A client pointed at `sim` that requires a valid signature on every answer.
pub fn strict_client(sim: &SimHandle) -> Client {
    // The simulator's 429/503 carry `Retry-After: 1`: honoured, but cut to 20 ms here.
    let config = config(sim)
        .response_signatures(doku_partner::ResponseSignatureMode::Require)
        .retry_policy(fast_retries().with_max_retry_after(Duration::from_millis(20)));
    Client::new(config.build().unwrap()).unwrap()
}

/// A Request-Id generator that counts how many ids it made.
pub fn counting_ids() -> (
    Arc<AtomicUsize>,
    impl Fn() -> RequestId + Send + Sync + 'static,
) {
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    (count, move || {
        c.fetch_add(1, Ordering::SeqCst);
        RequestId::random()
    })
}

/// Uploads the three documents a PERSONAL business of an Indonesian owner needs.
pub async fn upload_mandatory(client: &Client) -> Vec<FileId> {
    upload_all(client, mandatory_uploads()).await
}

/// Uploads each of `uploads` in order; their file ids, in the same order.
pub async fn upload_all(
    client: &Client,
    uploads: impl IntoIterator<Item = UploadFile>,
) -> Vec<FileId> {
    let mut ids = Vec::new();
    for upload in uploads {
        ids.push(client.send(upload).await.unwrap().value.id);
    }
    ids
}

/// This process's resident set size in KiB (`VmRSS` in `/proc/self/status`), where available.
pub fn vm_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A `tracing_subscriber` `MakeWriter` appending every log line to one shared buffer.
#[derive(Clone, Default)]
pub struct LogCapture(Arc<std::sync::Mutex<Vec<u8>>>);

/// The writer handed out by [`LogCapture`].
pub struct LogCaptureWriter(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogCaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogCapture {
    type Writer = LogCaptureWriter;
    fn make_writer(&'a self) -> Self::Writer {
        LogCaptureWriter(self.0.clone())
    }
}

impl LogCapture {
    /// Captures every event and span at TRACE level on this thread until the guard is dropped.
    /// (Tests using it run on the single-threaded test runtime, so the guard covers the client,
    /// the simulator and hyper.)
    pub fn install_trace() -> (Self, tracing::subscriber::DefaultGuard) {
        let capture = Self::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(capture.clone())
            .with_ansi(false)
            .finish();
        (capture, tracing::subscriber::set_default(subscriber))
    }

    /// Everything captured so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Everything captured so far, asserting that the client's call spans are in it (a capture
    /// that missed them would make every "not in the logs" check pass vacuously). Printed to
    /// stderr when `DOKU_DUMP_LOGS` is set.
    pub fn text_with_call_spans(&self) -> String {
        let logs = self.text();
        if std::env::var_os("DOKU_DUMP_LOGS").is_some() {
            eprintln!("{logs}");
        }
        assert!(
            logs.contains("doku_partner.call"),
            "no doku_partner.call span recorded:\n{logs}"
        );
        logs
    }
}
