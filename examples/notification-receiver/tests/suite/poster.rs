//! DOKU's side of a notification exchange for the scale test and the store bench: signed
//! requests posted over kept-alive HTTP/1.1 connections, each answer read whole.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One exchange's bound.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);

/// One kept-alive connection per instance address.
#[derive(Default)]
pub(crate) struct Connections {
    open: Vec<Option<(SocketAddr, TcpStream)>>,
}

impl Connections {
    /// Posts `request` to `addr` (reusing the connection when it is still to `addr`): the
    /// status, 0 when there was no answer.
    pub(crate) async fn post(&mut self, slot: usize, addr: SocketAddr, request: &[u8]) -> u16 {
        if self.open.len() <= slot {
            self.open.resize_with(slot + 1, || None);
        }
        let reuse = matches!(&self.open[slot], Some((a, _)) if *a == addr);
        let mut stream = match (reuse, self.open[slot].take()) {
            (true, Some((_, stream))) => stream,
            _ => match tokio::time::timeout(EXCHANGE_TIMEOUT, TcpStream::connect(addr)).await {
                Ok(Ok(stream)) => stream,
                _ => return 0,
            },
        };
        let _ = stream.set_nodelay(true);
        let answer = tokio::time::timeout(EXCHANGE_TIMEOUT, async {
            stream.write_all(request).await.ok()?;
            read_answer(&mut stream).await
        })
        .await
        .ok()
        .flatten();
        match answer {
            Some(status) => {
                self.open[slot] = Some((addr, stream));
                status
            }
            None => 0,
        }
    }
}

/// Reads one whole answer (head and `Content-Length` body): its status.
async fn read_answer(stream: &mut TcpStream) -> Option<u16> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 2048];
    let head_end = loop {
        if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        seen.extend_from_slice(&buf[..n]);
    };
    let head = std::str::from_utf8(&seen[..head_end]).ok()?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while seen.len() < head_end + length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    Some(status)
}
