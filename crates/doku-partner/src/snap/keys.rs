//! A merchant's SNAP credentials: its RSA private key (the token request's signature), the
//! `CHANNEL-ID` it sends, and an optional `X-PARTNER-ID` override. The client secret of the
//! symmetric signature is the merchant's existing secret key (its Checkout `shared_key`).

use std::fmt;

use doku_sign::snap_asymmetric::PrivateKey;

/// `CHANNEL-ID` sent when none is set: DOKU's BSI VA page says "Please fill with H2H", and the
/// SDKs send it.
pub const DEFAULT_CHANNEL_ID: &str = "H2H";

/// A merchant's SNAP credentials, given to [`Merchant::with_snap`](crate::Merchant::with_snap).
///
/// ```no_run
/// # fn run(merchant: doku_partner::Merchant, pem: &str) -> Result<(), doku_sign::Error> {
/// use doku_partner::SnapKeys;
/// use doku_sign::snap_asymmetric::PrivateKey;
///
/// let keys = SnapKeys::new(PrivateKey::from_pem(pem)?).channel_id("H2H");
/// let merchant = merchant.with_snap(keys);
/// # Ok(()) }
/// ```
///
/// `Debug` prints no key material.
#[derive(Clone)]
pub struct SnapKeys {
    pub(crate) private_key: PrivateKey,
    pub(crate) channel_id: String,
    pub(crate) partner_id: Option<String>,
}

impl SnapKeys {
    /// Keys signing the B2B token request with `private_key`: the key whose public half was
    /// uploaded to DOKU's Back Office for this merchant. `CHANNEL-ID` defaults to
    /// [`DEFAULT_CHANNEL_ID`]; `X-PARTNER-ID` and `X-CLIENT-KEY` to the merchant's Client-Id.
    pub fn new(private_key: PrivateKey) -> Self {
        Self {
            private_key,
            channel_id: DEFAULT_CHANNEL_ID.to_owned(),
            partner_id: None,
        }
    }

    /// The `CHANNEL-ID` header of every SNAP transaction (DOKU's pages show `H2H`, `VA008`,
    /// `95221`, …: use the one DOKU gave you). Checked when a call is sent.
    pub fn channel_id(mut self, channel_id: impl Into<String>) -> Self {
        self.channel_id = channel_id.into();
        self
    }

    /// An `X-PARTNER-ID` other than the merchant's Client-Id, if DOKU gave you one. The token
    /// request's `X-CLIENT-KEY` (and the token cache) stay keyed by the Client-Id.
    pub fn partner_id(mut self, partner_id: impl Into<String>) -> Self {
        self.partner_id = Some(partner_id.into());
        self
    }

    /// The `CHANNEL-ID` sent.
    pub fn channel(&self) -> &str {
        &self.channel_id
    }

    /// The `X-PARTNER-ID` override, if set.
    pub fn partner_id_override(&self) -> Option<&str> {
        self.partner_id.as_deref()
    }
}

impl fmt::Debug for SnapKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapKeys")
            .field("private_key", &"***")
            .field("channel_id", &self.channel_id)
            .field("partner_id", &self.partner_id)
            .finish()
    }
}
