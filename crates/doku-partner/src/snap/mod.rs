//! Merchant → DOKU SNAP calls (feature `snap`): the B2B token and the Virtual Account calls,
//! sent by [`Merchant::send_snap`](crate::Merchant::send_snap) with the merchant's
//! [`SnapKeys`], through the client's pool, deadline, retry policy, observer, clock and tracing.
//!
//! One job per file: [`keys`] (the merchant's RSA key and `CHANNEL-ID`), [`external_id`]
//! (`X-EXTERNAL-ID`), [`operation`] ([`SnapOperation`], [`SnapCall`]), [`va`] (the VA calls),
//! [`token_cache`] (B2B tokens per client id), [`readings`] (what a client learns about DOKU),
//! [`envelope`] (`responseCode`), [`headers`], [`engine`] (one call).

mod engine;
mod envelope;
mod external_id;
mod headers;
mod keys;
mod operation;
mod readings;
mod token_cache;
mod va;

pub(crate) use engine::SnapCaller;
pub use external_id::{ExternalId, MAX_EXTERNAL_ID_LEN};
pub use keys::{SnapKeys, DEFAULT_CHANNEL_ID};
pub(crate) use operation::SnapEndpoint;
pub use operation::{SnapCall, SnapOperation};
pub use readings::SnapTimestamp;

/// What one client keeps for SNAP: a token per client id and the readings it learned.
#[derive(Default)]
pub(crate) struct SnapState {
    pub(crate) tokens: token_cache::SnapTokens,
    pub(crate) readings: readings::Readings,
}

impl SnapState {
    /// The lifetime of the B2B token cached for `client_id`, if any.
    pub(crate) fn lifetime(&self, client_id: &str) -> Option<crate::TokenLifetime> {
        self.tokens.existing(client_id)?.lifetime()
    }
}
