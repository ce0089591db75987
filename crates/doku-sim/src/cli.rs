//! Command-line arguments, shared by the `doku-sim` binary and `doku sim`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use doku_sign::SecretKey;

use crate::config::{SimConfig, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMESTAMP_WINDOW_SECONDS};
use crate::error::SimError;
use crate::readings::{
    BearerReading, GetResponseDigest, IdempotencyReading, NotificationRetryRequestId, Readings,
    RequestTimestampMillis, SnapAck, SnapExternalIdRepeat, SnapMinify, SnapPathVersion,
    SnapReadings, SnapTimestampZone,
};
use crate::snap::SnapMerchant;

mod bounds;
pub use bounds::BoundArgs;

/// Arguments of the simulator. Use it as a whole command (`SimArgs::parse()`) or flatten it
/// into another command with `#[command(flatten)]`.
///
/// Credentials pair up in order: the n-th `--client-id` takes the n-th secret, where secrets
/// are every `--secret-key` followed by every `--secret-key-file`. `--credential ID=KEY`
/// gives a pair in one flag. Prefer the environment or a file to a key on the command line
/// (other users can read process arguments).
#[derive(clap::Parser, Clone)]
#[command(
    name = "doku-sim",
    about = "A local simulator of DOKU's Partner API",
    version
)]
pub struct SimArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "DOKU_SIM_LISTEN", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// A client id (Brand ID) to accept; repeatable.
    #[arg(long = "client-id", env = "DOKU_CLIENT_ID", value_name = "ID")]
    pub client_ids: Vec<String>,
    /// The secret key of the client id in the same position; repeatable.
    #[arg(
        long = "secret-key",
        env = "DOKU_SECRET_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub secret_keys: Vec<String>,
    /// A file holding a secret key (surrounding whitespace is ignored); repeatable.
    #[arg(long = "secret-key-file", value_name = "PATH")]
    pub secret_key_files: Vec<PathBuf>,
    /// A client id and its key in one flag, `ID=KEY`; repeatable.
    #[arg(long = "credential", value_name = "ID=KEY")]
    pub credentials: Vec<String>,
    /// Allowed distance between Request-Timestamp and the simulator's clock, in seconds.
    #[arg(long, default_value_t = DEFAULT_TIMESTAMP_WINDOW_SECONDS, value_name = "SECONDS")]
    pub timestamp_window: u64,
    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES, value_name = "BYTES")]
    pub max_body_bytes: usize,
    /// Token lifetime when the token request has no valid_time, in minutes.
    #[arg(long, default_value_t = doku_model::DEFAULT_VALID_TIME_MINUTES, value_name = "MINUTES")]
    pub token_valid_minutes: u32,
    /// Include `?query` in the signed Request-Target (default: path only).
    #[arg(long)]
    pub target_includes_query: bool,
    /// Reading of "Digest only applied for POST" for signed answers to GET requests.
    #[arg(long, value_enum, default_value_t = GetResponseDigest::Omit, value_name = "READING")]
    pub get_response_digest: GetResponseDigest,
    /// Which answers a repeated Request-Id gets back with 409.
    #[arg(long, value_enum, default_value_t = IdempotencyReading::ReplayAll, value_name = "READING")]
    pub idempotency: IdempotencyReading,
    /// Which calls must carry the bearer token.
    #[arg(long, value_enum, default_value_t = BearerReading::UploadOnly, value_name = "READING")]
    pub bearer: BearerReading,
    /// A Notification URL (DOKU's Back Office setting, per merchant), `http://` only: where
    /// payment notifications are delivered. `CLIENT_ID=URL` sets one merchant's; a bare URL is
    /// the default for every merchant without one; repeatable.
    #[arg(
        long = "notification-url",
        env = "DOKU_SIM_NOTIFICATION_URL",
        value_name = "[CLIENT_ID=]URL"
    )]
    pub notification_urls: Vec<String>,
    /// Factor applied to DOKU's notification retry schedule (+30 min, +6 h, +12 h), from 0 to
    /// 1000; e.g. 0.0001 for tests.
    #[arg(long, default_value_t = 1.0, value_name = "FACTOR", value_parser = time_scale)]
    pub time_scale: f64,
    /// Whether a notification retry keeps the first attempt's Request-Id (undocumented).
    #[arg(long, value_enum, default_value_t = NotificationRetryRequestId::Same, value_name = "READING")]
    pub notification_retry_request_id: NotificationRetryRequestId,
    /// Whether a Request-Timestamp with fractional seconds (JavaScript's toISOString()) is
    /// accepted (undocumented; refused by default with a message saying why).
    #[arg(long, value_enum, default_value_t = RequestTimestampMillis::Refuse, value_name = "READING")]
    pub request_timestamp_millis: RequestTimestampMillis,
    /// Refuse what DOKU is not known to accept; by default it is accepted with a warning.
    #[arg(long)]
    pub strict: bool,
    /// A SNAP merchant: its client id (a configured credential) and the path of its RSA
    /// public key (PEM); repeatable.
    #[arg(long = "snap-merchant", value_name = "CLIENT_ID=PATH")]
    pub snap_merchants: Vec<String>,
    /// A SNAP merchant's token URL (DOKU gets a token there before calling it): `CLIENT_ID=URL`,
    /// or a bare URL for every SNAP merchant; repeatable.
    #[arg(long = "snap-token-url", value_name = "[CLIENT_ID=]URL")]
    pub snap_token_urls: Vec<String>,
    /// A SNAP merchant's payment-notification URL: `CLIENT_ID=URL` or a bare URL; repeatable.
    #[arg(long = "snap-notification-url", value_name = "[CLIENT_ID=]URL")]
    pub snap_notification_urls: Vec<String>,
    /// A SNAP merchant's inquiry URL: `CLIENT_ID=URL` or a bare URL; repeatable.
    #[arg(long = "snap-inquiry-url", value_name = "[CLIENT_ID=]URL")]
    pub snap_inquiry_urls: Vec<String>,
    /// DOKU's SNAP private key (PEM), instead of the test key shipped in doku-sim.
    #[arg(long = "snap-doku-private-key", value_name = "PATH")]
    pub snap_doku_private_key: Option<PathBuf>,
    /// A channel whose payments start with an inquiry (default VIRTUAL_ACCOUNT_BCA); repeatable,
    /// replaces the default.
    #[arg(long = "snap-direct-inquiry-channel", value_name = "CHANNEL")]
    pub snap_direct_inquiry_channels: Vec<String>,
    /// Which X-TIMESTAMP zones are accepted (offset = +07:00 only, utc = Z only).
    #[arg(long, value_enum, default_value_t = SnapTimestampZone::Both, value_name = "READING")]
    pub snap_timestamp_zone: SnapTimestampZone,
    /// The minification DOKU hashes for the SNAP symmetric signature, both ways.
    #[arg(long, value_enum, default_value_t = SnapMinify::Whitespace, value_name = "READING")]
    pub snap_minify: SnapMinify,
    /// What a merchant's answer to a SNAP payment notification must carry.
    #[arg(long, value_enum, default_value_t = SnapAck::Either, value_name = "READING")]
    pub snap_ack: SnapAck,
    /// A new token makes the client id's older tokens invalid: Partner tokens (401
    /// invalid_token) and SNAP B2B tokens (4012701).
    #[arg(long)]
    pub token_revokes_previous: bool,
    /// A new B2B token makes the client's older tokens invalid (4012701); SNAP only (see
    /// --token-revokes-previous for both).
    #[arg(long)]
    pub snap_token_revokes_previous: bool,
    /// What a repeated X-EXTERNAL-ID (same merchant, same day) gets.
    #[arg(long, value_enum, default_value_t = SnapExternalIdRepeat::Replay, value_name = "READING")]
    pub snap_external_id_repeat: SnapExternalIdRepeat,
    /// Which paths the SNAP calls are served on.
    #[arg(long, value_enum, default_value_t = SnapPathVersion::Current, value_name = "READING")]
    pub snap_path_version: SnapPathVersion,
}

/// Parses `--time-scale`: a number within the range the delivery timers can hold.
fn time_scale(text: &str) -> Result<f64, String> {
    let scale: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    crate::notify::check_time_scale(scale)?;
    Ok(scale)
}

impl std::fmt::Debug for SimArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimArgs")
            .field("listen", &self.listen)
            .field("client_ids", &self.client_ids)
            .field(
                "secret_keys",
                &format_args!("[{} redacted]", self.secret_keys.len()),
            )
            .field("secret_key_files", &self.secret_key_files)
            .field("notification_urls", &self.notification_urls)
            .field("time_scale", &self.time_scale)
            .field(
                "credentials",
                &format_args!("[{} redacted]", self.credentials.len()),
            )
            .finish_non_exhaustive()
    }
}

impl SimArgs {
    /// Turns the arguments into a configuration (reads key files).
    pub fn into_config(self) -> Result<SimConfig, SimError> {
        let mut secrets: Vec<String> = self.secret_keys;
        for path in &self.secret_key_files {
            let text = std::fs::read_to_string(path).map_err(|e| {
                SimError::Config(format!(
                    "cannot read secret key file {}: {e}",
                    path.display()
                ))
            })?;
            secrets.push(text.trim().to_owned());
        }
        if secrets.len() != self.client_ids.len() {
            return Err(SimError::Config(format!(
                "{} --client-id but {} secret key(s) (--secret-key / --secret-key-file): give one key per client id",
                self.client_ids.len(),
                secrets.len()
            )));
        }
        let mut builder = SimConfig::builder()
            .listen(self.listen)
            .timestamp_window(Duration::from_secs(self.timestamp_window))
            .max_body_bytes(self.max_body_bytes)
            .token_valid_minutes(self.token_valid_minutes)
            .target_includes_query(self.target_includes_query)
            .readings(
                Readings::default()
                    .get_response_digest(self.get_response_digest)
                    .idempotency(self.idempotency)
                    .bearer(self.bearer)
                    .notification_retry_request_id(self.notification_retry_request_id)
                    .request_timestamp_millis(self.request_timestamp_millis)
                    .token_revokes_previous(self.token_revokes_previous)
                    .snap(
                        SnapReadings::default()
                            .timestamp_zone(self.snap_timestamp_zone)
                            .minify(self.snap_minify)
                            .ack(self.snap_ack)
                            .token_revokes_previous(
                                self.snap_token_revokes_previous || self.token_revokes_previous,
                            )
                            .external_id_repeat(self.snap_external_id_repeat)
                            .path_version(self.snap_path_version),
                    ),
            )
            .strict(self.strict)
            .time_scale(self.time_scale);
        for value in &self.notification_urls {
            builder = match notification_url(value)? {
                (Some(id), url) => builder.merchant_notification_url(id, url),
                (None, url) => builder.notification_url(url),
            };
        }
        for (id, key) in self.client_ids.into_iter().zip(secrets) {
            builder = builder.credential(id, SecretKey::new(key));
        }
        for pair in self.credentials {
            let (id, key) = pair
                .split_once('=')
                .ok_or_else(|| SimError::Config("--credential must be ID=KEY".to_owned()))?;
            builder = builder.credential(id, SecretKey::new(key));
        }
        for merchant in snap_merchants(
            &self.snap_merchants,
            &self.snap_token_urls,
            &self.snap_notification_urls,
            &self.snap_inquiry_urls,
        )? {
            builder = builder.snap_merchant(merchant);
        }
        if let Some(path) = &self.snap_doku_private_key {
            let pem = std::fs::read_to_string(path).map_err(|e| {
                SimError::Config(format!("cannot read DOKU key file {}: {e}", path.display()))
            })?;
            builder = builder.snap_doku_private_key_pem(pem);
        }
        if !self.snap_direct_inquiry_channels.is_empty() {
            builder = builder.snap_direct_inquiry_channels(self.snap_direct_inquiry_channels);
        }
        builder.build()
    }
}

/// One `--notification-url`: `CLIENT_ID=URL` (that merchant's) or a bare `http://…` URL (the
/// default).
fn notification_url(value: &str) -> Result<(Option<&str>, &str), SimError> {
    if value.starts_with("http://") || value.starts_with("https://") {
        return Ok((None, value));
    }
    match value.split_once('=') {
        Some((id, url)) if !id.is_empty() => Ok((Some(id), url)),
        _ => Err(SimError::Config(
            "--notification-url must be URL or CLIENT_ID=URL".to_owned(),
        )),
    }
}

/// The `--snap-merchant` and URL flags as merchants: a URL flag `ID=URL` names its merchant, a
/// bare `http://…` applies to every one.
fn snap_merchants(
    merchants: &[String],
    token_urls: &[String],
    notification_urls: &[String],
    inquiry_urls: &[String],
) -> Result<Vec<SnapMerchant>, SimError> {
    let mut out = Vec::new();
    for pair in merchants {
        let (id, path) = pair.split_once('=').ok_or_else(|| {
            SimError::Config("--snap-merchant must be CLIENT_ID=PATH (a public key PEM)".to_owned())
        })?;
        let pem = std::fs::read_to_string(path).map_err(|e| {
            SimError::Config(format!(
                "cannot read the SNAP public key of {id} at {path}: {e}"
            ))
        })?;
        out.push(SnapMerchant::new(id, pem));
    }
    let urls = |flag: &str, values: &[String]| -> Result<Vec<(Option<String>, String)>, SimError> {
        values
            .iter()
            .map(|v| {
                if v.starts_with("http://") || v.starts_with("https://") {
                    return Ok((None, v.clone()));
                }
                let (id, url) = v.split_once('=').ok_or_else(|| {
                    SimError::Config(format!("{flag} must be CLIENT_ID=URL or URL"))
                })?;
                if !out.iter().any(|m| m.client_id == id) {
                    return Err(SimError::Config(format!(
                        "{flag} names {id}, which no --snap-merchant registers"
                    )));
                }
                Ok((Some(id.to_owned()), url.to_owned()))
            })
            .collect()
    };
    let token = urls("--snap-token-url", token_urls)?;
    let notification = urls("--snap-notification-url", notification_urls)?;
    let inquiry = urls("--snap-inquiry-url", inquiry_urls)?;
    for merchant in &mut out {
        let pick = |list: &[(Option<String>, String)]| {
            list.iter()
                .filter(|(id, _)| id.as_deref().is_none_or(|id| id == merchant.client_id))
                .map(|(_, url)| url.clone())
                .next_back()
        };
        merchant.token_url = pick(&token);
        merchant.notification_url = pick(&notification);
        merchant.inquiry_url = pick(&inquiry);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// `--time-scale` takes 0 to 1000; `1e300` (whose scaled schedule overflowed the delivery
    /// timer) is refused when parsed, and by the builder for library users.
    #[test]
    fn time_scale_out_of_range_is_refused_by_the_flag_and_the_builder() {
        let parse = |v: &str| {
            let flag = format!("--time-scale={v}");
            SimArgs::try_parse_from(["doku-sim", "--credential", "A=k", flag.as_str()])
        };
        for ok in ["0", "0.0001", "1", "1000"] {
            assert_eq!(parse(ok).unwrap().time_scale, ok.parse::<f64>().unwrap());
        }
        for bad in ["1e300", "1000.5", "-1", "NaN", "inf"] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.contains("from 0 to 1000"), "{bad}: {err}");
        }
        let built = SimConfig::builder()
            .credential("A", SecretKey::new("k"))
            .time_scale(1e300)
            .build();
        let err = built.map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("from 0 to 1000"), "{err}");
    }

    #[test]
    fn pairs_and_credentials() {
        let args = SimArgs::try_parse_from([
            "doku-sim",
            "--client-id",
            "A",
            "--secret-key",
            "ka",
            "--client-id",
            "B",
            "--secret-key",
            "kb",
            "--credential",
            "C=k=c",
        ])
        .unwrap();
        let config = args.into_config().unwrap();
        assert_eq!(config.client_ids().collect::<Vec<_>>(), ["A", "B", "C"]);
        assert_eq!(config.secret_for("C").unwrap().expose_bytes(), b"k=c");
    }

    #[test]
    fn mismatched_pairs_are_refused() {
        let args = SimArgs::try_parse_from(["doku-sim", "--client-id", "A"]).unwrap();
        assert!(args.into_config().is_err());
        let none = SimArgs::try_parse_from(["doku-sim"]).unwrap();
        assert!(none
            .into_config()
            .unwrap_err()
            .to_string()
            .contains("no credentials"));
    }

    #[test]
    fn reading_flags() {
        let args = SimArgs::try_parse_from(["doku-sim", "--credential", "A=k"]).unwrap();
        assert_eq!(args.into_config().unwrap().readings(), Readings::default());
        let args = SimArgs::try_parse_from([
            "doku-sim",
            "--credential",
            "A=k",
            "--get-response-digest",
            "include",
            "--idempotency",
            "replay-successes",
            "--bearer",
            "everywhere",
        ])
        .unwrap();
        let readings = args.into_config().unwrap().readings();
        assert_eq!(readings.get_response_digest, GetResponseDigest::Include);
        assert_eq!(readings.idempotency, IdempotencyReading::ReplaySuccesses);
        assert_eq!(readings.bearer, BearerReading::Everywhere);
    }

    #[test]
    fn snap_flags() {
        let dir = std::env::temp_dir().join(format!("doku-sim-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let key = dir.join("public.pem");
        std::fs::write(&key, crate::snap::TEST_PUBLIC_PEM).unwrap();
        let merchant = format!("A={}", key.display());
        let args = SimArgs::try_parse_from([
            "doku-sim",
            "--credential",
            "A=k",
            "--snap-merchant",
            merchant.as_str(),
            "--snap-token-url",
            "http://127.0.0.1:9/token",
            "--snap-notification-url",
            "A=http://127.0.0.1:9/notify",
            "--snap-direct-inquiry-channel",
            "VIRTUAL_ACCOUNT_BRI",
            "--snap-timestamp-zone",
            "utc",
            "--snap-minify",
            "jackson",
            "--snap-ack",
            "2002700",
            "--snap-token-revokes-previous",
            "--snap-external-id-repeat",
            "conflict",
            "--snap-path-version",
            "both",
        ])
        .unwrap();
        let config = args.into_config().unwrap();
        let m = &config.snap_merchants()[0];
        assert_eq!(m.token_url.as_deref(), Some("http://127.0.0.1:9/token"));
        assert_eq!(
            m.notification_url.as_deref(),
            Some("http://127.0.0.1:9/notify")
        );
        assert_eq!(m.inquiry_url, None);
        assert_eq!(
            config.snap_direct_inquiry_channels(),
            ["VIRTUAL_ACCOUNT_BRI"]
        );
        let snap = config.readings().snap;
        assert_eq!(
            snap,
            SnapReadings::default()
                .timestamp_zone(SnapTimestampZone::Utc)
                .minify(SnapMinify::Jackson)
                .ack(SnapAck::Code2002700)
                .token_revokes_previous(true)
                .external_id_repeat(SnapExternalIdRepeat::Conflict)
                .path_version(SnapPathVersion::Both)
        );
        let defaults = SimArgs::try_parse_from(["doku-sim", "--credential", "A=k"]).unwrap();
        assert_eq!(
            defaults.into_config().unwrap().readings().snap,
            SnapReadings::default()
        );
        // --token-revokes-previous: Partner and SNAP tokens alike.
        let both = SimArgs::try_parse_from([
            "doku-sim",
            "--credential",
            "A=k",
            "--token-revokes-previous",
        ])
        .unwrap()
        .into_config()
        .unwrap();
        assert!(both.readings().token_revokes_previous);
        assert!(both.readings().snap.token_revokes_previous);
        let defaults = SimArgs::try_parse_from(["doku-sim", "--credential", "A=k"]).unwrap();
        assert!(
            !defaults
                .into_config()
                .unwrap()
                .readings()
                .token_revokes_previous
        );
        let unknown = SimArgs::try_parse_from([
            "doku-sim",
            "--credential",
            "A=k",
            "--snap-inquiry-url",
            "B=http://127.0.0.1:9/i",
        ])
        .unwrap();
        assert!(unknown.into_config().is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn notification_flags() {
        let args = SimArgs::try_parse_from([
            "doku-sim",
            "--credential",
            "A=k",
            "--notification-url",
            "http://127.0.0.1:9/payments/notifications",
            "--time-scale",
            "0.0001",
            "--notification-retry-request-id",
            "fresh",
        ])
        .unwrap();
        let config = args.into_config().unwrap();
        assert_eq!(
            config.notification_url(),
            Some("http://127.0.0.1:9/payments/notifications")
        );
        assert_eq!(config.time_scale(), 0.0001);
        assert_eq!(
            config.readings().notification_retry_request_id,
            NotificationRetryRequestId::Fresh
        );
        // One default and one merchant's own URL (DOKU's setting is per merchant).
        let per_merchant = SimArgs::try_parse_from([
            "doku-sim",
            "--credential",
            "A=k",
            "--notification-url",
            "http://127.0.0.1:9/payments/notifications",
            "--notification-url",
            "BRN-B=http://127.0.0.1:10/payments/notifications",
        ])
        .unwrap()
        .into_config()
        .unwrap();
        assert_eq!(
            per_merchant.notification_url_for("A"),
            Some("http://127.0.0.1:9/payments/notifications")
        );
        assert_eq!(
            per_merchant.notification_url_for("BRN-B"),
            Some("http://127.0.0.1:10/payments/notifications")
        );
        for bad in [
            ["--time-scale=-1", "--notification-retry-request-id=same"],
            ["--notification-url", "https://example.com/p"],
            ["--notification-url", "BRN-B=https://example.com/p"],
            ["--notification-url", "example.com/p"],
        ] {
            // Refused when parsed (the time scale's range) or when configured.
            let refused =
                SimArgs::try_parse_from(["doku-sim", "--credential", "A=k"].into_iter().chain(bad))
                    .map_err(|e| e.to_string())
                    .and_then(|args| args.into_config().map_err(|e| e.to_string()));
            assert!(refused.is_err(), "{bad:?}");
        }
    }

    /// What a caller may format (the arguments, the config built from them, their errors)
    /// never shows a key given by `--secret-key` or `--credential`.
    #[test]
    fn debug_hides_keys() {
        let args = SimArgs::try_parse_from([
            "doku-sim",
            "--client-id",
            "BRN-ARGS-1",
            "--secret-key",
            "SK-args-secret-1",
            "--credential",
            "BRN-ARGS-2=SK-args-secret-2",
        ])
        .unwrap();
        let hides = |what: &str, text: String| {
            for secret in ["SK-args-secret-1", "SK-args-secret-2"] {
                assert!(!text.contains(secret), "{what} shows {secret}: {text}");
            }
        };
        hides("SimArgs", format!("{args:?}"));
        hides(
            "SimConfig",
            format!("{:?}", args.clone().into_config().unwrap()),
        );
        let mut unpaired = args.clone();
        unpaired.client_ids.push("BRN-ARGS-3".to_owned());
        let e = unpaired.into_config().unwrap_err();
        hides("SimError (unpaired)", format!("{e} {e:?}"));
        let mut missing_file = args;
        missing_file.client_ids.push("BRN-ARGS-3".to_owned());
        missing_file
            .secret_key_files
            .push("/nonexistent/doku-rs/key".into());
        let e = missing_file.into_config().unwrap_err();
        hides("SimError (key file)", format!("{e} {e:?}"));
    }
}
