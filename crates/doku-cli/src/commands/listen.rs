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
//! SNAP (Virtual Accounts), when DOKU's public key and the merchant's private key are given: the
//! token endpoint DOKU calls first and the SNAP notification path ([`snap`]), under the same
//! bounds. A verified SNAP notification is printed as one JSON line (`"scheme":"snap"`, with the
//! form its signature covered) and acknowledged under `--snap-ack-code`; a refusal is answered
//! with DOKU's code (`4012701` bearer, `4012700` signature, …) and reported on stderr.
//!
//! With `--forward-to URL` each notification that verified is passed on to the app being
//! developed (the exact bytes and DOKU's headers) and DOKU is answered with the app's answer; a
//! line on stderr gives the verdict and the app's status and latency ([`forward`]). Refusals —
//! a wrong path or method, a bad signature, a stale timestamp — are printed with the reason and
//! never forwarded.
//!
//! What is printed is escaped: control and bidirectional formatting characters in the JSON line
//! are written as `\uXXXX` escapes (still the same JSON value), so a notification cannot reorder
//! or rewrite what a terminal shows.

pub(crate) mod forward;
mod slots;
pub(crate) mod snap;

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
use crate::output::escape;
use crate::pay_args::ListenArgs;
use slots::{Slot, Slots};
pub(crate) use snap::{SnapReceived, SnapRoutes};

/// Connections served at once unless `--max-connections` says otherwise.
pub(crate) const MAX_CONNECTIONS: usize = 64;
/// Largest notification body accepted (DOKU's are a few KiB).
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// Time a peer has to send its request head, and then its body, unless `--read-timeout` says
/// otherwise.
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The keys of every merchant accepted, by brand id.
pub(crate) type Keys = HashMap<String, SecretKey>;

/// A notification that verified, as handed to an embedded receiver's channel.
pub(crate) enum Received {
    /// A Non-SNAP (Checkout) notification.
    NonSnap(Box<Verified>),
    /// A SNAP Virtual Account payment notification.
    Snap(Box<SnapReceived>),
}

/// What every connection shares.
pub(crate) struct Shared {
    keys: Keys,
    path: String,
    verified: AtomicU64,
    max: Option<u64>,
    done: Notify,
    /// Where verified notifications go besides stdout (the demo's embedded receiver); a full
    /// channel drops the copy, never blocks the answer.
    sink: Option<tokio::sync::mpsc::Sender<Received>>,
    /// The SNAP token endpoint and notification path, when on.
    snap: Option<SnapRoutes>,
    /// Whether each verified notification is printed as a JSON line.
    print: bool,
    /// The largest distance between `Request-Timestamp` and now, in seconds; `None` checks none.
    max_age: Option<u32>,
    /// Time for the request head, and again for the body.
    read_timeout: Duration,
    /// Connections served at once.
    max_connections: usize,
    /// Where verified notifications are forwarded (`--forward-to`), if anywhere.
    forward: Option<forward::Forward>,
}

impl Shared {
    /// A receiver for `keys` at `path` (and the SNAP routes, when given) that hands each
    /// verified notification to `sink` (not printed) and serves until dropped.
    pub(crate) fn to_channel(
        keys: Keys,
        path: &str,
        snap: Option<SnapRoutes>,
        sink: tokio::sync::mpsc::Sender<Received>,
    ) -> Arc<Self> {
        Arc::new(Self {
            keys,
            path: path.to_owned(),
            verified: AtomicU64::new(0),
            max: None,
            done: Notify::new(),
            sink: Some(sink),
            snap,
            print: false,
            // The embedded simulator's clock may be offset: no window.
            max_age: None,
            read_timeout: READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
            forward: None,
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
    let snap = snap_routes(&args, &keys)?;
    let forward = args
        .forward_to
        .as_deref()
        .map(|url| forward::Forward::new(url, args.forward_timeout))
        .transpose()?;
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
    if let Some(snap) = &snap {
        eprintln!(
            "SNAP: token endpoint http://{addr}{}, notifications http://{addr}{} (ack {})",
            escape(&snap.token_path, false),
            escape(&snap.notification_path, false),
            args.snap.snap_ack_code.response_code().as_str()
        );
    }
    if let Some(forward) = &forward {
        eprintln!(
            "forwarding each verified notification to {} (DOKU gets the app's answer)",
            escape(forward.url(), false)
        );
    }
    let shared = Arc::new(Shared {
        keys,
        path: args.path,
        verified: AtomicU64::new(0),
        max: args.max_notifications,
        done: Notify::new(),
        sink: None,
        snap,
        print: true,
        max_age: Some(args.max_age),
        read_timeout: args.read_timeout,
        max_connections: usize::from(args.max_connections),
        forward,
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
        // Header names keep DOKU's spelling when a notification is forwarded.
        .preserve_header_case(true)
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

/// The SNAP routes, when DOKU's public key is given: it needs the merchant's private key, and
/// the three paths must differ.
fn snap_routes(args: &ListenArgs, keys: &Keys) -> Result<Option<SnapRoutes>, String> {
    let snap = &args.snap;
    let Some(doku_key_file) = &snap.doku_public_key else {
        if snap.private_key.snap_private_key.is_some() {
            return Err(
                "--snap-private-key needs --doku-public-key (DOKU's SNAP public key) to turn \
                 the SNAP routes on"
                    .to_owned(),
            );
        }
        return Ok(None);
    };
    let Some(private_key_file) = &snap.private_key.snap_private_key else {
        return Err(
            "--doku-public-key needs --snap-private-key FILE (or DOKU_SNAP_PRIVATE_KEY_FILE): \
             the merchant's key signs the tokens DOKU asks for"
                .to_owned(),
        );
    };
    for (flag, path) in [
        ("--snap-token-path", &snap.snap_token_path),
        ("--snap-path", &snap.snap_path),
    ] {
        if !path.starts_with('/') {
            return Err(format!("{flag} {} must start with /", escape(path, false)));
        }
    }
    if snap.snap_token_path == snap.snap_path
        || snap.snap_token_path == args.path
        || snap.snap_path == args.path
    {
        return Err("--path, --snap-path and --snap-token-path must differ".to_owned());
    }
    let doku_key = crate::credentials::public_key(doku_key_file, "DOKU's SNAP public key")?;
    let private_key = crate::credentials::snap_private_key(
        private_key_file,
        snap.private_key.snap_passphrase_file.as_deref(),
    )?;
    Ok(Some(SnapRoutes::new(
        doku_key,
        private_key,
        keys,
        Some(args.max_age),
        snap.snap_ack_code,
        &snap.snap_token_path,
        &snap.snap_path,
    )))
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
    let route = match (request.uri().path(), &shared.snap) {
        (path, _) if path == shared.path => Route::NonSnap,
        (path, Some(snap)) if path == snap.token_path => Route::SnapToken,
        (path, Some(snap)) if path == snap.notification_path => Route::SnapNotification,
        (path, _) => {
            if shared.print {
                eprintln!(
                    "refused (404): {} {} is not the notification path {}{}",
                    escape(request.method().as_str(), false),
                    escape(path, false),
                    escape(&shared.path, false),
                    not_forwarded(&shared)
                );
            }
            return Ok(answer(StatusCode::NOT_FOUND, "not the notification path"));
        }
    };
    if request.method() != hyper::Method::POST {
        if shared.print {
            eprintln!(
                "refused (405): {} {}: notifications are POSTed{}",
                escape(request.method().as_str(), false),
                escape(request.uri().path(), false),
                not_forwarded(&shared)
            );
        }
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
    match route {
        Route::NonSnap => Ok(non_snap(&parts, &body, &shared, &reached_max).await),
        Route::SnapToken => Ok(snap_token(&parts, &body, &shared)),
        Route::SnapNotification => {
            Ok(snap_notification(&parts, &body, &shared, &reached_max).await)
        }
    }
}

/// `; not forwarded` when `--forward-to` is on (a refusal never reaches the app).
fn not_forwarded(shared: &Shared) -> &'static str {
    if shared.forward.is_some() {
        "; not forwarded"
    } else {
        ""
    }
}

/// With `--forward-to`: the verified notification passed on to the app, its JSON `line` printed
/// with the app's answer added (`"forward"`) and a line on stderr (`verdict`, then the app's
/// status and latency); DOKU gets the app's answer. Without: `None`, nothing done.
async fn forwarded(
    shared: &Shared,
    parts: &hyper::http::request::Parts,
    body: &Bytes,
    line: impl FnOnce() -> String,
    verdict: impl FnOnce() -> String,
) -> Option<Response<Full<Bytes>>> {
    let forward = shared.forward.as_ref()?;
    let outcome = forward.send(parts, body).await;
    if shared.print {
        let line = line();
        let mut value: serde_json::Value =
            serde_json::from_str(&line).unwrap_or(serde_json::Value::Null);
        if let Some(object) = value.as_object_mut() {
            object.insert("forward".to_owned(), outcome.json(forward));
            println!("{}", crate::output::escape_json_text(&value.to_string()));
        } else {
            println!("{line}");
        }
        eprintln!("{} {}", verdict(), outcome.summary(forward));
    }
    Some(outcome.response())
}

/// Which of the receiver's routes a request is for.
#[derive(Debug, Clone, Copy)]
enum Route {
    /// The Non-SNAP notification path (`--path`).
    NonSnap,
    /// The SNAP token endpoint.
    SnapToken,
    /// The SNAP notification path.
    SnapNotification,
}

/// Counts a verified notification; `false` when it is past `--max-notifications` (a
/// notification in flight while we stop: answered 503, DOKU retries it).
fn count_verified(shared: &Shared, reached_max: &AtomicBool) -> bool {
    let count = shared.verified.fetch_add(1, Ordering::SeqCst) + 1;
    if shared.max.is_some_and(|max| count > max) {
        return false;
    }
    if shared.max == Some(count) {
        reached_max.store(true, Ordering::SeqCst);
    }
    true
}

/// A Non-SNAP notification: verified with the `Client-Id`'s key over `--path`; forwarded when
/// `--forward-to` is on.
async fn non_snap(
    parts: &hyper::http::request::Parts,
    body: &Bytes,
    shared: &Shared,
    reached_max: &AtomicBool,
) -> Response<Full<Bytes>> {
    let freshness = shared.max_age.map(|tolerance_seconds| Freshness {
        now_unix_seconds: SystemClock.unix_seconds(),
        tolerance_seconds,
    });
    match verify_notification(&parts.headers, body, &shared.path, &shared.keys, freshness) {
        Ok(verified) => {
            if !count_verified(shared, reached_max) {
                return answer(StatusCode::SERVICE_UNAVAILABLE, "stopping");
            }
            let verdict = || {
                format!(
                    "verified {} {} {}",
                    escape(&verified.client_id, false),
                    escape(&verified.notification.order.invoice_number, false),
                    escape(verified.status().as_str(), false)
                )
            };
            if let Some(response) =
                forwarded(shared, parts, body, || json_line(&verified), verdict).await
            {
                return response;
            }
            if shared.print {
                println!("{}", json_line(&verified));
            }
            if let Some(sink) = &shared.sink {
                let _ = sink.try_send(Received::NonSnap(Box::new(verified)));
            }
            answer(StatusCode::OK, "OK")
        }
        Err(refusal) => {
            let status = match refusal {
                NotificationRefusal::Body(_) => StatusCode::BAD_REQUEST,
                _ => StatusCode::UNAUTHORIZED,
            };
            eprintln!(
                "refused ({}): {}{}",
                status.as_u16(),
                crate::output::chain_line(&refusal, None),
                not_forwarded(shared)
            );
            answer(status, "refused")
        }
    }
}

/// DOKU's SNAP token request: verified with DOKU's public key, answered with our JWT.
fn snap_token(
    parts: &hyper::http::request::Parts,
    body: &Bytes,
    shared: &Shared,
) -> Response<Full<Bytes>> {
    let Some(snap) = &shared.snap else {
        return answer(StatusCode::NOT_FOUND, "not the notification path");
    };
    let reply = snap.token(&parts.headers, body, SystemClock.unix_seconds());
    // The embedded receiver reports a refusal only; `doku listen` every outcome.
    if shared.print || reply.outcome.is_err() {
        eprintln!("{}", snap::token_report(&reply));
    }
    json_answer(reply.status, reply.body)
}

/// A SNAP payment notification: our bearer, then the merchant's HMAC over the signed path
/// (with its query, as DOKU signs it) and the raw bytes; forwarded when `--forward-to` is on
/// (the app's answer then decides the acknowledgement).
async fn snap_notification(
    parts: &hyper::http::request::Parts,
    body: &Bytes,
    shared: &Shared,
    reached_max: &AtomicBool,
) -> Response<Full<Bytes>> {
    let Some(snap) = &shared.snap else {
        return answer(StatusCode::NOT_FOUND, "not the notification path");
    };
    let signed_path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |p| p.as_str());
    match snap.notification(
        signed_path,
        &parts.headers,
        body,
        SystemClock.unix_seconds(),
    ) {
        Ok(received) => {
            if !count_verified(shared, reached_max) {
                return answer(StatusCode::SERVICE_UNAVAILABLE, "stopping");
            }
            if let Some(warning) = received.minified_warning() {
                eprintln!("{warning}");
            }
            let verdict = || format!("verified SNAP {}", escape(&received.client_id, false));
            if let Some(response) =
                forwarded(shared, parts, body, || received.json_line(), verdict).await
            {
                return response;
            }
            let reply = received.reply();
            if shared.print {
                println!("{}", received.json_line());
            }
            if let Some(sink) = &shared.sink {
                let _ = sink.try_send(Received::Snap(Box::new(received)));
            }
            json_answer(reply.status, reply.body)
        }
        Err(refusal) => {
            let reply = refusal.notification_reply();
            eprintln!(
                "refused SNAP notification ({} {}): {}{}",
                reply.status,
                snap::response_code(&reply),
                crate::output::chain_line(&refusal, None),
                not_forwarded(shared)
            );
            json_answer(reply.status, reply.body)
        }
    }
}

/// A SNAP answer: its status (the `responseCode`'s first three digits) and JSON body.
fn json_answer(status: u16, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(doku_partner::SNAP_REPLY_CONTENT_TYPE),
    );
    response
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
    crate::output::escape_json_text(&value.to_string())
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
        let line = crate::output::escape_json_text(&value.to_string());
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
