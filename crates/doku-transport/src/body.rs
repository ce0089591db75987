//! Reading a response body into memory under a size cap.

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Body;

use crate::error::TransportError;

/// Reads `body` to the end, failing with
/// [`TransportError::BodyTooLarge`] as soon as more than `limit` bytes are
/// announced (exact size hint, i.e. `Content-Length`) or received.
///
/// Trailers are ignored; the Partner API does not use them.
pub(crate) async fn read_capped<B>(mut body: B, limit: usize) -> Result<Bytes, TransportError>
where
    B: Body<Data = Bytes, Error = hyper::Error> + Unpin,
{
    let hint = body.size_hint();
    let announced = hint.exact();
    if hint.lower() > limit as u64 {
        return Err(TransportError::BodyTooLarge {
            limit,
            content_length: announced,
        });
    }
    // Allocated only when a second frame comes: a body of one frame (the usual answer) is kept
    // as it came, with no buffer of its own.
    let mut buf = BytesMut::new();
    let mut first: Option<Bytes> = None;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|source| TransportError::Body { source })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let received = first.as_ref().map_or(0, Bytes::len) + buf.len() + data.len();
        if received > limit {
            return Err(TransportError::BodyTooLarge {
                limit,
                content_length: announced,
            });
        }
        // Keep a single-frame body as is (no copy); coalesce otherwise.
        if first.is_none() && buf.is_empty() {
            first = Some(data);
        } else {
            if let Some(f) = first.take() {
                // `lower <= limit`, so the cast cannot truncate.
                buf.reserve((hint.lower() as usize).max(f.len() + data.len()));
                buf.extend_from_slice(&f);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(match first {
        Some(f) => f,
        None => buf.freeze(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::*;
    use http_body_util::Full;
    use hyper::body::Frame;

    fn full(bytes: &'static [u8]) -> impl Body<Data = Bytes, Error = hyper::Error> + Unpin {
        Full::new(Bytes::from_static(bytes)).map_err(|never| match never {})
    }

    /// A body of several data frames with no size hint (like a chunked
    /// response).
    struct Chunks(VecDeque<Bytes>);

    impl Body for Chunks {
        type Data = Bytes;
        type Error = hyper::Error;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
            Poll::Ready(self.0.pop_front().map(|b| Ok(Frame::data(b))))
        }
    }

    fn chunks(parts: &[&'static [u8]]) -> Chunks {
        Chunks(parts.iter().map(|p| Bytes::from_static(p)).collect())
    }

    #[tokio::test]
    async fn reads_a_single_frame_body() {
        let got = read_capped(full(b"hello"), 5).await.unwrap();
        assert_eq!(&got[..], b"hello");
    }

    #[tokio::test]
    async fn coalesces_several_frames() {
        let got = read_capped(chunks(&[b"he", b"", b"ll", b"o"]), 5)
            .await
            .unwrap();
        assert_eq!(&got[..], b"hello");
    }

    #[tokio::test]
    async fn reads_an_empty_body() {
        let got = read_capped(chunks(&[]), 0).await.unwrap();
        assert!(got.is_empty());
    }

    #[tokio::test]
    async fn refuses_an_announced_size_over_the_cap() {
        match read_capped(full(b"hello!"), 5).await {
            Err(TransportError::BodyTooLarge {
                limit: 5,
                content_length: Some(6),
            }) => {}
            other => panic!("expected BodyTooLarge, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn refuses_received_bytes_over_the_cap() {
        match read_capped(chunks(&[b"hel", b"lo!"]), 5).await {
            Err(TransportError::BodyTooLarge {
                limit: 5,
                content_length: None,
            }) => {}
            other => panic!("expected BodyTooLarge, got {other:?}"),
        }
    }
}
