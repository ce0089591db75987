//! A merchant's SNAP registration: its RSA public key (what it uploads to DOKU's Back Office)
//! and the URLs DOKU calls back (token, payment notification, inquiry).

use std::fmt;

use doku_sign::snap_asymmetric::PublicKey;
use serde::{Deserialize, Serialize};

use crate::notify::Target;

/// A merchant's SNAP credentials, as DOKU's Back Office holds them: the merchant's client id (a
/// merchant the simulator already knows, with its secret key: a `--credential` or a brand
/// registered through the Partner API), its RSA **public** key (PEM, SPKI or PKCS#1), and the
/// URLs DOKU calls on the merchant's side.
///
/// Also the JSON body of `POST /doku-sim/v1/snap/merchants`:
/// `{"client_id":"…","public_key_pem":"-----BEGIN PUBLIC KEY-----…","token_url":"http://…",
/// "notification_url":"http://…","inquiry_url":"http://…"}` (the URLs optional).
///
/// ```
/// # let pem = "-----BEGIN PUBLIC KEY-----…";
/// use doku_sim::SnapMerchant;
/// let merchant = SnapMerchant::new("BRN-0001-10791114622547", pem)
///     .token_url("http://127.0.0.1:8100/authorization/v1/access-token/b2b")
///     .notification_url("http://127.0.0.1:8100/v1/transfer-va/payment")
///     .inquiry_url("http://127.0.0.1:8100/v1/transfer-va/inquiry");
/// # let _ = merchant;
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SnapMerchant {
    /// The merchant's client id (`X-CLIENT-KEY`, `X-PARTNER-ID`).
    pub client_id: String,
    /// The merchant's RSA public key, PEM.
    pub public_key_pem: String,
    /// Where DOKU asks the merchant for a token before calling it (`http://` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    /// Where DOKU sends SNAP payment notifications (`http://` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_url: Option<String>,
    /// Where DOKU sends inquiries for direct-inquiry channels (`http://` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inquiry_url: Option<String>,
}

impl fmt::Debug for SnapMerchant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SnapMerchant")
            .field("client_id", &self.client_id)
            .field(
                "public_key_pem",
                &format_args!("<{} bytes>", self.public_key_pem.len()),
            )
            .field("token_url", &self.token_url)
            .field("notification_url", &self.notification_url)
            .field("inquiry_url", &self.inquiry_url)
            .finish()
    }
}

impl SnapMerchant {
    /// A merchant with its public key and no URLs (it can call DOKU; DOKU cannot call it).
    pub fn new(client_id: impl Into<String>, public_key_pem: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            public_key_pem: public_key_pem.into(),
            token_url: None,
            notification_url: None,
            inquiry_url: None,
        }
    }

    /// The merchant's token URL (DOKU gets a token there before each call to the merchant).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// The merchant's payment-notification URL.
    pub fn notification_url(mut self, url: impl Into<String>) -> Self {
        self.notification_url = Some(url.into());
        self
    }

    /// The merchant's inquiry URL (direct-inquiry channels).
    pub fn inquiry_url(mut self, url: impl Into<String>) -> Self {
        self.inquiry_url = Some(url.into());
        self
    }

    /// Parses the key and the URLs.
    pub(crate) fn check(&self) -> Result<Registered, String> {
        let who = &self.client_id;
        if who.is_empty() || doku_model::ClientId::new(who.as_str()).is_err() {
            return Err(format!("SNAP client id {who:?} is not visible ASCII"));
        }
        let key = PublicKey::from_pem(&self.public_key_pem)
            .map_err(|e| format!("the SNAP public key of {who}: {e}"))?;
        for url in [&self.token_url, &self.notification_url, &self.inquiry_url]
            .into_iter()
            .flatten()
        {
            Target::parse(url).map_err(|e| format!("SNAP merchant {who}: {e}"))?;
        }
        Ok(Registered {
            merchant: self.clone(),
            key,
        })
    }
}

/// A checked registration.
#[derive(Clone)]
pub(crate) struct Registered {
    pub(crate) merchant: SnapMerchant,
    pub(crate) key: PublicKey,
}
