//! Reading the eID trust files an admin imports: root certificates and
//! certificate revocation lists, in PEM or DER.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::clock::timestamp;
use crate::error::ServerError;

/// What an admin is told about an imported CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlInfo {
    pub issuer: String,
    pub this_update: String,
    pub next_update: Option<String>,
    pub revoked: usize,
}

fn invalid(message: impl Into<String>) -> ServerError {
    ServerError::TrustFile(message.into())
}

/// The certificates in a PEM bundle, or the one DER certificate.
pub fn certificates(bytes: &[u8]) -> Result<Vec<Vec<u8>>, ServerError> {
    let from_pem: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(bytes)
        .filter_map(Result::ok)
        .map(|c| c.as_ref().to_vec())
        .collect();
    let ders = if from_pem.is_empty() {
        vec![bytes.to_vec()]
    } else {
        from_pem
    };
    for der in &ders {
        X509Certificate::from_der(der)
            .map_err(|e| invalid(format!("not an X.509 certificate: {e}")))?;
    }
    Ok(ders)
}

/// The subject of a root, refusing what cannot anchor a chain.
pub fn root_subject(der: &[u8]) -> Result<String, ServerError> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| invalid(format!("not an X.509 certificate: {e}")))?;
    if !cert.is_ca() {
        return Err(invalid(
            "the certificate is not a certification authority (basicConstraints CA:FALSE)",
        ));
    }
    webpki::anchor_from_trusted_cert(&CertificateDer::from(der))
        .map_err(|e| invalid(format!("cannot be used as a trust anchor: {e:?}")))?;
    Ok(cert.subject().to_string())
}

pub fn crl(bytes: &[u8]) -> Result<(Vec<u8>, CrlInfo), ServerError> {
    let der = match CertificateRevocationListDer::from_pem_slice(bytes) {
        Ok(d) => d.as_ref().to_vec(),
        Err(_) => bytes.to_vec(),
    };
    // webpki must accept it too, or it would be silently ignored at login.
    webpki::OwnedCertRevocationList::from_der(&der)
        .map_err(|e| invalid(format!("not a usable CRL: {e:?}")))?;
    let (_, parsed) = CertificateRevocationList::from_der(&der)
        .map_err(|e| invalid(format!("not a CRL: {e}")))?;
    let to_text = |t: x509_parser::time::ASN1Time| timestamp(t.to_datetime());
    let info = CrlInfo {
        issuer: parsed.issuer().to_string(),
        this_update: to_text(parsed.last_update()),
        next_update: parsed.next_update().map(to_text),
        revoked: parsed.iter_revoked_certificates().count(),
    };
    Ok((der, info))
}
