//! What a notification and an inquiry share: the bearer we issued, then DOKU's HMAC over the
//! raw bytes received (or, failing that, over each minification reading of them).

use std::fmt;

use doku_sign::headers::{
    AUTHORIZATION, CHANNEL_ID, X_EXTERNAL_ID, X_PARTNER_ID, X_SIGNATURE, X_TIMESTAMP,
};
use doku_sign::snap_asymmetric::PublicKey;
use doku_sign::snap_symmetric::{self, BodyForm};
use doku_sign::{timestamp, MinifyReading, SecretKey};
use http::HeaderMap;

use super::bearer::{BearerClaims, BearerPolicy};
use super::headers::{one, optional};
use super::refusal::SnapInboundRefusal;
use super::token::SnapTokenIssuer;

/// Verifies DOKU's SNAP calls to the merchant (payment notification, inquiry) for one merchant.
///
/// A call is believed only if both hold:
///
/// 1. `Authorization: Bearer <jwt>` is a token **we** issued ([`SnapTokenIssuer`]): RS256
///    verified with our public key, `iss` ours, `clientId` one we issue to, `now` before `exp`;
/// 2. `X-SIGNATURE` is base64(HMAC-SHA512(client secret, `METHOD:path:token:hex(sha256(body)):X-TIMESTAMP`))
///    over the **raw bytes received**; only if those fail is each minification reading of them
///    tried (doku-sign's [`snap_symmetric::verify_received`]), every comparison in constant time
///    and never case-folded.
///
/// Only then is the body parsed. `X-TIMESTAMP` may also be held to a window (off by default:
/// the bearer's 15 minutes already bound a replay, and DOKU retries a notification +30 min,
/// +6 h and +12 h later with a fresh token). No clock inside: `now` is an argument.
///
/// `Debug` prints no key.
#[derive(Clone)]
pub struct SnapReceiver {
    policy: BearerPolicy,
    client_secret: SecretKey,
    window: Option<u32>,
    readings: Vec<MinifyReading>,
}

/// How the delivery was authenticated, and DOKU's own headers, for logs and records.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SnapDelivery {
    /// The claims of the bearer DOKU presented.
    pub bearer: BearerClaims,
    /// Which bytes the signature covers: the raw body, or one minification reading of it
    /// (worth a warning: DOKU then hashed bytes other than the ones it sent).
    pub signed_form: BodyForm,
    /// `X-TIMESTAMP`, as received.
    pub timestamp: String,
    /// `X-PARTNER-ID` ("DOKU's Client ID"), if sent.
    pub partner_id: Option<String>,
    /// `X-EXTERNAL-ID`, if sent. DOKU may retry with a fresh one: not a dedup key.
    pub external_id: Option<String>,
    /// `CHANNEL-ID`, if sent.
    pub channel_id: Option<String>,
}

impl SnapReceiver {
    /// A receiver for tokens signed by `token_public_key` with issuer `issuer`, and calls
    /// signed with the merchant's `client_secret`. Any `clientId` in a token is accepted (the
    /// token is ours); [`SnapReceiver::expected_client_ids`] narrows that.
    pub fn new(
        token_public_key: PublicKey,
        issuer: impl Into<String>,
        client_secret: SecretKey,
    ) -> Self {
        Self {
            policy: BearerPolicy {
                public_key: token_public_key,
                issuer: issuer.into(),
                client_ids: None,
            },
            client_secret,
            window: None,
            readings: MinifyReading::ALL.to_vec(),
        }
    }

    /// A receiver for the tokens `issuer` issues (its key, `iss` and expected client ids),
    /// with the merchant's `client_secret`.
    pub fn for_issuer(issuer: &SnapTokenIssuer, client_secret: SecretKey) -> Self {
        Self {
            policy: issuer.policy().clone(),
            client_secret,
            window: None,
            readings: MinifyReading::ALL.to_vec(),
        }
    }

    /// Only tokens whose `clientId` is one of these are accepted.
    pub fn expected_client_ids<I, S>(mut self, client_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.policy.client_ids = Some(client_ids.into_iter().map(Into::into).collect());
        self
    }

    /// The minification readings tried, in this order, when the raw bytes do not match
    /// ([`MinifyReading::ALL`] by default; `&[]` accepts the raw bytes only).
    pub fn minify_readings(mut self, readings: &[MinifyReading]) -> Self {
        self.readings = readings.to_vec();
        self
    }

    /// Refuses a call whose `X-TIMESTAMP` is further than `seconds` from `now` (checked after
    /// the signature). Off by default.
    pub fn timestamp_window_seconds(mut self, seconds: u32) -> Self {
        self.window = Some(seconds);
        self
    }

    /// Verifies the bearer and the signature of a call, in that order, before anything reads
    /// the body.
    pub(crate) fn authenticate(
        &self,
        method: &str,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<SnapDelivery, SnapInboundRefusal> {
        let authorization = one(headers, AUTHORIZATION)?;
        let stamp = one(headers, X_TIMESTAMP)?;
        let signature = one(headers, X_SIGNATURE)?;
        let partner_id = optional(headers, X_PARTNER_ID)?;
        let external_id = optional(headers, X_EXTERNAL_ID)?;
        let channel_id = optional(headers, CHANNEL_ID)?;
        let (token, bearer) = self.policy.check(authorization, now)?;
        let message = snap_symmetric::Message {
            method,
            path,
            access_token: token,
            body,
            timestamp: stamp,
        };
        let signed_form = snap_symmetric::verify_received(
            &self.client_secret,
            &message,
            signature,
            &self.readings,
        )
        .map_err(|e| match e {
            doku_sign::Error::Mismatch => SnapInboundRefusal::SignatureMismatch,
            doku_sign::Error::HexSignature { .. } => SnapInboundRefusal::HexSignature,
            other => SnapInboundRefusal::MalformedSignature(other),
        })?;
        if let Some(window) = self.window {
            timestamp::check_freshness(stamp, now, window).map_err(|e| match e {
                doku_sign::Error::Stale { skew_seconds } => {
                    SnapInboundRefusal::StaleTimestamp { skew_seconds }
                }
                _ => SnapInboundRefusal::InvalidTimestamp,
            })?;
        }
        Ok(SnapDelivery {
            bearer,
            signed_form,
            timestamp: stamp.to_owned(),
            partner_id: partner_id.map(str::to_owned),
            external_id: external_id.map(str::to_owned),
            channel_id: channel_id.map(str::to_owned),
        })
    }
}

impl fmt::Debug for SnapReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapReceiver")
            .field("issuer", &self.policy.issuer)
            .field("expected_client_ids", &self.policy.client_ids)
            .field("client_secret", &self.client_secret)
            .field("timestamp_window_seconds", &self.window)
            .field("minify_readings", &self.readings)
            .finish()
    }
}
