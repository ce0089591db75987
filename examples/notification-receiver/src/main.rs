//! Runs the notification receiver:
//! `DOKU_CLIENT_ID=… DOKU_SECRET_KEY=… cargo run -p notification-receiver -- 127.0.0.1:8080 notifications.sqlite`.
//!
//! The bounds ([`Limits`]) can be changed from the environment, e.g. for tests:
//! `RECEIVER_MAX_CONNECTIONS`, `RECEIVER_HEADER_READ_TIMEOUT_MS`, `RECEIVER_BODY_READ_TIMEOUT_MS`,
//! `RECEIVER_IDLE_TIMEOUT_MS`, `RECEIVER_STORE_QUEUE`, `RECEIVER_MAX_AGE_SECS` (0: no window).
//! Register each order's amount with `Store::register_order` when the shop creates the payment;
//! a notification for an order not registered is recorded but flagged, not applied.

use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use doku_sign::SecretKey;
use notification_receiver::{bind, serve, Limits, Receiver, Store, NOTIFICATION_PATH};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client_id = std::env::var("DOKU_CLIENT_ID").map_err(|_| "set DOKU_CLIENT_ID")?;
    let secret = std::env::var("DOKU_SECRET_KEY").map_err(|_| "set DOKU_SECRET_KEY")?;
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let database = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "notifications.sqlite".to_owned()),
    );
    let keys: HashMap<String, SecretKey> =
        [(client_id, SecretKey::new(secret))].into_iter().collect();
    let limits = limits_from_env()?;
    let receiver = Receiver::new(keys, Store::open(&database)?, limits)?;
    let addr = listen
        .parse()
        .map_err(|e| format!("{listen} is not an address: {e}"))?;
    let listener = bind(addr).map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    eprintln!(
        "listening on http://{}{NOTIFICATION_PATH}, recording into {}",
        listener.local_addr()?,
        database.display()
    );
    serve(listener, receiver).await;
    Ok(())
}

/// [`Limits::default`], with what the `RECEIVER_*` variables set.
fn limits_from_env() -> Result<Limits, String> {
    let mut limits = Limits::default();
    if let Some(n) = var("RECEIVER_MAX_CONNECTIONS")? {
        limits.max_connections = n;
    }
    if let Some(ms) = var("RECEIVER_HEADER_READ_TIMEOUT_MS")? {
        limits.header_read_timeout = Duration::from_millis(ms);
    }
    if let Some(ms) = var("RECEIVER_BODY_READ_TIMEOUT_MS")? {
        limits.body_read_timeout = Duration::from_millis(ms);
    }
    if let Some(ms) = var("RECEIVER_IDLE_TIMEOUT_MS")? {
        limits.idle_timeout = Duration::from_millis(ms);
    }
    if let Some(n) = var("RECEIVER_STORE_QUEUE")? {
        limits.store_queue = n;
    }
    if let Some(secs) = var::<u32>("RECEIVER_MAX_AGE_SECS")? {
        limits.max_age = (secs > 0).then_some(secs);
    }
    Ok(limits)
}

/// The variable `name` read as a number, if set.
fn var<T: FromStr>(name: &str) -> Result<Option<T>, String> {
    match std::env::var(name) {
        Ok(text) => text
            .parse()
            .map(Some)
            .map_err(|_| format!("{name}={text} is not a number")),
        Err(_) => Ok(None),
    }
}
