//! `X-EXTERNAL-ID`: SNAP's idempotency key, "numeric string, unique in the same day".
//!
//! A generated id is 32 digits: the 13-digit Unix time in milliseconds, then 19 digits that
//! are a per-process bijection of a per-process counter, `(seed + counter × step) mod 10¹⁹`,
//! with `seed` and `step` drawn at random once per process (`step` coprime with 10, so the map
//! is a bijection). No coordination between processes is needed:
//!
//! - **One process never repeats an id** (until 10¹⁹ ids): distinct counters give distinct
//!   suffixes, whatever the clock does.
//! - **Two processes** collide only when they write the same millisecond prefix and the same
//!   suffix. For independent random seeds each suffix is uniform over 10¹⁹ values, so among
//!   processes that together issue `n` ids within one millisecond the chance of any collision
//!   is at most `n² / 2 / 10¹⁹` — for 10⁶ ids in one millisecond, 5 × 10⁻⁸; ids of different
//!   milliseconds never collide.
//!
//! The same id is sent on every attempt of one call; a caller repeating a call whose outcome
//! is unknown passes the first call's id ([`SnapCall::external_id`](crate::SnapCall::external_id)).

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Longest `X-EXTERNAL-ID` accepted: DOKU states none; other SNAP providers state 36.
pub const MAX_EXTERNAL_ID_LEN: usize = 36;

/// Digits of a generated id's random part.
const SUFFIX_DIGITS: u32 = 19;
const SUFFIX_MODULUS: u128 = 10u128.pow(SUFFIX_DIGITS);

/// A SNAP `X-EXTERNAL-ID`: 1 to 36 ASCII digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExternalId(String);

impl ExternalId {
    /// `id` if it is 1 to [`MAX_EXTERNAL_ID_LEN`] ASCII digits.
    ///
    /// # Errors
    ///
    /// A message naming the problem.
    pub fn new(id: impl Into<String>) -> Result<Self, String> {
        let id = id.into();
        if id.is_empty() || id.len() > MAX_EXTERNAL_ID_LEN {
            return Err(format!(
                "an X-EXTERNAL-ID has 1 to {MAX_EXTERNAL_ID_LEN} digits, not {}",
                id.len()
            ));
        }
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err("an X-EXTERNAL-ID is a numeric string (digits only)".to_owned());
        }
        Ok(Self(id))
    }

    /// A fresh id for a call made at `unix_millis`: 13 digits of milliseconds, then 19 digits
    /// unique within this process (see the module docs for the collision bound).
    pub fn generate(unix_millis: u64) -> Self {
        let millis = unix_millis % 10_000_000_000_000;
        Self(format!(
            "{millis:013}{:019}",
            Sequence::process().next_suffix()
        ))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExternalId({})", self.0)
    }
}

impl fmt::Display for ExternalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for ExternalId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// The per-process sequence of suffixes: a random affine bijection of a counter mod 10¹⁹.
struct Sequence {
    seed: u128,
    step: u128,
    counter: AtomicU64,
}

impl Sequence {
    fn process() -> &'static Self {
        static SEQUENCE: OnceLock<Sequence> = OnceLock::new();
        SEQUENCE.get_or_init(|| {
            let mut random = fastrand::Rng::new();
            let seed = u128::from(random.u64(..)) % SUFFIX_MODULUS;
            // Coprime with 10¹⁹ (odd, not a multiple of 5): multiplication by it permutes.
            let mut step = (u128::from(random.u64(..)) % SUFFIX_MODULUS) | 1;
            while step % 5 == 0 {
                step += 2;
            }
            Self::with(seed, step)
        })
    }

    fn with(seed: u128, step: u128) -> Self {
        Self {
            seed,
            step,
            counter: AtomicU64::new(0),
        }
    }

    fn next_suffix(&self) -> u128 {
        let n = u128::from(self.counter.fetch_add(1, Ordering::Relaxed));
        (self.seed + n * self.step % SUFFIX_MODULUS) % SUFFIX_MODULUS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_ids_are_32_digits_with_the_millis_first() {
        let id = ExternalId::generate(1_721_800_000_123);
        assert_eq!(id.as_str().len(), 32);
        assert!(id.as_str().starts_with("1721800000123"));
        assert!(id.as_str().bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(ExternalId::new(id.as_str()).unwrap(), id);
        // Millis before 2001 are zero-padded; beyond 13 digits, wrapped (never longer).
        assert!(ExternalId::generate(5)
            .as_str()
            .starts_with("0000000000005"));
        assert_eq!(ExternalId::generate(u64::MAX).as_str().len(), 32);
    }

    #[test]
    fn validation() {
        for bad in ["", "12a", "-1", "1 2", &"9".repeat(37)] {
            assert!(ExternalId::new(bad).is_err(), "{bad:?}");
        }
        assert!(ExternalId::new("0").is_ok());
        assert!(ExternalId::new("9".repeat(36)).is_ok());
    }

    /// Distinct counters map to distinct suffixes (the map is a bijection mod 10¹⁹), including
    /// around the wrap of `seed + counter × step`.
    #[test]
    fn the_suffix_sequence_is_a_bijection() {
        let sequence = Sequence::with(SUFFIX_MODULUS - 3, 999_999_999_999_999_997);
        let seen: HashSet<u128> = (0..100_000).map(|_| sequence.next_suffix()).collect();
        assert_eq!(seen.len(), 100_000);
        assert!(seen.iter().all(|s| *s < SUFFIX_MODULUS));
    }

    /// 8 threads × 20,000 ids in the same millisecond: no repeat.
    #[test]
    fn unique_across_threads_within_one_millisecond() {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(|| {
                    (0..20_000)
                        .map(|_| ExternalId::generate(1_721_800_000_000))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all = HashSet::new();
        for t in threads {
            for id in t.join().unwrap() {
                assert!(all.insert(id), "repeated id");
            }
        }
        assert_eq!(all.len(), 160_000);
    }
}
