//! Paying a SNAP Virtual Account: DOKU's calls to the merchant.

use crate::pipeline::Outcome;
use crate::state::App;

/// Answers `POST /doku-sim/v1/pay-va`.
pub(crate) async fn answer(_app: &App, _body: &[u8]) -> Outcome {
    super::control::refusal(
        http::StatusCode::NOT_IMPLEMENTED,
        "not_implemented",
        "paying a Virtual Account is not served yet",
    )
}
