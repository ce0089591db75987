//! Generate Token (`POST /token`), and the cached token every other call sends.

use doku_model::{Endpoint, TokenRequest, TokenResponse};

use super::json_body;
use crate::client::Client;
use crate::error::Error;
use crate::operation::{Call, Operation, RequestContext};
use crate::request::ApiRequest;
use crate::token_cache::{bearer_value, AccessToken};

/// Generate Token (`POST /token`): asks DOKU for a new bearer token, which
/// [`Client::send`] caches and returns.
///
/// Optional: every call that needs a token gets one from the cache, fetching one when needed.
/// The body is `grant_type=client_credentials` with the configured
/// [`token_valid_minutes`](crate::ConfigBuilder::token_valid_minutes) as `valid_time`, so the
/// cache knows the token's lifetime. `TokenResponse`'s `Debug` hides the token.
///
/// ```no_run
/// # async fn run(client: doku_partner::Client) -> Result<(), doku_partner::Error> {
/// let token = client.send(doku_partner::GenerateToken::new()).await?;
/// println!("a token, fetched under Request-Id {}", token.request_id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GenerateToken {}

impl GenerateToken {
    /// The Generate Token call.
    pub fn new() -> Self {
        Self {}
    }
}

impl Operation for GenerateToken {
    type Sender = Client;
    type Answer = TokenResponse;
    const ENDPOINT: Endpoint = Endpoint::Token;

    fn to_request(&self, context: &RequestContext<'_>) -> Result<ApiRequest, Error> {
        let mut body = TokenRequest::client_credentials();
        if let Some(minutes) = context.token_valid_minutes() {
            body = body.with_valid_time(minutes);
        }
        Ok(ApiRequest::post_json(Self::ENDPOINT, json_body(&body)?))
    }
}

impl Client {
    /// Calls Generate Token (without caching the answer); also returns the Unix second at
    /// which the call started, from which the token's lifetime counts.
    async fn fetch_token(&self) -> Result<(TokenResponse, i64), Error> {
        let fetched_at = self.inner.config.clock.unix_seconds();
        let answer = self
            .dispatch(&self.partner_caller(), Call::new(GenerateToken::new()))
            .await?;
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
                    let (response, fetched_at) = Box::pin(self.fetch_token()).await?;
                    Ok((response.token, fetched_at))
                },
            )
            .await
    }
}
