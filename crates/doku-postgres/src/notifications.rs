//! DOKU's payment notifications recorded exactly once in PostgreSQL, shared by every instance
//! of a receiver behind a load balancer.
//!
//! DOKU retries a notification until it gets a 2xx (+30 min, +6 h, +12 h), perhaps with a fresh
//! `Request-Id`, and a load balancer sends each retry to any instance; an instance may be
//! killed between two of them. [`PgNotifications::record`] makes that harmless:
//!
//! - **Exactly once**: each notification is a row keyed by its dedup key
//!   ([`doku_partner::Verified::dedup_key`], which does not depend on the `Request-Id`), inserted
//!   with `ON CONFLICT (dedup_key) DO NOTHING`: a retry, or the same notification arriving at
//!   four instances at once, finds the row and is a [`Applied::Duplicate`].
//! - **Forward only**: a payment's state changes only as [`step`] allows (`FAILED` never
//!   overwrites `SUCCESS`, nothing overwrites a final state). The rule is applied in one
//!   transaction that first takes a transaction-scoped advisory lock on the invoice
//!   (`pg_advisory_xact_lock(`[`LOCK_CLASS`]`, hash of client id and invoice)`), so the
//!   notifications of one invoice are decided one after the other, each on the state the
//!   previous one committed, whichever instance they reach; the state is then written with a
//!   compare-and-set on the status that was read (`… WHERE status IS NOT DISTINCT FROM
//!   $read`), so a write that was not decided on the current state changes nothing and fails.
//! - **Committed before answered**: `record` returns `Ok` only after `COMMIT` succeeded; answer
//!   DOKU 2xx only then. Every other outcome — the database down or slow, the connection lost,
//!   the pool busy — is an `Err`: answer 5xx and DOKU retries (**fail closed**). A `COMMIT`
//!   whose answer was lost may have been applied; the retry is then a duplicate, answered 2xx.
//!
//! Every wait is bounded ([`NotificationsConfig`]): connecting, waiting for a connection, each
//! whole operation; at most [`NotificationsConfig::max_waiting`] callers wait for a connection,
//! the next is told at once ([`Error::Timeout`] "waiting for a free connection", as if its wait
//! had passed). Every [`Error`] means *not recorded*: answer DOKU 5xx (503 for a timeout) and it
//! retries.
//!
//! Each operation runs on a connection of its own (a small pool, [`NotificationsConfig::connections`]):
//! a transaction cannot share a pipelined connection with other callers' statements.
//!
//! The tables ([`NOTIFICATIONS_DDL`], created by [`PgNotifications::connect`] if missing):
//!
//! ```sql
#![doc = include_str!("notifications/schema.sql")]
//! ```

mod transitions;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use doku_model::{Amount, TransactionStatus};
use doku_partner::Verified;
use tokio::sync::Semaphore;
use tokio_postgres::{Client, NoTls, Statement};

use crate::db::Db;
use crate::error::Error;

pub use transitions::{step, Step};

/// The tables of the notification store, as `CREATE TABLE IF NOT EXISTS` statements (run by
/// [`PgNotifications::connect`]; give them to your migration tool instead if you have one).
pub const NOTIFICATIONS_DDL: &str = include_str!("notifications/schema.sql");

/// The first key of every advisory lock this store takes (`'DOKU'` in ASCII); the second is
/// the invoice's [`invoice_lock_key`], or 0 while the tables are created.
pub const LOCK_CLASS: i32 = 0x444F_4B55;

/// One notification as the store records it, whichever scheme it came in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The key a retry of the same event repeats.
    pub dedup_key: String,
    /// The merchant.
    pub client_id: String,
    /// The shop's invoice number (a Virtual Account's `trxId`).
    pub invoice_number: String,
    /// The event's `transaction.status` (`SUCCESS` for a Virtual Account payment).
    pub status: TransactionStatus,
    /// The amount paid, canonical (`19000`, `19000.5`), when the notification carries one.
    pub amount: Option<String>,
    /// DOKU's id of this delivery (`Request-Id`, or SNAP's `X-EXTERNAL-ID`), for the record.
    pub request_id: String,
}

impl Event {
    /// A verified Non-SNAP (Checkout) notification.
    pub fn from_checkout(verified: &Verified) -> Self {
        let n = &verified.notification;
        Self {
            dedup_key: verified.dedup_key(),
            client_id: verified.client_id.clone(),
            invoice_number: n.order.invoice_number.clone(),
            status: n.transaction.status.clone(),
            amount: n.order.amount.as_ref().map(Amount::to_canonical),
            request_id: verified.request_id.clone(),
        }
    }
}

/// What recording a notification did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// A new event that moved the payment forward.
    New,
    /// The same event again (a DOKU retry): nothing changed.
    Duplicate,
    /// A new event, recorded but not applied, for the reason given.
    Flagged(Flag),
    /// A refund or void of a payment not recorded yet: not recorded, answer so DOKU retries.
    NotYet,
}

/// Why a verified notification was recorded without changing the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// The payment already reached a state this status cannot follow (e.g. `SUCCESS` after
    /// `REFUNDED`).
    Stale,
    /// The amount is not the one registered for the order (or is missing).
    AmountMismatch,
    /// No order is registered for the invoice.
    UnknownOrder,
    /// A `transaction.status` this store does not know.
    UnknownStatus,
}

impl Flag {
    /// The `outcome` column's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stale => "stale",
            Self::AmountMismatch => "amount_mismatch",
            Self::UnknownOrder => "unknown_order",
            Self::UnknownStatus => "unknown_status",
        }
    }
}

impl Applied {
    /// The `outcome` column's value of a recorded event (`applied` or the flag).
    pub fn outcome(self) -> &'static str {
        match self {
            Self::Flagged(flag) => flag.as_str(),
            _ => "applied",
        }
    }
}

/// An invoice's state as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The merchant (`Client-Id`).
    pub client_id: String,
    /// The invoice number.
    pub invoice_number: String,
    /// The latest status applied, e.g. `SUCCESS`.
    pub status: String,
    /// Whether that status settles the payment.
    pub is_final: bool,
}

/// A recorded notification that was not applied, for a person to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedNotification {
    /// The invoice number.
    pub invoice_number: String,
    /// The status it carried.
    pub status: String,
    /// Why it was not applied ([`Flag::as_str`]).
    pub outcome: String,
}

/// What a new event does, from the amount registered for its order (`None`: no order) and
/// the payment's recorded status (`None`: nothing applied yet). One rule for every store: the
/// order's amount first, then [`step`].
pub fn decide(
    expected_amount: Option<&str>,
    recorded: Option<&TransactionStatus>,
    event: &Event,
) -> Applied {
    match (expected_amount, step(recorded, &event.status)) {
        (_, Step::NotYet) => Applied::NotYet,
        (_, Step::Unknown) => Applied::Flagged(Flag::UnknownStatus),
        (None, _) => Applied::Flagged(Flag::UnknownOrder),
        (Some(expected), step) => {
            if event.amount.as_deref() != Some(expected) {
                Applied::Flagged(Flag::AmountMismatch)
            } else if step == Step::Stale {
                Applied::Flagged(Flag::Stale)
            } else {
                Applied::New
            }
        }
    }
}

/// The second advisory-lock key of an invoice: FNV-1a (32 bits) of the client id, a NUL and the
/// invoice number. Fixed, so every instance (and every version) locks the same key; two
/// invoices sharing a key are only decided one after the other.
pub fn invoice_lock_key(client_id: &str, invoice_number: &str) -> i32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in client_id.bytes().chain([0]).chain(invoice_number.bytes()) {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    i32::from_ne_bytes(hash.to_ne_bytes())
}

/// The store's bounds. Every wait ends: a caller gets its answer or an error within
/// `acquire_timeout` + `connect_timeout` + `operation_timeout`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct NotificationsConfig {
    /// Connections to PostgreSQL at most (default 8). Count them per instance against the
    /// server's `max_connections`.
    pub connections: usize,
    /// Callers waiting for a connection at most (default 128); the next gets
    /// [`Error::Timeout`] at once (answer 503: DOKU retries).
    pub max_waiting: usize,
    /// Longest wait for a free connection (default 2 s).
    pub acquire_timeout: Duration,
    /// Longest wait for a new connection, TCP and start-up (default 5 s).
    pub connect_timeout: Duration,
    /// Longest time for one whole operation, transaction and `COMMIT` included (default 5 s;
    /// DOKU waits about 10 s for an answer). Past it the connection is dropped, and PostgreSQL
    /// rolls back what was not committed.
    pub operation_timeout: Duration,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        Self {
            connections: 8,
            max_waiting: 128,
            acquire_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(5),
            operation_timeout: Duration::from_secs(5),
        }
    }
}

impl NotificationsConfig {
    /// Sets [`NotificationsConfig::connections`] (at least 1).
    pub fn connections(mut self, connections: usize) -> Self {
        self.connections = connections.max(1);
        self
    }

    /// Sets [`NotificationsConfig::max_waiting`].
    pub fn max_waiting(mut self, max_waiting: usize) -> Self {
        self.max_waiting = max_waiting;
        self
    }

    /// Sets [`NotificationsConfig::acquire_timeout`].
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// Sets [`NotificationsConfig::connect_timeout`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets [`NotificationsConfig::operation_timeout`].
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }
}

/// The notification store on PostgreSQL: clone it freely (one pool of connections).
#[derive(Clone)]
pub struct PgNotifications {
    pool: Arc<Pool>,
}

impl std::fmt::Debug for PgNotifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: never printed.
        f.debug_struct("PgNotifications")
            .field("config", &self.pool.config)
            .finish_non_exhaustive()
    }
}

impl PgNotifications {
    /// Connects to the database at `url` (`postgresql://user:password@host:port/db`, or
    /// `host=… user=…`; TLS is not compiled in: reach PostgreSQL over loopback, a Unix
    /// socket or a private network) and creates the tables if missing. Fails when the
    /// database cannot be reached: a receiver should not start without its store.
    pub async fn connect(url: &str, config: NotificationsConfig) -> Result<Self, Error> {
        // Checked (and the target named for errors, never the password) as every store does.
        let target = Db::new(url)?.target().to_owned();
        let mut pg: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| Error::Config(e.to_string()))?;
        pg.connect_timeout(config.connect_timeout);
        if pg.get_application_name().is_none() {
            pg.application_name("doku-notifications");
        }
        let pool = Arc::new(Pool {
            permits: Semaphore::new(config.connections.max(1)),
            waiting: AtomicUsize::new(0),
            idle: Mutex::new(Vec::new()),
            pg,
            target,
            config,
        });
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Creates the tables if missing, one instance at a time (an advisory lock: concurrent
    /// `CREATE TABLE IF NOT EXISTS` can collide), on a connection of its own: the pool's
    /// connections prepare their statements against the tables.
    async fn migrate(&self) -> Result<(), Error> {
        let what = "creating the notification tables";
        let limit = self.pool.config.operation_timeout;
        let mut client = self.pool.open().await?;
        match tokio::time::timeout(limit, migrate_in(&mut client)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Error::query(what, e)),
            Err(_) => Err(Error::Timeout { what, after: limit }),
        }
    }

    /// Registers the amount the shop expects for `invoice_number` of `client_id` (call it when
    /// creating the payment). Registering again replaces the amount.
    pub async fn register_order(
        &self,
        client_id: &str,
        invoice_number: &str,
        amount: &Amount,
    ) -> Result<(), Error> {
        let amount = amount.to_canonical();
        self.with("registering an order", |conn| async move {
            let result = conn
                .client
                .execute(
                    &conn.statements.register_order,
                    &[&client_id, &invoice_number, &amount],
                )
                .await;
            (conn, result.map(drop).map_err(Failure::from))
        })
        .await
    }

    /// Records `verified` with its raw `body`, applying it to the payment once.
    pub async fn record(&self, verified: &Verified, body: &[u8]) -> Result<Applied, Error> {
        self.record_event(&Event::from_checkout(verified), body)
            .await
    }

    /// Records `event` with its raw `body`, applying it to the payment once; `Ok` only once
    /// the row is committed (see the module documentation).
    pub async fn record_event(&self, event: &Event, body: &[u8]) -> Result<Applied, Error> {
        self.with("recording a notification", |mut conn| async move {
            let result = record_in(&mut conn, event, body).await;
            (conn, result)
        })
        .await
    }

    /// The state of `invoice_number` of `client_id`, if a notification for it was applied.
    pub async fn payment(
        &self,
        client_id: &str,
        invoice_number: &str,
    ) -> Result<Option<Payment>, Error> {
        self.with("reading a payment", |conn| async move {
            let row = conn
                .client
                .query_opt(&conn.statements.payment, &[&client_id, &invoice_number])
                .await;
            let payment = row.map(|row| {
                row.map(|row| Payment {
                    client_id: client_id.to_owned(),
                    invoice_number: invoice_number.to_owned(),
                    status: row.get(0),
                    is_final: row.get(1),
                })
            });
            (conn, payment.map_err(Failure::from))
        })
        .await
    }

    /// How many distinct notifications were recorded (applied or flagged).
    pub async fn notification_count(&self) -> Result<u64, Error> {
        self.with("counting notifications", |conn| async move {
            let row = conn
                .client
                .query_one("SELECT COUNT(*) FROM doku_notifications", &[])
                .await;
            let count = row.map(|row| u64::try_from(row.get::<_, i64>(0)).unwrap_or(0));
            (conn, count.map_err(Failure::from))
        })
        .await
    }

    /// The recorded notifications that were flagged, oldest first.
    pub async fn flagged(&self) -> Result<Vec<FlaggedNotification>, Error> {
        self.with("reading flagged notifications", |conn| async move {
            let rows = conn
                .client
                .query(
                    "SELECT invoice_number, status, outcome FROM doku_notifications
                     WHERE outcome <> 'applied' ORDER BY seq",
                    &[],
                )
                .await;
            let flagged = rows.map(|rows| {
                rows.iter()
                    .map(|row| FlaggedNotification {
                        invoice_number: row.get(0),
                        status: row.get(1),
                        outcome: row.get(2),
                    })
                    .collect()
            });
            (conn, flagged.map_err(Failure::from))
        })
        .await
    }

    /// Runs `op` on a pooled connection (handed over and handed back) within the bounds. The
    /// connection goes back to the pool only when `op` succeeded: after an error or a timeout
    /// its state is unknown (a transaction may be open), so it is dropped and PostgreSQL rolls
    /// back what it held.
    async fn with<T, F, Fut>(&self, what: &'static str, op: F) -> Result<T, Error>
    where
        F: FnOnce(Conn) -> Fut,
        Fut: std::future::Future<Output = (Conn, Result<T, Failure>)>,
    {
        let pool = &self.pool;
        let (conn, _permit) = pool.get().await?;
        let limit = pool.config.operation_timeout;
        match tokio::time::timeout(limit, op(conn)).await {
            Ok((conn, Ok(value))) => {
                pool.put_back(conn);
                Ok(value)
            }
            Ok((_, Err(Failure::Pg(e)))) => Err(Error::query(what, e)),
            Ok((_, Err(Failure::Changed))) => Err(Error::Query {
                what,
                source: "the payment changed while the notification was decided (nothing written)"
                    .into(),
            }),
            Err(_) => Err(Error::Timeout { what, after: limit }),
        }
    }
}

/// Creates the tables inside a transaction holding the store's table lock.
async fn migrate_in(client: &mut Client) -> Result<(), tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1, 0)", &[&LOCK_CLASS])
        .await?;
    tx.batch_execute(NOTIFICATIONS_DDL).await?;
    tx.commit().await?;
    Ok(())
}

/// How an operation on a connection failed.
enum Failure {
    /// The driver's error: PostgreSQL refused, or the connection broke.
    Pg(tokio_postgres::Error),
    /// The compare-and-set on the payment matched no row: nothing was written.
    Changed,
}

impl From<tokio_postgres::Error> for Failure {
    fn from(e: tokio_postgres::Error) -> Self {
        Self::Pg(e)
    }
}

/// Records one event inside one transaction: the invoice's lock, the dedup check, the order's
/// amount and the payment's state read, the decision, the row, the state written by
/// compare-and-set, `COMMIT`.
async fn record_in(conn: &mut Conn, event: &Event, body: &[u8]) -> Result<Applied, Failure> {
    let st = &conn.statements;
    let (client_id, invoice) = (event.client_id.as_str(), event.invoice_number.as_str());
    let tx = conn.client.transaction().await?;
    tx.execute(&st.lock, &[&invoice_lock_key(client_id, invoice)])
        .await?;
    if tx.query_opt(&st.seen, &[&event.dedup_key]).await?.is_some() {
        tx.commit().await?;
        return Ok(Applied::Duplicate);
    }
    let expected: Option<String> = tx
        .query_opt(&st.order_amount, &[&client_id, &invoice])
        .await?
        .map(|row| row.get(0));
    let recorded: Option<String> = tx
        .query_opt(&st.payment, &[&client_id, &invoice])
        .await?
        .map(|row| row.get(0));
    let recorded_status = recorded.as_deref().map(TransactionStatus::from);
    let applied = decide(expected.as_deref(), recorded_status.as_ref(), event);
    if applied == Applied::NotYet {
        tx.commit().await?;
        return Ok(Applied::NotYet);
    }
    let inserted = tx
        .execute(
            &st.insert_notification,
            &[
                &event.dedup_key,
                &client_id,
                &invoice,
                &event.status.as_str(),
                &event.request_id,
                &applied.outcome(),
                &body,
            ],
        )
        .await?;
    if inserted == 0 {
        // Recorded meanwhile under the same key by a writer holding another invoice's lock.
        tx.commit().await?;
        return Ok(Applied::Duplicate);
    }
    if applied == Applied::New {
        let written = tx
            .execute(
                &st.apply,
                &[
                    &client_id,
                    &invoice,
                    &event.status.as_str(),
                    &event.status.is_final(),
                    &recorded,
                ],
            )
            .await?;
        if written != 1 {
            // Dropping `tx` rolls the notification row back too.
            return Err(Failure::Changed);
        }
    }
    tx.commit().await?;
    Ok(applied)
}

/// The statements every connection prepares once.
struct Statements {
    lock: Statement,
    seen: Statement,
    order_amount: Statement,
    payment: Statement,
    insert_notification: Statement,
    apply: Statement,
    register_order: Statement,
}

impl Statements {
    async fn prepare(client: &Client) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            lock: client
                .prepare(&format!("SELECT pg_advisory_xact_lock({LOCK_CLASS}, $1)"))
                .await?,
            seen: client
                .prepare("SELECT 1 FROM doku_notifications WHERE dedup_key = $1")
                .await?,
            order_amount: client
                .prepare(
                    "SELECT amount FROM doku_orders WHERE client_id = $1 AND invoice_number = $2",
                )
                .await?,
            payment: client
                .prepare(
                    "SELECT status, is_final FROM doku_payments
                     WHERE client_id = $1 AND invoice_number = $2",
                )
                .await?,
            insert_notification: client
                .prepare(
                    "INSERT INTO doku_notifications
                     (dedup_key, client_id, invoice_number, status, request_id, outcome, body)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (dedup_key) DO NOTHING",
                )
                .await?,
            // Compare-and-set: written only over the status the decision was made on.
            apply: client
                .prepare(
                    "INSERT INTO doku_payments (client_id, invoice_number, status, is_final)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (client_id, invoice_number) DO UPDATE
                     SET status = EXCLUDED.status, is_final = EXCLUDED.is_final,
                         updated_at = now()
                     WHERE doku_payments.status IS NOT DISTINCT FROM $5::text",
                )
                .await?,
            register_order: client
                .prepare(
                    "INSERT INTO doku_orders (client_id, invoice_number, amount)
                     VALUES ($1, $2, $3)
                     ON CONFLICT (client_id, invoice_number) DO UPDATE SET amount = EXCLUDED.amount",
                )
                .await?,
        })
    }
}

/// One connection and its prepared statements.
struct Conn {
    client: Client,
    statements: Statements,
}

/// A few connections, each used by one operation at a time.
struct Pool {
    pg: tokio_postgres::Config,
    /// Hosts and ports, for errors.
    target: String,
    config: NotificationsConfig,
    permits: Semaphore,
    waiting: AtomicUsize,
    idle: Mutex<Vec<Conn>>,
}

impl Pool {
    /// A connection (idle, else a new one) and the permit that lets it be used.
    async fn get(&self) -> Result<(Conn, tokio::sync::SemaphorePermit<'_>), Error> {
        let limit = self.config.acquire_timeout;
        let busy = Error::Timeout {
            what: "waiting for a free connection",
            after: limit,
        };
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.config.max_waiting
            && self.permits.available_permits() == 0
        {
            // As many callers wait as allowed: told at once, not after the wait.
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(busy);
        }
        let permit = tokio::time::timeout(limit, self.permits.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        let permit = match permit {
            Ok(Ok(permit)) => permit,
            // The semaphore is never closed; treat it as a wait that passed if it were.
            Ok(Err(_)) | Err(_) => return Err(busy),
        };
        let idle = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            std::iter::from_fn(|| idle.pop()).find(|c| !c.client.is_closed())
        };
        let conn = match idle {
            Some(conn) => conn,
            None => self.connect().await?,
        };
        Ok((conn, permit))
    }

    /// A new connection with its statements prepared.
    async fn connect(&self) -> Result<Conn, Error> {
        let client = self.open().await?;
        let limit = self.config.operation_timeout;
        let statements = tokio::time::timeout(limit, Statements::prepare(&client))
            .await
            .map_err(|_| Error::Timeout {
                what: "preparing the notification statements",
                after: limit,
            })?
            .map_err(|e| Error::query("preparing the notification statements", e))?;
        Ok(Conn { client, statements })
    }

    /// A new connection, within the connect timeout.
    async fn open(&self) -> Result<Client, Error> {
        let limit = self.config.connect_timeout + Duration::from_secs(1);
        let connected = tokio::time::timeout(limit, self.pg.connect(NoTls))
            .await
            .map_err(|_| Error::Timeout {
                what: "connecting",
                after: limit,
            })?;
        let (client, connection) = connected.map_err(|e| Error::Connect {
            target: self.target.clone(),
            source: Box::new(e),
        })?;
        let target = self.target.clone();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(target = %target, error = %e, "PostgreSQL connection closed");
            }
        });
        Ok(client)
    }

    fn put_back(&self, conn: Conn) {
        if !conn.client.is_closed() {
            self.idle
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(status: &str, amount: Option<&str>) -> Event {
        Event {
            dedup_key: "k".to_owned(),
            client_id: "MCH".to_owned(),
            invoice_number: "INV".to_owned(),
            status: TransactionStatus::from(status),
            amount: amount.map(str::to_owned),
            request_id: "r".to_owned(),
        }
    }

    #[test]
    fn the_order_is_checked_before_the_state_machine() {
        let paid = event("SUCCESS", Some("19000"));
        assert_eq!(decide(Some("19000"), None, &paid), Applied::New);
        assert_eq!(
            decide(Some("1"), None, &paid),
            Applied::Flagged(Flag::AmountMismatch)
        );
        assert_eq!(
            decide(None, None, &paid),
            Applied::Flagged(Flag::UnknownOrder)
        );
        let success = TransactionStatus::Success;
        assert_eq!(
            decide(
                Some("19000"),
                Some(&success),
                &event("FAILED", Some("19000"))
            ),
            Applied::Flagged(Flag::Stale)
        );
        assert_eq!(
            decide(None, None, &event("REFUNDED", Some("19000"))),
            Applied::NotYet
        );
        assert_eq!(
            decide(Some("19000"), None, &event("CHARGEBACK", Some("19000"))),
            Applied::Flagged(Flag::UnknownStatus)
        );
    }

    #[test]
    fn lock_keys_are_fixed_and_separate_the_parts() {
        // FNV-1a of "MCH\0INV": the same on every instance and every version.
        assert_eq!(
            invoice_lock_key("MCH", "INV"),
            invoice_lock_key("MCH", "INV")
        );
        assert_ne!(
            invoice_lock_key("MCH1", "INV"),
            invoice_lock_key("MCH", "1INV")
        );
        assert_eq!(
            invoice_lock_key("", ""),
            i32::from_ne_bytes(0x050c_5d1f_u32.to_ne_bytes())
        );
    }
}
