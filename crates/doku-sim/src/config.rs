//! Simulator configuration and its builder.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use doku_sign::clock::{Clock, SystemClock};
use doku_sign::SecretKey;

use crate::error::SimError;
use crate::limits::Limits;
use crate::readings::Readings;
use crate::retention::Retention;
use crate::setters::setters;
use crate::snap::{DokuKeys, Registered, SnapMerchant};

/// The channel whose payments start with an inquiry by default (BCA answers its customers from
/// the merchant's own bill).
pub const DEFAULT_DIRECT_INQUIRY_CHANNEL: &str = "VIRTUAL_ACCOUNT_BCA";

mod bounds;

/// Default request-body cap: room for the largest upload the client sends
/// ([`doku_model::MAX_UPLOAD_BYTES`]) plus 1 MiB of multipart overhead.
pub const DEFAULT_MAX_BODY_BYTES: usize = doku_model::MAX_UPLOAD_BYTES + 1024 * 1024;

/// How far `Request-Timestamp` may be from the simulator's clock, either way, by default: the
/// ±3600 s DOKU's sandbox was observed to allow ("Header Request-Timestamp is not in +- 3600
/// second of now"); DOKU documents no window, and refusing a tighter one would refuse
/// integrations DOKU accepts.
pub const DEFAULT_TIMESTAMP_WINDOW_SECONDS: u64 = 3600;

/// Everything the simulator needs to run. Build it with [`SimConfig::builder`].
#[derive(Clone)]
pub struct SimConfig {
    pub(crate) listen: SocketAddr,
    pub(crate) credentials: BTreeMap<String, SecretKey>,
    pub(crate) timestamp_window: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) token_valid_minutes: u32,
    pub(crate) target_includes_query: bool,
    pub(crate) body_read_timeout: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) readings: Readings,
    pub(crate) limits: Limits,
    pub(crate) retention: Retention,
    pub(crate) notification_url: Option<String>,
    /// Each merchant's own Notification URL (client id → URL), over `notification_url`.
    pub(crate) notification_urls: BTreeMap<String, String>,
    pub(crate) time_scale: f64,
    pub(crate) strict: bool,
    pub(crate) snap_merchants: Vec<SnapMerchant>,
    pub(crate) snap_doku_private_key_pem: Option<String>,
    pub(crate) snap_direct_inquiry_channels: Vec<String>,
    /// Set by `build()`: the DOKU key pair and the checked SNAP merchants.
    pub(crate) snap_keys: Option<Arc<DokuKeys>>,
    pub(crate) snap_registered: Vec<Registered>,
    /// How many notifications the delivery history keeps.
    pub(crate) deliveries_kept: usize,
}

impl fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimConfig")
            .field("listen", &self.listen)
            .field("client_ids", &self.credentials.keys().collect::<Vec<_>>())
            .field("timestamp_window", &self.timestamp_window)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("token_valid_minutes", &self.token_valid_minutes)
            .field("target_includes_query", &self.target_includes_query)
            .field("readings", &self.readings)
            .field("limits", &self.limits)
            .field("retention", &self.retention)
            .field("notification_url", &self.notification_url)
            .field("notification_urls", &self.notification_urls)
            .field("time_scale", &self.time_scale)
            .field("strict", &self.strict)
            .field("snap_merchants", &self.snap_merchants)
            .field(
                "snap_doku_key",
                &if self.snap_doku_private_key_pem.is_some() {
                    "loaded"
                } else {
                    "shipped test key"
                },
            )
            .field(
                "snap_direct_inquiry_channels",
                &self.snap_direct_inquiry_channels,
            )
            .finish_non_exhaustive()
    }
}

impl SimConfig {
    /// A builder with the defaults: listen on `127.0.0.1:0`, ±3600 s timestamp window,
    /// a body cap of [`DEFAULT_MAX_BODY_BYTES`], 60 minute tokens, Request-Target without query,
    /// system clock, DOKU's literal [`Readings`].
    pub fn builder() -> SimConfigBuilder {
        SimConfigBuilder {
            config: SimConfig {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                credentials: BTreeMap::new(),
                timestamp_window: Duration::from_secs(DEFAULT_TIMESTAMP_WINDOW_SECONDS),
                max_body_bytes: DEFAULT_MAX_BODY_BYTES,
                token_valid_minutes: doku_model::DEFAULT_VALID_TIME_MINUTES,
                target_includes_query: false,
                body_read_timeout: Duration::from_secs(30),
                clock: Arc::new(SystemClock),
                readings: Readings::default(),
                limits: Limits::default(),
                retention: Retention::default(),
                notification_url: None,
                notification_urls: BTreeMap::new(),
                time_scale: 1.0,
                strict: false,
                snap_merchants: Vec::new(),
                snap_doku_private_key_pem: None,
                snap_direct_inquiry_channels: vec![DEFAULT_DIRECT_INQUIRY_CHANNEL.to_owned()],
                snap_keys: None,
                snap_registered: Vec::new(),
                deliveries_kept: crate::deliveries::DEFAULT_DELIVERIES_KEPT,
            },
        }
    }

    /// The address to listen on.
    pub fn listen(&self) -> SocketAddr {
        self.listen
    }

    /// How the simulator plays each point where DOKU's pages are silent.
    pub fn readings(&self) -> Readings {
        self.readings
    }

    /// The configured client ids.
    pub fn client_ids(&self) -> impl Iterator<Item = &str> {
        self.credentials.keys().map(String::as_str)
    }

    /// The default Notification URL: where notifications of a merchant without one of its own
    /// go, if set.
    pub fn notification_url(&self) -> Option<&str> {
        self.notification_url.as_deref()
    }

    /// The Notification URL `client_id`'s notifications go to at start: its own
    /// ([`SimConfigBuilder::merchant_notification_url`]), else the default.
    pub fn notification_url_for(&self, client_id: &str) -> Option<&str> {
        self.notification_urls
            .get(client_id)
            .or(self.notification_url.as_ref())
            .map(String::as_str)
    }

    /// The merchants' own Notification URLs (client id, URL), in client-id order.
    pub fn merchant_notification_urls(&self) -> impl Iterator<Item = (&str, &str)> {
        self.notification_urls
            .iter()
            .map(|(id, url)| (id.as_str(), url.as_str()))
    }

    /// The factor applied to DOKU's notification retry schedule (1.0 = real time).
    pub fn time_scale(&self) -> f64 {
        self.time_scale
    }

    /// Whether what DOKU is not known to accept is refused (`true`) or accepted with a warning
    /// (`false`, the default). See [`SimConfigBuilder::strict`].
    pub fn strict(&self) -> bool {
        self.strict
    }

    /// The merchants registered for SNAP.
    pub fn snap_merchants(&self) -> &[SnapMerchant] {
        &self.snap_merchants
    }

    /// The channels whose payments start with an inquiry to the merchant.
    pub fn snap_direct_inquiry_channels(&self) -> &[String] {
        &self.snap_direct_inquiry_channels
    }

    /// The secret key of `client_id`, if configured.
    pub(crate) fn secret_for(&self, client_id: &str) -> Option<&SecretKey> {
        self.credentials.get(client_id)
    }
}

/// Builder of [`SimConfig`].
pub struct SimConfigBuilder {
    config: SimConfig,
}

impl SimConfigBuilder {
    setters! {
        /// Listen address; port 0 picks a free port.
        listen(addr: SocketAddr) => config.listen;

        /// How far `Request-Timestamp` may be from the simulator's clock, either way.
        timestamp_window(window: Duration) => config.timestamp_window;

        /// Largest accepted request body; larger ones get 413.
        max_body_bytes(bytes: usize) => config.max_body_bytes;

        /// Token lifetime when the request has no `valid_time`.
        token_valid_minutes(minutes: u32) => config.token_valid_minutes;

        /// Whether `Request-Target` includes `?query` (default `false`: path only).
        target_includes_query(include: bool) => config.target_includes_query;

        /// Multiplies DOKU's notification retry schedule (+30 min, +6 h, +12 h) by `scale`, so tests
        /// can compress it (e.g. `0.0001`: +0.18 s, +2.16 s, +4.32 s). Default 1.0.
        time_scale(scale: f64) => config.time_scale;

        /// How long a client may take to send its body before getting 408.
        body_read_timeout(timeout: Duration) => config.body_read_timeout;

        /// How to play each point where DOKU's pages are silent or contradict themselves
        /// (default: DOKU's literal words, see [`Readings`]).
        readings(readings: Readings) => config.readings;

        /// Refuse what DOKU is not known to accept (e.g. a `customer.phone` with characters
        /// other than digits). By default (`false`) such a request is accepted, one log line
        /// names the field and why DOKU might refuse it, and `Stats::warnings` counts it: the
        /// simulator refuses only what DOKU is documented or observed to refuse.
        strict(strict: bool) => config.strict;

        /// How many notifications the delivery history keeps, the latest ones (default
        /// [`crate::DEFAULT_DELIVERIES_KEPT`]; each holds its body for a resend, about 1 KiB);
        /// zero is refused by `build()`.
        deliveries_kept(count: usize) => config.deliveries_kept;
    }

    /// Adds a client id and its secret key (repeat for several clients).
    pub fn credential(mut self, client_id: impl Into<String>, secret_key: SecretKey) -> Self {
        self.config.credentials.insert(client_id.into(), secret_key);
        self
    }

    /// The default Notification URL: that of every merchant without one of its own
    /// ([`SimConfigBuilder::merchant_notification_url`]). DOKU's Back Office setting
    /// (Integration > Notification) is per merchant; this stands for all of them at once.
    /// Payment notifications go there, or to a request's
    /// `additional_info.override_notification_url` when its path is the same. Only `http://`
    /// URLs are delivered to (the simulator has no TLS client).
    pub fn notification_url(mut self, url: impl Into<String>) -> Self {
        self.config.notification_url = Some(url.into());
        self
    }

    /// `client_id`'s own Notification URL (DOKU's Back Office setting is per merchant), over
    /// the default one; repeat for several merchants, each with its own receiver. The client
    /// id is a configured credential or a brand registered later (its id is known only then:
    /// set it at run time with [`crate::SimControl::set_notification_url`]).
    pub fn merchant_notification_url(
        mut self,
        client_id: impl Into<String>,
        url: impl Into<String>,
    ) -> Self {
        self.config
            .notification_urls
            .insert(client_id.into(), url.into());
        self
    }

    /// Registers a merchant for SNAP: its RSA public key and the URLs DOKU calls back. Its
    /// client id must be a configured credential (its secret key signs the transactions); a
    /// brand registered later through the Partner API is registered with
    /// `POST /doku-sim/v1/snap/merchants` or [`crate::SimControl::register_snap_merchant`].
    pub fn snap_merchant(mut self, merchant: SnapMerchant) -> Self {
        self.config.snap_merchants.push(merchant);
        self
    }

    /// DOKU's SNAP private key (PEM, PKCS#8 or PKCS#1, unencrypted) instead of the test key
    /// shipped in this crate; its public half is what `GET /doku-sim/v1/snap/doku-public-key`
    /// gives out.
    pub fn snap_doku_private_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.config.snap_doku_private_key_pem = Some(pem.into());
        self
    }

    /// The channels whose payments first ask the merchant (direct inquiry); default
    /// `VIRTUAL_ACCOUNT_BCA`. Replaces the list.
    pub fn snap_direct_inquiry_channels<I, S>(mut self, channels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.snap_direct_inquiry_channels = channels.into_iter().map(Into::into).collect();
        self
    }

    /// The clock: any [`doku_sign::clock::Clock`] (a [`doku_sign::clock::ManualClock`] in
    /// tests, shared with the client; an `Arc` of one; or a closure returning Unix seconds).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.config.clock = Arc::new(clock);
        self
    }

    /// Runs the system clock shifted by `offset_seconds` (negative to run behind), to simulate
    /// a skewed server.
    pub fn clock_offset(self, offset_seconds: i64) -> Self {
        self.clock(move || SystemClock.unix_seconds().saturating_add(offset_seconds))
    }

    /// Checks and returns the configuration: at least one credential, no empty key.
    pub fn build(mut self) -> Result<SimConfig, SimError> {
        if self.config.credentials.is_empty() {
            return Err(SimError::Config(
                "no credentials: give at least one client id and secret key".to_owned(),
            ));
        }
        for (id, key) in &self.config.credentials {
            if id.is_empty() || doku_model::ClientId::new(id.as_str()).is_err() {
                return Err(SimError::Config(format!(
                    "client id {id:?} is not visible ASCII"
                )));
            }
            if key.is_empty() {
                return Err(SimError::Config(format!("the secret key of {id} is empty")));
            }
        }
        if self.config.token_valid_minutes == 0 {
            return Err(SimError::Config(
                "token lifetime must be at least one minute".to_owned(),
            ));
        }
        crate::notify::check_time_scale(self.config.time_scale).map_err(SimError::Config)?;
        if self.config.deliveries_kept == 0 {
            return Err(SimError::Config(
                "the delivery history must keep at least one notification".to_owned(),
            ));
        }
        for url in self
            .config
            .notification_url
            .iter()
            .chain(self.config.notification_urls.values())
        {
            crate::notify::Target::parse(url).map_err(SimError::Config)?;
        }
        self.config.limits.check().map_err(SimError::Config)?;
        let keys = match &self.config.snap_doku_private_key_pem {
            Some(pem) => DokuKeys::from_private_pem(pem),
            None => DokuKeys::shipped(),
        };
        self.config.snap_keys = Some(keys.map_err(SimError::Config)?);
        let mut registered = Vec::new();
        for merchant in &self.config.snap_merchants {
            if !self.config.credentials.contains_key(&merchant.client_id) {
                return Err(SimError::Config(format!(
                    "SNAP merchant {} has no credential: give its secret key too",
                    merchant.client_id
                )));
            }
            registered.push(merchant.check().map_err(SimError::Config)?);
        }
        self.config.snap_registered = registered;
        Ok(self.config)
    }
}
