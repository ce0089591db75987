//! Check Requirements (`GET /file?…`).

use doku_model::{Endpoint, RequirementsQuery, RequirementsResponse};

use super::validated;
use crate::client::Client;
use crate::error::Error;
use crate::operation::{Operation, RequestContext};
use crate::request::ApiRequest;

/// Check Requirements: which documents a kind of business must upload.
///
/// Sent with the bearer token (DOKU's overview flow). The query string is not part of the
/// signed Request-Target. Validated before anything is sent.
impl Operation for RequirementsQuery {
    type Sender = Client;
    type Answer = RequirementsResponse;
    const ENDPOINT: Endpoint = Endpoint::CheckRequirements;

    fn to_request(&self, _: &RequestContext<'_>) -> Result<ApiRequest, Error> {
        validated(self)?;
        Ok(ApiRequest::get(
            Self::ENDPOINT,
            Some(self.to_query_string()),
        ))
    }
}
