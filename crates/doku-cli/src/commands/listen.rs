//! `doku listen`: a notification receiver for scripts and debugging. Each inbound `POST` to the
//! notification path is verified with [`doku_partner::verify_notification`] (the key looked up by
//! `Client-Id`) and, when it verifies, printed on stdout as one JSON line and answered `200` at
//! once. Refusals are answered `401` (headers, signature, unknown merchant) or `400` (a signed
//! body that is not a notification) and reported on stderr; they never end the command.
//!
//! Bounded: at most [`MAX_CONNECTIONS`] connections at a time, [`MAX_BODY`] bytes of body, and
//! [`READ_TIMEOUT`] to send the request; one request per connection.

use std::collections::HashMap;
use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use doku_partner::{verify_notification, NotificationRefusal, Verified};
use doku_sign::SecretKey;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore};

use crate::credentials::{merchant_id, merchant_key, MERCHANT_KEY_ENV};
use crate::output::escape;
use crate::pay_args::ListenArgs;

/// Connections served at once; more wait in the kernel's accept queue.
pub(crate) const MAX_CONNECTIONS: usize = 64;
/// Largest notification body accepted (DOKU's are a few KiB).
pub(crate) const MAX_BODY: usize = 1024 * 1024;
/// Time a peer has to send its request head and body.
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
    let listener = TcpListener::bind((args.bind, args.port))
        .await
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
    });
    if shared.max == Some(0) {
        return Ok(ExitCode::SUCCESS);
    }
    serve(listener, shared).await
}

/// Serves notifications on `listener` until `shared`'s `max` is reached.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) -> Result<ExitCode, String> {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let permit = tokio::select! {
            () = shared.done.notified() => return Ok(ExitCode::SUCCESS),
            permit = permits.clone().acquire_owned() => permit
                .map_err(|_| "the connection limit was closed".to_owned())?,
        };
        let stream = tokio::select! {
            () = shared.done.notified() => return Ok(ExitCode::SUCCESS),
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    eprintln!("warning: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let shared = shared.clone();
        tokio::spawn(async move {
            // Set by this connection's request when it is the `max`-th verified notification.
            let reached_max = Arc::new(AtomicBool::new(false));
            let service =
                service_fn(|request| handle(request, shared.clone(), reached_max.clone()));
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(READ_TIMEOUT)
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
            // Only the connection that verified the last notification ends the run, and only once
            // its answer is written: the last sender gets its 200 before we exit. (Checking the
            // shared count here instead let a connection that had just answered a refusal see a
            // later connection's count and exit before that one's 200 was written.)
            if reached_max.load(Ordering::SeqCst) {
                shared.done.notify_one();
            }
        });
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
) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.uri().path() != shared.path {
        return Ok(answer(StatusCode::NOT_FOUND, "not the notification path"));
    }
    if request.method() != hyper::Method::POST {
        return Ok(answer(StatusCode::METHOD_NOT_ALLOWED, "POST only"));
    }
    let (parts, body) = request.into_parts();
    let body =
        match tokio::time::timeout(READ_TIMEOUT, Limited::new(body, MAX_BODY).collect()).await {
            Ok(Ok(collected)) => collected.to_bytes(),
            Ok(Err(_)) => {
                eprintln!("refused: body too large or cut off");
                return Ok(answer(StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
            }
            Err(_) => {
                eprintln!("refused: body not sent within {READ_TIMEOUT:?}");
                return Ok(answer(StatusCode::REQUEST_TIMEOUT, "too slow"));
            }
        };
    match verify_notification(&parts.headers, &body, &shared.path, &shared.keys, None) {
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
    // serde_json writes one line and escapes every control character in strings itself.
    value.to_string()
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
    fn key_env_names_one_variable_per_brand() {
        assert_eq!(
            key_env("BRN-0104-1678960841263"),
            "DOKU_MERCHANT_KEY_BRN_0104_1678960841263"
        );
        assert_eq!(key_env("brn.a b"), "DOKU_MERCHANT_KEY_BRN_A_B");
    }
}
