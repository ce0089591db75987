//! Checkout's documented limits, checked before anything is sent.
//!
//! From DOKU's page: amount "In IDR Currency and without decimal", "Max length: 12"; invoice
//! "Max length: 64" (30 when cards are offered); `payment_due_date` "Max Length: 6". From the
//! transcriptions of its tables: line items' "Total price and quantity must match with the
//! order.amount", field lengths, `allow_tenor` values, `expired_recovered_cart` ≤ 44640.

use crate::amount::Amount;
use crate::checkout::{CheckoutRequest, Customer, PaymentMethod};
use crate::validate::{Validate, ValidationErrors};

/// Longest invoice number; with cards offered the acquirers allow 30.
const MAX_INVOICE: usize = 64;
const MAX_INVOICE_WITH_CARDS: usize = 30;
/// "Max length: 12" digits for the amount.
const MAX_AMOUNT_DIGITS: usize = 12;
/// "Max Length: 6" digits for the due date.
const MAX_DUE_MINUTES: u32 = 999_999;
/// Longest recovered-cart lifetime, in minutes (31 days).
const MAX_RECOVERED_CART_MINUTES: u32 = 44_640;
/// "max 16" characters for `customer.phone`.
const MAX_CUSTOMER_PHONE: usize = 16;
/// Card tenors DOKU offers.
const TENORS: [u32; 4] = [0, 3, 6, 12];

impl Validate for CheckoutRequest {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let order = &self.order;
        amount(&mut e, "order.amount", &order.amount);
        let cards = self
            .payment
            .as_ref()
            .and_then(|p| p.payment_method_types.as_ref())
            .is_some_and(|m| m.contains(&PaymentMethod::CreditCard));
        let max_invoice = if cards {
            MAX_INVOICE_WITH_CARDS
        } else {
            MAX_INVOICE
        };
        e.text("order.invoice_number", &order.invoice_number, max_invoice);
        if let Some(c) = &order.currency {
            if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                e.push(
                    "order.currency",
                    format!("{c:?} is not an ISO 4217 code such as \"IDR\""),
                );
            }
        }
        for (path, url) in [
            ("order.callback_url", &order.callback_url),
            ("order.callback_url_cancel", &order.callback_url_cancel),
            ("order.callback_url_result", &order.callback_url_result),
        ] {
            if let Some(url) = url {
                e.url(path, url);
            }
        }
        if let Some(language) = &order.language {
            e.max_chars("order.language", language, 2);
        }
        if let Some(m) = order.expired_recovered_cart {
            if m.get() > MAX_RECOVERED_CART_MINUTES {
                e.push(
                    "order.expired_recovered_cart",
                    format!("at most {MAX_RECOVERED_CART_MINUTES} minutes"),
                );
            }
        }
        if let Some(items) = &order.line_items {
            line_items(&mut e, items, &order.amount);
        }
        if let Some(due) = self.payment.as_ref().and_then(|p| p.payment_due_date) {
            if due.get() == 0 || due.get() > MAX_DUE_MINUTES {
                e.push(
                    "payment.payment_due_date",
                    format!("must be 1 to {MAX_DUE_MINUTES} minutes"),
                );
            }
        }
        if let Some(c) = &self.customer {
            customer(&mut e, c);
        }
        if let Some(info) = &self.additional_info {
            if let Some(url) = &info.override_notification_url {
                e.url("additional_info.override_notification_url", url);
            }
            for (i, t) in info.allow_tenor.iter().flatten().enumerate() {
                if !TENORS.contains(t) {
                    e.push(
                        format!("additional_info.allow_tenor[{i}]"),
                        format!("{t} is not one of 0, 3, 6, 12"),
                    );
                }
            }
        }
        e.into_result()
    }
}

/// A whole, positive amount of at most 12 digits.
fn amount(e: &mut ValidationErrors, path: &str, value: &Amount) {
    if value.whole().is_none() {
        e.push(path, format!("{value} has decimals; IDR amounts are whole"));
    } else if value.is_zero() {
        e.push(path, "must be greater than 0");
    } else if value.integer_digits() > MAX_AMOUNT_DIGITS {
        e.push(
            path,
            format!(
                "has {} digits, at most {MAX_AMOUNT_DIGITS}",
                value.integer_digits()
            ),
        );
    }
}

/// Field limits of each item, and Σ price × quantity = amount when every item has both.
fn line_items(e: &mut ValidationErrors, items: &[crate::checkout::LineItem], total: &Amount) {
    let mut sum: Option<(u128, u32)> = Some((0, 0));
    for (i, item) in items.iter().enumerate() {
        let p = format!("order.line_items[{i}]");
        if let Some(id) = &item.id {
            e.max_chars(&format!("{p}.id"), id.as_str(), 64);
        }
        if let Some(name) = &item.name {
            e.max_chars(&format!("{p}.name"), name, 255);
        }
        let line = match (&item.price, &item.quantity) {
            (Some(price), Some(quantity)) => price
                .scaled()
                .zip(quantity.scaled())
                .and_then(|((pd, ps), (qd, qs))| Some((pd.checked_mul(qd)?, ps + qs))),
            _ => None,
        };
        sum = sum.zip(line).and_then(|(a, b)| add_scaled(a, b));
    }
    if let (Some(sum), Some(total)) = (sum, total.scaled()) {
        if !same_value(sum, total) {
            e.push(
                "order.line_items",
                format!(
                    "price × quantity adds up to {}, not order.amount {total_text}",
                    text(sum),
                    total_text = text(total)
                ),
            );
        }
    }
}

fn customer(e: &mut ValidationErrors, c: &Customer) {
    if let Some(id) = &c.id {
        e.max_chars("customer.id", id.as_str(), 50);
    }
    let limits = [
        ("customer.name", &c.name, 255),
        ("customer.last_name", &c.last_name, 16),
        ("customer.address", &c.address, 400),
    ];
    for (path, value, max) in limits {
        if let Some(v) = value {
            e.max_chars(path, v, max);
        }
    }
    if let Some(email) = &c.email {
        e.email("customer.email", email);
        e.max_chars("customer.email", email, 128);
    }
    // DOKU documents a length ("max 16") and shows `628121212121` as an example, not a
    // digits-only rule; real integrations send `+62…`, so only the length is checked.
    if let Some(phone) = &c.phone {
        e.non_empty("customer.phone", phone);
        e.max_chars("customer.phone", phone, MAX_CUSTOMER_PHONE);
    }
    if let Some(country) = &c.country {
        e.country("customer.country", country);
    }
}

/// `a + b` at the larger scale.
fn add_scaled((ad, as_): (u128, u32), (bd, bs): (u128, u32)) -> Option<(u128, u32)> {
    let scale = as_.max(bs);
    let a = ad.checked_mul(10u128.checked_pow(scale - as_)?)?;
    let b = bd.checked_mul(10u128.checked_pow(scale - bs)?)?;
    Some((a.checked_add(b)?, scale))
}

fn same_value(a: (u128, u32), b: (u128, u32)) -> bool {
    add_scaled(a, (0, b.1)) == add_scaled(b, (0, a.1))
}

fn text((digits, scale): (u128, u32)) -> String {
    if scale == 0 {
        return digits.to_string();
    }
    let s = format!("{digits:0>width$}", width = scale as usize + 1);
    let (int, frac) = s.split_at(s.len() - scale as usize);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkout::{AdditionalInfo, LineItem};

    fn item(price: &str, quantity: &str) -> LineItem {
        LineItem {
            price: Some(serde_json::from_str(price).unwrap()),
            quantity: Some(serde_json::from_str(quantity).unwrap()),
            ..LineItem::default()
        }
    }

    #[test]
    fn basic_request_is_valid() {
        CheckoutRequest::new(20000, "INV-20210231-0001")
            .due_in_minutes(60)
            .validate()
            .unwrap();
    }

    #[test]
    fn every_violation_is_listed_with_its_path() {
        let mut r = CheckoutRequest::new(0, "")
            .due_in_minutes(1_000_000)
            .methods([PaymentMethod::CreditCard]);
        r.order.currency = Some("rupiah".into());
        r.order.callback_url = Some("ftp://x".into());
        r.customer = Some(Customer {
            email: Some("nope".into()),
            country: Some("IDN".into()),
            ..Customer::default()
        });
        r.additional_info = Some(AdditionalInfo {
            allow_tenor: Some(vec![0, 5]),
            ..AdditionalInfo::default()
        });
        assert_eq!(
            r.validate().unwrap_err().paths(),
            vec![
                "order.amount",
                "order.invoice_number",
                "order.currency",
                "order.callback_url",
                "payment.payment_due_date",
                "customer.email",
                "customer.country",
                "additional_info.allow_tenor[1]",
            ]
        );
    }

    #[test]
    fn amount_limits() {
        let mut r = CheckoutRequest::new(1_000_000_000_000, "INV-1");
        assert_eq!(r.validate().unwrap_err().paths(), vec!["order.amount"]);
        r.order.amount = serde_json::from_str("100.50").unwrap();
        assert_eq!(r.validate().unwrap_err().paths(), vec!["order.amount"]);
        r.order.amount = Amount::idr(999_999_999_999);
        r.validate().unwrap();
    }

    #[test]
    fn invoice_is_shorter_with_cards() {
        let long = "I".repeat(31);
        CheckoutRequest::new(1, long.clone()).validate().unwrap();
        let cards = CheckoutRequest::new(1, long).methods([PaymentMethod::CreditCard]);
        assert_eq!(
            cards.validate().unwrap_err().paths(),
            vec!["order.invoice_number"]
        );
    }

    #[test]
    fn line_items_must_add_up_exactly() {
        let mut r = CheckoutRequest::new(80000, "INV-1");
        r.order.line_items = Some(vec![item("40000", "1"), item("\"20000\"", "2.0")]);
        r.validate().unwrap();
        r.order.line_items = Some(vec![item("40000", "1"), item("40000", "1"), item("1", "1")]);
        let err = r.validate().unwrap_err();
        assert_eq!(err.paths(), vec!["order.line_items"]);
        assert!(err.to_string().contains("80001"), "{err}");
        // Items without a price or quantity are not summed.
        r.order.line_items = Some(vec![LineItem {
            name: Some("gift".into()),
            ..LineItem::default()
        }]);
        r.validate().unwrap();
    }

    #[test]
    fn customer_phone_is_checked_for_length_only() {
        let with_phone = |phone: &str| {
            let mut r = CheckoutRequest::new(1, "INV-1");
            r.customer = Some(Customer {
                phone: Some(phone.into()),
                ..Customer::default()
            });
            r.validate()
        };
        for ok in [
            "628121212121",
            "+6281234567890",
            "0812-3456-789",
            "+62 812 3456",
        ] {
            with_phone(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for bad in ["", "+62812345678901234"] {
            let err = with_phone(bad).unwrap_err();
            assert_eq!(err.paths(), vec!["customer.phone"], "{bad}");
        }
    }

    #[test]
    fn integer_ids_are_checked_by_their_text() {
        let body = serde_json::json!({
            "order": {"amount": 2, "invoice_number": "INV-1", "line_items": [
                {"id": 42, "sku": 1234567, "name": "a", "price": 1, "quantity": 2}
            ]},
            "customer": {"id": 7, "phone": "+6281234567890"}
        });
        let r: CheckoutRequest = serde_json::from_value(body.clone()).unwrap();
        r.validate().unwrap();
        let items = r.order.line_items.as_ref().unwrap();
        assert!(items[0].id.as_ref().unwrap().is_integer());
        assert_eq!(items[0].sku.as_ref().unwrap(), "1234567");
        // Written back exactly as received.
        assert_eq!(serde_json::to_value(&r).unwrap(), body);
        let mut long = r.clone();
        long.customer.as_mut().unwrap().id = Some(crate::TextOrInteger::from("c".repeat(51)));
        assert_eq!(long.validate().unwrap_err().paths(), vec!["customer.id"]);
    }

    #[test]
    fn scaled_text() {
        assert_eq!(text((80001, 0)), "80001");
        assert_eq!(text((8000150, 2)), "80001.5");
        assert_eq!(text((5, 2)), "0.05");
    }
}
