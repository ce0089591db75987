//! One attempt's timer, shared by its phases.

use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::Poll;

use tokio::time::Sleep;

/// Runs `future` until it completes (`Some`) or `timer` fires (`None`), whichever comes first;
/// `future` is polled first, so one that is ready is never cut.
///
/// Like `tokio::time::timeout_at`, but over a timer the caller keeps: an attempt's phases
/// (response head, then body) share one timer entry instead of registering and removing one
/// each.
pub(crate) async fn within<F: Future>(mut timer: Pin<&mut Sleep>, future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        timer.as_mut().poll(cx).map(|()| None)
    })
    .await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::{sleep, sleep_until, Instant};

    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test]
    async fn one_timer_bounds_both_phases() {
        let start = Instant::now();
        let mut timer = pin!(sleep_until(start + 300 * MS));
        // Phase 1 ends at 200 ms; phase 2 (200 ms more) is cut when the same timer fires.
        let phase = |n| async move {
            sleep(200 * MS).await;
            n
        };
        assert_eq!(within(timer.as_mut(), phase(1)).await, Some(1));
        assert_eq!(within(timer.as_mut(), phase(2)).await, None);
        let elapsed = start.elapsed();
        assert!(elapsed >= 300 * MS && elapsed < 400 * MS, "{elapsed:?}");
    }

    #[tokio::test]
    async fn a_ready_future_wins_over_a_fired_timer() {
        let mut timer = pin!(sleep(MS));
        sleep(20 * MS).await;
        assert_eq!(within(timer.as_mut(), async { 3 }).await, Some(3));
        assert_eq!(
            within(timer.as_mut(), std::future::pending::<()>()).await,
            None
        );
    }
}
