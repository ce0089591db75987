//! doku-rs's test kit, shared by the tests, benchmarks and fuzz targets of every crate (`publish = false`).
//!
//! It holds what tests would otherwise each write again: the test credentials, DOKU's Checkout samples, a
//! signed-request builder that produces DOKU's four signature headers with doku-sign, raw HTTP/1.1 helpers,
//! sample upload files and request fixtures built from DOKU's published shapes. By default it depends on
//! doku-sign and doku-model only, so any layer's tests can use it without pulling in the client or the
//! simulator. Features add the heavier kits: `servers` (a scripted raw-TCP DOKU and a keep-alive server that
//! counts connections), `flows` (a simulator with a brand onboarded through the client), `load` (the load
//! benches' runtime and pre-signed requests), `attacks` (the notification receivers' attack kit) and `postgres` (a
//! throwaway PostgreSQL server).

mod checkout;
mod credentials;
mod files;
mod fixtures;
mod http1;
mod inbound;
mod messages;
mod now;
mod presigned;
mod signed;
mod signing_default;

#[cfg(feature = "servers")]
#[allow(missing_docs, clippy::unwrap_used)]
pub mod keep_alive;
#[cfg(feature = "load")]
#[allow(missing_docs, clippy::unwrap_used)]
pub mod load_kit;
#[cfg(feature = "flows")]
#[allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]
pub mod onboarded;
#[cfg(feature = "postgres")]
#[allow(clippy::panic)]
pub mod postgres;
#[cfg(feature = "attacks")]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub mod receiver_attack;
#[cfg(feature = "servers")]
#[allow(missing_docs, clippy::unwrap_used)]
pub mod scripted;

pub use checkout::{BRAND_ID, CHECKOUT_CREATED, CHECK_STATUS_PENDING, NOTIFICATION_BCA_VA};
pub use credentials::{
    OTHER_CLIENT_ID, OTHER_SECRET, PARTNER_CLIENT_ID, PARTNER_SECRET, START, START_UNIX,
};
pub use files::{mandatory_uploads, png, PNG_BYTES};
pub use fixtures::{lite, personal_query, registration, TOKEN_BODY};
pub use http1::Http1Message;
pub use inbound::is_signed_by;
pub use messages::{business_message, json_body};
pub use now::now_timestamp;
pub use presigned::PreSigned;
pub use signed::{SignedRequest, Signing};
pub use signing_default::REQUEST_ID;
