//! The client of a running simulator's own paths, for `doku sim pay`, `pay-va`, `trigger`,
//! `deliveries` and `resend`: pays a Checkout order (`POST {base_url}/doku-sim/v1/pay`) or a SNAP
//! Virtual Account (`POST {base_url}/doku-sim/v1/pay-va`), reads the delivery history
//! (`GET {base_url}/doku-sim/v1/deliveries`) and resends a notification
//! (`POST {base_url}/doku-sim/v1/deliveries/{id}/resend`), each bounded in time and in the bytes
//! read. It lives in the CLI, not in doku-sim: the simulator is a server, and only these
//! commands talk to one.

use std::time::Duration;

use doku_sim::{
    Delivery, PayRequest, PayVaRequest, Payment, VaPayment, DELIVERIES_PATH, PAY_PATH, PAY_VA_PATH,
};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Longest wait for the simulator's whole answer, beyond what the request asks it to wait
/// (`wait_seconds`) or what one delivery attempt may take (a resend: 5 s to connect and 10 s for
/// the receiver's answer, the simulator's bounds).
const TIMEOUT: Duration = Duration::from_secs(20);
/// Most bytes of an answer read (the history's 1,000 deliveries with their attempts fit).
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

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

/// Checks that `base_url` names a simulator this client can talk to (plain `http://`, a host).
pub(crate) fn check_base_url(base_url: &str) -> Result<(), String> {
    split_base_url(base_url).map(|_| ())
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
    let timeout = TIMEOUT + Duration::from_secs(request.wait_seconds.unwrap_or(0));
    let body = serde_json::to_vec(request).map_err(|e| PayError::Unreachable(e.to_string()))?;
    exchange(base_url, hyper::Method::POST, PAY_PATH, Some(body), timeout).await
}

/// Asks the simulator at `base_url` to pay the SNAP Virtual Account `request` names: the
/// simulator then calls the merchant's token endpoint and delivers the SNAP notification.
pub(crate) async fn request_va_payment(
    base_url: &str,
    request: &PayVaRequest,
) -> Result<VaPayment, PayError> {
    let timeout = TIMEOUT + Duration::from_secs(request.wait_seconds.unwrap_or(0));
    let body = serde_json::to_vec(request).map_err(|e| PayError::Unreachable(e.to_string()))?;
    exchange(
        base_url,
        hyper::Method::POST,
        PAY_VA_PATH,
        Some(body),
        timeout,
    )
    .await
}

/// The simulator's delivery history: `GET /doku-sim/v1/deliveries` (`?limit=N`: the latest N).
#[derive(Debug, serde::Deserialize, Serialize)]
pub(crate) struct DeliveryList {
    /// The deliveries kept, oldest first.
    pub(crate) deliveries: Vec<Delivery>,
    /// How many the simulator keeps now.
    pub(crate) kept: usize,
    /// How many it keeps at most (the oldest are forgotten first).
    pub(crate) max_kept: usize,
}

/// The latest `limit` deliveries (all kept when `None`) of the simulator at `base_url`.
pub(crate) async fn deliveries(
    base_url: &str,
    limit: Option<usize>,
) -> Result<DeliveryList, PayError> {
    let path = match limit {
        Some(n) => format!("{DELIVERIES_PATH}?limit={n}"),
        None => DELIVERIES_PATH.to_owned(),
    };
    exchange(base_url, hyper::Method::GET, &path, None, TIMEOUT).await
}

/// Asks the simulator at `base_url` to send notification `id` again now; the delivery as it
/// then stands (its last attempt is the resend).
pub(crate) async fn resend(base_url: &str, id: u64) -> Result<Delivery, PayError> {
    let path = format!("{DELIVERIES_PATH}/{id}/resend");
    exchange(base_url, hyper::Method::POST, &path, None, TIMEOUT).await
}

/// `method {base_url}{path}` with `body` as JSON when given; the 2xx answer decoded, or why not
/// (the simulator's own message when it answered otherwise). The whole exchange ends within
/// `timeout`.
async fn exchange<A: DeserializeOwned>(
    base_url: &str,
    method: hyper::Method,
    path: &str,
    body: Option<Vec<u8>>,
    timeout: Duration,
) -> Result<A, PayError> {
    let (authority, prefix) = split_base_url(base_url).map_err(PayError::Unreachable)?;
    let mut builder = hyper::Request::builder()
        .method(method)
        .uri(format!("{prefix}{path}"))
        .header(hyper::header::HOST, authority.as_str());
    if body.is_some() {
        builder = builder.header(hyper::header::CONTENT_TYPE, "application/json");
    }
    let http_request = builder
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .map_err(|e| PayError::Unreachable(e.to_string()))?;
    let round_trip = async {
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
    let (status, bytes) = tokio::time::timeout(timeout, round_trip)
        .await
        .map_err(|_| PayError::Unreachable(format!("no answer from {base_url} in {timeout:?}")))?
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
