//! `doku listen`'s SNAP routes, in the order DOKU calls them:
//!
//! 1. **The token endpoint** (`--snap-token-path`): DOKU's `X-SIGNATURE` (SHA256withRSA over
//!    `X-CLIENT-KEY|X-TIMESTAMP`) is verified with **DOKU's public key**, and our RS256 JWT,
//!    signed with **the merchant's private key**, is answered ([`doku_partner::SnapTokenIssuer`]).
//!    Only the merchants this receiver accepts get a token.
//! 2. **The SNAP payment notification** (`--snap-path`): our bearer, then the HMAC-SHA512 with
//!    the merchant's client secret (its key, the same as for Non-SNAP notifications) over the
//!    raw bytes, or failing that each minification reading of them
//!    ([`doku_partner::SnapReceiver`]); answered with the acknowledgement under the chosen
//!    success code, or with DOKU's refusal code.
//!
//! Nothing here prints a key or a token.

use doku_model::snap::AckCode;
use doku_partner::{
    SnapInboundRefusal, SnapReceiver, SnapReply, SnapTokenIssuer, VerifiedSnapNotification,
};
use doku_sign::headers::X_PARTNER_ID;
use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
use doku_sign::snap_symmetric::BodyForm;

use super::Keys;
use crate::output::escape;

/// Where DOKU asks for a token unless `--snap-token-path` says otherwise.
pub(crate) const DEFAULT_TOKEN_PATH: &str = "/authorization/v1/access-token/b2b";
/// The SNAP notification path unless `--snap-path` says otherwise (DOKU's spec names it).
pub(crate) const DEFAULT_NOTIFICATION_PATH: &str = "/v1/transfer-va/payment";

/// The SNAP half of a receiver: one token issuer, one notification verifier per merchant.
pub(crate) struct SnapRoutes {
    /// The token endpoint's path.
    pub(crate) token_path: String,
    /// The notification URL's path.
    pub(crate) notification_path: String,
    issuer: SnapTokenIssuer,
    /// By client id; each verifies with that merchant's key as the client secret.
    receivers: Vec<(String, SnapReceiver)>,
    ack: AckCode,
}

/// A SNAP notification that verified, with the merchant it is for.
pub(crate) struct SnapReceived {
    /// The merchant (the bearer's `clientId`).
    pub(crate) client_id: String,
    /// The verified notification.
    pub(crate) verified: VerifiedSnapNotification,
    /// The acknowledgement answered.
    pub(crate) ack: AckCode,
}

impl SnapRoutes {
    /// Routes at `token_path` and `notification_path` for the merchants of `keys`: tokens
    /// verified with `doku_public_key` and signed with `signing_key`; a notification's
    /// `X-TIMESTAMP` held to `window` seconds when given; acknowledged with `ack`.
    pub(crate) fn new(
        doku_public_key: PublicKey,
        signing_key: PrivateKey,
        keys: &Keys,
        window: Option<u32>,
        ack: AckCode,
        token_path: &str,
        notification_path: &str,
    ) -> Self {
        let mut ids: Vec<&String> = keys.keys().collect();
        ids.sort_unstable();
        let issuer =
            SnapTokenIssuer::new(doku_public_key, signing_key).expected_client_ids(ids.clone());
        let receivers = ids
            .into_iter()
            .map(|id| {
                let mut receiver = SnapReceiver::for_issuer(&issuer, keys[id].clone())
                    .expected_client_ids([id.clone()]);
                if let Some(seconds) = window {
                    receiver = receiver.timestamp_window_seconds(seconds);
                }
                (id.clone(), receiver)
            })
            .collect();
        Self {
            token_path: token_path.to_owned(),
            notification_path: notification_path.to_owned(),
            issuer,
            receivers,
            ack,
        }
    }

    /// Answers DOKU's token request (the reply's body holds the token: write it, never log it).
    pub(crate) fn token(
        &self,
        headers: &hyper::HeaderMap,
        body: &[u8],
        now: i64,
    ) -> doku_partner::SnapTokenReply {
        let jti = uuid::Uuid::new_v4().to_string();
        self.issuer.answer(headers, body, now, &jti)
    }

    /// Verifies a SNAP notification sent to `signed_path` (the path and query DOKU signed).
    ///
    /// The merchant is the one `X-PARTNER-ID` names when it names one we accept; otherwise each
    /// merchant's verifier is tried (a token is only ever good for one of them). On refusal, the
    /// first verifier's reason.
    pub(crate) fn notification(
        &self,
        signed_path: &str,
        headers: &hyper::HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<SnapReceived, SnapInboundRefusal> {
        let named = headers
            .get(X_PARTNER_ID)
            .and_then(|v| v.to_str().ok())
            .and_then(|id| self.receivers.iter().find(|(known, _)| known == id));
        let candidates: Vec<&(String, SnapReceiver)> = match named {
            Some(one) => vec![one],
            None => self.receivers.iter().collect(),
        };
        let mut first_refusal = None;
        for (client_id, receiver) in candidates {
            match receiver.verify_notification("POST", signed_path, headers, body, now) {
                Ok(verified) => {
                    return Ok(SnapReceived {
                        client_id: client_id.clone(),
                        verified,
                        ack: self.ack,
                    })
                }
                Err(refusal) => {
                    first_refusal.get_or_insert(refusal);
                }
            }
        }
        Err(first_refusal.unwrap_or(SnapInboundRefusal::ForeignBearer))
    }
}

impl SnapReceived {
    /// The acknowledgement to answer.
    pub(crate) fn reply(&self) -> SnapReply {
        self.verified.ack(self.ack)
    }

    /// One JSON line: the verdict, who sent it, how it was signed, its dedup key and the typed
    /// notification.
    pub(crate) fn json_line(&self) -> String {
        let n = &self.verified.notification;
        let d = &self.verified.delivery;
        let value = serde_json::json!({
            "scheme": "snap",
            "verdict": "verified",
            "client_id": self.client_id,
            "signed_form": signed_form(d.signed_form),
            "timestamp": d.timestamp,
            "external_id": d.external_id,
            "partner_id": d.partner_id,
            "channel_id": d.channel_id,
            "virtual_account_no": n.virtual_account_no.as_str(),
            "trx_id": n.trx_id,
            "payment_request_id": n.payment_request_id,
            "paid_amount": n.paid_amount.as_ref().map(|a| a.value.as_str()),
            "dedup_key": self.verified.dedup_key(),
            "ack": self.ack.response_code().as_str(),
            "notification": n,
        });
        crate::output::escape_json_text(&value.to_string())
    }

    /// A warning when the signature covers a minification of the body, not the bytes sent.
    pub(crate) fn minified_warning(&self) -> Option<String> {
        match self.verified.delivery.signed_form {
            BodyForm::Raw => None,
            other => {
                Some(format!(
                "warning: the SNAP notification for {} verified over {other}, not the bytes sent \
                 (DOKU's minifier reading)",
                escape(self.verified.notification.virtual_account_no.as_str(), false)
            ))
            }
        }
    }
}

/// The outcome of a token request, for stderr: to whom a token went, or why none did (never
/// the token).
pub(crate) fn token_report(reply: &doku_partner::SnapTokenReply) -> String {
    match &reply.outcome {
        Ok(claims) => format!(
            "SNAP token issued to {} (expires in {} s)",
            escape(&claims.client_id, false),
            claims.expires_at.saturating_sub(claims.issued_at)
        ),
        Err(refusal) => format!(
            "refused SNAP token request ({} {}): {}",
            reply.status,
            response_code(reply),
            crate::output::chain_line(refusal, None)
        ),
    }
}

/// `raw`, or `minified-<reading>` (e.g. `minified-php`).
pub(crate) fn signed_form(form: BodyForm) -> String {
    match form {
        BodyForm::Raw => "raw".to_owned(),
        BodyForm::Minified(reading) => format!("minified-{}", reading.name()),
    }
}

/// The `responseCode` of a reply (it always has one).
pub(crate) fn response_code(reply: &impl ReplyBody) -> String {
    serde_json::from_slice::<serde_json::Value>(reply.body())
        .ok()
        .and_then(|v| v["responseCode"].as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A SNAP answer's body.
pub(crate) trait ReplyBody {
    /// The JSON bytes.
    fn body(&self) -> &[u8];
}

impl ReplyBody for SnapReply {
    fn body(&self) -> &[u8] {
        &self.body
    }
}

impl ReplyBody for doku_partner::SnapTokenReply {
    fn body(&self) -> &[u8] {
        &self.body
    }
}
