//! One thread writes to SQLite; handlers hand it notifications through a bounded queue.
//!
//! SQLite takes one writer at a time. With `spawn_blocking` per notification, a burst of 5,000
//! parked 515 blocking threads on the connection's mutex and the slowest answer took 12.6 s,
//! past a sender's 10 s timeout. Here at most [`crate::Limits::store_queue`] notifications wait;
//! when the queue is full the handler answers 503 at once and DOKU retries later. The thread
//! takes what is queued (up to [`BATCH`]) into one transaction, so a burst costs one disk sync
//! per batch, not one per notification.

use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;

use axum::body::Bytes;
use tokio::sync::oneshot;

use crate::store::{Applied, Event, Store};

/// Most notifications written in one transaction.
pub(crate) const BATCH: usize = 64;

/// Why the store did not record (or read): none of these is a recorded notification, so the
/// handler answers 5xx and DOKU retries.
#[derive(Debug)]
#[non_exhaustive]
pub enum WriteError {
    /// The queue (SQLite) or every connection (PostgreSQL) is full: answer 503 so DOKU retries.
    Busy,
    /// The writer thread is gone.
    Stopped,
    /// SQLite refused the write.
    Database(rusqlite::Error),
    /// PostgreSQL refused, was unreachable or did not answer in time.
    Postgres(doku_postgres::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Busy => f.write_str("the store's queue is full"),
            Self::Stopped => f.write_str("the store's writer thread stopped"),
            Self::Database(e) => write!(f, "the database refused the write: {e}"),
            Self::Postgres(e) => write!(f, "the notification store: {e}"),
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Database(e) => Some(e),
            Self::Postgres(e) => Some(e),
            _ => None,
        }
    }
}

struct Job {
    event: Event,
    body: Bytes,
    done: oneshot::Sender<rusqlite::Result<Applied>>,
}

/// The handle handlers use; the thread ends when every handle is dropped.
#[derive(Clone)]
pub(crate) struct Writer {
    queue: SyncSender<Job>,
}

impl Writer {
    /// Starts the writer thread for `store` with room for `queue` waiting notifications.
    pub(crate) fn start(store: Arc<Store>, queue: usize) -> std::io::Result<Self> {
        let (sender, receiver) = mpsc::sync_channel(queue.max(1));
        std::thread::Builder::new()
            .name("receiver-store".to_owned())
            .spawn(move || write_loop(&store, &receiver))?;
        Ok(Self { queue: sender })
    }

    /// Records `event` (with its raw `body`), or says at once that the queue is full.
    pub(crate) async fn record(&self, event: Event, body: Bytes) -> Result<Applied, WriteError> {
        let (done, result) = oneshot::channel();
        let job = Job { event, body, done };
        match self.queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(WriteError::Busy),
            Err(TrySendError::Disconnected(_)) => return Err(WriteError::Stopped),
        }
        match result.await {
            Ok(written) => written.map_err(WriteError::Database),
            Err(_) => Err(WriteError::Stopped),
        }
    }
}

fn write_loop(store: &Store, queue: &Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results = store.record_all(batch.iter().map(|j| (&j.event, &j.body[..])));
        for (job, result) in batch.into_iter().zip(results) {
            // The handler may have gone (its peer closed): nothing to tell.
            let _ = job.done.send(result);
        }
    }
}
