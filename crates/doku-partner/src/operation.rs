//! One way to call: a typed request value per endpoint ([`Operation`]), optionally wrapped in a
//! [`Call`] carrying per-call options, sent by [`Client::send`] (Partner calls) or
//! [`Merchant::send`](crate::Merchant::send) (merchant calls).
//!
//! Whose credentials sign a call is part of its type: an operation names its [`Sender`]
//! ([`Client`] for the Partner API, [`Merchant`](crate::Merchant) for Checkout and Check
//! Status), and each `send` takes only operations of its own sender. A Partner call on a
//! merchant handle, or a merchant call on the client, does not compile. The sender and the
//! endpoint's declared [`Credentials`] are checked against each other when `send` is
//! instantiated, so an operation cannot name one sender and an endpoint of the other.
//!
//! ```compile_fail
//! # async fn run(merchant: doku_partner::Merchant) {
//! // A Partner API call on a merchant handle: `RequirementsQuery`'s sender is the `Client`.
//! let _ = merchant.send(&doku_model::RequirementsQuery::personal("ID")).await;
//! # }
//! ```
//!
//! ```compile_fail
//! # async fn run(client: doku_partner::Client) {
//! // A merchant call on the partner client: `CheckoutRequest`'s sender is a `Merchant`.
//! let _ = client.send(&doku_model::CheckoutRequest::new(20_000, "INV-1")).await;
//! # }
//! ```
//!
//! ```compile_fail
//! use doku_model::{Endpoint, RequirementsResponse};
//! use doku_partner::{ApiRequest, Client, Error, Operation, RequestContext};
//!
//! /// Claims the partner's credentials for a merchant endpoint.
//! struct Mislabelled;
//!
//! impl Operation for Mislabelled {
//!     type Sender = Client;
//!     type Answer = RequirementsResponse;
//!     const ENDPOINT: Endpoint = Endpoint::CheckStatus;
//!     fn to_request(&self, _: &RequestContext<'_>) -> Result<ApiRequest, Error> {
//!         Ok(ApiRequest::get_at(Endpoint::CheckStatus, "INV-1"))
//!     }
//! }
//!
//! fn main() {
//!     let config = doku_partner::Config::builder("BRN-1", doku_sign::SecretKey::new("SK"))
//!         .build()
//!         .unwrap();
//!     let client = Client::new(config).unwrap();
//!     let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//!     let _ = runtime.block_on(client.send(Mislabelled));
//! }
//! ```

use std::time::Duration;

use doku_model::{Credentials, Endpoint, RequestId};
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::Error;
use crate::merchant::Merchant;
use crate::request::ApiRequest;

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::Client {}
    impl Sealed for crate::Merchant {}
}

/// Who sends an [`Operation`], and so whose credentials sign it: [`Client`] (the partner's
/// own, on the Partner API host) or [`Merchant`] (a brand's, on the Checkout host). Sealed: these
/// two are the only senders.
pub trait Sender: sealed::Sealed {
    /// The credentials, as the endpoint table ([`Endpoint::credentials`]) names them.
    const CREDENTIALS: Credentials;
}

impl Sender for Client {
    const CREDENTIALS: Credentials = Credentials::Partner;
}

impl Sender for Merchant {
    const CREDENTIALS: Credentials = Credentials::Merchant;
}

/// One DOKU call as a typed request: which endpoint, who sends it, what the answer decodes to,
/// and how the request value becomes the exact [`ApiRequest`] signed and sent.
///
/// Implemented for doku-model's request types ([`RequirementsQuery`](doku_model::RequirementsQuery),
/// [`UploadFile`](doku_model::UploadFile),
/// [`BusinessRegistrationRequest`](doku_model::BusinessRegistrationRequest),
/// [`BusinessLiteRequest`](doku_model::BusinessLiteRequest),
/// [`CheckoutRequest`](doku_model::CheckoutRequest)), for this crate's
/// [`GenerateToken`](crate::GenerateToken), [`GetBusiness`](crate::GetBusiness) and
/// [`CheckStatus`](crate::CheckStatus), and for a reference to any operation. Implement it for
/// a request shape of your own (e.g. a body with fields doku-model does not have) to send it
/// through the same engine.
pub trait Operation {
    /// Who sends it: [`Client`] or [`Merchant`](crate::Merchant). Must agree with
    /// [`ENDPOINT`](Self::ENDPOINT)'s credentials (checked when `send` is compiled).
    type Sender: Sender;
    /// What DOKU's answer decodes to.
    type Answer: DeserializeOwned;
    /// The call: method, path and bearer rule come from its declaration.
    const ENDPOINT: Endpoint;

    /// Validates the request and describes it: the exact bytes that will be signed and sent,
    /// for [`ENDPOINT`](Self::ENDPOINT) (a request for another endpoint is refused with
    /// [`Error::Config`]). Runs once per call, before anything is sent.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] listing every violation.
    fn to_request(&self, context: &RequestContext<'_>) -> Result<ApiRequest, Error>;
}

impl<O: Operation + ?Sized> Operation for &O {
    type Sender = O::Sender;
    type Answer = O::Answer;
    const ENDPOINT: Endpoint = O::ENDPOINT;

    fn to_request(&self, context: &RequestContext<'_>) -> Result<ApiRequest, Error> {
        (**self).to_request(context)
    }
}

/// What describing a request may depend on besides the request value: the call's Request-Id
/// (an upload's multipart boundary is derived from it, so a repeat sends the same bytes) and the
/// client's configured token lifetime (Generate Token's `valid_time`).
#[derive(Debug, Clone, Copy)]
pub struct RequestContext<'a> {
    request_id: &'a RequestId,
    token_valid_minutes: Option<u32>,
}

impl<'a> RequestContext<'a> {
    /// A context for a call under `request_id`, with no configured token lifetime (e.g. to look
    /// at the bytes a request becomes, without a client).
    pub fn new(request_id: &'a RequestId) -> Self {
        Self {
            request_id,
            token_valid_minutes: None,
        }
    }

    /// The same, with `valid_time` in minutes for Generate Token.
    pub fn with_token_valid_minutes(mut self, minutes: Option<u32>) -> Self {
        self.token_valid_minutes = minutes;
        self
    }

    /// The call's Request-Id (the first, if a refusal makes the client replace it).
    pub fn request_id(&self) -> &'a RequestId {
        self.request_id
    }

    /// The token lifetime asked of Generate Token, if configured
    /// ([`ConfigBuilder::token_valid_minutes`](crate::ConfigBuilder::token_valid_minutes)).
    pub fn token_valid_minutes(&self) -> Option<u32> {
        self.token_valid_minutes
    }
}

/// An operation with per-call options, built around the request:
///
/// ```no_run
/// # async fn run(client: doku_partner::Client, id: doku_model::RequestId) -> Result<(), doku_partner::Error> {
/// use std::time::Duration;
/// use doku_model::RequirementsQuery;
/// use doku_partner::Call;
///
/// let query = RequirementsQuery::personal("ID");
/// let answer = client
///     .send(Call::new(&query).request_id(id).deadline(Duration::from_secs(5)))
///     .await?;
/// # Ok(()) }
/// ```
///
/// Every operation converts into a `Call` without options, so `client.send(&query)` is the
/// plain form.
#[derive(Debug, Clone)]
#[must_use = "a call does nothing until it is sent"]
pub struct Call<O> {
    pub(crate) operation: O,
    pub(crate) request_id: Option<RequestId>,
    pub(crate) deadline: Option<Duration>,
}

impl<O: Operation> Call<O> {
    /// `operation` with no options: a generated Request-Id, the policy's deadline.
    pub fn new(operation: O) -> Self {
        Self {
            operation,
            request_id: None,
            deadline: None,
        }
    }

    /// The Request-Id (DOKU's idempotency key) to use instead of a generated one. Pass the id
    /// of an earlier call that ended with `may_have_reached_doku: true` to repeat it safely,
    /// e.g. from another process after a crash: DOKU answers a repeat with the original outcome.
    /// A caller's id is never replaced, not even after a 401 or a 429.
    pub fn request_id(mut self, request_id: RequestId) -> Self {
        self.request_id = Some(request_id);
        self
    }

    /// How long the whole call may take — token fetch, attempts, waits, the 401 repeat —
    /// instead of [`RetryPolicy::total_deadline`](crate::RetryPolicy::total_deadline). Retries
    /// whose wait would pass it are not made; when it passes, the call ends with
    /// [`Error::DeadlineExceeded`].
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The operation.
    pub fn operation(&self) -> &O {
        &self.operation
    }
}

impl<O: Operation> From<O> for Call<O> {
    fn from(operation: O) -> Self {
        Self::new(operation)
    }
}

/// `O`'s sender and its endpoint's credentials agree: evaluated when `send` is compiled for
/// `O`, so a disagreeing operation fails to build.
pub(crate) struct SameCredentials<O>(std::marker::PhantomData<O>);

impl<O: Operation> SameCredentials<O> {
    pub(crate) const CHECK: () = assert!(
        matches!(
            (
                O::ENDPOINT.credentials(),
                <O::Sender as Sender>::CREDENTIALS
            ),
            (Credentials::Partner, Credentials::Partner)
                | (Credentials::Merchant, Credentials::Merchant)
        ),
        "an Operation's Sender must match its endpoint's credentials"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckStatus, GenerateToken, GetBusiness};
    use doku_model::{CheckoutRequest, ClientId, FileCategory, RequirementsQuery, UploadFile};

    /// Describes `operation` and checks what every operation must hold: its endpoint is the one
    /// it names, its sender's credentials are the endpoint's.
    fn described<O: Operation>(operation: &O) -> ApiRequest {
        let id = RequestId::new("req-1").unwrap();
        let request = operation
            .to_request(&RequestContext::new(&id).with_token_valid_minutes(Some(30)))
            .unwrap();
        assert_eq!(request.endpoint, O::ENDPOINT);
        assert_eq!(
            O::ENDPOINT.credentials(),
            <O::Sender as Sender>::CREDENTIALS,
            "{}",
            O::ENDPOINT
        );
        request
    }

    /// One request value per endpoint: a new endpoint without one fails to compile here.
    #[test]
    fn every_endpoint_has_an_operation_signed_by_its_own_credentials() {
        let brand = ClientId::new("BRN-0001-1").unwrap();
        for endpoint in Endpoint::ALL {
            let request = match endpoint {
                Endpoint::Token => described(&GenerateToken::new()),
                Endpoint::CheckRequirements => described(&RequirementsQuery::personal("ID")),
                Endpoint::UploadFile => described(&UploadFile::file(
                    FileCategory::Logo,
                    "logo.png",
                    "image/png",
                    vec![1],
                )),
                Endpoint::BusinessRegistration => {
                    described(&doku_test_support::registration("Toko", &[]))
                }
                Endpoint::BusinessLite => described(&doku_test_support::lite("Toko")),
                Endpoint::GetBusinessData => described(&GetBusiness::new(&brand)),
                Endpoint::Checkout => described(&CheckoutRequest::new(20_000, "INV-1")),
                Endpoint::CheckStatus => described(&CheckStatus::new("INV 1")),
                // SNAP calls: the token is the client's own (no operation), the transactions
                // are `SnapOperation`s (`Merchant::send_snap`, feature `snap`).
                Endpoint::SnapToken
                | Endpoint::CreateVa
                | Endpoint::UpdateVa
                | Endpoint::DeleteVa
                | Endpoint::VaStatus => {
                    snap_operation_for(endpoint);
                    continue;
                }
            };
            assert_eq!(request.endpoint, endpoint);
        }
    }

    /// Each SNAP transaction endpoint has its `SnapOperation`, whose body is its validated
    /// compact JSON; the B2B token is requested by the client itself.
    #[cfg(feature = "snap")]
    fn snap_operation_for(endpoint: Endpoint) {
        use crate::snap::SnapOperation;
        use doku_model::snap::{
            CheckStatusVaRequest, CreateVaRequest, CustomerNo, DeleteVaRequest, PartnerServiceId,
            SnapAmount, UpdateVaRequest, VaChannel, VirtualAccountData,
        };
        fn body<O: SnapOperation>(operation: &O, endpoint: Endpoint) -> Vec<u8> {
            assert_eq!(O::ENDPOINT, endpoint);
            operation.to_body().unwrap()
        }
        let service = || PartnerServiceId::from_digits("19008").unwrap();
        let customer = || CustomerNo::new("1").unwrap();
        let create = CreateVaRequest::new(
            VirtualAccountData::new(
                service(),
                customer(),
                "Name",
                "INV-1",
                SnapAmount::idr(10_000),
                VaChannel::Bca,
            ),
            "2030-01-01T00:00:00+07:00",
        );
        let bytes = match endpoint {
            Endpoint::CreateVa => body(&create, endpoint),
            Endpoint::UpdateVa => body(&UpdateVaRequest::from(create), endpoint),
            Endpoint::DeleteVa => body(
                &DeleteVaRequest::new(service(), customer(), "INV-1", VaChannel::Bca),
                endpoint,
            ),
            Endpoint::VaStatus => body(&CheckStatusVaRequest::new(service(), customer()), endpoint),
            _ => return,
        };
        assert!(bytes.starts_with(b"{") && !bytes.contains(&b'\n'));
    }

    #[cfg(not(feature = "snap"))]
    fn snap_operation_for(_: Endpoint) {}

    #[test]
    fn requests_carry_their_parameters_and_the_context() {
        let token = described(&GenerateToken::new());
        assert_eq!(
            token.body.as_deref(),
            Some(&br#"{"grant_type":"client_credentials","valid_time":"30"}"#[..])
        );
        let status = described(&CheckStatus::new("INV 1"));
        assert_eq!(status.path, "/orders/v1/status/INV%201");
        let brand = ClientId::new("BRN-0001-1").unwrap();
        let business = described(&GetBusiness::new(&brand));
        assert_eq!(
            business.path,
            "/adv-core-api/partner/v1.0/business/BRN-0001-1"
        );
        let query = described(&RequirementsQuery::personal("ID"));
        assert!(query
            .query
            .as_deref()
            .unwrap()
            .contains("businessType=PERSONAL"));
        // The same Request-Id describes the same upload bytes.
        let upload = UploadFile::file(FileCategory::Logo, "logo.png", "image/png", vec![1]);
        assert_eq!(described(&upload), described(&&upload));
    }

    #[test]
    fn invalid_requests_are_refused_while_described() {
        let id = RequestId::new("req-1").unwrap();
        let context = RequestContext::new(&id);
        for bad in ["", "INV\n1"] {
            let err = CheckStatus::new(bad).to_request(&context).unwrap_err();
            assert!(matches!(err, Error::Validation(_)), "{err:?}");
        }
        let exe = UploadFile::file(FileCategory::Logo, "a.exe", "image/png", vec![1]);
        let err = exe.to_request(&context).unwrap_err();
        assert!(matches!(err, Error::Validation(_)), "{err:?}");
    }

    /// An operation (implemented outside this crate) whose request is for another endpoint
    /// than the one it names is refused before anything is sent.
    #[tokio::test]
    async fn a_request_for_another_endpoint_is_not_sent() {
        struct Elsewhere;
        impl Operation for Elsewhere {
            type Sender = Client;
            type Answer = doku_model::BusinessData;
            const ENDPOINT: Endpoint = Endpoint::GetBusinessData;
            fn to_request(&self, _: &RequestContext<'_>) -> Result<ApiRequest, Error> {
                Ok(ApiRequest::get(Endpoint::CheckRequirements, None))
            }
        }
        let config = crate::Config::builder("BRN-0001-1", doku_sign::SecretKey::new("SK"))
            .environment(crate::Environment::Custom("http://127.0.0.1:9".into()))
            .build()
            .unwrap();
        let client = Client::new(config).unwrap();
        let err = client.send(Elsewhere).await.unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("get_business_data")),
            "{err:?}"
        );
    }

    #[test]
    fn a_call_is_the_operation_and_its_options() {
        let query = RequirementsQuery::personal("ID");
        let plain: Call<&RequirementsQuery> = (&query).into();
        assert!(plain.request_id.is_none() && plain.deadline.is_none());
        let id = RequestId::new("req-9").unwrap();
        let call = Call::new(&query)
            .request_id(id.clone())
            .deadline(Duration::from_secs(5));
        assert_eq!(call.request_id, Some(id));
        assert_eq!(call.deadline, Some(Duration::from_secs(5)));
        assert_eq!(*call.operation(), &query);
    }
}
