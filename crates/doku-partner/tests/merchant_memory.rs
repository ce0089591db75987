//! Memory per merchant handle: 10,000 handles in one process, measured with a counting global
//! allocator (its own test binary, so nothing else allocates concurrently). A handle is one `Arc`
//! to the shared client plus the brand id and key; the figure printed is what the README and
//! docs/architecture.md quote.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::alloc::System;

use doku_model::ClientId;
use doku_partner::{Client, Config};
use doku_sign::SecretKey;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

// stats_alloc provides the instrumented allocator, so this test needs no `unsafe` of its own.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const HANDLES: usize = 10_000;

#[test]
fn ten_thousand_handles_cost_little_each() {
    let config = Config::builder("BRN-0001-10791114622547", SecretKey::new("SK-PARTNER"))
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    // Realistic credentials: DOKU brand ids are 22 characters, shared keys ~ 40.
    let credentials: Vec<(String, String)> = (0..HANDLES)
        .map(|i| (format!("BRN-0104-{i:013}"), format!("SK-{i:037}")))
        .collect();
    let mut handles = Vec::with_capacity(HANDLES);
    let region = Region::new(GLOBAL);
    for (id, key) in &credentials {
        handles.push(client.merchant(
            ClientId::new(id.clone()).unwrap(),
            SecretKey::new(key.clone().into_bytes()),
        ));
    }
    let change = region.change();
    let heap = change
        .bytes_allocated
        .saturating_sub(change.bytes_deallocated);
    // The Vec of handles was allocated before `before`: the inline size is added separately.
    let inline = std::mem::size_of::<doku_partner::Merchant>();
    let per_handle = heap / HANDLES + inline;
    println!(
        "{HANDLES} merchant handles: {per_handle} bytes each ({inline} inline + {} heap: brand id and key)",
        heap / HANDLES
    );
    assert_eq!(handles.len(), HANDLES);
    // One Arc plus two short strings; a handle holding its own pool or config would be kilobytes.
    assert!(per_handle <= 256, "{per_handle} bytes per handle");
}
