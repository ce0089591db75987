//! `GET /orders/v1/status/{invoice_number or Request-Id}`: the order in DOKU's Check Status
//! shape, which is also the body of the payment notification ("The response will be similar
//! to HTTP notification").

use http::StatusCode;

use super::Req;
use crate::checkout_errors::business;
use crate::orders::{Order, PayState};
use crate::response::Reply;
use crate::state::App;

pub(crate) fn handle(app: &App, req: &Req<'_>) -> Reply {
    let id = super::path_parameter(req);
    let found = app.orders().find(req.client_id, id).cloned();
    match found {
        Some(order) => {
            app.stats().status_checks += 1;
            Reply::json(StatusCode::OK, &body(&order))
        }
        None => business(StatusCode::NOT_FOUND, "ORDER NOT FOUND"),
    }
}

/// `service`, `acquirer` and `channel` ids of a payment through `method`.
fn channel(method: Option<&str>) -> (String, String, String) {
    let method = method.unwrap_or("VIRTUAL_ACCOUNT_BCA");
    match method.strip_prefix("VIRTUAL_ACCOUNT_") {
        Some(bank) => (
            "VIRTUAL_ACCOUNT".to_owned(),
            bank.split('_').next().unwrap_or(bank).to_owned(),
            method.to_owned(),
        ),
        None => (method.to_owned(), "DOKU".to_owned(), method.to_owned()),
    }
}

/// The order as Check Status shows it and as its notification carries it: ids of the service,
/// acquirer and channel are `null` until a payment went through one.
pub(crate) fn body(order: &Order) -> serde_json::Value {
    let amount: serde_json::Value = order
        .amount
        .whole()
        .map(Into::into)
        .unwrap_or_else(|| order.amount.to_canonical().into());
    let date = order.paid.unwrap_or(order.created);
    let (service, acquirer, channel) = match order.state {
        PayState::Pending => (
            serde_json::Value::Null,
            serde_json::Value::Null,
            serde_json::Value::Null,
        ),
        _ => {
            let (s, a, c) = channel(order.method.as_deref());
            (s.into(), a.into(), c.into())
        }
    };
    serde_json::json!({
        "order": {
            "invoice_number": order.invoice_number,
            "amount": amount,
            "status": order.state.order_status(),
        },
        "transaction": {
            "status": order.state.transaction_status(),
            "date": doku_sign::timestamp::format_utc(date),
            "original_request_id": order.request_id,
        },
        "service": {"id": service},
        "acquirer": {"id": acquirer},
        "channel": {"id": channel},
    })
}
