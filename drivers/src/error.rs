//! What can go wrong talking to a card, as types the agent can act on.

use padron_shared::ErrorCode;
use thiserror::Error;

use crate::apdu::{ApduError, StatusWord};
use crate::card::KeySlot;
use crate::tlv::TlvError;

/// A card operation that did not succeed.
#[derive(Debug, Error)]
pub enum CardError {
    /// No PC/SC service (pcscd not running).
    #[error("the PC/SC service (pcscd) is not running")]
    PcscUnavailable,
    /// PC/SC knows no reader by that name.
    #[error("no reader named {0:?}")]
    ReaderNotFound(String),
    /// The named reader has no card in it.
    #[error("no card in reader {0:?}")]
    CardAbsent(String),
    /// The card left the reader (or was reset by someone else) during the session.
    #[error("the card was removed")]
    CardRemoved,
    /// The card did not accept SELECT of the PIV application.
    #[error("the card does not hold a PIV application")]
    NotPiv,
    /// The card refused the PIN.
    #[error("wrong PIN ({} tries left)", tries_left.map_or_else(|| "unknown".to_owned(), |t| t.to_string()))]
    PinIncorrect {
        /// Tries left before the PIN blocks, when the card says.
        tries_left: Option<u8>,
    },
    /// The PIN has no tries left; the card must be unblocked by its issuer.
    #[error("the PIN is blocked")]
    PinBlocked,
    /// The key needs a PIN verification (for the signature key: immediately before each use).
    #[error("the PIN must be verified first")]
    PinRequired,
    /// The PIN is rejected before it reaches the card (length, characters); the reason.
    #[error("the PIN has a format the card does not accept: {0}")]
    PinFormat(&'static str),
    /// The slot holds no certificate.
    #[error("the card has no {0} certificate")]
    CertificateMissing(KeySlot),
    /// The slot's certificate does not parse as X.509.
    #[error("the {0} certificate is not a valid X.509 certificate")]
    CertificateInvalid(KeySlot),
    /// The slot's key uses an algorithm Padrón does not sign with.
    #[error("unsupported key algorithm: {0}")]
    UnsupportedAlgorithm(String),
    /// The digest handed to sign does not match the length the key's algorithm needs.
    #[error("digest of {actual} bytes does not fit {expected}")]
    DigestLength {
        /// The length or algorithm expected.
        expected: &'static str,
        /// The digest's length, in bytes.
        actual: usize,
    },
    /// The card answered with a status word this driver does not expect.
    #[error("the card refused {operation} with status {sw}")]
    Status {
        /// The operation the card refused (e.g. `GENERAL AUTHENTICATE`).
        operation: &'static str,
        /// The status word the card answered with.
        sw: StatusWord,
    },
    /// The card sent bytes that are not what the standard says.
    #[error("the card sent malformed data: {0}")]
    Malformed(String),
    /// Any other error from the PC/SC service.
    #[error("PC/SC error: {0}")]
    Pcsc(pcsc::Error),
    /// The PKCS#11 module (a vendor's middleware library) could not be loaded or initialised.
    #[error("could not load the PKCS#11 module {path}: {message}")]
    Pkcs11Module {
        /// The module's file path.
        path: String,
        /// Why loading or `C_Initialize` failed.
        message: String,
    },
    /// No PKCS#11 slot with a token matches that name.
    #[error("no token in slot {0:?}")]
    TokenNotFound(String),
    /// [`crate::events::Canceller::cancel`] interrupted a wait.
    #[error("waiting for card events was cancelled")]
    WatchCancelled,
    /// A PKCS#11 function returned an error.
    #[error("PKCS#11 error in {function}: {message}")]
    Pkcs11 {
        /// The PKCS#11 function called (e.g. `C_Sign`).
        function: String,
        /// The error the module returned.
        message: String,
    },
}

impl CardError {
    /// The stable code and Spanish/English sentence for a person.
    pub fn code(&self) -> ErrorCode {
        match self {
            CardError::PcscUnavailable => ErrorCode::PcscUnavailable,
            CardError::ReaderNotFound(_) => ErrorCode::ReaderNotFound,
            CardError::CardAbsent(_) => ErrorCode::CardAbsent,
            CardError::CardRemoved => ErrorCode::CardRemoved,
            CardError::NotPiv | CardError::UnsupportedAlgorithm(_) => ErrorCode::CardNotSupported,
            CardError::PinIncorrect { .. } => ErrorCode::PinIncorrect,
            CardError::PinBlocked => ErrorCode::PinBlocked,
            CardError::PinRequired => ErrorCode::PinRequired,
            CardError::PinFormat(_) => ErrorCode::PinFormatInvalid,
            CardError::CertificateMissing(_) | CardError::CertificateInvalid(_) => {
                ErrorCode::CardCertificateMissing
            }
            CardError::Pkcs11Module { .. } => ErrorCode::Pkcs11ModuleInvalid,
            CardError::TokenNotFound(_) => ErrorCode::CardAbsent,
            CardError::DigestLength { .. }
            | CardError::Status { .. }
            | CardError::Malformed(_)
            | CardError::Pcsc(_)
            | CardError::Pkcs11 { .. }
            | CardError::WatchCancelled => ErrorCode::CardError,
        }
    }

    /// Classifies a PC/SC error: removal and absence get their own variants
    /// because the agent ends a session on them.
    pub fn from_pcsc(err: pcsc::Error, reader: &str) -> CardError {
        match err {
            pcsc::Error::NoService | pcsc::Error::ServiceStopped => CardError::PcscUnavailable,
            pcsc::Error::RemovedCard | pcsc::Error::ResetCard | pcsc::Error::UnpoweredCard => {
                CardError::CardRemoved
            }
            pcsc::Error::NoSmartcard => CardError::CardAbsent(reader.to_owned()),
            pcsc::Error::UnknownReader | pcsc::Error::ReaderUnavailable => {
                CardError::ReaderNotFound(reader.to_owned())
            }
            other => CardError::Pcsc(other),
        }
    }
}

impl From<TlvError> for CardError {
    fn from(err: TlvError) -> CardError {
        CardError::Malformed(err.to_string())
    }
}

impl From<ApduError> for CardError {
    fn from(err: ApduError) -> CardError {
        CardError::Malformed(err.to_string())
    }
}
