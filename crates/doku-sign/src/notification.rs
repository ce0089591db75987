//! Verifying DOKU's Non-SNAP notifications (DOKU → merchant).
//!
//! DOKU signs a notification exactly like a request, where `Request-Target` is the path of the **merchant's own
//! notification URL** and the Digest is over the raw bytes received. Pass the body bytes before any JSON
//! parsing. An optional freshness check rejects replayed notifications; the caller supplies the current time.

use crate::non_snap::{self, Kind, Message};
use crate::{timestamp, Error, SecretKey};

/// An optional replay window: reject notifications whose `Request-Timestamp` is further than
/// `tolerance_seconds` from `now_unix_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness {
    /// The verifier's current time, in seconds since the Unix epoch (read by the caller, not by this crate).
    pub now_unix_seconds: i64,
    /// The largest accepted distance between the timestamp and now, in either direction.
    pub tolerance_seconds: u32,
}

/// Verifies a notification's `Signature` header, then (if asked) its freshness.
///
/// The signature is checked first so that an unauthenticated sender learns nothing from the timestamp check.
pub fn verify(
    key: &SecretKey,
    message: &Message<'_>,
    signature_header: &str,
    freshness: Option<Freshness>,
) -> Result<(), Error> {
    non_snap::verify(key, Kind::Request, message, signature_header)?;
    if let Some(window) = freshness {
        timestamp::check_freshness(
            message.timestamp,
            window.now_unix_seconds,
            window.tolerance_seconds,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    /// A notification as DOKU would send it to `/payments/notifications`.
    const NOTIFICATION: Message<'static> = Message {
        client_id: "BRN-1",
        request_id: "n-1",
        timestamp: "2020-09-22T01:51:00Z",
        target: "/payments/notifications",
        body: Some(br#"{"order":{"invoice_number":"INV-1","amount":10000.00}}"#),
    };

    #[test]
    fn verifies_signature_and_window() {
        let (key, message) = (SecretKey::from("SK-notify"), NOTIFICATION);
        let header = non_snap::sign(&key, Kind::Request, &message).to_string();
        let now = 1_600_739_460;
        let window = Freshness {
            now_unix_seconds: now,
            tolerance_seconds: 60,
        };
        assert_eq!(verify(&key, &message, &header, Some(window)), Ok(()));
        assert_eq!(verify(&key, &message, &header, None), Ok(()));
        let later = Freshness {
            now_unix_seconds: now + 3600,
            ..window
        };
        assert_eq!(
            verify(&key, &message, &header, Some(later)),
            Err(Error::Stale {
                skew_seconds: -3600
            })
        );
        let other_path = Message {
            target: "/other",
            ..message
        };
        assert_eq!(
            verify(&key, &other_path, &header, Some(window)),
            Err(Error::Mismatch)
        );
    }
}
