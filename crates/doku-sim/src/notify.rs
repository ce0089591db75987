//! Delivering payment notifications the way DOKU does: `POST` to the merchant's Notification
//! URL with DOKU's four headers, signed with the merchant's Client-Id and key, `Request-Target`
//! = the URL's path, `Digest` over the exact bytes sent; retried at +30 min, +6 h and +12 h
//! after the first attempt (3 more attempts) until a 2xx.
//!
//! Delivery runs on background tasks and never blocks the API: at most
//! [`MAX_DELIVERIES`] notifications are in delivery at once; more wait in a queue of at most
//! [`MAX_QUEUED`] (counted in `Stats::notifications_queued`) and start as deliveries end. When
//! both are full the payment trigger refuses to move the order ([`Notifier::has_room`]); a
//! notification is dropped (counted, logged, `notification_url: null` in the trigger's answer)
//! only if other payments fill the queue between that check and its scheduling. Each attempt is bounded by [`CONNECT_TIMEOUT`] and
//! [`ATTEMPT_TIMEOUT`], and the schedule can be compressed or stretched by the configured time
//! scale (at most [`MAX_TIME_SCALE`]).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use http_body_util::{BodyExt as _, Full, Limited};
use tokio::sync::{watch, Semaphore};

use crate::deliveries::{
    Deliveries, Delivery, DeliveryAttempt, DeliveryKind, DEFAULT_DELIVERIES_KEPT,
};
use crate::readings::NotificationRetryRequestId;
use crate::stats::Stats;
use doku_sign::clock::Clock;
use doku_sign::headers;

/// DOKU's schedule: the offset of each attempt from the first one (retry page: 30 minutes,
/// 6 hours, 12 hours "from original attempt").
pub(crate) const SCHEDULE: [Duration; 4] = [
    Duration::ZERO,
    Duration::from_secs(30 * 60),
    Duration::from_secs(6 * 3600),
    Duration::from_secs(12 * 3600),
];

/// Most notifications in delivery (including those waiting for a retry) at once.
pub(crate) const MAX_DELIVERIES: usize = 1024;
/// Most notifications waiting for a delivery slot. A queued notification holds its body (the
/// Check Status body, about 1 KiB) and its target: 10,000 of them take about 20 MiB.
pub(crate) const MAX_QUEUED: usize = 10_000;
/// Largest factor on DOKU's retry schedule: at 1000 the last retry (+12 h) comes 500 days after
/// the first attempt, longer than any test runs; beyond it the scaled schedule overflows what a
/// timer can hold (`1e300` did), so larger factors are refused at configuration.
pub(crate) const MAX_TIME_SCALE: f64 = 1000.0;

/// Checks a time scale: a finite number from 0 (every retry at once) to [`MAX_TIME_SCALE`].
pub(crate) fn check_time_scale(scale: f64) -> Result<(), String> {
    if scale.is_finite() && (0.0..=MAX_TIME_SCALE).contains(&scale) {
        Ok(())
    } else {
        Err(format!(
            "time scale {scale} must be a number from 0 to {MAX_TIME_SCALE} (1 = DOKU's real \
             schedule, 0.0001 = seconds)"
        ))
    }
}
/// Longest wait for the receiver's TCP connection.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for the receiver's whole answer, connection included.
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Most bytes of a receiver's answer read (and discarded).
pub(crate) const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Where a notification goes: an `http://host[:port]/path` URL, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    /// `host:port`, for the connection and the `Host` header.
    pub(crate) authority: String,
    /// The path (with any query): the signed `Request-Target` is the path alone.
    pub(crate) path_and_query: String,
}

impl Target {
    /// Splits `url`; only `http://` (the simulator has no TLS client).
    pub(crate) fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("notification URL {url:?}: only http:// URLs are supported"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() || authority.contains('@') || path.contains('#') {
            return Err(format!(
                "notification URL {url:?} is not http://host[:port]/path"
            ));
        }
        let authority = if authority.contains(':') && !authority.ends_with(']') {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        };
        Ok(Self {
            authority,
            path_and_query: path.to_owned(),
        })
    }

    /// The path, without the query: what DOKU signs as `Request-Target` and what the override
    /// rule compares.
    pub(crate) fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(&self.path_and_query, |(p, _)| p)
    }
}

/// One notification to deliver.
pub(crate) struct Job {
    pub(crate) target: Target,
    pub(crate) body: Bytes,
    pub(crate) sender: Sender,
    /// What the delivery history shows of it.
    pub(crate) meta: JobMeta,
}

/// What the delivery history shows of a notification besides its sender.
pub(crate) struct JobMeta {
    pub(crate) kind: DeliveryKind,
    /// The invoice number or Virtual Account number.
    pub(crate) reference: String,
    /// The URL as configured (the target is its parsed form).
    pub(crate) url: String,
}

/// How a notification is signed and judged.
pub(crate) enum Sender {
    /// Checkout's Non-SNAP notification: DOKU's four headers with the merchant's Client-Id and
    /// key; any 2xx ends it.
    NonSnap { client_id: String, key: SecretKey },
    /// A SNAP payment notification: a token from the merchant first, then the symmetric
    /// signature; acknowledged under the ack-code reading.
    Snap(Box<crate::snap::pay::SnapSender>),
}

impl Sender {
    /// The merchant the notification is from.
    pub(crate) fn client_id(&self) -> &str {
        match self {
            Self::NonSnap { client_id, .. } => client_id,
            Self::Snap(sender) => sender.client_id(),
        }
    }
}

/// Runs deliveries: the bound on their number, the queue behind it, the counters, the stop
/// signal.
pub(crate) struct Notifier {
    slots: Arc<Semaphore>,
    /// Notifications waiting for a slot. A slot is taken, and given back, only with this lock
    /// held, so a notification is never queued just after the last delivery looked for one.
    queue: Arc<Mutex<VecDeque<Queued>>>,
    max_queued: usize,
    stats: Arc<Mutex<Stats>>,
    clock: Arc<dyn Clock>,
    scale: f64,
    retry_request_id: NotificationRetryRequestId,
    stop: watch::Sender<bool>,
    /// Every notification scheduled, with its attempts (bounded).
    history: Arc<Deliveries>,
}

/// A notification waiting for a slot: its history id and the notification.
type Queued = (u64, Arc<Job>);

pub(crate) fn count(stats: &Mutex<Stats>, bump: impl FnOnce(&mut Stats)) {
    bump(&mut stats.lock().unwrap_or_else(|p| p.into_inner()));
}

fn lock(queue: &Mutex<VecDeque<Queued>>) -> MutexGuard<'_, VecDeque<Queued>> {
    queue.lock().unwrap_or_else(|p| p.into_inner())
}

impl Notifier {
    pub(crate) fn new(
        stats: Arc<Mutex<Stats>>,
        clock: Arc<dyn Clock>,
        scale: f64,
        retry_request_id: NotificationRetryRequestId,
        deliveries_kept: usize,
    ) -> Self {
        let mut notifier = Self::with_bounds(
            MAX_DELIVERIES,
            MAX_QUEUED,
            stats,
            clock,
            scale,
            retry_request_id,
        );
        notifier.history = Arc::new(Deliveries::new(deliveries_kept));
        notifier
    }

    /// A notifier with other bounds than [`MAX_DELIVERIES`] and [`MAX_QUEUED`] (for tests).
    fn with_bounds(
        max_deliveries: usize,
        max_queued: usize,
        stats: Arc<Mutex<Stats>>,
        clock: Arc<dyn Clock>,
        scale: f64,
        retry_request_id: NotificationRetryRequestId,
    ) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(max_deliveries)),
            queue: Arc::new(Mutex::new(VecDeque::new())),
            max_queued,
            stats,
            clock,
            scale,
            retry_request_id,
            stop: watch::channel(false).0,
            history: Arc::new(Deliveries::new(DEFAULT_DELIVERIES_KEPT)),
        }
    }

    /// The delivery history.
    pub(crate) fn history(&self) -> &Deliveries {
        &self.history
    }

    /// Starts delivering `job` on a background task of the current tokio runtime, or queues it
    /// when every delivery slot is taken; either way it enters the delivery history, whose id is
    /// returned. `None` when the queue is full too, or there is no runtime: the job is then
    /// dropped, counted and logged.
    pub(crate) fn spawn(&self, job: Job) -> Option<u64> {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            count(&self.stats, |s| s.notifications_dropped += 1);
            tracing::warn!("notification dropped: no tokio runtime to deliver it on");
            return None;
        };
        let job = Arc::new(job);
        let now = self.clock.unix_seconds();
        let (permit, id) = {
            let mut queue = lock(&self.queue);
            match Arc::clone(&self.slots).try_acquire_owned() {
                Ok(permit) => (permit, self.history.open(&job, now, false)),
                Err(_) if queue.len() < self.max_queued => {
                    let id = self.history.open(&job, now, true);
                    queue.push_back((id, job));
                    count(&self.stats, |s| {
                        s.notifications += 1;
                        s.notifications_queued += 1;
                    });
                    return Some(id);
                }
                Err(_) => {
                    drop(queue);
                    count(&self.stats, |s| s.notifications_dropped += 1);
                    tracing::warn!(
                        "notification dropped: every delivery slot is taken and {} are queued",
                        self.max_queued
                    );
                    return None;
                }
            }
        };
        count(&self.stats, |s| s.notifications += 1);
        let run = Run {
            stats: Arc::clone(&self.stats),
            clock: Arc::clone(&self.clock),
            history: Arc::clone(&self.history),
            scale: self.scale,
            reading: self.retry_request_id,
        };
        let queue = Arc::clone(&self.queue);
        let mut stop = self.stop.subscribe();
        runtime.spawn(async move {
            let (mut id, mut job) = (id, job);
            loop {
                tokio::select! {
                    () = deliver(id, &job, &run) => {}
                    _ = stop.wait_for(|stopped| *stopped) => return,
                }
                // The next queued notification takes this slot; with none, the slot is given
                // back under the queue's lock.
                let next = {
                    let mut waiting = lock(&queue);
                    match waiting.pop_front() {
                        Some(next) => next,
                        None => {
                            drop(permit);
                            return;
                        }
                    }
                };
                count(&run.stats, |s| {
                    s.notifications_queued = s.notifications_queued.saturating_sub(1);
                });
                (id, job) = next;
                run.history.sending(id);
            }
        });
        Some(id)
    }

    /// Delivers the kept notification `id` once more, now (DOKU's Back Office "retry"): one
    /// attempt, signed afresh (the `Request-Id` of its last attempt under the `same` retry
    /// reading, a fresh one under `fresh`), recorded in the history with `resend: true`. An
    /// acknowledgement ends DOKU's schedule if it is still running. Bounded by
    /// [`CONNECT_TIMEOUT`] and [`ATTEMPT_TIMEOUT`].
    pub(crate) async fn resend(&self, id: u64) -> Option<Delivery> {
        let (job, last_request_id) = self.history.for_resend(id)?;
        let request_id = match (self.retry_request_id, last_request_id) {
            (NotificationRetryRequestId::Same, Some(same)) => same,
            _ => uuid::Uuid::new_v4().to_string(),
        };
        let number = self.history.next_attempt_number(id);
        count(&self.stats, |s| s.notification_resends += 1);
        let made = attempt(&job, &request_id, &self.stats, self.clock.as_ref()).await;
        let attempt = made.into_record(number, true, None, self.clock.as_ref());
        self.history.record(id, attempt, false)
    }

    /// Whether a notification spawned now would be delivered or queued rather than dropped.
    /// The payment trigger asks before it moves an order, so that a full queue refuses the
    /// payment (nothing changed, retry later) instead of losing its notification.
    pub(crate) fn has_room(&self) -> bool {
        let queue = lock(&self.queue);
        self.slots.available_permits() > 0 || queue.len() < self.max_queued
    }

    /// The message a payment refused for lack of room gets.
    pub(crate) fn full_message(&self) -> String {
        format!(
            "every notification delivery slot is taken and {} notifications are queued: the \
             order was not moved; pay again when deliveries end (stats: notifications_queued)",
            self.max_queued
        )
    }

    /// Stops every delivery (when the simulator shuts down).
    pub(crate) fn stop(&self) {
        self.stop.send_replace(true);
    }
}

/// When an attempt `offset` after the first is due under `scale`; `None` if that lies beyond
/// what a timer holds (a scale within [`MAX_TIME_SCALE`] never does).
fn due(
    started: tokio::time::Instant,
    offset: Duration,
    scale: f64,
) -> Option<tokio::time::Instant> {
    let scaled = Duration::try_from_secs_f64(offset.as_secs_f64() * scale).ok()?;
    started.checked_add(scaled)
}

/// What a delivery task shares with the simulator.
struct Run {
    stats: Arc<Mutex<Stats>>,
    clock: Arc<dyn Clock>,
    history: Arc<Deliveries>,
    scale: f64,
    reading: NotificationRetryRequestId,
}

/// One attempt as made: the answer (status, acknowledged) or why there is none, and how long
/// it took.
struct Made {
    result: Result<(u16, bool), String>,
    latency: Duration,
    request_id: Option<String>,
}

impl Made {
    fn into_record(
        self,
        number: u32,
        resend: bool,
        next_retry_at: Option<String>,
        clock: &dyn Clock,
    ) -> DeliveryAttempt {
        let (status, error, acknowledged) = match self.result {
            Ok((status, ok)) => (Some(status), None, ok),
            Err(why) => (None, Some(why), false),
        };
        DeliveryAttempt {
            attempt: number,
            resend,
            at: doku_sign::timestamp::format_utc(clock.unix_seconds()),
            request_id: self.request_id,
            status,
            error,
            acknowledged,
            latency_ms: u64::try_from(self.latency.as_millis()).unwrap_or(u64::MAX),
            next_retry_at: if acknowledged { None } else { next_retry_at },
        }
    }
}

/// Makes one attempt of `job` (counted), signed now.
async fn attempt(job: &Job, request_id: &str, stats: &Mutex<Stats>, clock: &dyn Clock) -> Made {
    let snap = matches!(job.sender, Sender::Snap(_));
    count(stats, |s| {
        s.notification_attempts += 1;
        if snap {
            s.snap_notification_attempts += 1;
        }
    });
    let started = std::time::Instant::now();
    let result = match &job.sender {
        Sender::NonSnap { client_id, key } => {
            let timestamp = doku_sign::timestamp::format_utc(clock.unix_seconds());
            attempt_non_snap(job, client_id, key, request_id, &timestamp)
                .await
                .map(|status| (status, (200..300).contains(&status)))
        }
        Sender::Snap(sender) => {
            crate::snap::pay::attempt(sender, &job.target, &job.body, clock, stats).await
        }
    };
    Made {
        result,
        latency: started.elapsed(),
        request_id: (!snap).then(|| request_id.to_owned()),
    }
}

/// Runs the schedule for one notification, recording each attempt in the history. A resend
/// acknowledged meanwhile ends it.
async fn deliver(id: u64, job: &Job, run: &Run) {
    let (stats, clock, scale) = (run.stats.as_ref(), run.clock.as_ref(), run.scale);
    let started = tokio::time::Instant::now();
    let mut request_id = uuid::Uuid::new_v4().to_string();
    let snap = matches!(job.sender, Sender::Snap(_));
    for (n, offset) in SCHEDULE.iter().enumerate() {
        let Some(at) = due(started, *offset, scale) else {
            tracing::warn!(scale, "notification retry schedule out of range: given up");
            break;
        };
        tokio::time::sleep_until(at).await;
        if n > 0 && run.history.is_delivered(id) {
            count(stats, |s| {
                s.notifications_delivered += 1;
                if snap {
                    s.snap_notifications_delivered += 1;
                }
            });
            tracing::info!(
                delivery = id,
                "notification delivered by a resend: retries end"
            );
            return;
        }
        if n > 0 && run.reading == NotificationRetryRequestId::Fresh {
            request_id = uuid::Uuid::new_v4().to_string();
        }
        let (path, number) = (job.target.path(), n + 1);
        let made = attempt(job, &request_id, stats, clock).await;
        let next_retry_at = SCHEDULE.get(n + 1).and_then(|next| {
            let wait = next.saturating_sub(*offset).as_secs_f64() * scale;
            let wait = i64::try_from(Duration::try_from_secs_f64(wait).ok()?.as_secs()).ok()?;
            Some(doku_sign::timestamp::format_utc(
                clock.unix_seconds().saturating_add(wait),
            ))
        });
        let outcome = made.result.clone();
        let number32 = u32::try_from(number).unwrap_or(u32::MAX);
        let record = made.into_record(number32, false, next_retry_at, clock);
        run.history.record(id, record, n + 1 == SCHEDULE.len());
        match outcome {
            Ok((status, true)) => {
                count(stats, |s| {
                    s.notifications_delivered += 1;
                    if snap {
                        s.snap_notifications_delivered += 1;
                    }
                });
                tracing::info!(
                    delivery = id,
                    url_path = path,
                    attempt = number,
                    status,
                    "notification delivered"
                );
                return;
            }
            Ok((status, false)) => {
                tracing::info!(
                    delivery = id,
                    url_path = path,
                    attempt = number,
                    status,
                    "notification refused"
                );
            }
            Err(why) => tracing::info!(
                delivery = id,
                url_path = path,
                attempt = number,
                why,
                "notification not delivered"
            ),
        }
    }
    count(stats, |s| {
        s.notifications_abandoned += 1;
        if snap {
            s.snap_notifications_abandoned += 1;
        }
    });
}

/// One Non-SNAP attempt: the receiver's status, or why there is none.
async fn attempt_non_snap(
    job: &Job,
    client_id: &str,
    key: &SecretKey,
    request_id: &str,
    timestamp: &str,
) -> Result<u16, String> {
    let message = Message {
        client_id,
        request_id,
        timestamp,
        target: job.target.path(),
        body: Some(&job.body),
    };
    let signature = non_snap::sign(key, Kind::Request, &message).to_string();
    let request = http::Request::post(job.target.path_and_query.as_str())
        .header(http::header::HOST, job.target.authority.as_str())
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(headers::CLIENT_ID, client_id)
        .header(headers::REQUEST_ID, request_id)
        .header(headers::REQUEST_TIMESTAMP, timestamp)
        .header(headers::SIGNATURE, signature)
        .body(Full::new(job.body.clone()))
        .map_err(|e| e.to_string())?;
    let exchange = async {
        let stream = tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio::net::TcpStream::connect(job.target.authority.as_str()),
        )
        .await
        .map_err(|_| "connect timed out".to_owned())?
        .map_err(|e| format!("connect: {e}"))?;
        let io = hyper_util::rt::TokioIo::new(stream);
        // DOKU's spelling (`Client-Id`, `Request-Id`, …): DOKU's PHP library and sample
        // receiver read `getallheaders()['Client-Id']`, which is case-sensitive.
        let (mut sender, conn) = hyper::client::conn::http1::Builder::new()
            .title_case_headers(true)
            .handshake(io)
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        let driver = tokio::spawn(conn);
        let result = async {
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| format!("request: {e}"))?;
            let status = response.status().as_u16();
            // Read (a bounded part of) the answer so the connection ends cleanly.
            let _ = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await;
            Ok(status)
        }
        .await;
        driver.abort();
        result
    };
    tokio::time::timeout(ATTEMPT_TIMEOUT, exchange)
        .await
        .map_err(|_| "no answer in time".to_owned())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = Target::parse("http://127.0.0.1:9000/payments/notifications?x=1").unwrap();
        assert_eq!(t.authority, "127.0.0.1:9000");
        assert_eq!(t.path(), "/payments/notifications");
        assert_eq!(t.path_and_query, "/payments/notifications?x=1");
        assert_eq!(
            Target::parse("http://example.com").unwrap().authority,
            "example.com:80"
        );
        assert!(Target::parse("https://example.com/p").is_err());
        assert!(Target::parse("http:///p").is_err());
    }

    /// A receiver on loopback that answers every request with 500 at once.
    async fn refusing_receiver() -> String {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = stream.read(&mut buf).await;
                    let answer = b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n";
                    let _ = stream.write_all(answer).await;
                });
            }
        });
        url
    }

    /// Past the delivery slots, notifications wait in the queue (counted) and are delivered as
    /// slots free up; only past the queue is one dropped, and `spawn` says so. (The spawned
    /// delivery does not run before the test yields, so the first one holds the only slot.)
    #[tokio::test]
    async fn notifications_past_the_slots_are_queued_then_delivered_and_only_past_the_queue_dropped(
    ) {
        let url = refusing_receiver().await;
        let stats = Arc::new(Mutex::new(Stats::default()));
        let notifier = Notifier::with_bounds(
            1,
            1,
            Arc::clone(&stats),
            Arc::new(doku_sign::clock::SystemClock),
            0.0,
            NotificationRetryRequestId::Same,
        );
        let job = || Job {
            target: Target::parse(&url).unwrap(),
            body: Bytes::from_static(b"{}"),
            sender: Sender::NonSnap {
                client_id: "BRN-1".to_owned(),
                key: SecretKey::new("k"),
            },
            meta: JobMeta {
                kind: DeliveryKind::Checkout,
                reference: "INV-1".to_owned(),
                url: url.clone(),
            },
        };
        assert!(notifier.has_room());
        assert!(notifier.spawn(job()).is_some(), "the first takes the slot");
        assert!(
            notifier.spawn(job()).is_some(),
            "the second waits in the queue"
        );
        assert!(
            !notifier.has_room(),
            "the trigger is told before it moves an order"
        );
        assert!(
            notifier.spawn(job()).is_none(),
            "the third finds the queue full"
        );
        let now = || stats.lock().unwrap().clone();
        let s = now();
        assert_eq!(
            (
                s.notifications,
                s.notifications_queued,
                s.notifications_dropped
            ),
            (2, 1, 1)
        );
        // Both scheduled notifications run their whole schedule (4 attempts each, all refused).
        for _ in 0..500 {
            if now().notifications_abandoned == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let s = now();
        assert_eq!(
            (
                s.notifications_abandoned,
                s.notification_attempts,
                s.notifications_queued
            ),
            (2, 8, 0)
        );
    }

    #[test]
    fn time_scales_past_the_range_are_refused_and_never_overflow() {
        for ok in [0.0, 0.0001, 1.0, MAX_TIME_SCALE] {
            assert!(check_time_scale(ok).is_ok(), "{ok}");
        }
        for bad in [1e300, MAX_TIME_SCALE * 1.01, -1.0, f64::NAN, f64::INFINITY] {
            let err = check_time_scale(bad).unwrap_err();
            assert!(err.contains("from 0 to 1000"), "{err}");
        }
        let start = tokio::time::Instant::now();
        assert!(due(start, SCHEDULE[3], 1e300).is_none());
        assert!(due(start, SCHEDULE[3], MAX_TIME_SCALE).is_some());
    }
}
