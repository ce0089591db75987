//! A [`SignedRequest`] as the bytes an HTTP/1.1 client writes, for tests that talk to a server over a raw
//! socket (a hostile peer, a child process's listener).

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

#[cfg(test)]
mod tests {
    use crate::Signing;

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
