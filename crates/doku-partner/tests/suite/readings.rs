//! Every reading, every run: the client's end-to-end onboarding flow against the simulator
//! under every combination of the points where DOKU's pages are silent or contradict
//! themselves (GET answer digest × which answers are replayed × where the bearer is required),
//! with response signatures required, and with the refusals whose handling depends on them
//! (a 401 that needs a token refresh, a 429) along the way. docs/conformance.md lists them.
#![allow(clippy::unwrap_used, clippy::panic)]

use crate::common;

use common::*;
use doku_model::Endpoint;
use doku_model::{BusinessData, ClientId, RequestId, TransactionStatus};
use doku_partner::{Client, Error};
use doku_sim::{Fault, FaultKind, IdempotencyReading, Readings, SimConfig, SimHandle};

/// Runs `test` once under each reading, each time against a fresh simulator and a client that
/// requires signed answers; the simulator is shut down after each run.
async fn under_every_reading(test: impl AsyncFn(Readings, &SimHandle, &Client)) {
    for readings in Readings::all() {
        let sim = sim_with(SimConfig::builder().readings(readings)).await;
        let client = strict_client(&sim);
        test(readings, &sim, &client).await;
        sim.shutdown().await;
    }
}

/// Asserts the simulator recorded the three uploads, one registration and one Business Lite of
/// a run: each effect exactly once, whatever the refusals and retries on the way.
fn assert_each_effect_once(readings: Readings, sim: &SimHandle) {
    let stats = sim.stats();
    assert_eq!(
        (stats.uploads, stats.registrations, stats.lite_registrations),
        (3, 1, 1),
        "{readings}: (uploads, registrations, lites), each effect exactly once"
    );
}

/// Uploads the mandatory files, registers a business named `name` and reads it back (each step
/// must succeed under `readings`): the brand's id and DOKU's data of the business.
async fn onboard(readings: Readings, client: &Client, name: &str) -> (ClientId, BusinessData) {
    let files = upload_mandatory(client).await;
    let created = client
        .send(&registration(name, &files))
        .await
        .unwrap_or_else(|e| panic!("{readings}: register: {e}"))
        .value;
    let brand = ClientId::new(created.brand_ids()[0].to_owned()).unwrap();
    let data = client
        .send(GetBusiness::new(&brand))
        .await
        .unwrap_or_else(|e| panic!("{readings}: get business: {e}"))
        .value;
    (brand, data)
}

#[tokio::test]
async fn onboarding_flow_passes_under_every_reading() {
    under_every_reading(async |readings, sim, client| {
        let requirements = client
            .send(&personal_query())
            .await
            .unwrap_or_else(|e| panic!("{readings}: check requirements: {e}"))
            .value;
        assert_eq!(requirements.mandatory_codes().len(), 3, "{readings}");

        let (brand, data) = onboard(readings, client, "Toko Maju").await;
        assert_eq!(data.brands[0].id, brand.as_str(), "{readings}");
        assert!(data.brands[0].shared_key.is_some(), "{readings}");

        let invited = client
            .send(&lite("Toko Lite"))
            .await
            .unwrap_or_else(|e| panic!("{readings}: lite: {e}"))
            .value;
        assert_eq!(invited.brand_ids().len(), 1, "{readings}");

        assert_eq!(sim.stats().tokens_for(CLIENT_ID), 1, "{readings}");
        assert_each_effect_once(readings, sim);
    })
    .await;
}

/// A token DOKU refuses (401) is refreshed and the call repeated; a 429 is retried. Under the
/// replay-all reading DOKU would answer a repeat of the refused Request-Id with the refusal
/// (409), so the client must send a fresh Request-Id when it chose the id itself.
#[tokio::test]
async fn refusals_are_recovered_under_every_reading() {
    under_every_reading(async |readings, sim, client| {
        // Uploading fetches the token, before any refusal is set.
        let files = upload_mandatory(client).await;

        let expire_once = Fault::once(FaultKind::ExpireToken);
        let created = register_under_fault(sim, client, "After 401", &files, expire_once)
            .await
            .unwrap_or_else(|e| panic!("{readings}: after a 401: {e}"));
        assert_eq!(created.brand_ids().len(), 1);
        assert_eq!(
            sim.stats().tokens_for(CLIENT_ID),
            2,
            "{readings}: one refresh"
        );

        sim.set_fault(Endpoint::BusinessLite, Fault::once(FaultKind::Status(429)));
        client
            .send(&lite("After 429"))
            .await
            .unwrap_or_else(|e| panic!("{readings}: after a 429: {e}"));

        assert_each_effect_once(readings, sim);
    })
    .await;
}

/// With a caller-supplied Request-Id the client keeps it (it is the caller's idempotency key).
/// Under replay-all DOKU then answers the retry of a refused request with the refusal and 409:
/// the client returns that as an error (never as success, never retried); under
/// replay-successes the retry succeeds.
#[tokio::test]
async fn caller_supplied_request_id_is_kept_under_every_reading() {
    under_every_reading(async |readings, sim, client| {
        client.send(GenerateToken::new()).await.unwrap();
        sim.set_fault(Endpoint::BusinessLite, Fault::once(FaultKind::Status(429)));
        let id = RequestId::random();
        let id_text = id.as_str().to_owned();
        let result = client
            .send(Call::new(&lite("Caller id")).request_id(id))
            .await;
        match readings.idempotency {
            IdempotencyReading::ReplayAll => {
                match result {
                    Err(Error::ReplayedRefusal {
                        code, request_id, ..
                    }) => {
                        assert_eq!(code.as_deref(), Some("simulated_fault"), "{readings}");
                        assert_eq!(request_id, id_text, "{readings}: the caller's id is kept");
                    }
                    other => {
                        panic!("{readings}: a replayed 429 must be ReplayedRefusal: {other:?}")
                    }
                }
                assert_eq!(sim.stats().lite_registrations, 0, "{readings}");
                assert_eq!(
                    sim.stats().replays,
                    1,
                    "{readings}: not retried after the replay"
                );
            }
            _ => {
                result.unwrap_or_else(|e| panic!("{readings}: {e}"));
                assert_eq!(sim.stats().lite_registrations, 1, "{readings}");
            }
        }
    })
    .await;
}

/// The payments half under every reading: a brand onboarded through the Partner calls takes a
/// payment with its own credentials (Checkout), the simulator pays it, and Check Status — a GET
/// whose answer is signed with or without a Digest line depending on the reading — verifies and
/// shows SUCCESS. A repeat of the Checkout's Request-Id is DOKU's 409 replay of the same page.
#[tokio::test]
async fn payment_flow_passes_under_every_reading() {
    under_every_reading(async |readings, sim, client| {
        let (brand, data) = onboard(readings, client, "Toko Bayar").await;
        let merchant = client
            .merchant_from_brand(&data.brands[0])
            .unwrap_or_else(|e| panic!("{readings}: merchant: {e}"));

        let invoice = format!("INV-READINGS-{}", RequestId::random().as_str());
        let request = doku_model::CheckoutRequest::new(150_000, invoice.clone());
        let id = RequestId::random();
        let page = merchant
            .send(Call::new(&request).request_id(id.clone()))
            .await
            .unwrap_or_else(|e| panic!("{readings}: checkout: {e}"));
        let again = merchant
            .send(Call::new(&request).request_id(id))
            .await
            .unwrap_or_else(|e| panic!("{readings}: checkout replay: {e}"));
        assert_eq!(
            again.value.payment_url(),
            page.value.payment_url(),
            "{readings}: the replay is the same page"
        );

        // Check Status (a GET, its answer verified under the reading), named `what` on failure.
        let status = async |what: &str| {
            let answer = merchant.send(CheckStatus::new(&invoice)).await;
            let answer = answer.unwrap_or_else(|e| panic!("{readings}: {what}: {e}"));
            answer.value.transaction.status
        };
        let pending = status("status").await;
        assert_eq!(pending, TransactionStatus::Pending, "{readings}");
        sim.pay(&doku_sim::PayRequest::new(invoice.as_str()).client_id(brand.as_str()))
            .unwrap_or_else(|e| panic!("{readings}: pay: {e}"));
        let paid = status("status after pay").await;
        assert_eq!(paid, TransactionStatus::Success, "{readings}");
    })
    .await;
}
