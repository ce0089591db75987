//! A merchant's handle: Checkout and Check Status signed with a brand's own credentials, sent
//! through the partner client's pool, retries, deadline, observer and tracing.
//!
//! Get Business Data returns each brand's id and `shared_key` — the merchant's Non-SNAP
//! Client-Id and secret. A [`Merchant`] holds those two and a clone of the [`Client`] (one
//! `Arc`), so a partner can keep thousands of them in one process: they all share one
//! connection pool. The calls go through the client's one engine
//! ([`Client::send`]'s): the same Request-Id reuse, 409 replays, refusal handling and
//! response-signature checks as the Partner calls — only the credentials and the host differ.
//! Checkout calls carry no bearer token (DOKU's Checkout pages list only the four signature
//! headers).

use doku_model::{
    BusinessDataBrand, CheckStatusResponse, CheckoutRequest, CheckoutResponse, ClientId, Endpoint,
};
use doku_sign::SecretKey;

use crate::api::{json_body, validated};
use crate::client::{Answer, Caller, Client};
use crate::error::Error;
use crate::operation::{Call, Operation, RequestContext};
use crate::request::ApiRequest;

/// Longest invoice number or Request-Id Check Status is asked about (a Request-Id's limit;
/// invoice numbers are at most 64 characters).
const MAX_STATUS_ID: usize = 128;

/// A merchant (one brand) taking payments through DOKU Checkout, made by
/// [`Client::merchant`] or [`Client::merchant_from_brand`].
///
/// Cheap: a clone of the partner [`Client`] (one `Arc`) plus the brand id and key. Clones and
/// handles of other merchants share the client's connection pool. `Debug` never prints the key.
#[derive(Clone)]
pub struct Merchant {
    client: Client,
    brand_id: ClientId,
    key: SecretKey,
    /// SNAP credentials, when given ([`Merchant::with_snap`]): one pointer, so a handle stays
    /// small.
    #[cfg(feature = "snap")]
    snap: Option<std::sync::Arc<crate::snap::SnapKeys>>,
}

impl std::fmt::Debug for Merchant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Merchant");
        d.field("brand_id", &self.brand_id).field("key", &"***");
        #[cfg(feature = "snap")]
        d.field("snap", &self.snap);
        d.finish_non_exhaustive()
    }
}

impl Client {
    /// A handle for the merchant `brand_id` (its Client-Id for Checkout, e.g.
    /// `BRN-0104-1678960841263`) signing with its `shared_key`. Shares this client's pool,
    /// retry policy, deadline, timeouts, clock, Request-Id generator, observer and tracing.
    pub fn merchant(&self, brand_id: ClientId, shared_key: SecretKey) -> Merchant {
        Merchant {
            client: self.clone(),
            brand_id,
            key: shared_key,
            #[cfg(feature = "snap")]
            snap: None,
        }
    }

    /// A handle for a brand as Get Business Data returned it (`id` and `shared_key`).
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when the brand has no `shared_key` (DOKU sends it only once the brand
    /// is active) or its id is not a valid Client-Id.
    pub fn merchant_from_brand(&self, brand: &BusinessDataBrand) -> Result<Merchant, Error> {
        let id = ClientId::new(brand.id.clone()).map_err(|e| {
            Error::Config(format!(
                "brand id {:?} is not a valid Client-Id: {e}",
                brand.id
            ))
        })?;
        let key = brand.shared_key.as_ref().ok_or_else(|| {
            Error::Config(format!(
                "brand {} has no shared_key in Get Business Data: it cannot sign Checkout calls yet",
                brand.id
            ))
        })?;
        Ok(self.merchant(id, SecretKey::new(key.expose())))
    }
}

impl Merchant {
    /// The brand id (the Client-Id of this merchant's calls).
    pub fn brand_id(&self) -> &ClientId {
        &self.brand_id
    }

    /// The partner client this handle sends through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `text` with this merchant's key and everything [`Client::redact`] hides replaced by
    /// `***`: for printing what a server sent.
    pub fn redact(&self, text: &str) -> String {
        let mut out = self.client.redact(text);
        if let Ok(key) = std::str::from_utf8(self.key.expose_bytes()) {
            if !key.is_empty() {
                out = out.replace(key, "***");
            }
        }
        out
    }

    /// This handle with SNAP credentials (feature `snap`): the merchant's RSA private key and
    /// `CHANNEL-ID` ([`SnapKeys`](crate::SnapKeys)). The client secret of SNAP's symmetric
    /// signature is this merchant's secret key; the B2B token is cached per Client-Id in the
    /// [`Client`], shared by every handle of this merchant.
    #[cfg(feature = "snap")]
    pub fn with_snap(mut self, keys: crate::snap::SnapKeys) -> Self {
        self.snap = Some(std::sync::Arc::new(keys));
        self
    }

    /// The SNAP credentials, if given.
    #[cfg(feature = "snap")]
    pub fn snap_keys(&self) -> Option<&crate::snap::SnapKeys> {
        self.snap.as_deref()
    }

    /// When the B2B token cached for this merchant's Client-Id will be refreshed and when it
    /// expires (Unix seconds), if one is cached.
    #[cfg(feature = "snap")]
    pub fn cached_snap_token_lifetime(&self) -> Option<crate::TokenLifetime> {
        self.client.inner.snap.lifetime(self.brand_id.as_str())
    }

    /// Sends a SNAP transaction (feature `snap`) signed with this merchant's SNAP credentials:
    /// `merchant.send_snap(&create_va)`, or with per-call options
    /// `merchant.send_snap(SnapCall::new(&create_va).external_id(id).deadline(d))`.
    ///
    /// - The request is validated (every problem at once) and serialised once, before
    ///   anything is sent; the `X-SIGNATURE` is over those exact bytes.
    /// - A B2B token from the client's cache for this Client-Id (fetched once for concurrent
    ///   callers, refreshed `refresh_margin` before `expiresIn`); a `4012701` drops that token,
    ///   fetches one and repeats the call once.
    /// - One `X-EXTERNAL-ID` for the call (the [`SnapCall`](crate::SnapCall)'s, else a
    ///   generated one), the same on every retry: DOKU's idempotency key. A fresh
    ///   `X-TIMESTAMP` per attempt (`+07:00` by default).
    /// - Retries by the [`RetryPolicy`](crate::RetryPolicy) (connection failures, timeouts,
    ///   429, 502, 503, 504; 500 only for Check Status VA), bounded by the whole-call deadline.
    /// - A 2xx with a success `responseCode` is the answer. A `409xx00` conflict after an
    ///   earlier attempt of this call may have been applied is success too, with
    ///   [`Answer::replay`] set and the value decoded from DOKU's body.
    /// - A route-level 404 is repeated at the endpoint's older paths, and `+07:00` refused as
    ///   an invalid timestamp is repeated with `Z`, each once; the client remembers what
    ///   worked.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when this handle has no SNAP keys ([`Merchant::with_snap`]);
    /// [`Error::Validation`] before anything is sent; [`Error::Snap`] for DOKU's refusals (its
    /// `responseCode`, classified, message, `X-EXTERNAL-ID` and whether the call may have been
    /// applied); [`Error::Transport`], [`Error::DeadlineExceeded`], [`Error::Decode`],
    /// [`Error::TokenUnavailable`] as for every call.
    #[cfg(feature = "snap")]
    pub async fn send_snap<O>(
        &self,
        call: impl Into<crate::snap::SnapCall<O>>,
    ) -> Result<Answer<O::Answer>, Error>
    where
        O: crate::snap::SnapOperation,
    {
        let () = crate::snap::SnapEndpoint::<O>::CHECK;
        let crate::snap::SnapCall {
            operation,
            external_id,
            deadline,
        } = call.into();
        let Some(keys) = self.snap.as_deref() else {
            return Err(Error::Config(format!(
                "merchant {} has no SNAP keys: give them with Merchant::with_snap",
                self.brand_id.as_str()
            )));
        };
        let body = bytes::Bytes::from(operation.to_body()?);
        let caller = self.snap_caller(keys);
        self.client
            .snap_call(&caller, O::ENDPOINT, body, external_id, deadline)
            .await
    }

    /// This merchant's B2B access token (feature `snap`), fetched now unless a fresh one is
    /// cached, and its lifetime: what [`send_snap`](Self::send_snap) would use, for checking
    /// SNAP credentials before the first transaction (`doku snap token`). The token itself is
    /// never returned; concurrent callers share one fetch; `deadline` (else the policy's)
    /// bounds the wait.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when this handle has no SNAP keys; [`Error::Snap`] when DOKU refuses
    /// the token request (e.g. `4017300`: the signature does not verify with the public key
    /// uploaded for this client id); otherwise as [`send_snap`](Self::send_snap).
    #[cfg(feature = "snap")]
    pub async fn snap_token(
        &self,
        deadline: Option<std::time::Duration>,
    ) -> Result<crate::TokenLifetime, Error> {
        let Some(keys) = self.snap.as_deref() else {
            return Err(Error::Config(format!(
                "merchant {} has no SNAP keys: give them with Merchant::with_snap",
                self.brand_id.as_str()
            )));
        };
        let total = deadline.unwrap_or(self.client.config().retry.total_deadline);
        self.client
            .ensure_snap_token(&self.snap_caller(keys), total)
            .await
    }

    #[cfg(feature = "snap")]
    fn snap_caller<'a>(&'a self, keys: &'a crate::snap::SnapKeys) -> crate::snap::SnapCaller<'a> {
        crate::snap::SnapCaller {
            client_id: self.brand_id.as_str(),
            partner_id: keys.partner_id.as_deref().unwrap_or(self.brand_id.as_str()),
            secret: &self.key,
            keys,
            base: &self.client.config().checkout_url,
        }
    }

    fn caller(&self) -> Caller<'_> {
        Caller {
            client_id: self.brand_id.as_str(),
            // Built per attempt: a handle stays small (10,000 merchants, one client).
            client_id_value: None,
            secret_key: &self.key,
            base: &self.client.config().checkout_url,
        }
    }

    /// Sends a merchant call signed with this brand's credentials to the Checkout host:
    /// `merchant.send(&CheckoutRequest::new(20_000, "INV-1"))`,
    /// `merchant.send(CheckStatus::new("INV-1"))`, or either inside a [`Call`] with per-call
    /// options.
    ///
    /// `call` is any [`Operation`] whose [`Sender`](crate::Sender) is `Merchant` (a Partner
    /// call does not compile here: send it with [`Client::send`]). Everything else is
    /// [`Client::send`]'s engine: validation first, the same Request-Id on retries, DOKU's 409
    /// replay of an already processed Request-Id returned as success ([`Answer::replay`]), a
    /// replayed refusal as [`Error::ReplayedRefusal`], the whole-call deadline. Merchant calls
    /// carry no bearer token.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] (every violation) before any network call; otherwise as
    /// [`Client::send`].
    pub async fn send<O>(&self, call: impl Into<Call<O>>) -> Result<Answer<O::Answer>, Error>
    where
        O: Operation<Sender = Merchant>,
    {
        self.client.dispatch(&self.caller(), call.into()).await
    }
}

/// DOKU Checkout (`POST /checkout/v1/payment`): creates a payment page; the answer's
/// [`payment_url`](doku_model::CheckoutResponse::payment_url) is where the customer pays.
///
/// Validated before anything is sent. Pass the Request-Id of an earlier attempt whose outcome
/// is unknown ([`Call::request_id`]) to repeat it without creating a second payment.
impl Operation for CheckoutRequest {
    type Sender = Merchant;
    type Answer = CheckoutResponse;
    const ENDPOINT: Endpoint = Endpoint::Checkout;

    fn to_request(&self, _: &RequestContext<'_>) -> Result<ApiRequest, Error> {
        validated(self)?;
        Ok(ApiRequest::post_json(Self::ENDPOINT, json_body(self)?))
    }
}

/// Check Status (`GET /orders/v1/status/{invoice number or Request-Id}`): the payment's state
/// (see [`TransactionStatus::is_final`](doku_model::TransactionStatus::is_final)).
///
/// ```no_run
/// # async fn run(merchant: doku_partner::Merchant) -> Result<(), doku_partner::Error> {
/// let status = merchant.send(doku_partner::CheckStatus::new("INV-1")).await?.value;
/// println!("{:?}", status.transaction.status);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckStatus<'a> {
    id: &'a str,
}

impl<'a> CheckStatus<'a> {
    /// Check Status of the payment with this invoice number, or of the Checkout call made
    /// under this Request-Id.
    pub fn new(invoice_or_request_id: &'a str) -> Self {
        Self {
            id: invoice_or_request_id,
        }
    }

    /// The invoice number or Request-Id asked about.
    pub fn id(&self) -> &'a str {
        self.id
    }
}

/// Refused before sending: an empty id, one over 128 characters or with control characters.
impl Operation for CheckStatus<'_> {
    type Sender = Merchant;
    type Answer = CheckStatusResponse;
    const ENDPOINT: Endpoint = Endpoint::CheckStatus;

    fn to_request(&self, _: &RequestContext<'_>) -> Result<ApiRequest, Error> {
        let mut errors = doku_model::ValidationErrors::new();
        errors.non_empty("invoice_number", self.id);
        errors.max_chars("invoice_number", self.id, MAX_STATUS_ID);
        if self.id.chars().any(char::is_control) {
            errors.push("invoice_number", "must not contain control characters");
        }
        errors.into_result().map_err(Error::Validation)?;
        Ok(ApiRequest::get_at(Self::ENDPOINT, self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Environment};

    fn client(environment: Environment) -> Client {
        let config = Config::builder("BRN-0001-10791114622547", SecretKey::new("SK-P"))
            .environment(environment)
            .build()
            .unwrap();
        Client::new(config).unwrap()
    }

    /// Checkout's test host is the general sandbox, the Partner API's is UAT; production and a
    /// custom base URL serve both.
    #[test]
    fn each_api_goes_to_its_host() {
        let cases = [
            (
                Environment::Uat,
                "https://api-uat.doku.com",
                "https://api-sandbox.doku.com",
            ),
            (
                Environment::Production,
                "https://api.doku.com",
                "https://api.doku.com",
            ),
            (
                Environment::Custom("http://127.0.0.1:9/".into()),
                "http://127.0.0.1:9",
                "http://127.0.0.1:9",
            ),
        ];
        for (environment, partner, checkout) in cases {
            let c = client(environment);
            let m = c.merchant(ClientId::new("BRN-0104-1").unwrap(), SecretKey::new("SK-M"));
            assert_eq!(format!("{:?}", c.partner_caller().base), partner);
            assert_eq!(format!("{:?}", m.caller().base), checkout);
            assert_eq!(m.caller().client_id, "BRN-0104-1");
            assert_eq!(m.caller().secret_key.expose_bytes(), b"SK-M");
            assert_eq!(c.partner_caller().client_id, "BRN-0001-10791114622547");
        }
    }

    /// A handle stays small (the merchants bench target is at most 256 bytes), SNAP keys or
    /// not: they are one pointer.
    #[test]
    fn a_handle_is_small() {
        let size = std::mem::size_of::<Merchant>();
        println!("Merchant: {size} bytes");
        assert!(size <= 256, "{size}");
    }

    /// `Debug` of a handle with SNAP keys shows no key material.
    #[cfg(feature = "snap")]
    #[test]
    fn debug_hides_the_snap_key() {
        let pem = include_str!("../../doku-sim/tests/suite/snap_keys/merchant-private.pem");
        let key = doku_sign::snap_asymmetric::PrivateKey::from_pem(pem).unwrap();
        let m = client(Environment::Uat)
            .merchant(
                ClientId::new("BRN-0104-1").unwrap(),
                SecretKey::new("SK-M-9"),
            )
            .with_snap(crate::SnapKeys::new(key).channel_id("VA008"));
        let debug = format!("{m:?} {:#?}", m.snap_keys());
        assert!(debug.contains("VA008") && debug.contains("***"), "{debug}");
        assert!(
            !debug.contains("SK-M-9") && !debug.contains("MII"),
            "{debug}"
        );
    }

    #[test]
    fn redact_hides_the_merchant_key() {
        let c = client(Environment::Uat);
        let m = c.merchant(
            ClientId::new("BRN-0104-1").unwrap(),
            SecretKey::new("SK-M-9"),
        );
        assert_eq!(m.redact("key=SK-M-9; partner=SK-P"), "key=***; partner=***");
    }
}
