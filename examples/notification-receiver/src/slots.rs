//! The connections a receiver serves: at most `cap` at a time, and when a new peer arrives at the
//! cap, the connection that has waited longest for a whole request (a slow or silent peer, or one
//! idle between requests) is closed to make room. Without this, 64 peers that trickle their
//! headers hold every slot and DOKU's notifications wait in the kernel's queue until they give up.
//! (`doku listen` has the same table; doku-sim's `connections.rs` is the model.)
//!
//! A connection whose request has fully arrived and is being answered is never picked; nor is one
//! younger than [`MIN_WAIT_TO_EVICT`], so a burst of newcomers does not evict itself before the
//! first request is read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// How long a connection must have waited for its request before it can be closed to make room.
pub(crate) const MIN_WAIT_TO_EVICT: Duration = Duration::from_millis(100);
/// How often a newcomer at the cap looks again for a connection to close.
const RETRY: Duration = Duration::from_millis(50);

/// The open connections and the cap on them.
#[derive(Debug)]
pub(crate) struct Slots {
    epoch: Instant,
    min_wait: Duration,
    cap: Arc<Semaphore>,
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Conn>>>,
}

/// One connection's progress, shared by its task and the table.
#[derive(Debug)]
pub(crate) struct Conn {
    id: u64,
    epoch: Instant,
    /// Milliseconds since `epoch` of the accept or the end of the last answer.
    waiting_since_ms: AtomicU64,
    /// Set once a request head has arrived, until its answer is written.
    in_request: AtomicBool,
    /// Set while a request that fully arrived is being answered: never evicted then.
    answering: AtomicBool,
    /// Requests answered so far.
    answered: AtomicU64,
    evict_requested: AtomicBool,
    evict: Notify,
}

/// A connection's place in the table; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct Slot {
    conn: Arc<Conn>,
    slots: Arc<Slots>,
    _permit: OwnedSemaphorePermit,
}

impl Slots {
    /// A table of at most `cap` connections; one is evicted only after waiting `min_wait`
    /// ([`MIN_WAIT_TO_EVICT`] in the receiver).
    pub(crate) fn new(cap: usize, min_wait: Duration) -> Arc<Self> {
        Arc::new(Self {
            epoch: Instant::now(),
            min_wait,
            cap: Arc::new(Semaphore::new(cap.clamp(1, Semaphore::MAX_PERMITS))),
            next_id: AtomicU64::new(0),
            open: Mutex::default(),
        })
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Conn>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A slot for a just-accepted connection. At the cap, the slowest connection is asked to
    /// close; if none can be (all are answering or waited less than the minimum), this
    /// waits until one ends. Cancel-safe.
    pub(crate) async fn admit(self: &Arc<Self>) -> Slot {
        loop {
            if let Ok(permit) = Arc::clone(&self.cap).try_acquire_owned() {
                return self.register(permit);
            }
            self.evict_slowest();
            tokio::select! {
                permit = Arc::clone(&self.cap).acquire_owned() => {
                    if let Ok(permit) = permit {
                        return self.register(permit);
                    }
                }
                () = tokio::time::sleep(RETRY) => {}
            }
        }
    }

    fn register(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Slot {
        let conn = Arc::new(Conn {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            epoch: self.epoch,
            waiting_since_ms: AtomicU64::new(0),
            in_request: AtomicBool::new(false),
            answering: AtomicBool::new(false),
            answered: AtomicU64::new(0),
            evict_requested: AtomicBool::new(false),
            evict: Notify::new(),
        });
        conn.restart_wait();
        self.open().insert(conn.id, Arc::clone(&conn));
        Slot {
            conn,
            slots: Arc::clone(self),
            _permit: permit,
        }
    }

    /// Asks the connection that has waited longest for a request (not answering, waited at
    /// least the minimum, not already asked) to close. Returns whether there was one.
    pub(crate) fn evict_slowest(&self) -> bool {
        let open = self.open();
        let slowest = open
            .values()
            .filter(|c| {
                !c.answering.load(Ordering::Acquire)
                    && !c.evict_requested.load(Ordering::Acquire)
                    && c.waited() >= self.min_wait
            })
            .min_by_key(|c| c.waiting_since_ms.load(Ordering::Acquire));
        match slowest {
            Some(conn) => {
                conn.evict_requested.store(true, Ordering::Release);
                // `notify_one` keeps the wake-up if the task is not waiting yet.
                conn.evict.notify_one();
                true
            }
            None => false,
        }
    }

    /// Number of open connections.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.open().len()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.open().remove(&self.conn.id);
    }
}

impl Slot {
    /// The connection's shared progress.
    pub(crate) fn conn(&self) -> &Arc<Conn> {
        &self.conn
    }
}

impl Conn {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn restart_wait(&self) {
        self.waiting_since_ms
            .store(self.now_ms(), Ordering::Release);
    }

    /// How long since the accept or the last answer.
    pub(crate) fn waited(&self) -> Duration {
        let since = self.waiting_since_ms.load(Ordering::Acquire);
        Duration::from_millis(self.now_ms().saturating_sub(since))
    }

    /// Marks a request head as arrived; the guard marks the request over (and restarts the
    /// wait) when dropped.
    pub(crate) fn begin_request(self: &Arc<Self>) -> RequestGuard {
        self.in_request.store(true, Ordering::Release);
        RequestGuard(Arc::clone(self))
    }

    /// Whether a request head has arrived and its answer is not written yet.
    pub(crate) fn in_request(&self) -> bool {
        self.in_request.load(Ordering::Acquire)
    }

    /// Marks the request's body as fully read: from now on the connection is not evicted.
    pub(crate) fn answering(&self) {
        self.answering.store(true, Ordering::Release);
    }

    /// Whether a request was answered on this connection (it is idle between requests).
    pub(crate) fn answered_any(&self) -> bool {
        self.answered.load(Ordering::Acquire) > 0
    }

    /// Whether the connection is answering a request that fully arrived.
    pub(crate) fn is_answering(&self) -> bool {
        self.answering.load(Ordering::Acquire)
    }

    /// Resolves when the table asks this connection to close to make room.
    pub(crate) async fn evicted(&self) {
        self.evict.notified().await;
    }

    /// Declines an eviction (the request finished arriving meanwhile); it can be picked again.
    pub(crate) fn spare(&self) {
        self.evict_requested.store(false, Ordering::Release);
    }
}

/// Ends one request of a connection.
#[derive(Debug)]
pub(crate) struct RequestGuard(Arc<Conn>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.restart_wait();
        self.0.answered.fetch_add(1, Ordering::AcqRel);
        self.0.answering.store(false, Ordering::Release);
        self.0.in_request.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_millis(30);

    #[tokio::test]
    async fn at_the_cap_the_slowest_waiting_connection_makes_room() {
        let slots = Slots::new(2, MIN);
        let old = slots.admit().await;
        let answering = slots.admit().await;
        answering.conn().answering();
        // Both too young to evict: the newcomer waits.
        let mut newcomer = std::pin::pin!(slots.admit());
        assert!(
            tokio::time::timeout(Duration::from_millis(10), &mut newcomer)
                .await
                .is_err()
        );
        // Past the minimum wait, the slow one is asked to close, never the answering one.
        tokio::time::sleep(MIN).await;
        assert!(tokio::time::timeout(RETRY * 2, &mut newcomer)
            .await
            .is_err());
        tokio::time::timeout(Duration::from_secs(1), old.conn().evicted())
            .await
            .expect("the slow connection was asked to close");
        assert!(!slots.evict_slowest(), "the answering one is never picked");
        drop(old);
        let new = tokio::time::timeout(Duration::from_secs(1), newcomer)
            .await
            .expect("the newcomer got the freed slot");
        assert_eq!(slots.len(), 2);
        // A request that ends restarts the wait.
        drop(answering.conn().begin_request());
        assert!(answering.conn().waited() < MIN);
        drop((new, answering));
        assert_eq!(slots.len(), 0);
    }
}
