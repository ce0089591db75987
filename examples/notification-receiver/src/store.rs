//! The receiver's record of processed notifications, in SQLite: each notification is applied
//! once, whatever DOKU retries.
//!
//! `notifications` has one row per event (its dedup key is the primary key, so a retried
//! notification is ignored by the database itself); `payments` has each invoice's latest state.
//! Checkout's `FAILED` is recorded but not final: a later `SUCCESS` of the same invoice replaces
//! it, while nothing replaces a final state.

use std::path::Path;
use std::sync::Mutex;

use doku_partner::Verified;
use rusqlite::{params, Connection, OptionalExtension};

/// Open or create the database.
pub struct Store {
    connection: Mutex<Connection>,
}

/// What recording a notification did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// A new event: recorded and applied to the payment.
    New,
    /// The same event again (a DOKU retry): nothing changed.
    Duplicate,
}

/// An invoice's state as the receiver knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The merchant (`Client-Id`).
    pub client_id: String,
    /// The invoice number.
    pub invoice_number: String,
    /// The latest status, e.g. `SUCCESS`.
    pub status: String,
    /// Whether that status settles the payment.
    pub is_final: bool,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS notifications (
    dedup_key      TEXT PRIMARY KEY,
    client_id      TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    status         TEXT NOT NULL,
    request_id     TEXT NOT NULL,
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

    /// Records `verified` with its raw `body`, applying it to the payment once.
    pub fn record(&self, verified: &Verified, body: &[u8]) -> rusqlite::Result<Applied> {
        let mut connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        let tx = connection.transaction()?;
        let n = &verified.notification;
        let status = n.transaction.status.as_str();
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO notifications
             (dedup_key, client_id, invoice_number, status, request_id, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                verified.dedup_key(),
                verified.client_id,
                n.order.invoice_number,
                status,
                verified.request_id,
                body
            ],
        )?;
        if inserted == 0 {
            return Ok(Applied::Duplicate);
        }
        // A final state is never replaced; anything else takes the latest event.
        tx.execute(
            "INSERT INTO payments (client_id, invoice_number, status, is_final)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (client_id, invoice_number) DO UPDATE
             SET status = excluded.status, is_final = excluded.is_final
             WHERE payments.is_final = 0",
            params![
                verified.client_id,
                n.order.invoice_number,
                status,
                verified.is_final()
            ],
        )?;
        tx.commit()?;
        Ok(Applied::New)
    }

    /// The state of `invoice_number` of `client_id`, if a notification for it was recorded.
    pub fn payment(
        &self,
        client_id: &str,
        invoice_number: &str,
    ) -> rusqlite::Result<Option<Payment>> {
        let connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        connection
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

    /// How many distinct notifications were recorded.
    pub fn notification_count(&self) -> rusqlite::Result<u64> {
        let connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        connection.query_row("SELECT COUNT(*) FROM notifications", [], |row| row.get(0))
    }
}
