//! The SNAP Virtual Account calls as [`SnapOperation`]s: doku-model's request types, each
//! validated (every problem at once) and serialised compactly once.

use doku_model::snap::{
    CheckStatusVaRequest, CheckStatusVaResponse, CreateVaRequest, DeleteVaRequest, UpdateVaRequest,
    VaResponse,
};
use doku_model::Endpoint;

use crate::api::{json_body, validated};
use crate::error::Error;
use crate::snap::SnapOperation;

/// Create VA (`POST …/transfer-va/create-va`, success `2002700`).
impl SnapOperation for CreateVaRequest {
    type Answer = VaResponse;
    const ENDPOINT: Endpoint = Endpoint::CreateVa;

    fn to_body(&self) -> Result<Vec<u8>, Error> {
        validated(self)?;
        json_body(self)
    }
}

/// Update VA (`PUT …/transfer-va/update-va`, success `2002800`).
impl SnapOperation for UpdateVaRequest {
    type Answer = VaResponse;
    const ENDPOINT: Endpoint = Endpoint::UpdateVa;

    fn to_body(&self) -> Result<Vec<u8>, Error> {
        validated(self)?;
        json_body(self)
    }
}

/// Delete VA (`DELETE …/transfer-va/delete-va`, success `2003100`).
impl SnapOperation for DeleteVaRequest {
    type Answer = VaResponse;
    const ENDPOINT: Endpoint = Endpoint::DeleteVa;

    fn to_body(&self) -> Result<Vec<u8>, Error> {
        validated(self)?;
        json_body(self)
    }
}

/// Check Status VA (`POST /orders/v1.0/transfer-va/status`, success `2002600`).
impl SnapOperation for CheckStatusVaRequest {
    type Answer = CheckStatusVaResponse;
    const ENDPOINT: Endpoint = Endpoint::VaStatus;

    fn to_body(&self) -> Result<Vec<u8>, Error> {
        validated(self)?;
        json_body(self)
    }
}
