//! Request-Id idempotency: a replay of a processed request gets the original body with 409.
//!
//! The key is (Client-Id, Request-Id); the fingerprint covers method, path, query and the exact
//! body bytes. Which outcomes are recorded, and whether a different request under a recorded
//! Request-Id is a replay or a conflict, is the [`IdempotencyReading`]: under `ReplayAll`
//! (DOKU's literal words) any recorded Request-Id is answered with its recorded body; under
//! `ReplaySuccesses` only 2xx outcomes are recorded and a different request is a conflict.
//! While a request is being processed its key is reserved: a concurrent duplicate gets 429
//! `request_in_progress`.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use http::StatusCode;
use sha2::{Digest, Sha256};

use crate::readings::IdempotencyReading;
use crate::retention::{Retention, RetentionQueue, RECORD_OVERHEAD_BYTES};
use doku_sign::clock::{Clock, SystemClock};

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

/// Whether an answer with `status` is recorded under `reading`: every final answer (not a
/// 5xx, which says the server failed to decide) for `ReplayAll`, 2xx only for
/// `ReplaySuccesses`.
pub(crate) fn is_recorded(reading: IdempotencyReading, status: StatusCode) -> bool {
    match reading {
        IdempotencyReading::ReplaySuccesses => status.is_success(),
        _ => !status.is_server_error(),
    }
}

pub(crate) struct IdempotencyStore {
    entries: HashMap<(String, String), Entry>,
    /// Forgets the oldest records past the retention bounds (see `retention.rs`).
    retention: Retention,
    recorded: RetentionQueue<(String, String)>,
    clock: Arc<dyn Clock>,
}

impl Default for IdempotencyStore {
    fn default() -> Self {
        Self::new(Retention::default(), Arc::new(SystemClock))
    }
}

impl std::fmt::Debug for IdempotencyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdempotencyStore")
            .field("entries", &self.entries.len())
            .field("retention", &self.retention)
            .field("recorded_bytes", &self.recorded.bytes())
            .finish_non_exhaustive()
    }
}

impl IdempotencyStore {
    /// A store that keeps records within `retention`, aged by `clock`.
    pub(crate) fn new(retention: Retention, clock: Arc<dyn Clock>) -> Self {
        Self {
            entries: HashMap::new(),
            retention,
            recorded: RetentionQueue::default(),
            clock,
        }
    }

    /// Notes a record just made under `key` and forgets the oldest ones past the bounds.
    fn note_recorded(&mut self, key: (String, String), body_len: usize) {
        let bytes = 2 * (key.0.len() + key.1.len()) + body_len + RECORD_OVERHEAD_BYTES;
        self.recorded.push(key, self.clock.unix_seconds(), bytes);
        self.expire();
    }

    /// Forgets records past the retention bounds, oldest first (never one in flight).
    fn expire(&mut self) {
        let now = self.clock.unix_seconds();
        while let Some(key) = self.recorded.pop_expired(&self.retention, now) {
            if matches!(self.entries.get(&key), Some(Entry::Done(..))) {
                self.entries.remove(&key);
            }
        }
    }

    /// Records kept (in flight or done), for tests and measurements.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn begin(
        &mut self,
        reading: IdempotencyReading,
        client_id: &str,
        request_id: &str,
        fp: Fingerprint,
    ) -> Begin {
        self.expire();
        let key = (client_id.to_owned(), request_id.to_owned());
        let replay_any = reading != IdempotencyReading::ReplaySuccesses;
        match self.entries.get(&key) {
            None => {
                self.entries.insert(key, Entry::InFlight(fp));
                Begin::Fresh
            }
            Some(Entry::InFlight(f)) if *f == fp || replay_any => Begin::InFlight,
            Some(Entry::Done(f, stored)) if *f == fp || replay_any => Begin::Replay(stored.clone()),
            Some(_) => Begin::Conflict,
        }
    }

    /// Records `stored` under the key unless something is recorded or in flight there already
    /// (an answer given before processing, such as an injected refusal).
    pub(crate) fn record_if_absent(
        &mut self,
        client_id: &str,
        request_id: &str,
        fp: Fingerprint,
        stored: Stored,
    ) {
        let key = (client_id.to_owned(), request_id.to_owned());
        if self.entries.contains_key(&key) {
            return;
        }
        let body_len = stored.body.len();
        self.entries.insert(key.clone(), Entry::Done(fp, stored));
        self.note_recorded(key, body_len);
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
                let body_len = stored.body.len();
                self.entries.insert(key.clone(), Entry::Done(fp, stored));
                self.note_recorded(key, body_len);
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

    fn stored(body: &'static [u8]) -> Stored {
        Stored {
            body: Bytes::from_static(body),
        }
    }

    /// An empty store and two different requests (bodies `a` and `b`) to the same path.
    fn store_and_two_requests() -> (IdempotencyStore, Fingerprint, Fingerprint) {
        let print = |body: &[u8]| Fingerprint::of("POST", "/p", None, body);
        (IdempotencyStore::default(), print(b"a"), print(b"b"))
    }

    const SUCCESSES: IdempotencyReading = IdempotencyReading::ReplaySuccesses;
    const ALL: IdempotencyReading = IdempotencyReading::ReplayAll;

    #[test]
    fn recorded_statuses_per_reading() {
        for (status, all, successes) in [
            (200, true, true),
            (401, true, false),
            (429, true, false),
            (400, true, false),
            (409, true, false),
            (500, false, false),
            (503, false, false),
        ] {
            let status = StatusCode::from_u16(status).unwrap();
            assert_eq!(is_recorded(ALL, status), all, "{status} replay-all");
            assert_eq!(
                is_recorded(SUCCESSES, status),
                successes,
                "{status} replay-successes"
            );
        }
    }

    /// DOKU's words: a request is identical if it has the same Request-Id.
    #[test]
    fn replay_all_answers_any_request_under_a_recorded_id() {
        let (mut s, a, b) = store_and_two_requests();
        assert!(matches!(s.begin(ALL, "c", "r", a), Begin::Fresh));
        assert!(matches!(s.begin(ALL, "c", "r", b), Begin::InFlight));
        s.finish("c", "r", a, Some(stored(b"{}")));
        assert!(matches!(s.begin(ALL, "c", "r", b), Begin::Replay(_)));
        s.record_if_absent("c", "r", b, stored(b"other"));
        match s.begin(ALL, "c", "r", a) {
            Begin::Replay(stored) => assert_eq!(&stored.body[..], b"{}"),
            other => panic!("{other:?}"),
        }
        s.record_if_absent("c", "fresh", a, stored(b"refused"));
        assert!(matches!(s.begin(ALL, "c", "fresh", a), Begin::Replay(_)));
    }

    #[test]
    fn lifecycle() {
        let (mut s, a, b) = store_and_two_requests();
        assert!(matches!(s.begin(SUCCESSES, "c", "r", a), Begin::Fresh));
        assert!(matches!(s.begin(SUCCESSES, "c", "r", a), Begin::InFlight));
        assert!(matches!(s.begin(SUCCESSES, "c", "r", b), Begin::Conflict));
        s.finish("c", "r", a, Some(stored(b"{}")));
        assert!(matches!(s.begin(SUCCESSES, "c", "r", a), Begin::Replay(_)));
        assert!(matches!(s.begin(SUCCESSES, "c", "r", b), Begin::Conflict));
        assert!(matches!(s.begin(SUCCESSES, "other", "r", b), Begin::Fresh));
        s.finish("other", "r", b, None);
        assert!(matches!(s.begin(SUCCESSES, "other", "r", b), Begin::Fresh));
    }

    #[test]
    fn retention_forgets_the_oldest_records_but_never_one_in_flight() {
        let clock = doku_sign::clock::ManualClock::at(1_704_067_200); // 2024-01-01T00:00:00Z
        let retention = Retention {
            max_age: std::time::Duration::from_secs(60),
            max_records: 2,
            max_bytes: usize::MAX,
        };
        let mut s = IdempotencyStore::new(retention, Arc::new(clock.clone()));
        let fp = Fingerprint::of("POST", "/p", None, b"");
        for r in ["r0", "r1", "r2"] {
            assert!(matches!(s.begin(ALL, "c", r, fp), Begin::Fresh));
            s.finish("c", r, fp, Some(stored(b"{}")));
        }
        // Two kept: r0 was forgotten, r1 and r2 replay.
        assert_eq!(s.len(), 2);
        assert!(matches!(s.begin(ALL, "c", "r2", fp), Begin::Replay(_)));
        assert!(matches!(s.begin(ALL, "c", "r0", fp), Begin::Fresh));
        // r0 is now in flight; age passes for every record: the done ones go, r0 stays.
        clock.advance(120);
        assert!(matches!(s.begin(ALL, "c", "r9", fp), Begin::Fresh));
        assert!(matches!(s.begin(ALL, "c", "r0", fp), Begin::InFlight));
        assert_eq!(s.len(), 2, "only the two in flight remain");
    }
}
