//! `POST /checkout/v1/payment`: creates a Checkout order and answers in DOKU's shape
//! (`message: ["SUCCESS"]`, `response.order` with the amount as a string, `response.payment`
//! with the page `url`, `token_id`, `expired_date`, `expired_datetime`,
//! `additional_info.origin`, a 40-digit numeric `uuid`, and the request's `headers`).

use doku_model::{decode, CheckoutRequest, PaymentMethod, Validate};
use doku_sign::headers;
use http::StatusCode;

use super::{require_json, try_reply, Req};
use crate::channels;
use crate::checkout_errors::{business, validation};
use crate::doubts;
use crate::orders::{Order, PageInfo, PayState, Refused};
use crate::response::Reply;
use crate::signature_check::header;
use crate::state::App;

/// Minutes a payment page lives when the request does not say (DOKU's default).
const DEFAULT_DUE_MINUTES: u32 = 60;
/// Stands in for the `uuid` number while the answer is serialised (a JSON number of 40 digits
/// does not fit `serde_json::Value`).
const UUID_PLACEHOLDER: &str = "\"uuid\":\"doku-sim-uuid\"";

pub(crate) fn handle(app: &App, req: &Req<'_>) -> Reply {
    try_reply!(require_json(app, req));
    let request: CheckoutRequest = match decode(req.body) {
        Ok(r) => r,
        Err(e) => return validation(vec![e.to_string()]),
    };
    if let Err(errors) = request.validate() {
        let messages = errors
            .violations()
            .iter()
            .map(|v| format!("{} {}", v.path, v.message))
            .collect();
        return validation(messages);
    }
    if let Err(refusal) = doubts::settle(app, "checkout", doubts::of_checkout(&request)) {
        return validation(refusal);
    }
    let order = &request.order;
    // Omitted: DOKU answers with every method enabled on the account (all of them here).
    let methods: Vec<String> = request
        .payment
        .as_ref()
        .and_then(|p| p.payment_method_types.as_ref())
        .map(|m| m.iter().map(|m| m.as_str().to_owned()).collect())
        .unwrap_or_else(|| {
            PaymentMethod::KNOWN
                .iter()
                .map(|m| (*m).to_owned())
                .collect()
        });
    let due = request
        .payment
        .as_ref()
        .and_then(|p| p.payment_due_date)
        .map_or(DEFAULT_DUE_MINUTES, |m| m.get());
    let override_url = request
        .additional_info
        .as_ref()
        .and_then(|a| a.override_notification_url.clone());
    let now = app.config.clock.unix_seconds();
    let session = uuid::Uuid::new_v4().simple().to_string();
    let token_id = format!("{session}{}", now.unsigned_abs().saturating_mul(1000));
    let expires = now.saturating_add(i64::from(due) * 60);
    let customer_name = request.customer.as_ref().and_then(|c| {
        let name = [c.name.as_deref(), c.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        (!name.is_empty()).then_some(name)
    });
    let page = PageInfo {
        token_id: token_id.clone(),
        methods: methods.clone(),
        expires,
        callback_url: order.callback_url.clone(),
        callback_url_cancel: order.callback_url_cancel.clone(),
        callback_url_result: order.callback_url_result.clone(),
        auto_redirect: order.auto_redirect,
        customer_name,
    };
    let stored = Order {
        owner: req.client_id.to_owned(),
        invoice_number: order.invoice_number.clone(),
        amount: order.amount.clone(),
        request_id: req.request_id.to_owned(),
        created: now,
        paid: None,
        state: PayState::Pending,
        method: methods.first().cloned(),
        override_notification_url: override_url.clone(),
        page,
        seq: 0,
    };
    let inserted = app.orders().insert(stored, !app.config.strict);
    match inserted {
        Ok(false) => {}
        Ok(true) => {
            let doubt = doubts::Doubt {
                field: "order.invoice_number",
                why: doubts::UNPAID_INVOICE_REUSED,
            };
            // Replaced only when not strict: logged and counted.
            doubts::warn(app, "checkout", &doubt);
        }
        Err(Refused::DuplicateInvoice | Refused::PendingInvoice) => {
            return business(StatusCode::BAD_REQUEST, "INVOICE NUMBER ALREADY USED")
        }
        Err(Refused::Full) => {
            return business(
                StatusCode::SERVICE_UNAVAILABLE,
                "TOO MANY ORDERS IN THE SIMULATOR",
            )
        }
    }
    app.stats().checkouts += 1;

    // DOKU writes `expired_date` in Jakarta time (UTC+7), `yyyyMMddHHmmss`, and (seen in a
    // 2025 answer) `expired_datetime` in UTC ISO 8601.
    let expired_date = channels::wib_compact(expires);
    let mut additional_info = serde_json::json!({
        "origin": {"product": "CHECKOUT", "system": "doku-sim", "apiFormat": "JOKUL", "source": "direct"}
    });
    if let Some(url) = override_url {
        additional_info["override_notification_url"] = url.into();
    }
    let answer = serde_json::json!({
        "message": ["SUCCESS"],
        "response": {
            "order": {
                "amount": order.amount.to_canonical(),
                "invoice_number": order.invoice_number,
                "currency": order.currency.as_deref().unwrap_or("IDR"),
                "session_id": session,
            },
            "payment": {
                "payment_method_types": methods,
                "payment_due_date": due,
                "token_id": token_id,
                "url": format!("{}/checkout-link-v2/{token_id}", app.base_url),
                "expired_date": expired_date,
                "expired_datetime": doku_sign::timestamp::format_utc(expires),
            },
            "additional_info": additional_info,
            "uuid": "doku-sim-uuid",
            "headers": {
                "request_id": req.request_id,
                "signature": header(req.headers, headers::SIGNATURE).unwrap_or_default(),
                "date": header(req.headers, headers::REQUEST_TIMESTAMP).unwrap_or_default(),
                "client_id": req.client_id,
            },
        }
    });
    let text = serde_json::to_string(&answer).unwrap_or_default();
    let uuid = forty_digits();
    let text = text.replacen(UUID_PLACEHOLDER, &format!("\"uuid\":{uuid}"), 1);
    Reply::json_bytes(StatusCode::OK, text.into())
}

/// A 40-digit decimal number, like DOKU's `response.uuid`.
fn forty_digits() -> String {
    let a = uuid::Uuid::new_v4().as_u128() % 10u128.pow(19);
    let b = uuid::Uuid::new_v4().as_u128() % 10u128.pow(20);
    format!("{}{a:019}{b:020}", 1 + (b % 9))
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuid_has_forty_digits() {
        for _ in 0..100 {
            let n = super::forty_digits();
            assert_eq!(n.len(), 40, "{n}");
            assert!(n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0'));
        }
    }
}
