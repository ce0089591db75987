//! SNAP asymmetric signatures (feature `rsa`): the `X-SIGNATURE` of SNAP's B2B access-token request.
//!
//! String to sign: `clientId|X-TIMESTAMP`; signature: base64(SHA256withRSA, PKCS#1 v1.5). Private keys load
//! from PEM as PKCS#8 (`BEGIN PRIVATE KEY`), PKCS#1 (`BEGIN RSA PRIVATE KEY`) or passphrase-encrypted PKCS#8
//! (`BEGIN ENCRYPTED PRIVATE KEY`, PBES2 with PBKDF2 or scrypt and AES-CBC) — the format DOKU's documentation
//! tells merchants to create. Public keys load from SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC
//! KEY`). PKCS#1 v1.5 signing is deterministic, so no randomness is needed.
//!
//! [`PrivateKey::sign_bytes`] and [`PublicKey::verify_bytes`] are the same SHA256withRSA over any message
//! (the `jwt` module signs with them). Neither key type prints key material in `Debug`; a public key
//! is written out with [`PublicKey::to_pem`] (a server handing out its public key, as DOKU does).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature as RsaSignature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::signature::{Keypair, SignatureEncoding, Signer, Verifier};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

use crate::Error;

/// The string to sign: `clientId|timestamp`.
pub fn string_to_sign(client_id: &str, timestamp: &str) -> String {
    let mut text = String::with_capacity(client_id.len() + 1 + timestamp.len());
    text.push_str(client_id);
    text.push('|');
    text.push_str(timestamp);
    text
}

/// An RSA private key for signing. `Debug` prints no key material.
#[derive(Clone)]
pub struct PrivateKey {
    key: SigningKey<Sha256>,
}

impl PrivateKey {
    /// Loads an unencrypted PEM key (PKCS#8 or PKCS#1). An encrypted key needs [`PrivateKey::from_pem_encrypted`].
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let key = if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs1_pem(pem).map_err(|_| Error::InvalidKey {
                reason: "not a PKCS#1 RSA private key",
            })?
        } else if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(Error::InvalidKey {
                reason: "the key is encrypted: a passphrase is needed",
            });
        } else {
            RsaPrivateKey::from_pkcs8_pem(pem).map_err(|_| Error::InvalidKey {
                reason: "not a PKCS#8 RSA private key",
            })?
        };
        Ok(Self::from_key(key))
    }

    /// Loads a passphrase-encrypted PKCS#8 PEM key (`BEGIN ENCRYPTED PRIVATE KEY`).
    pub fn from_pem_encrypted(pem: &str, passphrase: &[u8]) -> Result<Self, Error> {
        let key = RsaPrivateKey::from_pkcs8_encrypted_pem(pem, passphrase).map_err(|_| {
            Error::InvalidKey {
                reason: "cannot decrypt PKCS#8 key: wrong passphrase or unsupported encryption",
            }
        })?;
        Ok(Self::from_key(key))
    }

    fn from_key(key: RsaPrivateKey) -> Self {
        Self {
            key: SigningKey::<Sha256>::new(key),
        }
    }

    /// Signs `clientId|timestamp` and returns the base64 `X-SIGNATURE` value.
    pub fn sign(&self, client_id: &str, timestamp: &str) -> Result<String, Error> {
        let text = string_to_sign(client_id, timestamp);
        Ok(STANDARD.encode(self.sign_bytes(text.as_bytes())?))
    }

    /// SHA256withRSA (PKCS#1 v1.5) over any message: the raw signature, as many bytes as the modulus (256 for
    /// RSA-2048). Deterministic: the same key and message always give the same bytes.
    pub fn sign_bytes(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let signature = self.key.try_sign(message).map_err(|_| Error::Rsa)?;
        Ok(signature.to_vec())
    }

    /// The matching public key: the half to publish (see [`PublicKey::to_pem`]).
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            key: self.key.verifying_key(),
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(***)")
    }
}

/// An RSA public key for verifying SNAP asymmetric signatures. `Debug` shows the key size only.
#[derive(Clone)]
pub struct PublicKey {
    key: VerifyingKey<Sha256>,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(RSA-{})", self.modulus_bytes() * 8)
    }
}

impl PublicKey {
    /// Loads a PEM public key (SPKI `BEGIN PUBLIC KEY` or PKCS#1 `BEGIN RSA PUBLIC KEY`).
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let key = if pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
            RsaPublicKey::from_pkcs1_pem(pem).map_err(|_| Error::InvalidKey {
                reason: "not a PKCS#1 RSA public key",
            })?
        } else {
            RsaPublicKey::from_public_key_pem(pem).map_err(|_| Error::InvalidKey {
                reason: "not an SPKI RSA public key",
            })?
        };
        Ok(Self {
            key: VerifyingKey::<Sha256>::new(key),
        })
    }

    /// Verifies a base64 signature over `clientId|timestamp`.
    pub fn verify(&self, client_id: &str, timestamp: &str, signature: &str) -> Result<(), Error> {
        let bytes = STANDARD
            .decode(signature.as_bytes())
            .map_err(|_| Error::InvalidBase64)?;
        let text = string_to_sign(client_id, timestamp);
        self.verify_bytes(text.as_bytes(), &bytes)
    }

    /// Verifies a raw SHA256withRSA (PKCS#1 v1.5) signature over any message. A signature whose length is not
    /// the modulus size is [`Error::InvalidLength`]; a well-formed one that does not match is
    /// [`Error::Mismatch`].
    pub fn verify_bytes(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        let expected = self.modulus_bytes();
        if signature.len() != expected {
            return Err(Error::InvalidLength {
                expected,
                found: signature.len(),
            });
        }
        let signature = RsaSignature::try_from(signature).map_err(|_| Error::Mismatch)?;
        self.key
            .verify(message, &signature)
            .map_err(|_| Error::Mismatch)
    }

    /// The key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`, `\n` line endings): what [`PublicKey::from_pem`]
    /// reads and what DOKU's Back Office exchanges.
    pub fn to_pem(&self) -> Result<String, Error> {
        self.key
            .to_public_key_pem(LineEnding::LF)
            .map_err(|_| Error::InvalidKey {
                reason: "the public key cannot be encoded as SPKI PEM",
            })
    }

    /// Bytes in the modulus, and so in every signature this key verifies (256 for RSA-2048).
    pub fn modulus_bytes(&self) -> usize {
        let key: &RsaPublicKey = self.key.as_ref();
        key.size()
    }
}
