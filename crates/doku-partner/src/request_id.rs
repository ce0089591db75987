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

    /// The ids come from uuid's `fast-rng` generator (a user-space CSPRNG): they
    /// must still be lowercase, hyphenated, RFC 4122 version-4 UUIDs, and never repeat.
    #[test]
    fn uuid_ids_are_random_v4() {
        let ids: Vec<RequestId> = (0..1000).map(|_| UuidV4.generate()).collect();
        for id in &ids {
            let uuid = uuid::Uuid::parse_str(id.as_str()).expect("a UUID");
            assert_eq!(uuid.get_version(), Some(uuid::Version::Random), "{id:?}");
            assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122, "{id:?}");
            assert_eq!(id.as_str(), uuid.hyphenated().to_string(), "{id:?}");
        }
        let distinct: std::collections::HashSet<&str> = ids.iter().map(RequestId::as_str).collect();
        assert_eq!(distinct.len(), ids.len());
    }
}
