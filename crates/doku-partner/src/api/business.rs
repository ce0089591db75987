//! Business Registration, Create Business Lite and Get Business Data.

use doku_model::{
    BusinessData, BusinessLiteRequest, BusinessLiteResponse, BusinessRegistrationRequest,
    BusinessRegistrationResponse, ClientId, Endpoint,
};

use super::{json_body, validated};
use crate::client::Client;
use crate::error::Error;
use crate::operation::{Operation, RequestContext};
use crate::request::ApiRequest;

/// Business Registration (`POST /business`): registers a full business with its uploaded
/// documents.
///
/// Validated before anything is sent. Retried on connection failures, timeouts and
/// 429/502/503/504 with the same Request-Id; DOKU's 409 replay of an already processed
/// registration is returned as success, so a retry never registers twice. To repeat a call
/// whose outcome is unknown, send it again under its Request-Id
/// ([`Call::request_id`](crate::Call::request_id)).
impl Operation for BusinessRegistrationRequest {
    type Sender = Client;
    type Answer = BusinessRegistrationResponse;
    const ENDPOINT: Endpoint = Endpoint::BusinessRegistration;

    fn to_request(&self, _: &RequestContext<'_>) -> Result<ApiRequest, Error> {
        validated(self)?;
        Ok(ApiRequest::post_json(Self::ENDPOINT, json_body(self)?))
    }
}

/// Create Business Lite (`POST /business/lite/registration`): invites the business owner to
/// finish registration in the DOKU Dashboard. Validated before anything is sent.
impl Operation for BusinessLiteRequest {
    type Sender = Client;
    type Answer = BusinessLiteResponse;
    const ENDPOINT: Endpoint = Endpoint::BusinessLite;

    fn to_request(&self, _: &RequestContext<'_>) -> Result<ApiRequest, Error> {
        validated(self)?;
        Ok(ApiRequest::post_json(Self::ENDPOINT, json_body(self)?))
    }
}

/// Get Business Data (`GET /business/{client id}`): what DOKU holds for a business under the
/// partner. [`BusinessData`]'s brands carry a `shared_key` whose `Debug` is redacted; a brand
/// becomes a merchant handle with [`Client::merchant_from_brand`]. An unknown id is
/// [`Error::Api`] with status 404.
///
/// ```no_run
/// # async fn run(client: doku_partner::Client) -> Result<(), doku_partner::Error> {
/// let id = doku_model::ClientId::new("BRN-0104-1678960841263").expect("a Client-Id");
/// let data = client.send(doku_partner::GetBusiness::new(&id)).await?.value;
/// println!("{} brands", data.brands.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetBusiness<'a> {
    client_id: &'a ClientId,
}

impl<'a> GetBusiness<'a> {
    /// Get Business Data of the business (or brand) `client_id`.
    pub fn new(client_id: &'a ClientId) -> Self {
        Self { client_id }
    }

    /// The id asked about.
    pub fn client_id(&self) -> &'a ClientId {
        self.client_id
    }
}

impl Operation for GetBusiness<'_> {
    type Sender = Client;
    type Answer = BusinessData;
    const ENDPOINT: Endpoint = Endpoint::GetBusinessData;

    fn to_request(&self, _: &RequestContext<'_>) -> Result<ApiRequest, Error> {
        Ok(ApiRequest::get_at(Self::ENDPOINT, self.client_id.as_str()))
    }
}
