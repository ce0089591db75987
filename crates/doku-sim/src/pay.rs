//! The payment trigger, like DOKU's payment simulator: moves a Checkout order to `SUCCESS`,
//! `FAILED` or `EXPIRED` and delivers the signed notification.
//!
//! Over HTTP: `POST /doku-sim/v1/pay` with `{"invoice_number": "…", "status": "SUCCESS",
//! "method": "QRIS"}` ([`PayRequest`]: `status` optional, default `SUCCESS`; `method` optional,
//! the channel paid through; `client_id` optional, needed only when two merchants used the same
//! invoice number). It is unauthenticated: the simulator is meant to listen on
//! loopback, and DOKU has no such path (it lives outside DOKU's prefixes). In Rust:
//! [`crate::SimControl::pay`].

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode};
use hyper::body::Body;
use serde::{Deserialize, Serialize};

use doku_model::PaymentMethod;

use crate::deliveries::DeliveryKind;
use crate::error::SimError;
use crate::handlers::order_status;
use crate::notify::{Job, JobMeta, Sender, Target};
use crate::orders::PayState;
use crate::pipeline::Outcome;
use crate::state::App;

/// The trigger's path.
pub const PAY_PATH: &str = "/doku-sim/v1/pay";

/// How a payment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "cli", value(rename_all = "SCREAMING_SNAKE_CASE"))]
#[non_exhaustive]
pub enum PayStatus {
    /// Paid (final).
    #[default]
    Success,
    /// The payment failed. Not final, as DOKU's Check Status page says: the order may be
    /// paid later.
    Failed,
    /// The payment page expired (final).
    Expired,
}

impl PayStatus {
    fn state(self) -> PayState {
        match self {
            Self::Success => PayState::Success,
            Self::Failed => PayState::Failed,
            Self::Expired => PayState::Expired,
        }
    }
}

/// What a payment did: the order's new state and where its notification goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Payment {
    /// The order's invoice number.
    pub invoice_number: String,
    /// The merchant (brand id) that created the order.
    pub client_id: String,
    /// The order's new `transaction.status`.
    pub status: PayStatus,
    /// The URL the notification is delivered to, `None` when no Notification URL is configured
    /// (or too many deliveries are running).
    pub notification_url: Option<String>,
    /// Whether the order's `override_notification_url` was ignored because its path differs
    /// from the configured Notification URL's path.
    pub override_ignored: bool,
    /// The notification's id in the delivery history (`GET /doku-sim/v1/deliveries/{id}`,
    /// [`crate::SimControl::resend`]), `None` when nothing is delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_id: Option<u64>,
    /// The delivery as it stood after the first attempt, when the payment waited for it
    /// (`wait_seconds`); its last attempt has the receiver's status or why there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<crate::Delivery>,
    /// One line for people about the notification: that none was sent and why (no
    /// Notification URL configured…), or the first attempt's outcome when the payment waited
    /// (`delivered: HTTP 200 in 3 ms (attempt 1)`, `not delivered: HTTP 500 … next retry at …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Payment {
    /// Whether the notification was sent and its first attempt acknowledged (known only when
    /// the payment waited for it).
    pub fn delivered(&self) -> bool {
        self.delivery
            .as_ref()
            .is_some_and(|d| d.outcome == crate::DeliveryOutcome::Delivered)
    }
}

/// A payment to make: which order, how it ends, and through which channel. The body of
/// `POST /doku-sim/v1/pay`, and what [`crate::SimControl::pay`] and
/// `doku sim pay` take.
///
/// ```
/// use doku_sim::{PayRequest, PayStatus};
/// let paid_by_qris = PayRequest::new("INV-1").method("QRIS");
/// let expired = PayRequest::new("INV-2").status(PayStatus::Expired);
/// # let _ = (paid_by_qris, expired);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PayRequest {
    /// The order's invoice number.
    pub invoice_number: String,
    /// How the payment ends (default `SUCCESS`).
    #[serde(default)]
    pub status: PayStatus,
    /// The merchant (brand id) that created the order; needed only when two merchants used
    /// the same invoice number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The channel the customer pays through, a DOKU payment method name such as
    /// `VIRTUAL_ACCOUNT_BCA`, `QRIS`, `EMONEY_OVO`, `CREDIT_CARD` or
    /// `ONLINE_TO_OFFLINE_ALFA`. Default: the order's first offered method, else
    /// `VIRTUAL_ACCOUNT_BCA`. The notification and Check Status carry that channel's blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Seconds to wait (at most [`crate::MAX_WAIT_SECONDS`]) for the notification's first
    /// delivery attempt, so that the answer carries its outcome (`delivery`, `note`). Honoured
    /// by `POST /doku-sim/v1/pay` and [`crate::SimControl::pay_and_wait`];
    /// [`crate::SimControl::pay`] never waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<u64>,
}

impl PayRequest {
    /// Pays the order with invoice number `invoice_number` successfully, through its default
    /// channel.
    pub fn new(invoice_number: impl Into<String>) -> Self {
        Self {
            invoice_number: invoice_number.into(),
            status: PayStatus::Success,
            client_id: None,
            method: None,
            wait_seconds: None,
        }
    }

    /// How the payment ends.
    pub fn status(mut self, status: PayStatus) -> Self {
        self.status = status;
        self
    }

    /// The merchant that created the order (when two merchants used the invoice number).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// The channel the customer pays through, e.g. `VIRTUAL_ACCOUNT_BCA` or `QRIS`.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Waits up to `seconds` (at most [`crate::MAX_WAIT_SECONDS`]) for the first delivery
    /// attempt (`POST /doku-sim/v1/pay`, [`crate::SimControl::pay_and_wait`]).
    pub fn wait_seconds(mut self, seconds: u64) -> Self {
        self.wait_seconds = Some(seconds);
        self
    }
}

/// Checks `wait_seconds` against [`crate::MAX_WAIT_SECONDS`].
pub(crate) fn check_wait(wait_seconds: Option<u64>) -> Result<(), String> {
    match wait_seconds {
        Some(s) if s > crate::MAX_WAIT_SECONDS => Err(format!(
            "wait_seconds is {s}; at most {} accepted",
            crate::MAX_WAIT_SECONDS
        )),
        _ => Ok(()),
    }
}

/// What the answer says when no notification was scheduled.
pub(crate) const NO_URL_NOTE: &str = "no Notification URL is configured: no notification was \
     sent (none for this merchant and no default: start the simulator with --notification-url \
     [CLIENT_ID=]http://HOST:PORT/PATH, or POST /doku-sim/v1/notification-urls)";
/// What the answer says when the notification was dropped for lack of room.
pub(crate) const DROPPED_NOTE: &str = "the notification was dropped: every delivery slot is \
     taken and the queue is full (stats: notifications_dropped)";

/// Pays, then waits (at most `wait_seconds`) for the first delivery attempt and reports it.
pub(crate) async fn pay_and_wait(app: &App, request: &PayRequest) -> Result<Payment, SimError> {
    check_wait(request.wait_seconds).map_err(SimError::Pay)?;
    let mut payment = pay(app, request)?;
    if let (Some(id), Some(wait)) = (payment.delivery_id, request.wait_seconds) {
        let delivery = app
            .notifier
            .history()
            .wait_first_attempt(id, std::time::Duration::from_secs(wait))
            .await;
        payment.note = crate::deliveries::note(delivery.as_ref(), Some(wait));
        payment.delivery = delivery;
    }
    Ok(payment)
}

/// Whether `req` is for the trigger.
pub(crate) fn is_pay_request<B>(req: &Request<B>) -> bool {
    req.uri().path() == PAY_PATH
}

fn json_response(status: StatusCode, value: &serde_json::Value) -> Outcome {
    let body = Bytes::from(serde_json::to_vec(value).unwrap_or_default());
    let response = Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .header(CONTENT_LENGTH, body.len())
        .body(body)
        .unwrap_or_else(|_| Response::new(Bytes::new()));
    Outcome::Respond {
        response,
        truncate: false,
    }
}

fn refusal(status: StatusCode, code: &str, message: &str) -> Outcome {
    json_response(
        status,
        &serde_json::json!({"error": {"code": code, "message": message, "type": "invalid_request_error"}}),
    )
}

/// Answers the trigger over HTTP.
pub(crate) async fn answer<B>(app: &App, req: Request<B>) -> Outcome
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    app.count_request();
    if req.method() != Method::POST {
        return refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "use POST",
        );
    }
    let (parts, body) = req.into_parts();
    let held = match crate::body::read_body(app, &parts.headers, body).await {
        Ok(held) => held,
        Err(reply) => {
            let value = serde_json::from_slice(&reply.body).unwrap_or_default();
            return json_response(reply.status, &value);
        }
    };
    let request: PayRequest = match serde_json::from_slice(&held.bytes) {
        Ok(r) => r,
        Err(e) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                &format!(
                    "expected {{\"invoice_number\":…, \"status\":\"SUCCESS|FAILED|EXPIRED\", \"method\":\"VIRTUAL_ACCOUNT_BCA|QRIS|…\"}}: {e}"
                ),
            )
        }
    };
    if let Err(why) = check_wait(request.wait_seconds) {
        return refusal(StatusCode::BAD_REQUEST, "invalid_wait", &why);
    }
    match pay_and_wait(app, &request).await {
        Ok(payment) => json_response(
            StatusCode::OK,
            &serde_json::to_value(&payment).unwrap_or_default(),
        ),
        Err(SimError::Pay(why)) => refusal(StatusCode::CONFLICT, "cannot_pay", &why),
        Err(other) => refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            &other.to_string(),
        ),
    }
}

/// Which URL a notification goes to, and whether an override was ignored.
///
/// DOKU: "Override URL path must be the same as the configured Notification URL path" and a
/// Notification URL must be configured: an override with another path, or without a configured
/// URL, is ignored.
fn destination(configured: Option<&str>, override_url: Option<&str>) -> (Option<String>, bool) {
    let Some(configured) = configured else {
        return (None, override_url.is_some());
    };
    let Some(wanted) = override_url else {
        return (Some(configured.to_owned()), false);
    };
    let same_path = match (Target::parse(configured), Target::parse(wanted)) {
        (Ok(c), Ok(w)) => c.path() == w.path(),
        _ => false,
    };
    if same_path {
        (Some(wanted.to_owned()), false)
    } else {
        (Some(configured.to_owned()), true)
    }
}

/// Moves the order and schedules its notification.
pub(crate) fn pay(app: &App, request: &PayRequest) -> Result<Payment, SimError> {
    let invoice = request.invoice_number.as_str();
    let status = request.status;
    if let Some(method) = request.method.as_deref() {
        if !PaymentMethod::KNOWN.contains(&method) {
            return Err(SimError::Pay(format!(
                "{} is not a DOKU payment method; use one of {}",
                crate::echo::echo(method),
                PaymentMethod::KNOWN.join(", ")
            )));
        }
    }
    // A full delivery queue refuses the payment before the order moves: never a paid order
    // whose notification is lost.
    if app.notifies_any() && !app.notifier.has_room() {
        return Err(SimError::Pay(app.notifier.full_message()));
    }
    let order = {
        let mut orders = app.orders();
        let mut found = orders.matching_mut(invoice, request.client_id.as_deref());
        let Some(order) = found.next() else {
            return Err(SimError::Pay(format!(
                "no order with invoice number {}",
                crate::echo::echo(invoice)
            )));
        };
        if found.next().is_some() {
            return Err(SimError::Pay(
                "several merchants have this invoice number: give client_id".to_owned(),
            ));
        }
        if order.state.is_final() {
            return Err(SimError::Pay(format!(
                "the order is already {} (final)",
                order.state.transaction_status()
            )));
        }
        order.state = status.state();
        order.paid = Some(app.config.clock.unix_seconds());
        if let Some(method) = &request.method {
            order.method = Some(method.clone());
        }
        order.clone()
    };
    app.stats().payments += 1;
    let (url, override_ignored) = destination(
        app.notification_url_for(&order.owner).as_deref(),
        order.override_notification_url.as_deref(),
    );
    if override_ignored {
        app.stats().overrides_ignored += 1;
        tracing::warn!(
            "override_notification_url ignored: its path is not the configured Notification URL's path (or no Notification URL is configured)"
        );
    }
    let mut scheduled = None;
    let mut delivery_id = None;
    let mut note = Some(NO_URL_NOTE.to_owned());
    if let Some(url) = url {
        let key = app.key_for(doku_model::Endpoint::Checkout, &order.owner);
        if let (Ok(target), Some(key)) = (Target::parse(&url), key) {
            let body = serde_json::to_vec(&order_status::body(&order)).unwrap_or_default();
            let job = Job {
                target,
                body: body.into(),
                sender: Sender::NonSnap {
                    client_id: order.owner.clone(),
                    key,
                },
                meta: JobMeta {
                    kind: DeliveryKind::Checkout,
                    reference: order.invoice_number.clone(),
                    url: url.clone(),
                },
            };
            delivery_id = app.notifier.spawn(job);
            note = match delivery_id {
                Some(_) => None,
                None => Some(DROPPED_NOTE.to_owned()),
            };
            if delivery_id.is_some() {
                scheduled = Some(url);
            }
        }
    }
    Ok(Payment {
        invoice_number: order.invoice_number,
        client_id: order.owner,
        status,
        notification_url: scheduled,
        override_ignored,
        delivery_id,
        delivery: None,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::destination;

    #[test]
    fn override_with_the_same_path_only() {
        let c = Some("http://127.0.0.1:1/payments/notifications");
        assert_eq!(destination(c, None), (c.map(Into::into), false));
        let same = Some("http://127.0.0.2:2/payments/notifications");
        assert_eq!(destination(c, same), (same.map(Into::into), false));
        let other = Some("http://127.0.0.2:2/other");
        assert_eq!(destination(c, other), (c.map(Into::into), true));
        assert_eq!(destination(None, same), (None, true));
        assert_eq!(destination(None, None), (None, false));
    }
}
