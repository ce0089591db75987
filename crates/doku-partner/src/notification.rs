//! Receiving DOKU's payment notifications: verify the raw request, then read it.
//!
//! DOKU `POST`s a notification to the merchant's URL with the four Non-SNAP headers, signed like
//! a request whose `Request-Target` is **the path of that URL** and whose Digest covers the exact
//! body bytes (a real capture verified only over the bytes as received: CRLF, a trailing newline
//! or a re-serialisation all failed). [`verify_notification`] checks exactly that, in constant
//! time, before parsing anything, and returns the typed body with a deduplication key.
//!
//! There is no clock inside: a freshness window is optional and off by default, because DOKU
//! retries a notification 30 minutes, 6 hours and 12 hours later and does not say whether a retry
//! carries a fresh `Request-Timestamp`. Deduplicate instead ([`Verified::dedup_key`]); a window, if
//! you want one against replays, must be wide enough for the +12 h retry under either reading
//! (`doku listen` and the example receiver use 24 h).

use std::collections::HashMap;
use std::fmt;

use doku_model::{DecodeError, PaymentNotification, TransactionStatus};
use doku_sign::non_snap::Message;
use doku_sign::notification::{self, Freshness};
use doku_sign::SecretKey;
use http::HeaderMap;

use doku_sign::headers::{CLIENT_ID, REQUEST_ID, REQUEST_TIMESTAMP, SIGNATURE};

/// Why a notification was refused. Answer DOKU with a 4xx (it will retry) and log the reason;
/// none of the reasons carries the key or the body.
#[derive(Debug)]
#[non_exhaustive]
pub enum NotificationRefusal {
    /// A required header is absent.
    MissingHeader(&'static str),
    /// A header appears more than once: ambiguous, so refused.
    DuplicateHeader(&'static str),
    /// A header value is not visible ASCII.
    InvalidHeader(&'static str),
    /// No key is known for the notification's `Client-Id`.
    UnknownClient,
    /// The signature is malformed, does not match, or the timestamp is outside the window.
    Signature(doku_sign::Error),
    /// The body is signed by DOKU but is not a payment notification.
    Body(DecodeError),
}

impl fmt::Display for NotificationRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader(name) => write!(f, "missing header {name}"),
            Self::DuplicateHeader(name) => write!(f, "header {name} appears more than once"),
            Self::InvalidHeader(name) => write!(f, "header {name} is not visible ASCII"),
            Self::UnknownClient => f.write_str("no key for this Client-Id"),
            Self::Signature(_) => f.write_str("the notification's signature does not verify"),
            Self::Body(_) => f.write_str("the signed body is not a payment notification"),
        }
    }
}

impl std::error::Error for NotificationRefusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Signature(e) => Some(e),
            Self::Body(e) => Some(e),
            _ => None,
        }
    }
}

/// Finds the secret key of a merchant by its `Client-Id` (the brand id), for a receiver that
/// serves many merchants. Implemented for maps and for closures.
pub trait MerchantKeys {
    /// The key of `client_id`, if the merchant is known.
    fn key_for(&self, client_id: &str) -> Option<&SecretKey>;
}

impl MerchantKeys for SecretKey {
    /// One merchant: its key, whatever the Client-Id (the signature still has to verify).
    fn key_for(&self, _client_id: &str) -> Option<&SecretKey> {
        Some(self)
    }
}

impl<S: std::hash::BuildHasher> MerchantKeys for HashMap<String, SecretKey, S> {
    fn key_for(&self, client_id: &str) -> Option<&SecretKey> {
        self.get(client_id)
    }
}

impl MerchantKeys for std::collections::BTreeMap<String, SecretKey> {
    fn key_for(&self, client_id: &str) -> Option<&SecretKey> {
        self.get(client_id)
    }
}

/// A notification that verified, with what identifies it.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The typed body.
    pub notification: PaymentNotification,
    /// The merchant it is for (`Client-Id`).
    pub client_id: String,
    /// DOKU's `Request-Id` of this delivery.
    pub request_id: String,
    /// DOKU's `Request-Timestamp` of this delivery.
    pub timestamp: String,
}

impl Verified {
    /// The key to apply a notification once: `Client-Id`, invoice number and transaction status.
    ///
    /// DOKU's `Request-Id` is meant "to make sure no duplicate notification", but DOKU does not say
    /// whether a retry keeps it; the same status of the same invoice is the same event either way.
    ///
    /// Each part is written as its length in bytes, `:`, then the part (`7:MCH-001` …), so two
    /// different events never share a key: joined with a separator alone, `MCH/1` + `INV` and
    /// `MCH` + `1/INV` were the same key and the second event was dropped.
    pub fn dedup_key(&self) -> String {
        let parts = [
            self.client_id.as_str(),
            self.notification.order.invoice_number.as_str(),
            self.notification.transaction.status.as_str(),
        ];
        let mut key = String::with_capacity(parts.iter().map(|p| p.len() + 4).sum());
        for part in parts {
            key.push_str(&part.len().to_string());
            key.push(':');
            key.push_str(part);
        }
        key
    }

    /// Whether the notification settles the payment. `FAILED` does not: with Checkout the
    /// customer may retry with another method, so DOKU says to ignore it as a final state.
    pub fn is_final(&self) -> bool {
        self.notification.transaction.status.is_final()
    }

    /// The transaction status.
    pub fn status(&self) -> &TransactionStatus {
        &self.notification.transaction.status
    }
}

/// Verifies a notification from its raw parts and reads it.
///
/// - `headers`: the request's headers as received;
/// - `body`: the exact body bytes, before any parsing;
/// - `notification_path`: the path of **your** notification URL (`/payments/notifications`), the
///   signed `Request-Target`;
/// - `keys`: the merchant's key, or a [`MerchantKeys`] look-up for many merchants;
/// - `freshness`: an optional window around a `now` the caller reads (off by default).
///
/// The signature is checked (constant time) before the body is parsed; nothing is re-serialised.
pub fn verify_notification(
    headers: &HeaderMap,
    body: &[u8],
    notification_path: &str,
    keys: &(impl MerchantKeys + ?Sized),
    freshness: Option<Freshness>,
) -> Result<Verified, NotificationRefusal> {
    let client_id = one(headers, CLIENT_ID)?;
    let request_id = one(headers, REQUEST_ID)?;
    let timestamp = one(headers, REQUEST_TIMESTAMP)?;
    let signature = one(headers, SIGNATURE)?;
    let key = keys
        .key_for(client_id)
        .ok_or(NotificationRefusal::UnknownClient)?;
    let message = Message {
        client_id,
        request_id,
        timestamp,
        target: notification_path,
        body: Some(body),
    };
    notification::verify(key, &message, signature, freshness)
        .map_err(NotificationRefusal::Signature)?;
    let notification =
        doku_model::decode::<PaymentNotification>(body).map_err(NotificationRefusal::Body)?;
    Ok(Verified {
        notification,
        client_id: client_id.to_owned(),
        request_id: request_id.to_owned(),
        timestamp: timestamp.to_owned(),
    })
}

/// The single visible-ASCII value of header `name`.
fn one<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<&'h str, NotificationRefusal> {
    let mut values = headers.get_all(name).iter();
    let value = values
        .next()
        .ok_or(NotificationRefusal::MissingHeader(name))?;
    if values.next().is_some() {
        return Err(NotificationRefusal::DuplicateHeader(name));
    }
    let text = value
        .to_str()
        .map_err(|_| NotificationRefusal::InvalidHeader(name))?;
    if text.is_empty() {
        return Err(NotificationRefusal::MissingHeader(name));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use doku_sign::non_snap::{self, Kind};
    use http::HeaderValue;

    const PATH: &str = "/payments/notifications";
    /// DOKU's BCA VA sample, as bytes (the `identifer` spelling is DOKU's).
    const BODY: &[u8] = br#"{"service":{"id":"VIRTUAL_ACCOUNT"},"acquirer":{"id":"BCA"},"channel":{"id":"VIRTUAL_ACCOUNT_BCA"},"transaction":{"status":"SUCCESS","date":"2021-01-27T03:24:23Z","original_request_id":"15022aab-444f-4b04-afa8-ddfce89432ec"},"order":{"invoice_number":"INV-20210124-0001","amount":150000},"virtual_account_info":{"virtual_account_number":"1900600000000046"},"virtual_account_payment":{"identifer":[{"name":"REQUEST_ID","value":"7892931"}]}}"#;

    fn signed(key: &str, client_id: &str, body: &[u8], path: &str) -> HeaderMap {
        let message = Message {
            client_id,
            request_id: "479b663f-5c9d-400d-8e80-3e548a8f7639",
            timestamp: "2020-08-11T08:45:42Z",
            target: path,
            body: Some(body),
        };
        let signature = non_snap::sign(&SecretKey::new(key), Kind::Request, &message).to_string();
        let mut h = HeaderMap::new();
        for (name, value) in [
            ("client-id", client_id),
            ("request-id", message.request_id),
            ("request-timestamp", message.timestamp),
            ("signature", signature.as_str()),
        ] {
            h.insert(name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn a_signed_notification_verifies_and_reads() {
        let key = SecretKey::new("SK-merchant");
        let headers = signed("SK-merchant", "MCH-0001", BODY, PATH);
        let v = verify_notification(&headers, BODY, PATH, &key, None).unwrap();
        assert_eq!(v.client_id, "MCH-0001");
        assert_eq!(v.dedup_key(), "8:MCH-000117:INV-20210124-00017:SUCCESS");
        assert!(v.is_final());
        assert_eq!(
            v.notification.payment_identifiers(),
            vec![("REQUEST_ID", "7892931")]
        );
    }

    #[test]
    fn dedup_keys_of_different_events_never_collide() {
        let key = SecretKey::new("k");
        let event = |client_id: &str, invoice: &str| {
            let body = String::from_utf8_lossy(BODY).replace("INV-20210124-0001", invoice);
            let headers = signed("k", client_id, body.as_bytes(), PATH);
            verify_notification(&headers, body.as_bytes(), PATH, &key, None)
                .unwrap()
                .dedup_key()
        };
        // Joined with `/`, both were `MCH/1/INV/SUCCESS`: the second event was dropped.
        let a = event("MCH/1", "INV");
        let b = event("MCH", "1/INV");
        assert_ne!(a, b, "two signed events share a dedup key");
        // The same event keeps its key.
        assert_eq!(a, event("MCH/1", "INV"));
    }

    #[test]
    fn tampering_and_other_paths_are_refused() {
        let key = SecretKey::new("SK-merchant");
        let headers = signed("SK-merchant", "MCH-0001", BODY, PATH);
        let mut altered = BODY.to_vec();
        altered.push(b'\n');
        for (body, path) in [(&altered[..], PATH), (BODY, "/other/path")] {
            let err = verify_notification(&headers, body, path, &key, None).unwrap_err();
            assert!(
                matches!(
                    err,
                    NotificationRefusal::Signature(doku_sign::Error::Mismatch)
                ),
                "{err:?}"
            );
        }
        let wrong_key = SecretKey::new("SK-other");
        assert!(verify_notification(&headers, BODY, PATH, &wrong_key, None).is_err());
    }

    #[test]
    fn headers_are_checked_one_by_one() {
        let key = SecretKey::new("k");
        let good = signed("k", "MCH-0001", BODY, PATH);
        let mut missing = good.clone();
        missing.remove("signature");
        assert!(matches!(
            verify_notification(&missing, BODY, PATH, &key, None),
            Err(NotificationRefusal::MissingHeader("Signature"))
        ));
        let mut twice = good.clone();
        twice.append("client-id", HeaderValue::from_static("MCH-0002"));
        assert!(matches!(
            verify_notification(&twice, BODY, PATH, &key, None),
            Err(NotificationRefusal::DuplicateHeader("Client-Id"))
        ));
        let mut binary = good;
        binary.insert("request-id", HeaderValue::from_bytes(b"\xff").unwrap());
        assert!(matches!(
            verify_notification(&binary, BODY, PATH, &key, None),
            Err(NotificationRefusal::InvalidHeader("Request-Id"))
        ));
    }

    #[test]
    fn many_merchants_are_found_by_client_id() {
        let keys: HashMap<String, SecretKey> = [
            ("MCH-1".to_owned(), SecretKey::new("k1")),
            ("MCH-2".to_owned(), SecretKey::new("k2")),
        ]
        .into_iter()
        .collect();
        let headers = signed("k2", "MCH-2", BODY, PATH);
        assert_eq!(
            verify_notification(&headers, BODY, PATH, &keys, None)
                .unwrap()
                .client_id,
            "MCH-2"
        );
        let unknown = signed("k3", "MCH-3", BODY, PATH);
        assert!(matches!(
            verify_notification(&unknown, BODY, PATH, &keys, None),
            Err(NotificationRefusal::UnknownClient)
        ));
    }

    #[test]
    fn freshness_is_optional_and_signed_bodies_must_be_notifications() {
        let key = SecretKey::new("k");
        let headers = signed("k", "MCH-1", BODY, PATH);
        let far_later = Freshness {
            now_unix_seconds: 1_597_135_542 + 12 * 3600,
            tolerance_seconds: 300,
        };
        assert!(matches!(
            verify_notification(&headers, BODY, PATH, &key, Some(far_later)),
            Err(NotificationRefusal::Signature(
                doku_sign::Error::Stale { .. }
            ))
        ));
        verify_notification(&headers, BODY, PATH, &key, None).unwrap();

        let other = br#"{"hello":"world"}"#;
        let headers = signed("k", "MCH-1", other, PATH);
        assert!(matches!(
            verify_notification(&headers, other, PATH, &key, None),
            Err(NotificationRefusal::Body(_))
        ));
    }
}
