//! Request-Id generation (DOKU's idempotency key).

use doku_model::RequestId;

/// Makes a fresh Request-Id for each logical call. The default is a UUID v4
/// ([`RequestId::random`]). Any `Fn() -> RequestId + Send + Sync` closure is a generator.
///
/// Retries of one call reuse its Request-Id; only a new call asks for a new one.
pub trait RequestIdGenerator: Send + Sync + 'static {
    /// A Request-Id never used before by this partner.
    fn generate(&self) -> RequestId;
}

/// UUID v4 Request-Ids (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct UuidV4;

impl RequestIdGenerator for UuidV4 {
    fn generate(&self) -> RequestId {
        RequestId::random()
    }
}

impl<F> RequestIdGenerator for F
where
    F: Fn() -> RequestId + Send + Sync + 'static,
{
    fn generate(&self) -> RequestId {
        self()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_ids_differ_and_closures_work() {
        assert_ne!(UuidV4.generate(), UuidV4.generate());
        assert_eq!(UuidV4.generate().as_str().len(), 36);
        let fixed = || RequestId::new("fixed-1").expect("valid");
        assert_eq!(fixed.generate().as_str(), "fixed-1");
    }
}
