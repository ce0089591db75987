//! Building responses: DOKU-shaped error bodies, response signatures, and the body type
//! that can cut itself short for the truncation fault.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use doku_model::ErrorBody;
use doku_sign::headers;
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use http::{Response, StatusCode};
use hyper::body::{Body, Frame, SizeHint};

/// A response before headers and signature are added.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) content_type: &'static str,
    pub(crate) retry_after: bool,
}

impl Reply {
    /// A JSON answer.
    pub(crate) fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Self {
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Self {
            status,
            body: Bytes::from(body),
            content_type: "application/json",
            retry_after: false,
        }
    }

    /// A JSON answer already serialised.
    pub(crate) fn json_bytes(status: StatusCode, body: Bytes) -> Self {
        Self {
            status,
            body,
            content_type: "application/json",
            retry_after: false,
        }
    }

    /// A DOKU-shaped error: `{"error":{"code":…,"message":…,"type":…}}`.
    pub(crate) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self::error_body(status, ErrorBody::new(code, message))
    }

    /// An error with a prepared body.
    pub(crate) fn error_body(status: StatusCode, body: ErrorBody) -> Self {
        let retry_after = matches!(status.as_u16(), 429 | 503);
        Self {
            retry_after,
            ..Self::json(status, &body)
        }
    }

    /// Answers 409 with a recorded body (idempotent replay).
    pub(crate) fn replay(body: Bytes) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            body,
            content_type: "application/json",
            retry_after: false,
        }
    }
}

/// Who signs the response, and over which target.
pub(crate) struct SignWith<'a> {
    pub(crate) key: &'a SecretKey,
    pub(crate) client_id: &'a str,
    pub(crate) request_id: &'a str,
    pub(crate) target: &'a str,
    /// Whether the string to sign has a `Digest` line over the body.
    pub(crate) digest: bool,
}

/// How the finished response is delivered.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Delivery {
    pub(crate) wrong_signature: bool,
    pub(crate) truncate: bool,
}

/// Adds `Content-Type`, the signature headers (when the caller is identified) and the body.
/// (`delivery.truncate` is applied by the caller, which owns the transport.)
pub(crate) fn finish(
    reply: Reply,
    sign: Option<SignWith<'_>>,
    timestamp: &str,
    delivery: Delivery,
) -> Response<Bytes> {
    let mut builder = Response::builder()
        .status(reply.status)
        .header(CONTENT_TYPE, reply.content_type)
        .header(CONTENT_LENGTH, reply.body.len());
    if reply.retry_after {
        builder = builder.header(RETRY_AFTER, "1");
    }
    if let Some(s) = sign {
        let message = Message {
            client_id: s.client_id,
            request_id: s.request_id,
            timestamp,
            target: s.target,
            body: s.digest.then_some(&reply.body[..]),
        };
        let mut signature = non_snap::sign(s.key, Kind::Response, &message).to_string();
        if delivery.wrong_signature {
            // Sign the wrong thing: still well-formed, but it does not verify.
            let wrong = Message {
                target: "/wrong-target",
                ..message
            };
            signature = non_snap::sign(s.key, Kind::Response, &wrong).to_string();
        }
        let headers = [
            (headers::CLIENT_ID, s.client_id),
            (headers::REQUEST_ID, s.request_id),
            (headers::RESPONSE_TIMESTAMP, timestamp),
            (headers::SIGNATURE, signature.as_str()),
        ];
        for (name, value) in headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                builder = builder.header(name, v);
            }
        }
    }
    builder
        .body(reply.body)
        .unwrap_or_else(|_| Response::new(Bytes::new()))
}

/// The response body: complete, or cut after its first half (then the connection fails).
pub(crate) struct SimBody {
    first: Option<Bytes>,
    full_len: u64,
    cut: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl SimBody {
    pub(crate) fn full(bytes: Bytes) -> Self {
        Self {
            full_len: bytes.len() as u64,
            first: (!bytes.is_empty()).then_some(bytes),
            cut: None,
        }
    }

    pub(crate) fn truncated(bytes: Bytes) -> Self {
        let full_len = bytes.len() as u64;
        let half = bytes.slice(..bytes.len() / 2);
        Self {
            full_len,
            first: Some(half),
            // Pause before failing so the half already written is flushed to the socket.
            cut: Some(Box::pin(tokio::time::sleep(Duration::from_millis(50)))),
        }
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(first) = self.first.take() {
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        match self.cut.as_mut() {
            None => Poll::Ready(None),
            Some(sleep) => match sleep.as_mut().poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(()) => {
                    self.cut = None;
                    Poll::Ready(Some(Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "truncated-body fault",
                    ))))
                }
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.first.is_none() && self.cut.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.full_len)
    }
}
