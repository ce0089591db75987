//! SNAP asymmetric signatures (feature `rsa`): the `X-SIGNATURE` of SNAP's B2B access-token request.
//!
//! String to sign: `clientId|X-TIMESTAMP`; signature: base64(SHA256withRSA, PKCS#1 v1.5). Private keys load
//! from PEM as PKCS#8 (`BEGIN PRIVATE KEY`), PKCS#1 (`BEGIN RSA PRIVATE KEY`) or passphrase-encrypted PKCS#8
//! (`BEGIN ENCRYPTED PRIVATE KEY`, PBES2 with PBKDF2 or scrypt and AES-CBC) — the format DOKU's documentation
//! tells merchants to create. Public keys load from SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC
//! KEY`). PKCS#1 v1.5 signing is deterministic, so no randomness is needed.

use alloc::string::String;
use core::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature as RsaSignature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
use rsa::signature::{Keypair, SignatureEncoding, Signer, Verifier};
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
        let signature = self.key.try_sign(text.as_bytes()).map_err(|_| Error::Rsa)?;
        Ok(STANDARD.encode(signature.to_bytes()))
    }

    /// The matching public key.
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

/// An RSA public key for verifying SNAP asymmetric signatures.
#[derive(Clone, Debug)]
pub struct PublicKey {
    key: VerifyingKey<Sha256>,
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
        let signature =
            RsaSignature::try_from(bytes.as_slice()).map_err(|_| Error::InvalidLength {
                expected: 0,
                found: bytes.len(),
            })?;
        let text = string_to_sign(client_id, timestamp);
        self.key
            .verify(text.as_bytes(), &signature)
            .map_err(|_| Error::Mismatch)
    }
}
