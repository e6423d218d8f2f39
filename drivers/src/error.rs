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
    #[error("no reader named {0:?}")]
    ReaderNotFound(String),
    #[error("no card in reader {0:?}")]
    CardAbsent(String),
    /// The card left the reader (or was reset by someone else) during the session.
    #[error("the card was removed")]
    CardRemoved,
    #[error("the card does not hold a PIV application")]
    NotPiv,
    #[error("wrong PIN ({} tries left)", tries_left.map_or_else(|| "unknown".to_owned(), |t| t.to_string()))]
    PinIncorrect { tries_left: Option<u8> },
    #[error("the PIN is blocked")]
    PinBlocked,
    /// The key needs a PIN verification (for the signature key: immediately before each use).
    #[error("the PIN must be verified first")]
    PinRequired,
    #[error("the PIN has a format the card does not accept: {0}")]
    PinFormat(&'static str),
    #[error("the card has no {0} certificate")]
    CertificateMissing(KeySlot),
    #[error("the {0} certificate is not a valid X.509 certificate")]
    CertificateInvalid(KeySlot),
    #[error("unsupported key algorithm: {0}")]
    UnsupportedAlgorithm(String),
    #[error("digest of {actual} bytes does not fit {expected}")]
    DigestLength {
        expected: &'static str,
        actual: usize,
    },
    /// The card answered with a status word this driver does not expect.
    #[error("the card refused {operation} with status {sw}")]
    Status {
        operation: &'static str,
        sw: StatusWord,
    },
    /// The card sent bytes that are not what the standard says.
    #[error("the card sent malformed data: {0}")]
    Malformed(String),
    #[error("PC/SC error: {0}")]
    Pcsc(pcsc::Error),
    #[error("could not load the PKCS#11 module {path}: {message}")]
    Pkcs11Module { path: String, message: String },
    #[error("no token in slot {0:?}")]
    TokenNotFound(String),
    /// [`crate::events::Canceller::cancel`] interrupted a wait.
    #[error("waiting for card events was cancelled")]
    WatchCancelled,
    #[error("PKCS#11 error in {function}: {message}")]
    Pkcs11 { function: String, message: String },
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
