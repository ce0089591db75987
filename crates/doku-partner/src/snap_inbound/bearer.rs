//! The bearer DOKU presents on a notification or an inquiry: a JWT we issued, checked offline.

use doku_sign::snap_asymmetric::PublicKey;
use serde::Deserialize;

use super::refusal::SnapInboundRefusal;

/// What a bearer token we issued says, once verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BearerClaims {
    /// `clientId`: DOKU's `X-CLIENT-KEY` when it asked for the token.
    pub client_id: String,
    /// `iat`, Unix seconds.
    pub issued_at: i64,
    /// `exp`, Unix seconds: the token is refused from this instant on.
    pub expires_at: i64,
    /// `jti`, the token's id.
    pub jti: String,
}

/// The claims of our tokens, as written by the token issuer.
#[derive(Deserialize)]
struct Claims {
    iss: String,
    #[serde(rename = "clientId")]
    client_id: String,
    iat: i64,
    exp: i64,
    #[serde(default)]
    jti: String,
}

/// Who may hold a token: its issuer, the key that signs it, and the client ids it may be for.
#[derive(Clone, Debug)]
pub(crate) struct BearerPolicy {
    pub(crate) public_key: PublicKey,
    pub(crate) issuer: String,
    pub(crate) client_ids: Option<Vec<String>>,
}

impl BearerPolicy {
    /// Whether `client_id` may hold a token.
    pub(crate) fn admits(&self, client_id: &str) -> bool {
        self.client_ids
            .as_ref()
            .is_none_or(|ids| ids.iter().any(|id| id == client_id))
    }

    /// Checks `Authorization: Bearer <jwt>` at `now` and returns the token and its claims.
    ///
    /// The signature (RS256, our key) is verified before any claim is read; then `iss` and
    /// `clientId` must be what we issue, and `now` must be before `exp`.
    pub(crate) fn check<'a>(
        &self,
        authorization: &'a str,
        now: i64,
    ) -> Result<(&'a str, BearerClaims), SnapInboundRefusal> {
        let token = bearer_token(authorization).ok_or(SnapInboundRefusal::NotBearer)?;
        let claims = doku_sign::jwt::verify(&self.public_key, token)
            .map_err(|_| SnapInboundRefusal::BadBearer)?;
        let claims: Claims = serde_json::from_slice(claims.as_ref())
            .map_err(|_| SnapInboundRefusal::ForeignBearer)?;
        if claims.iss != self.issuer || !self.admits(&claims.client_id) {
            return Err(SnapInboundRefusal::ForeignBearer);
        }
        if now >= claims.exp {
            return Err(SnapInboundRefusal::ExpiredBearer {
                expired_at: claims.exp,
            });
        }
        Ok((
            token,
            BearerClaims {
                client_id: claims.client_id,
                issued_at: claims.iat,
                expires_at: claims.exp,
                jti: claims.jti,
            },
        ))
    }
}

/// The token of `Bearer <token>`: the scheme is case-insensitive (RFC 9110), one space, a
/// non-empty token without spaces.
fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("Bearer") && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc"), Some("abc"));
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("Bearer a b"), None);
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("abc"), None);
    }
}
