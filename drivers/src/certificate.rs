//! What a card's certificate says about its holder and key.
//!
//! The holder's national number is in the subject's `serialNumber` attribute
//! in the ETSI EN 319 412-1 §5.1.3 form `PNOGT-<CUI>`: a three-letter type
//! (`PNO` = personal number), the ISO 3166 country, a dash, the number.

use padron_shared::Cui;
use thiserror::Error;
use time::OffsetDateTime;
use x509_parser::oid_registry::{
    OID_EC_P256, OID_KEY_TYPE_EC_PUBLIC_KEY, OID_NIST_EC_P384, OID_PKCS1_RSAENCRYPTION,
    OID_X509_COMMON_NAME, OID_X509_GIVEN_NAME, OID_X509_SERIALNUMBER, OID_X509_SURNAME,
};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};
use x509_parser::public_key::PublicKey;

use crate::card::KeyAlgorithm;

/// A certificate that does not parse as X.509 DER; the parser's reason.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not a valid X.509 certificate: {0}")]
pub struct CertificateError(String);

/// A national identifier as ETSI EN 319 412-1 writes it in `serialNumber`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NationalId {
    /// `PNO` (personal number), `IDC` (identity card), `PAS` (passport)…
    pub kind: String,
    /// ISO 3166-1 alpha-2, e.g. `GT`.
    pub country: String,
    /// The number itself, e.g. a 13-digit CUI.
    pub number: String,
}

impl NationalId {
    /// Parses `serialNumber` text of the form `KKKCC-number` (kind, country, number); `None` for any other form.
    pub fn parse(text: &str) -> Option<NationalId> {
        let (prefix, number) = text.split_once('-')?;
        if prefix.len() != 5 || !prefix.is_ascii() || number.is_empty() {
            return None;
        }
        let (kind, country) = prefix.split_at(3);
        if !kind.bytes().all(|b| b.is_ascii_uppercase())
            || !country.bytes().all(|b| b.is_ascii_uppercase())
        {
            return None;
        }
        Some(NationalId {
            kind: kind.to_owned(),
            country: country.to_owned(),
            number: number.to_owned(),
        })
    }

    /// The CUI, for a Guatemalan personal number with a valid check digit.
    pub fn cui(&self) -> Option<Cui> {
        (self.kind == "PNO" && self.country == "GT")
            .then(|| Cui::parse(&self.number).ok())
            .flatten()
    }
}

impl std::fmt::Display for NationalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}-{}", self.kind, self.country, self.number)
    }
}

/// The parts of a certificate a person or the agent needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The whole subject, RFC 4514 style.
    pub subject: String,
    /// The subject's common name (CN).
    pub common_name: Option<String>,
    /// The subject's given name (GN).
    pub given_name: Option<String>,
    /// The subject's surname (SN).
    pub surname: Option<String>,
    /// The subject's `serialNumber` attribute as written.
    pub subject_serial_number: Option<String>,
    /// The subject's `serialNumber` parsed as a national identifier, when it has that form.
    pub national_id: Option<NationalId>,
    /// The whole issuer, RFC 4514 style.
    pub issuer: String,
    /// The issuer's common name (CN).
    pub issuer_common_name: Option<String>,
    /// Start of the validity period.
    pub not_before: OffsetDateTime,
    /// End of the validity period.
    pub not_after: OffsetDateTime,
    /// The certificate serial number in hex.
    pub serial: String,
    /// `None` for a key type the drivers cannot sign with.
    pub key_algorithm: Option<KeyAlgorithm>,
}

fn first_attribute(name: &X509Name<'_>, oid: &x509_parser::der_parser::Oid<'_>) -> Option<String> {
    name.iter_by_oid(oid)
        .next()
        .and_then(|attr| attr.as_str().ok())
        .map(str::to_owned)
}

impl CertificateInfo {
    /// Reads the fields Padrón uses from a DER certificate.
    pub fn parse(der: &[u8]) -> Result<CertificateInfo, CertificateError> {
        let (_, cert) =
            X509Certificate::from_der(der).map_err(|e| CertificateError(e.to_string()))?;
        let subject = cert.subject();
        let subject_serial_number = first_attribute(subject, &OID_X509_SERIALNUMBER);
        Ok(CertificateInfo {
            subject: subject.to_string(),
            common_name: first_attribute(subject, &OID_X509_COMMON_NAME),
            given_name: first_attribute(subject, &OID_X509_GIVEN_NAME),
            surname: first_attribute(subject, &OID_X509_SURNAME),
            national_id: subject_serial_number.as_deref().and_then(NationalId::parse),
            subject_serial_number,
            issuer: cert.issuer().to_string(),
            issuer_common_name: first_attribute(cert.issuer(), &OID_X509_COMMON_NAME),
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
            serial: hex::encode_upper(cert.raw_serial()),
            key_algorithm: key_algorithm_of(&cert),
        })
    }

    /// The holder's CUI, when the certificate carries a valid Guatemalan one.
    pub fn cui(&self) -> Option<Cui> {
        self.national_id.as_ref().and_then(NationalId::cui)
    }

    /// The holder's name as printed: the common name, else given name and surname.
    pub fn holder_name(&self) -> Option<String> {
        self.common_name
            .clone()
            .or_else(|| match (&self.given_name, &self.surname) {
                (Some(g), Some(s)) => Some(format!("{g} {s}")),
                (Some(one), None) | (None, Some(one)) => Some(one.clone()),
                (None, None) => None,
            })
    }

    /// Whether `now` is inside the validity period.
    pub fn is_valid_at(&self, now: OffsetDateTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

/// The key algorithm of a DER certificate's public key.
pub fn key_algorithm(der: &[u8]) -> Result<Option<KeyAlgorithm>, CertificateError> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| CertificateError(e.to_string()))?;
    Ok(key_algorithm_of(&cert))
}

fn key_algorithm_of(cert: &X509Certificate<'_>) -> Option<KeyAlgorithm> {
    let spki = cert.public_key();
    let oid = &spki.algorithm.algorithm;
    if *oid == OID_KEY_TYPE_EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref()?.as_oid().ok()?;
        if curve == OID_EC_P256 {
            Some(KeyAlgorithm::EcP256)
        } else if curve == OID_NIST_EC_P384 {
            Some(KeyAlgorithm::EcP384)
        } else {
            None
        }
    } else if *oid == OID_PKCS1_RSAENCRYPTION {
        match spki.parsed().ok()? {
            PublicKey::RSA(rsa) => {
                // Count the modulus bits ourselves: leading zero bytes are DER sign padding.
                let start = rsa.modulus.iter().position(|b| *b != 0)?;
                let bits =
                    (rsa.modulus.len() - start) * 8 - rsa.modulus[start].leading_zeros() as usize;
                (bits == 2048).then_some(KeyAlgorithm::Rsa2048)
            }
            _ => None,
        }
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etsi_national_ids_parse() {
        let id = NationalId::parse("PNOGT-1234567890101").unwrap();
        assert_eq!(id.kind, "PNO");
        assert_eq!(id.country, "GT");
        assert_eq!(id.cui().unwrap().to_string(), "1234567890101");
        assert_eq!(id.to_string(), "PNOGT-1234567890101");
        // Another country's number is kept, but it is not a CUI.
        assert_eq!(NationalId::parse("PNOPE-12345678").unwrap().cui(), None);
        // A bad check digit is not a CUI.
        assert_eq!(
            NationalId::parse("PNOGT-1234567880101").unwrap().cui(),
            None
        );
        for bad in ["", "PNOGT", "PNOGT-", "PNGT-123", "pnogt-123", "PNOGTX-1"] {
            assert_eq!(NationalId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert!(CertificateInfo::parse(&[0x30, 0x03, 0x02, 0x01]).is_err());
        assert!(CertificateInfo::parse(&[]).is_err());
    }
}
