//! A DOKU payment-notification receiver: axum, verified with doku-partner, recorded once in SQLite
//! or, for several instances behind a load balancer, in PostgreSQL ([`Database`]).
//!
//! DOKU signs a notification like a request whose `Request-Target` is the path of *your*
//! notification URL and whose Digest covers the raw bytes it sent. So the handler takes the body
//! as bytes — never as an already-parsed `Json<T>`, whose re-serialisation would not match —
//! verifies it with [`doku_partner::verify_notification`], records it keyed by its dedup key (a
//! DOKU retry is applied once, whichever instance it reaches), and answers once the row is
//! committed:
//!
//! - 200 when recorded (also when recorded but flagged, e.g. an amount that is not the order's:
//!   retrying would not change it);
//! - 401 when it does not verify or its `Request-Timestamp` is outside [`Limits::max_age`];
//!   400 when it is malformed; 408 when its body is too slow; 413 when it is too large;
//! - 409 for a refund of a payment not recorded yet, 503 when the database queue (or every
//!   PostgreSQL connection) is full, 500 when the database fails or is down: DOKU retries these
//!   (+30 min, +6 h, +12 h). Never 2xx for a notification that was not recorded.
//!
//! A payment's state only moves forward ([`transitions`]), and only for an order the app
//! registered with its amount ([`Records::register_order`]). Every resource a peer can hold is
//! bounded ([`Limits`]); serve with [`serve`], not `axum::serve`, to get the bounds.
//!
//! **SNAP Virtual Accounts** ([`Receiver::with_snap`], [`SnapSide`]): DOKU first asks
//! [`SNAP_TOKEN_PATH`] for a token (its RSA signature verified with DOKU's public key, our JWT
//! signed with the merchant's private key), then posts the payment to
//! [`SNAP_NOTIFICATION_PATH`] with that bearer and an HMAC-SHA512 over the raw bytes. A verified
//! payment goes through the same store and state machine (an [`Event`] whose invoice is the
//! Virtual Account's `trxId`), recorded once under its dedup key, and is acknowledged with the
//! SNAP body DOKU expects; refusals carry DOKU's codes (`4012701` bearer, `4012700` signature).

mod limits;
mod records;
mod server;
mod slots;
mod store;
pub mod transitions;
mod writer;

use doku_sign::clock::{Clock as _, SystemClock};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use doku_model::snap::{AckCode, ResponseCode, ServiceCode, SnapErrorBody};
use doku_partner::{
    verify_notification, MerchantKeys, NotificationRefusal, SnapReceiver, SnapReply,
    SnapTokenIssuer, SNAP_REPLY_CONTENT_TYPE,
};
use doku_sign::notification::Freshness;
use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::SecretKey;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};

pub use limits::Limits;
pub use records::{Database, Records};
pub use server::bind;
pub use store::{snap_event, Applied, Event, Flag, FlaggedNotification, Payment, Store};
pub use writer::WriteError;

/// The path DOKU is configured to call (it is part of what DOKU signs).
pub const NOTIFICATION_PATH: &str = "/payments/notifications";

/// Where DOKU asks for a token before each SNAP call (the path of the merchant's token URL).
pub const SNAP_TOKEN_PATH: &str = "/authorization/v1/access-token/b2b";

/// Where DOKU posts SNAP Virtual Account payments (the path of the merchant's SNAP
/// notification URL, part of what DOKU signs; DOKU's spec names this one).
pub const SNAP_NOTIFICATION_PATH: &str = "/v1/transfer-va/payment";

/// What the handler needs: the merchants' keys, the records, the bounds.
pub struct Receiver {
    keys: Box<dyn MerchantKeys + Send + Sync>,
    records: Arc<Records>,
    limits: Limits,
    snap: Option<SnapSide>,
}

/// The SNAP half of the receiver: the token endpoint and one notification verifier per
/// merchant (its client secret is its key, the same as for Non-SNAP notifications).
pub struct SnapSide {
    issuer: SnapTokenIssuer,
    receivers: Vec<(String, SnapReceiver)>,
    ack: AckCode,
    tokens_issued: AtomicU64,
}

impl SnapSide {
    /// Tokens for `merchants` (client id and client secret) only, DOKU's token requests
    /// verified with `doku_public_key`, our tokens signed with `merchant_private_key` (whose
    /// public half DOKU holds); acknowledged with `2002500` unless [`SnapSide::ack_code`] says
    /// otherwise.
    pub fn new(
        doku_public_key: PublicKey,
        merchant_private_key: PrivateKey,
        merchants: impl IntoIterator<Item = (String, SecretKey)>,
    ) -> Self {
        let merchants: Vec<(String, SecretKey)> = merchants.into_iter().collect();
        let issuer = SnapTokenIssuer::new(doku_public_key, merchant_private_key)
            .expected_client_ids(merchants.iter().map(|(id, _)| id.clone()));
        let receivers = merchants
            .into_iter()
            .map(|(id, secret)| {
                let receiver =
                    SnapReceiver::for_issuer(&issuer, secret).expected_client_ids([id.clone()]);
                (id, receiver)
            })
            .collect();
        Self {
            issuer,
            receivers,
            ack: AckCode::PaymentNotification,
            tokens_issued: AtomicU64::new(0),
        }
    }

    /// The success code of the acknowledgement: `2002500` (DOKU's Java, Go and Python SDKs, the
    /// default) or `2002700` (its PHP and Node SDKs); no DOKU page says which.
    pub fn ack_code(mut self, ack: AckCode) -> Self {
        self.ack = ack;
        self
    }
}

impl Receiver {
    /// A receiver verifying with `keys` and recording into `database` (a SQLite [`Store`] or
    /// a PostgreSQL [`doku_postgres::notifications::PgNotifications`]), within `limits`; for
    /// SQLite, starts the store's writer thread.
    pub fn new(
        keys: impl MerchantKeys + Send + Sync + 'static,
        database: impl Into<Database>,
        limits: Limits,
    ) -> std::io::Result<Self> {
        let records = Arc::new(Records::start(database.into(), limits.store_queue)?);
        Ok(Self {
            keys: Box::new(keys),
            records,
            limits,
            snap: None,
        })
    }

    /// Also receives SNAP Virtual Account payments: serves [`SNAP_TOKEN_PATH`] and
    /// [`SNAP_NOTIFICATION_PATH`].
    pub fn with_snap(mut self, snap: SnapSide) -> Self {
        self.snap = Some(snap);
        self
    }

    /// The records, to register orders and read payments.
    pub fn records(&self) -> &Arc<Records> {
        &self.records
    }
}

/// The axum router with the notification route (and the SNAP routes, when configured).
pub fn router(receiver: Receiver) -> Router {
    let snap = receiver.snap.is_some();
    let router = Router::new().route(NOTIFICATION_PATH, post(receive));
    let router = if snap {
        router
            .route(SNAP_TOKEN_PATH, post(snap_token))
            .route(SNAP_NOTIFICATION_PATH, post(snap_notification))
    } else {
        router
    };
    router.with_state(Arc::new(receiver))
}

/// Serves `receiver` on `listener` with its bounds (HTTP/1.1 only), until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, receiver: Receiver) {
    let limits = receiver.limits.clone();
    server::serve(listener, router(receiver), limits).await;
}

/// The request's head and whole body, within the body bounds; or the answer saying why not.
async fn read_body(
    receiver: &Receiver,
    request: Request,
) -> Result<(axum::http::request::Parts, Bytes), (StatusCode, &'static str)> {
    let conn = request.extensions().get::<Arc<slots::Conn>>().cloned();
    let (parts, body) = request.into_parts();
    let max = receiver.limits.max_body;
    if announced_length(&parts.headers).is_some_and(|n| n > max as u64) {
        eprintln!("refused a notification: Content-Length over {max} bytes");
        return Err((StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
    }
    let read = tokio::time::timeout(
        receiver.limits.body_read_timeout,
        Limited::new(body, max).collect(),
    );
    let body = match read.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            eprintln!("refused a notification: body over {max} bytes");
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "body too large"));
        }
        Ok(Err(e)) => {
            eprintln!("refused a notification: its body could not be read: {e}");
            return Err((StatusCode::BAD_REQUEST, "malformed body"));
        }
        Err(_) => {
            eprintln!(
                "refused a notification: body not sent within {:?}",
                receiver.limits.body_read_timeout
            );
            return Err((StatusCode::REQUEST_TIMEOUT, "too slow"));
        }
    };
    // The request is in: this connection is no longer a candidate to make room.
    if let Some(conn) = &conn {
        conn.answering();
    }
    Ok((parts, body))
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    request: Request,
) -> (StatusCode, &'static str) {
    let (parts, body) = match read_body(&receiver, request).await {
        Ok(read) => read,
        Err(answer) => return answer,
    };
    let freshness = receiver.limits.max_age.map(|tolerance_seconds| Freshness {
        now_unix_seconds: SystemClock.unix_seconds(),
        tolerance_seconds,
    });
    let verified = match verify_notification(
        &parts.headers,
        &body,
        NOTIFICATION_PATH,
        &*receiver.keys,
        freshness,
    ) {
        Ok(v) => v,
        Err(refusal) => {
            eprintln!("refused a notification: {refusal}");
            return match refusal {
                NotificationRefusal::Signature(_) | NotificationRefusal::UnknownClient => {
                    (StatusCode::UNAUTHORIZED, "invalid signature")
                }
                _ => (StatusCode::BAD_REQUEST, "malformed notification"),
            };
        }
    };
    match receiver
        .records
        .record(Event::from_checkout(&verified), body)
        .await
    {
        Ok(Applied::New | Applied::Duplicate) => (StatusCode::OK, "OK"),
        Ok(Applied::Flagged(flag)) => {
            eprintln!(
                "recorded a notification without applying it: {}",
                flag.as_str()
            );
            (StatusCode::OK, "OK")
        }
        Ok(Applied::NotYet) => (
            StatusCode::CONFLICT,
            "the payment it follows is not recorded yet",
        ),
        Err(WriteError::Busy) => (StatusCode::SERVICE_UNAVAILABLE, "busy, try again"),
        Err(e) => {
            eprintln!("cannot record a notification: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "try again")
        }
    }
}

/// DOKU's token request, before a SNAP notification: its RSA signature verified with DOKU's
/// public key, answered with our JWT (never logged).
async fn snap_token(State(receiver): State<Arc<Receiver>>, request: Request) -> Response {
    let Some(snap) = &receiver.snap else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (parts, body) = match read_body(&receiver, request).await {
        Ok(read) => read,
        Err(answer) => return answer.into_response(),
    };
    let n = snap.tokens_issued.fetch_add(1, Ordering::Relaxed);
    let jti = format!("{}-{}-{n}", std::process::id(), SystemClock.unix_seconds());
    let reply = snap
        .issuer
        .answer(&parts.headers, &body, SystemClock.unix_seconds(), &jti);
    if let Err(refusal) = &reply.outcome {
        eprintln!("refused a SNAP token request: {refusal}");
    }
    snap_response(reply.into())
}

/// A SNAP Virtual Account payment: our bearer, then the merchant's HMAC over the raw bytes;
/// recorded once, then acknowledged.
async fn snap_notification(State(receiver): State<Arc<Receiver>>, request: Request) -> Response {
    let Some(snap) = &receiver.snap else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let signed_path = request
        .uri()
        .path_and_query()
        .map_or(SNAP_NOTIFICATION_PATH, |p| p.as_str())
        .to_owned();
    let (parts, body) = match read_body(&receiver, request).await {
        Ok(read) => read,
        Err(answer) => return answer.into_response(),
    };
    let now = SystemClock.unix_seconds();
    // The merchant `X-PARTNER-ID` names, else each (a token is only good for one of them).
    let named = parts
        .headers
        .get(doku_sign::headers::X_PARTNER_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(|id| snap.receivers.iter().find(|(known, _)| known == id));
    let candidates: Vec<&(String, SnapReceiver)> = match named {
        Some(one) => vec![one],
        None => snap.receivers.iter().collect(),
    };
    let mut first_refusal = None;
    let mut verified = None;
    for (client_id, verifier) in candidates {
        match verifier.verify_notification("POST", &signed_path, &parts.headers, &body, now) {
            Ok(v) => {
                verified = Some((client_id, v));
                break;
            }
            Err(refusal) => {
                first_refusal.get_or_insert(refusal);
            }
        }
    }
    let Some((client_id, verified)) = verified else {
        return match first_refusal {
            Some(refusal) => {
                eprintln!("refused a SNAP notification: {refusal}");
                snap_response(refusal.notification_reply())
            }
            None => snap_error(&ResponseCode::INVALID_TOKEN),
        };
    };
    let event = snap_event(client_id, &verified);
    match receiver.records.record(event, body).await {
        Ok(Applied::New | Applied::Duplicate) => snap_response(verified.ack(snap.ack)),
        Ok(Applied::Flagged(flag)) => {
            eprintln!(
                "recorded a SNAP payment without applying it: {}",
                flag.as_str()
            );
            snap_response(verified.ack(snap.ack))
        }
        // A payment is never a refund or void: this does not happen; DOKU retries if it did.
        Ok(Applied::NotYet) | Err(_) => snap_error(&ResponseCode::general_error(
            ServiceCode::PAYMENT_NOTIFICATION,
        )),
    }
}

/// A SNAP answer as axum's response: its status, `application/json`, its body.
fn snap_response(reply: SnapReply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(SNAP_REPLY_CONTENT_TYPE),
        )],
        reply.body,
    )
        .into_response()
}

/// `{"responseCode","responseMessage"}` with the code's status: DOKU retries a 5xx.
fn snap_error(code: &ResponseCode) -> Response {
    let body = serde_json::to_vec(&SnapErrorBody::from_code(code.clone())).unwrap_or_default();
    let status = code
        .http_status()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(SNAP_REPLY_CONTENT_TYPE),
        )],
        body,
    )
        .into_response()
}

/// The `Content-Length` the peer announced, if it is one number.
fn announced_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(axum::http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use doku_model::Amount;
    use doku_postgres::notifications::{NotificationsConfig, PgNotifications};
    use doku_sign::SecretKey;
    use doku_test_support::postgres::TestPostgres;
    // The test partner's credentials play the merchant whose key signs notifications.
    use doku_test_support::{
        Signing, PARTNER_CLIENT_ID as MERCHANT, PARTNER_SECRET as MERCHANT_KEY,
    };
    use tower::ServiceExt;

    async fn receiver_on(database: Database, limits: Limits) -> Arc<Receiver> {
        let r = Receiver::new(SecretKey::new(MERCHANT_KEY), database, limits).expect("writer");
        for invoice in ["INV-1", "INV-2", "INV-3", "INV-4", "INV-5"] {
            r.records()
                .register_order(MERCHANT, invoice, &Amount::idr(19_000))
                .await
                .expect("order");
        }
        Arc::new(r)
    }

    async fn receiver_with(limits: Limits) -> Arc<Receiver> {
        receiver_on(Store::in_memory().expect("database").into(), limits).await
    }

    fn app(receiver: &Arc<Receiver>) -> Router {
        Router::new()
            .route(NOTIFICATION_PATH, post(receive))
            .with_state(receiver.clone())
    }

    fn body_of(invoice: &str, status: &str, amount: &str) -> Vec<u8> {
        format!(
            r#"{{"order":{{"invoice_number":"{invoice}","amount":{amount}}},"transaction":{{"status":"{status}","date":"2026-09-30T06:29:46Z"}},"channel":{{"id":"QRIS_DOKU"}}}}"#
        )
        .into_bytes()
    }

    fn body(invoice: &str, status: &str) -> Vec<u8> {
        body_of(invoice, status, "19000.00")
    }

    /// DOKU's notification: headers signed by the merchant's key over `signed` at `timestamp`
    /// (Unix seconds), carrying `sent`.
    fn notification_at(
        sent: Vec<u8>,
        signed: &[u8],
        request_id: &str,
        timestamp: i64,
    ) -> Request<Body> {
        let timestamp = doku_sign::timestamp::format_utc(timestamp);
        let signed = Signing {
            client_id: MERCHANT,
            secret: MERCHANT_KEY,
            path: NOTIFICATION_PATH,
            body: signed,
            request_id,
            timestamp: &timestamp,
            ..Signing::default()
        }
        .sign();
        let mut request = Request::post(NOTIFICATION_PATH);
        for (name, value) in signed.headers {
            request = request.header(name, value);
        }
        request.body(Body::from(sent)).expect("request")
    }

    fn notification(sent: Vec<u8>, signed: &[u8], request_id: &str) -> Request<Body> {
        notification_at(sent, signed, request_id, SystemClock.unix_seconds())
    }

    async fn send(receiver: &Arc<Receiver>, request: Request<Body>) -> StatusCode {
        app(receiver)
            .oneshot(request)
            .await
            .expect("response")
            .status()
    }

    /// Sends a correctly signed notification of `invoice` at `status` with DOKU's `request_id`.
    async fn deliver(
        r: &Arc<Receiver>,
        invoice: &str,
        status: &str,
        request_id: &str,
    ) -> StatusCode {
        let b = body(invoice, status);
        send(r, notification(b.clone(), &b, request_id)).await
    }

    /// The recorded (status, is_final) of `invoice`.
    async fn state(r: &Arc<Receiver>, invoice: &str) -> (String, bool) {
        let p = payment(r, invoice).await.expect("row");
        (p.status, p.is_final)
    }

    async fn payment(r: &Arc<Receiver>, invoice: &str) -> Option<Payment> {
        r.records().payment(MERCHANT, invoice).await.expect("query")
    }

    async fn count(r: &Arc<Receiver>) -> u64 {
        r.records().notification_count().await.expect("count")
    }

    async fn flagged(r: &Arc<Receiver>) -> Vec<FlaggedNotification> {
        r.records().flagged().await.expect("query")
    }

    fn row(invoice: &str, status: &str, outcome: &str) -> FlaggedNotification {
        FlaggedNotification {
            invoice_number: invoice.to_owned(),
            status: status.to_owned(),
            outcome: outcome.to_owned(),
        }
    }

    /// The tests that hold for every database: each runs on SQLite (a test of its own, below) and
    /// on PostgreSQL (`every_scenario_on_postgres`).
    macro_rules! scenarios {
        ($($name:ident),* $(,)?) => {
            /// Every scenario on a throwaway PostgreSQL, each in a database of its own.
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn every_scenario_on_postgres() {
                let Some(pg) = tokio::task::spawn_blocking(TestPostgres::start)
                    .await
                    .expect("start")
                else {
                    return;
                };
                let mut n = 0;
                $(
                    n += 1;
                    let name = format!("scenario_{n}");
                    create_database(&pg, &name).await;
                    let store = postgres_store(&pg, &name).await;
                    eprintln!("on PostgreSQL: {}", stringify!($name));
                    scenario::$name(receiver_on(store.into(), Limits::default()).await).await;
                )*
                drop(pg);
            }
        };
    }

    scenarios!(
        a_retried_notification_is_applied_once,
        failed_is_recorded_but_not_final,
        a_refund_or_void_follows_a_payment_and_nothing_undoes_it,
        a_refund_before_its_payment_is_refused_until_the_payment_is_recorded,
        a_payment_of_another_amount_or_an_unknown_order_is_flagged_not_paid,
        request_timestamps_are_checked_against_a_wide_window,
        a_body_over_the_cap_is_413,
        tampered_and_malformed_notifications_are_refused_and_not_recorded,
    );

    // The scenarios on SQLite, one test each.
    #[tokio::test]
    async fn a_retried_notification_is_applied_once() {
        scenario::a_retried_notification_is_applied_once(receiver_with(Limits::default()).await)
            .await;
    }

    #[tokio::test]
    async fn failed_is_recorded_but_not_final() {
        scenario::failed_is_recorded_but_not_final(receiver_with(Limits::default()).await).await;
    }

    #[tokio::test]
    async fn a_refund_or_void_follows_a_payment_and_nothing_undoes_it() {
        scenario::a_refund_or_void_follows_a_payment_and_nothing_undoes_it(
            receiver_with(Limits::default()).await,
        )
        .await;
    }

    #[tokio::test]
    async fn a_refund_before_its_payment_is_refused_until_the_payment_is_recorded() {
        scenario::a_refund_before_its_payment_is_refused_until_the_payment_is_recorded(
            receiver_with(Limits::default()).await,
        )
        .await;
    }

    #[tokio::test]
    async fn a_payment_of_another_amount_or_an_unknown_order_is_flagged_not_paid() {
        scenario::a_payment_of_another_amount_or_an_unknown_order_is_flagged_not_paid(
            receiver_with(Limits::default()).await,
        )
        .await;
    }

    #[tokio::test]
    async fn request_timestamps_are_checked_against_a_wide_window() {
        scenario::request_timestamps_are_checked_against_a_wide_window(
            receiver_with(Limits::default()).await,
        )
        .await;
    }

    #[tokio::test]
    async fn a_body_over_the_cap_is_413() {
        scenario::a_body_over_the_cap_is_413(receiver_with(Limits::default()).await).await;
    }

    #[tokio::test]
    async fn tampered_and_malformed_notifications_are_refused_and_not_recorded() {
        scenario::tampered_and_malformed_notifications_are_refused_and_not_recorded(
            receiver_with(Limits::default()).await,
        )
        .await;
    }

    fn url(pg: &TestPostgres, database: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user={} dbname={database}",
            pg.port(),
            doku_test_support::postgres::USER
        )
    }

    async fn create_database(pg: &TestPostgres, name: &str) {
        let (client, connection) =
            tokio_postgres::connect(&url(pg, "postgres"), tokio_postgres::NoTls)
                .await
                .expect("connect");
        let task = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create database");
        drop(client);
        let _ = task.await;
    }

    async fn postgres_store(pg: &TestPostgres, database: &str) -> PgNotifications {
        let url = url(pg, database);
        PgNotifications::connect(&url, NotificationsConfig::default())
            .await
            .expect("PostgreSQL")
    }

    /// The scenarios every database runs.
    mod scenario {
        use super::*;

        pub(super) async fn a_retried_notification_is_applied_once(r: Arc<Receiver>) {
            // DOKU retries (+30 min, +6 h, +12 h), with the same or a new Request-Id.
            for request_id in ["n-1", "n-1", "n-2"] {
                assert_eq!(
                    deliver(&r, "INV-1", "SUCCESS", request_id).await,
                    StatusCode::OK
                );
            }
            assert_eq!(count(&r).await, 1);
            assert_eq!(state(&r, "INV-1").await, ("SUCCESS".to_owned(), true));
        }

        pub(super) async fn failed_is_recorded_but_not_final(r: Arc<Receiver>) {
            assert_eq!(deliver(&r, "INV-2", "FAILED", "n-1").await, StatusCode::OK);
            assert_eq!(state(&r, "INV-2").await, ("FAILED".to_owned(), false));
            // The customer retries with another method and pays.
            assert_eq!(deliver(&r, "INV-2", "SUCCESS", "n-2").await, StatusCode::OK);
            assert_eq!(state(&r, "INV-2").await, ("SUCCESS".to_owned(), true));
            // A late FAILED is a duplicate event: it does not undo a final SUCCESS.
            assert_eq!(deliver(&r, "INV-2", "FAILED", "n-3").await, StatusCode::OK);
            assert_eq!(state(&r, "INV-2").await, ("SUCCESS".to_owned(), true));
            assert_eq!(count(&r).await, 2);
        }

        /// SUCCESS → REFUNDED is applied; a SUCCESS or PENDING arriving after the refund (a late
        /// retry) is recorded as stale and does not undo it.
        pub(super) async fn a_refund_or_void_follows_a_payment_and_nothing_undoes_it(
            r: Arc<Receiver>,
        ) {
            assert_eq!(deliver(&r, "INV-1", "SUCCESS", "n-1").await, StatusCode::OK);
            assert_eq!(
                deliver(&r, "INV-1", "REFUNDED", "n-2").await,
                StatusCode::OK
            );
            assert_eq!(state(&r, "INV-1").await, ("REFUNDED".to_owned(), true));
            assert_eq!(deliver(&r, "INV-1", "PENDING", "n-3").await, StatusCode::OK);
            assert_eq!(deliver(&r, "INV-1", "VOIDED", "n-4").await, StatusCode::OK);
            assert_eq!(state(&r, "INV-1").await, ("REFUNDED".to_owned(), true));

            assert_eq!(deliver(&r, "INV-2", "SUCCESS", "n-5").await, StatusCode::OK);
            assert_eq!(deliver(&r, "INV-2", "VOIDED", "n-6").await, StatusCode::OK);
            assert_eq!(state(&r, "INV-2").await, ("VOIDED".to_owned(), true));
            assert_eq!(deliver(&r, "INV-2", "SUCCESS", "n-7").await, StatusCode::OK);
            assert_eq!(state(&r, "INV-2").await, ("VOIDED".to_owned(), true));
            assert_eq!(
                flagged(&r).await,
                vec![
                    row("INV-1", "PENDING", "stale"),
                    row("INV-1", "VOIDED", "stale")
                ],
                "the retried SUCCESS of INV-2 is a duplicate, the others are stale"
            );
        }

        /// A refund that overtakes its payment is refused (409) and not recorded, so DOKU's retry
        /// applies it once the SUCCESS is in.
        pub(super) async fn a_refund_before_its_payment_is_refused_until_the_payment_is_recorded(
            r: Arc<Receiver>,
        ) {
            assert_eq!(
                deliver(&r, "INV-3", "REFUNDED", "n-1").await,
                StatusCode::CONFLICT
            );
            assert_eq!(payment(&r, "INV-3").await, None);
            assert_eq!(deliver(&r, "INV-3", "SUCCESS", "n-2").await, StatusCode::OK);
            assert_eq!(
                deliver(&r, "INV-3", "REFUNDED", "n-1").await,
                StatusCode::OK
            );
            assert_eq!(state(&r, "INV-3").await, ("REFUNDED".to_owned(), true));
        }

        /// A signed SUCCESS for an amount that is not the order's is recorded and flagged, never
        /// applied as paid; so is one for an order the app never registered.
        pub(super) async fn a_payment_of_another_amount_or_an_unknown_order_is_flagged_not_paid(
            r: Arc<Receiver>,
        ) {
            for (invoice, amount) in [("INV-4", "1.00"), ("INV-4", "190000")] {
                let b = body_of(invoice, "SUCCESS", amount);
                assert_eq!(
                    send(&r, notification(b.clone(), &b, "n")).await,
                    StatusCode::OK
                );
                assert_eq!(payment(&r, invoice).await, None);
            }
            let b = body("INV-UNKNOWN", "SUCCESS");
            assert_eq!(
                send(&r, notification(b.clone(), &b, "n")).await,
                StatusCode::OK
            );
            assert_eq!(payment(&r, "INV-UNKNOWN").await, None);
            assert_eq!(
                flagged(&r).await,
                vec![
                    row("INV-4", "SUCCESS", "amount_mismatch"),
                    row("INV-UNKNOWN", "SUCCESS", "unknown_order")
                ],
                "the second wrong amount is the same event (same status): a duplicate"
            );
            // The right amount, written as DOKU's QRIS does (`19000.00`), is paid.
            assert_eq!(deliver(&r, "INV-5", "SUCCESS", "n").await, StatusCode::OK);
            assert_eq!(state(&r, "INV-5").await, ("SUCCESS".to_owned(), true));
        }

        /// A notification stamped two days ago is refused; one stamped 12 hours ago (DOKU's last
        /// retry, if retries keep the first timestamp) is accepted.
        pub(super) async fn request_timestamps_are_checked_against_a_wide_window(r: Arc<Receiver>) {
            let b = body("INV-1", "SUCCESS");
            let now = SystemClock.unix_seconds();
            let old = notification_at(b.clone(), &b, "n-1", now - 2 * 86_400);
            assert_eq!(send(&r, old).await, StatusCode::UNAUTHORIZED);
            let retry = notification_at(b.clone(), &b, "n-1", now - 12 * 3600 - 60);
            assert_eq!(send(&r, retry).await, StatusCode::OK);
        }

        /// A body over the cap is 413: refused from its `Content-Length` unread, or at the cap when
        /// it announces none.
        pub(super) async fn a_body_over_the_cap_is_413(r: Arc<Receiver>) {
            let b = body("INV-1", "SUCCESS");
            let mut announced = notification(vec![b' '; 70_000], &b, "n");
            announced.headers_mut().insert(
                "content-length",
                axum::http::HeaderValue::from_static("70000"),
            );
            assert_eq!(send(&r, announced).await, StatusCode::PAYLOAD_TOO_LARGE);
            let unannounced = notification(vec![b' '; 70_000], &b, "n");
            assert_eq!(send(&r, unannounced).await, StatusCode::PAYLOAD_TOO_LARGE);
            assert_eq!(count(&r).await, 0);
        }

        pub(super) async fn tampered_and_malformed_notifications_are_refused_and_not_recorded(
            r: Arc<Receiver>,
        ) {
            let b = body("INV-3", "SUCCESS");
            let tampered = body("INV-3", "SUCCESS").into_iter().chain(*b" ").collect();
            assert_eq!(
                send(&r, notification(tampered, &b, "n-1")).await,
                StatusCode::UNAUTHORIZED
            );
            let bare = Request::post(NOTIFICATION_PATH)
                .body(Body::from(b))
                .expect("request");
            assert_eq!(send(&r, bare).await, StatusCode::BAD_REQUEST);
            assert_eq!(count(&r).await, 0);
        }
    }

    /// At most `store_queue` notifications wait for the database; the next is answered 503 at
    /// once (DOKU retries), and the waiting ones are written when the database frees up.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_store_queue_answers_503_at_once() {
        let r = receiver_with(Limits {
            store_queue: 1,
            ..Limits::default()
        })
        .await;
        // Another thread holds the database until told to let go.
        let (release, released) = std::sync::mpsc::channel::<()>();
        let (held, holding) = std::sync::mpsc::channel::<()>();
        let store = Arc::clone(r.records().sqlite().expect("SQLite"));
        let holder = std::thread::spawn(move || {
            let _busy = store.lock();
            let _ = held.send(());
            let _ = released.recv();
        });
        holding.recv().expect("the database is held");
        let mut waiting = Vec::new();
        for invoice in ["INV-1", "INV-2", "INV-3"] {
            let r = r.clone();
            waiting.push(tokio::spawn(async move {
                deliver(&r, invoice, "SUCCESS", "n").await
            }));
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        // One is in the writer (blocked on the database), one queued: the third is refused.
        let third = waiting.pop().expect("third");
        assert_eq!(third.await.expect("task"), StatusCode::SERVICE_UNAVAILABLE);
        release.send(()).expect("release");
        holder.join().expect("holder");
        for task in waiting {
            assert_eq!(task.await.expect("task"), StatusCode::OK);
        }
        assert_eq!(count(&r).await, 2);
    }

    #[test]
    fn the_database_is_created_on_first_run_and_kept() {
        let dir = std::env::temp_dir().join(format!("doku-receiver-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("notifications.sqlite");
        let _ = std::fs::remove_file(&path);
        assert!(!path.exists());
        Store::open(&path).expect("create");
        assert!(path.exists(), "created on first run");
        Store::open(&path).expect("reopen");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
