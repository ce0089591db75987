//! Where the receiver records: SQLite (embedded, the default) or PostgreSQL (`DATABASE_URL`,
//! shared by every instance). The handlers see one [`Records`] and the same outcomes
//! ([`Applied`]) from both; the difference is below it: SQLite takes one writer at a time
//! (the writer thread and its bounded queue, [`crate::writer`]), PostgreSQL a pool of
//! connections whose waits are bounded ([`doku_postgres::notifications::NotificationsConfig`]).
//! Either way a notification is answered 2xx only once its row is committed; when the
//! database is down, slow or busy the answer is 5xx and DOKU retries (fail closed).

use std::sync::Arc;

use axum::body::Bytes;
use doku_model::Amount;
use doku_postgres::notifications::PgNotifications;

use crate::store::{Applied, Event, FlaggedNotification, Payment, Store};
use crate::writer::{WriteError, Writer};

/// The database a [`crate::Receiver`] records into.
pub enum Database {
    /// One SQLite file on this machine (one instance).
    Sqlite(Store),
    /// PostgreSQL, shared by every instance behind the load balancer.
    Postgres(PgNotifications),
}

impl From<Store> for Database {
    fn from(store: Store) -> Self {
        Self::Sqlite(store)
    }
}

impl From<PgNotifications> for Database {
    fn from(store: PgNotifications) -> Self {
        Self::Postgres(store)
    }
}

/// The receiver's records, whichever database holds them.
pub struct Records {
    inner: Inner,
}

enum Inner {
    Sqlite { store: Arc<Store>, writer: Writer },
    Postgres(PgNotifications),
}

impl Records {
    /// Starts recording into `database`; for SQLite, its writer thread with room for `queue`
    /// waiting notifications.
    pub(crate) fn start(database: Database, queue: usize) -> std::io::Result<Self> {
        let inner = match database {
            Database::Sqlite(store) => {
                let store = Arc::new(store);
                let writer = Writer::start(Arc::clone(&store), queue)?;
                Inner::Sqlite { store, writer }
            }
            Database::Postgres(store) => Inner::Postgres(store),
        };
        Ok(Self { inner })
    }

    /// Records `event` with its raw `body`; `Ok` only once it is committed.
    pub(crate) async fn record(&self, event: Event, body: Bytes) -> Result<Applied, WriteError> {
        match &self.inner {
            Inner::Sqlite { writer, .. } => writer.record(event, body).await,
            Inner::Postgres(store) => store
                .record_event(&event, &body)
                .await
                .map_err(postgres_error),
        }
    }

    /// Registers the amount the shop expects for `invoice_number` of `client_id` (call it when
    /// creating the payment). Registering again replaces the amount.
    pub async fn register_order(
        &self,
        client_id: &str,
        invoice_number: &str,
        amount: &Amount,
    ) -> Result<(), WriteError> {
        match &self.inner {
            Inner::Sqlite { store, .. } => store
                .register_order(client_id, invoice_number, amount)
                .map_err(WriteError::Database),
            Inner::Postgres(store) => store
                .register_order(client_id, invoice_number, amount)
                .await
                .map_err(postgres_error),
        }
    }

    /// The state of `invoice_number` of `client_id`, if a notification for it was applied.
    pub async fn payment(
        &self,
        client_id: &str,
        invoice_number: &str,
    ) -> Result<Option<Payment>, WriteError> {
        match &self.inner {
            Inner::Sqlite { store, .. } => store
                .payment(client_id, invoice_number)
                .map_err(WriteError::Database),
            Inner::Postgres(store) => store
                .payment(client_id, invoice_number)
                .await
                .map_err(postgres_error),
        }
    }

    /// How many distinct notifications were recorded (applied or flagged).
    pub async fn notification_count(&self) -> Result<u64, WriteError> {
        match &self.inner {
            Inner::Sqlite { store, .. } => store.notification_count().map_err(WriteError::Database),
            Inner::Postgres(store) => store.notification_count().await.map_err(postgres_error),
        }
    }

    /// The recorded notifications that were flagged, oldest first.
    pub async fn flagged(&self) -> Result<Vec<FlaggedNotification>, WriteError> {
        match &self.inner {
            Inner::Sqlite { store, .. } => store.flagged().map_err(WriteError::Database),
            Inner::Postgres(store) => store.flagged().await.map_err(postgres_error),
        }
    }

    /// The SQLite store, when that is the database.
    pub fn sqlite(&self) -> Option<&Arc<Store>> {
        match &self.inner {
            Inner::Sqlite { store, .. } => Some(store),
            Inner::Postgres(_) => None,
        }
    }
}

/// A PostgreSQL failure as the handler's error: a wait that passed (no free connection, a
/// slow database) is [`WriteError::Busy`] (503); the rest 500. Neither is recorded.
fn postgres_error(e: doku_postgres::Error) -> WriteError {
    match e {
        doku_postgres::Error::Timeout { .. } => WriteError::Busy,
        other => WriteError::Postgres(other),
    }
}
