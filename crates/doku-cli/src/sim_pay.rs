//! `doku sim pay`'s client: asks a running simulator to pay an order
//! (`POST {base_url}/doku-sim/v1/pay`), bounded in time and in the bytes read. It lives in the
//! CLI, not in doku-sim: the simulator is a server, and only this command talks to one.

use std::time::Duration;

use doku_sim::{PayRequest, Payment, PAY_PATH};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;

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

/// Asks the simulator at `base_url` (`http://127.0.0.1:PORT`) to make the payment `request`
/// describes; the error says why it did not (the simulator's own message when it answered).
pub(crate) async fn request_payment(
    base_url: &str,
    request: &PayRequest,
) -> Result<Payment, String> {
    let (authority, prefix) = split_base_url(base_url)?;
    let body = Bytes::from(serde_json::to_vec(request).map_err(|e| e.to_string())?);
    let http_request = hyper::Request::post(format!("{prefix}{PAY_PATH}"))
        .header(hyper::header::HOST, authority.as_str())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(body))
        .map_err(|e| e.to_string())?;
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
        .map_err(|_| format!("no answer from {base_url} in {TIMEOUT:?}"))??;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| format!("unexpected answer: {e}"));
    }
    let why = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {status}"));
    Err(why)
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
