//! Signing allocates nothing beyond its output: counted with a counting global allocator.
//!
//! (stats_alloc provides the instrumented allocator, so this test needs no `unsafe` of its own.)
//!
//! The counter is process-wide, so this file holds ONE test, and each measurement is taken five
//! times keeping the fewest allocations: the test harness's own thread may allocate (rarely, on a
//! loaded machine) inside a measured region, while code that allocates does so every time.

use doku_sign::non_snap::{self, Kind};
use doku_sign::{snap_symmetric, SecretKey};
use doku_test_support::{business_message, json_body, PARTNER_SECRET};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The fewest allocations `f` made in five runs, with the stats of that run.
fn fewest_allocations(mut f: impl FnMut()) -> stats_alloc::Stats {
    (0..5)
        .map(|_| {
            let region = Region::new(GLOBAL);
            f();
            region.change()
        })
        .min_by_key(|stats| stats.allocations)
        .expect("five runs")
}

#[test]
fn signing_and_verifying_do_not_allocate() {
    non_snap_sign_and_verify_do_not_allocate();
    snap_symmetric_sign_does_not_allocate();
}

fn non_snap_sign_and_verify_do_not_allocate() {
    let key = SecretKey::from(PARTNER_SECRET);
    // The 64 KiB body the signing benchmark measures, in the same message.
    let body = json_body(64 * 1024);
    let message = business_message(&body);
    let header = non_snap::sign(&key, Kind::Request, &message).to_string();

    let mut signature = None;
    let signing =
        fewest_allocations(|| signature = Some(non_snap::sign(&key, Kind::Request, &message)));
    assert_eq!(signing.allocations, 0, "sign allocated: {signing:?}");

    let mut verified = None;
    let verifying = fewest_allocations(|| {
        verified = Some(non_snap::verify(&key, Kind::Request, &message, &header))
    });
    assert!(verified.expect("ran").is_ok());
    assert_eq!(verifying.allocations, 0, "verify allocated: {verifying:?}");

    // The output itself: formatting the header value is the one allowed allocation.
    let signature = signature.expect("ran");
    let mut text = String::new();
    let formatting = fewest_allocations(|| text = signature.to_string());
    assert!(formatting.allocations <= 1, "{formatting:?}");
    assert_eq!(text, header);
}

fn snap_symmetric_sign_does_not_allocate() {
    let key = SecretKey::from("snap");
    let message = snap_symmetric::Message {
        method: "POST",
        path: "/snap/v1.0/x",
        access_token: "t",
        body: b"{}",
        timestamp: "2024-03-19T14:39:01+07:00",
    };
    let signing = fewest_allocations(|| {
        let _signature = snap_symmetric::sign(&key, &message);
    });
    assert_eq!(signing.allocations, 0, "{signing:?}");
}
