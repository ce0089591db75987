//! Back-off after a failed `accept`, with at most one log line per window.
//!
//! When the process runs out of descriptors (`EMFILE`), `accept` fails at once for as long as
//! the condition lasts; retrying in a tight loop burns a core and writes a warning per try. The
//! accept loop sleeps for a doubling delay instead (reset by the next successful accept) and
//! logs the first failure of each window, with the count of those it kept quiet.

use std::time::{Duration, Instant};

/// First delay after a failure.
const FIRST_DELAY: Duration = Duration::from_millis(10);
/// Longest delay.
const MAX_DELAY: Duration = Duration::from_secs(1);
/// At most one log line per this long.
pub(crate) const LOG_WINDOW: Duration = Duration::from_secs(10);

/// What to do after one failed `accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AfterFailure {
    /// Sleep this long before the next `accept`.
    pub(crate) sleep: Duration,
    /// `Some(n)`: log this failure, mentioning `n` earlier failures that were not logged.
    pub(crate) log: Option<u64>,
}

/// The back-off state of one accept loop.
#[derive(Debug)]
pub(crate) struct AcceptBackoff {
    delay: Duration,
    last_log: Option<Instant>,
    suppressed: u64,
}

impl AcceptBackoff {
    pub(crate) fn new() -> Self {
        Self {
            delay: FIRST_DELAY,
            last_log: None,
            suppressed: 0,
        }
    }

    /// Records a failure at `now`.
    pub(crate) fn failed(&mut self, now: Instant) -> AfterFailure {
        let sleep = self.delay;
        self.delay = (self.delay * 2).min(MAX_DELAY);
        let due = self
            .last_log
            .is_none_or(|at| now.saturating_duration_since(at) >= LOG_WINDOW);
        let log = if due {
            self.last_log = Some(now);
            Some(std::mem::take(&mut self.suppressed))
        } else {
            self.suppressed += 1;
            None
        };
        AfterFailure { sleep, log }
    }

    /// Records a successful accept: the next failure starts from the first delay again.
    pub(crate) fn succeeded(&mut self) {
        self.delay = FIRST_DELAY;
    }
}

/// Whether an accept error means the process or system is out of a resource (descriptors,
/// buffers, memory), so that closing an idle connection may help.
pub(crate) fn is_exhaustion(e: &std::io::Error) -> bool {
    // EMFILE 24, ENFILE 23, ENOBUFS 105, ENOMEM 12 on Linux; the kinds cover other systems.
    matches!(e.raw_os_error(), Some(12 | 23 | 24 | 105))
        || matches!(e.kind(), std::io::ErrorKind::OutOfMemory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storm_of_failures_logs_once_per_window_and_backs_off() {
        let mut b = AcceptBackoff::new();
        let start = Instant::now();
        let mut logged = 0;
        let mut slept = Duration::ZERO;
        // 1000 failures within one window.
        for i in 0..1000u32 {
            let after = b.failed(start + Duration::from_millis(u64::from(i)));
            logged += usize::from(after.log.is_some());
            slept += after.sleep;
            assert!(after.sleep <= MAX_DELAY);
        }
        assert_eq!(logged, 1);
        // The delay doubled to the cap rather than staying at the first step.
        assert!(slept > Duration::from_secs(900), "{slept:?}");
        // The next window logs again and reports what it kept quiet.
        let after = b.failed(start + LOG_WINDOW + Duration::from_secs(1));
        assert_eq!(after.log, Some(999));
        b.succeeded();
        let after = b.failed(start + LOG_WINDOW + Duration::from_secs(2));
        assert_eq!(after.sleep, FIRST_DELAY);
        assert_eq!(after.log, None);
    }

    #[test]
    fn descriptor_exhaustion_is_recognised() {
        assert!(is_exhaustion(&std::io::Error::from_raw_os_error(24)));
        assert!(!is_exhaustion(&std::io::Error::from(
            std::io::ErrorKind::ConnectionAborted
        )));
    }
}
