//! SNAP's idempotency key: `X-EXTERNAL-ID`, "unique in the same day" per merchant. The first
//! answer to a transaction is recorded under (merchant, Jakarta day, id); what a repeat gets is
//! a reading (`--snap-external-id-repeat`). Bounded: records of an earlier day are forgotten,
//! and at most [`MAX_RECORDS`] / [`MAX_BYTES`] are kept, oldest first.

use std::collections::{HashMap, VecDeque};

use bytes::Bytes;
use http::StatusCode;

/// Most records kept.
pub(crate) const MAX_RECORDS: usize = 100_000;
/// Most answer bytes kept.
pub(crate) const MAX_BYTES: usize = 64 * 1024 * 1024;

type Key = (String, i64, String);

/// A recorded answer.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
}

/// The records.
#[derive(Debug, Default)]
pub(crate) struct ExternalIds {
    records: HashMap<Key, Recorded>,
    order: VecDeque<Key>,
    bytes: usize,
}

/// The Jakarta (UTC+7) day of `unix_seconds`.
pub(crate) fn jakarta_day(unix_seconds: i64) -> i64 {
    unix_seconds.saturating_add(7 * 3600).div_euclid(86_400)
}

impl ExternalIds {
    /// The answer recorded for `client_id`'s `external_id` on `day`.
    pub(crate) fn get(&self, client_id: &str, day: i64, external_id: &str) -> Option<Recorded> {
        self.records
            .get(&(client_id.to_owned(), day, external_id.to_owned()))
            .cloned()
    }

    /// Records an answer (the first one wins), forgetting earlier days and the oldest records
    /// past the bounds.
    pub(crate) fn record(
        &mut self,
        client_id: &str,
        day: i64,
        external_id: &str,
        answer: Recorded,
    ) {
        while let Some(oldest) = self.order.front() {
            let stale = oldest.1 < day;
            let full =
                self.order.len() >= MAX_RECORDS || self.bytes + answer.body.len() > MAX_BYTES;
            if !stale && !full {
                break;
            }
            if let Some(key) = self.order.pop_front() {
                if let Some(gone) = self.records.remove(&key) {
                    self.bytes = self.bytes.saturating_sub(gone.body.len());
                }
            }
        }
        let key = (client_id.to_owned(), day, external_id.to_owned());
        if self.records.contains_key(&key) {
            return;
        }
        self.bytes += answer.body.len();
        self.records.insert(key.clone(), answer);
        self.order.push_back(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_answer_is_kept_for_the_day_and_forgotten_the_next() {
        let mut ids = ExternalIds::default();
        let answer = |b: &'static [u8]| Recorded {
            status: StatusCode::OK,
            body: Bytes::from_static(b),
        };
        let day = jakarta_day(1_704_067_200);
        ids.record("M", day, "1", answer(b"first"));
        ids.record("M", day, "1", answer(b"second"));
        assert_eq!(ids.get("M", day, "1").unwrap().body, "first");
        assert!(ids.get("N", day, "1").is_none());
        ids.record("M", day + 1, "2", answer(b"x"));
        assert!(ids.get("M", day, "1").is_none());
        // 2024-01-01T17:00:00Z is midnight in Jakarta: a new day.
        assert_eq!(jakarta_day(1_704_128_400), jakarta_day(1_704_128_399) + 1);
    }
}
