//! Request-Id idempotency: a replay of a processed request gets the original body with 409.
//!
//! The key is (Client-Id, Request-Id); the fingerprint covers method, path, query and the exact
//! body bytes. Only successful (2xx) outcomes are recorded, so a request refused for a fixable
//! reason can be corrected and resent with the same Request-Id. While a request is being
//! processed its key is reserved: a concurrent duplicate gets 429 `request_in_progress`.

use std::collections::HashMap;

use bytes::Bytes;
use sha2::{Digest, Sha256};

/// What identifies "the same request".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint([u8; 32]);

impl Fingerprint {
    pub(crate) fn of(method: &str, path: &str, query: Option<&str>, body: &[u8]) -> Self {
        let mut h = Sha256::new();
        for part in [
            method.as_bytes(),
            path.as_bytes(),
            query.unwrap_or("").as_bytes(),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        h.update(body);
        Self(h.finalize().into())
    }
}

/// A recorded outcome.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) body: Bytes,
}

#[derive(Debug)]
enum Entry {
    InFlight(Fingerprint),
    Done(Fingerprint, Stored),
}

/// The answer of [`IdempotencyStore::begin`].
#[derive(Debug)]
pub(crate) enum Begin {
    /// First time: the key is now reserved; call `finish`.
    Fresh,
    /// Same request already processed: replay this body with 409.
    Replay(Stored),
    /// Same Request-Id, different request.
    Conflict,
    /// Same request still being processed.
    InFlight,
}

#[derive(Debug, Default)]
pub(crate) struct IdempotencyStore {
    entries: HashMap<(String, String), Entry>,
}

impl IdempotencyStore {
    pub(crate) fn begin(&mut self, client_id: &str, request_id: &str, fp: Fingerprint) -> Begin {
        let key = (client_id.to_owned(), request_id.to_owned());
        match self.entries.get(&key) {
            None => {
                self.entries.insert(key, Entry::InFlight(fp));
                Begin::Fresh
            }
            Some(Entry::InFlight(f)) if *f == fp => Begin::InFlight,
            Some(Entry::Done(f, stored)) if *f == fp => Begin::Replay(stored.clone()),
            Some(_) => Begin::Conflict,
        }
    }

    /// Records the outcome (`Some`) or releases the reservation (`None`).
    pub(crate) fn finish(
        &mut self,
        client_id: &str,
        request_id: &str,
        fp: Fingerprint,
        outcome: Option<Stored>,
    ) {
        let key = (client_id.to_owned(), request_id.to_owned());
        match outcome {
            Some(stored) => {
                self.entries.insert(key, Entry::Done(fp, stored));
            }
            None => {
                self.entries.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        let mut s = IdempotencyStore::default();
        let a = Fingerprint::of("POST", "/p", None, b"a");
        let b = Fingerprint::of("POST", "/p", None, b"b");
        assert!(matches!(s.begin("c", "r", a), Begin::Fresh));
        assert!(matches!(s.begin("c", "r", a), Begin::InFlight));
        assert!(matches!(s.begin("c", "r", b), Begin::Conflict));
        s.finish(
            "c",
            "r",
            a,
            Some(Stored {
                body: Bytes::from_static(b"{}"),
            }),
        );
        assert!(matches!(s.begin("c", "r", a), Begin::Replay(_)));
        assert!(matches!(s.begin("c", "r", b), Begin::Conflict));
        assert!(matches!(s.begin("other", "r", b), Begin::Fresh));
        s.finish("other", "r", b, None);
        assert!(matches!(s.begin("other", "r", b), Begin::Fresh));
    }
}
