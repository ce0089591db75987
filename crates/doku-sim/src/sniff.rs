//! Telling HTTP/1.1 from HTTP/2 (prior knowledge) by the first bytes, under a deadline, and
//! handing those bytes back to the protocol that reads them next.
//!
//! hyper-util's `auto` builder does the same detection but with no time limit, so a peer that
//! connects and sends nothing stayed open for good. Here the caller bounds [`sniff`] with the
//! header-read timeout counted from accept.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use bytes::{Buf as _, Bytes};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, ReadBuf};

/// The HTTP/2 client connection preface (RFC 9113 §3.4).
const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The protocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    Http1,
    Http2,
}

/// Reads until the bytes either diverge from the HTTP/2 preface (HTTP/1.1) or complete it
/// (HTTP/2). `Ok(None)`: the peer closed before sending anything decisive. `heard` is set once
/// any byte has arrived (the peer is not silent).
pub(crate) async fn sniff<S: AsyncRead + Unpin>(
    stream: &mut S,
    heard: &AtomicBool,
) -> io::Result<Option<(Protocol, Bytes)>> {
    let mut buf = [0u8; H2_PREFACE.len()];
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buf[filled..]).await?;
        if n == 0 {
            return Ok(None);
        }
        heard.store(true, Ordering::Release);
        filled += n;
        let read = Bytes::copy_from_slice(&buf[..filled]);
        if buf[..filled] != H2_PREFACE[..filled] {
            return Ok(Some((Protocol::Http1, read)));
        }
        if filled == H2_PREFACE.len() {
            return Ok(Some((Protocol::Http2, read)));
        }
    }
}

/// An I/O object that first yields `prefix`, then reads from `inner`; writes go to `inner`.
#[derive(Debug)]
pub(crate) struct Rewind<T> {
    prefix: Bytes,
    inner: T,
}

impl<T> Rewind<T> {
    pub(crate) fn new(prefix: Bytes, inner: T) -> Self {
        Self { prefix, inner }
    }

    /// The wrapped I/O object (bytes of the prefix not yet read are dropped).
    pub(crate) fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Rewind<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.prefix.is_empty() {
            let n = self.prefix.len().min(buf.remaining());
            buf.put_slice(&self.prefix[..n]);
            self.prefix.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Rewind<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn detects_both_protocols_and_replays_the_bytes() {
        let mut h1: &[u8] = b"GET / HTTP/1.1\r\n\r\n";
        let (p, read) = sniff(&mut h1, &AtomicBool::new(false))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p, Protocol::Http1);
        let mut again = Vec::new();
        Rewind::new(read, h1).read_to_end(&mut again).await.unwrap();
        assert_eq!(again, b"GET / HTTP/1.1\r\n\r\n");

        let mut h2 = [&H2_PREFACE[..], b"rest"].concat();
        let mut src: &[u8] = &h2;
        let (p, read) = sniff(&mut src, &AtomicBool::new(false))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p, Protocol::Http2);
        assert_eq!(&read[..], &H2_PREFACE[..]);
        h2.clear();
        let mut empty: &[u8] = b"";
        assert!(sniff(&mut empty, &AtomicBool::new(false))
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn a_silent_peer_does_not_finish_sniffing() {
        let (_client, mut server) = tokio::io::duplex(64);
        let heard = AtomicBool::new(false);
        let waited = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            sniff(&mut server, &heard),
        )
        .await;
        assert!(waited.is_err(), "sniff returned without any byte");
        assert!(!heard.load(Ordering::Acquire));
    }
}
