//! Card access for Padrón.
//!
//! - [`card`]: the abstraction the agent uses ([`Card`], [`CardSource`]).
//! - [`piv`]: PIV (NIST SP 800-73-4) over PC/SC.
//! - [`error`]: [`CardError`], with its stable [`padron_shared::ErrorCode`].
//! - [`certificate`]: holder name, CUI and validity from a card certificate.
//! - [`apdu`], [`tlv`]: the ISO 7816-4 wire format, hand-written and fuzzed.

#![warn(missing_docs)]

pub mod apdu;
pub mod card;
pub mod certificate;
pub mod error;
pub mod events;
pub mod piv;
pub mod pkcs11;
pub mod signature_format;
pub mod testbed;
pub mod tlv;
pub mod virtual_card;

pub use card::{
    Card, CardSource, Digest, HashAlgorithm, KeyAlgorithm, KeySlot, Pin, PinStatus, ReaderInfo,
};
pub use certificate::{CertificateInfo, NationalId};
pub use error::CardError;
pub use piv::driver::{PivCard, PivSource};
