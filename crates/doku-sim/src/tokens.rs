//! JWT-shaped bearer tokens: `base64url(header).base64url(payload).base64url(HMAC-SHA256)`,
//! signed with a random key private to this simulator instance.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use doku_model::{TokenClaims, TokenUser};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Longest token lifetime the simulator issues: 24 hours. A longer `valid_time` (up to
/// 4294967295 minutes, which would end in the year 10193) is capped to this, not refused: DOKU
/// publishes no maximum, and a capped token is still a usable answer. The token's `exp` tells
/// the truth.
pub(crate) const MAX_TOKEN_MINUTES: u32 = 24 * 60;

/// Why a bearer token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenError {
    Malformed,
    BadSignature,
    Expired,
    WrongClient,
    /// A newer token was issued to the client id (under `token_revokes_previous`).
    Revoked,
}

impl TokenError {
    pub(crate) fn message(&self) -> &'static str {
        match self {
            Self::Malformed => "the bearer token is not a token issued by this server",
            Self::BadSignature => "the bearer token's signature does not verify (unknown token)",
            Self::Expired => "the bearer token has expired; request a new one",
            Self::WrongClient => "the bearer token was issued to another Client-Id",
            Self::Revoked => {
                "the bearer token was revoked: a newer one was issued to this Client-Id"
            }
        }
    }
}

/// Issues and checks tokens.
pub(crate) struct TokenIssuer {
    key: Vec<u8>,
    /// Each client id's newest token (its `jti`), for the `token_revokes_previous` reading.
    newest: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl TokenIssuer {
    pub(crate) fn new() -> Self {
        let mut key = Vec::with_capacity(32);
        key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        Self {
            key,
            newest: std::sync::Mutex::default(),
        }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts any key length.
        #[allow(clippy::expect_used)]
        HmacSha256::new_from_slice(&self.key).expect("any key length")
    }

    /// A token for `client_id`, valid `minutes` (at most [`MAX_TOKEN_MINUTES`]) from `now`.
    pub(crate) fn issue(&self, client_id: &str, now: i64, minutes: u32) -> (String, TokenClaims) {
        let minutes = minutes.min(MAX_TOKEN_MINUTES);
        let iat = now;
        let jti = uuid::Uuid::new_v4().to_string();
        self.newest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(client_id.to_owned(), jti.clone());
        let mut extra = serde_json::Map::new();
        extra.insert("jti".into(), jti.into());
        let claims = TokenClaims {
            sub: client_id.to_owned(),
            iat,
            exp: iat + i64::from(minutes) * 60,
            user: TokenUser {
                business_service_client_id: client_id.to_owned(),
                extra: serde_json::Map::new(),
            },
            extra,
        };
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
        let signing_input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        (format!("{signing_input}.{sig}"), claims)
    }

    /// Checks signature, expiry and owner, and (when `revokes_previous`) that it is the client
    /// id's newest token.
    pub(crate) fn check(
        &self,
        token: &str,
        client_id: &str,
        now: i64,
        revokes_previous: bool,
    ) -> Result<TokenClaims, TokenError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&sig)
            .map_err(|_| TokenError::BadSignature)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Malformed)?;
        let claims: TokenClaims =
            serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        if claims.user.business_service_client_id != client_id {
            return Err(TokenError::WrongClient);
        }
        if revokes_previous {
            let newest = self.newest.lock().unwrap_or_else(|p| p.into_inner());
            let jti = claims.extra.get("jti").and_then(|j| j.as_str());
            if jti.is_none() || newest.get(client_id).map(String::as_str) != jti {
                return Err(TokenError::Revoked);
            }
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_and_check() {
        let issuer = TokenIssuer::new();
        let now = 1_704_067_200; // 2024-01-01T00:00:00Z
        let (token, claims) = issuer.issue("BRN-1", now, 60);
        assert_eq!(claims.exp - claims.iat, 3600);
        assert!(issuer.check(&token, "BRN-1", now, false).is_ok());
        let later = now + 3600;
        assert_eq!(
            issuer.check(&token, "BRN-1", later, false),
            Err(TokenError::Expired)
        );
        assert_eq!(
            issuer.check(&token, "BRN-2", now, false),
            Err(TokenError::WrongClient)
        );
        assert_eq!(
            TokenIssuer::new().check(&token, "BRN-1", now, false),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            issuer.check("abc", "BRN-1", now, false),
            Err(TokenError::Malformed)
        );
        let mut tampered = token.clone();
        tampered.insert(token.find('.').unwrap() + 3, 'x');
        assert!(issuer.check(&tampered, "BRN-1", now, false).is_err());
    }

    #[test]
    fn a_newer_token_revokes_the_older_only_under_the_reading() {
        let issuer = TokenIssuer::new();
        let now = 1_704_067_200;
        let (first, _) = issuer.issue("BRN-1", now, 60);
        let (other, _) = issuer.issue("BRN-2", now, 60);
        assert!(issuer.check(&first, "BRN-1", now, true).is_ok());
        let (second, _) = issuer.issue("BRN-1", now, 60);
        assert_eq!(
            issuer.check(&first, "BRN-1", now, true),
            Err(TokenError::Revoked)
        );
        assert!(issuer.check(&first, "BRN-1", now, false).is_ok());
        assert!(issuer.check(&second, "BRN-1", now, true).is_ok());
        assert!(
            issuer.check(&other, "BRN-2", now, true).is_ok(),
            "per client id"
        );
    }

    #[test]
    fn an_absurd_lifetime_is_capped_at_a_day() {
        let issuer = TokenIssuer::new();
        let now = 1_704_067_200; // 2024-01-01T00:00:00Z
        let (token, claims) = issuer.issue("BRN-1", now, u32::MAX);
        assert_eq!(claims.exp - claims.iat, 24 * 3600);
        let next_day = now + 24 * 3600;
        assert_eq!(
            issuer.check(&token, "BRN-1", next_day, false),
            Err(TokenError::Expired)
        );
        let (_, claims) = issuer.issue("BRN-1", now, 360);
        assert_eq!(claims.exp - claims.iat, 360 * 60);
    }
}
