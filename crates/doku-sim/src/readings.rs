//! The points where DOKU's pages are silent or contradict themselves, and how the simulator
//! plays each. Every point has one value per reading; the defaults are DOKU's literal words.
//! The client's tests run against every combination (docs/conformance.md lists them).

use std::fmt;

use doku_model::{Bearer, Credentials, Endpoint};

use crate::setters::setters;

/// Whether the signature of the answer to a GET carries a `Digest` line.
///
/// DOKU's response-signature page says of Digest: "This component only applied for `POST`
/// Method", and publishes no signed GET answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum GetResponseDigest {
    /// The page's literal reading: GET answers are signed without a `Digest` line.
    #[default]
    Omit,
    /// The other reading: every answer's signature has a `Digest` over its body.
    Include,
}

/// Which answers are recorded under a (Client-Id, Request-Id) and replayed with 409.
///
/// DOKU's idempotency-request page: a request is identical if it has the same Request-Id, and
/// DOKU "will send the same Response body with HTTP Status Code 409 Conflict". It does not say
/// that only successes are recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum IdempotencyReading {
    /// The page's literal reading: the first final answer (any status but 5xx) of an
    /// authenticated request is recorded, and any later request with that Request-Id gets that
    /// body with 409, whatever its own body.
    #[default]
    ReplayAll,
    /// Only 2xx answers are recorded; a refused request may be corrected and sent again with
    /// the same Request-Id; the same Request-Id with a different request gets 422.
    ReplaySuccesses,
}

/// Which calls must carry `Authorization: Bearer <token>`.
///
/// Only the Upload File page documents the bearer; the other pages list the signature headers
/// alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum BearerReading {
    /// The pages' literal reading: required on Upload File; checked elsewhere when present.
    #[default]
    UploadOnly,
    /// Required on every call but Generate Token.
    Everywhere,
}

/// Whether a retried payment notification carries the first attempt's `Request-Id`.
///
/// DOKU's notification page describes `Request-Id` as generated "to make sure no duplicate
/// notification", and its retry page does not say whether a retry keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum NotificationRetryRequestId {
    /// The reading the header's description suggests: every attempt of one notification has
    /// the same `Request-Id` (each attempt is signed afresh, with its own timestamp).
    #[default]
    Same,
    /// Every attempt has a new `Request-Id`: a receiver must deduplicate on the body
    /// (invoice number and status), not on the header.
    Fresh,
}

/// Whether a `Request-Timestamp` with fractional seconds (`2026-12-07T10:00:00.123Z`, what
/// JavaScript's `toISOString()` writes) is accepted.
///
/// DOKU documents `Request-Timestamp` as "UTC time in ISO8601 format" and every sample has whole
/// seconds; whether DOKU accepts milliseconds is not documented, and many integrations strip
/// them, which suggests it does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum RequestTimestampMillis {
    /// The cautious reading: only whole seconds (`YYYY-MM-DDTHH:MM:SSZ`); a timestamp with a
    /// fraction is refused with a message saying so.
    #[default]
    Refuse,
    /// DOKU's ISO 8601 wording read widely: a fraction of a second is accepted (the signature
    /// is still over the header's exact text).
    Accept,
}

/// Which zone forms of SNAP's `X-TIMESTAMP` are accepted.
///
/// DOKU's header table says "Client's current local time with format YYYY-MM-DDTHH:mm:ssZD"
/// and shows `+07:00`; the B2B token page describes UTC `…Z` but its sample uses `+07:00`; the
/// SDKs send either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum SnapTimestampZone {
    /// Only a numeric offset (`2020-12-21T14:56:11+07:00`, what the samples show).
    Offset,
    /// Only UTC with `Z` (`2020-12-21T07:56:11Z`, what the token page's words say).
    Utc,
    /// Both forms (the default: each is shown by one of DOKU's pages).
    #[default]
    Both,
}

impl SnapTimestampZone {
    /// Whether a timestamp ending in `Z` (`utc`) or in `±HH:MM` (`!utc`) is accepted.
    pub fn accepts(self, utc: bool) -> bool {
        match self {
            Self::Offset => !utc,
            Self::Utc => utc,
            Self::Both => true,
        }
    }
}

/// Which minification DOKU applies to a body before hashing it for SNAP's symmetric
/// `X-SIGNATURE` (DOKU's minifier is not documented; DOKU's SDKs each re-serialise differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum SnapMinify {
    /// The received text without insignificant whitespace, nothing else changed (the default:
    /// the most literal reading of "minify").
    #[default]
    Whitespace,
    /// PHP's `json_encode(json_decode($b), JSON_UNESCAPED_SLASHES|JSON_UNESCAPED_UNICODE)`.
    Php,
    /// Node's `JSON.stringify(JSON.parse(b))`.
    Node,
    /// Java Jackson's `readTree(b).toString()`.
    Jackson,
}

/// What the simulator requires in a merchant's answer to a SNAP payment notification.
///
/// DOKU publishes no success code for the acknowledgement: its Java, Go and Python SDKs answer
/// `2002500`, its PHP and Node SDKs `2002700`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum SnapAck {
    /// Any 2xx HTTP status, whatever the body.
    #[cfg_attr(feature = "cli", value(name = "any-2xx"))]
    Any2xx,
    /// A 2xx status with `responseCode` `2002500` or `2002700` (the default: what the SDKs
    /// send).
    #[default]
    #[cfg_attr(feature = "cli", value(name = "either"))]
    Either,
    /// A 2xx status with `responseCode` `2002500` (the payment-notification service's own code).
    #[cfg_attr(feature = "cli", value(name = "2002500"))]
    Code2002500,
    /// A 2xx status with `responseCode` `2002700`.
    #[cfg_attr(feature = "cli", value(name = "2002700"))]
    Code2002700,
}

impl SnapAck {
    /// Whether an answer with `status` and `response_code` (the body's `responseCode`, if any)
    /// acknowledges the notification.
    pub fn accepts(self, status: u16, response_code: Option<&str>) -> bool {
        if !(200..300).contains(&status) {
            return false;
        }
        match self {
            Self::Any2xx => true,
            Self::Either => matches!(response_code, Some("2002500" | "2002700")),
            Self::Code2002500 => response_code == Some("2002500"),
            Self::Code2002700 => response_code == Some("2002700"),
        }
    }
}

/// What a repeated `X-EXTERNAL-ID` (same merchant, same day) gets: not documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum SnapExternalIdRepeat {
    /// The first answer again, unchanged (status and body), without processing (the default).
    #[default]
    Replay,
    /// `409xx00` Conflict.
    Conflict,
}

/// Which paths the SNAP calls are served on: DOKU's current pages, or the older paths some
/// pages still show (`Endpoint::older_paths`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum SnapPathVersion {
    /// Only the current paths (the default).
    #[default]
    Current,
    /// Only the older paths.
    Older,
    /// Both.
    Both,
}

impl SnapPathVersion {
    /// Whether the current path (`older == false`) or an older one is served.
    pub fn serves(self, older: bool) -> bool {
        match self {
            Self::Current => !older,
            Self::Older => older,
            Self::Both => true,
        }
    }
}

/// How the simulator plays each SNAP point where DOKU's pages are silent or contradict
/// themselves. [`SnapReadings::default`] is documented per field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SnapReadings {
    /// Which `X-TIMESTAMP` zone forms are accepted (default both).
    pub timestamp_zone: SnapTimestampZone,
    /// The minification hashed for the symmetric signature, both ways (default whitespace).
    pub minify: SnapMinify,
    /// What a merchant's notification answer must carry (default a 2xx with `2002500` or
    /// `2002700`).
    pub ack: SnapAck,
    /// Whether a new B2B token makes the client's older ones invalid (`4012701`); default
    /// `false`: each token stays valid until it expires.
    pub token_revokes_previous: bool,
    /// What a repeated `X-EXTERNAL-ID` gets (default the first answer again).
    pub external_id_repeat: SnapExternalIdRepeat,
    /// Which paths are served (default the current ones).
    pub path_version: SnapPathVersion,
}

impl SnapReadings {
    setters! {
        /// Sets which `X-TIMESTAMP` zone forms are accepted.
        timestamp_zone(value: SnapTimestampZone) => timestamp_zone;

        /// Sets the minification hashed for the symmetric signature.
        minify(value: SnapMinify) => minify;

        /// Sets what a merchant's notification answer must carry.
        ack(value: SnapAck) => ack;

        /// Sets whether a new B2B token revokes the client's older ones.
        token_revokes_previous(value: bool) => token_revokes_previous;

        /// Sets what a repeated `X-EXTERNAL-ID` gets.
        external_id_repeat(value: SnapExternalIdRepeat) => external_id_repeat;

        /// Sets which paths are served.
        path_version(value: SnapPathVersion) => path_version;
    }
}

impl GetResponseDigest {
    /// Whether the signature of the answer to a `method` request has a `Digest` line.
    pub fn signs_digest(self, method: &http::Method) -> bool {
        self == Self::Include || (method != http::Method::GET && method != http::Method::HEAD)
    }
}

impl BearerReading {
    /// Whether `endpoint` must carry the bearer token under this reading.
    /// The reading is about the Partner API (the only pages that mention a bearer): Checkout
    /// and Check Status, whose pages list the four signature headers alone, never need one.
    pub fn required_on(self, endpoint: Endpoint) -> bool {
        if endpoint.credentials() == Credentials::Merchant {
            return false;
        }
        match (self, endpoint.bearer()) {
            (_, Bearer::Never) => false,
            (Self::UploadOnly, bearer) => bearer == Bearer::Documented,
            (_, _) => true,
        }
    }
}

/// One value for each ambiguity. [`Readings::default`] is DOKU's literal words throughout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Readings {
    /// GET answers' signatures with or without `Digest`.
    pub get_response_digest: GetResponseDigest,
    /// Which answers Request-Id idempotency records.
    pub idempotency: IdempotencyReading,
    /// Which calls need the bearer token.
    pub bearer: BearerReading,
    /// Whether notification retries keep the first attempt's `Request-Id`.
    pub notification_retry_request_id: NotificationRetryRequestId,
    /// Whether a `Request-Timestamp` with fractional seconds is accepted.
    pub request_timestamp_millis: RequestTimestampMillis,
    /// Whether a new Partner token (Generate Token) makes the client id's older tokens invalid
    /// (401 `invalid_token`). DOKU's pages do not say; default `false`: each token stays valid
    /// until it expires. `--token-revokes-previous` sets it together with
    /// [`SnapReadings::token_revokes_previous`].
    pub token_revokes_previous: bool,
    /// The SNAP readings (timestamp zone, minification, ack code, token revocation,
    /// repeated `X-EXTERNAL-ID`, path version).
    pub snap: SnapReadings,
}

impl Readings {
    /// Every combination of the readings that change an answer to a client's call, the default
    /// first: what the client's tests run against. (`notification_retry_request_id` changes
    /// what the simulator sends, not what it answers, and `request_timestamp_millis` only
    /// concerns timestamps the client never sends: both keep their defaults here.)
    pub fn all() -> Vec<Readings> {
        let mut out = Vec::new();
        for get_response_digest in [GetResponseDigest::Omit, GetResponseDigest::Include] {
            for idempotency in [
                IdempotencyReading::ReplayAll,
                IdempotencyReading::ReplaySuccesses,
            ] {
                for bearer in [BearerReading::UploadOnly, BearerReading::Everywhere] {
                    out.push(Readings {
                        get_response_digest,
                        idempotency,
                        bearer,
                        notification_retry_request_id: NotificationRetryRequestId::Same,
                        request_timestamp_millis: RequestTimestampMillis::Refuse,
                        token_revokes_previous: false,
                        snap: SnapReadings::default(),
                    });
                }
            }
        }
        out
    }

    setters! {
        /// Sets how GET answers are signed.
        get_response_digest(value: GetResponseDigest) => get_response_digest;

        /// Sets which answers are replayed.
        idempotency(value: IdempotencyReading) => idempotency;

        /// Sets which calls need the bearer.
        bearer(value: BearerReading) => bearer;

        /// Sets whether notification retries keep the first attempt's `Request-Id`.
        notification_retry_request_id(value: NotificationRetryRequestId) => notification_retry_request_id;

        /// Sets whether a `Request-Timestamp` with fractional seconds is accepted.
        request_timestamp_millis(value: RequestTimestampMillis) => request_timestamp_millis;

        /// Sets whether a new Partner token revokes the client id's older ones.
        token_revokes_previous(value: bool) => token_revokes_previous;

        /// Sets the SNAP readings.
        snap(value: SnapReadings) => snap;
    }
}

/// The value each reading takes on the command line (clap's kebab-case names, written out so
/// the library needs no clap; a test pins them to clap's).
trait FlagValue {
    fn flag_value(self) -> &'static str;
}

impl FlagValue for GetResponseDigest {
    fn flag_value(self) -> &'static str {
        match self {
            Self::Omit => "omit",
            Self::Include => "include",
        }
    }
}

impl FlagValue for IdempotencyReading {
    fn flag_value(self) -> &'static str {
        match self {
            Self::ReplayAll => "replay-all",
            Self::ReplaySuccesses => "replay-successes",
        }
    }
}

impl FlagValue for BearerReading {
    fn flag_value(self) -> &'static str {
        match self {
            Self::UploadOnly => "upload-only",
            Self::Everywhere => "everywhere",
        }
    }
}

impl FlagValue for RequestTimestampMillis {
    fn flag_value(self) -> &'static str {
        match self {
            Self::Refuse => "refuse",
            Self::Accept => "accept",
        }
    }
}

impl fmt::Display for Readings {
    /// The flags that select this combination, e.g.
    /// `--get-response-digest omit --idempotency replay-all --bearer upload-only`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--get-response-digest {} --idempotency {} --bearer {}",
            self.get_response_digest.flag_value(),
            self.idempotency.flag_value(),
            self.bearer.flag_value(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the payments-under-every-reading test: `--bearer everywhere` must not make
    /// Checkout (a merchant call without a Partner token) require a bearer.
    #[test]
    fn bearer_readings_never_cover_merchant_calls() {
        for reading in [BearerReading::UploadOnly, BearerReading::Everywhere] {
            assert!(!reading.required_on(Endpoint::Checkout), "{reading:?}");
            assert!(!reading.required_on(Endpoint::CheckStatus), "{reading:?}");
            assert!(!reading.required_on(Endpoint::Token), "{reading:?}");
            assert!(reading.required_on(Endpoint::UploadFile), "{reading:?}");
        }
        assert!(BearerReading::Everywhere.required_on(Endpoint::GetBusinessData));
    }

    /// The names `Display` writes are the ones the `cli` feature's flags accept.
    #[cfg(feature = "cli")]
    #[test]
    fn flag_values_are_clap_names() {
        use clap::ValueEnum;
        fn check<T: ValueEnum + FlagValue + Copy>() {
            for v in T::value_variants() {
                let clap_name = v.to_possible_value().unwrap().get_name().to_owned();
                assert_eq!(v.flag_value(), clap_name);
            }
        }
        check::<GetResponseDigest>();
        check::<IdempotencyReading>();
        check::<BearerReading>();
        check::<RequestTimestampMillis>();
    }

    #[test]
    fn all_combinations_default_first() {
        let all = Readings::all();
        assert_eq!(all.len(), 8);
        assert_eq!(all[0], Readings::default());
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "{a} twice");
        }
        assert_eq!(
            Readings::default().to_string(),
            "--get-response-digest omit --idempotency replay-all --bearer upload-only"
        );
    }
}
