//! Fault injection: per endpoint, applied once, N times or always.
//!
//! Each kind says when it acts:
//! - **before** processing (no side effect, nothing recorded for idempotency): `Latency`
//!   (then processing continues), `Status`, `DropConnection`, `NonJsonBody`, `ExpireToken`;
//! - **after** processing (the side effect happened and the outcome is recorded, so a retry
//!   with the same Request-Id gets the 409 replay): `ProcessThenDrop`, `TruncatedBody`,
//!   `WrongSignature`.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use doku_model::Endpoint;

/// Where a fault applies: one endpoint of [`doku_model::Endpoint`]'s table, or any.
///
/// `From<Endpoint>` lets the arming calls read naturally:
/// `sim.set_fault(Endpoint::Token, …)`, `sim.set_fault(FaultTarget::Any, …)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaultTarget {
    /// This endpoint only.
    Endpoint(Endpoint),
    /// Every endpoint (consulted when the endpoint has no fault of its own).
    Any,
}

impl From<Endpoint> for FaultTarget {
    fn from(endpoint: Endpoint) -> Self {
        Self::Endpoint(endpoint)
    }
}

impl fmt::Display for FaultTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Endpoint(endpoint) => endpoint.fmt(f),
            Self::Any => f.write_str("any"),
        }
    }
}

/// What goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Before: wait this long, then handle the request normally.
    Latency(Duration),
    /// Before: answer this HTTP status with a DOKU error body, without processing. A 429 or
    /// 503 carries `Retry-After: 1`.
    Status(u16),
    /// Before: close the connection without any response.
    DropConnection,
    /// After: process the request (side effects happen, the outcome is recorded), then close
    /// the connection without a response — for testing idempotent retries.
    ProcessThenDrop,
    /// After: process, then send half the body and cut the connection (the `Content-Length`
    /// announces the full body).
    TruncatedBody,
    /// Before: answer `200` with an HTML page instead of JSON (like a misbehaving proxy).
    NonJsonBody,
    /// After: process, then send the response with a `Signature` that does not verify.
    WrongSignature,
    /// Before: treat the request's bearer token as expired (401), as if DOKU revoked it early.
    ExpireToken,
}

impl FaultKind {
    /// Whether the fault acts after the request was processed.
    pub fn is_post_processing(&self) -> bool {
        matches!(
            self,
            Self::ProcessThenDrop | Self::TruncatedBody | Self::WrongSignature
        )
    }
}

/// How many times a fault applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Times {
    /// The next `n` matching requests.
    N(u32),
    /// Every matching request until cleared.
    Always,
}

/// A fault and how often it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// What goes wrong.
    pub kind: FaultKind,
    /// How often.
    pub times: Times,
}

impl Fault {
    /// Applies to the next matching request only ("fail the first attempt").
    pub fn once(kind: FaultKind) -> Self {
        Self {
            kind,
            times: Times::N(1),
        }
    }

    /// Applies to the next `n` matching requests.
    pub fn times(n: u32, kind: FaultKind) -> Self {
        Self {
            kind,
            times: Times::N(n),
        }
    }

    /// Applies until cleared.
    pub fn always(kind: FaultKind) -> Self {
        Self {
            kind,
            times: Times::Always,
        }
    }
}

/// The faults currently armed.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    armed: HashMap<FaultTarget, Fault>,
}

impl FaultTable {
    pub(crate) fn set(&mut self, target: FaultTarget, fault: Fault) {
        if fault.times == Times::N(0) {
            self.armed.remove(&target);
        } else {
            self.armed.insert(target, fault);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.armed.clear();
    }

    /// Takes one use of the fault for `endpoint` (or of `Any`), if armed.
    pub(crate) fn take(&mut self, endpoint: Endpoint) -> Option<FaultKind> {
        let key = if self.armed.contains_key(&FaultTarget::Endpoint(endpoint)) {
            FaultTarget::Endpoint(endpoint)
        } else if self.armed.contains_key(&FaultTarget::Any) {
            FaultTarget::Any
        } else {
            return None;
        };
        let fault = self.armed.get_mut(&key)?;
        let kind = fault.kind.clone();
        if let Times::N(n) = &mut fault.times {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.armed.remove(&key);
            }
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_and_falls_back_to_any() {
        let mut t = FaultTable::default();
        t.set(
            Endpoint::Token.into(),
            Fault::times(2, FaultKind::Status(503)),
        );
        t.set(FaultTarget::Any, Fault::always(FaultKind::NonJsonBody));
        assert_eq!(t.take(Endpoint::Token), Some(FaultKind::Status(503)));
        assert_eq!(t.take(Endpoint::Token), Some(FaultKind::Status(503)));
        assert_eq!(t.take(Endpoint::Token), Some(FaultKind::NonJsonBody));
        assert_eq!(t.take(Endpoint::UploadFile), Some(FaultKind::NonJsonBody));
        t.clear();
        assert_eq!(t.take(Endpoint::Token), None);
    }
}
