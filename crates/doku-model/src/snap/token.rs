//! The SNAP B2B access token (`POST /authorization/v1/access-token/b2b`, service 73): what the
//! merchant asks DOKU for, and what a merchant's own token endpoint answers DOKU.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::response_code::ResponseCode;
use crate::token::GrantType;
use crate::validate::{Validate, ValidationErrors};

/// DOKU's documented token lifetime, in seconds.
pub const SNAP_TOKEN_LIFETIME_SECONDS: u64 = 900;

/// Body of the B2B token request: `{"grantType":"client_credentials"}` (the PHP SDK adds
/// `"additionalInfo":{}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct B2bTokenRequest {
    /// Always `client_credentials`.
    #[serde(rename = "grantType")]
    pub grant_type: GrantType,
    /// Optional, kept as received.
    #[serde(
        rename = "additionalInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_info: Option<serde_json::Map<String, serde_json::Value>>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl B2bTokenRequest {
    /// `{"grantType":"client_credentials"}`.
    pub fn client_credentials() -> Self {
        Self {
            grant_type: GrantType::ClientCredentials,
            additional_info: None,
            extra: serde_json::Map::new(),
        }
    }
}

impl Validate for B2bTokenRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.grant_type != GrantType::ClientCredentials {
            e.push(
                "grantType",
                format!(
                    "must be \"client_credentials\", got {:?}",
                    self.grant_type.as_str()
                ),
            );
        }
        e.into_result()
    }
}

/// `expiresIn`: a string of seconds in DOKU's sample (`"900"`), a number in the SDKs'
/// receiver answers (`900`). Both are read and written back in the form they came in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExpiresIn {
    /// A JSON string, kept verbatim (even if it is not digits).
    Text(String),
    /// A JSON integer.
    Number(u64),
}

impl ExpiresIn {
    /// The lifetime in seconds (`None` for a string that is not plain digits).
    pub fn seconds(&self) -> Option<u64> {
        match self {
            Self::Number(n) => Some(*n),
            Self::Text(t) if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => {
                t.parse().ok()
            }
            Self::Text(_) => None,
        }
    }
}

impl Serialize for ExpiresIn {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(t) => s.serialize_str(t),
            Self::Number(n) => s.serialize_u64(*n),
        }
    }
}

impl<'de> Deserialize<'de> for ExpiresIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ExpiresInVisitor;

        impl Visitor<'_> for ExpiresInVisitor {
            type Value = ExpiresIn;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("seconds as a string or a whole number")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExpiresIn, E> {
                Ok(ExpiresIn::Text(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<ExpiresIn, E> {
                Ok(ExpiresIn::Text(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ExpiresIn, E> {
                Ok(ExpiresIn::Number(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ExpiresIn, E> {
                u64::try_from(v)
                    .map(ExpiresIn::Number)
                    .map_err(|_| E::custom("expiresIn must not be negative"))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<ExpiresIn, E> {
                Err(E::custom(
                    "expiresIn is a number with a fraction or exponent; seconds are whole",
                ))
            }
        }

        d.deserialize_any(ExpiresInVisitor)
    }
}

/// The answer to a B2B token request. `Debug` does not print the token.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct B2bTokenResponse {
    /// `2007300` on success, `4017300` for a bad signature.
    #[serde(rename = "responseCode")]
    pub response_code: ResponseCode,
    /// E.g. `Successful`.
    #[serde(
        rename = "responseMessage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub response_message: Option<String>,
    /// The token to send as `Authorization: Bearer <token>`.
    #[serde(
        rename = "accessToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub access_token: Option<String>,
    /// `Bearer`.
    #[serde(rename = "tokenType", default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// The token's lifetime in seconds.
    #[serde(rename = "expiresIn", default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<ExpiresIn>,
    /// Fields this crate does not model, kept verbatim.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl B2bTokenResponse {
    /// `2007300` "Successful" with the token, `tokenType` `Bearer` and `expiresIn` in the given
    /// form (DOKU writes a string, the SDKs' receivers a number).
    pub fn issued(access_token: impl Into<String>, expires_in: ExpiresIn) -> Self {
        Self {
            response_code: ResponseCode::TOKEN_SUCCESS,
            response_message: Some("Successful".to_owned()),
            access_token: Some(access_token.into()),
            token_type: Some("Bearer".to_owned()),
            expires_in: Some(expires_in),
            extra: serde_json::Map::new(),
        }
    }

    /// `4017300` "Unauthorized. Invalid Signature".
    pub fn invalid_signature() -> Self {
        let code = ResponseCode::TOKEN_UNAUTHORIZED;
        Self {
            response_message: Some(code.default_message().to_owned()),
            response_code: code,
            access_token: None,
            token_type: None,
            expires_in: None,
            extra: serde_json::Map::new(),
        }
    }

    /// The lifetime in seconds, if `expiresIn` is present and readable.
    pub fn expires_in_seconds(&self) -> Option<u64> {
        self.expires_in.as_ref()?.seconds()
    }
}

impl fmt::Debug for B2bTokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("B2bTokenResponse")
            .field("response_code", &self.response_code)
            .field("response_message", &self.response_message)
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    #[test]
    fn expires_in_both_forms() {
        let doku: B2bTokenResponse = decode(br#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"eyJ.e30.sig","tokenType":"Bearer","expiresIn":"900"}"#).unwrap();
        assert_eq!(doku.expires_in_seconds(), Some(900));
        assert!(serde_json::to_string(&doku)
            .unwrap()
            .contains(r#""expiresIn":"900""#));
        let sdk: B2bTokenResponse =
            decode(br#"{"responseCode":"2007300","accessToken":"t","expiresIn":900}"#).unwrap();
        assert_eq!(sdk.expires_in, Some(ExpiresIn::Number(900)));
        assert!(serde_json::to_string(&sdk)
            .unwrap()
            .contains(r#""expiresIn":900"#));
        let odd: B2bTokenResponse =
            decode(br#"{"responseCode":"2007300","expiresIn":"15m"}"#).unwrap();
        assert_eq!(odd.expires_in_seconds(), None);
        for bad in [r#"900.0"#, "-1", "true"] {
            let body = format!(r#"{{"responseCode":"2007300","expiresIn":{bad}}}"#);
            let err = decode::<B2bTokenResponse>(body.as_bytes()).unwrap_err();
            assert_eq!(err.path, "expiresIn", "{bad}");
        }
        assert!(!format!("{doku:?}").contains("eyJ"));
    }

    #[test]
    fn request_forms() {
        assert_eq!(
            serde_json::to_string(&B2bTokenRequest::client_credentials()).unwrap(),
            r#"{"grantType":"client_credentials"}"#
        );
        let php: B2bTokenRequest =
            decode(br#"{"grantType":"client_credentials","additionalInfo":{}}"#).unwrap();
        php.validate().unwrap();
        assert_eq!(
            serde_json::to_string(&php).unwrap(),
            r#"{"grantType":"client_credentials","additionalInfo":{}}"#
        );
        let bad: B2bTokenRequest = decode(br#"{"grantType":"password"}"#).unwrap();
        assert_eq!(bad.validate().unwrap_err().paths(), ["grantType"]);
    }
}
