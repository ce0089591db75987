//! Requests signed ahead of a benchmark's timed window.

use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;

/// `count` GET requests to one path, signed before a benchmark's timed window: their
/// Request-Ids and `Signature` values packed end to end in two buffers, so a load generator
/// sends slices of them without signing or formatting anything while it is timed.
#[derive(Debug, Clone)]
pub struct PreSigned {
    /// Every Request-Id, [`PreSigned::id_len`] bytes each.
    pub ids: Vec<u8>,
    /// The length of each Request-Id (all have the same).
    pub id_len: usize,
    /// Every `Signature` header value (`HMACSHA256=…`), [`PreSigned::signature_len`] bytes each.
    pub signatures: Vec<u8>,
    /// The length of each `Signature` value.
    pub signature_len: usize,
}

impl PreSigned {
    /// Signs `count` GET requests of `client_id` to `path` at `timestamp`, request `i` with
    /// Request-Id `id(i)`.
    ///
    /// # Panics
    ///
    /// When two ids differ in length (a benchmark's mistake; slices would go astray).
    pub fn new(
        count: usize,
        client_id: &str,
        secret: &str,
        path: &str,
        timestamp: &str,
        id: impl Fn(usize) -> String,
    ) -> Self {
        let key = SecretKey::new(secret);
        let mut batch = Self {
            ids: Vec::new(),
            id_len: 0,
            signatures: Vec::new(),
            signature_len: 0,
        };
        for i in 0..count {
            let request_id = id(i);
            let message = Message {
                client_id,
                request_id: &request_id,
                timestamp,
                target: path,
                body: None,
            };
            let signature = non_snap::sign(&key, Kind::Request, &message).to_string();
            if i == 0 {
                (batch.id_len, batch.signature_len) = (request_id.len(), signature.len());
                batch.ids.reserve(count * batch.id_len);
                batch.signatures.reserve(count * batch.signature_len);
            }
            assert_eq!(request_id.len(), batch.id_len, "Request-Ids of one length");
            batch.ids.extend_from_slice(request_id.as_bytes());
            batch.signatures.extend_from_slice(signature.as_bytes());
        }
        batch
    }

    /// Request `i`'s Request-Id.
    pub fn id(&self, i: usize) -> &[u8] {
        &self.ids[i * self.id_len..(i + 1) * self.id_len]
    }

    /// Request `i`'s `Signature` value.
    pub fn signature(&self, i: usize) -> &[u8] {
        &self.signatures[i * self.signature_len..(i + 1) * self.signature_len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_slice_is_the_signature_of_its_own_request() {
        let batch = PreSigned::new(3, "BRN-1", "k", "/p", "2020-08-11T08:45:42Z", |i| {
            format!("id-{i}")
        });
        for i in 0..3 {
            let id = String::from_utf8(batch.id(i).to_vec()).unwrap();
            assert_eq!(id, format!("id-{i}"));
            let message = Message {
                client_id: "BRN-1",
                request_id: &id,
                timestamp: "2020-08-11T08:45:42Z",
                target: "/p",
                body: None,
            };
            let header = std::str::from_utf8(batch.signature(i)).unwrap();
            let key = SecretKey::new("k");
            assert_eq!(
                non_snap::verify(&key, Kind::Request, &message, header),
                Ok(())
            );
        }
        assert_ne!(batch.signature(0), batch.signature(1));
    }
}
