//! Runs the notification receiver:
//! `DOKU_MERCHANT_ID=… DOKU_MERCHANT_KEY=… cargo run -p notification-receiver -- 127.0.0.1:8080 notifications.sqlite`.
//!
//! The merchant's brand id and shared key (the key DOKU signs its notifications with) come from
//! `DOKU_MERCHANT_ID` and `DOKU_MERCHANT_KEY`, the names the `doku` CLI uses. The older
//! `DOKU_CLIENT_ID` / `DOKU_SECRET_KEY` (the partner's names in the CLI) still work for one
//! release, with a warning.
//!
//! With `DATABASE_URL` set (`postgresql://user:password@host:port/db` or `host=… user=…`) it
//! records into PostgreSQL instead, shared by every instance behind the load balancer (the
//! second argument is then ignored); `RECEIVER_PG_CONNECTIONS` sets the pool (default 8). It
//! does not start without its database.
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
use doku_postgres::notifications::{NotificationsConfig, PgNotifications};
use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::SecretKey;
use notification_receiver::{
    bind, serve, Database, Limits, Receiver, SnapSide, Store, NOTIFICATION_PATH,
    SNAP_NOTIFICATION_PATH, SNAP_TOKEN_PATH,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client_id = merchant_var("DOKU_MERCHANT_ID", "DOKU_CLIENT_ID")?;
    let secret = merchant_var("DOKU_MERCHANT_KEY", "DOKU_SECRET_KEY")?;
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
    let (store, recording_into): (Database, String) = match std::env::var("DATABASE_URL") {
        Ok(url) => {
            let mut config = NotificationsConfig::default().max_waiting(limits.store_queue);
            if let Some(n) = var("RECEIVER_PG_CONNECTIONS")? {
                config = config.connections(n);
            }
            let store = PgNotifications::connect(&url, config)
                .await
                .map_err(|e| format!("the notification store (DATABASE_URL): {e}"))?;
            (store.into(), "PostgreSQL (DATABASE_URL)".to_owned())
        }
        Err(_) => (
            Store::open(&database)?.into(),
            database.display().to_string(),
        ),
    };
    let mut receiver = Receiver::new(keys, store, limits)?;
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
        "listening on http://{}{NOTIFICATION_PATH}, recording into {recording_into}",
        listener.local_addr()?,
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

/// The merchant's variable `name`, else its deprecated name `old` (with a warning on stderr).
fn merchant_var(name: &str, old: &str) -> Result<String, String> {
    let set = |var: &str| std::env::var(var).ok().filter(|v| !v.is_empty());
    if let Some(value) = set(name) {
        return Ok(value);
    }
    if let Some(value) = set(old) {
        eprintln!(
            "warning: {old} is deprecated for the receiver and will stop working in the next \
             release: set {name} (the merchant's; {old} is the partner's in the doku CLI)"
        );
        return Ok(value);
    }
    Err(format!(
        "set DOKU_MERCHANT_ID and DOKU_MERCHANT_KEY (the merchant's brand id and shared key); {name} is missing"
    ))
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
