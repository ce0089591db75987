//! Test helpers: a raw HTTP/1.1 client over a tokio `TcpStream`, a started simulator with a manual
//! clock, request signing (doku-test-support's `Signing`) and the built binary ([`binary`]).
#![allow(dead_code, clippy::unwrap_used, unreachable_pub)]

pub mod binary;
pub mod shapes;

use std::net::SocketAddr;
use std::time::Duration;

use doku_model::Endpoint;
use doku_sign::clock::{Clock as _, ManualClock, SystemClock};
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::timestamp::{format_utc, parse_utc_strict};
use doku_sign::SecretKey;
use doku_sim::{Sim, SimConfig, SimHandle};
use doku_test_support::Signing;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[allow(unused_imports)] // each test binary uses some of them
pub use doku_test_support::{
    png, OTHER_CLIENT_ID as OTHER_CLIENT, OTHER_SECRET, PARTNER_CLIENT_ID as CLIENT_ID,
    PARTNER_SECRET as SECRET, START, START_UNIX, TOKEN_BODY,
};
pub const TOKEN_PATH: &str = Endpoint::Token.path();
pub const FILE_PATH: &str = Endpoint::UploadFile.path();
pub const BUSINESS_PATH: &str = Endpoint::BusinessRegistration.path();
pub const LITE_PATH: &str = Endpoint::BusinessLite.path();

/// The system clock's now as a `Request-Timestamp` (for the binary, which runs on real time).
pub fn now_utc() -> String {
    format_utc(SystemClock.unix_seconds())
}

/// [`CLIENT_ID`]'s four signature headers for a JSON POST of `body` to `target`, at the system
/// clock's now.
pub fn signed_json_headers(request_id: &str, target: &str, body: &[u8]) -> Vec<(String, String)> {
    let timestamp = now_utc();
    let mut headers = as_owned(
        Signing {
            client_id: CLIENT_ID,
            secret: SECRET,
            method: "POST",
            path: target,
            query: None,
            body,
            request_id,
            timestamp: &timestamp,
            sign_query: false,
        }
        .sign()
        .headers,
    );
    headers.push(("Content-Type".to_owned(), "application/json".to_owned()));
    headers
}

/// A request signed by [`CLIENT_ID`] at [`START`] (the manual clock's time), as an
/// `http::Request` for `InProcessSim::handle`: JSON Content-Type, and a bearer when given.
pub fn in_process_request(
    method: &str,
    path: &str,
    query: Option<&str>,
    request_id: &str,
    token: Option<&str>,
    body: &[u8],
) -> http::Request<bytes::Bytes> {
    let signed = Signing {
        client_id: CLIENT_ID,
        secret: SECRET,
        method,
        path,
        query,
        body,
        request_id,
        timestamp: START,
        sign_query: false,
    }
    .sign();
    let mut builder = http::Request::builder().method(method).uri(signed.target);
    for (name, value) in signed.headers {
        builder = builder.header(name, value);
    }
    builder = builder.header("Content-Type", "application/json");
    if let Some(t) = token {
        builder = builder.header("Authorization", format!("Bearer {t}"));
    }
    builder.body(bytes::Bytes::from(signed.body)).unwrap()
}

/// Header pairs with owned names, as [`send`] takes them.
pub fn as_owned(headers: Vec<(&'static str, String)>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

/// A parsed response, or what arrived of it.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the body has the length `Content-Length` announced.
    pub complete: bool,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// Asserts the answer is a refusal with this status and DOKU error code.
    #[track_caller]
    pub fn assert_refused(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.error_code().as_str()),
            (status, code),
            "{}",
            String::from_utf8_lossy(&self.body)
        );
    }

    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Sends one request on a fresh connection (`Connection: close`) and reads until EOF.
/// `None` means the server closed the connection without answering.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Option<RawResponse> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if method != "GET" || !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    // The server may answer (413) before reading everything: ignore write errors.
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), async {
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the simulator did not close the connection in time"
    );
    parse(&buf)
}

fn parse(buf: &[u8]) -> Option<RawResponse> {
    if buf.is_empty() {
        return None;
    }
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = std::str::from_utf8(&buf[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let body = buf[split + 4..].to_vec();
    let declared = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse::<usize>().unwrap());
    let complete = declared.is_none_or(|n| n == body.len());
    Some(RawResponse {
        status,
        headers,
        body,
        complete,
    })
}

/// A started simulator with a manual clock at [`START`] and two clients.
pub struct Fixture {
    pub sim: SimHandle,
    pub clock: ManualClock,
}

pub async fn start() -> Fixture {
    start_with(|b| b).await
}

pub async fn start_with(
    tune: impl FnOnce(doku_sim::SimConfigBuilder) -> doku_sim::SimConfigBuilder,
) -> Fixture {
    let clock = ManualClock::at(START_UNIX);
    let builder = SimConfig::builder()
        .credential(CLIENT_ID, SecretKey::new(SECRET))
        .credential(OTHER_CLIENT, SecretKey::new(OTHER_SECRET))
        .clock(clock.clone());
    let sim = Sim::start(tune(builder).build().unwrap()).await.unwrap();
    Fixture { sim, clock }
}

/// How one request is built: what is signed (a test sets any of it through `Deref`), with the
/// Request-Id and timestamp owned here so a test can put any value there.
#[derive(Clone)]
pub struct Call<'a> {
    /// Client-Id, secret, method, path, query, body, and whether the query is signed; its own
    /// Request-Id and timestamp are ignored.
    pub signing: Signing<'a>,
    pub request_id: String,
    pub timestamp: String,
    pub content_type: Option<&'a str>,
    pub token: Option<&'a str>,
}

impl<'a> std::ops::Deref for Call<'a> {
    type Target = Signing<'a>;
    fn deref(&self) -> &Signing<'a> {
        &self.signing
    }
}

impl std::ops::DerefMut for Call<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.signing
    }
}

impl Fixture {
    pub fn now(&self) -> String {
        format_utc(self.clock.unix_seconds())
    }

    pub fn call<'a>(&self, method: &'a str, path: &'a str, body: &'a [u8]) -> Call<'a> {
        Call {
            signing: Signing {
                client_id: CLIENT_ID,
                secret: SECRET,
                method,
                path,
                body,
                ..Signing::default()
            },
            request_id: uuid::Uuid::new_v4().to_string(),
            timestamp: self.now(),
            content_type: (method != "GET").then_some("application/json"),
            token: None,
        }
    }

    pub async fn send(&self, call: &Call<'_>) -> Option<RawResponse> {
        let signed = Signing {
            request_id: &call.request_id,
            timestamp: &call.timestamp,
            ..call.signing.clone()
        }
        .sign();
        let target = signed.target;
        let mut headers = as_owned(signed.headers);
        if let Some(ct) = call.content_type {
            headers.push(("Content-Type".to_owned(), ct.to_owned()));
        }
        if let Some(t) = call.token {
            headers.push(("Authorization".to_owned(), format!("Bearer {t}")));
        }
        send(self.sim.addr(), call.method, &target, &headers, call.body).await
    }

    /// Sends a fresh Generate Token call (new Request-Id, current time) and returns it with
    /// whatever came back.
    pub async fn send_token_call(&self) -> (Call<'static>, Option<RawResponse>) {
        let call = self.call("POST", TOKEN_PATH, TOKEN_BODY);
        let resp = self.send(&call).await;
        (call, resp)
    }

    /// The status of a fresh Generate Token call.
    pub async fn token_status(&self) -> u16 {
        self.send_token_call().await.1.unwrap().status
    }

    pub async fn token_for(&self, client_id: &str, secret: &str) -> String {
        let mut call = self.call("POST", TOKEN_PATH, TOKEN_BODY);
        call.client_id = client_id;
        call.secret = secret;
        let resp = self.send(&call).await.unwrap();
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
        resp.json()["token"].as_str().unwrap().to_owned()
    }

    pub async fn token(&self) -> String {
        self.token_for(CLIENT_ID, SECRET).await
    }

    /// Uploads `file` (multipart) with the bearer `token`; the (200) answer's JSON.
    pub async fn upload(&self, token: &str, file: doku_model::UploadFile) -> serde_json::Value {
        let body = file.to_multipart("sim-test-boundary").unwrap();
        let mut call = self.call("POST", FILE_PATH, &body.body);
        call.content_type = Some(&body.content_type);
        call.token = Some(token);
        let resp = self.send(&call).await.unwrap();
        assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
        resp.json()
    }
}

/// Checks the response signature headers with `doku-sign` (Kind::Response), with a Digest
/// line over the body (how every POST answer is signed).
pub fn verify_response(
    resp: &RawResponse,
    client_id: &str,
    secret: &str,
    request_id: &str,
    target: &str,
) -> Result<(), doku_sign::Error> {
    verify_response_with(resp, client_id, secret, request_id, target, true)
}

/// Checks the response signature with or without the Digest line (`false`: a GET answer as
/// DOKU's page reads, "Digest only applied for POST").
pub fn verify_response_with(
    resp: &RawResponse,
    client_id: &str,
    secret: &str,
    request_id: &str,
    target: &str,
    digest: bool,
) -> Result<(), doku_sign::Error> {
    let (message, signature) = Message::from_headers(
        Kind::Response,
        |name| resp.header(name),
        target,
        digest.then_some(&resp.body[..]),
    )?;
    assert_eq!(message.client_id, client_id);
    assert_eq!(message.request_id, request_id);
    assert!(
        parse_utc_strict(message.timestamp).is_ok(),
        "{}",
        message.timestamp
    );
    non_snap::verify(&SecretKey::new(secret), Kind::Response, &message, signature)
}

/// Registers a business with one brand through the Partner calls (uploads and registration)
/// and returns the brand's id and the `shared_key` Get Business Data shows for it.
pub async fn register_brand(f: &Fixture) -> (String, String) {
    let token = f.token().await;
    let mut ids = Vec::new();
    for file in doku_test_support::mandatory_uploads() {
        let answer = f.upload(&token, file).await;
        ids.push(answer["id"].as_str().unwrap().to_owned());
    }
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let (brand, resp) = register_then_read(f, &personal_registration(&ids)).await;
    let key = resp.json()["brands"][0]["shared_key"]
        .as_str()
        .unwrap()
        .to_owned();
    (brand, key)
}

/// A PERSONAL Business Registration body (raw JSON, one brand) whose contact's documents are
/// the file ids `ids`.
pub fn personal_registration(ids: &[&str]) -> Vec<u8> {
    let docs: Vec<serde_json::Value> = ids.iter().map(|id| serde_json::json!({"id": id})).collect();
    serde_json::to_vec(&serde_json::json!({"business": {
        "type": "PERSONAL", "legal_entity": "PERSEORANGAN", "name": "Toko Maju",
        "email": "owner@example.com", "phone_calling_code": "62", "phone_number": "81234567890",
        "brands": [{"name": "Toko Maju", "description": "Groceries", "category": "RETAIL"}],
        "addresses": [{"area": "17133 - Kali Baru - Medan Satria - Bekasi - Jawa Barat", "country": "ID", "name": "Jl. Gatot Subroto 20", "is_primary": true}],
        "contacts": [{"name": "Budi", "email": "budi@example.com", "phone_calling_code": "62", "phone_number": "81234567890", "nationality": "ID", "documents": docs}]
    }}))
    .unwrap()
}

/// Sends the Business Registration body `registration`, then Get Business Data of its first
/// brand; returns the brand's id and that (200) answer.
pub async fn register_then_read(f: &Fixture, registration: &[u8]) -> (String, RawResponse) {
    let resp = f
        .send(&f.call("POST", BUSINESS_PATH, registration))
        .await
        .unwrap();
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    let brand = resp.json()["business"]["brands"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = Endpoint::GetBusinessData.path_with(&brand);
    let resp = f.send(&f.call("GET", &path, b"")).await.unwrap();
    assert_eq!(resp.status, 200);
    (brand, resp)
}
