//! A scripted — and, when asked, hostile — HTTP/1.1 server on loopback, written on raw TCP so it
//! can send what no well-behaved server library would: a garbage status line, huge headers, an
//! endless body, an answer trickled over minutes, terminal escapes in an error message.
//!
//! Each request is parsed just enough (request line, headers, `Content-Length` body), recorded,
//! and answered by the script: `Fn(index, &Seen) -> Reply`, `index` counting requests from 0.
//! Every connection is closed after one answer (`Connection: close`), so each attempt of a
//! client is one connection and one recorded request.
//!
//! Shared by doku-partner's tests and doku-cli's hostile-server suite (feature `servers`).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Largest request head accepted (the client sends well under 8 KiB).
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted (an upload is at most 15 MiB plus multipart framing).
const MAX_BODY: usize = 20 * 1024 * 1024;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target (path and query).
    pub target: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Seen {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The bearer token sent, if any.
    pub fn bearer(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ")
    }

    /// Whether this request carries the four Non-SNAP headers, its Client-Id is `client_id`,
    /// and its signature verifies with `secret` over its path (and body, for a POST).
    pub fn signed_by(&self, client_id: &str, secret: &str) -> bool {
        use doku_sign::non_snap::{self, Kind, Message};
        let (Some(sent_id), Some(request_id), Some(timestamp), Some(signature)) = (
            self.header("client-id"),
            self.header("request-id"),
            self.header("request-timestamp"),
            self.header("signature"),
        ) else {
            return false;
        };
        let message = Message {
            client_id: sent_id,
            request_id,
            timestamp,
            target: self.path(),
            body: (self.method == "POST").then_some(self.body.as_slice()),
        };
        sent_id == client_id
            && non_snap::verify(
                &doku_sign::SecretKey::new(secret),
                Kind::Request,
                &message,
                signature,
            )
            .is_ok()
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A well-formed response, written after `delay`.
    Response {
        /// The status code.
        status: u16,
        /// Extra headers (`Content-Length` and `Connection: close` are added).
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
        /// Wait before writing anything.
        delay: Duration,
    },
    /// These exact bytes, after `delay`, then close.
    Raw {
        /// What to write.
        bytes: Vec<u8>,
        /// Wait before writing.
        delay: Duration,
    },
    /// `head` (status line and headers, ending in an empty line), then zeros until the peer
    /// goes away: a body of any announced size, streamed, never allocated.
    Endless {
        /// The response head.
        head: Vec<u8>,
    },
    /// Never answers; holds the connection until the peer closes it.
    Silent,
}

impl Reply {
    /// A JSON answer with `status`, no signature.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::Response {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// A JSON answer signed the way DOKU signs responses (Non-SNAP, `Kind::Response`, echoing
    /// the request's Client-Id and Request-Id, over `seen`'s path), with the Digest line.
    pub fn signed(status: u16, body: impl Into<Vec<u8>>, seen: &Seen, secret: &str) -> Self {
        let body = body.into();
        let headers = signature_headers(seen, secret, Some(&body));
        Self::Response {
            status,
            headers,
            body,
            delay: Duration::ZERO,
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Self::Response { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// Waits `wait` before answering.
    pub fn after(mut self, wait: Duration) -> Self {
        match &mut self {
            Self::Response { delay, .. } | Self::Raw { delay, .. } => *delay = wait,
            Self::Endless { .. } | Self::Silent => {}
        }
        self
    }

    /// Call `index` of a slow DOKU (once seen to take 357.9 s for one `doku business`): two 503s, then a 401
    /// that makes the client refresh its token, then 401s to every repeat. The waits before
    /// each are `waits` in ms (the 503s, the first 401, the repeats); each answer is signed
    /// with `secret`, carries the code `slow_<status>` and `Retry-After: 0`.
    pub fn slow_503s_then_401(index: usize, seen: &Seen, secret: &str, waits: [u64; 3]) -> Self {
        let (status, wait) = match index {
            0 | 1 => (503, waits[0]),
            2 => (401, waits[1]),
            _ => (401, waits[2]),
        };
        let body = format!(r#"{{"error":{{"code":"slow_{status}","message":"m"}}}}"#);
        Self::signed(status, body, seen, secret)
            .with_header("retry-after", "0")
            .after(Duration::from_millis(wait))
    }
}

/// `Client-Id`, `Request-Id`, `Response-Timestamp` and `Signature` for an answer to `seen`.
pub fn signature_headers(seen: &Seen, secret: &str, body: Option<&[u8]>) -> Vec<(String, String)> {
    use doku_sign::non_snap::{self, Kind, Message};
    let client_id = seen.header("client-id").unwrap_or("").to_owned();
    let request_id = seen.header("request-id").unwrap_or("").to_owned();
    let timestamp = "2024-01-01T00:00:00Z";
    let signature = non_snap::sign(
        &doku_sign::SecretKey::new(secret),
        Kind::Response,
        &Message {
            client_id: &client_id,
            request_id: &request_id,
            timestamp,
            target: seen.path(),
            body,
        },
    );
    vec![
        ("content-type".into(), "application/json".into()),
        ("client-id".into(), client_id),
        ("request-id".into(), request_id),
        ("response-timestamp".into(), timestamp.into()),
        ("signature".into(), signature.to_string()),
    ]
}

type Script = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

/// A running scripted server; stops when dropped.
pub struct Scripted {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Scripted {
    /// Starts a server on 127.0.0.1 answering with `script`.
    pub async fn start(script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let record = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let script = script.clone();
                let record = record.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, &*script, &record).await;
                });
            }
        });
        Self { addr, seen, task }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// The Request-Id of every request received so far, in order.
    pub fn request_ids(&self) -> Vec<String> {
        self.seen()
            .iter()
            .map(|s| s.header("request-id").unwrap_or("").to_owned())
            .collect()
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut stream: TcpStream,
    script: &Script,
    record: &Mutex<Vec<Seen>>,
) -> std::io::Result<()> {
    let Some(seen) = read_request(&mut stream).await? else {
        return Ok(());
    };
    let index = {
        let mut all = record.lock().unwrap();
        all.push(seen.clone());
        all.len() - 1
    };
    match script(index, &seen) {
        Reply::Response {
            status,
            headers,
            body,
            delay,
        } => {
            tokio::time::sleep(delay).await;
            let mut head = format!("HTTP/1.1 {status} Scripted\r\n");
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!(
                "content-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            ));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
        }
        Reply::Raw { bytes, delay } => {
            tokio::time::sleep(delay).await;
            stream.write_all(&bytes).await?;
        }
        Reply::Endless { head } => {
            stream.write_all(&head).await?;
            let zeros = vec![b'0'; 64 * 1024];
            loop {
                stream.write_all(&zeros).await?;
            }
        }
        Reply::Silent => {
            let mut sink = [0u8; 1024];
            while stream.read(&mut sink).await? > 0 {}
        }
    }
    stream.shutdown().await
}

/// Reads one request: head up to the empty line, then `Content-Length` bytes of body.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Seen>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Ok(None);
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let method = request_line.next().unwrap_or("").to_owned();
    let target = request_line.next().unwrap_or("").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BODY);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Ok(Some(Seen {
        method,
        target,
        headers,
        body,
    }))
}
