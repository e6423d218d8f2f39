//! A test eID certification authority and the cards it issues, shaped like
//! a national eID: a subject with the holder's name, `serialNumber` in the
//! ETSI `PNO<country>-<number>` form and the country; an authentication
//! certificate (digitalSignature, clientAuth) and a signature certificate
//! (nonRepudiation); random 128-bit serials and a fixed validity from the
//! moment of issue, as a real CA sets them.

use std::fs;
use std::path::{Path, PathBuf};

use padron_shared::Cui;
use rand_core::{OsRng, RngCore as _};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use thiserror::Error;
use time::{Duration, OffsetDateTime};

use crate::card::KeySlot;
use crate::virtual_card::files::{
    self, CA_CERT, CA_KEY, CA_PROFILE, CARD_PROFILE, CaProfile, CardAlgorithm, CardProfile,
    CardState, FilesError,
};

/// Every test CA's name says what it is, so its certificates can never be
/// mistaken for a real national eID.
pub const TEST_CA_ORGANIZATION: &str = "Padrón TEST eID (NOT FOR PRODUCTION)";

const CA_VALIDITY_DAYS: i64 = 10 * 365;
const CARD_VALIDITY_DAYS: i64 = 5 * 365;
/// ASN.1 upper bound of X.520 names (RFC 5280 ub-common-name).
const MAX_NAME_LEN: usize = 64;

const OID_SERIAL_NUMBER: [u64; 4] = [2, 5, 4, 5];
const OID_SURNAME: [u64; 4] = [2, 5, 4, 4];
const OID_GIVEN_NAME: [u64; 4] = [2, 5, 4, 42];

/// Why a test card could not be issued.
#[derive(Debug, Error)]
pub enum IssueError {
    /// The CA or card directory could not be read or written.
    #[error(transparent)]
    Files(#[from] FilesError),
    /// The country is not two capital letters.
    #[error("country must be two capital letters (ISO 3166-1), not {0:?}")]
    Country(String),
    /// The holder's CUI is not valid.
    #[error("invalid CUI: {0}")]
    Cui(#[from] padron_shared::CuiError),
    /// The named field (given names or surnames) is empty or longer than 64 characters.
    #[error("{0} must be 1 to 64 characters")]
    Name(&'static str),
    /// The PIN is not 6 to 8 digits.
    #[error("a PIV PIN has 6 to 8 digits")]
    Pin,
    /// A key or certificate could not be generated.
    #[error("certificate generation failed: {0}")]
    Certificate(#[from] rcgen::Error),
}

/// What `issue` needs to know.
#[derive(Debug, Clone)]
pub struct CardRequest {
    /// Holder's CUI, written in the certificates' `serialNumber` as `PNO<country>-<cui>`.
    pub cui: Cui,
    /// Holder's given names, 1 to 64 characters.
    pub given_names: String,
    /// Holder's surnames, 1 to 64 characters.
    pub surnames: String,
    /// Algorithm of both slot keys.
    pub algorithm: CardAlgorithm,
    /// The card PIN, 6 to 8 digits.
    pub pin: String,
}

fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    // Positive and of full length once DER-encoded.
    bytes[0] = (bytes[0] & 0x7F) | 0x40;
    SerialNumber::from_slice(&bytes)
}

fn now() -> OffsetDateTime {
    // Whole seconds: X.509 times have no fractions.
    OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

fn ensure_dir(dir: &Path) -> Result<(), FilesError> {
    fs::create_dir_all(dir).map_err(|source| FilesError::Io {
        path: dir.to_owned(),
        source,
    })
}

fn refuse_existing(path: PathBuf) -> Result<(), FilesError> {
    if path.exists() {
        Err(FilesError::Exists(path))
    } else {
        Ok(())
    }
}

/// `padron-card ca init`: a new test CA in `dir`.
pub fn init_ca(dir: &Path, country: &str) -> Result<PathBuf, IssueError> {
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(IssueError::Country(country.to_owned()));
    }
    ensure_dir(dir)?;
    refuse_existing(dir.join(CA_KEY))?;
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CountryName,
        DnValue::PrintableString(country.try_into()?),
    );
    dn.push(DnType::OrganizationName, TEST_CA_ORGANIZATION);
    dn.push(DnType::CommonName, format!("Padrón TEST eID CA {country}"));
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.serial_number = Some(random_serial());
    params.not_before = now();
    params.not_after = now() + Duration::days(CA_VALIDITY_DAYS);
    let cert = params.self_signed(&key)?;
    files::write_secret(&dir.join(CA_KEY), &key.serialize_pem())?;
    files::write_text(&dir.join(CA_CERT), &cert.pem())?;
    files::write_toml(
        &dir.join(CA_PROFILE),
        &CaProfile {
            country: country.to_owned(),
            test_only: true,
        },
    )?;
    Ok(dir.join(CA_CERT))
}

fn check_name(text: &str, what: &'static str) -> Result<String, IssueError> {
    let name = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(IssueError::Name(what));
    }
    Ok(name)
}

fn generate_key(algorithm: CardAlgorithm) -> Result<KeyPair, rcgen::Error> {
    KeyPair::generate_for(match algorithm {
        CardAlgorithm::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        CardAlgorithm::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        CardAlgorithm::Rsa2048 => &rcgen::PKCS_RSA_SHA256,
    })
}

/// `padron-card issue`: keys and certificates for a new card in `out`.
pub fn issue_card(
    ca_dir: &Path,
    out: &Path,
    request: &CardRequest,
) -> Result<CardProfile, IssueError> {
    let given = check_name(&request.given_names, "given names")?;
    let surnames = check_name(&request.surnames, "surnames")?;
    let full_name = format!("{given} {surnames}");
    if full_name.chars().count() > MAX_NAME_LEN {
        return Err(IssueError::Name("the full name"));
    }
    if !(6..=8).contains(&request.pin.len()) || !request.pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(IssueError::Pin);
    }
    let ca = CaProfile::load(ca_dir)?;
    let ca_key = KeyPair::from_pem(&files::read_text(&ca_dir.join(CA_KEY))?)?;
    let issuer = Issuer::from_ca_cert_pem(&files::read_text(&ca_dir.join(CA_CERT))?, ca_key)?;

    ensure_dir(out)?;
    refuse_existing(out.join(CARD_PROFILE))?;

    let national_id = format!("PNO{}-{}", ca.country, request.cui);
    for slot in KeySlot::ALL {
        let key = generate_key(request.algorithm)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(
            DnType::CountryName,
            DnValue::PrintableString(ca.country.as_str().try_into()?),
        );
        dn.push(
            DnType::CustomDnType(OID_SURNAME.to_vec()),
            surnames.as_str(),
        );
        dn.push(
            DnType::CustomDnType(OID_GIVEN_NAME.to_vec()),
            given.as_str(),
        );
        dn.push(
            DnType::CustomDnType(OID_SERIAL_NUMBER.to_vec()),
            DnValue::PrintableString(national_id.as_str().try_into()?),
        );
        dn.push(DnType::CommonName, full_name.as_str());
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        match slot {
            KeySlot::Authentication => {
                params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            }
            KeySlot::Signature => {
                params.key_usages = vec![KeyUsagePurpose::ContentCommitment];
            }
        }
        params.serial_number = Some(random_serial());
        params.not_before = now();
        params.not_after = now() + Duration::days(CARD_VALIDITY_DAYS);
        params.use_authority_key_identifier_extension = true;
        let cert = params.signed_by(&key, &issuer)?;
        files::write_secret(&out.join(files::key_file(slot)), &key.serialize_pem())?;
        files::write_text(&out.join(files::cert_file(slot)), &cert.pem())?;
    }

    let mut uuid = [0u8; 16];
    OsRng.fill_bytes(&mut uuid);
    // RFC 4122 version 4 (random) UUID, as SP 800-73-4 asks of the CHUID GUID.
    uuid[6] = (uuid[6] & 0x0F) | 0x40;
    uuid[8] = (uuid[8] & 0x3F) | 0x80;
    let profile = CardProfile {
        algorithm: request.algorithm,
        pin: request.pin.clone(),
        pin_max_tries: 3,
        card_uuid: hex::encode(uuid),
        holder: full_name,
        cui: request.cui.to_string(),
        country: ca.country,
    };
    files::write_toml(
        &out.join(files::CARD_STATE),
        &CardState {
            pin_tries_left: profile.pin_max_tries,
        },
    )?;
    files::write_toml(&out.join(CARD_PROFILE), &profile)?;
    Ok(profile)
}
