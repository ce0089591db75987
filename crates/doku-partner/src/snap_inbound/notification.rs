//! DOKU's SNAP payment notification: verify, read, deduplicate, acknowledge.

use doku_model::snap::{AckCode, VaPaymentNotification};
use doku_model::Validate;
use http::HeaderMap;

use super::receiver::{SnapDelivery, SnapReceiver};
use super::refusal::SnapInboundRefusal;
use super::reply::{json, SnapReply};

/// A payment notification that verified (bearer and signature), decoded and validated.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VerifiedSnapNotification {
    /// The typed body.
    pub notification: VaPaymentNotification,
    /// How it was authenticated, and DOKU's headers.
    pub delivery: SnapDelivery,
}

impl VerifiedSnapNotification {
    /// The key to apply a payment once: `partnerServiceId`, `customerNo`, `virtualAccountNo`,
    /// `paymentRequestId` and `trxId`, each written as its length in bytes, `:`, then the field
    /// (an absent field is `-` with no length: `-` never collides with `0:`).
    ///
    /// `X-EXTERNAL-ID` is not in it: DOKU may retry a notification under a fresh one. The
    /// fields are taken as received (padding included): DOKU repeats its own values on a retry.
    pub fn dedup_key(&self) -> String {
        let n = &self.notification;
        dedup_key(&[
            Some(n.partner_service_id.as_str()),
            Some(n.customer_no.as_str()),
            Some(n.virtual_account_no.as_str()),
            n.payment_request_id.as_deref(),
            n.trx_id.as_deref(),
        ])
    }

    /// The acknowledgement to send back, `200` with
    /// `{"responseCode":…,"responseMessage":"Successful","virtualAccountData":{partnerServiceId,
    /// customerNo, virtualAccountNo, virtualAccountName, paymentRequestId}}`.
    ///
    /// Which success code DOKU expects is not on any DOKU page: the Java, Go and Python SDKs
    /// answer `2002500` ([`AckCode::PaymentNotification`], the notification's own service code),
    /// the PHP and Node SDKs `2002700` ([`AckCode::CreateVa`]). DOKU retries until it sees an
    /// HTTP 2xx, so the status matters most; pick the code your DOKU contact confirms.
    pub fn ack(&self, code: AckCode) -> SnapReply {
        snap_notification_ack(&self.notification, code)
    }
}

/// The acknowledgement of `notification` with the success `code` (see
/// [`VerifiedSnapNotification::ack`] for the two readings).
pub fn snap_notification_ack(notification: &VaPaymentNotification, code: AckCode) -> SnapReply {
    let ack = notification.ack(code);
    SnapReply::from_code(&ack.response_code, json(&ack))
}

impl SnapReceiver {
    /// Verifies and reads a SNAP payment notification.
    ///
    /// - `method`, `path`: the request line as DOKU sent it (`POST`, the path of **your**
    ///   notification URL with its query, if any: the signed `EndpointUrl`);
    /// - `headers`, `body`: as received, the body's raw bytes before any parsing;
    /// - `now`: Unix seconds from the caller's clock.
    ///
    /// On `Err`, answer [`SnapInboundRefusal::notification_reply`]; on `Ok`, record the payment once
    /// under [`VerifiedSnapNotification::dedup_key`] and answer
    /// [`VerifiedSnapNotification::ack`].
    pub fn verify_notification(
        &self,
        method: &str,
        path: &str,
        headers: &HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<VerifiedSnapNotification, SnapInboundRefusal> {
        let delivery = self.authenticate(method, path, headers, body, now)?;
        let notification: VaPaymentNotification =
            doku_model::decode(body).map_err(SnapInboundRefusal::from_decode)?;
        notification
            .validate()
            .map_err(SnapInboundRefusal::InvalidBody)?;
        Ok(VerifiedSnapNotification {
            notification,
            delivery,
        })
    }
}

/// Length-prefixed parts: `len:part` each, `-` for an absent part.
pub(crate) fn dedup_key(parts: &[Option<&str>]) -> String {
    let mut key = String::with_capacity(parts.iter().flatten().map(|p| p.len() + 4).sum());
    for part in parts {
        match part {
            Some(part) => {
                key.push_str(&part.len().to_string());
                key.push(':');
                key.push_str(part);
            }
            None => key.push('-'),
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_keys_are_unambiguous() {
        assert_eq!(dedup_key(&[Some("ab"), None, Some("")]), "2:ab-0:");
        assert_ne!(
            dedup_key(&[Some("a:1"), Some("b")]),
            dedup_key(&[Some("a"), Some("1:b")])
        );
        assert_ne!(dedup_key(&[Some(""), None]), dedup_key(&[None, Some("")]));
    }
}
