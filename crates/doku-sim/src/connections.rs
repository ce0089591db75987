//! The open connections: how many requests each has in flight, when each was last active, and
//! a way to close the one that has been idle longest when a slot or a descriptor is needed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// How long a connection must have been idle before it can be closed to make room.
pub(crate) const MIN_IDLE_TO_EVICT: Duration = Duration::from_secs(1);

/// One connection's activity, shared by its task and the registry.
#[derive(Debug)]
pub(crate) struct ConnState {
    id: u64,
    epoch: Instant,
    in_flight: AtomicUsize,
    /// Milliseconds since `epoch` of the last request end (or the accept).
    last_active_ms: AtomicU64,
    /// Set once the connection is closing on its own (lingering): evicting it frees nothing.
    closing: AtomicBool,
    /// Set while an eviction request is pending, so the same connection is not picked twice.
    evict_requested: AtomicBool,
    evict: Notify,
}

impl ConnState {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Marks a request as started; the guard marks it finished when dropped.
    pub(crate) fn begin_request(self: &Arc<Self>) -> RequestGuard {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        RequestGuard(Arc::clone(self))
    }

    /// Marks the connection as closing on its own, so it is not picked for eviction.
    pub(crate) fn mark_closing(&self) {
        self.closing.store(true, Ordering::Release);
    }

    /// Whether no request is in flight.
    pub(crate) fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    /// How long since the last request ended (or the accept), whatever is in flight now.
    pub(crate) fn idle_for(&self) -> Duration {
        let last = self.last_active_ms.load(Ordering::Acquire);
        Duration::from_millis(self.now_ms().saturating_sub(last))
    }

    /// Resolves when the registry asks this connection to close. The connection may decline
    /// (see [`ConnState::spare`]) if it turns out not to be idle after all.
    pub(crate) async fn evicted(&self) {
        self.evict.notified().await;
    }

    /// Declines an eviction: the connection had input after all (it arrived while the
    /// simulator was busy). It counts as active now, so it is not picked again at once.
    pub(crate) fn spare(&self) {
        self.last_active_ms.store(self.now_ms(), Ordering::Release);
        self.evict_requested.store(false, Ordering::Release);
    }
}

/// Ends one request of a connection.
#[derive(Debug)]
pub(crate) struct RequestGuard(Arc<ConnState>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0
            .last_active_ms
            .store(self.0.now_ms(), Ordering::Release);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// All open connections of one server.
#[derive(Debug)]
pub(crate) struct Registry {
    epoch: Instant,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<ConnState>>>,
}

impl Registry {
    pub(crate) fn new() -> Self {
        Self {
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            open: Mutex::default(),
        }
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<ConnState>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a just-accepted connection; [`Registry::remove`] it when it ends.
    pub(crate) fn add(&self) -> Arc<ConnState> {
        let state = Arc::new(ConnState {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            epoch: self.epoch,
            in_flight: AtomicUsize::new(0),
            last_active_ms: AtomicU64::new(0),
            closing: AtomicBool::new(false),
            evict_requested: AtomicBool::new(false),
            evict: Notify::new(),
        });
        state
            .last_active_ms
            .store(state.now_ms(), Ordering::Release);
        self.open().insert(state.id, Arc::clone(&state));
        state
    }

    /// Forgets a connection that ended.
    pub(crate) fn remove(&self, state: &ConnState) {
        self.open().remove(&state.id);
    }

    /// Number of registered connections.
    pub(crate) fn len(&self) -> usize {
        self.open().len()
    }

    /// Asks the connection idle for longest (no request in flight, idle for at least
    /// [`MIN_IDLE_TO_EVICT`], not already asked) to close. Returns whether there was one.
    ///
    /// The minimum keeps a burst of new connections from evicting each other before their
    /// first request is even read: a connection just accepted is idle too.
    pub(crate) fn evict_oldest_idle(&self) -> bool {
        let open = self.open();
        let oldest = open
            .values()
            .filter(|c| {
                c.is_idle()
                    && c.idle_for() >= MIN_IDLE_TO_EVICT
                    && !c.closing.load(Ordering::Acquire)
                    && !c.evict_requested.load(Ordering::Acquire)
            })
            .min_by_key(|c| c.last_active_ms.load(Ordering::Acquire));
        match oldest {
            Some(state) => {
                state.evict_requested.store(true, Ordering::Release);
                // `notify_one` keeps the wake-up if the task is not waiting yet.
                state.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn evicts_the_longest_idle_and_never_a_busy_one() {
        let r = Registry::new();
        let busy = r.add();
        let old = r.add();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let newer = r.add();
        let _guard = busy.begin_request();
        assert_eq!(r.len(), 3);
        // Nobody has been idle long enough yet.
        assert!(!r.evict_oldest_idle());
        tokio::time::sleep(MIN_IDLE_TO_EVICT).await;
        assert!(r.evict_oldest_idle());
        // The oldest idle one got the signal.
        tokio::time::timeout(Duration::from_secs(1), old.evicted())
            .await
            .unwrap();
        assert!(r.evict_oldest_idle());
        tokio::time::timeout(Duration::from_secs(1), newer.evicted())
            .await
            .unwrap();
        // Only the busy one is left, and it is not evicted.
        assert!(!r.evict_oldest_idle());
        // A connection that declines (it had input) is not picked again at once.
        old.spare();
        assert!(!r.evict_oldest_idle());
        drop(_guard);
        assert!(busy.is_idle());
        for c in [&busy, &old, &newer] {
            r.remove(c);
        }
        assert_eq!(r.len(), 0);
    }
}
