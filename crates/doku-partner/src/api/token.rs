//! Generate Token (`POST /token`).

use doku_model::TokenResponse;

use crate::client::Client;
use crate::endpoint::CallOptions;
use crate::error::Error;

impl Client {
    /// Generate Token: asks DOKU for a new bearer token, caches it, and returns it.
    ///
    /// The other methods get their token from the cache (fetching one when needed), so
    /// calling this is optional. `TokenResponse`'s `Debug` hides the token.
    ///
    /// # Errors
    ///
    /// See [`Client::execute`].
    pub async fn token(&self) -> Result<TokenResponse, Error> {
        self.token_with(CallOptions::default()).await
    }

    /// [`Client::token`] with per-call options (e.g. a caller-supplied Request-Id).
    ///
    /// # Errors
    ///
    /// See [`Client::execute`].
    pub async fn token_with(&self, options: CallOptions) -> Result<TokenResponse, Error> {
        let (response, fetched_at) = self.fetch_token(options).await?;
        self.cache_token(&response.token, fetched_at);
        Ok(response)
    }
}
