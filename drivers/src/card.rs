//! The card abstraction the agent uses, whatever speaks to the card
//! underneath (PIV over PC/SC, or a vendor's PKCS#11 module).

use std::fmt;

use sha2::Digest as _;

use crate::error::CardError;

/// The two keys a national eID card carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeySlot {
    /// Authenticates the holder (PIV key `9A`): usable after one PIN verification.
    Authentication,
    /// Signs documents (PIV key `9C`): the PIN must be verified immediately before each use.
    Signature,
}

impl KeySlot {
    /// Both slots, authentication first.
    pub const ALL: [KeySlot; 2] = [KeySlot::Authentication, KeySlot::Signature];
}

impl fmt::Display for KeySlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeySlot::Authentication => "authentication",
            KeySlot::Signature => "signature",
        })
    }
}

/// A key algorithm the drivers can sign with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyAlgorithm {
    /// ECDSA on NIST P-256.
    EcP256,
    /// ECDSA on NIST P-384.
    EcP384,
    /// RSA with a 2048-bit modulus (PKCS#1 v1.5 signatures).
    Rsa2048,
}

impl KeyAlgorithm {
    /// Bytes of the value the card's private-key operation takes: the curve
    /// order size for ECDSA, the modulus size for RSA.
    pub fn input_len(self) -> usize {
        match self {
            KeyAlgorithm::EcP256 => 32,
            KeyAlgorithm::EcP384 => 48,
            KeyAlgorithm::Rsa2048 => 256,
        }
    }

    /// Whether this is an ECDSA key.
    pub fn is_ec(self) -> bool {
        matches!(self, KeyAlgorithm::EcP256 | KeyAlgorithm::EcP384)
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyAlgorithm::EcP256 => "ECDSA P-256",
            KeyAlgorithm::EcP384 => "ECDSA P-384",
            KeyAlgorithm::Rsa2048 => "RSA 2048",
        })
    }
}

/// The hash a digest was made with (needed for RSA's DigestInfo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// Bytes of a digest made with this hash.
    pub fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "SHA-256",
            HashAlgorithm::Sha384 => "SHA-384",
            HashAlgorithm::Sha512 => "SHA-512",
        }
    }
}

/// A message digest to be signed by the card.
#[derive(Clone, PartialEq, Eq)]
pub struct Digest {
    algorithm: HashAlgorithm,
    bytes: Vec<u8>,
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Digest({:?}, {})",
            self.algorithm,
            hex::encode(&self.bytes)
        )
    }
}

impl Digest {
    /// A digest computed elsewhere; its length must match the algorithm.
    pub fn new(algorithm: HashAlgorithm, bytes: Vec<u8>) -> Result<Digest, CardError> {
        if bytes.len() != algorithm.output_len() {
            return Err(CardError::DigestLength {
                expected: algorithm.name(),
                actual: bytes.len(),
            });
        }
        Ok(Digest { algorithm, bytes })
    }

    /// Hashes `message`.
    pub fn of(algorithm: HashAlgorithm, message: &[u8]) -> Digest {
        let bytes = match algorithm {
            HashAlgorithm::Sha256 => sha2::Sha256::digest(message).to_vec(),
            HashAlgorithm::Sha384 => sha2::Sha384::digest(message).to_vec(),
            HashAlgorithm::Sha512 => sha2::Sha512::digest(message).to_vec(),
        };
        Digest { algorithm, bytes }
    }

    /// The hash the digest was made with.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The digest's bytes (as long as [`HashAlgorithm::output_len`]).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// A card PIN. Its `Debug` never shows the digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(****)")
    }
}

impl Pin {
    /// Accepts 4 to 16 printable ASCII characters: every eID card this
    /// project knows uses digits, and anything else is a typing mistake.
    pub fn new(text: &str) -> Result<Pin, CardError> {
        if !(4..=16).contains(&text.len()) {
            return Err(CardError::PinFormat("a PIN has 4 to 16 characters"));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(CardError::PinFormat(
                "a PIN has only printable ASCII characters",
            ));
        }
        Ok(Pin(text.to_owned()))
    }

    /// The PIN's digits as bytes, as sent to the card (before any padding).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl Drop for Pin {
    /// The digits do not outlive the value: every copy is wiped when dropped,
    /// so a PIN is not left in freed memory for a later reader of the heap.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// What the card says about its PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinStatus {
    /// Tries left before the PIN blocks, when the card says (PKCS#11 tokens
    /// only say "low" or "final try").
    pub tries_left: Option<u8>,
    /// The PIN has no tries left.
    pub blocked: bool,
    /// Verified in this session already.
    pub verified: bool,
}

/// A reader (or PKCS#11 slot) and whether a card is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// The reader's name (PC/SC) or the slot's description (PKCS#11), as passed to [`CardSource::open`].
    pub name: String,
    /// Whether a card (or token) is in it now.
    pub card_present: bool,
}

/// An open card session.
///
/// Signatures come back in the form X.509 and TLS use: ECDSA as a DER
/// `Ecdsa-Sig-Value`, RSA as the PKCS#1 v1.5 signature block.
pub trait Card: Send {
    /// The reader or slot this card is in.
    fn reader(&self) -> &str;

    /// The DER certificate for `slot`.
    fn certificate(&mut self, slot: KeySlot) -> Result<Vec<u8>, CardError>;

    /// The PIN's tries left and whether it is blocked or verified, without spending a try.
    fn pin_status(&mut self) -> Result<PinStatus, CardError>;

    /// Verifies the PIN for this session.
    fn verify_pin(&mut self, pin: &Pin) -> Result<(), CardError>;

    /// Signs `digest` with the key of `slot`. With `pin`, the PIN is verified
    /// immediately before (required for [`KeySlot::Signature`]); without it,
    /// an earlier [`Card::verify_pin`] must have succeeded.
    fn sign(
        &mut self,
        slot: KeySlot,
        digest: &Digest,
        pin: Option<&Pin>,
    ) -> Result<Vec<u8>, CardError>;
}

/// Where cards are found: PC/SC readers, or a PKCS#11 module's slots.
pub trait CardSource {
    /// The readers (or slots) there are now, with or without a card.
    fn readers(&self) -> Result<Vec<ReaderInfo>, CardError>;

    /// Opens the card in `reader` (a name from [`CardSource::readers`]).
    fn open(&self, reader: &str) -> Result<Box<dyn Card>, CardError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_check_their_length() {
        assert!(Digest::new(HashAlgorithm::Sha256, vec![0; 32]).is_ok());
        assert!(matches!(
            Digest::new(HashAlgorithm::Sha384, vec![0; 32]),
            Err(CardError::DigestLength { actual: 32, .. })
        ));
        assert_eq!(Digest::of(HashAlgorithm::Sha512, b"x").bytes().len(), 64);
    }

    #[test]
    fn pins_are_checked_and_never_printed() {
        assert!(Pin::new("123").is_err());
        assert!(Pin::new("12 456").is_err());
        let pin = Pin::new("123456").unwrap();
        assert_eq!(format!("{pin:?}"), "Pin(****)");
    }
}
