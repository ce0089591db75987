//! The delivery history: every notification the simulator delivered (Checkout's Non-SNAP
//! notifications and SNAP Virtual Account notifications), each with its attempts — when, the
//! receiver's HTTP status or why there was none, the latency, the attempt number, when the next
//! retry is due — and its outcome. DOKU's Back Office shows the same list (Integration > HTTP
//! Notification) and can send one again; so can the simulator ([`crate::SimControl::resend`]).
//!
//! Bounded: the latest [`DEFAULT_DELIVERIES_KEPT`] notifications are kept (a ring, the oldest
//! forgotten first; `SimConfigBuilder::deliveries_kept` changes the number), each with at most
//! [`MAX_ATTEMPTS_KEPT`] attempts (the oldest resends forgotten first; `attempt_count` still
//! counts every one). A kept notification holds its body (about 1 KiB) so it can be sent again:
//! 1,000 of them take about 2 MiB.
//!
//! Over HTTP (unauthenticated, like the payment trigger):
//!
//! - `GET /doku-sim/v1/deliveries` (`?limit=N`: the latest N) → `{"deliveries":[…oldest first],
//!   "kept":N,"max_kept":N}`;
//! - `GET /doku-sim/v1/deliveries/{id}` → one [`Delivery`], 404 `unknown_delivery`;
//! - `POST /doku-sim/v1/deliveries/{id}/resend` → the [`Delivery`] after one more attempt made
//!   now (its last attempt, `resend: true`); a form POST (the dashboard's button) is answered with
//!   `303 See Other` to the dashboard instead.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::{Method, Request, StatusCode};
use serde::{Deserialize, Serialize};

use crate::notify::Job;
use crate::pipeline::Outcome;
use crate::snap::control::{json, refusal};
use crate::state::App;

/// Where the history is served.
pub const DELIVERIES_PATH: &str = "/doku-sim/v1/deliveries";
/// How many notifications the history keeps by default (the latest ones).
pub const DEFAULT_DELIVERIES_KEPT: usize = 1000;
/// How many attempts of one notification are kept (DOKU's four, then resends; the oldest
/// resends are forgotten first).
pub const MAX_ATTEMPTS_KEPT: usize = 32;
/// The longest a payment trigger waits for the first delivery attempt (`wait_seconds`).
pub const MAX_WAIT_SECONDS: u64 = 60;

/// Which notification a delivery carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeliveryKind {
    /// A Checkout payment notification (Non-SNAP, DOKU's four headers); `reference` is the
    /// invoice number.
    Checkout,
    /// A SNAP Virtual Account payment notification (a token from the merchant first);
    /// `reference` is the Virtual Account number.
    SnapVa,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeliveryOutcome {
    /// Waiting for a delivery slot (every slot is taken).
    Queued,
    /// The first attempt is being made.
    Sending,
    /// An attempt was not acknowledged; the next retry is due at `next_retry_at`.
    Retrying,
    /// The receiver acknowledged it (final; a resend may still be asked for).
    Delivered,
    /// No attempt was acknowledged and DOKU's last retry is past (final; a resend may still be
    /// asked for).
    Abandoned,
}

impl DeliveryOutcome {
    /// The outcome as the JSON writes it (`queued`, `sending`, `retrying`, `delivered`,
    /// `abandoned`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Retrying => "retrying",
            Self::Delivered => "delivered",
            Self::Abandoned => "abandoned",
        }
    }
}

/// One attempt to deliver a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// 1 for the first attempt, 2–4 for DOKU's retries, then one more per resend.
    pub attempt: u32,
    /// Whether a resend asked for it (rather than DOKU's schedule).
    pub resend: bool,
    /// When it was made, on the simulator's clock (`YYYY-MM-DDTHH:MM:SSZ`).
    pub at: String,
    /// The `Request-Id` it carried (Non-SNAP), or `null` (SNAP: one `X-EXTERNAL-ID` per call).
    pub request_id: Option<String>,
    /// The receiver's HTTP status, `null` when there was no answer.
    pub status: Option<u16>,
    /// Why there was no acknowledgement when there was no answer (connection refused, no
    /// answer in time, the merchant's token endpoint refused…).
    pub error: Option<String>,
    /// Whether the receiver acknowledged it (Non-SNAP: any 2xx; SNAP: the ack-code reading).
    pub acknowledged: bool,
    /// Milliseconds from the connection attempt to the end of the answer.
    pub latency_ms: u64,
    /// When DOKU's next retry is due after this attempt (simulator's clock, compressed by the
    /// time scale), `null` when none follows.
    pub next_retry_at: Option<String>,
}

impl DeliveryAttempt {
    /// One line for people: `HTTP 200 in 3 ms` or the error, and the attempt number.
    pub fn summary(&self) -> String {
        let what = match (self.status, &self.error) {
            (Some(status), _) => format!("HTTP {status} in {} ms", self.latency_ms),
            (None, Some(error)) => format!("no answer ({error}) after {} ms", self.latency_ms),
            (None, None) => format!("no answer after {} ms", self.latency_ms),
        };
        let verdict = if self.acknowledged {
            "delivered"
        } else {
            "not delivered"
        };
        let retry = self
            .next_retry_at
            .as_deref()
            .map(|at| format!("; next retry at {at}"))
            .unwrap_or_default();
        format!("{verdict}: {what} (attempt {}){retry}", self.attempt)
    }
}

/// One notification and its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Delivery {
    /// The simulator's id of this notification (increasing from 1), for `resend`.
    pub id: u64,
    /// The merchant (Client-Id) the notification is from.
    pub client_id: String,
    /// Checkout or SNAP Virtual Account.
    pub kind: DeliveryKind,
    /// The invoice number (Checkout) or Virtual Account number (SNAP).
    pub reference: String,
    /// Where it is delivered.
    pub url: String,
    /// When the payment scheduled it (simulator's clock).
    pub created_at: String,
    /// Where it stands.
    pub outcome: DeliveryOutcome,
    /// Every attempt made, resends included (more than `attempts` holds once resends pass
    /// [`MAX_ATTEMPTS_KEPT`]).
    pub attempt_count: u32,
    /// When DOKU's next retry is due, `null` when none is.
    pub next_retry_at: Option<String>,
    /// The attempts kept, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
}

impl Delivery {
    /// The latest attempt, if any was made.
    pub fn last_attempt(&self) -> Option<&DeliveryAttempt> {
        self.attempts.last()
    }
}

/// A kept notification: what is shown, and what a resend needs.
struct Entry {
    shown: Delivery,
    job: Arc<Job>,
}

/// The ring of kept notifications.
struct Ring {
    entries: VecDeque<Entry>,
    next_id: u64,
}

/// The history of one simulator.
pub(crate) struct Deliveries {
    ring: Mutex<Ring>,
    max: usize,
    /// Woken whenever an attempt is recorded (the payment trigger's `wait_seconds`).
    changed: tokio::sync::Notify,
}

impl Deliveries {
    /// A history keeping the latest `max` notifications (at least one).
    pub(crate) fn new(max: usize) -> Self {
        Self {
            ring: Mutex::new(Ring {
                entries: VecDeque::new(),
                next_id: 1,
            }),
            max: max.max(1),
            changed: tokio::sync::Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a notification just scheduled (or queued); returns its id.
    pub(crate) fn open(&self, job: &Arc<Job>, now: i64, queued: bool) -> u64 {
        let mut ring = self.lock();
        let id = ring.next_id;
        ring.next_id += 1;
        let shown = Delivery {
            id,
            client_id: job.sender.client_id().to_owned(),
            kind: job.meta.kind,
            reference: job.meta.reference.clone(),
            url: job.meta.url.clone(),
            created_at: doku_sign::timestamp::format_utc(now),
            outcome: if queued {
                DeliveryOutcome::Queued
            } else {
                DeliveryOutcome::Sending
            },
            attempt_count: 0,
            next_retry_at: None,
            attempts: Vec::new(),
        };
        while ring.entries.len() >= self.max {
            ring.entries.pop_front();
        }
        ring.entries.push_back(Entry {
            shown,
            job: Arc::clone(job),
        });
        id
    }

    /// The entry of `id`, if still kept (ids are consecutive in the ring: an index, no scan).
    fn find(ring: &mut Ring, id: u64) -> Option<&mut Entry> {
        let first = ring.entries.front()?.shown.id;
        let index = usize::try_from(id.checked_sub(first)?).ok()?;
        ring.entries.get_mut(index).filter(|e| e.shown.id == id)
    }

    /// Marks a queued notification as being sent.
    pub(crate) fn sending(&self, id: u64) {
        if let Some(entry) = Self::find(&mut self.lock(), id) {
            if entry.shown.outcome == DeliveryOutcome::Queued {
                entry.shown.outcome = DeliveryOutcome::Sending;
            }
        }
    }

    /// The next attempt's number of `id`.
    pub(crate) fn next_attempt_number(&self, id: u64) -> u32 {
        Self::find(&mut self.lock(), id).map_or(1, |e| e.shown.attempt_count + 1)
    }

    /// Records an attempt of `id`; `scheduled_final` tells that DOKU's schedule ends with it.
    /// Returns the delivery as it now stands.
    pub(crate) fn record(
        &self,
        id: u64,
        attempt: DeliveryAttempt,
        scheduled_final: bool,
    ) -> Option<Delivery> {
        let shown = {
            let mut ring = self.lock();
            let entry = Self::find(&mut ring, id)?;
            let shown = &mut entry.shown;
            shown.attempt_count = shown.attempt_count.max(attempt.attempt);
            if attempt.acknowledged {
                shown.outcome = DeliveryOutcome::Delivered;
                shown.next_retry_at = None;
            } else if !attempt.resend {
                shown.next_retry_at = attempt.next_retry_at.clone();
                shown.outcome = if scheduled_final {
                    DeliveryOutcome::Abandoned
                } else {
                    DeliveryOutcome::Retrying
                };
            }
            if shown.attempts.len() >= MAX_ATTEMPTS_KEPT {
                // Keep the first attempt (DOKU's schedule starts there); forget the oldest after it.
                shown.attempts.remove(1.min(shown.attempts.len() - 1));
            }
            shown.attempts.push(attempt);
            shown.clone()
        };
        self.changed.notify_waiters();
        Some(shown)
    }

    /// Whether `id` was acknowledged (a resend can end DOKU's schedule early).
    pub(crate) fn is_delivered(&self, id: u64) -> bool {
        Self::find(&mut self.lock(), id)
            .is_some_and(|e| e.shown.outcome == DeliveryOutcome::Delivered)
    }

    /// What a resend of `id` needs: the notification and the Request-Id of its last attempt.
    pub(crate) fn for_resend(&self, id: u64) -> Option<(Arc<Job>, Option<String>)> {
        let mut ring = self.lock();
        let entry = Self::find(&mut ring, id)?;
        let request_id = entry
            .shown
            .attempts
            .last()
            .and_then(|a| a.request_id.clone());
        Some((Arc::clone(&entry.job), request_id))
    }

    /// One delivery.
    pub(crate) fn get(&self, id: u64) -> Option<Delivery> {
        Self::find(&mut self.lock(), id).map(|e| e.shown.clone())
    }

    /// The latest `limit` deliveries (all kept when `None`), oldest first.
    pub(crate) fn list(&self, limit: Option<usize>) -> Vec<Delivery> {
        let ring = self.lock();
        let skip = limit.map_or(0, |n| ring.entries.len().saturating_sub(n));
        ring.entries
            .iter()
            .skip(skip)
            .map(|e| e.shown.clone())
            .collect()
    }

    /// How many are kept now, and at most.
    pub(crate) fn counts(&self) -> (usize, usize) {
        (self.lock().entries.len(), self.max)
    }

    /// Waits (at most `within`) until `id` has its first attempt; the delivery as it then
    /// stands (`None` if it is no longer kept).
    pub(crate) async fn wait_first_attempt(&self, id: u64, within: Duration) -> Option<Delivery> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let now = self.get(id)?;
            if !now.attempts.is_empty() {
                return Some(now);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.get(id);
            }
        }
    }
}

/// What the trigger says about a delivery: one line for people (the CLI prints it).
pub(crate) fn note(delivery: Option<&Delivery>, waited: Option<u64>) -> Option<String> {
    let delivery = delivery?;
    match delivery.last_attempt() {
        Some(attempt) => Some(attempt.summary()),
        None => waited.map(|s| {
            format!(
                "no delivery attempt within {s} s (delivery {} is {}): see GET {DELIVERIES_PATH}/{}",
                delivery.id,
                delivery.outcome.as_str(),
                delivery.id
            )
        }),
    }
}

/// Whether `req` is for the delivery history.
pub(crate) fn is_request<B>(req: &Request<B>) -> bool {
    let path = req.uri().path();
    path == DELIVERIES_PATH
        || path
            .strip_prefix(DELIVERIES_PATH)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// What a path under [`DELIVERIES_PATH`] names.
enum Route {
    List,
    One(u64),
    Resend(u64),
}

fn route(path: &str) -> Option<Route> {
    let rest = path.strip_prefix(DELIVERIES_PATH)?;
    if rest.is_empty() || rest == "/" {
        return Some(Route::List);
    }
    let rest = rest.strip_prefix('/')?;
    let (id, resend) = match rest.strip_suffix("/resend") {
        Some(id) => (id, true),
        None => (rest, false),
    };
    let id = id.parse::<u64>().ok()?;
    Some(if resend {
        Route::Resend(id)
    } else {
        Route::One(id)
    })
}

fn unknown(id: u64) -> Outcome {
    refusal(
        StatusCode::NOT_FOUND,
        "unknown_delivery",
        &format!(
            "no delivery {id} is kept (the history keeps the latest notifications; GET {DELIVERIES_PATH} lists them)"
        ),
    )
}

/// Answers the history's paths (see the module's documentation).
pub(crate) async fn answer<B>(app: &App, req: Request<B>) -> Outcome {
    let Some(route) = route(req.uri().path()) else {
        return refusal(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("{DELIVERIES_PATH}, {DELIVERIES_PATH}/ID or {DELIVERIES_PATH}/ID/resend"),
        );
    };
    let history = app.notifier.history();
    let wanted = match route {
        Route::Resend(_) => Method::POST,
        Route::List | Route::One(_) => Method::GET,
    };
    if req.method() != wanted {
        return refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            &format!("use {wanted}"),
        );
    }
    match route {
        Route::List => {
            let limit = req
                .uri()
                .query()
                .and_then(|q| crate::query::parse_query(q).ok())
                .and_then(|pairs| {
                    pairs
                        .into_iter()
                        .find(|(name, _)| name == "limit")
                        .and_then(|(_, v)| v.parse::<usize>().ok())
                });
            let (kept, max_kept) = history.counts();
            let deliveries = history.list(limit);
            json(
                StatusCode::OK,
                &serde_json::json!({"deliveries": deliveries, "kept": kept, "max_kept": max_kept}),
            )
        }
        Route::One(id) => match history.get(id) {
            Some(d) => json(StatusCode::OK, &serde_json::to_value(d).unwrap_or_default()),
            None => unknown(id),
        },
        Route::Resend(id) => {
            app.count_request();
            let from_form = req
                .headers()
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            let Some(delivery) = app.notifier.resend(id).await else {
                return unknown(id);
            };
            if from_form {
                return crate::html::see_other(&format!("/#delivery-{id}"));
            }
            json(
                StatusCode::OK,
                &serde_json::to_value(delivery).unwrap_or_default(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::{Job, JobMeta, Sender, Target};
    use bytes::Bytes;
    use doku_sign::SecretKey;

    fn job() -> Arc<Job> {
        Arc::new(Job {
            target: Target::parse("http://127.0.0.1:1/n").unwrap(),
            body: Bytes::from_static(b"{}"),
            sender: Sender::NonSnap {
                client_id: "BRN-1".into(),
                key: SecretKey::new("k"),
            },
            meta: JobMeta {
                kind: DeliveryKind::Checkout,
                reference: "INV-1".into(),
                url: "http://127.0.0.1:1/n".into(),
            },
        })
    }

    fn attempt(n: u32, acknowledged: bool, resend: bool) -> DeliveryAttempt {
        DeliveryAttempt {
            attempt: n,
            resend,
            at: "2026-01-01T00:00:00Z".into(),
            request_id: Some("r".into()),
            status: Some(if acknowledged { 200 } else { 500 }),
            error: None,
            acknowledged,
            latency_ms: 1,
            next_retry_at: None,
        }
    }

    #[test]
    fn the_ring_keeps_the_latest_and_finds_by_id_without_a_scan() {
        let history = Deliveries::new(3);
        let ids: Vec<u64> = (0..5).map(|_| history.open(&job(), 0, false)).collect();
        assert_eq!(ids, [1, 2, 3, 4, 5]);
        let kept: Vec<u64> = history.list(None).iter().map(|d| d.id).collect();
        assert_eq!(kept, [3, 4, 5]);
        assert!(history.get(2).is_none() && history.get(6).is_none());
        assert_eq!(history.get(4).unwrap().id, 4);
        let latest: Vec<u64> = history.list(Some(2)).iter().map(|d| d.id).collect();
        assert_eq!(latest, [4, 5]);
        assert_eq!(history.counts(), (3, 3));
    }

    #[test]
    fn attempts_are_bounded_and_the_first_is_kept() {
        let history = Deliveries::new(2);
        let id = history.open(&job(), 0, false);
        history.record(id, attempt(1, false, false), false);
        for n in 2..=(MAX_ATTEMPTS_KEPT as u32 + 10) {
            history.record(id, attempt(n, false, true), false);
        }
        let d = history.get(id).unwrap();
        assert_eq!(d.attempts.len(), MAX_ATTEMPTS_KEPT);
        assert_eq!(d.attempts[0].attempt, 1);
        assert_eq!(d.attempt_count, MAX_ATTEMPTS_KEPT as u32 + 10);
        assert_eq!(
            d.outcome,
            DeliveryOutcome::Retrying,
            "a failed resend changes nothing"
        );
        history.record(id, attempt(99, true, true), false);
        assert_eq!(history.get(id).unwrap().outcome, DeliveryOutcome::Delivered);
        assert!(history.is_delivered(id));
    }
}
