//! `GET /orders/v1/status/{invoice_number or Request-Id}`: the order in DOKU's Check Status
//! shape, which is also the body of the payment notification ("The response will be similar
//! to HTTP notification").

use http::StatusCode;

use super::Req;
use crate::channels;
use crate::checkout_errors::business;
use crate::orders::{Order, PayState};
use crate::response::Reply;
use crate::state::App;

pub(crate) fn handle(app: &App, req: &Req<'_>) -> Reply {
    let id = super::path_parameter(req);
    let found = app.orders().find(req.client_id, &id).cloned();
    match found {
        Ok(order) => {
            app.stats().status_checks += 1;
            Reply::json(StatusCode::OK, &body(&order))
        }
        Err(missing) => business(missing.status(), missing.message()),
    }
}

/// The order as Check Status shows it and as its notification carries it: `service`,
/// `acquirer` and `channel` ids are `null` until a payment went through one; then they, and the
/// channel's own blocks ([`channels::blocks`]), are those of the method the order was paid with.
pub(crate) fn body(order: &Order) -> serde_json::Value {
    let amount: serde_json::Value = order
        .amount
        .whole()
        .map(Into::into)
        .unwrap_or_else(|| order.amount.to_canonical().into());
    let date = order.paid.unwrap_or(order.created);
    let mut body = serde_json::json!({
        "order": {
            "invoice_number": order.invoice_number,
            "amount": amount,
            "status": order.state.order_status(),
        },
        "transaction": {
            "status": order.state.transaction_status(),
            "type": "PAYMENT",
            "date": doku_sign::timestamp::format_utc(date),
            "original_request_id": order.request_id,
        },
        "additional_info": {
            "origin": {"product": "CHECKOUT", "system": "doku-sim", "api_format": "JOKUL", "source": "direct"},
        },
    });
    let Some(fields) = body.as_object_mut() else {
        return body;
    };
    match order.state {
        PayState::Pending => {
            for party in ["service", "acquirer", "channel"] {
                fields.insert(party.into(), serde_json::json!({ "id": null }));
            }
        }
        _ => {
            let method = order.method.as_deref().unwrap_or(channels::DEFAULT_METHOD);
            fields.extend(
                channels::parties(method)
                    .into_iter()
                    .map(|(name, value)| (name.to_owned(), value)),
            );
            fields.extend(channels::blocks(order, method));
        }
    }
    body
}
