//! DOKU's published and observed Checkout, Check Status and notification bodies
//! (tests/doku-samples/checkout/, each with its source in the README there) decode into the
//! typed model with nothing lost or moved, and what a merchant needs reads the same whichever
//! form DOKU used (`20000` / `"39000"` / `19000.00`, `identifer` / `identifier`,
//! `apiFormat` / `api_format`, `null` channel ids, a 40-digit `uuid`).
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::PathBuf;

use doku_model::{
    Amount, CheckStatusResponse, CheckoutRequest, CheckoutResponse, OrderState, PaymentMethod,
    PaymentNotification, TransactionStatus, Validate,
};
use serde::{de::DeserializeOwned, Serialize};

fn folder() -> PathBuf {
    common::folder("checkout")
}

fn round_trip<T: DeserializeOwned + Serialize>(name: &str) -> T {
    common::round_trip(&folder(), name)
}

const CHECKS: &[(&str, fn())] = &[
    ("basic.request.json", basic_request),
    ("full.request.json", full_request),
    ("plugin.request.json", plugin_request),
    ("create.response.json", create_response),
    ("create-2025.response.json", create_2025_response),
    ("check-status-o2o.response.json", check_status_o2o),
    ("check-status-va.response.json", check_status_va),
    ("check-status-pending.response.json", check_status_pending),
    ("notification-bca-va.json", notification_bca_va),
    ("notification-qris.json", notification_qris),
];

fn basic_request() {
    let req: CheckoutRequest = round_trip("basic.request.json");
    req.validate().unwrap();
    assert_eq!(req.order.amount, Amount::idr(20000));
    assert_eq!(
        serde_json::to_vec(&CheckoutRequest::new(20000, "INV-20210231-0001").due_in_minutes(60))
            .unwrap(),
        serde_json::to_vec(&req).unwrap(),
        "the builder writes DOKU's basic request"
    );
}

fn full_request() {
    let req: CheckoutRequest = round_trip("full.request.json");
    // DOKU's own sample offers cards with a longer invoice number than cards allow once its
    // `{{$timestamp}}` is filled in; ours fits. Everything else is within the limits.
    req.validate().unwrap();
    let methods = req
        .payment
        .as_ref()
        .unwrap()
        .payment_method_types
        .as_ref()
        .unwrap();
    assert!(methods.contains(&PaymentMethod::EmoneyShopeepay));
    assert!(methods.iter().all(|m| !m.is_unknown()), "{methods:?}");
    assert_eq!(
        req.additional_info
            .unwrap()
            .override_notification_url
            .as_deref(),
        Some("https://another.example.com/payments/notifications")
    );
}

fn plugin_request() {
    let req: CheckoutRequest = round_trip("plugin.request.json");
    req.validate().unwrap();
    let due = req.payment.unwrap().payment_due_date.unwrap();
    assert_eq!(due.get(), 30, "the string \"30\" DOKU accepted");
    assert!(req
        .additional_info
        .unwrap()
        .extra
        .contains_key("integration"));
}

fn create_response() {
    let resp: CheckoutResponse = round_trip("create.response.json");
    assert_eq!(resp.message, ["SUCCESS"]);
    assert!(resp
        .payment_url()
        .starts_with("https://sandbox.doku.com/checkout-link-v2/"));
    assert_eq!(
        resp.response.order.amount,
        Amount::idr(20000),
        "\"20000\" is 20000"
    );
    let uuid = resp.response.uuid.as_ref().unwrap();
    assert_eq!(uuid.as_str(), "2225240712094712339107164227041411929328");
    let text = serde_json::to_string(&resp).unwrap();
    assert!(
        text.contains("\"uuid\":2225240712094712339107164227041411929328"),
        "the 40-digit uuid is written back exactly: {text}"
    );
    let info = resp.response.additional_info.as_ref().unwrap();
    assert_eq!(info.api_format(), Some("JOKUL"));
}

fn create_2025_response() {
    let resp: CheckoutResponse = round_trip("create-2025.response.json");
    assert!(resp.payment_url().starts_with("https://staging.doku.com/"));
    assert_eq!(
        resp.response.payment.expired_datetime.as_deref(),
        Some("2025-12-04T07:57:32Z")
    );
    let items = resp.response.order.line_items.as_ref().unwrap();
    assert_eq!(items[0].price, Some(Amount::idr(39000)));
}

fn check_status_o2o() {
    let status: CheckStatusResponse = round_trip("check-status-o2o.response.json");
    assert_eq!(status.transaction.status, TransactionStatus::Success);
    assert!(status.transaction.status.is_final());
    assert_eq!(status.payment_identifiers(), vec![("AGENT_ID", "ALFAMART")]);
}

fn check_status_va() {
    let status: CheckStatusResponse = round_trip("check-status-va.response.json");
    assert_eq!(status.order.amount, Some(Amount::idr(39000)));
    assert_eq!(status.order.status, Some(OrderState::OrderGenerated));
    assert_eq!(status.api_format(), Some("JOKUL"));
    assert_eq!(status.payment_identifiers().len(), 3);
    assert_eq!(
        status.channel.as_ref().unwrap().id.as_deref(),
        Some("VIRTUAL_ACCOUNT_BCA")
    );
}

fn check_status_pending() {
    let status: CheckStatusResponse = round_trip("check-status-pending.response.json");
    assert_eq!(status.transaction.status, TransactionStatus::Pending);
    assert!(!status.transaction.status.is_final());
    for party in [&status.service, &status.acquirer, &status.channel] {
        assert_eq!(
            party.as_ref().unwrap().id,
            None,
            "null until a channel is picked"
        );
    }
}

fn notification_bca_va() {
    let n: PaymentNotification = round_trip("notification-bca-va.json");
    assert_eq!(n.order.amount, Some(Amount::idr(150000)));
    assert_eq!(
        n.payment_identifiers(),
        vec![
            ("REQUEST_ID", "7892931"),
            ("REFERENCE", "6769200"),
            ("CHANNEL_TYPE", "6010")
        ],
        "DOKU's `identifer` spelling is read"
    );
}

fn notification_qris() {
    let n: PaymentNotification = round_trip("notification-qris.json");
    let amount = n.order.amount.as_ref().unwrap();
    assert_eq!(amount, &Amount::idr(19000), "19000.00 is 19000");
    assert_eq!(amount.whole(), Some(19000));
    assert!(n.order.extra.contains_key("tips"));
    assert!(n.extra.contains_key("issuer") && n.extra.contains_key("merchant"));
    // Checkout's FAILED is not final (the customer may retry); SUCCESS is.
    assert!(n.transaction.status.is_final());
    assert!(!TransactionStatus::Failed.is_final());
}

#[test]
fn every_checkout_sample_decodes_with_nothing_lost_or_moved() {
    common::walk(&folder(), CHECKS);
}

/// Amounts are read from the number's text, also inside the flattened request types: what
/// `f64` would round (`19999.99999999999999` → 20000, `1e2` → 100, `" 5"` → 5) is refused with
/// the field's path and the reason, and every form DOKU writes is still read.
#[test]
fn checkout_amounts_are_read_exactly_and_refusals_name_the_field() {
    let request = |amount: &str, price: &str| {
        format!(
            r#"{{"order":{{"amount":{amount},"invoice_number":"INV-1","line_items":[{{"name":"a","price":{price},"quantity":1}}]}}}}"#
        )
    };
    for (amount, price, path, why) in [
        (
            "19999.99999999999999",
            "20000",
            "order.amount",
            "more than 2 decimal places",
        ),
        ("1e2", "100", "order.amount", "exponent"),
        ("\" 5\"", "5", "order.amount", "spaces"),
        ("100", "1e2", "order.line_items[0].price", "exponent"),
        (
            "100",
            "99.999",
            "order.line_items[0].price",
            "more than 2 decimal places",
        ),
    ] {
        let err =
            doku_model::decode::<CheckoutRequest>(request(amount, price).as_bytes()).unwrap_err();
        assert_eq!(err.path, path, "{amount} / {price}: {err}");
        assert!(err.message.contains(why), "{amount} / {price}: {err}");
    }
    for (amount, price) in [
        ("10000", "10000"),
        ("10000.00", "\"10000.00\""),
        ("\"10000\"", "10000.0"),
    ] {
        let req: CheckoutRequest = doku_model::decode(request(amount, price).as_bytes()).unwrap();
        assert_eq!(req.order.amount, Amount::idr(10000), "{amount}");
        let items = req.order.line_items.unwrap();
        assert_eq!(items[0].price, Some(Amount::idr(10000)), "{price}");
    }
}

/// `order.line_items` is capped while it is decoded: up to `MAX_LINE_ITEMS` items decode, one
/// more is refused (before it is decoded), and the error says it is a resource bound.
#[test]
fn line_items_are_capped_while_decoding() {
    let body = |n: usize| {
        let items = vec!["{}"; n].join(",");
        format!(r#"{{"order":{{"amount":1,"invoice_number":"INV-1","line_items":[{items}]}}}}"#)
    };
    let max = doku_model::MAX_LINE_ITEMS;
    let req: CheckoutRequest = doku_model::decode(body(max).as_bytes()).unwrap();
    assert_eq!(req.order.line_items.map(|i| i.len()), Some(max));
    for n in [max + 1, 1_000_000] {
        let err = doku_model::decode::<CheckoutRequest>(body(n).as_bytes()).unwrap_err();
        assert!(err.path.starts_with("order.line_items"), "{err}");
        assert!(
            err.message.contains(&format!("more than {max} line items"))
                && err.message.contains("resource bound"),
            "{err}"
        );
    }
    let none: CheckoutRequest =
        doku_model::decode(br#"{"order":{"amount":1,"invoice_number":"I","line_items":null}}"#)
            .unwrap();
    assert_eq!(none.order.line_items, None);
}
