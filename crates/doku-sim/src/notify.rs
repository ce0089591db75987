//! Delivering payment notifications the way DOKU does: `POST` to the merchant's Notification
//! URL with DOKU's four headers, signed with the merchant's Client-Id and key, `Request-Target`
//! = the URL's path, `Digest` over the exact bytes sent; retried at +30 min, +6 h and +12 h
//! after the first attempt (3 more attempts) until a 2xx.
//!
//! Delivery runs on background tasks and never blocks the API: at most
//! [`MAX_DELIVERIES`] notifications are in delivery at once (more are dropped and counted), each
//! attempt is bounded by [`CONNECT_TIMEOUT`] and [`ATTEMPT_TIMEOUT`], and the schedule can be
//! compressed by the configured time scale.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use doku_sign::non_snap::{self, Kind, Message};
use doku_sign::SecretKey;
use http_body_util::{BodyExt as _, Full, Limited};
use tokio::sync::{watch, Semaphore};

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
/// Longest wait for the receiver's TCP connection.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for the receiver's whole answer, connection included.
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Most bytes of a receiver's answer read (and discarded).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

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
    pub(crate) client_id: String,
    pub(crate) key: SecretKey,
    pub(crate) body: Bytes,
}

/// Runs deliveries: the bound on their number, the counters, the stop signal.
pub(crate) struct Notifier {
    slots: Arc<Semaphore>,
    stats: Arc<Mutex<Stats>>,
    clock: Arc<dyn Clock>,
    scale: f64,
    retry_request_id: NotificationRetryRequestId,
    stop: watch::Sender<bool>,
}

fn count(stats: &Mutex<Stats>, bump: impl FnOnce(&mut Stats)) {
    bump(&mut stats.lock().unwrap_or_else(|p| p.into_inner()));
}

impl Notifier {
    pub(crate) fn new(
        stats: Arc<Mutex<Stats>>,
        clock: Arc<dyn Clock>,
        scale: f64,
        retry_request_id: NotificationRetryRequestId,
    ) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(MAX_DELIVERIES)),
            stats,
            clock,
            scale,
            retry_request_id,
            stop: watch::channel(false).0,
        }
    }

    /// Starts delivering `job` on a background task of the current tokio runtime. Returns
    /// `false` when too many deliveries are running or there is no runtime (the job is dropped
    /// and counted).
    pub(crate) fn spawn(&self, job: Job) -> bool {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            count(&self.stats, |s| s.notifications_dropped += 1);
            tracing::warn!("notification dropped: no tokio runtime to deliver it on");
            return false;
        };
        let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() else {
            count(&self.stats, |s| s.notifications_dropped += 1);
            tracing::warn!("notification dropped: {MAX_DELIVERIES} deliveries already running");
            return false;
        };
        count(&self.stats, |s| s.notifications += 1);
        let stats = Arc::clone(&self.stats);
        let clock = Arc::clone(&self.clock);
        let (scale, reading) = (self.scale, self.retry_request_id);
        let mut stop = self.stop.subscribe();
        runtime.spawn(async move {
            tokio::select! {
                () = deliver(job, &stats, clock.as_ref(), scale, reading) => {}
                _ = stop.wait_for(|stopped| *stopped) => {}
            }
            drop(permit);
        });
        true
    }

    /// Stops every delivery (when the simulator shuts down).
    pub(crate) fn stop(&self) {
        self.stop.send_replace(true);
    }
}

/// Runs the schedule for one notification.
async fn deliver(
    job: Job,
    stats: &Mutex<Stats>,
    clock: &dyn Clock,
    scale: f64,
    reading: NotificationRetryRequestId,
) {
    let started = tokio::time::Instant::now();
    let mut request_id = uuid::Uuid::new_v4().to_string();
    for (n, offset) in SCHEDULE.iter().enumerate() {
        tokio::time::sleep_until(started + offset.mul_f64(scale)).await;
        if n > 0 && reading == NotificationRetryRequestId::Fresh {
            request_id = uuid::Uuid::new_v4().to_string();
        }
        count(stats, |s| s.notification_attempts += 1);
        let timestamp = doku_sign::timestamp::format_utc(clock.unix_seconds());
        let outcome = attempt(&job, &request_id, &timestamp).await;
        let (path, attempt) = (job.target.path(), n + 1);
        match outcome {
            Ok(status) if (200..300).contains(&status) => {
                count(stats, |s| s.notifications_delivered += 1);
                tracing::info!(url_path = path, attempt, status, "notification delivered");
                return;
            }
            Ok(status) => tracing::info!(url_path = path, attempt, status, "notification refused"),
            Err(why) => tracing::info!(url_path = path, attempt, why, "notification not delivered"),
        }
    }
    count(stats, |s| s.notifications_abandoned += 1);
}

/// One attempt: the receiver's status, or why there is none.
async fn attempt(job: &Job, request_id: &str, timestamp: &str) -> Result<u16, String> {
    let message = Message {
        client_id: &job.client_id,
        request_id,
        timestamp,
        target: job.target.path(),
        body: Some(&job.body),
    };
    let signature = non_snap::sign(&job.key, Kind::Request, &message).to_string();
    let request = http::Request::post(job.target.path_and_query.as_str())
        .header(http::header::HOST, job.target.authority.as_str())
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(headers::CLIENT_ID, job.client_id.as_str())
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
}
