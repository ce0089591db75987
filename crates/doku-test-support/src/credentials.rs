//! The test credentials: the Client-Id of DOKU's own examples and secrets that say they are for tests.

/// The partner Client-Id DOKU's pages use in their examples.
pub const PARTNER_CLIENT_ID: &str = "BRN-0001-10791114622547";
/// The partner's secret key in tests (never a real key).
pub const PARTNER_SECRET: &str = "SK-EXAMPLE-ONLY";
/// A second, unrelated client, for "another client's request id / token / key" cases.
pub const OTHER_CLIENT_ID: &str = "BRN-0002-00000000000002";
/// The second client's secret key.
pub const OTHER_SECRET: &str = "SK-OTHER";
/// The instant DOKU's token example was signed at, as a `Request-Timestamp`.
pub const START: &str = "2020-08-11T08:45:42Z";
/// [`START`] in Unix seconds (`date -u -d 2020-08-11T08:45:42Z +%s`).
pub const START_UNIX: i64 = 1_597_135_542;

#[cfg(test)]
mod tests {
    #[test]
    fn start_is_start_unix() {
        assert_eq!(
            doku_sign::timestamp::parse_utc_strict(super::START),
            Ok(super::START_UNIX)
        );
    }
}
