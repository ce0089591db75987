//! Business Registration, Create Business Lite and Get Business Data.

use doku_model::{
    BusinessData, BusinessLiteRequest, BusinessLiteResponse, BusinessRegistrationRequest,
    BusinessRegistrationResponse, ClientId, Endpoint,
};

use super::{json_body, validated};
use crate::client::Client;
use crate::error::Error;
use crate::request::{ApiRequest, CallOptions};

impl Client {
    /// Business Registration (`POST /business`): registers a full business with its uploaded
    /// documents.
    ///
    /// Retried on connection failures, timeouts and 429/502/503/504 with the same Request-Id;
    /// DOKU's 409 replay of an already processed registration is returned as success, so a
    /// retry never registers twice.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] (every violation) before any network call; otherwise see
    /// [`Client::execute`].
    pub async fn register_business(
        &self,
        request: &BusinessRegistrationRequest,
    ) -> Result<BusinessRegistrationResponse, Error> {
        self.register_business_with(request, CallOptions::default())
            .await
    }

    /// [`Client::register_business`] with per-call options — pass the Request-Id of an earlier
    /// attempt whose outcome is unknown to retry it without registering twice.
    ///
    /// # Errors
    ///
    /// As [`Client::register_business`].
    pub async fn register_business_with(
        &self,
        request: &BusinessRegistrationRequest,
        options: CallOptions,
    ) -> Result<BusinessRegistrationResponse, Error> {
        self.execute(&ApiRequest::business_registration(request)?, options)
            .await
    }

    /// Create Business Lite (`POST /business/lite/registration`): invites the business owner
    /// to finish registration in the DOKU Dashboard.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] before any network call; otherwise see [`Client::execute`].
    pub async fn create_business_lite(
        &self,
        request: &BusinessLiteRequest,
    ) -> Result<BusinessLiteResponse, Error> {
        self.create_business_lite_with(request, CallOptions::default())
            .await
    }

    /// [`Client::create_business_lite`] with per-call options.
    ///
    /// # Errors
    ///
    /// As [`Client::create_business_lite`].
    pub async fn create_business_lite_with(
        &self,
        request: &BusinessLiteRequest,
        options: CallOptions,
    ) -> Result<BusinessLiteResponse, Error> {
        self.execute(&ApiRequest::business_lite(request)?, options)
            .await
    }

    /// Get Business Data (`GET /business/{client id}`): what DOKU holds for a business under
    /// the partner. `BusinessData`'s brands carry a `shared_key` whose `Debug` is redacted.
    ///
    /// # Errors
    ///
    /// See [`Client::execute`] (an unknown id is [`Error::Api`] with status 404).
    pub async fn get_business(&self, client_id: &ClientId) -> Result<BusinessData, Error> {
        self.get_business_with(client_id, CallOptions::default())
            .await
    }

    /// [`Client::get_business`] with per-call options.
    ///
    /// # Errors
    ///
    /// As [`Client::get_business`].
    pub async fn get_business_with(
        &self,
        client_id: &ClientId,
        options: CallOptions,
    ) -> Result<BusinessData, Error> {
        self.execute(&ApiRequest::get_business(client_id), options)
            .await
    }
}

impl ApiRequest {
    /// Business Registration, described: validated and serialised — exactly what
    /// [`Client::register_business`] sends. With [`Client::execute_answer`] it gives DOKU's
    /// body as received.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] (every violation).
    pub fn business_registration(request: &BusinessRegistrationRequest) -> Result<Self, Error> {
        validated(request)?;
        Ok(Self::post_json(
            Endpoint::BusinessRegistration,
            json_body(request)?,
        ))
    }

    /// Create Business Lite, described (see [`ApiRequest::business_registration`]).
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] (every violation).
    pub fn business_lite(request: &BusinessLiteRequest) -> Result<Self, Error> {
        validated(request)?;
        Ok(Self::post_json(Endpoint::BusinessLite, json_body(request)?))
    }

    /// Get Business Data, described.
    pub fn get_business(client_id: &ClientId) -> Self {
        Self::get_at(Endpoint::GetBusinessData, client_id.as_str())
    }
}
