//! What the two notification receivers' attack suites share (`doku listen` and the example
//! receiver): a receiver process started and waited for, DOKU's signed notification as raw
//! HTTP/1.1, a timed exchange, and hostile peers (silent, trickling, stalled mid-body).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

use crate::Signing;

/// A receiver process that printed `listening on http://ADDR/…` as its first stderr line; the
/// rest of its stderr is kept (a full pipe would stall it).
pub struct ListeningProcess {
    /// The process (killed on drop when spawned with `kill_on_drop`).
    pub child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl ListeningProcess {
    /// Spawns `command` (stderr piped) and waits at most `within` for its `listening on` line.
    pub async fn spawn(mut command: Command, within: Duration) -> Self {
        command.stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = tokio::time::timeout(within, lines.next_line())
            .await
            .expect("the receiver printed no line in time")
            .unwrap()
            .expect("the receiver closed stderr");
        let addr = first
            .strip_prefix("listening on http://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("not a `listening on` line: {first}"))
            .parse()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let mut all = sink.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        Self {
            child,
            addr,
            stderr,
        }
    }

    /// Everything it wrote to stderr after the `listening on` line (read in the background, so
    /// what it just wrote may not be there yet: see [`ListeningProcess::stderr_contains`]).
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Whether its stderr comes to contain `needle` within `within`.
    pub async fn stderr_contains(&self, needle: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            if self.stderr().contains(needle) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Now, in Unix seconds (the receivers check `Request-Timestamp` against their own clock).
pub fn now_unix() -> i64 {
    doku_sign::clock::Clock::unix_seconds(&doku_sign::clock::SystemClock)
}

/// A paid notification body of `invoice` (QRIS, DOKU's decimal amount form).
pub fn notification_body(invoice: &str) -> Vec<u8> {
    format!(
        r#"{{"order":{{"invoice_number":"{invoice}","amount":19000.00}},"transaction":{{"status":"SUCCESS","date":"2026-09-30T06:29:46Z"}},"channel":{{"id":"QRIS_DOKU"}}}}"#
    )
    .into_bytes()
}

/// Who signs a notification and where it goes.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    /// The merchant's Client-Id.
    pub client_id: &'a str,
    /// The merchant's key.
    pub key: &'a str,
    /// The notification URL's path (the `Request-Target`).
    pub path: &'a str,
}

impl Sender<'_> {
    /// A whole HTTP/1.1 request: DOKU's notification of `body`, signed at `timestamp` (Unix s).
    pub fn request(&self, body: &[u8], request_id: &str, timestamp: i64) -> Vec<u8> {
        let timestamp = doku_sign::timestamp::format_utc(timestamp);
        let signed = Signing {
            client_id: self.client_id,
            secret: self.key,
            path: self.path,
            body,
            request_id,
            timestamp: &timestamp,
            ..Signing::default()
        }
        .sign();
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: receiver\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.path,
            body.len()
        );
        for (name, value) in signed.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        [head.as_bytes(), body].concat()
    }
}

/// The status code of the next answer on `stream` (`None` if it closed first).
pub async fn read_status(stream: &mut TcpStream) -> Option<u16> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !seen.windows(2).any(|w| w == b"\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    std::str::from_utf8(&seen)
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}

/// Sends `request` on a new connection: the status (0 if none within `limit`) and the time.
pub async fn exchange(addr: SocketAddr, request: &[u8], limit: Duration) -> (u16, Duration) {
    let started = Instant::now();
    let status = tokio::time::timeout(limit, async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        stream.write_all(request).await.ok()?;
        read_status(&mut stream).await
    })
    .await
    .ok()
    .flatten()
    .unwrap_or(0);
    (status, started.elapsed())
}

/// Whether the peer closes `stream` within `limit` (reading and dropping what it sends).
pub async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 1024];
    tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// One hostile peer, reconnecting whenever it is closed, until `stop`: by `kind % 3`, silent;
/// trickling its head a byte every 100 ms; or stalled after 50,000 of the 60,000 body bytes it
/// announced.
pub async fn hostile_peer(addr: SocketAddr, kind: usize, stop: Arc<AtomicBool>) {
    let mut stalled =
        b"POST /payments/notifications HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n"
            .to_vec();
    stalled.resize(stalled.len() + 50_000, b' ');
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        match kind % 3 {
            0 => {
                closed_within(&mut stream, Duration::from_secs(30)).await;
            }
            1 => {
                let _ = stream
                    .write_all(b"POST /payments/notifications HTTP/1.1\r\nX-Slow: ")
                    .await;
                while !stop.load(Ordering::Relaxed) && stream.write_all(b"a").await.is_ok() {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            _ => {
                if stream.write_all(&stalled).await.is_ok() {
                    closed_within(&mut stream, Duration::from_secs(30)).await;
                }
            }
        }
    }
}
