//! How long the idempotency record keeps an answer: at most an age, a count and a number of
//! bytes; the oldest record goes first when any bound is passed.
//!
//! DOKU does not publish how long a Request-Id is remembered; the simulator needs a bound so a
//! long load test does not grow without limit. This is a difference from DOKU, documented in
//! `docs/simulator.md`.

use std::collections::VecDeque;
use std::time::Duration;

/// Default age after which a record is forgotten: 24 hours.
pub const DEFAULT_IDEMPOTENCY_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// Default number of records kept.
pub const DEFAULT_IDEMPOTENCY_MAX_RECORDS: usize = 100_000;
/// Default bytes of records kept (keys, answer bodies and bookkeeping): 64 MiB.
pub const DEFAULT_IDEMPOTENCY_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Bytes counted per record besides its key (twice: map and queue) and body: the map and queue
/// slots, the fingerprint, the string and `Bytes` headers and allocator rounding. Chosen so the
/// count matches the measured RSS of a recorded Generate Token answer (about 1.1 KiB, see
/// `tests/idempotency_memory.rs` and `docs/reliability.md`).
pub(crate) const RECORD_OVERHEAD_BYTES: usize = 640;

/// The retention bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retention {
    pub(crate) max_age: Duration,
    pub(crate) max_records: usize,
    pub(crate) max_bytes: usize,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            max_age: DEFAULT_IDEMPOTENCY_MAX_AGE,
            max_records: DEFAULT_IDEMPOTENCY_MAX_RECORDS,
            max_bytes: DEFAULT_IDEMPOTENCY_MAX_BYTES,
        }
    }
}

/// Records in the order they were made, with their time (Unix seconds) and size.
#[derive(Debug)]
pub(crate) struct RetentionQueue<K> {
    order: VecDeque<(K, i64, usize)>,
    bytes: usize,
}

impl<K> Default for RetentionQueue<K> {
    fn default() -> Self {
        Self {
            order: VecDeque::new(),
            bytes: 0,
        }
    }
}

impl<K> RetentionQueue<K> {
    /// Notes a record of `bytes` made at `at`.
    pub(crate) fn push(&mut self, key: K, at: i64, bytes: usize) {
        self.bytes += bytes;
        self.order.push_back((key, at, bytes));
    }

    /// The oldest record, if a bound is passed at `now` (too many, too many bytes, or older
    /// than the maximum age); remove it from the map and call again until `None`.
    pub(crate) fn pop_expired(&mut self, policy: &Retention, now: i64) -> Option<K> {
        let (_, at, _) = self.order.front()?;
        let age = now.saturating_sub(*at);
        let too_old = age > 0 && age.unsigned_abs() > policy.max_age.as_secs();
        let over = self.order.len() > policy.max_records || self.bytes > policy.max_bytes;
        if !(too_old || over) {
            return None;
        }
        let (key, _, bytes) = self.order.pop_front()?;
        self.bytes -= bytes;
        Some(key)
    }

    /// Records noted.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }

    /// Bytes noted.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> i64 {
        1_600_000_000 + s
    }

    #[test]
    fn oldest_go_first_by_count_bytes_and_age() {
        let policy = Retention {
            max_age: Duration::from_secs(60),
            max_records: 3,
            max_bytes: 1000,
        };
        let mut q = RetentionQueue::default();
        for i in 0..3 {
            q.push(i, at(i), 100);
        }
        assert_eq!(q.pop_expired(&policy, at(3)), None);
        q.push(3, at(3), 100);
        // Four records, three allowed: the oldest goes.
        assert_eq!(q.pop_expired(&policy, at(3)), Some(0));
        assert_eq!(q.pop_expired(&policy, at(3)), None);
        // Bytes: one large record pushes out older ones until the total fits.
        q.push(4, at(4), 900);
        assert_eq!(q.pop_expired(&policy, at(4)), Some(1));
        assert_eq!(q.pop_expired(&policy, at(4)), Some(2));
        assert_eq!(q.pop_expired(&policy, at(4)), None);
        assert_eq!((q.len(), q.bytes()), (2, 1000));
        // Age: a minute later both are stale.
        assert_eq!(q.pop_expired(&policy, at(64)), Some(3));
        assert_eq!(q.pop_expired(&policy, at(64)), None);
        assert_eq!(q.pop_expired(&policy, at(65)), Some(4));
        assert_eq!((q.len(), q.bytes()), (0, 0));
    }
}
