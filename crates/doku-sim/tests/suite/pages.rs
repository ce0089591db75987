//! The payment page at the Checkout answer's `payment.url` and the dashboard at `/`, over HTTP:
//! what they show, hostile invoice numbers and names escaped, expired and paid orders, the form
//! POST acting only on the page's own order through the payment trigger's code path, and the
//! redirects to the order's callback URLs. (A real browser drives them in `tests/browser.rs`.)
#![allow(clippy::unwrap_used)]

use crate::checkout::{create, start_notifying, Answer, Receiver, NOTIFY_PATH};
use crate::common::*;
use doku_sim::{DeliveryOutcome, PayRequest};
use serde_json::{json, Value};

const HOSTILE: &str = r#"<script>alert("x")</script>'"&"#;

/// Creates an order with `body` as the configured client; returns its page's path.
async fn create_page(f: &Fixture, body: &Value, request_id: &str) -> String {
    let resp = create(
        f,
        CLIENT_ID,
        SECRET,
        &serde_json::to_vec(body).unwrap(),
        request_id,
    )
    .await;
    assert_eq!(resp.status, 200, "{}", String::from_utf8_lossy(&resp.body));
    let url = resp.json()["response"]["payment"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = f.sim.base_url();
    url.strip_prefix(base.as_str()).unwrap().to_owned()
}

fn order_body(invoice: &str, methods: &[&str]) -> Value {
    json!({
        "order": {
            "amount": 1234567, "invoice_number": invoice,
            "callback_url": "http://shop.example/back?paid=1",
            "callback_url_cancel": "http://shop.example/cancelled",
        },
        "payment": {"payment_due_date": 30, "payment_method_types": methods},
        "customer": {"name": HOSTILE},
    })
}

async fn get(f: &Fixture, path: &str) -> RawResponse {
    send(f.sim.addr(), "GET", path, &[], b"").await.unwrap()
}

async fn post_form(f: &Fixture, path: &str, form: &str) -> RawResponse {
    let headers = [(
        "Content-Type".to_owned(),
        "application/x-www-form-urlencoded".to_owned(),
    )];
    send(f.sim.addr(), "POST", path, &headers, form.as_bytes())
        .await
        .unwrap()
}

fn text(resp: &RawResponse) -> String {
    String::from_utf8(resp.body.clone()).unwrap()
}

#[tokio::test]
async fn the_page_shows_the_order_and_escapes_hostile_invoices_and_names() {
    let f = start_notifying(None, |b| b).await;
    let invoice = format!("INV-{HOSTILE}");
    let path = create_page(
        &f,
        &order_body(
            &invoice,
            &["VIRTUAL_ACCOUNT_BCA", "QRIS", "ONLINE_TO_OFFLINE_ALFA"],
        ),
        "r-hostile",
    )
    .await;
    let resp = get(&f, &path).await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = text(&resp);
    assert!(!html.contains("<script>"), "{html}");
    assert!(!html.contains(r#"alert("x")"#));
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;&amp;"));
    assert!(html.contains("Rp 1.234.567"));
    assert!(html.contains(CLIENT_ID), "the merchant");
    assert!(html.contains("Virtual Account BCA") && html.contains("data-va=\""));
    assert!(html.contains("Simulated QR") && html.contains("ID.CO.QRIS.WWW"));
    assert!(html.contains("Payment code"));
    assert!(html.contains("Fail the payment") && html.contains("Let it expire"));
    assert!(
        !html.contains("<script") && !html.contains("src=\"http"),
        "no script, no external asset"
    );

    // The dashboard escapes them too, and lists the order.
    let resp = get(&f, "/").await;
    assert_eq!(resp.status, 200);
    let html = text(&resp);
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;") && html.contains("http-equiv=\"refresh\""));
    assert!(html.contains(&format!("<code>{CLIENT_ID}</code>")));
    assert_eq!(get(&f, "/health").await.body, br#"{"status":"ok"}"#);
}

#[tokio::test]
async fn paying_on_the_page_moves_the_order_notifies_and_redirects_to_callback_url() {
    let receiver = Receiver::start(Answer::Always(200)).await;
    let f = start_notifying(Some(receiver.url(NOTIFY_PATH)), |b| b.time_scale(1.0)).await;
    let path = create_page(
        &f,
        &order_body("INV-PAGE-1", &["VIRTUAL_ACCOUNT_BCA", "QRIS"]),
        "r-p1",
    )
    .await;

    // A method the order does not offer is refused, nothing moves.
    let resp = post_form(&f, &path, "action=pay&method=EMONEY_OVO").await;
    assert_eq!(resp.status, 400);
    assert!(text(&resp).contains("choose one of the offered payment methods"));
    assert_eq!(f.sim.stats().payments, 0);

    let resp = post_form(&f, &path, "action=pay&method=QRIS").await;
    assert_eq!(resp.status, 303, "{}", text(&resp));
    assert_eq!(
        resp.header("location"),
        Some("http://shop.example/back?paid=1")
    );
    // The first attempt was made before the redirect.
    let d = &f.sim.deliveries()[0];
    assert_eq!(
        (d.reference.as_str(), d.outcome),
        ("INV-PAGE-1", DeliveryOutcome::Delivered)
    );
    let seen = receiver.seen();
    let n: Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(
        (
            n["transaction"]["status"].as_str(),
            n["channel"]["id"].as_str()
        ),
        (Some("SUCCESS"), Some("QRIS_DOKU"))
    );

    // Paid: the page says so, without buttons; paying again is refused.
    let html = text(&get(&f, &path).await);
    assert!(
        html.contains("This order is already paid") && !html.contains("Fail the payment"),
        "{html}"
    );
    let resp = post_form(&f, &path, "action=pay&method=QRIS").await;
    assert_eq!(resp.status, 409);
    assert!(text(&resp).contains("already paid"));
    assert_eq!(f.sim.stats().payments, 1);
    // The result page shows the delivery.
    let html = text(&get(&f, &format!("{path}/result")).await);
    assert!(
        html.contains("Payment successful") && html.contains("delivered: HTTP 200"),
        "{html}"
    );
}

#[tokio::test]
async fn failing_goes_to_callback_url_cancel_and_expiring_to_the_result_page_without_one() {
    let f = start_notifying(None, |b| b).await;
    let path = create_page(&f, &order_body("INV-FAIL", &["VIRTUAL_ACCOUNT_BCA"]), "r-f").await;
    let resp = post_form(&f, &path, "action=fail").await;
    assert_eq!(
        resp.header("location"),
        Some("http://shop.example/cancelled")
    );
    // FAILED is not final: the page offers the methods again.
    let html = text(&get(&f, &path).await);
    assert!(html.contains("The last payment attempt failed") && html.contains("Pay with"));

    // No callback_url_cancel: the result page, its "Back to merchant" link to callback_url.
    let body = json!({
        "order": {"amount": 5000, "invoice_number": "INV-EXP", "callback_url": "http://shop.example/back"},
        "payment": {"payment_method_types": ["QRIS"]},
    });
    let path = create_page(&f, &body, "r-e").await;
    let resp = post_form(&f, &path, "action=expire").await;
    assert_eq!(resp.status, 303);
    assert_eq!(resp.header("location"), Some(&*format!("{path}/result")));
    let html = text(&get(&f, &format!("{path}/result")).await);
    assert!(html.contains("Payment page expired") && html.contains("No notification was sent"));
    assert!(
        html.contains("<a href=\"http://shop.example/back\">Back to merchant</a>"),
        "{html}"
    );
    let html = text(&get(&f, &path).await);
    assert!(html.contains("This payment page has expired") && !html.contains("Pay with"));
    let resp = post_form(&f, &path, "action=pay&method=QRIS").await;
    assert_eq!(resp.status, 409);
    assert_eq!(f.sim.stats().payments, 2);
}

#[tokio::test]
async fn a_page_past_its_due_date_says_so_and_cannot_be_paid() {
    let f = start_notifying(None, |b| b).await;
    let path = create_page(&f, &order_body("INV-LATE", &["QRIS"]), "r-late").await;
    f.clock.advance(31 * 60);
    let html = text(&get(&f, &path).await);
    assert!(html.contains("payment_due_date has passed"), "{html}");
    let resp = post_form(&f, &path, "action=pay&method=QRIS").await;
    assert_eq!(resp.status, 409);
    assert_eq!(f.sim.stats().payments, 0);
}

#[tokio::test]
async fn a_post_acts_only_on_its_own_token() {
    let f = start_notifying(None, |b| b).await;
    let a = create_page(&f, &order_body("INV-A", &["QRIS"]), "r-a").await;
    let _b = create_page(&f, &order_body("INV-B", &["QRIS"]), "r-b").await;
    // Form fields naming another order are ignored: the token decides.
    let resp = post_form(
        &f,
        &a,
        "action=pay&method=QRIS&invoice_number=INV-B&token=x",
    )
    .await;
    assert_eq!(resp.status, 303);
    let paid = f.sim.pay(&PayRequest::new("INV-B")).unwrap();
    assert_eq!(paid.invoice_number, "INV-B", "INV-B was still unpaid");
    // Unknown tokens and paths.
    for path in [
        "/checkout-link-v2/nope",
        "/checkout-link-v2/nope/result",
        "/checkout-link-v2/a/b",
    ] {
        assert_eq!(get(&f, path).await.status, 404, "{path}");
    }
    assert_eq!(
        post_form(&f, "/checkout-link-v2/nope", "action=fail")
            .await
            .status,
        404
    );
    let resp = post_form(&f, &a, "action=steal").await;
    assert_eq!(resp.status, 400);
}
