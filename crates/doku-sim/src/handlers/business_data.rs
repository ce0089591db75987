//! `GET /business/{client_id}`: what was registered.

use http::StatusCode;

use super::Req;
use crate::echo::echo;
use crate::response::Reply;
use crate::state::App;

pub(crate) fn handle(app: &App, req: &Req<'_>) -> Reply {
    let id = super::path_parameter(req);
    let found = app
        .store()
        .businesses
        .get(id.as_ref())
        .filter(|b| b.owner == req.client_id)
        .map(|b| b.data.clone());
    match found {
        Some(data) => {
            app.stats().business_data_reads += 1;
            Reply::json(StatusCode::OK, &data)
        }
        None => Reply::error(
            StatusCode::NOT_FOUND,
            "business_not_found",
            format!(
                "no business with client id {} under this partner",
                echo(&id)
            ),
        ),
    }
}
