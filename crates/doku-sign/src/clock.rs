//! The one notion of "now" in doku-rs: whole seconds since the Unix epoch, read through [`Clock`].
//!
//! Pure code never reads a clock; it takes the time as an argument. The code that does read one (the client's
//! timestamps and token expiry, the simulator's windows) takes a [`Clock`], which any `Fn() -> i64` closure
//! implements, so a test can pass `|| 1_597_135_542` or a [`ManualClock`] and the client and the simulator
//! can share the same one.

/// A source of the current time in whole seconds since the Unix epoch (UTC).
///
/// Implemented by [`SystemClock`] (feature `std`), [`ManualClock`] and every `Fn() -> i64 + Send + Sync`.
pub trait Clock: Send + Sync {
    /// The current time, in seconds since 1970-01-01T00:00:00Z.
    fn unix_seconds(&self) -> i64;
}

impl<F: Fn() -> i64 + Send + Sync> Clock for F {
    fn unix_seconds(&self) -> i64 {
        self()
    }
}

impl<C: Clock + ?Sized> Clock for alloc::sync::Arc<C> {
    fn unix_seconds(&self) -> i64 {
        (**self).unix_seconds()
    }
}

/// The operating system's clock (feature `std`): the default of the client and the simulator.
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn unix_seconds(&self) -> i64 {
        extern crate std;
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
        }
    }
}

/// A clock that moves only when told to; clones share the same time. For tests, and for running the client
/// and the simulator on one timeline.
#[cfg(target_has_atomic = "64")]
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: alloc::sync::Arc<core::sync::atomic::AtomicI64>,
}

#[cfg(target_has_atomic = "64")]
impl ManualClock {
    /// A clock stopped at `unix_seconds`.
    pub fn at(unix_seconds: i64) -> Self {
        Self {
            now: alloc::sync::Arc::new(core::sync::atomic::AtomicI64::new(unix_seconds)),
        }
    }

    /// Moves the clock to `unix_seconds`.
    pub fn set(&self, unix_seconds: i64) {
        self.now
            .store(unix_seconds, core::sync::atomic::Ordering::SeqCst);
    }

    /// Moves the clock by `seconds` (negative moves it back), saturating at the ends of `i64`.
    pub fn advance(&self, seconds: i64) {
        let _ = self.now.fetch_update(
            core::sync::atomic::Ordering::SeqCst,
            core::sync::atomic::Ordering::SeqCst,
            |now| Some(now.saturating_add(seconds)),
        );
    }
}

#[cfg(target_has_atomic = "64")]
impl Clock for ManualClock {
    fn unix_seconds(&self) -> i64 {
        self.now.load(core::sync::atomic::Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closure_is_a_clock() {
        fn read(clock: &dyn Clock) -> i64 {
            clock.unix_seconds()
        }
        assert_eq!(read(&|| 1_597_135_542), 1_597_135_542);
    }

    #[test]
    fn manual_clock_clones_share_one_time() {
        let clock = ManualClock::at(1_597_135_542);
        let shared = clock.clone();
        clock.advance(60);
        assert_eq!(shared.unix_seconds(), 1_597_135_602);
        shared.set(0);
        assert_eq!(clock.unix_seconds(), 0);
        clock.advance(i64::MIN);
        clock.advance(i64::MIN);
        assert_eq!(clock.unix_seconds(), i64::MIN);
    }

    #[cfg(feature = "std")]
    #[test]
    fn system_clock_is_after_2024() {
        assert!(SystemClock.unix_seconds() > 1_704_067_200);
    }
}
