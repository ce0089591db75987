//! Generate Token (`POST /token`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::string_enum::string_enum;
use crate::validate::{Validate, ValidationErrors};

string_enum! {
    /// `grant_type`: DOKU documents only `client_credentials`.
    pub enum GrantType {
        /// The only documented grant.
        ClientCredentials => "client_credentials",
    }
}

/// Token lifetime DOKU applies when `valid_time` is absent (our reading; the page gives no
/// default, the simulator uses this).
pub const DEFAULT_VALID_TIME_MINUTES: u32 = 60;

/// Body of Generate Token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// Always `client_credentials`.
    pub grant_type: GrantType,
    /// Token lifetime in minutes, **as a string** (DOKU's example: `"360"`). Optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_time: Option<String>,
}

impl TokenRequest {
    /// `{"grant_type":"client_credentials"}`.
    pub fn client_credentials() -> Self {
        Self {
            grant_type: GrantType::ClientCredentials,
            valid_time: None,
        }
    }

    /// Asks for a token valid `minutes` minutes (sent as a string).
    pub fn with_valid_time(mut self, minutes: u32) -> Self {
        self.valid_time = Some(minutes.to_string());
        self
    }

    /// `valid_time` as a number, if present and a positive decimal integer.
    pub fn valid_time_minutes(&self) -> Option<u32> {
        self.valid_time
            .as_deref()
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse().ok())
            .filter(|m| *m > 0)
    }
}

impl Validate for TokenRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.grant_type != GrantType::ClientCredentials {
            e.push(
                "grant_type",
                format!(
                    "must be \"client_credentials\", got {:?}",
                    self.grant_type.as_str()
                ),
            );
        }
        if let Some(v) = &self.valid_time {
            if self.valid_time_minutes().is_none() {
                e.push(
                    "valid_time",
                    format!("{v:?} is not a positive whole number of minutes"),
                );
            }
        }
        e.into_result()
    }
}

/// Answer of Generate Token. `Debug` does not print the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The JWT to send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl TokenResponse {
    /// An answer carrying only `token`.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            extra: serde_json::Map::new(),
        }
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token", &"***")
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The claims DOKU's token payload carries (the JWT's middle part, base64url-decoded).
/// Clients cannot verify DOKU's RS256 signature, but may read `exp` to refresh in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// Subject (`"payload"` in DOKU's sample).
    pub sub: String,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
    /// Issued at, seconds since the Unix epoch.
    pub iat: i64,
    /// The client the token was issued to.
    pub user: TokenUser,
    /// Claims this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `user` claim of [`TokenClaims`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUser {
    /// The Client-Id the token was issued to.
    #[serde(rename = "businessServiceClientId")]
    pub business_service_client_id: String,
    /// Fields this crate does not model.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    #[test]
    fn spec_example_round_trips() {
        let body = br#"{"grant_type":"client_credentials","valid_time":"360"}"#;
        let req: TokenRequest = decode(body).unwrap();
        assert_eq!(req, TokenRequest::client_credentials().with_valid_time(360));
        assert_eq!(serde_json::to_vec(&req).unwrap(), body.to_vec());
        assert_eq!(req.valid_time_minutes(), Some(360));
        req.validate().unwrap();
    }

    #[test]
    fn minimal_request() {
        let req = TokenRequest::client_credentials();
        assert_eq!(
            serde_json::to_string(&req).unwrap(),
            r#"{"grant_type":"client_credentials"}"#
        );
    }

    #[test]
    fn validation_reports_both_fields() {
        let req: TokenRequest = decode(br#"{"grant_type":"password","valid_time":"abc"}"#).unwrap();
        let err = req.validate().unwrap_err();
        assert_eq!(err.paths(), vec!["grant_type", "valid_time"]);
        let zero: TokenRequest =
            decode(br#"{"grant_type":"client_credentials","valid_time":"0"}"#).unwrap();
        assert_eq!(zero.validate().unwrap_err().paths(), vec!["valid_time"]);
    }

    #[test]
    fn response_debug_hides_token() {
        let r: TokenResponse = decode(br#"{"token":"eyJhbGciOiJSUzI1NiJ9.e30.sig"}"#).unwrap();
        assert!(!format!("{r:?}").contains("eyJ"));
    }

    #[test]
    fn published_sample_claims_decode() {
        // Payload of the sample token on DOKU's Upload File page.
        let payload = br#"{"sub":"payload","exp":1695185744,"user":{"businessServiceClientId":"BRN-0241-1695008401899"},"iat":1695185444}"#;
        let c: TokenClaims = decode(payload).unwrap();
        assert_eq!(c.exp - c.iat, 300);
        assert_eq!(c.user.business_service_client_id, "BRN-0241-1695008401899");
    }
}
