//! Which DOKU host to talk to.

use std::fmt;

/// The DOKU environment the client sends to. DOKU's test mode has two hosts: the Partner API's
/// (`api-uat.doku.com`) and Checkout's (`api-sandbox.doku.com`); production and a custom base
/// URL serve both.
#[derive(Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// Test mode: the Partner API at `https://api-uat.doku.com`, and Checkout / Check Status
    /// at the general sandbox host `https://api-sandbox.doku.com`.
    #[default]
    Uat,
    /// Production: `https://api.doku.com` (both APIs).
    Production,
    /// Any other base URL, e.g. a local simulator (`http://127.0.0.1:PORT`), serving both APIs.
    /// Scheme and host (and port), without a trailing slash or path.
    Custom(String),
}

impl Environment {
    /// The Checkout and Check Status base URL (a merchant's calls), without a trailing slash.
    pub fn checkout_base_url(&self) -> &str {
        match self {
            Self::Uat => doku_model::SANDBOX_BASE_URL,
            Self::Production => doku_model::PRODUCTION_BASE_URL,
            Self::Custom(url) => url.trim_end_matches('/'),
        }
    }

    /// The Partner API base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        match self {
            Self::Uat => doku_model::UAT_BASE_URL,
            Self::Production => doku_model::PRODUCTION_BASE_URL,
            Self::Custom(url) => url.trim_end_matches('/'),
        }
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Uat => f.write_str("Uat"),
            Self::Production => f.write_str("Production"),
            Self::Custom(url) => f.debug_tuple("Custom").field(url).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(Environment::Uat.base_url(), "https://api-uat.doku.com");
        assert_eq!(Environment::Production.base_url(), "https://api.doku.com");
        assert_eq!(
            Environment::Uat.checkout_base_url(),
            "https://api-sandbox.doku.com"
        );
        assert_eq!(
            Environment::Production.checkout_base_url(),
            "https://api.doku.com"
        );
        let custom = Environment::Custom("http://127.0.0.1:8080/".into());
        assert_eq!(custom.base_url(), "http://127.0.0.1:8080");
        assert_eq!(custom.checkout_base_url(), "http://127.0.0.1:8080");
    }
}
