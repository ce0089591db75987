//! What the transport's integration tests share: reading a raw HTTP/1.1 request head.

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// Reads one request head (up to the blank line), byte by byte; returns early at end of stream.
pub(crate) async fn read_head(stream: &mut TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap() == 0 {
            return;
        }
        head.push(byte[0]);
    }
}
