//! Check Requirements (`GET /file?…`).

use doku_model::{Endpoint, RequirementsQuery, RequirementsResponse};

use super::validated;
use crate::client::Client;
use crate::error::Error;
use crate::request::{ApiRequest, CallOptions};

impl Client {
    /// Check Requirements: which documents a kind of business must upload.
    ///
    /// Sent with the bearer token (DOKU's overview flow). The query string is not part of the
    /// signed Request-Target.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] before any network call; otherwise see [`Client::execute`].
    pub async fn check_requirements(
        &self,
        query: &RequirementsQuery,
    ) -> Result<RequirementsResponse, Error> {
        self.check_requirements_with(query, CallOptions::default())
            .await
    }

    /// [`Client::check_requirements`] with per-call options.
    ///
    /// # Errors
    ///
    /// As [`Client::check_requirements`].
    pub async fn check_requirements_with(
        &self,
        query: &RequirementsQuery,
        options: CallOptions,
    ) -> Result<RequirementsResponse, Error> {
        self.execute(&ApiRequest::check_requirements(query)?, options)
            .await
    }
}

impl ApiRequest {
    /// Check Requirements, described: validated — exactly what [`Client::check_requirements`]
    /// sends.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`] (every violation).
    pub fn check_requirements(query: &RequirementsQuery) -> Result<Self, Error> {
        validated(query)?;
        Ok(Self::get(
            Endpoint::CheckRequirements,
            Some(query.to_query_string()),
        ))
    }
}
