//! Client configuration and its builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use doku_model::ClientId;
use doku_sign::clock::{Clock, SystemClock};
use doku_sign::SecretKey;
use doku_transport::{TransportConfig, TransportConfigBuilder};

use crate::base_url::BaseUrl;
use crate::environment::Environment;
use crate::error::Error;
use crate::observer::Observer;
use crate::request_id::{RequestIdGenerator, UuidV4};
use crate::retry::RetryPolicy;
use crate::token_store::TokenStore;

/// What to do with the signature DOKU puts on its responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ResponseSignatureMode {
    /// Every response must carry a valid signature ([`Error::Signature`] otherwise).
    Require,
    /// Verify the signature when the response has one; accept unsigned responses. The default,
    /// because DOKU's pages do not promise a signature on every answer (e.g. errors from a
    /// gateway in front of DOKU).
    #[default]
    VerifyIfPresent,
    /// Never check.
    Off,
}

/// Default time before expiry at which a cached token is replaced.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Everything a [`Client`](crate::Client) needs. Build with [`Config::builder`].
///
/// `Debug` never prints the secret key.
#[derive(Clone)]
pub struct Config {
    pub(crate) client_id: ClientId,
    pub(crate) secret_key: SecretKey,
    pub(crate) environment: Environment,
    /// The Partner API base URL, parsed once.
    pub(crate) partner_url: BaseUrl,
    /// The Checkout base URL (a merchant's calls), parsed once.
    pub(crate) checkout_url: BaseUrl,
    pub(crate) transport: TransportConfig,
    pub(crate) retry: RetryPolicy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) request_ids: Arc<dyn RequestIdGenerator>,
    pub(crate) response_signatures: ResponseSignatureMode,
    pub(crate) refresh_margin: Duration,
    pub(crate) token_valid_minutes: Option<u32>,
    pub(crate) observer: Option<Arc<dyn Observer>>,
    /// Where tokens are shared with other processes (`None`: this client's memory only).
    pub(crate) token_store: Option<Arc<dyn TokenStore>>,
    /// The `X-TIMESTAMP` form of SNAP calls.
    #[cfg(feature = "snap")]
    pub(crate) snap_timestamp: crate::snap::SnapTimestamp,
}

impl Config {
    /// A builder for the partner `client_id` (Brand ID, e.g. `BRN-0001-10791114622547`) and its
    /// secret key. Defaults: [`Environment::Uat`], transport defaults (10 s connect, 30 s per
    /// attempt), [`RetryPolicy::default`], [`SystemClock`], UUID v4 Request-Ids,
    /// [`ResponseSignatureMode::VerifyIfPresent`], 60 s refresh margin, no `valid_time`.
    pub fn builder(client_id: impl Into<String>, secret_key: SecretKey) -> ConfigBuilder {
        ConfigBuilder {
            client_id: client_id.into(),
            secret_key,
            environment: Environment::default(),
            transport: TransportConfig::builder(),
            connect_timeout: None,
            attempt_timeout: None,
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
            request_ids: Arc::new(UuidV4),
            response_signatures: ResponseSignatureMode::default(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            token_valid_minutes: None,
            observer: None,
            token_store: None,
            #[cfg(feature = "snap")]
            snap_timestamp: crate::snap::SnapTimestamp::default(),
        }
    }

    /// The partner's Client-Id.
    pub fn client_id(&self) -> &ClientId {
        &self.client_id
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.environment
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The transport settings.
    pub fn transport(&self) -> &TransportConfig {
        &self.transport
    }

    /// The response-signature mode.
    pub fn response_signatures(&self) -> ResponseSignatureMode {
        self.response_signatures
    }

    /// How long before expiry a cached token is replaced.
    pub fn refresh_margin(&self) -> Duration {
        self.refresh_margin
    }

    /// The token lifetime requested from DOKU (`valid_time`), if set.
    pub fn token_valid_minutes(&self) -> Option<u32> {
        self.token_valid_minutes
    }

    /// The `X-TIMESTAMP` form of SNAP calls.
    #[cfg(feature = "snap")]
    pub fn snap_timestamp(&self) -> crate::snap::SnapTimestamp {
        self.snap_timestamp
    }

    /// Whether tokens are shared through a [`TokenStore`].
    pub fn has_token_store(&self) -> bool {
        self.token_store.is_some()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("secret_key", &"***")
            .field("environment", &self.environment)
            .field("transport", &self.transport)
            .field("retry", &self.retry)
            .field("response_signatures", &self.response_signatures)
            .field("refresh_margin", &self.refresh_margin)
            .field("token_valid_minutes", &self.token_valid_minutes)
            .field("observer", &self.observer.is_some())
            .field("token_store", &self.token_store.is_some())
            .finish_non_exhaustive()
    }
}

/// Builder of [`Config`].
pub struct ConfigBuilder {
    client_id: String,
    secret_key: SecretKey,
    environment: Environment,
    transport: TransportConfigBuilder,
    connect_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    retry: RetryPolicy,
    clock: Arc<dyn Clock>,
    request_ids: Arc<dyn RequestIdGenerator>,
    response_signatures: ResponseSignatureMode,
    refresh_margin: Duration,
    token_valid_minutes: Option<u32>,
    observer: Option<Arc<dyn Observer>>,
    token_store: Option<Arc<dyn TokenStore>>,
    #[cfg(feature = "snap")]
    snap_timestamp: crate::snap::SnapTimestamp,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("client_id", &self.client_id)
            .field("secret_key", &"***")
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// The DOKU environment (default [`Environment::Uat`]).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Full transport settings (replaces the defaults; the timeout shortcuts below still apply
    /// on top).
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport.into_builder();
        self
    }

    /// TCP connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Deadline of one attempt (connect, send, answer). Retries get a fresh deadline each.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The clock used for `Request-Timestamp` and token expiry, in Unix seconds: any
    /// [`Clock`], e.g. a [`doku_sign::clock::ManualClock`] shared with a simulator, or a
    /// closure `|| 1_597_135_542`.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The Request-Id generator (any `Fn() -> RequestId`), default UUID v4.
    pub fn request_ids(mut self, generator: impl RequestIdGenerator) -> Self {
        self.request_ids = Arc::new(generator);
        self
    }

    /// What to do with response signatures.
    pub fn response_signatures(mut self, mode: ResponseSignatureMode) -> Self {
        self.response_signatures = mode;
        self
    }

    /// How long before expiry a cached token is replaced (default 60 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Asks DOKU for tokens valid this many minutes (`valid_time`); by default the field is
    /// not sent and a 60-minute lifetime is assumed when the token has no `exp`.
    pub fn token_valid_minutes(mut self, minutes: u32) -> Self {
        self.token_valid_minutes = Some(minutes);
        self
    }

    /// Receives an [`Exchange`](crate::Exchange) after every HTTP attempt (status, latency, whether the
    /// response signature verified), e.g. for metrics or progress output.
    pub fn observer(mut self, observer: impl Observer) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Shares this client's tokens (the Partner token and the SNAP B2B tokens) with every other
    /// process using the same store, e.g. `doku_postgres::PgTokenStore`: one token per client id
    /// and environment, fetched by one process at a time (see [`TokenStore`]). Without it (the
    /// default) tokens live in this client's memory only, which is all one process needs. The
    /// in-memory cache stays in front of the store: a fresh token is taken without asking it.
    /// When the store fails, calls that need a token fail closed
    /// ([`Error::TokenStore`]). Pass an `Arc` to share one store between clients.
    pub fn token_store(mut self, store: impl TokenStore) -> Self {
        self.token_store = Some(Arc::new(store));
        self
    }

    /// The `X-TIMESTAMP` form of SNAP calls (default
    /// [`SnapTimestamp::Detect`](crate::SnapTimestamp::Detect): `+07:00`, switching to `Z` for
    /// good if DOKU refuses the offset form).
    #[cfg(feature = "snap")]
    pub fn snap_timestamp(mut self, form: crate::snap::SnapTimestamp) -> Self {
        self.snap_timestamp = form;
        self
    }

    /// Checks and returns the configuration.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an invalid client id, an empty secret key, a malformed base URL
    /// (checked and parsed here, once), `max_attempts == 0` or a zero `token_valid_minutes`.
    pub fn build(self) -> Result<Config, Error> {
        let client_id =
            ClientId::new(self.client_id).map_err(|e| Error::Config(format!("client id: {e}")))?;
        if self.secret_key.is_empty() {
            return Err(Error::Config("the secret key is empty".to_owned()));
        }
        let partner_url = BaseUrl::parse(self.environment.base_url()).map_err(Error::Config)?;
        let checkout_url =
            BaseUrl::parse(self.environment.checkout_base_url()).map_err(Error::Config)?;
        if self.retry.max_attempts == 0 {
            return Err(Error::Config(
                "retry max_attempts must be at least 1".to_owned(),
            ));
        }
        if self.token_valid_minutes == Some(0) {
            return Err(Error::Config(
                "token_valid_minutes must be at least 1".to_owned(),
            ));
        }
        // The transport's own builder, so every transport setting (present or future) is kept;
        // the two timeout shortcuts apply on top, whatever the order they were set in.
        let mut transport = self.transport;
        if let Some(timeout) = self.connect_timeout {
            transport = transport.connect_timeout(timeout);
        }
        if let Some(timeout) = self.attempt_timeout {
            transport = transport.attempt_timeout(timeout);
        }
        Ok(Config {
            client_id,
            secret_key: self.secret_key,
            environment: self.environment,
            partner_url,
            checkout_url,
            transport: transport.build(),
            retry: self.retry,
            clock: self.clock,
            request_ids: self.request_ids,
            response_signatures: self.response_signatures,
            refresh_margin: self.refresh_margin,
            token_valid_minutes: self.token_valid_minutes,
            observer: self.observer,
            token_store: self.token_store,
            #[cfg(feature = "snap")]
            snap_timestamp: self.snap_timestamp,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_secret() {
        let secret = "SK-very-secret-value";
        let builder = Config::builder("BRN-0001-1", SecretKey::new(secret));
        assert!(!format!("{builder:?}").contains(secret));
        let config = builder.build().unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains(secret), "{debug}");
        assert!(debug.contains("BRN-0001-1"));
    }

    #[test]
    fn build_checks_its_inputs() {
        let key = || SecretKey::new("k");
        assert!(matches!(
            Config::builder("", key()).build(),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Config::builder("has space", key()).build(),
            Err(Error::Config(_))
        ));
        assert!(matches!(
            Config::builder("BRN-1", SecretKey::new("")).build(),
            Err(Error::Config(_))
        ));
        assert!(Config::builder("BRN-1", key())
            .environment(Environment::Custom("http://x/p".into()))
            .build()
            .is_err());
        assert!(Config::builder("BRN-1", key())
            .retry_policy(RetryPolicy::default().with_max_attempts(0))
            .build()
            .is_err());
        let c = Config::builder("BRN-1", key())
            .attempt_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        assert_eq!(c.transport().attempt_timeout(), Duration::from_secs(2));
        assert_eq!(c.environment().base_url(), "https://api-uat.doku.com");
        assert_eq!(c.refresh_margin(), Duration::from_secs(60));
        assert_eq!(
            c.response_signatures(),
            ResponseSignatureMode::VerifyIfPresent
        );
    }

    #[test]
    fn every_transport_setting_reaches_the_config() {
        // Each setting away from its default, alone and all together: a builder that copied
        // fields one by one and forgot one would give back a different config.
        type Setting = fn(TransportConfigBuilder) -> TransportConfigBuilder;
        let settings: [Setting; 6] = [
            |b| b.connect_timeout(Duration::from_secs(1)),
            |b| b.attempt_timeout(Duration::from_secs(2)),
            |b| b.max_body_bytes(3),
            |b| b.pool_idle_timeout(None),
            |b| b.pool_max_idle_per_host(4),
            |b| b.allow_insecure_http(true),
        ];
        let built = |b: ConfigBuilder| b.build().unwrap().transport().clone();
        let builder = || Config::builder("BRN-1", SecretKey::new("k"));
        for setting in settings {
            let alone = setting(TransportConfig::builder()).build();
            assert_ne!(alone, TransportConfig::default());
            assert_eq!(built(builder().transport(alone.clone())), alone);
        }
        let custom = settings
            .iter()
            .fold(TransportConfig::builder(), |b, setting| setting(b))
            .build();
        assert_eq!(built(builder().transport(custom.clone())), custom);
        // The shortcuts apply on top, set before or after the full settings.
        let expected = custom
            .clone()
            .into_builder()
            .attempt_timeout(Duration::from_secs(9))
            .build();
        assert_eq!(
            built(
                builder()
                    .attempt_timeout(Duration::from_secs(9))
                    .transport(custom.clone())
            ),
            expected
        );
        assert_eq!(
            built(
                builder()
                    .transport(custom)
                    .attempt_timeout(Duration::from_secs(9))
            ),
            expected
        );
    }
}
