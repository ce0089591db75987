//! The token endpoint DOKU calls before it notifies: verify DOKU's RSA signature, issue our JWT.

use std::fmt;

use doku_model::snap::{B2bTokenRequest, B2bTokenResponse, ExpiresIn, ResponseCode, ServiceCode};
use doku_model::{DecodeErrorKind, Validate};
use doku_sign::headers::{X_CLIENT_KEY, X_SIGNATURE, X_TIMESTAMP};
use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::timestamp;
use http::HeaderMap;
use serde::Serialize;

use super::bearer::{BearerClaims, BearerPolicy};
use super::headers::{one, HeaderProblem};
use super::reply::{json, SnapReply};

/// The lifetime of the tokens we issue by default, in seconds: DOKU's own (900).
pub const DEFAULT_SNAP_TOKEN_LIFETIME_SECONDS: u32 = 900;

/// How far DOKU's `X-TIMESTAMP` on a token request may be from `now` by default, either way,
/// in seconds: 15 minutes.
///
/// DOKU asks for a token right before it notifies, so a fresh request is minutes old at most;
/// the window is wide so that a skewed clock on either side (DOKU stamps `+07:00`, a server may
/// run on UTC: both are read as instants) does not lock DOKU out, and narrow enough that a
/// captured request cannot be replayed for a token later in the day. A token alone is not
/// enough to be believed: every notification is also signed with the client secret.
pub const DEFAULT_SNAP_TOKEN_TOLERANCE_SECONDS: u32 = 900;

/// The `iss` of the tokens we issue unless [`SnapTokenIssuer::issuer`] sets another.
pub const DEFAULT_SNAP_TOKEN_ISSUER: &str = "doku-rs";

/// The merchant's token endpoint (`POST /authorization/v1/access-token/b2b` on the merchant),
/// which DOKU calls before sending a SNAP notification or inquiry.
///
/// It verifies DOKU's `X-SIGNATURE` (SHA256withRSA over `X-CLIENT-KEY|X-TIMESTAMP`) with
/// **DOKU's public key**, checks `X-TIMESTAMP` against the injected `now`, reads
/// `{"grantType":"client_credentials"}`, and answers with an RS256 JWT signed with **our own
/// private key**: claims `iss`, `clientId` (DOKU's `X-CLIENT-KEY`), `iat`, `exp` (`iat` + the
/// lifetime) and `jti` (given by the caller). Nothing is stored: a [`SnapReceiver`] verifies the
/// token offline on each notification.
///
/// `Debug` prints no key.
///
/// [`SnapReceiver`]: crate::SnapReceiver
#[derive(Clone)]
pub struct SnapTokenIssuer {
    doku_public_key: PublicKey,
    signing_key: PrivateKey,
    policy: BearerPolicy,
    lifetime: u32,
    tolerance: u32,
}

impl SnapTokenIssuer {
    /// An issuer that trusts `doku_public_key` (downloaded from DOKU's Back Office) and signs
    /// with `signing_key` (ours), with the default issuer name, lifetime and window, and any
    /// `X-CLIENT-KEY`.
    pub fn new(doku_public_key: PublicKey, signing_key: PrivateKey) -> Self {
        let policy = BearerPolicy {
            public_key: signing_key.public_key(),
            issuer: DEFAULT_SNAP_TOKEN_ISSUER.to_owned(),
            client_ids: None,
        };
        Self {
            doku_public_key,
            signing_key,
            policy,
            lifetime: DEFAULT_SNAP_TOKEN_LIFETIME_SECONDS,
            tolerance: DEFAULT_SNAP_TOKEN_TOLERANCE_SECONDS,
        }
    }

    /// The `iss` claim written into tokens and required back ([`DEFAULT_SNAP_TOKEN_ISSUER`] by
    /// default).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.policy.issuer = issuer.into();
        self
    }

    /// Only these `X-CLIENT-KEY` values get a token (and only tokens for them are accepted).
    /// By default any client key DOKU's signature covers is accepted.
    pub fn expected_client_ids<I, S>(mut self, client_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.policy.client_ids = Some(client_ids.into_iter().map(Into::into).collect());
        self
    }

    /// The tokens' lifetime in seconds ([`DEFAULT_SNAP_TOKEN_LIFETIME_SECONDS`] by default); also
    /// the `expiresIn` answered.
    pub fn lifetime_seconds(mut self, seconds: u32) -> Self {
        self.lifetime = seconds;
        self
    }

    /// How far `X-TIMESTAMP` may be from `now`, either way
    /// ([`DEFAULT_SNAP_TOKEN_TOLERANCE_SECONDS`] by default).
    pub fn timestamp_tolerance_seconds(mut self, seconds: u32) -> Self {
        self.tolerance = seconds;
        self
    }

    /// Our public key: the one that verifies the tokens this issuer signs.
    pub fn token_public_key(&self) -> PublicKey {
        self.policy.public_key.clone()
    }

    /// The `iss` written into tokens.
    pub fn issuer_name(&self) -> &str {
        &self.policy.issuer
    }

    pub(crate) fn policy(&self) -> &BearerPolicy {
        &self.policy
    }

    /// Answers DOKU's token request.
    ///
    /// - `headers`, `body`: the request as received (the body's raw bytes);
    /// - `now`: Unix seconds, from the caller's clock;
    /// - `jti`: a unique id for the token (a UUID from the caller's generator, say); written
    ///   into the token as given.
    ///
    /// Write [`SnapTokenReply::status`] and [`SnapTokenReply::body`] back as they are. The signature is
    /// checked before the body is read; nothing here panics on wire input.
    pub fn answer(&self, headers: &HeaderMap, body: &[u8], now: i64, jti: &str) -> SnapTokenReply {
        match self.issue(headers, body, now, jti) {
            Ok((token, claims)) => {
                let answer =
                    B2bTokenResponse::issued(token, ExpiresIn::Number(u64::from(self.lifetime)));
                SnapTokenReply {
                    status: 200,
                    body: json(&answer),
                    outcome: Ok(claims),
                }
            }
            Err(refusal) => {
                let reply = refusal.reply();
                SnapTokenReply {
                    status: reply.status,
                    body: reply.body,
                    outcome: Err(refusal),
                }
            }
        }
    }

    fn issue(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
        jti: &str,
    ) -> Result<(String, BearerClaims), SnapTokenRefusal> {
        let client_key = one(headers, X_CLIENT_KEY)?;
        let stamp = one(headers, X_TIMESTAMP)?;
        let signature = one(headers, X_SIGNATURE)?;
        let instant =
            timestamp::parse_unix_seconds(stamp).map_err(|_| SnapTokenRefusal::InvalidTimestamp)?;
        if !self.policy.admits(client_key) {
            return Err(SnapTokenRefusal::UnknownClient);
        }
        self.doku_public_key
            .verify(client_key, stamp, signature)
            .map_err(SnapTokenRefusal::Signature)?;
        timestamp::check_window(instant, now, self.tolerance).map_err(|e| match e {
            doku_sign::Error::Stale { skew_seconds } => {
                SnapTokenRefusal::StaleTimestamp { skew_seconds }
            }
            _ => SnapTokenRefusal::InvalidTimestamp,
        })?;
        let request: B2bTokenRequest = doku_model::decode(body).map_err(|e| {
            if e.kind == DecodeErrorKind::Data && e.message.starts_with("missing field") {
                SnapTokenRefusal::MissingGrantType
            } else {
                SnapTokenRefusal::MalformedBody(e)
            }
        })?;
        if request.validate().is_err() {
            return Err(SnapTokenRefusal::UnsupportedGrantType);
        }
        let claims = BearerClaims {
            client_id: client_key.to_owned(),
            issued_at: now,
            expires_at: now.saturating_add(i64::from(self.lifetime)),
            jti: jti.to_owned(),
        };
        let token = self.sign(&claims).map_err(|_| SnapTokenRefusal::Signing)?;
        Ok((token, claims))
    }

    /// The JWT for `claims`: `{"iss","clientId","iat","exp","jti"}`, RS256 with our key.
    fn sign(&self, claims: &BearerClaims) -> Result<String, doku_sign::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            iss: &'a str,
            #[serde(rename = "clientId")]
            client_id: &'a str,
            iat: i64,
            exp: i64,
            jti: &'a str,
        }
        let wire = json(&Wire {
            iss: &self.policy.issuer,
            client_id: &claims.client_id,
            iat: claims.issued_at,
            exp: claims.expires_at,
            jti: &claims.jti,
        });
        doku_sign::jwt::encode(&self.signing_key, &wire)
    }
}

impl fmt::Debug for SnapTokenIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapTokenIssuer")
            .field("doku_public_key", &"***")
            .field("signing_key", &self.signing_key)
            .field("issuer", &self.policy.issuer)
            .field("expected_client_ids", &self.policy.client_ids)
            .field("lifetime_seconds", &self.lifetime)
            .field("timestamp_tolerance_seconds", &self.tolerance)
            .finish()
    }
}

/// The answer to DOKU's token request: write `status` and `body` back as they are.
///
/// `Debug` prints the outcome and the body's length, never the token.
pub struct SnapTokenReply {
    /// `200`, `400`, `401` or `500`: the first three digits of the body's `responseCode`.
    pub status: u16,
    /// `{"responseCode":"2007300","responseMessage":"Successful","accessToken":…,
    /// "tokenType":"Bearer","expiresIn":900}`, or `{"responseCode":…,"responseMessage":…}`.
    pub body: Vec<u8>,
    /// The claims of the token issued, or why none was.
    pub outcome: Result<BearerClaims, SnapTokenRefusal>,
}

impl SnapTokenReply {
    /// The claims of the token issued, if one was.
    pub fn issued(&self) -> Option<&BearerClaims> {
        self.outcome.as_ref().ok()
    }
}

impl From<SnapTokenReply> for SnapReply {
    /// The status and body to write back.
    fn from(reply: SnapTokenReply) -> Self {
        Self {
            status: reply.status,
            body: reply.body,
        }
    }
}

impl fmt::Debug for SnapTokenReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapTokenReply")
            .field("status", &self.status)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .field("outcome", &self.outcome)
            .finish()
    }
}

/// Why DOKU's token request got no token.
///
/// | refusal | `responseCode` | HTTP |
/// |---|---|---|
/// | `Signature` (malformed, wrong key, altered), `UnknownClient`, `StaleTimestamp` | `4017300` Unauthorized | 401 |
/// | `MissingHeader`, `MissingGrantType` | `4007302` Invalid Mandatory Field | 400 |
/// | `DuplicateHeader`, `InvalidHeader`, `InvalidTimestamp`, `MalformedBody`, `UnsupportedGrantType` | `4007301` Invalid Field Format | 400 |
/// | `Signing` (our key could not sign) | `5007300` General Error | 500 |
#[derive(Debug)]
#[non_exhaustive]
pub enum SnapTokenRefusal {
    /// A required header (`X-CLIENT-KEY`, `X-TIMESTAMP`, `X-SIGNATURE`) is absent or empty.
    MissingHeader(&'static str),
    /// A header appears more than once.
    DuplicateHeader(&'static str),
    /// A header value is not visible ASCII.
    InvalidHeader(&'static str),
    /// `X-TIMESTAMP` is not ISO 8601 with `Z` or an offset.
    InvalidTimestamp,
    /// `X-CLIENT-KEY` is not one of [`SnapTokenIssuer::expected_client_ids`].
    UnknownClient,
    /// `X-SIGNATURE` is malformed or does not verify with DOKU's public key.
    Signature(doku_sign::Error),
    /// `X-TIMESTAMP` is outside the window around `now` (checked after the signature).
    StaleTimestamp {
        /// `X-TIMESTAMP - now`, in seconds.
        skew_seconds: i64,
    },
    /// The body has no `grantType`.
    MissingGrantType,
    /// `grantType` is not `client_credentials`.
    UnsupportedGrantType,
    /// The body is not JSON of the expected shape.
    MalformedBody(doku_model::DecodeError),
    /// Our private key failed to sign (not DOKU's fault).
    Signing,
}

impl SnapTokenRefusal {
    /// The `responseCode` (service `73`).
    pub fn response_code(&self) -> ResponseCode {
        let service = ServiceCode::TOKEN;
        match self {
            Self::Signature(_) | Self::UnknownClient | Self::StaleTimestamp { .. } => {
                ResponseCode::TOKEN_UNAUTHORIZED
            }
            Self::MissingHeader(_) | Self::MissingGrantType => {
                ResponseCode::missing_mandatory_field(service)
            }
            Self::DuplicateHeader(_)
            | Self::InvalidHeader(_)
            | Self::InvalidTimestamp
            | Self::MalformedBody(_)
            | Self::UnsupportedGrantType => ResponseCode::invalid_field_format(service),
            Self::Signing => ResponseCode::general_error(service),
        }
    }

    /// The `responseMessage`, in SNAP's wording.
    pub fn response_message(&self) -> String {
        match self {
            Self::Signature(_) => self.response_code().default_message().to_owned(),
            Self::UnknownClient => "Unauthorized. Unknown Client".to_owned(),
            Self::StaleTimestamp { .. } => "Unauthorized. Invalid Timestamp".to_owned(),
            Self::MissingHeader(name) => format!("Invalid Mandatory Field {{{name}}}"),
            Self::MissingGrantType => "Invalid Mandatory Field {grantType}".to_owned(),
            Self::DuplicateHeader(name) | Self::InvalidHeader(name) => {
                format!("Invalid Field Format {{{name}}}")
            }
            Self::InvalidTimestamp => format!("Invalid Field Format {{{X_TIMESTAMP}}}"),
            Self::MalformedBody(e) => format!("Invalid Field Format {{{}}}", e.path),
            Self::UnsupportedGrantType => "Invalid Field Format {grantType}".to_owned(),
            Self::Signing => "General Error".to_owned(),
        }
    }

    /// The answer: HTTP status = the code's first three digits.
    pub fn reply(&self) -> SnapReply {
        SnapReply::refusal(&self.response_code(), &self.response_message())
    }
}

impl From<HeaderProblem> for SnapTokenRefusal {
    fn from(problem: HeaderProblem) -> Self {
        match problem {
            HeaderProblem::Missing(name) => Self::MissingHeader(name),
            HeaderProblem::Duplicate(name) => Self::DuplicateHeader(name),
            HeaderProblem::Invalid(name) => Self::InvalidHeader(name),
        }
    }
}

impl fmt::Display for SnapTokenRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader(name) => write!(f, "missing header {name}"),
            Self::DuplicateHeader(name) => write!(f, "header {name} appears more than once"),
            Self::InvalidHeader(name) => write!(f, "header {name} is not visible ASCII"),
            Self::InvalidTimestamp => f.write_str("X-TIMESTAMP is not ISO 8601"),
            Self::UnknownClient => f.write_str("X-CLIENT-KEY is not an expected client"),
            Self::Signature(_) => f.write_str("X-SIGNATURE does not verify with DOKU's public key"),
            Self::StaleTimestamp { skew_seconds } => {
                write!(
                    f,
                    "X-TIMESTAMP is {skew_seconds} s from now, outside the window"
                )
            }
            Self::MissingGrantType => f.write_str("the body has no grantType"),
            Self::UnsupportedGrantType => f.write_str("grantType is not client_credentials"),
            Self::MalformedBody(_) => f.write_str("the body is not a token request"),
            Self::Signing => f.write_str("our private key could not sign the token"),
        }
    }
}

impl std::error::Error for SnapTokenRefusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Signature(e) => Some(e),
            Self::MalformedBody(e) => Some(e),
            _ => None,
        }
    }
}
