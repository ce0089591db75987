//! Triggering a payment in a running simulator from another process (what `doku sim pay`
//! does): `POST {base_url}/doku-sim/v1/pay`, bounded in time and in the bytes read.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};

use crate::error::SimError;
use crate::notify::Target;
use crate::pay::{PayRequest, Payment, PAY_PATH};

/// Longest wait for the simulator's whole answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Most bytes of the answer read.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Asks the simulator at `base_url` (`http://127.0.0.1:PORT`) to make the payment `request`
/// describes.
pub async fn request_payment(base_url: &str, request: &PayRequest) -> Result<Payment, SimError> {
    let base = Target::parse(base_url.trim_end_matches('/')).map_err(SimError::Config)?;
    let prefix = base.path().trim_end_matches('/');
    let body = Bytes::from(serde_json::to_vec(request).unwrap_or_default());
    let request = http::Request::post(format!("{prefix}{PAY_PATH}"))
        .header(http::header::HOST, base.authority.as_str())
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .map_err(|e| SimError::Pay(e.to_string()))?;
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(base.authority.as_str()).await?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| SimError::Pay(format!("handshake: {e}")))?;
        let driver = tokio::spawn(conn);
        let result = async {
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| SimError::Pay(format!("request: {e}")))?;
            let status = response.status();
            let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| SimError::Pay(format!("answer: {e}")))?
                .to_bytes();
            Ok::<_, SimError>((status, bytes))
        }
        .await;
        driver.abort();
        result
    };
    let (status, bytes) = tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| SimError::Pay(format!("no answer from {base_url} in {TIMEOUT:?}")))??;
    if status.is_success() {
        return serde_json::from_slice(&bytes)
            .map_err(|e| SimError::Pay(format!("unexpected answer: {e}")));
    }
    let why = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {status}"));
    Err(SimError::Pay(why))
}
