//! Counters the tests can inspect.

use std::collections::BTreeMap;

/// A snapshot of what the simulator has seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Every request received (including refused ones and faulted ones).
    pub total_requests: u64,
    /// Tokens issued, per Client-Id.
    pub tokens_issued: BTreeMap<String, u64>,
    /// Check Requirements answered.
    pub requirement_checks: u64,
    /// Files stored.
    pub uploads: u64,
    /// Businesses registered (full registration).
    pub registrations: u64,
    /// Invitations recorded (Create Business Lite).
    pub lite_registrations: u64,
    /// Get Business Data answered with 200.
    pub business_data_reads: u64,
    /// Idempotent replays answered with 409.
    pub replays: u64,
    /// Requests refused with a 4xx by the simulator's own checks.
    pub rejected: u64,
    /// Faults applied.
    pub faults_applied: u64,
    /// Checkout payments created (`POST /checkout/v1/payment` answered 200).
    pub checkouts: u64,
    /// Check Status answered with 200.
    pub status_checks: u64,
    /// Payments triggered (the simulator-only pay endpoint or `SimControl::pay`).
    pub payments: u64,
    /// Notifications scheduled for delivery.
    pub notifications: u64,
    /// Delivery attempts made (first attempts and retries).
    pub notification_attempts: u64,
    /// Notifications a receiver acknowledged with 2xx.
    pub notifications_delivered: u64,
    /// Notifications given up after the last retry.
    pub notifications_abandoned: u64,
    /// Resends asked for (`SimControl::resend`, `POST /doku-sim/v1/deliveries/{id}/resend`);
    /// each is also one of `notification_attempts`.
    pub notification_resends: u64,
    /// Notifications waiting now for a delivery slot (at most 1,024 are in delivery at once;
    /// the others wait, at most 10,000, and start as deliveries end).
    pub notifications_queued: u64,
    /// Notifications not scheduled because every delivery slot was taken and the queue was
    /// full (the trigger refuses a payment it sees no room for; this counts only the rare
    /// race past that check, answered with `notification_url: null`).
    pub notifications_dropped: u64,
    /// `override_notification_url`s ignored because their path differs from the configured
    /// Notification URL's path.
    pub overrides_ignored: u64,
    /// Requests accepted although DOKU might refuse them (one per doubtful field; each also
    /// logged with the field and why). Under `--strict` they are refused instead.
    pub warnings: u64,
    /// SNAP B2B tokens issued.
    pub snap_tokens_issued: u64,
    /// SNAP Virtual Accounts created.
    pub snap_vas_created: u64,
    /// SNAP Virtual Accounts updated.
    pub snap_va_updates: u64,
    /// SNAP Virtual Accounts deleted.
    pub snap_va_deletes: u64,
    /// SNAP check-status calls answered with `2002600`.
    pub snap_status_checks: u64,
    /// Repeated `X-EXTERNAL-ID`s answered (replayed or refused as a conflict).
    pub snap_replays: u64,
    /// SNAP Virtual Accounts paid (the pay-va trigger).
    pub snap_payments: u64,
    /// Inquiries sent to merchants (direct-inquiry channels).
    pub snap_inquiries: u64,
    /// Token requests sent to merchants (before each inquiry and notification attempt).
    pub snap_token_calls: u64,
    /// SNAP payment notifications scheduled (also counted in `notifications`).
    pub snap_notifications: u64,
    /// SNAP notification attempts (also counted in `notification_attempts`).
    pub snap_notification_attempts: u64,
    /// SNAP notifications acknowledged under the ack-code reading (also counted in
    /// `notifications_delivered`).
    pub snap_notifications_delivered: u64,
    /// SNAP notifications given up after the last retry (also counted in
    /// `notifications_abandoned`).
    pub snap_notifications_abandoned: u64,
}

impl Stats {
    /// Tokens issued to `client_id`.
    pub fn tokens_for(&self, client_id: &str) -> u64 {
        self.tokens_issued.get(client_id).copied().unwrap_or(0)
    }
}
