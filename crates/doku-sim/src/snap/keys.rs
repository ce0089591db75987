//! DOKU's own SNAP key pair: its private half signs the token requests the simulator sends to
//! merchants, its public half is what a merchant downloads from DOKU's Back Office to verify
//! them. By default a fixed key shipped in this crate (generating RSA keys is slow): **for tests
//! only**, its private half is public.

use std::fmt;
use std::sync::{Arc, OnceLock};

use doku_sign::snap_asymmetric::PrivateKey;

/// The shipped test key's private half (PKCS#8): never use it outside tests.
const TEST_PRIVATE_PEM: &str = include_str!("doku-private.TEST-ONLY.pem");
/// The shipped test key's public half (SPKI).
pub(crate) const TEST_PUBLIC_PEM: &str = include_str!("doku-public.TEST-ONLY.pem");

/// The simulator's DOKU key pair.
#[derive(Clone)]
pub(crate) struct DokuKeys {
    pub(crate) private: PrivateKey,
    pub(crate) public_pem: String,
}

impl fmt::Debug for DokuKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DokuKeys(***)")
    }
}

impl DokuKeys {
    /// The shipped test key (parsed once per process).
    pub(crate) fn shipped() -> Result<Arc<Self>, String> {
        static SHIPPED: OnceLock<Result<Arc<DokuKeys>, String>> = OnceLock::new();
        SHIPPED
            .get_or_init(|| {
                let private = PrivateKey::from_pem(TEST_PRIVATE_PEM)
                    .map_err(|e| format!("the shipped DOKU test key: {e}"))?;
                Ok(Arc::new(Self {
                    private,
                    public_pem: TEST_PUBLIC_PEM.to_owned(),
                }))
            })
            .clone()
    }

    /// A key pair from a private key in PEM (PKCS#8 or PKCS#1, unencrypted); the public half is
    /// derived from it.
    pub(crate) fn from_private_pem(pem: &str) -> Result<Arc<Self>, String> {
        let private =
            PrivateKey::from_pem(pem).map_err(|e| format!("the DOKU private key: {e}"))?;
        let public_pem = private
            .public_key()
            .to_pem()
            .map_err(|e| format!("cannot write the DOKU public key as PEM: {e}"))?;
        Ok(Arc::new(Self {
            private,
            public_pem,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_halves_belong_together_and_a_loaded_key_derives_its_public_half() {
        let keys = DokuKeys::shipped().unwrap();
        let public = doku_sign::snap_asymmetric::PublicKey::from_pem(&keys.public_pem).unwrap();
        let ts = "2024-01-01T07:00:00+07:00";
        let signature = keys.private.sign("BRN-1", ts).unwrap();
        assert!(public.verify("BRN-1", ts, &signature).is_ok());
        let loaded = DokuKeys::from_private_pem(TEST_PRIVATE_PEM).unwrap();
        let derived = doku_sign::snap_asymmetric::PublicKey::from_pem(&loaded.public_pem).unwrap();
        assert!(derived.verify("BRN-1", ts, &signature).is_ok());
        assert!(DokuKeys::from_private_pem("not a key").is_err());
    }
}
