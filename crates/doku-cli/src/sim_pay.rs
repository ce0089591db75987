//! `doku sim pay`'s and `doku sim pay-va`'s client: asks a running simulator to pay a Checkout
//! order (`POST {base_url}/doku-sim/v1/pay`) or a SNAP Virtual Account
//! (`POST {base_url}/doku-sim/v1/pay-va`), bounded in time and in the bytes read. It lives in
//! the CLI, not in doku-sim: the simulator is a server, and only these commands talk to one.

use std::time::Duration;

use doku_sim::{PayRequest, PayVaRequest, Payment, VaPayment, PAY_PATH, PAY_VA_PATH};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Longest wait for the simulator's whole answer.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Most bytes of the answer read.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// `http://host:port/prefix` → (`host:port`, `/prefix` without a trailing `/`).
fn split_base_url(base_url: &str) -> Result<(String, String), String> {
    let uri: hyper::Uri = base_url
        .trim_end_matches('/')
        .parse()
        .map_err(|e| format!("--base-url {base_url:?} is not a URL: {e}"))?;
    if uri.scheme_str() != Some("http") {
        return Err(format!(
            "--base-url {base_url:?}: the simulator speaks plain http:// (it has no TLS)"
        ));
    }
    let authority = uri
        .authority()
        .ok_or_else(|| format!("--base-url {base_url:?} has no host"))?;
    let host_port = match authority.port_u16() {
        Some(_) => authority.as_str().to_owned(),
        None => format!("{}:80", authority.as_str()),
    };
    Ok((host_port, uri.path().trim_end_matches('/').to_owned()))
}

/// Why the simulator did not make a payment.
#[derive(Debug)]
pub(crate) enum PayError {
    /// The simulator answered and refused (its own message, e.g. "no Virtual Account …").
    Refused(String),
    /// No usable answer: a bad URL, no simulator listening, a timeout, an unreadable answer.
    Unreachable(String),
}

impl PayError {
    /// The message for stderr; the simulator's text is escaped (it may echo our input).
    pub(crate) fn message(&self) -> String {
        match self {
            Self::Refused(why) => format!(
                "the simulator refused: {}",
                crate::output::escape(why, false)
            ),
            Self::Unreachable(why) => crate::output::escape(why, false),
        }
    }
}

/// Asks the simulator at `base_url` (`http://127.0.0.1:PORT`) to make the payment `request`
/// describes; the error says why it did not (the simulator's own message when it answered).
pub(crate) async fn request_payment(
    base_url: &str,
    request: &PayRequest,
) -> Result<Payment, PayError> {
    post_control(base_url, PAY_PATH, request).await
}

/// Asks the simulator at `base_url` to pay the SNAP Virtual Account `request` names: the
/// simulator then calls the merchant's token endpoint and delivers the SNAP notification.
pub(crate) async fn request_va_payment(
    base_url: &str,
    request: &PayVaRequest,
) -> Result<VaPayment, PayError> {
    post_control(base_url, PAY_VA_PATH, request).await
}

/// `POST {base_url}{path}` with `request` as JSON; the 2xx answer decoded, or why not.
async fn post_control<Q: Serialize, A: DeserializeOwned>(
    base_url: &str,
    path: &str,
    request: &Q,
) -> Result<A, PayError> {
    let (authority, prefix) = split_base_url(base_url).map_err(PayError::Unreachable)?;
    let body =
        Bytes::from(serde_json::to_vec(request).map_err(|e| PayError::Unreachable(e.to_string()))?);
    let http_request = hyper::Request::post(format!("{prefix}{path}"))
        .header(hyper::header::HOST, authority.as_str())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .map_err(|e| PayError::Unreachable(e.to_string()))?;
    let exchange = async {
        let stream = tokio::net::TcpStream::connect(authority.as_str())
            .await
            .map_err(|e| format!("cannot connect to the simulator at {authority}: {e}"))?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| format!("handshake with {authority}: {e}"))?;
        let driver = tokio::spawn(conn);
        let result = async {
            let response = sender
                .send_request(http_request)
                .await
                .map_err(|e| format!("request to {authority}: {e}"))?;
            let status = response.status();
            let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| format!("answer from {authority}: {e}"))?
                .to_bytes();
            Ok::<_, String>((status, bytes))
        }
        .await;
        driver.abort();
        result
    };
    let (status, bytes) = tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| PayError::Unreachable(format!("no answer from {base_url} in {TIMEOUT:?}")))?
        .map_err(PayError::Unreachable)?;
    if status.is_success() {
        return serde_json::from_slice(&bytes)
            .map_err(|e| PayError::Unreachable(format!("unexpected answer: {e}")));
    }
    let why = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {status}"));
    Err(PayError::Refused(why))
}

#[cfg(test)]
mod tests {
    use super::split_base_url;

    #[test]
    fn base_urls_split_into_authority_and_prefix() {
        assert_eq!(
            split_base_url("http://127.0.0.1:8080/").unwrap(),
            ("127.0.0.1:8080".to_owned(), String::new())
        );
        assert_eq!(
            split_base_url("http://localhost/sim").unwrap(),
            ("localhost:80".to_owned(), "/sim".to_owned())
        );
        assert!(split_base_url("https://127.0.0.1:1")
            .unwrap_err()
            .contains("plain http"));
        assert!(split_base_url("not a url").is_err());
    }
}
