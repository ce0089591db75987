//! Receiving DOKU's SNAP calls to the merchant (feature `snap`): the token endpoint, payment
//! notifications and inquiries, as pure functions of the request (method, path, headers, raw
//! body bytes) and an injected `now`, so any HTTP server can call them.
//!
//! DOKU's calls, in the order it makes them:
//!
//! 1. **Token.** DOKU `POST`s `X-CLIENT-KEY`, `X-TIMESTAMP` and an `X-SIGNATURE` (SHA256withRSA
//!    over `X-CLIENT-KEY|X-TIMESTAMP` with DOKU's private key) to the merchant's token endpoint.
//!    [`SnapTokenIssuer::answer`] verifies it with **DOKU's public key** and answers an RS256
//!    JWT signed with **the merchant's own key** (claims `iss`, `clientId`, `iat`, `exp`,
//!    `jti`), or `4017300` "Unauthorized. Invalid Signature".
//! 2. **Inquiry** (direct-inquiry banks only). [`SnapReceiver::verify_inquiry`], then
//!    [`VerifiedInquiry::found`] / [`not_found`](VerifiedInquiry::not_found) /
//!    [`paid`](VerifiedInquiry::paid) / [`expired`](VerifiedInquiry::expired).
//! 3. **Payment notification.** [`SnapReceiver::verify_notification`], record the payment once
//!    under [`VerifiedSnapNotification::dedup_key`], answer
//!    [`VerifiedSnapNotification::ack`] with an [`AckCode`](doku_model::snap::AckCode)
//!    (`2002500` or `2002700`: DOKU's SDKs disagree, no DOKU page says).
//!
//! A notification or inquiry is believed only with a bearer **we** issued (verified offline
//! with our public key, not expired at `now`) **and** an `X-SIGNATURE` that is the HMAC-SHA512,
//! with the merchant's client secret, of `POST:<our path>:<token>:hex(sha256(body)):X-TIMESTAMP`
//! over the **raw bytes received**. DOKU does not document its minifier, so if the raw bytes
//! fail, each minification reading of them is tried ([`SnapDelivery::signed_form`] says which
//! one matched, worth a warning). Comparisons are constant time and never case-folded; a
//! 64-hex signature like the one in DOKU's sample is refused by name
//! ([`SnapInboundRefusal::HexSignature`]). Nothing is parsed before it is authenticated, nothing here
//! reads a clock or a random source, and no wire input makes it panic.
//!
//! Every refusal maps to DOKU's code and an HTTP status equal to its first three digits
//! ([`SnapInboundRefusal::notification_reply`], [`SnapTokenRefusal::reply`]).
//!
//! # Example: the three handlers of any HTTP server
//!
//! ```no_run
//! use doku_model::snap::{AckCode, InquiryBill, SnapAmount};
//! use doku_partner::{SnapReceiver, SnapReply, SnapTokenIssuer};
//! use doku_sign::snap_asymmetric::{PrivateKey, PublicKey};
//! use doku_sign::SecretKey;
//! use http::HeaderMap;
//!
//! # fn keys() -> Result<(), doku_sign::Error> {
//! let issuer = SnapTokenIssuer::new(
//!     PublicKey::from_pem(&std::fs::read_to_string("doku-public.pem").unwrap_or_default())?,
//!     PrivateKey::from_pem(&std::fs::read_to_string("merchant-private.pem").unwrap_or_default())?,
//! );
//! let receiver = SnapReceiver::for_issuer(&issuer, SecretKey::new("the merchant's client secret"));
//! # let _ = (handle(&issuer, &receiver, "", "", &HeaderMap::new(), b"", 0, ""),);
//! # Ok(()) }
//!
//! /// `now` from the server's clock, `jti` from its UUID generator.
//! fn handle(
//!     issuer: &SnapTokenIssuer,
//!     receiver: &SnapReceiver,
//!     method: &str,
//!     path: &str,
//!     headers: &HeaderMap,
//!     raw_body: &[u8],
//!     now: i64,
//!     jti: &str,
//! ) -> SnapReply {
//!     match path {
//!         "/authorization/v1/access-token/b2b" => issuer.answer(headers, raw_body, now, jti).into(),
//!         "/v1.0/transfer-va/inquiry" => match receiver.verify_inquiry(method, path, headers, raw_body, now) {
//!             Ok(inquiry) => inquiry.found(InquiryBill::new("Jokul Doe", SnapAmount::idr(11500), "INV-1")),
//!             Err(refusal) => refusal.inquiry_reply(),
//!         },
//!         _ => match receiver.verify_notification(method, path, headers, raw_body, now) {
//!             Ok(paid) => {
//!                 // record `paid.notification` once under `paid.dedup_key()`, then:
//!                 paid.ack(AckCode::PaymentNotification)
//!             }
//!             Err(refusal) => refusal.notification_reply(),
//!         },
//!     }
//! }
//! ```

mod bearer;
mod headers;
mod inquiry;
mod notification;
mod receiver;
mod refusal;
mod reply;
mod token;

pub use bearer::BearerClaims;
pub use inquiry::{inquiry_reply, VerifiedInquiry};
pub use notification::{snap_notification_ack, VerifiedSnapNotification};
pub use receiver::{SnapDelivery, SnapReceiver};
pub use refusal::SnapInboundRefusal;
pub use reply::{SnapReply, SNAP_REPLY_CONTENT_TYPE};
pub use token::{
    SnapTokenIssuer, SnapTokenRefusal, SnapTokenReply, DEFAULT_SNAP_TOKEN_ISSUER,
    DEFAULT_SNAP_TOKEN_LIFETIME_SECONDS, DEFAULT_SNAP_TOKEN_TOLERANCE_SECONDS,
};
