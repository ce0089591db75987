//! The receiver's record in SQLite (the embedded default; [`crate::Database`] picks PostgreSQL
//! instead): the orders the shop expects to be paid, each notification applied once whatever
//! DOKU retries, and each payment's state, which only moves forward ([`crate::transitions`]).
//! The vocabulary ([`Event`], [`Applied`], [`Flag`], [`Payment`]) and the decision
//! ([`decide`]) are doku-postgres's, so both stores apply one rule.
//!
//! - `orders`: the amount the shop expects per invoice, registered by the app when it creates the
//!   payment ([`Store::register_order`]). A notification is only applied to an order it matches.
//! - `notifications`: one row per event, keyed by its dedup key (a retried notification is
//!   ignored by the database itself), with what it did (`outcome`): `applied`, or a flag —
//!   `stale`, `amount_mismatch`, `unknown_order`, `unknown_status` — for a person to look at.
//!   A SNAP Virtual Account payment is an event like a Checkout notification ([`Event`]): its
//!   invoice is the `trxId` the shop gave the Virtual Account, its status `SUCCESS`, its key
//!   doku-partner's SNAP dedup key (prefixed `snap:`, so the two kinds never collide).
//! - `payments`: each invoice's state; only an `applied` event changes it.

use std::path::Path;
use std::sync::Mutex;

use doku_model::{Amount, TransactionStatus};
use doku_partner::{Verified, VerifiedSnapNotification};
use doku_postgres::notifications::decide;
pub use doku_postgres::notifications::{Applied, Event, Flag, FlaggedNotification, Payment};
use rusqlite::{params, Connection, OptionalExtension};

/// The SQLite database (embedded, one file).
pub struct Store {
    connection: Mutex<Connection>,
}

/// A verified SNAP Virtual Account payment of `client_id`'s Virtual Account as an [`Event`]: the
/// invoice is its `trxId` (the number itself, trimmed, when DOKU sends none), the status
/// `SUCCESS`, the key doku-partner's SNAP dedup key prefixed `snap:` (so the two kinds never
/// collide).
pub fn snap_event(client_id: &str, verified: &VerifiedSnapNotification) -> Event {
    let n = &verified.notification;
    let d = &verified.delivery;
    Event {
        dedup_key: format!("snap:{}", verified.dedup_key()),
        client_id: client_id.to_owned(),
        invoice_number: n
            .trx_id
            .clone()
            .unwrap_or_else(|| n.virtual_account_no.as_str().trim().to_owned()),
        status: TransactionStatus::Success,
        amount: n
            .paid_amount
            .as_ref()
            .and_then(|a| Amount::parse(a.value.as_str()).ok())
            .map(|a| a.to_canonical()),
        request_id: d
            .external_id
            .clone()
            .or_else(|| n.payment_request_id.clone())
            .unwrap_or_else(|| "-".to_owned()),
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS orders (
    client_id      TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    amount         TEXT NOT NULL,
    PRIMARY KEY (client_id, invoice_number)
);
CREATE TABLE IF NOT EXISTS notifications (
    dedup_key      TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    status         TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    body           BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
    client_id      TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    status         TEXT NOT NULL,
    is_final       INTEGER NOT NULL,
    PRIMARY KEY (client_id, invoice_number)
);";

impl Store {
    /// Opens (creating on first run) the database at `path`.
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        Self::with(Connection::open(path)?)
    }

    /// An in-memory database (tests).
    pub fn in_memory() -> rusqlite::Result<Self> {
        Self::with(Connection::open_in_memory()?)
    }

    fn with(connection: Connection) -> rusqlite::Result<Self> {
        connection.execute_batch(SCHEMA)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers the amount the shop expects for `invoice_number` of `client_id` (call it when
    /// creating the payment). Registering again replaces the amount.
    pub fn register_order(
        &self,
        client_id: &str,
        invoice_number: &str,
        amount: &Amount,
    ) -> rusqlite::Result<()> {
        self.lock().execute(
            "INSERT INTO orders (client_id, invoice_number, amount) VALUES (?1, ?2, ?3)
             ON CONFLICT (client_id, invoice_number) DO UPDATE SET amount = excluded.amount",
            params![client_id, invoice_number, amount.to_canonical()],
        )?;
        Ok(())
    }

    /// Records `verified` with its raw `body`, applying it to the payment once.
    pub fn record(&self, verified: &Verified, body: &[u8]) -> rusqlite::Result<Applied> {
        self.record_event(&Event::from_checkout(verified), body)
    }

    /// Records `event` with its raw `body`, applying it to the payment once.
    pub fn record_event(&self, event: &Event, body: &[u8]) -> rusqlite::Result<Applied> {
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        let applied = record_in(&tx, event, body)?;
        tx.commit()?;
        Ok(applied)
    }

    /// Records several notifications in one transaction (one disk sync for all), each in its own
    /// savepoint so one failure does not undo the others.
    pub(crate) fn record_all<'a>(
        &self,
        batch: impl Iterator<Item = (&'a Event, &'a [u8])>,
    ) -> Vec<rusqlite::Result<Applied>> {
        let mut connection = self.lock();
        let mut tx = match connection.transaction() {
            Ok(tx) => tx,
            Err(e) => return batch.map(|_| Err(clone_error(&e))).collect(),
        };
        let mut results = Vec::new();
        for (event, body) in batch {
            let result = tx.savepoint().and_then(|sp| {
                let applied = record_in(&sp, event, body)?;
                sp.commit()?;
                Ok(applied)
            });
            results.push(result);
        }
        if let Err(e) = tx.commit() {
            for result in &mut results {
                *result = Err(clone_error(&e));
            }
        }
        results
    }

    /// The state of `invoice_number` of `client_id`, if a notification for it was applied.
    pub fn payment(
        &self,
        client_id: &str,
        invoice_number: &str,
    ) -> rusqlite::Result<Option<Payment>> {
        self.lock()
            .query_row(
                "SELECT status, is_final FROM payments WHERE client_id = ?1 AND invoice_number = ?2",
                params![client_id, invoice_number],
                |row| {
                    Ok(Payment {
                        client_id: client_id.to_owned(),
                        invoice_number: invoice_number.to_owned(),
                        status: row.get(0)?,
                        is_final: row.get(1)?,
                    })
                },
            )
            .optional()
    }

    /// How many distinct notifications were recorded (applied or flagged).
    pub fn notification_count(&self) -> rusqlite::Result<u64> {
        self.lock()
            .query_row("SELECT COUNT(*) FROM notifications", [], |row| row.get(0))
    }

    /// The recorded notifications that were flagged, oldest first.
    pub fn flagged(&self) -> rusqlite::Result<Vec<FlaggedNotification>> {
        let connection = self.lock();
        let mut query = connection.prepare(
            "SELECT invoice_number, status, outcome FROM notifications
             WHERE outcome <> 'applied' ORDER BY rowid",
        )?;
        let rows = query.query_map([], |row| {
            Ok(FlaggedNotification {
                invoice_number: row.get(0)?,
                status: row.get(1)?,
                outcome: row.get(2)?,
            })
        })?;
        rows.collect()
    }
}

/// A batch-wide error for every item of the batch (rusqlite's error is not `Clone`).
fn clone_error(e: &rusqlite::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(e.to_string().into())
}

/// Records one notification inside `tx`: checks the order, then the state machine.
fn record_in(tx: &Connection, event: &Event, body: &[u8]) -> rusqlite::Result<Applied> {
    let (client_id, invoice) = (event.client_id.as_str(), event.invoice_number.as_str());
    let arriving = &event.status;
    let already: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM notifications WHERE dedup_key = ?1)",
        params![event.dedup_key],
        |row| row.get(0),
    )?;
    if already {
        return Ok(Applied::Duplicate);
    }
    let expected: Option<String> = tx
        .query_row(
            "SELECT amount FROM orders WHERE client_id = ?1 AND invoice_number = ?2",
            params![client_id, invoice],
            |row| row.get(0),
        )
        .optional()?;
    let recorded: Option<String> = tx
        .query_row(
            "SELECT status FROM payments WHERE client_id = ?1 AND invoice_number = ?2",
            params![client_id, invoice],
            |row| row.get(0),
        )
        .optional()?;
    let recorded = recorded.map(|s| status_of(&s));
    let outcome = decide(expected.as_deref(), recorded.as_ref(), event);
    if outcome == Applied::NotYet {
        return Ok(Applied::NotYet);
    }
    let outcome_text = outcome.outcome();
    tx.execute(
        "INSERT INTO notifications
         (dedup_key, client_id, invoice_number, status, request_id, outcome, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            event.dedup_key,
            client_id,
            invoice,
            arriving.as_str(),
            event.request_id,
            outcome_text,
            body
        ],
    )?;
    if outcome == Applied::New {
        tx.execute(
            "INSERT INTO payments (client_id, invoice_number, status, is_final)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (client_id, invoice_number) DO UPDATE
             SET status = excluded.status, is_final = excluded.is_final",
            params![client_id, invoice, arriving.as_str(), arriving.is_final()],
        )?;
    }
    Ok(outcome)
}

/// The status stored as `text`.
fn status_of(text: &str) -> TransactionStatus {
    TransactionStatus::from(text)
}
