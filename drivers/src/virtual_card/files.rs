//! The on-disk form of a test CA and of a virtual card.
//!
//! A card directory holds `card.toml` (profile: algorithm, PIN, card UUID,
//! holder), `state.toml` (PIN tries left, rewritten as they change so a
//! blocked card stays blocked across runs) and the PEM keys and
//! certificates of the authentication (`9A`) and signature (`9C`) slots.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::card::{KeyAlgorithm, KeySlot};
use crate::virtual_card::keys::{CardKey, KeyError};

/// File name of the test CA's certificate (PEM) in the CA directory.
pub const CA_CERT: &str = "ca.crt.pem";
/// File name of the test CA's private key (PKCS#8 PEM) in the CA directory.
pub const CA_KEY: &str = "ca.key.pem";
/// File name of the test CA's profile ([`CaProfile`]) in the CA directory.
pub const CA_PROFILE: &str = "ca.toml";
/// File name of a card's profile ([`CardProfile`]) in the card directory.
pub const CARD_PROFILE: &str = "card.toml";
/// File name of a card's mutable state ([`CardState`]) in the card directory.
pub const CARD_STATE: &str = "state.toml";

/// Why a CA or card directory could not be read or written.
#[derive(Debug, Error)]
pub enum FilesError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A file was read but its content is malformed (bad TOML, no PEM block).
    #[error("{path}: {message}")]
    Format {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A key file holds no usable key for the card's algorithm.
    #[error("{path}: {source}")]
    Key {
        /// The key file.
        path: PathBuf,
        /// Why the key is unusable.
        source: KeyError,
    },
    /// Creating a file that is already there; the existing one is kept.
    #[error("{0} already exists; refusing to overwrite it")]
    Exists(PathBuf),
}

pub(crate) fn read_text(path: &Path) -> Result<String, FilesError> {
    fs::read_to_string(path).map_err(|source| FilesError::Io {
        path: path.to_owned(),
        source,
    })
}

pub(crate) fn write_text(path: &Path, text: &str) -> Result<(), FilesError> {
    fs::write(path, text).map_err(|source| FilesError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Writes a private key readable only by its owner.
pub(crate) fn write_secret(path: &Path, text: &str) -> Result<(), FilesError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let io = |source| FilesError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)
}

fn read_toml<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, FilesError> {
    toml::from_str(&read_text(path)?).map_err(|e| FilesError::Format {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

pub(crate) fn write_toml<T: Serialize>(path: &Path, value: &T) -> Result<(), FilesError> {
    let text = toml::to_string(value).map_err(|e| FilesError::Format {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    write_text(path, &text)
}

/// The key algorithm as the CLI and `card.toml` spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CardAlgorithm {
    /// ECDSA on NIST P-256.
    P256,
    /// ECDSA on NIST P-384.
    P384,
    /// RSA with a 2048-bit modulus.
    Rsa2048,
}

impl CardAlgorithm {
    /// The [`KeyAlgorithm`] the card's slots report for this choice.
    pub fn key_algorithm(self) -> KeyAlgorithm {
        match self {
            CardAlgorithm::P256 => KeyAlgorithm::EcP256,
            CardAlgorithm::P384 => KeyAlgorithm::EcP384,
            CardAlgorithm::Rsa2048 => KeyAlgorithm::Rsa2048,
        }
    }
}

/// `ca.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaProfile {
    /// ISO 3166-1 alpha-2 country of the cards this CA issues.
    pub country: String,
    /// Always true: this CA exists only for tests and demonstrations.
    pub test_only: bool,
}

impl CaProfile {
    /// Reads `ca.toml` from the CA directory `dir`.
    pub fn load(dir: &Path) -> Result<CaProfile, FilesError> {
        read_toml(&dir.join(CA_PROFILE))
    }
}

/// `card.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CardProfile {
    /// Algorithm of both slot keys.
    pub algorithm: CardAlgorithm,
    /// A test card's PIN, kept in clear so tests and demos can use it.
    pub pin: String,
    /// PIN tries allowed before the card blocks; also the count a fresh card starts with.
    pub pin_max_tries: u8,
    /// The CHUID card UUID, hex.
    pub card_uuid: String,
    /// Holder's name, as written in the certificates' subject.
    pub holder: String,
    /// Holder's national number (a CUI for Guatemala), put in the subject's `serialNumber` as `PNO<country>-<cui>`.
    pub cui: String,
    /// ISO 3166-1 alpha-2 country that issued the card.
    pub country: String,
}

/// `state.toml`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct CardState {
    /// PIN tries left; 0 means the PIN is blocked.
    pub pin_tries_left: u8,
}

/// File name of the private key (PKCS#8 PEM) of `slot` in a card directory.
pub fn key_file(slot: KeySlot) -> &'static str {
    match slot {
        KeySlot::Authentication => "auth.key.pem",
        KeySlot::Signature => "sign.key.pem",
    }
}

/// File name of the certificate (PEM) of `slot` in a card directory.
pub fn cert_file(slot: KeySlot) -> &'static str {
    match slot {
        KeySlot::Authentication => "auth.crt.pem",
        KeySlot::Signature => "sign.crt.pem",
    }
}

/// One slot's key and DER certificate.
#[derive(Debug)]
pub struct SlotContents {
    /// The slot's private key.
    pub key: CardKey,
    /// The slot's X.509 certificate, DER.
    pub certificate_der: Vec<u8>,
}

/// Everything a virtual card holds, loaded from its directory.
#[derive(Debug)]
pub struct CardFiles {
    /// The card directory the files were read from (where state is saved).
    pub dir: PathBuf,
    /// Contents of `card.toml`.
    pub profile: CardProfile,
    /// Contents of `state.toml`, or a fresh state with all tries when it is absent.
    pub state: CardState,
    /// The PIV authentication slot (`9A`).
    pub authentication: SlotContents,
    /// The PIV digital signature slot (`9C`).
    pub signature: SlotContents,
}

impl CardFiles {
    /// Loads a card directory: profile, state (fresh when `state.toml` is missing), both slots' keys and certificates.
    pub fn load(dir: &Path) -> Result<CardFiles, FilesError> {
        let profile: CardProfile = read_toml(&dir.join(CARD_PROFILE))?;
        let state = match read_toml::<CardState>(&dir.join(CARD_STATE)) {
            Ok(state) => state,
            Err(FilesError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                CardState {
                    pin_tries_left: profile.pin_max_tries,
                }
            }
            Err(e) => return Err(e),
        };
        let load_slot = |slot| -> Result<SlotContents, FilesError> {
            let key_path = dir.join(key_file(slot));
            let key =
                CardKey::from_pkcs8_pem(profile.algorithm.key_algorithm(), &read_text(&key_path)?)
                    .map_err(|source| FilesError::Key {
                        path: key_path.clone(),
                        source,
                    })?;
            let cert_path = dir.join(cert_file(slot));
            let certificate_der =
                pem_to_der(&read_text(&cert_path)?, "CERTIFICATE").ok_or_else(|| {
                    FilesError::Format {
                        path: cert_path,
                        message: "no PEM CERTIFICATE block".into(),
                    }
                })?;
            Ok(SlotContents {
                key,
                certificate_der,
            })
        };
        Ok(CardFiles {
            dir: dir.to_owned(),
            state,
            authentication: load_slot(KeySlot::Authentication)?,
            signature: load_slot(KeySlot::Signature)?,
            profile,
        })
    }

    /// The CHUID card UUID as 16 bytes: the profile's hex, truncated or zero-padded; all zeros if it is not hex.
    pub fn card_uuid(&self) -> [u8; 16] {
        let mut uuid = [0u8; 16];
        if let Ok(bytes) = hex::decode(&self.profile.card_uuid) {
            let n = bytes.len().min(16);
            uuid[..n].copy_from_slice(&bytes[..n]);
        }
        uuid
    }

    /// Records the tries counter so blocking survives a restart.
    pub fn save_state(dir: &Path, state: CardState) -> Result<(), FilesError> {
        write_toml(&dir.join(CARD_STATE), &state)
    }
}

/// The DER inside the first PEM block, if it is labelled `label`.
pub fn pem_to_der(pem: &str, label: &str) -> Option<Vec<u8>> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).ok()?;
    (block.label == label).then_some(block.contents)
}
