//! `doku listen`: a notification receiver for scripts and debugging. Each inbound `POST` to the
//! notification path is verified with [`doku_partner::verify_notification`] (the key looked up by
//! `Client-Id`) and, when it verifies, printed on stdout as one JSON line and answered `200` at
//! once. Refusals are answered `401` (headers, signature, unknown merchant) or `400` (a signed
//! body that is not a notification) and reported on stderr; they never end the command.
//!
//! Bounded: at most `--max-connections` (64) connections at a time — at the cap the one that has
//! waited longest for its request is closed to make room (see [`slots`]) —, [`MAX_BODY`] bytes of
//! body, `--read-timeout` (10 s) for the request head and again for the body; one request per
//! connection. Body errors are told apart: 413 too large, 408 too slow, 400 cut off or malformed.
//!
//! A `Request-Timestamp` further than `--max-age` (24 h) from now is refused. The window is wide on
//! purpose: DOKU retries a notification 30 minutes, 6 hours and 12 hours after the first attempt
//! and does not say whether a retry is stamped afresh or carries the first attempt's timestamp.
//!
//! What is printed is escaped: control and bidirectional formatting characters in the JSON line
//! are written as `\uXXXX` escapes (still the same JSON value), so a notification cannot reorder
//! or rewrite what a terminal shows.

mod slots;

use std::collections::HashMap;
use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use doku_sign::clock::{Clock as _, SystemClock};

use doku_partner::{verify_notification, NotificationRefusal, Verified};
use doku_sign::notification::Freshness;
use doku_sign::SecretKey;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::credentials::{merchant_id, merchant_key, MERCHANT_KEY_ENV};
use crate::output::{escape, is_bidi_control};
use crate::pay_args::ListenArgs;
use slots::{Slot, Slots};

/// Connections served at once unless `--max-connections` says otherwise.
pub(crate) const MAX_CONNECTIONS: usize = 64;
/// Largest notification body accepted (DOKU's are a few KiB).
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// Time a peer has to send its request head, and then its body, unless `--read-timeout` says
/// otherwise.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The keys of every merchant accepted, by brand id.
pub(crate) type Keys = HashMap<String, SecretKey>;

/// What every connection shares.
pub(crate) struct Shared {
    keys: Keys,
    path: String,
    verified: AtomicU64,
    max: Option<u64>,
    done: Notify,
    /// Where verified notifications go besides stdout (the demo's embedded receiver); a full
    /// channel drops the copy, never blocks the answer.
    sink: Option<tokio::sync::mpsc::Sender<Verified>>,
    /// Whether each verified notification is printed as a JSON line.
    print: bool,
    /// The largest distance between `Request-Timestamp` and now, in seconds; `None` checks none.
    max_age: Option<u32>,
    /// Time for the request head, and again for the body.
    read_timeout: Duration,
    /// Connections served at once.
    max_connections: usize,
}

impl Shared {
    /// A receiver for `keys` at `path` that hands each verified notification to `sink` (not
    /// printed) and serves until dropped.
    pub(crate) fn to_channel(
        keys: Keys,
        path: &str,
        sink: tokio::sync::mpsc::Sender<Verified>,
    ) -> Arc<Self> {
        Arc::new(Self {
            keys,
            path: path.to_owned(),
            verified: AtomicU64::new(0),
            max: None,
            done: Notify::new(),
            sink: Some(sink),
            print: false,
            // The embedded simulator's clock may be offset: no window.
            max_age: None,
            read_timeout: READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        })
    }
}

/// Runs the receiver until `--max-notifications` verified notifications (exit 0).
pub(crate) async fn run(args: ListenArgs) -> Result<ExitCode, String> {
    if !args.path.starts_with('/') {
        return Err(format!(
            "--path {} must start with /",
            escape(&args.path, false)
        ));
    }
    let keys = keys(&args)?;
    let listener = bind(std::net::SocketAddr::new(args.bind, args.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let mut ids: Vec<&str> = keys.keys().map(String::as_str).collect();
    ids.sort_unstable();
    eprintln!(
        "listening on http://{addr}{} for merchant(s) {}",
        escape(&args.path, false),
        escape(&ids.join(", "), false)
    );
    let shared = Arc::new(Shared {
        keys,
        path: args.path,
        verified: AtomicU64::new(0),
        max: args.max_notifications,
        done: Notify::new(),
        sink: None,
        print: true,
        max_age: Some(args.max_age),
        read_timeout: args.read_timeout,
        max_connections: usize::from(args.max_connections),
    });
    if shared.max == Some(0) {
        return Ok(ExitCode::SUCCESS);
    }
    serve(listener, shared).await
}

/// Peers the kernel holds for us while every slot is taken. The usual 128 is too few under a
/// slow-peer attack: with it full, the kernel drops new handshakes and a notification waits for
/// the sender's SYN retransmission (1 s, then 3 s).
const ACCEPT_BACKLOG: u32 = 1024;

/// A listener on `addr` with [`ACCEPT_BACKLOG`].
fn bind(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(ACCEPT_BACKLOG)
}

/// Serves notifications on `listener` until `shared`'s `max` is reached.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) -> Result<ExitCode, String> {
    let slots = Slots::new(shared.max_connections, slots::MIN_WAIT_TO_EVICT);
    loop {
        let stream = tokio::select! {
            () = shared.done.notified() => return Ok(ExitCode::SUCCESS),
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    eprintln!("warning: accept failed: {e}");
                    // Out of descriptors, most likely: free one held by a slow peer.
                    slots.evict_slowest();
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // At the cap, the connection that has waited longest for its request makes room.
        let slot = tokio::select! {
            () = shared.done.notified() => return Ok(ExitCode::SUCCESS),
            slot = slots.admit() => slot,
        };
        tokio::spawn(serve_connection(stream, slot, shared.clone()));
    }
}

/// Serves the one request of a connection; closes it when its head has not arrived within the
/// read timeout, or when it is asked to make room before its request has fully arrived.
async fn serve_connection(stream: tokio::net::TcpStream, slot: Slot, shared: Arc<Shared>) {
    let conn = slot.conn().clone();
    let head_deadline = tokio::time::Instant::now() + shared.read_timeout;
    // Set by this connection's request when it is the `max`-th verified notification.
    let reached_max = Arc::new(AtomicBool::new(false));
    let service = {
        let (shared, conn, reached_max) = (shared.clone(), conn.clone(), reached_max.clone());
        service_fn(move |request| {
            let guard = conn.begin_request();
            let answer = handle(request, shared.clone(), reached_max.clone(), conn.clone());
            async move {
                let answered = answer.await;
                drop(guard);
                answered
            }
        })
    };
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(shared.read_timeout)
        .keep_alive(false)
        .serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    loop {
        tokio::select! {
            _ = &mut connection => break,
            () = conn.evicted() => {
                if conn.is_answering() {
                    // Its request arrived since it was picked: let it finish.
                    conn.spare();
                    continue;
                }
                break;
            }
            // hyper's header timeout starts with the first byte; a silent peer is closed here.
            () = tokio::time::sleep_until(head_deadline), if !conn.in_request() => {
                if conn.in_request() {
                    // The head arrived since this wait began: the body has its own timeout.
                    continue;
                }
                break;
            }
        }
    }
    drop(slot);
    // Only the connection that verified the last notification ends the run, and only once
    // its answer is written: the last sender gets its 200 before we exit. (Checking the
    // shared count here instead let a connection that had just answered a refusal see a
    // later connection's count and exit before that one's 200 was written.)
    if reached_max.load(Ordering::SeqCst) {
        shared.done.notify_one();
    }
}

/// Every merchant whose notifications are accepted: `DOKU_MERCHANT_ID` (key from
/// `DOKU_MERCHANT_KEY` or `--merchant-key-file`) when set, and each `--merchant ID[=FILE]`.
fn keys(args: &ListenArgs) -> Result<Keys, String> {
    let mut keys = Keys::new();
    if let Ok(id) = merchant_id() {
        keys.insert(
            id,
            merchant_key(args.merchant_key_file.as_deref(), MERCHANT_KEY_ENV)?,
        );
    } else if args.merchant_key_file.is_some() {
        return Err("--merchant-key-file needs DOKU_MERCHANT_ID".to_owned());
    }
    for spec in &args.merchants {
        let (id, key) = match spec.split_once('=') {
            Some((id, file)) => (id, merchant_key(Some(file.as_ref()), MERCHANT_KEY_ENV)?),
            None => (spec.as_str(), merchant_key(None, &key_env(spec))?),
        };
        if id.is_empty() {
            return Err("--merchant needs an ID".to_owned());
        }
        keys.insert(id.to_owned(), key);
    }
    if keys.is_empty() {
        return Err(format!(
            "no merchant: set DOKU_MERCHANT_ID and {MERCHANT_KEY_ENV}, or pass --merchant ID[=FILE]"
        ));
    }
    Ok(keys)
}

/// `DOKU_MERCHANT_KEY_<ID>`: the id upper-cased, every character but A-Z and 0-9 as `_`.
pub(crate) fn key_env(id: &str) -> String {
    let suffix: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{MERCHANT_KEY_ENV}_{suffix}")
}

/// Answers one request.
async fn handle(
    request: Request<Incoming>,
    shared: Arc<Shared>,
    reached_max: Arc<AtomicBool>,
    conn: Arc<slots::Conn>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.uri().path() != shared.path {
        return Ok(answer(StatusCode::NOT_FOUND, "not the notification path"));
    }
    if request.method() != hyper::Method::POST {
        return Ok(answer(StatusCode::METHOD_NOT_ALLOWED, "POST only"));
    }
    let (parts, body) = request.into_parts();
    if announced_length(&parts.headers).is_some_and(|n| n > MAX_BODY as u64) {
        eprintln!("refused (413): Content-Length over {MAX_BODY} bytes");
        return Ok(answer(StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
    }
    let read = tokio::time::timeout(shared.read_timeout, Limited::new(body, MAX_BODY).collect());
    let body = match read.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            eprintln!("refused (413): body over {MAX_BODY} bytes");
            return Ok(answer(StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
        }
        Ok(Err(e)) => {
            eprintln!(
                "refused (400): the body could not be read: {}",
                escape(&e.to_string(), false)
            );
            return Ok(answer(StatusCode::BAD_REQUEST, "malformed body"));
        }
        Err(_) => {
            eprintln!(
                "refused (408): body not sent within {:?}",
                shared.read_timeout
            );
            return Ok(answer(StatusCode::REQUEST_TIMEOUT, "too slow"));
        }
    };
    conn.answering();
    let freshness = shared.max_age.map(|tolerance_seconds| Freshness {
        now_unix_seconds: SystemClock.unix_seconds(),
        tolerance_seconds,
    });
    match verify_notification(&parts.headers, &body, &shared.path, &shared.keys, freshness) {
        Ok(verified) => {
            let count = shared.verified.fetch_add(1, Ordering::SeqCst) + 1;
            if shared.max.is_some_and(|max| count > max) {
                // Past the limit (a notification in flight while we stop): DOKU retries it.
                return Ok(answer(StatusCode::SERVICE_UNAVAILABLE, "stopping"));
            }
            if shared.max == Some(count) {
                reached_max.store(true, Ordering::SeqCst);
            }
            if shared.print {
                println!("{}", json_line(&verified));
            }
            if let Some(sink) = &shared.sink {
                let _ = sink.try_send(verified);
            }
            Ok(answer(StatusCode::OK, "OK"))
        }
        Err(refusal) => {
            let status = match refusal {
                NotificationRefusal::Body(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::UNAUTHORIZED,
            };
            eprintln!(
                "refused ({}): {}",
                status.as_u16(),
                escape(&crate::output::chain(&refusal, None), false)
            );
            Ok(answer(status, "refused"))
        }
    }
}

/// One JSON line: who sent it, its dedup key and status, and the typed notification.
fn json_line(verified: &Verified) -> String {
    let value = serde_json::json!({
        "client_id": verified.client_id,
        "request_id": verified.request_id,
        "timestamp": verified.timestamp,
        "invoice_number": verified.notification.order.invoice_number,
        "status": verified.status().as_str(),
        "final": verified.is_final(),
        "dedup_key": verified.dedup_key(),
        "notification": verified.notification,
    });
    escape_json_text(&value.to_string())
}

/// `json` with every character serde_json leaves raw that a terminal acts on (DEL, C1 controls,
/// bidirectional formatting characters such as U+202E) written as a `\uXXXX` escape. Outside
/// strings JSON text has none of them, so the result decodes to the same value.
fn escape_json_text(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_control() || is_bidi_control(c) {
            // Every such character is in the Basic Multilingual Plane: one escape each.
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The `Content-Length` the peer announced, if it is one number.
fn announced_length(headers: &hyper::HeaderMap) -> Option<u64> {
    headers
        .get(hyper::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

fn answer(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_json_escapes_bidi_and_c1_controls_and_keeps_its_value() {
        let value = serde_json::json!({ "invoice": "INV-\u{202e}gpj.exe\u{9b}\u{7f}\u{2066}x\n" });
        let line = escape_json_text(&value.to_string());
        for raw in ['\u{202e}', '\u{9b}', '\u{7f}', '\u{2066}', '\n'] {
            assert!(!line.contains(raw), "{raw:?} printed raw: {line}");
        }
        assert!(line.contains("\\u202e"), "{line}");
        let back: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn key_env_names_one_variable_per_brand() {
        assert_eq!(
            key_env("BRN-0104-1678960841263"),
            "DOKU_MERCHANT_KEY_BRN_0104_1678960841263"
        );
        assert_eq!(key_env("brn.a b"), "DOKU_MERCHANT_KEY_BRN_A_B");
    }
}
