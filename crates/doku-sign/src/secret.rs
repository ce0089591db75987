//! The [`SecretKey`] type: key material that never shows up in logs.

use alloc::vec::Vec;
use core::fmt;

/// A shared secret (DOKU's "Secret Key" or SNAP "Client Secret").
///
/// Why a type and not a `&str`: a secret passed around as a string ends up in `{:?}` output, panic messages and
/// logs. `SecretKey` has no `Display`, its `Debug` prints `SecretKey(***)`, and its bytes are overwritten with
/// zeros when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey {
    bytes: Vec<u8>,
}

impl SecretKey {
    /// Wraps the secret's bytes. DOKU's secrets are ASCII strings and are used as the HMAC key byte-for-byte.
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        Self {
            bytes: secret.into(),
        }
    }

    /// The key bytes, for computing a MAC. Keep the borrow short and never log it.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether the secret is empty (an empty key is almost always a configuration mistake).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl From<&str> for SecretKey {
    fn from(secret: &str) -> Self {
        Self::new(secret.as_bytes())
    }
}

impl From<alloc::string::String> for SecretKey {
    fn from(secret: alloc::string::String) -> Self {
        Self::new(secret.into_bytes())
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        // Best-effort zeroing without unsafe code; `black_box` keeps the writes from being optimised away.
        for byte in self.bytes.iter_mut() {
            *byte = 0;
        }
        core::hint::black_box(&self.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_hides_the_secret() {
        let key = SecretKey::new("SK-very-secret");
        let printed = format!("{key:?}");
        assert_eq!(printed, "SecretKey(***)");
        assert!(!printed.contains("very"));
    }

    #[test]
    fn exposes_exact_bytes() {
        assert_eq!(SecretKey::from("abc").expose_bytes(), b"abc");
        assert!(SecretKey::new(alloc::vec::Vec::new()).is_empty());
    }
}
