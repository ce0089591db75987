//! The crate's error enum.

use crate::decode::DecodeError;
use crate::validate::ValidationErrors;

/// Everything that can go wrong in `doku-model`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A constrained value (an identifier, a boundary, a query parameter) was refused at
    /// construction.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What was being built, e.g. `Request-Id`.
        what: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A JSON body could not be decoded; the error names the JSON path.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A request failed validation; every violation is listed.
    #[error(transparent)]
    Validation(#[from] ValidationErrors),
    /// A `multipart/form-data` body could not be built or parsed.
    #[error("multipart body: {0}")]
    Multipart(String),
    /// A query string could not be parsed.
    #[error("query string: {0}")]
    Query(String),
}

impl Error {
    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            what,
            reason: reason.into(),
        }
    }
}
