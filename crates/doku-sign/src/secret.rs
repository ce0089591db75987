//! The [`SecretKey`] type: key material that never shows up in logs.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use hmac::digest::core_api::CoreWrapper;
use hmac::digest::KeyInit;
use hmac::{Hmac, HmacCore};
use sha2::Sha256;

/// HMAC-SHA256 keyed with a secret: the hash states after the key's inner and outer pad blocks.
type KeyedSha256 = HmacCore<Sha256>;

/// A shared secret (DOKU's "Secret Key" or SNAP "Client Secret").
///
/// Why a type and not a `&str`: a secret passed around as a string ends up in `{:?}` output, panic messages and
/// logs. `SecretKey` has no `Display`, its `Debug` prints `SecretKey(***)`, and its bytes are overwritten with
/// zeros when it is dropped.
///
/// It also keeps HMAC-SHA256 keyed once (the hash states after the key's two pad blocks, 80 bytes on the
/// heap), so a Non-SNAP signature or verification hashes its own bytes only, not the key's pads again (two of
/// the ≈ six SHA-256 blocks of a request's MAC). That state is derived key material: it is never printed and is
/// overwritten when the key is dropped, like the bytes.
pub struct SecretKey {
    bytes: Vec<u8>,
    /// HMAC-SHA256 keyed with `bytes`. Boxed: it stays in one place when the key is moved, so dropping the key
    /// overwrites the only copy (moves of an inline state would leave copies behind).
    hmac_sha256: Box<KeyedSha256>,
}

impl SecretKey {
    /// Wraps the secret's bytes. DOKU's secrets are ASCII strings and are used as the HMAC key byte-for-byte.
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        let bytes = secret.into();
        let hmac_sha256 = Box::new(keyed_sha256(&bytes));
        Self { bytes, hmac_sha256 }
    }

    /// The key bytes, for computing a MAC. Keep the borrow short and never log it.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether the secret is empty (an empty key is almost always a configuration mistake).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// A fresh HMAC-SHA256 keyed with this secret, equal to `Hmac::<Sha256>::new_from_slice(key)` but without
    /// hashing the key's pad blocks again.
    pub(crate) fn hmac_sha256(&self) -> Hmac<Sha256> {
        CoreWrapper::from_core(KeyedSha256::clone(&self.hmac_sha256))
    }
}

/// HMAC-SHA256 keyed with `key`.
fn keyed_sha256(key: &[u8]) -> KeyedSha256 {
    // HMAC takes a key of any length (a longer one than a block is hashed first), so this cannot fail.
    KeyedSha256::new_from_slice(key).expect("HMAC takes any key length")
}

impl Clone for SecretKey {
    fn clone(&self) -> Self {
        Self {
            bytes: self.bytes.clone(),
            hmac_sha256: self.hmac_sha256.clone(),
        }
    }
}

/// Two keys are equal when their bytes are (the keyed state is a function of them).
impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for SecretKey {}

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

impl SecretKey {
    /// Overwrites the key material in place: the bytes with zeros, the keyed HMAC state with the empty key's
    /// (public) state. Best effort without unsafe code; `black_box` keeps the writes from being optimised
    /// away.
    fn wipe(&mut self) {
        for byte in self.bytes.iter_mut() {
            *byte = 0;
        }
        core::hint::black_box(&self.bytes);
        *self.hmac_sha256 = keyed_sha256(&[]);
        core::hint::black_box(&self.hmac_sha256);
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.wipe();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use hmac::Mac;

    #[test]
    fn debug_hides_the_secret() {
        let key = SecretKey::new("SK-very-secret");
        let printed = format!("{key:?}");
        assert_eq!(printed, "SecretKey(***)");
        assert!(!printed.contains("very"));
    }

    /// The MAC of `message` under `key`, keyed from the bytes every time (the unprepared path).
    fn unprepared(key: &[u8], message: &[u8]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// The MAC of `message` with the key's prepared state.
    fn prepared(key: &SecretKey, message: &[u8]) -> [u8; 32] {
        let mut mac = key.hmac_sha256();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    /// The prepared state gives the MAC the key bytes give, for keys shorter than, as long as and
    /// longer than a SHA-256 block (a longer key is hashed first), and a clone's state is the same.
    #[test]
    fn the_prepared_hmac_equals_keying_from_the_bytes() {
        let message = b"Client-Id:BRN-1\nRequest-Id:r-1";
        for len in [0, 1, 20, 63, 64, 65, 200] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
            let key = SecretKey::new(bytes.clone());
            assert_eq!(
                prepared(&key, message),
                unprepared(&bytes, message),
                "{len}-byte key"
            );
            assert_eq!(prepared(&key.clone(), message), unprepared(&bytes, message));
            // Each call starts from the keyed state: nothing of an earlier MAC carries over.
            assert_eq!(
                prepared(&key, b""),
                unprepared(&bytes, b""),
                "{len}-byte key"
            );
        }
        // RFC 4231 test case 2, through the prepared state.
        let jefe = SecretKey::from("Jefe");
        let hex: alloc::string::String = prepared(&jefe, b"what do ya want for nothing?")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// What a drop leaves behind: zeros for the bytes, and the empty key's state for the keyed HMAC.
    #[test]
    fn wipe_overwrites_the_bytes_and_the_keyed_state() {
        let mut key = SecretKey::new("SK-to-be-wiped");
        let message = b"m";
        assert_ne!(prepared(&key, message), unprepared(b"", message));
        key.wipe();
        assert_eq!(key.expose_bytes(), &[0u8; 14]);
        assert_eq!(prepared(&key, message), unprepared(b"", message));
    }

    #[test]
    fn equality_is_by_bytes_and_debug_hides_the_state() {
        assert_eq!(SecretKey::new("a"), SecretKey::from("a"));
        assert_ne!(SecretKey::new("a"), SecretKey::new("b"));
        assert_eq!(format!("{:?}", SecretKey::new("a")), "SecretKey(***)");
    }

    #[test]
    fn exposes_exact_bytes() {
        assert_eq!(SecretKey::from("abc").expose_bytes(), b"abc");
        assert!(SecretKey::new(alloc::vec::Vec::new()).is_empty());
    }
}
