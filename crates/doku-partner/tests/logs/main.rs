//! The tests that install a log-capturing subscriber, in a binary of their own: tracing's
//! callsite interest is process-wide, and a concurrent test without a subscriber touching the
//! same callsites could leave it saying "never", so the captured logs would miss lines.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../suite/common/mod.rs"]
mod common;
mod demo_trace_secrets;
mod secrets;
mod verbose;
