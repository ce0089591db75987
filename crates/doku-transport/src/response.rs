//! The buffered response handed back to callers.

use bytes::Bytes;
use http::{HeaderMap, StatusCode, Version};

/// A fully received HTTP response.
///
/// The body is buffered (and capped) rather than streamed: DOKU's Partner API
/// answers with small JSON documents, and callers need the exact bytes anyway
/// to decode them and, for notifications, to verify signatures over them.
///
/// Any status is a successful transport outcome; interpreting 4xx/5xx is the
/// caller's job.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response {
    /// The HTTP status code.
    pub status: StatusCode,
    /// The HTTP version negotiated for the connection (HTTP/1.1 or HTTP/2).
    pub version: Version,
    /// The response headers.
    pub headers: HeaderMap,
    /// The complete response body.
    pub body: Bytes,
}

impl Response {
    /// Builds a response, e.g. to feed a canned answer to code under test.
    /// The version is HTTP/1.1.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            version: Version::HTTP_11,
            headers,
            body,
        }
    }
}

impl From<Response> for http::Response<Bytes> {
    fn from(r: Response) -> Self {
        let mut out = http::Response::new(r.body);
        *out.status_mut() = r.status;
        *out.version_mut() = r.version;
        *out.headers_mut() = r.headers;
        out
    }
}
