//! What a test can do to a simulator while it runs, whether it listens on a socket
//! ([`crate::SimHandle`]) or not ([`crate::InProcessSim`]): read its counters, arm faults, pay
//! orders. Both dereference to [`SimControl`], so the methods are written once.

use std::sync::Arc;

use crate::deliveries::Delivery;
use crate::error::SimError;
use crate::faults::{Fault, FaultTarget};
use crate::pay::{PayRequest, Payment};
use crate::snap::pay::{PayVaRequest, VaPayment};
use crate::snap::SnapMerchant;
use crate::state::App;
use crate::stats::Stats;

/// The controls of one simulator's state (shared with every clone of its handle).
#[derive(Clone)]
pub struct SimControl {
    pub(crate) app: Arc<App>,
}

impl std::fmt::Debug for SimControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimControl").finish_non_exhaustive()
    }
}

impl SimControl {
    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.app.stats_snapshot()
    }

    /// Arms a fault on `target`: a [`doku_model::Endpoint`], or [`FaultTarget::Any`] for
    /// endpoints without a fault of their own (replacing any fault armed there).
    pub fn set_fault(&self, target: impl Into<FaultTarget>, fault: Fault) {
        self.app.faults().set(target.into(), fault);
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.app.faults().clear();
    }

    /// Sets `client_id`'s own Notification URL (DOKU's Back Office setting is per merchant):
    /// its payment notifications go there instead of the default URL; `None` removes it. For a
    /// brand registered through the Partner API, whose id is known only then. Also
    /// `POST /doku-sim/v1/notification-urls`.
    pub fn set_notification_url(&self, client_id: &str, url: Option<&str>) -> Result<(), SimError> {
        self.app
            .set_notification_url(client_id, url)
            .map_err(SimError::Config)
    }

    /// Where `client_id`'s payment notifications go now: its own URL, else the default.
    pub fn notification_url_for(&self, client_id: &str) -> Option<String> {
        self.app.notification_url_for(client_id)
    }

    /// Number of Create Business Lite invitations recorded for `client_id`.
    pub fn invitations_for(&self, client_id: &str) -> usize {
        self.app.invitations_for(client_id)
    }

    /// Pays a Checkout order (like DOKU's payment simulator): moves it to the request's status
    /// through its channel and delivers its signed notification in the background on the
    /// current tokio runtime (without one, the notification is dropped and counted). See
    /// `POST /doku-sim/v1/pay` in docs/simulator.md.
    pub fn pay(&self, request: &PayRequest) -> Result<Payment, SimError> {
        crate::pay::pay(&self.app, request)
    }

    /// Pays like [`SimControl::pay`], then waits up to the request's `wait_seconds` (at most
    /// [`crate::MAX_WAIT_SECONDS`]) for the notification's first delivery attempt: the answer's
    /// `delivery` and `note` say how it went (or that no Notification URL is configured). What
    /// `POST /doku-sim/v1/pay` does.
    pub async fn pay_and_wait(&self, request: &PayRequest) -> Result<Payment, SimError> {
        crate::pay::pay_and_wait(&self.app, request).await
    }

    /// The delivery history, oldest first: every notification kept (the latest
    /// [`crate::DEFAULT_DELIVERIES_KEPT`] by default), each with its attempts and outcome. Also
    /// `GET /doku-sim/v1/deliveries`.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.app.notifier.history().list(None)
    }

    /// One delivery of the history, `None` when it is not (or no longer) kept. Also
    /// `GET /doku-sim/v1/deliveries/{id}`.
    pub fn delivery(&self, id: u64) -> Option<Delivery> {
        self.app.notifier.history().get(id)
    }

    /// Delivers notification `id` again, now (DOKU's Back Office can): one attempt, signed
    /// afresh, recorded as a new attempt with `resend: true`; an acknowledgement ends DOKU's
    /// retries if they are still running. Returns the delivery as it then stands (its last
    /// attempt is the resend). `Err(SimError::UnknownDelivery)` when `id` is not kept. Also
    /// `POST /doku-sim/v1/deliveries/{id}/resend`.
    pub async fn resend(&self, id: u64) -> Result<Delivery, SimError> {
        self.app
            .notifier
            .resend(id)
            .await
            .ok_or(SimError::UnknownDelivery(id))
    }

    /// DOKU's SNAP public key (PEM): what a merchant downloads from DOKU's Back Office to verify
    /// the token requests DOKU sends it. Also `GET /doku-sim/v1/snap/doku-public-key`.
    pub fn doku_public_key_pem(&self) -> String {
        self.app
            .snap
            .keys
            .as_ref()
            .map(|k| k.public_pem.clone())
            .unwrap_or_default()
    }

    /// Pays a SNAP Virtual Account like a customer at the bank: the inquiry (direct-inquiry
    /// channels), the Virtual Account marked paid, then DOKU's token request and payment
    /// notification to the merchant in the background (with DOKU's retries) on the current
    /// tokio runtime. `Err(SimError::Pay)` when the number is unknown, inactive, paid, expired,
    /// or the merchant's inquiry stopped the payment (the message names its `responseCode`).
    /// Also `POST /doku-sim/v1/pay-va`; see docs/simulator.md.
    pub async fn pay_va(&self, request: &PayVaRequest) -> Result<VaPayment, SimError> {
        crate::snap::pay::pay_va(&self.app, request).await
    }

    /// Registers (or replaces) a merchant's SNAP credentials while the simulator runs. Its
    /// client id must be a merchant the simulator knows (a configured credential or a brand
    /// registered through the Partner API). Also `POST /doku-sim/v1/snap/merchants`.
    pub fn register_snap_merchant(&self, merchant: SnapMerchant) -> Result<(), SimError> {
        crate::snap::control::register(&self.app, merchant)
    }
}
