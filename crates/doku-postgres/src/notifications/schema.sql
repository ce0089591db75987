-- The orders the shop expects to be paid: a notification is applied only to an order whose
-- amount it matches (register it when creating the payment).
CREATE TABLE IF NOT EXISTS doku_orders (
    client_id      TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    amount         TEXT NOT NULL,          -- canonical decimal: 19000, 19000.5
    PRIMARY KEY (client_id, invoice_number)
);
-- One row per notification event, keyed by its dedup key: a retry is not a second row.
CREATE TABLE IF NOT EXISTS doku_notifications (
    dedup_key      TEXT PRIMARY KEY,
    seq            BIGINT GENERATED ALWAYS AS IDENTITY,
    client_id      TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    status         TEXT NOT NULL,          -- transaction.status as DOKU sent it
    request_id     TEXT NOT NULL,          -- Request-Id (SNAP: X-EXTERNAL-ID) of the delivery recorded
    outcome        TEXT NOT NULL,          -- applied, stale, amount_mismatch, unknown_order, unknown_status
    body           BYTEA NOT NULL,         -- the raw bytes DOKU signed
    recorded_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Each invoice's state: only an applied event changes it, and only forward.
CREATE TABLE IF NOT EXISTS doku_payments (
    client_id      TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    status         TEXT NOT NULL,
    is_final       BOOLEAN NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, invoice_number)
);
