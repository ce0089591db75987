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
