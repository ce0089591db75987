//! A Notification URL per merchant (DOKU's Back Office setting is per merchant): each
//! merchant's notifications go to its own receiver, set at start or at run time (a brand's id
//! is known only once it is registered), the default URL serving the others.

use std::time::Duration;

use crate::checkout::{create_order, start_notifying, Answer, Receiver, NOTIFY_PATH};
use crate::common::*;
use doku_sim::{PayRequest, NOTIFICATION_URLS_PATH};
use serde_json::Value;

async fn post_json(f: &Fixture, body: &Value) -> RawResponse {
    let headers = [("Content-Type".to_owned(), "application/json".to_owned())];
    let body = serde_json::to_vec(body).unwrap();
    send(
        f.sim.addr(),
        "POST",
        NOTIFICATION_URLS_PATH,
        &headers,
        &body,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn each_merchant_is_notified_at_its_own_url() {
    let (default, first, second) = (
        Receiver::start(Answer::Always(200)).await,
        Receiver::start(Answer::Always(200)).await,
        Receiver::start(Answer::Always(200)).await,
    );
    let f = start_notifying(Some(default.url(NOTIFY_PATH)), |b| b).await;
    let (brand_a, key_a) = register_brand(&f).await;
    let (brand_b, key_b) = register_brand(&f).await;
    let (brand_c, key_c) = register_brand(&f).await;
    // One merchant set through SimControl, one through the HTTP control API.
    f.sim
        .set_notification_url(&brand_a, Some(&first.url(NOTIFY_PATH)))
        .unwrap();
    let set = post_json(
        &f,
        &serde_json::json!({"client_id": brand_b, "url": second.url(NOTIFY_PATH)}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", String::from_utf8_lossy(&set.body));
    assert_eq!(set.json()["merchants"][&brand_b], second.url(NOTIFY_PATH));
    assert_eq!(
        f.sim.notification_url_for(&brand_c),
        Some(default.url(NOTIFY_PATH))
    );
    for (brand, key, invoice) in [
        (&brand_a, &key_a, "INV-A"),
        (&brand_b, &key_b, "INV-B"),
        (&brand_c, &key_c, "INV-C"),
    ] {
        create_order(&f, brand, key, invoice, &format!("r-{invoice}")).await;
        f.sim.pay(&PayRequest::new(invoice)).unwrap();
    }
    for (receiver, brand) in [
        (&first, &brand_a),
        (&second, &brand_b),
        (&default, &brand_c),
    ] {
        let seen = receiver.wait_for(1, Duration::from_secs(5)).await;
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].headers["client-id"], brand.as_str());
    }
    // An URL the simulator cannot deliver to is refused; removing one restores the default.
    let refused = post_json(
        &f,
        &serde_json::json!({"client_id": brand_a, "url": "https://example.com/n"}),
    )
    .await;
    assert_eq!(refused.status, 400);
    let removed = post_json(&f, &serde_json::json!({"client_id": brand_a, "url": null})).await;
    assert_eq!(removed.status, 200);
    assert_eq!(
        f.sim.notification_url_for(&brand_a),
        Some(default.url(NOTIFY_PATH))
    );
}
