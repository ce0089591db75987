//! The rustls client configuration.

use std::sync::Arc;

use hyper_rustls::ConfigBuilderExt as _;
use rustls::crypto::CryptoProvider;
use rustls::ClientConfig;

use crate::error::TransportError;

/// The crypto provider to use: the process default if the application
/// installed one, otherwise ring.
///
/// Not calling `ClientConfig::builder()` (which picks a provider from crate
/// features) matters: with both ring and aws-lc-rs in the dependency tree and
/// no default installed, it panics. We also never *install* a default, so we
/// do not take that decision away from the application.
fn provider() -> Arc<CryptoProvider> {
    match CryptoProvider::get_default() {
        Some(installed) => Arc::clone(installed),
        None => Arc::new(rustls::crypto::ring::default_provider()),
    }
}

/// TLS 1.2/1.3 (rustls safe defaults) against the Mozilla root set bundled
/// by `webpki-roots`, so behaviour does not depend on the host's trust store.
/// ALPN is configured later by the hyper-rustls connector builder.
pub(crate) fn client_config() -> Result<ClientConfig, TransportError> {
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|source| TransportError::Tls { source })?
        .with_webpki_roots()
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The unit-test binary never installs a process default, so this covers
    // the ring fallback (integration tests cover an installed default).
    #[test]
    fn falls_back_to_ring_without_an_installed_provider() {
        assert!(CryptoProvider::get_default().is_none());
        let config = client_config().unwrap();
        assert!(
            config.alpn_protocols.is_empty(),
            "ALPN is set by the connector"
        );
    }
}
