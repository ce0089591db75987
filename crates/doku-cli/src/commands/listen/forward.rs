//! `doku listen --forward-to URL`: each notification that verified is passed on to the app being
//! developed — the exact body bytes and the headers its own verification needs — and DOKU is
//! answered with the app's answer.
//!
//! **What DOKU is answered.** The app's status, body and `Content-Type`, as the app sent them: the
//! app decides whether DOKU sees an acknowledgement (a 2xx; for SNAP, the `responseCode` in the
//! body) or retries, exactly as it would if DOKU called it directly, so its error paths are
//! tested too. When the app gives no answer (refused, timed out, an answer over
//! [`MAX_ANSWER_BYTES`]) DOKU is answered `502` and retries. A notification that does not verify
//! is never forwarded: it is refused by `doku listen` itself, with the reason printed.
//!
//! **Headers.** Only [`FORWARDED`] (DOKU's signature headers, Non-SNAP and SNAP, and
//! `Content-Type`), with the spelling DOKU used (`Client-Id`, `X-PARTNER-ID`: some frameworks'
//! header lookups are case-sensitive). `Host` is the app's; hop-by-hop and other headers are
//! dropped. The signature covers the notification URL's path, so the app verifies with the path
//! `doku listen` serves (`--path`, `--snap-path`), whatever `--forward-to`'s path is.
//!
//! **Bounds.** One forward per verified request, made inside that request's handler: no queue,
//! so the connection cap (`--max-connections`) bounds forwards in flight. Each ends within
//! `--forward-timeout` (connect, send, the whole answer), and at most [`MAX_ANSWER_BYTES`] of the
//! app's answer are read.

use std::time::{Duration, Instant};

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, HOST};
use hyper::{Response, StatusCode};

use crate::output::escape;

/// The headers passed on to the app: `Content-Type`, DOKU's Non-SNAP notification headers and
/// its SNAP ones (the bearer `doku listen` issued included: the app sees what DOKU would send).
pub(crate) const FORWARDED: [&str; 13] = [
    "content-type",
    "client-id",
    "request-id",
    "request-timestamp",
    "request-target",
    "signature",
    "digest",
    "authorization",
    "x-timestamp",
    "x-signature",
    "x-partner-id",
    "x-external-id",
    "channel-id",
];

/// Most bytes of the app's answer read (and passed back to DOKU).
pub(crate) const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Where verified notifications are forwarded, and how long the app has to answer.
#[derive(Debug, Clone)]
pub(crate) struct Forward {
    /// The URL as given (printed).
    url: String,
    /// `host:port` to connect to.
    authority: String,
    /// The request target sent (path and query).
    target: String,
    /// Connect, send and the whole answer.
    timeout: Duration,
}

/// The app's answer.
#[derive(Debug)]
pub(crate) struct Answered {
    /// Its HTTP status.
    pub(crate) status: StatusCode,
    /// Its `Content-Type`, if any.
    content_type: Option<HeaderValue>,
    /// Its body (at most [`MAX_ANSWER_BYTES`]).
    body: Bytes,
    /// From the connection attempt to the end of the answer.
    pub(crate) latency: Duration,
}

/// What forwarding one notification came to.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The app answered.
    Answered(Answered),
    /// It did not (refused, timed out, an answer too large or malformed): why, and after how long.
    Failed(String, Duration),
}

impl Forward {
    /// `url` (`http://host:port/path`; plain HTTP only: the app runs on this machine or behind
    /// it) with `timeout` for each forward.
    pub(crate) fn new(url: &str, timeout: Duration) -> Result<Self, String> {
        let uri: hyper::Uri = url
            .parse()
            .map_err(|e| format!("--forward-to {} is not a URL: {e}", escape(url, false)))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!(
                "--forward-to {}: only http:// is forwarded to (your app on this machine)",
                escape(url, false)
            ));
        }
        let host = uri
            .host()
            .ok_or_else(|| format!("--forward-to {} has no host", escape(url, false)))?;
        let port = uri.port_u16().unwrap_or(80);
        let authority = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let target = uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        Ok(Self {
            url: url.to_owned(),
            authority,
            target,
            timeout,
        })
    }

    /// The URL forwarded to.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Sends `body` (the exact bytes received) with the [`FORWARDED`] headers of `parts` (their
    /// spelling kept) to the app; its answer, or why there is none, within the timeout.
    pub(crate) async fn send(&self, parts: &hyper::http::request::Parts, body: &Bytes) -> Outcome {
        let started = Instant::now();
        match tokio::time::timeout(self.timeout, self.exchange(parts, body.clone())).await {
            Ok(Ok(mut answered)) => {
                answered.latency = started.elapsed();
                Outcome::Answered(answered)
            }
            Ok(Err(why)) => Outcome::Failed(why, started.elapsed()),
            Err(_) => Outcome::Failed(
                format!("no answer within {:?}", self.timeout),
                started.elapsed(),
            ),
        }
    }

    /// One HTTP/1.1 exchange with the app.
    async fn exchange(
        &self,
        parts: &hyper::http::request::Parts,
        body: Bytes,
    ) -> Result<Answered, String> {
        let mut request = hyper::Request::post(self.target.as_str())
            .body(Full::new(body))
            .map_err(|e| format!("cannot build the request: {e}"))?;
        // The received spelling of each header name travels in the extensions (hyper's
        // preserve_header_case on both sides).
        *request.extensions_mut() = parts.extensions.clone();
        let headers = request.headers_mut();
        headers.insert(
            HOST,
            HeaderValue::from_str(&self.authority).map_err(|e| format!("Host: {e}"))?,
        );
        for name in FORWARDED {
            let name = HeaderName::from_static(name);
            for value in parts.headers.get_all(&name) {
                headers.append(name.clone(), value.clone());
            }
        }
        let stream = tokio::net::TcpStream::connect(self.authority.as_str())
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", self.authority))?;
        let (mut sender, connection) = hyper::client::conn::http1::Builder::new()
            .preserve_header_case(true)
            .title_case_headers(true)
            .handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake with {}: {e}", self.authority))?;
        let driver = tokio::spawn(connection);
        let result = async {
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| format!("request to {}: {e}", self.authority))?;
            let status = response.status();
            let content_type = response.headers().get(CONTENT_TYPE).cloned();
            let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| format!("the app's answer: {e} (at most {MAX_ANSWER_BYTES} bytes)"))?
                .to_bytes();
            Ok(Answered {
                status,
                content_type,
                body,
                latency: Duration::ZERO,
            })
        }
        .await;
        driver.abort();
        result
    }
}

impl Outcome {
    /// The answer DOKU gets: the app's, or `502` when it gave none (DOKU then retries).
    pub(crate) fn response(&self) -> Response<Full<Bytes>> {
        match self {
            Self::Answered(answered) => {
                let mut response = Response::new(Full::new(answered.body.clone()));
                *response.status_mut() = answered.status;
                if let Some(content_type) = &answered.content_type {
                    response
                        .headers_mut()
                        .insert(CONTENT_TYPE, content_type.clone());
                }
                response
            }
            Self::Failed(..) => {
                let mut response =
                    Response::new(Full::new(Bytes::from_static(b"the app did not answer")));
                *response.status_mut() = StatusCode::BAD_GATEWAY;
                response
            }
        }
    }

    /// The outcome as JSON, for the notification's line on stdout: `{"url","status",
    /// "latency_ms"}` or `{"url","error","latency_ms"}`.
    pub(crate) fn json(&self, forward: &Forward) -> serde_json::Value {
        match self {
            Self::Answered(a) => serde_json::json!({
                "url": forward.url,
                "status": a.status.as_u16(),
                "latency_ms": millis(a.latency),
            }),
            Self::Failed(why, latency) => serde_json::json!({
                "url": forward.url,
                "error": why,
                "latency_ms": millis(*latency),
            }),
        }
    }

    /// One line for people: `→ app http://…: HTTP 200 in 3 ms (answered DOKU 200)`, or why the
    /// app gave no answer (DOKU answered 502).
    pub(crate) fn summary(&self, forward: &Forward) -> String {
        let url = escape(&forward.url, false);
        match self {
            Self::Answered(a) => format!(
                "→ app {url}: HTTP {} in {} ms (DOKU answered {})",
                a.status.as_u16(),
                millis(a.latency),
                a.status.as_u16()
            ),
            Self::Failed(why, latency) => format!(
                "→ app {url}: no answer ({}) after {} ms (DOKU answered 502: it will retry)",
                escape(why, false),
                millis(*latency)
            ),
        }
    }
}

/// Whole milliseconds.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_urls_with_a_host_are_forwarded_to() {
        let forward = Forward::new(
            "http://127.0.0.1:3000/hooks/doku?x=1",
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(forward.authority, "127.0.0.1:3000");
        assert_eq!(forward.target, "/hooks/doku?x=1");
        let bare = Forward::new("http://localhost", Duration::from_secs(1)).unwrap();
        assert_eq!(
            (bare.authority.as_str(), bare.target.as_str()),
            ("localhost:80", "/")
        );
        let v6 = Forward::new("http://[::1]:8/p", Duration::from_secs(1)).unwrap();
        assert_eq!(v6.authority, "[::1]:8");
        for bad in ["https://127.0.0.1/p", "not a url", "/relative"] {
            assert!(Forward::new(bad, Duration::from_secs(1)).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_app_without_an_answer_makes_doku_retry() {
        let failed = Outcome::Failed("refused".to_owned(), Duration::from_millis(2));
        assert_eq!(failed.response().status(), StatusCode::BAD_GATEWAY);
        let forward = Forward::new("http://127.0.0.1:9/p", Duration::from_secs(1)).unwrap();
        assert_eq!(failed.json(&forward)["error"], "refused");
        assert!(failed.summary(&forward).contains("DOKU answered 502"));
    }
}
