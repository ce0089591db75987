//! Runs the notification receiver: `DOKU_SECRET_KEY=… cargo run -p notification-receiver -- 127.0.0.1:8080`.

use notification_receiver::{router, system_now, Receiver, NOTIFICATION_PATH};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("DOKU_SECRET_KEY").map_err(|_| "set DOKU_SECRET_KEY")?;
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let app = router(Receiver {
        secret_key: secret.as_str().into(),
        now: system_now,
        tolerance_seconds: 300,
    });
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!(
        "listening on http://{}{NOTIFICATION_PATH}",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
