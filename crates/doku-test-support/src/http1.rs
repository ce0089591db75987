//! HTTP/1.1 on a raw socket, for tests that talk to a server or play one (a hostile peer, a child process's
//! listener): a [`SignedRequest`] as the bytes a client writes, and [`Http1Message`] to tell when what was
//! read so far is a whole message.

use crate::SignedRequest;

impl SignedRequest {
    /// The request as HTTP/1.1 bytes for `host`: request line, `host`, the signature headers, `content-type:
    /// application/json` and `content-length` when there is a body, `connection: close`, then the body.
    pub fn to_http1(&self, host: &str) -> Vec<u8> {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nhost: {host}\r\n",
            self.method, self.target
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !self.body.is_empty() {
            head.push_str(&format!(
                "content-type: application/json\r\ncontent-length: {}\r\n",
                self.body.len()
            ));
        }
        head.push_str("connection: close\r\n\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// An HTTP/1.1 message (request or response) as read from a socket so far: its head, the body bytes that
/// followed it, and the length the head announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Http1Message {
    /// The start line and headers, without the blank line that ends them.
    pub head: String,
    /// What followed the blank line so far (lossily decoded).
    pub body: String,
    /// The `Content-Length` the head announced; 0 when it announced none or one that does not parse.
    pub content_length: usize,
}

impl Http1Message {
    /// The message in `bytes`, once its head is complete (`None` before the blank line arrived).
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n")?;
        let content_length = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().unwrap_or(0))
            })
            .unwrap_or(0);
        Some(Self {
            head: head.to_owned(),
            body: body.to_owned(),
            content_length,
        })
    }

    /// Whether the whole announced body has arrived.
    pub fn is_complete(&self) -> bool {
        self.body.len() >= self.content_length
    }
}

#[cfg(test)]
mod tests {
    use crate::{Http1Message, Signing};

    #[test]
    fn a_message_is_complete_when_its_announced_body_arrived() {
        assert_eq!(
            Http1Message::parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"),
            None
        );
        let partial =
            Http1Message::parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab").unwrap();
        assert_eq!((partial.content_length, partial.body.as_str()), (5, "ab"));
        assert!(!partial.is_complete());
        let whole = Http1Message::parse(b"POST / HTTP/1.1\r\ncontent-length:2\r\n\r\n{}").unwrap();
        assert_eq!(whole.head, "POST / HTTP/1.1\r\ncontent-length:2");
        assert!(whole.is_complete());
        let none = Http1Message::parse(b"HTTP/1.1 204 No Content\r\nX-Length: 9\r\n\r\n").unwrap();
        assert_eq!(none.content_length, 0);
        assert!(none.is_complete());
    }

    #[test]
    fn writes_the_head_then_the_exact_body() {
        let request = Signing {
            path: "/checkout/v1/payment",
            body: b"{\"a\":1.50}",
            ..Signing::default()
        }
        .sign();
        let text = String::from_utf8(request.to_http1("127.0.0.1:9")).unwrap();
        assert!(text.starts_with("POST /checkout/v1/payment HTTP/1.1\r\nhost: 127.0.0.1:9\r\n"));
        assert!(text.contains(&format!("\r\nClient-Id: {}\r\n", crate::PARTNER_CLIENT_ID)));
        assert!(text.contains("\r\ncontent-length: 10\r\n"));
        assert!(text.ends_with("connection: close\r\n\r\n{\"a\":1.50}"));
    }
}
