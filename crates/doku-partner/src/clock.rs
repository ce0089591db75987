//! Where the client reads the time: Request-Timestamp and token expiry.

use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};

/// A source of the current time. Inject one with [`ConfigBuilder::clock`] to test token expiry
/// and timestamps.
///
/// [`ConfigBuilder::clock`]: crate::ConfigBuilder::clock
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;

    /// The current time in whole seconds since the Unix epoch.
    fn unix_seconds(&self) -> i64 {
        self.now().as_second()
    }
}

/// The system clock (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that moves only when told to; clones share the same time. For tests.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<Timestamp>>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: Timestamp) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// A clock stopped at `unix_seconds`. Out-of-range values give the Unix epoch.
    pub fn at_unix(unix_seconds: i64) -> Self {
        Self::new(Timestamp::from_second(unix_seconds).unwrap_or(Timestamp::UNIX_EPOCH))
    }

    /// Moves the clock to `to`.
    pub fn set(&self, to: Timestamp) {
        *self.now.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }

    /// Moves the clock by `by` (negative moves it back). Saturates at jiff's range.
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.now.lock().unwrap_or_else(|p| p.into_inner());
        if let Ok(next) = now.checked_add(by) {
            *now = next;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Timestamp {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::at_unix(1_597_135_542);
        assert_eq!(c.unix_seconds(), 1_597_135_542);
        let shared = c.clone();
        c.advance(SignedDuration::from_secs(60));
        assert_eq!(shared.unix_seconds(), 1_597_135_602);
    }
}
