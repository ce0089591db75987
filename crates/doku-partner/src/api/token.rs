//! Generate Token (`POST /token`), and the cached token every other call sends.

use doku_model::{Endpoint, TokenRequest, TokenResponse};

use crate::client::{Answer, Client};
use crate::error::Error;
use crate::request::{ApiRequest, CallOptions};
use crate::token_cache::{bearer_value, AccessToken};

impl Client {
    /// Generate Token: asks DOKU for a new bearer token, caches it, and returns it.
    ///
    /// The other methods get their token from the cache (fetching one when needed), so
    /// calling this is optional. `TokenResponse`'s `Debug` hides the token.
    ///
    /// # Errors
    ///
    /// See [`Client::execute`]; [`Error::InvalidToken`] when DOKU's token is empty or not valid
    /// in an HTTP header.
    pub async fn token(&self) -> Result<TokenResponse, Error> {
        self.token_with(CallOptions::default()).await
    }

    /// [`Client::token`] with per-call options (e.g. a caller-supplied Request-Id).
    ///
    /// # Errors
    ///
    /// As [`Client::token`].
    pub async fn token_with(&self, options: CallOptions) -> Result<TokenResponse, Error> {
        let (response, fetched_at) = self.fetch_token(options).await?;
        self.inner.tokens.store(&response.token, fetched_at);
        Ok(response)
    }

    /// Calls Generate Token with `options` (without caching the answer); also returns the
    /// Unix second at which the call started, from which the token's lifetime counts.
    async fn fetch_token(&self, options: CallOptions) -> Result<(TokenResponse, i64), Error> {
        let fetched_at = self.inner.config.clock.unix_seconds();
        let mut body = TokenRequest::client_credentials();
        if let Some(minutes) = self.inner.config.token_valid_minutes {
            body = body.with_valid_time(minutes);
        }
        let bytes =
            serde_json::to_vec(&body).map_err(|e| Error::Config(format!("token body: {e}")))?;
        let request = ApiRequest::post_json(Endpoint::Token, bytes);
        let answer: Answer<TokenResponse> = self.execute_answer(&request, options).await?;
        if bearer_value(&answer.value.token).is_none() {
            return Err(Error::InvalidToken {
                status: answer.status,
                request_id: answer.request_id,
            });
        }
        Ok((answer.value, fetched_at))
    }

    /// The cached bearer token, or a fresh one (single-flight).
    pub(crate) async fn access_token(&self) -> Result<AccessToken, Error> {
        let clock = &self.inner.config.clock;
        self.inner
            .tokens
            .get_or_refresh(
                || clock.unix_seconds(),
                || async {
                    // Boxed: a call fetches a token through a call (a recursive future type).
                    let (response, fetched_at) =
                        Box::pin(self.fetch_token(CallOptions::default())).await?;
                    Ok((response.token, fetched_at))
                },
            )
            .await
    }
}
