//! The virtual card's private keys and the one operation PIV gives them:
//! sign the value GENERAL AUTHENTICATE carries (a hash for ECDSA, an
//! already padded block for RSA).

use p256::pkcs8::DecodePrivateKey as _;
use rand_core::OsRng;
use rsa::traits::PublicKeyParts as _;
use thiserror::Error;

use crate::card::KeyAlgorithm;

/// Why a virtual card key could not be loaded or used.
#[derive(Debug, Error)]
pub enum KeyError {
    /// The PEM is not a PKCS#8 private key of the expected algorithm.
    #[error("private key is not PKCS#8 PEM for {algorithm}: {message}")]
    Parse {
        /// The algorithm the card profile says the key has.
        algorithm: KeyAlgorithm,
        /// The parser's reason.
        message: String,
    },
    /// An RSA key whose modulus is not 2048 bits; the size found.
    #[error("RSA key has {0} bits, not 2048")]
    RsaSize(usize),
    /// The private-key operation's input does not have the key's size.
    #[error("input of {actual} bytes, the key needs {expected}")]
    InputLength {
        /// Bytes the key needs (curve order or modulus size).
        expected: usize,
        /// Bytes given.
        actual: usize,
    },
    /// A raw RSA input whose value is not below the modulus.
    #[error("RSA input is not smaller than the modulus")]
    RsaInputTooLarge,
    /// The signing library failed; its message.
    #[error("signing failed: {0}")]
    Signing(String),
}

/// A card private key.
pub enum CardKey {
    /// An ECDSA P-256 key.
    P256(p256::ecdsa::SigningKey),
    /// An ECDSA P-384 key.
    P384(p384::ecdsa::SigningKey),
    /// An RSA 2048 key.
    Rsa2048(Box<rsa::RsaPrivateKey>),
}

impl std::fmt::Debug for CardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CardKey({})", self.algorithm())
    }
}

impl CardKey {
    /// Reads a PKCS#8 PEM private key, which must be of `algorithm` (RSA: 2048 bits).
    pub fn from_pkcs8_pem(algorithm: KeyAlgorithm, pem: &str) -> Result<CardKey, KeyError> {
        let err = |e: &dyn std::fmt::Display| KeyError::Parse {
            algorithm,
            message: e.to_string(),
        };
        match algorithm {
            KeyAlgorithm::EcP256 => {
                let secret = p256::SecretKey::from_pkcs8_pem(pem).map_err(|e| err(&e))?;
                Ok(CardKey::P256(secret.into()))
            }
            KeyAlgorithm::EcP384 => {
                let secret = p384::SecretKey::from_pkcs8_pem(pem).map_err(|e| err(&e))?;
                Ok(CardKey::P384(secret.into()))
            }
            KeyAlgorithm::Rsa2048 => {
                let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem).map_err(|e| err(&e))?;
                if key.size() != 256 {
                    return Err(KeyError::RsaSize(key.size() * 8));
                }
                Ok(CardKey::Rsa2048(Box::new(key)))
            }
        }
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self {
            CardKey::P256(_) => KeyAlgorithm::EcP256,
            CardKey::P384(_) => KeyAlgorithm::EcP384,
            CardKey::Rsa2048(_) => KeyAlgorithm::Rsa2048,
        }
    }

    /// The private-key operation: ECDSA over a hash (DER signature out), or
    /// raw RSA (`input^d mod n`, the padding having been done by the host).
    pub fn sign(&self, input: &[u8]) -> Result<Vec<u8>, KeyError> {
        let expected = self.algorithm().input_len();
        if input.len() != expected {
            return Err(KeyError::InputLength {
                expected,
                actual: input.len(),
            });
        }
        use p256::ecdsa::signature::hazmat::PrehashSigner as _;
        let signing = |e: p256::ecdsa::Error| KeyError::Signing(e.to_string());
        match self {
            CardKey::P256(key) => {
                let sig: p256::ecdsa::Signature = key.sign_prehash(input).map_err(signing)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            CardKey::P384(key) => {
                let sig: p384::ecdsa::Signature = key.sign_prehash(input).map_err(signing)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            CardKey::Rsa2048(key) => {
                let c = rsa::BigUint::from_bytes_be(input);
                if &c >= key.n() {
                    return Err(KeyError::RsaInputTooLarge);
                }
                // Blinded (the rng) and checked against the public key, so a
                // fault cannot leak the private key.
                let m = rsa::hazmat::rsa_decrypt_and_check(key.as_ref(), Some(&mut OsRng), &c)
                    .map_err(|e| KeyError::Signing(e.to_string()))?;
                let bytes = m.to_bytes_be();
                let mut out = vec![0u8; expected.saturating_sub(bytes.len())];
                out.extend_from_slice(&bytes);
                Ok(out)
            }
        }
    }
}
