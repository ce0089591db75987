//! One way to make a SNAP call: a typed request implementing [`SnapOperation`], optionally
//! wrapped in a [`SnapCall`] with per-call options, sent by
//! [`Merchant::send_snap`](crate::Merchant::send_snap).
//!
//! A SNAP operation must name a SNAP transaction endpoint (symmetric scheme, B2B bearer):
//! checked when `send_snap` is compiled for it.
//!
//! ```compile_fail
//! use doku_model::{Endpoint, snap::VaResponse};
//! use doku_partner::{Error, SnapOperation};
//!
//! /// Claims a Non-SNAP endpoint.
//! struct Mislabelled;
//!
//! impl SnapOperation for Mislabelled {
//!     type Answer = VaResponse;
//!     const ENDPOINT: Endpoint = Endpoint::Checkout;
//!     fn to_body(&self) -> Result<Vec<u8>, Error> {
//!         Ok(b"{}".to_vec())
//!     }
//! }
//!
//! fn main() {
//!     let config = doku_partner::Config::builder("BRN-1", doku_sign::SecretKey::new("SK"))
//!         .build()
//!         .unwrap();
//!     let client = doku_partner::Client::new(config).unwrap();
//!     let merchant = client.merchant(
//!         doku_model::ClientId::new("BRN-2").unwrap(),
//!         doku_sign::SecretKey::new("SK-M"),
//!     );
//!     let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//!     let _ = runtime.block_on(merchant.send_snap(Mislabelled));
//! }
//! ```
//!
//! The same program with `Endpoint::CreateVa` compiles (the check is what fails above):
//!
//! ```no_run
//! use doku_model::{Endpoint, snap::VaResponse};
//! use doku_partner::{Error, SnapOperation};
//!
//! struct Labelled;
//!
//! impl SnapOperation for Labelled {
//!     type Answer = VaResponse;
//!     const ENDPOINT: Endpoint = Endpoint::CreateVa;
//!     fn to_body(&self) -> Result<Vec<u8>, Error> {
//!         Ok(b"{}".to_vec())
//!     }
//! }
//!
//! fn main() {
//!     let config = doku_partner::Config::builder("BRN-1", doku_sign::SecretKey::new("SK"))
//!         .build()
//!         .unwrap();
//!     let client = doku_partner::Client::new(config).unwrap();
//!     let merchant = client.merchant(
//!         doku_model::ClientId::new("BRN-2").unwrap(),
//!         doku_sign::SecretKey::new("SK-M"),
//!     );
//!     let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//!     let _ = runtime.block_on(merchant.send_snap(Labelled));
//! }
//! ```

use std::time::Duration;

use doku_model::{Bearer, Endpoint, Scheme};
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::snap::ExternalId;

/// One SNAP transaction as a typed request: its endpoint, what the answer decodes to, and the
/// exact body bytes.
///
/// Implemented for doku-model's [`CreateVaRequest`](doku_model::snap::CreateVaRequest),
/// [`UpdateVaRequest`](doku_model::snap::UpdateVaRequest),
/// [`DeleteVaRequest`](doku_model::snap::DeleteVaRequest) and
/// [`CheckStatusVaRequest`](doku_model::snap::CheckStatusVaRequest), and for a reference to any
/// SNAP operation.
pub trait SnapOperation {
    /// What DOKU's answer decodes to (it must read DOKU's `responseCode` envelope: the same
    /// type decodes a success and a `4092700` replay of one).
    type Answer: DeserializeOwned;
    /// The call: a SNAP transaction ([`Scheme::SnapSymmetric`], [`Bearer::SnapB2b`]).
    const ENDPOINT: Endpoint;

    /// Validates the request (every problem at once, [`Error::Validation`]) and serialises
    /// it minified: these bytes are hashed into the `X-SIGNATURE` and sent as they are. Runs
    /// once per call, before anything is sent.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] listing every violation.
    fn to_body(&self) -> Result<Vec<u8>, Error>;
}

impl<O: SnapOperation + ?Sized> SnapOperation for &O {
    type Answer = O::Answer;
    const ENDPOINT: Endpoint = O::ENDPOINT;

    fn to_body(&self) -> Result<Vec<u8>, Error> {
        (**self).to_body()
    }
}

/// A SNAP operation with per-call options:
///
/// ```no_run
/// # async fn run(merchant: doku_partner::Merchant, request: doku_model::snap::CreateVaRequest)
/// # -> Result<(), doku_partner::Error> {
/// use std::time::Duration;
/// use doku_partner::{ExternalId, SnapCall};
///
/// // Repeating a call whose outcome is unknown: the first call's X-EXTERNAL-ID.
/// let id = ExternalId::new("17218000001234567890123456789012").expect("digits");
/// let answer = merchant
///     .send_snap(SnapCall::new(&request).external_id(id).deadline(Duration::from_secs(20)))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a call does nothing until it is sent"]
pub struct SnapCall<O> {
    pub(crate) operation: O,
    pub(crate) external_id: Option<ExternalId>,
    pub(crate) deadline: Option<Duration>,
}

impl<O: SnapOperation> SnapCall<O> {
    /// `operation` with no options: a generated `X-EXTERNAL-ID`, the policy's deadline.
    pub fn new(operation: O) -> Self {
        Self {
            operation,
            external_id: None,
            deadline: None,
        }
    }

    /// The `X-EXTERNAL-ID` (SNAP's idempotency key, unique per day) to send instead of a
    /// generated one: pass the id of an earlier call that ended with
    /// `may_have_been_applied: true` to repeat it without applying it twice. A caller's id is
    /// never replaced.
    pub fn external_id(mut self, external_id: ExternalId) -> Self {
        self.external_id = Some(external_id);
        self
    }

    /// How long the whole call may take — token fetch, attempts, waits, repeats — instead of
    /// [`RetryPolicy::total_deadline`](crate::RetryPolicy::total_deadline).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The operation.
    pub fn operation(&self) -> &O {
        &self.operation
    }
}

impl<O: SnapOperation> From<O> for SnapCall<O> {
    fn from(operation: O) -> Self {
        Self::new(operation)
    }
}

/// `O` names a SNAP transaction endpoint: evaluated when `send_snap` is compiled for `O`.
pub(crate) struct SnapEndpoint<O>(std::marker::PhantomData<O>);

impl<O: SnapOperation> SnapEndpoint<O> {
    pub(crate) const CHECK: () = assert!(
        matches!(O::ENDPOINT.scheme(), Scheme::SnapSymmetric)
            && matches!(O::ENDPOINT.bearer(), Bearer::SnapB2b),
        "a SnapOperation's ENDPOINT must be a SNAP transaction (symmetric scheme, B2B bearer)"
    );
}
