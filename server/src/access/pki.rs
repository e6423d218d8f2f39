//! The server's certificate authorities and what they issue (rcgen).
//!
//! Two CAs, kept apart on purpose: the **server CA** vouches for the server's
//! TLS certificate (agents pin it), the **workstation CA** issues the client
//! certificates that enrolled workstations present. Compromise or rotation
//! of one does not touch the other. All keys are ECDSA P-256.

use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::clock::timestamp;
use crate::store::IssuedCertificate;

/// How long a workstation certificate is valid. Two years: long enough to
/// avoid churn at fixed sites, short enough that a forgotten machine lapses.
pub const WORKSTATION_VALIDITY: Duration = Duration::days(730);
const CA_VALIDITY: Duration = Duration::days(3650);
const SERVER_VALIDITY: Duration = Duration::days(825);
/// Backdating absorbs clock skew between the server and workstations.
const BACKDATE: Duration = Duration::minutes(5);

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("certificate generation failed: {0}")]
    Rcgen(#[from] rcgen::Error),
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the certificate signing request is not valid: {0}")]
    CsrInvalid(String),
    #[error("the system random number generator failed")]
    Random,
    #[error("the certificate request asks for a key type that is not allowed: {0}")]
    CsrKeyType(String),
}

/// PEM texts of a freshly made certificate and its key.
#[derive(Debug)]
pub struct PemPair {
    pub cert_pem: String,
    pub key_pem: String,
}

/// Everything `init` creates.
#[derive(Debug)]
pub struct InitialPki {
    pub server_ca: PemPair,
    pub server: PemPair,
    pub workstation_ca: PemPair,
}

fn random_serial() -> Result<SerialNumber, PkiError> {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes)?;
    bytes[0] &= 0x7f; // a positive INTEGER
    bytes[0] |= 0x01; // and never shorter than 16 bytes once encoded
    Ok(SerialNumber::from_slice(&bytes))
}

/// Fills `buf` from the CSPRNG that rustls (aws-lc-rs) uses for its own keys.
pub fn fill_random(buf: &mut [u8]) -> Result<(), PkiError> {
    rustls::crypto::aws_lc_rs::default_provider()
        .secure_random
        .fill(buf)
        .map_err(|_| PkiError::Random)
}

fn ca_params(common_name: &str, now: OffsetDateTime) -> Result<CertificateParams, PkiError> {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "GT");
    dn.push(DnType::OrganizationName, "Padrón");
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = now - BACKDATE;
    params.not_after = now + CA_VALIDITY;
    params.serial_number = Some(random_serial()?);
    params.use_authority_key_identifier_extension = false;
    Ok(params)
}

fn make_ca(
    common_name: &str,
    now: OffsetDateTime,
) -> Result<(PemPair, CertificateParams, KeyPair), PkiError> {
    let key = KeyPair::generate()?;
    let params = ca_params(common_name, now)?;
    let cert = params.self_signed(&key)?;
    Ok((
        PemPair {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        },
        params,
        key,
    ))
}

/// Creates both CAs and the server's TLS certificate for `hostname` (plus the
/// loopback names, so that local monitoring can reach it too).
pub fn init(hostname: &str, now: OffsetDateTime) -> Result<InitialPki, PkiError> {
    let (server_ca, server_ca_params, server_ca_key) = make_ca("Padrón CA de servidor", now)?;
    let (workstation_ca, _, _) = make_ca("Padrón CA de estaciones de trabajo", now)?;

    let mut names = vec![hostname.to_owned()];
    for extra in ["localhost", "127.0.0.1", "::1"] {
        if !names.iter().any(|n| n == extra) {
            names.push(extra.to_owned());
        }
    }
    let mut params = CertificateParams::new(names)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Padrón");
    dn.push(DnType::CommonName, hostname);
    params.distinguished_name = dn;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = now - BACKDATE;
    params.not_after = now + SERVER_VALIDITY;
    params.serial_number = Some(random_serial()?);
    params.use_authority_key_identifier_extension = true;
    let key = KeyPair::generate()?;
    let issuer = Issuer::new(server_ca_params, server_ca_key);
    let cert = params.signed_by(&key, &issuer)?;
    Ok(InitialPki {
        server_ca,
        server: PemPair {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        },
        workstation_ca,
    })
}

/// The workstation CA, loaded to issue certificates.
#[derive(Debug)]
pub struct WorkstationCa {
    issuer: Issuer<'static, KeyPair>,
}

impl WorkstationCa {
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<WorkstationCa, PkiError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|source| PkiError::Read {
                path: p.display().to_string(),
                source,
            })
        };
        let key = KeyPair::from_pem(&read(key_path)?)?;
        let issuer = Issuer::from_ca_cert_pem(&read(cert_path)?, key)?;
        Ok(WorkstationCa { issuer })
    }

    fn params(
        &self,
        id: i64,
        institution_code: &str,
        site: &str,
        now: OffsetDateTime,
    ) -> Result<CertificateParams, PkiError> {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::OrganizationName, institution_code);
        dn.push(DnType::OrganizationalUnitName, site);
        dn.push(DnType::CommonName, format!("Padrón estación {id}"));
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = now - BACKDATE;
        params.not_after = now + WORKSTATION_VALIDITY;
        params.serial_number = Some(random_serial()?);
        params.use_authority_key_identifier_extension = true;
        Ok(params)
    }

    /// Issues a certificate for a key the server generates; returns the key too.
    pub fn issue_with_new_key(
        &self,
        id: i64,
        institution_code: &str,
        site: &str,
        now: OffsetDateTime,
    ) -> Result<(IssuedCertificate, String), PkiError> {
        let key = KeyPair::generate()?;
        let params = self.params(id, institution_code, site, now)?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok((
            describe(&params, cert.der(), cert.pem()),
            key.serialize_pem(),
        ))
    }

    /// Issues a certificate for the public key in a CSR. Only the key is
    /// taken from the request: subject, extensions and validity are ours, so
    /// a crafted CSR cannot ask for a CA bit or another institution's name.
    pub fn issue_for_csr(
        &self,
        csr: &ParsedCsr,
        id: i64,
        institution_code: &str,
        site: &str,
        now: OffsetDateTime,
    ) -> Result<IssuedCertificate, PkiError> {
        let params = self.params(id, institution_code, site, now)?;
        let request = CertificateSigningRequestParams {
            params: params.clone(),
            public_key: csr.0.public_key.clone(),
        };
        let cert = request.signed_by(&self.issuer)?;
        Ok(describe(&params, cert.der(), cert.pem()))
    }
}

/// A CSR whose self-signature has been checked.
#[derive(Debug)]
pub struct ParsedCsr(CertificateSigningRequestParams);

/// Parses a PEM CSR and verifies it is signed by the key it carries (proof
/// that the requester holds the private key). Only ECDSA P-256/P-384 and
/// RSA keys are accepted.
pub fn parse_csr(pem: &str) -> Result<ParsedCsr, PkiError> {
    check_csr_key(pem)?;
    let parsed = CertificateSigningRequestParams::from_pem(pem)
        .map_err(|e| PkiError::CsrInvalid(e.to_string()))?;
    let alg = parsed.public_key.algorithm();
    let allowed = [
        &rcgen::PKCS_ECDSA_P256_SHA256,
        &rcgen::PKCS_ECDSA_P384_SHA384,
        &rcgen::PKCS_RSA_SHA256,
        &rcgen::PKCS_RSA_SHA384,
        &rcgen::PKCS_RSA_SHA512,
    ];
    if !allowed.contains(&alg) {
        return Err(PkiError::CsrKeyType(format!("{alg:?}")));
    }
    Ok(ParsedCsr(parsed))
}

/// The key a CSR carries must be RSA of 2048 bits or more, or EC on P-256
/// or P-384; anything else is refused before rcgen sees it.
fn check_csr_key(pem: &str) -> Result<(), PkiError> {
    use x509_parser::certification_request::X509CertificationRequest;
    use x509_parser::prelude::FromDer;
    use x509_parser::public_key::PublicKey;
    const P256: &str = "1.2.840.10045.3.1.7";
    const P384: &str = "1.3.132.0.34";
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes())
        .map_err(|e| PkiError::CsrInvalid(format!("PEM: {e}")))?;
    let (_, csr) = X509CertificationRequest::from_der(&block.contents)
        .map_err(|e| PkiError::CsrInvalid(format!("DER: {e}")))?;
    let spki = &csr.certification_request_info.subject_pki;
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            let bits = rsa.key_size();
            if bits < 2048 {
                return Err(PkiError::CsrKeyType(format!(
                    "RSA de {bits} bits (mínimo 2048)"
                )));
            }
            Ok(())
        }
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string())
                .unwrap_or_default();
            if curve == P256 || curve == P384 {
                Ok(())
            } else {
                Err(PkiError::CsrKeyType(format!(
                    "curva EC {curve} no admitida"
                )))
            }
        }
        Ok(_) => Err(PkiError::CsrKeyType(format!(
            "algoritmo {}",
            spki.algorithm.algorithm.to_id_string()
        ))),
        Err(e) => Err(PkiError::CsrInvalid(format!("public key: {e}"))),
    }
}

/// SHA-256 of a certificate's DER, lowercase hex: how a workstation is recognised.
pub fn fingerprint_hex(der: &[u8]) -> String {
    hex::encode(Sha256::digest(der))
}

fn describe(params: &CertificateParams, der: &[u8], pem: String) -> IssuedCertificate {
    IssuedCertificate {
        serial_hex: params
            .serial_number
            .as_ref()
            .map(|s| hex::encode(s.to_bytes()))
            .unwrap_or_default(),
        fingerprint_hex: fingerprint_hex(der),
        pem,
        not_before: timestamp(params.not_before),
        not_after: timestamp(params.not_after),
    }
}
