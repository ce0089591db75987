//! Runs the notification receiver:
//! `DOKU_CLIENT_ID=… DOKU_SECRET_KEY=… cargo run -p notification-receiver -- 127.0.0.1:8080 notifications.sqlite`.

use std::collections::HashMap;
use std::path::PathBuf;

use doku_sign::SecretKey;
use notification_receiver::{router, Receiver, Store, NOTIFICATION_PATH};

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
    let app = router(Receiver {
        keys: Box::new(keys),
        store: Store::open(&database)?,
    });
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!(
        "listening on http://{}{NOTIFICATION_PATH}, recording into {}",
        listener.local_addr()?,
        database.display()
    );
    axum::serve(listener, app).await?;
    Ok(())
}
