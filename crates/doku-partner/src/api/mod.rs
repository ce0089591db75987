//! One typed request per Partner API endpoint: its [`Operation`](crate::Operation) impl, and
//! the small request types of calls that take only an id.

pub(crate) mod business;
mod requirements;
pub(crate) mod token;
pub(crate) mod upload;

use doku_model::Validate;

use crate::error::Error;

/// Validates `request`, turning violations into [`Error::Validation`].
pub(crate) fn validated<T: Validate + ?Sized>(request: &T) -> Result<(), Error> {
    request.validate().map_err(Error::Validation)
}

/// Serialises a validated request body to the exact bytes that will be signed and sent.
pub(crate) fn json_body<T: serde::Serialize + ?Sized>(request: &T) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(request)
        .map_err(|e| Error::Config(format!("cannot serialise the request: {e}")))
}
