//! SNAP B2B access tokens: JWT-shaped (`HS256` with a key private to this simulator instance),
//! claims `iss` = `DOKU`, `clientId`, `iat`, `exp`, `jti` (a sequence number). Stateless but
//! for one number per client (the newest `jti`), which the token-revocation reading uses.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The lifetime DOKU documents: 900 s.
pub(crate) const LIFETIME_SECONDS: i64 = 900;

#[derive(Serialize, Deserialize)]
struct Claims {
    iss: String,
    #[serde(rename = "clientId")]
    client_id: String,
    iat: i64,
    exp: i64,
    jti: u64,
}

/// Issues and checks B2B tokens.
pub(crate) struct SnapTokens {
    key: [u8; 32],
    next: AtomicU64,
    newest: Mutex<HashMap<String, u64>>,
}

impl SnapTokens {
    pub(crate) fn new() -> Self {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Self {
            key,
            next: AtomicU64::new(1),
            newest: Mutex::default(),
        }
    }

    fn mac(&self) -> Option<HmacSha256> {
        HmacSha256::new_from_slice(&self.key).ok()
    }

    /// A token for `client_id`, valid [`LIFETIME_SECONDS`] from `now`.
    pub(crate) fn issue(&self, client_id: &str, now: i64) -> String {
        let jti = self.next.fetch_add(1, Ordering::Relaxed);
        self.newest
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(client_id.to_owned(), jti);
        let claims = Claims {
            iss: "DOKU".to_owned(),
            client_id: client_id.to_owned(),
            iat: now,
            exp: now.saturating_add(LIFETIME_SECONDS),
            jti,
        };
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap_or_default());
        let input = format!("{header}.{payload}");
        let Some(mut mac) = self.mac() else {
            return input;
        };
        mac.update(input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{input}.{sig}")
    }

    /// Checks that `token` is ours, unexpired at `now`, issued to `client_id` and (when
    /// `revokes_previous`) the client's newest; else why not.
    pub(crate) fn check(
        &self,
        token: &str,
        client_id: &str,
        now: i64,
        revokes_previous: bool,
    ) -> Result<(), &'static str> {
        const UNKNOWN: &str = "not a token this server issued";
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(UNKNOWN);
        };
        let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| UNKNOWN)?;
        let mut mac = self.mac().ok_or(UNKNOWN)?;
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&sig).map_err(|_| UNKNOWN)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| UNKNOWN)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| UNKNOWN)?;
        if claims.exp <= now {
            return Err("the token has expired");
        }
        if claims.client_id != client_id {
            return Err("the token was issued to another client (X-PARTNER-ID)");
        }
        if revokes_previous {
            let newest = self
                .newest
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(client_id)
                .copied();
            if newest != Some(claims.jti) {
                return Err("a newer token was issued to this client");
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_belong_to_one_client_and_may_be_revoked_by_a_newer_one() {
        let tokens = SnapTokens::new();
        let now = 1_704_067_200;
        let first = tokens.issue("M-1", now);
        assert_eq!(tokens.check(&first, "M-1", now, true), Ok(()));
        assert!(tokens.check(&first, "M-2", now, false).is_err());
        assert!(tokens
            .check(&first, "M-1", now + LIFETIME_SECONDS, false)
            .is_err());
        let second = tokens.issue("M-1", now);
        assert_eq!(tokens.check(&first, "M-1", now, false), Ok(()));
        assert!(tokens.check(&first, "M-1", now, true).is_err());
        assert_eq!(tokens.check(&second, "M-1", now, true), Ok(()));
        assert!(SnapTokens::new().check(&second, "M-1", now, false).is_err());
        assert!(tokens.check("a.b", "M-1", now, false).is_err());
    }
}
