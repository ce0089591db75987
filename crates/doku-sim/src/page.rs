//! The payment page: what the Checkout answer's `payment.url` (`{base}/checkout-link-v2/{token}`)
//! shows a customer's browser, like DOKU's Checkout page — the merchant, the invoice number, the
//! amount in rupiah, each offered method (a Virtual Account number, a QRIS string, a convenience
//! store payment code) with a button to pay through it, and buttons to fail the payment or let
//! the page expire.
//!
//! - `GET /checkout-link-v2/{token}`: the page. An order already paid, an expired order (by its
//!   state or its `payment_due_date`) and a token that names no order (or a page replaced by a
//!   newer Checkout with the same invoice number) each get a page that says so, without
//!   buttons.
//! - `POST /checkout-link-v2/{token}` with a form `action=pay&method=QRIS`, `action=fail` or
//!   `action=expire`: acts on the order of this token only (the form carries no order id), by
//!   the payment trigger's own code path ([`crate::pay::pay_and_wait`], as
//!   `POST /doku-sim/v1/pay` with `"wait_seconds": 5`: the notification's first attempt is made
//!   before the browser moves on), then `303 See Other`: after a payment to the order's
//!   `callback_url` (unless `auto_redirect` is `false`); after a failure or expiry to
//!   `callback_url_cancel`; to the result page when the URL needed is absent (or is not an
//!   `http(s)://` URL).
//! - `GET /checkout-link-v2/{token}/result`: the result page (DOKU shows one, with a "Back to
//!   merchant" link to `callback_url_result`, else `callback_url`), with the notification's
//!   delivery as the simulator recorded it.
//!
//! The QRIS method shows its QR string in a box labelled as a simulated QR, not a drawn QR code:
//! drawing one needs a QR encoder (Reed–Solomon coding, masking: a dependency, or some 400 lines
//! of our own) for an image no wallet can pay anyway — the page's button is the payment.

use std::fmt::Write as _;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use hyper::body::Body;

use crate::html::{escape, idr, is_web_url, page, path_segment, respond, see_other};
use crate::orders::{Order, PayState};
use crate::pay::{PayRequest, PayStatus};
use crate::pipeline::Outcome;
use crate::state::App;

/// The page's path prefix (DOKU's: `https://sandbox.doku.com/checkout-link-v2/{token}`).
pub(crate) const PAGE_PREFIX: &str = "/checkout-link-v2/";

/// How long a form POST waits for the notification's first attempt before redirecting.
const FORM_WAIT_SECONDS: u64 = 5;

/// Whether `req` is for a payment page.
pub(crate) fn is_request<B>(req: &Request<B>) -> bool {
    req.uri().path().starts_with(PAGE_PREFIX)
}

/// What the path names: a page, or its result page.
enum Route<'a> {
    Page(&'a str),
    Result(&'a str),
}

fn route(path: &str) -> Option<Route<'_>> {
    let rest = path.strip_prefix(PAGE_PREFIX)?;
    let (token, result) = match rest.strip_suffix("/result") {
        Some(token) => (token, true),
        None => (rest, false),
    };
    if token.is_empty() || token.contains('/') {
        return None;
    }
    Some(if result {
        Route::Result(token)
    } else {
        Route::Page(token)
    })
}

/// The order of a page token.
fn find(app: &App, token: &str) -> Option<Order> {
    app.orders().by_token(token).cloned()
}

/// The merchant's name as registered (a brand's name), else its client id.
fn merchant_name(app: &App, client_id: &str) -> String {
    let store = app.store();
    store
        .businesses
        .get(client_id)
        .and_then(|b| b.data.brands.iter().find(|brand| brand.id == client_id))
        .map(|brand| brand.name.clone())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| client_id.to_owned())
}

/// Answers a payment page request.
pub(crate) async fn answer<B>(app: &App, req: Request<B>) -> Outcome
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let path = req.uri().path().to_owned();
    let Some(route) = route(&path) else {
        return not_found();
    };
    match (route, req.method().clone()) {
        (Route::Page(token), Method::GET) => match find(app, token) {
            Some(order) => show(app, &order, StatusCode::OK, None),
            None => not_found(),
        },
        (Route::Result(token), Method::GET) => match find(app, token) {
            Some(order) => result_page(app, &order),
            None => not_found(),
        },
        (Route::Page(token), Method::POST) => {
            app.count_request();
            let token = token.to_owned();
            let (parts, body) = req.into_parts();
            let form = match crate::body::read_body(app, &parts.headers, body).await {
                Ok(held) => String::from_utf8_lossy(&held.bytes).into_owned(),
                Err(_) => return bad_form(app, &token, "the form could not be read"),
            };
            act(app, &token, &form).await
        }
        _ => respond(
            StatusCode::METHOD_NOT_ALLOWED,
            page(
                "Method not allowed",
                None,
                "<div class=\"card narrow\"><h1>Method not allowed</h1></div>",
            ),
        ),
    }
}

fn not_found() -> Outcome {
    respond(
        StatusCode::NOT_FOUND,
        page(
            "Payment page not found",
            None,
            "<div class=\"card narrow\"><h1>Payment page not found</h1><p>No order has this \
             payment link: it is unknown, or a newer Checkout with the same invoice number \
             replaced its page.</p></div>",
        ),
    )
}

fn bad_form(app: &App, token: &str, why: &str) -> Outcome {
    match find(app, token) {
        Some(order) => show(app, &order, StatusCode::BAD_REQUEST, Some(why)),
        None => not_found(),
    }
}

/// Carries out a form POST on the order of `token`.
async fn act(app: &App, token: &str, form: &str) -> Outcome {
    let Some(order) = find(app, token) else {
        return not_found();
    };
    let fields = crate::query::parse_query(form).unwrap_or_default();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let (status, method) = match field("action") {
        Some("pay") => {
            let Some(method) =
                field("method").filter(|m| order.page.methods.iter().any(|o| o == m))
            else {
                return bad_form(app, token, "choose one of the offered payment methods");
            };
            (PayStatus::Success, Some(method.to_owned()))
        }
        Some("fail") => (PayStatus::Failed, None),
        Some("expire") => (PayStatus::Expired, None),
        _ => return bad_form(app, token, "unknown action"),
    };
    if order.state.is_final() || expired_by_time(app, &order) {
        return show(app, &order, StatusCode::CONFLICT, None);
    }
    let mut request = PayRequest::new(order.invoice_number.clone())
        .client_id(order.owner.clone())
        .status(status)
        .wait_seconds(FORM_WAIT_SECONDS);
    request.method = method;
    if let Err(e) = crate::pay::pay_and_wait(app, &request).await {
        let order = find(app, token).unwrap_or(order);
        return show(app, &order, StatusCode::CONFLICT, Some(&e.to_string()));
    }
    let target = match status {
        PayStatus::Success if order.page.auto_redirect != Some(false) => {
            order.page.callback_url.as_deref()
        }
        PayStatus::Success => None,
        _ => order.page.callback_url_cancel.as_deref(),
    };
    match target.filter(|url| is_web_url(url)) {
        Some(url) => see_other(url),
        None => see_other(&format!("{PAGE_PREFIX}{}/result", path_segment(token))),
    }
}

/// Whether the page's time is up (an unpaid order past `payment_due_date`).
fn expired_by_time(app: &App, order: &Order) -> bool {
    !order.state.is_final() && app.config.clock.unix_seconds() >= order.page.expires
}

/// The order's facts, as a definition list.
fn facts(app: &App, order: &Order) -> String {
    let mut out = String::from("<dl>");
    let mut row = |name: &str, value: &str| {
        let _ = write!(out, "<dt>{name}</dt><dd>{}</dd>", escape(value));
    };
    row("Merchant", &merchant_name(app, &order.owner));
    row("Invoice", &order.invoice_number);
    if let Some(customer) = &order.page.customer_name {
        row("Customer", customer);
    }
    row(
        "Pay before",
        &format!(
            "{} (Jakarta time)",
            wib_readable(crate::channels::wib_compact(order.page.expires))
        ),
    );
    out.push_str("</dl>");
    out
}

/// `yyyyMMddHHmmss` → `yyyy-MM-dd HH:mm`.
fn wib_readable(compact: String) -> String {
    let c = compact.as_bytes();
    if c.len() != 14 {
        return compact;
    }
    let s = |a: usize, b: usize| std::str::from_utf8(&c[a..b]).unwrap_or("");
    format!(
        "{}-{}-{} {}:{}",
        s(0, 4),
        s(4, 6),
        s(6, 8),
        s(8, 10),
        s(10, 12)
    )
}

/// The form that acts on this page's order: hidden fields and one button.
fn form(token: &str, fields: &[(&str, &str)], label: &str, class: &str) -> String {
    let mut out = format!(
        "<form method=\"post\" action=\"{}{}\">",
        PAGE_PREFIX,
        escape(&path_segment(token))
    );
    for (name, value) in fields {
        let _ = write!(
            out,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        );
    }
    let _ = write!(
        out,
        "<button type=\"submit\" class=\"{class}\">{}</button></form>",
        escape(label)
    );
    out
}

/// One offered method: its payment code, and the button that pays through it.
fn method_block(order: &Order, method: &str, merchant: &str) -> String {
    let mut with = order.clone();
    with.method = Some(method.to_owned());
    let blocks = crate::channels::blocks(&with, method);
    let mut detail = String::new();
    if let Some(number) = blocks
        .get("virtual_account_info")
        .and_then(|v| v["virtual_account_number"].as_str())
    {
        let _ = write!(
            detail,
            "<div>Virtual Account number</div><div class=\"code\" data-va=\"{0}\">{0}</div>",
            escape(number)
        );
    } else if let Some(code) = blocks
        .get("online_to_offline_info")
        .and_then(|v| v["payment_code"].as_str())
    {
        let _ = write!(
            detail,
            "<div>Payment code</div><div class=\"code\">{}</div>",
            escape(code)
        );
    } else if method == "QRIS" {
        let pan = blocks
            .get("merchant")
            .and_then(|m| m["pan"].as_str())
            .unwrap_or("936008990000000000");
        let qr = qris_string(
            pan,
            merchant,
            &order.amount.to_canonical(),
            &order.invoice_number,
        );
        let _ = write!(
            detail,
            "<div class=\"qr\"><b>Simulated QR (doku-sim draws no QR code)</b>{}</div>",
            escape(&qr)
        );
    }
    format!(
        "<div class=\"method\" id=\"method-{id}\"><h3>{name}</h3>{detail}<div class=\"actions\">{button}</div></div>",
        id = escape(method),
        name = escape(&label(method)),
        button = form(
            &order.page.token_id,
            &[("action", "pay"), ("method", method)],
            &format!("Pay with {}", label(method)),
            "pay",
        ),
    )
}

/// A method's name for people: `VIRTUAL_ACCOUNT_BCA` → `Virtual Account BCA`.
fn label(method: &str) -> String {
    for (prefix, name) in [
        ("VIRTUAL_ACCOUNT_", "Virtual Account "),
        ("ONLINE_TO_OFFLINE_", "Convenience store "),
        ("EMONEY_", "E-money "),
        ("DIRECT_DEBIT_", "Direct debit "),
        ("PEER_TO_PEER_", "Paylater "),
    ] {
        if let Some(rest) = method.strip_prefix(prefix) {
            return format!("{name}{}", rest.replace('_', " "));
        }
    }
    method.replace('_', " ")
}

/// A QRIS payload in the EMVCo layout (ID, data length, data; CRC-16/CCITT last), with the
/// order's merchant PAN, amount and invoice: what a QRIS image would encode.
fn qris_string(pan: &str, merchant: &str, amount: &str, invoice: &str) -> String {
    fn tlv(out: &mut String, id: &str, value: &str) {
        let _ = write!(out, "{id}{:02}{value}", value.len());
    }
    let ascii = |s: &str, max: usize| -> String {
        s.chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .take(max)
            .collect()
    };
    let mut account = String::new();
    tlv(&mut account, "00", "ID.CO.QRIS.WWW");
    tlv(&mut account, "01", &ascii(pan, 19));
    let mut extra = String::new();
    tlv(&mut extra, "01", &ascii(invoice, 25));
    let mut out = String::new();
    tlv(&mut out, "00", "01");
    tlv(&mut out, "01", "12");
    tlv(&mut out, "26", &account);
    tlv(&mut out, "52", "5999");
    tlv(&mut out, "53", "360");
    tlv(&mut out, "54", &ascii(amount, 13));
    tlv(&mut out, "58", "ID");
    tlv(&mut out, "59", &ascii(merchant, 25));
    tlv(&mut out, "60", "JAKARTA");
    tlv(&mut out, "62", &extra);
    out.push_str("6304");
    let crc = crc16_ccitt(out.as_bytes());
    let _ = write!(out, "{crc:04X}");
    out
}

/// CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF), as QRIS payloads end with.
fn crc16_ccitt(bytes: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in bytes {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// The "Back to merchant" link of the result and final pages, if the order has one.
fn back_link(order: &Order) -> String {
    order
        .page
        .callback_url_result
        .as_deref()
        .or(order.page.callback_url.as_deref())
        .filter(|url| is_web_url(url))
        .map(|url| {
            format!(
                "<div class=\"actions\"><a href=\"{}\">Back to merchant</a></div>",
                escape(url)
            )
        })
        .unwrap_or_default()
}

/// The page of `order`: the methods and buttons while it can be paid, else what happened.
fn show(app: &App, order: &Order, status: StatusCode, problem: Option<&str>) -> Outcome {
    let merchant = merchant_name(app, &order.owner);
    let mut body = String::from("<div class=\"card narrow\">");
    if let Some(problem) = problem {
        let _ = write!(body, "<div class=\"notice bad\">{}</div>", escape(problem));
    }
    let _ = write!(
        body,
        "<h1>Payment</h1><div class=\"amount\" id=\"amount\">{}</div>{}",
        escape(&idr(&order.amount.to_canonical())),
        facts(app, order)
    );
    let title;
    match order.state {
        PayState::Success => {
            title = "Already paid";
            let _ = write!(
                body,
                "<div class=\"notice ok\" id=\"state\">This order is already paid{}.</div>{}",
                order
                    .method
                    .as_deref()
                    .map(|m| format!(" (through {})", escape(&label(m))))
                    .unwrap_or_default(),
                back_link(order)
            );
        }
        PayState::Expired => {
            title = "Payment page expired";
            let _ = write!(
                body,
                "<div class=\"notice bad\" id=\"state\">This payment page has expired: the order \
                 can no longer be paid.</div>{}",
                back_link(order)
            );
        }
        _ if expired_by_time(app, order) => {
            title = "Payment page expired";
            let _ = write!(
                body,
                "<div class=\"notice bad\" id=\"state\">This payment page has expired (its \
                 payment_due_date has passed): the order can no longer be paid.</div>{}",
                back_link(order)
            );
        }
        state => {
            title = "Payment";
            if state == PayState::Failed {
                body.push_str(
                    "<div class=\"notice info\" id=\"state\">The last payment attempt failed. \
                     You can pay again.</div>",
                );
            }
            body.push_str("<h2>Choose a payment method</h2>");
            for method in &order.page.methods {
                body.push_str(&method_block(order, method, &merchant));
            }
            let _ = write!(
                body,
                "<div class=\"actions\">{}{}</div>",
                form(
                    &order.page.token_id,
                    &[("action", "fail")],
                    "Fail the payment",
                    "secondary"
                ),
                form(
                    &order.page.token_id,
                    &[("action", "expire")],
                    "Let it expire",
                    "secondary"
                ),
            );
        }
    }
    body.push_str("</div>");
    respond(status, page(title, None, &body))
}

/// The result page: the order's status, its notification's delivery, the way back.
fn result_page(app: &App, order: &Order) -> Outcome {
    let (class, text) = match order.state {
        PayState::Success => ("ok", "Payment successful"),
        PayState::Failed => ("bad", "Payment failed"),
        PayState::Expired => ("bad", "Payment page expired"),
        PayState::Pending => ("info", "Waiting for payment"),
    };
    let delivery = app
        .notifier
        .history()
        .list(None)
        .into_iter()
        .rev()
        .find(|d| d.client_id == order.owner && d.reference == order.invoice_number);
    let delivery = match delivery {
        Some(d) => format!(
            "<p class=\"muted\" id=\"delivery\">Notification {} to {}: {}</p>",
            d.id,
            escape(&d.url),
            escape(
                &d.last_attempt()
                    .map_or_else(|| d.outcome.as_str().to_owned(), |a| a.summary())
            )
        ),
        None => "<p class=\"muted\" id=\"delivery\">No notification was sent (no Notification \
                 URL is configured).</p>"
            .to_owned(),
    };
    let body = format!(
        "<div class=\"card narrow\"><h1>{text}</h1><div class=\"notice {class}\" id=\"state\">{status}</div>\
         <div class=\"amount\">{amount}</div>{facts}{delivery}{back}</div>",
        status = order.state.transaction_status(),
        amount = escape(&idr(&order.amount.to_canonical())),
        facts = facts(app, order),
        back = back_link(order),
    );
    respond(StatusCode::OK, page(text, None, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qris_strings_follow_the_emv_layout_and_end_with_their_crc() {
        let qr = qris_string("9360089901234567890", "Toko <A>", "20000", "INV-1");
        assert!(qr.starts_with("000201010212"), "{qr}");
        assert!(qr.contains("5303360") && qr.contains("540520000") && qr.contains("5802ID"));
        let (payload, crc) = qr.split_at(qr.len() - 4);
        assert_eq!(crc, format!("{:04X}", crc16_ccitt(payload.as_bytes())));
        // CRC-16/CCITT-FALSE's check value.
        assert_eq!(crc16_ccitt(b"123456789"), 0x29B1);
    }

    #[test]
    fn routes_name_one_token_or_its_result() {
        assert!(matches!(
            route("/checkout-link-v2/abc"),
            Some(Route::Page("abc"))
        ));
        assert!(matches!(
            route("/checkout-link-v2/abc/result"),
            Some(Route::Result("abc"))
        ));
        assert!(route("/checkout-link-v2/").is_none());
        assert!(route("/checkout-link-v2/a/b").is_none());
        assert_eq!(
            label("VIRTUAL_ACCOUNT_BANK_MANDIRI"),
            "Virtual Account BANK MANDIRI"
        );
        assert_eq!(wib_readable("20210127102423".into()), "2021-01-27 10:24");
    }
}
