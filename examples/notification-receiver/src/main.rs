//! Runs the notification receiver:
//! `DOKU_CLIENT_ID=… DOKU_SECRET_KEY=… cargo run -p notification-receiver -- 127.0.0.1:8080 notifications.sqlite`.
//!
//! The bounds ([`Limits`]) can be changed from the environment, e.g. for tests:
//! `RECEIVER_MAX_CONNECTIONS`, `RECEIVER_HEADER_READ_TIMEOUT_MS`, `RECEIVER_BODY_READ_TIMEOUT_MS`,
//! `RECEIVER_IDLE_TIMEOUT_MS`, `RECEIVER_STORE_QUEUE`, `RECEIVER_MAX_AGE_SECS` (0: no window).
//! Register each order's amount with `Store::register_order` when the shop creates the payment;
//! a notification for an order not registered is recorded but flagged, not applied.
//!
//! SNAP Virtual Accounts too, when `DOKU_SNAP_DOKU_PUBLIC_KEY_FILE` (DOKU's public key, PEM) and
//! `DOKU_SNAP_PRIVATE_KEY_FILE` (the merchant's private key, PEM; encrypted PKCS#8 with
//! `DOKU_SNAP_PRIVATE_KEY_PASSPHRASE`) are set: the token endpoint and the SNAP notification
//! route are served, acknowledged with `DOKU_SNAP_ACK_CODE` (2002500 by default, or 2002700).

use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use doku_model::snap::{AckCode, ResponseCode};
use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::SecretKey;
use notification_receiver::{
    bind, serve, Limits, Receiver, SnapSide, Store, NOTIFICATION_PATH, SNAP_NOTIFICATION_PATH,
    SNAP_TOKEN_PATH,
};

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
    let keys: HashMap<String, SecretKey> = [(client_id.clone(), SecretKey::new(secret.as_str()))]
        .into_iter()
        .collect();
    let limits = limits_from_env()?;
    let mut receiver = Receiver::new(keys, Store::open(&database)?, limits)?;
    let snap = snap_from_env(&client_id, &secret)?;
    let snap_on = snap.is_some();
    if let Some(snap) = snap {
        receiver = receiver.with_snap(snap);
    }
    let addr = listen
        .parse()
        .map_err(|e| format!("{listen} is not an address: {e}"))?;
    let listener = bind(addr).map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    eprintln!(
        "listening on http://{}{NOTIFICATION_PATH}, recording into {}",
        listener.local_addr()?,
        database.display()
    );
    if snap_on {
        let addr = listener.local_addr()?;
        eprintln!(
            "SNAP: token endpoint http://{addr}{SNAP_TOKEN_PATH}, notifications http://{addr}{SNAP_NOTIFICATION_PATH}"
        );
    }
    serve(listener, receiver).await;
    Ok(())
}

/// The SNAP side, when DOKU's public key and the merchant's private key are configured.
fn snap_from_env(client_id: &str, secret: &str) -> Result<Option<SnapSide>, String> {
    let (Ok(doku_file), Ok(private_file)) = (
        std::env::var("DOKU_SNAP_DOKU_PUBLIC_KEY_FILE"),
        std::env::var("DOKU_SNAP_PRIVATE_KEY_FILE"),
    ) else {
        return Ok(None);
    };
    let read =
        |path: &str| std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"));
    let doku_key = PublicKey::from_pem(&read(&doku_file)?)
        .map_err(|e| format!("DOKU's public key {doku_file}: {e}"))?;
    let pem = read(&private_file)?;
    let private_key = match std::env::var("DOKU_SNAP_PRIVATE_KEY_PASSPHRASE") {
        Ok(passphrase) => PrivateKey::from_pem_encrypted(&pem, passphrase.as_bytes()),
        Err(_) => PrivateKey::from_pem(&pem),
    }
    .map_err(|e| format!("the SNAP private key {private_file}: {e}"))?;
    let mut snap = SnapSide::new(
        doku_key,
        private_key,
        [(client_id.to_owned(), SecretKey::new(secret))],
    );
    if let Ok(code) = std::env::var("DOKU_SNAP_ACK_CODE") {
        let ack = AckCode::from_response_code(&ResponseCode::parse(code.trim()))
            .ok_or_else(|| format!("DOKU_SNAP_ACK_CODE={code} is not 2002500 or 2002700"))?;
        snap = snap.ack_code(ack);
    }
    Ok(Some(snap))
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
