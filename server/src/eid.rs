//! National eID card certificates: does this certificate come from an eID
//! authority the registry trusts, may it be used for this, and whose is it?
//!
//! Chain building, validity and CRL checks are rustls-webpki's; what is
//! Padrón's is the policy around it (which key usage each purpose needs,
//! which subject attribute carries the CUI) and the mapping of every
//! failure to its own refusal code, in the order the checks are specified:
//! chain, validity, usage, revocation, then (by the caller) the signature.

use padron_shared::auth::SignatureAlgorithm;
use padron_shared::{Cui, ErrorCode};
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, UnixTime};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, KeyPurposeIdIter, KeyUsage,
    OwnedCertRevocationList, RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy,
};
use x509_parser::prelude::{FromDer, X509Certificate};

/// What the certificate is presented for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Login: keyUsage digitalSignature, and extendedKeyUsage clientAuth if present.
    Authentication,
    /// Signed requests: keyUsage nonRepudiation (contentCommitment).
    Signature,
}

/// The person a verified certificate names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardHolder {
    pub cui: Cui,
    pub name: String,
}

/// A refusal with its code and, for the log, the technical reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub reason: String,
}

fn refuse(code: ErrorCode, reason: impl Into<String>) -> Refusal {
    Refusal {
        code,
        reason: reason.into(),
    }
}

const ALGORITHMS: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = &[
    webpki::aws_lc_rs::ECDSA_P256_SHA256,
    webpki::aws_lc_rs::ECDSA_P256_SHA384,
    webpki::aws_lc_rs::ECDSA_P384_SHA256,
    webpki::aws_lc_rs::ECDSA_P384_SHA384,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA384,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA512,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
];

/// Signature certificates carry whatever extended key usage their
/// authority gives them (often none, or document signing); their
/// nonRepudiation key usage is what Padrón checks.
struct AnyExtendedKeyUsage;

impl webpki::ExtendedKeyUsageValidator for AnyExtendedKeyUsage {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        // A malformed extension is still an error.
        for purpose in iter {
            purpose?;
        }
        Ok(())
    }
}

/// The trust the admin configured: eID roots and the CRLs imported.
#[derive(Debug, Clone, Default)]
pub struct EidTrust {
    pub roots: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    /// The ETSI country code in `serialNumber=PNO<CC>-<CUI>`.
    pub country: String,
}

impl EidTrust {
    /// Verifies `der` for `purpose` at `now` and reads its holder.
    pub fn verify(
        &self,
        der: &[u8],
        purpose: Purpose,
        now: UnixTime,
    ) -> Result<CardHolder, Refusal> {
        let cert_der = CertificateDer::from(der);
        let ee = EndEntityCert::try_from(&cert_der).map_err(|e| {
            refuse(
                ErrorCode::AuthFormatInvalid,
                format!("certificate does not parse: {e}"),
            )
        })?;
        let root_ders: Vec<CertificateDer<'_>> = self
            .roots
            .iter()
            .map(|r| CertificateDer::from(r.as_slice()))
            .collect();
        let anchors: Vec<_> = root_ders
            .iter()
            .filter_map(|r| webpki::anchor_from_trusted_cert(r).ok())
            .collect();
        let crls: Vec<CertRevocationList<'static>> = self
            .crls
            .iter()
            .filter_map(|c| {
                OwnedCertRevocationList::from_der(
                    CertificateRevocationListDer::from(c.as_slice()).as_ref(),
                )
                .ok()
            })
            .map(CertRevocationList::from)
            .collect();
        let crl_refs: Vec<&CertRevocationList<'_>> = crls.iter().collect();
        let revocation = RevocationOptionsBuilder::new(&crl_refs).ok().map(|b| {
            b.with_depth(RevocationCheckDepth::Chain)
                // A CA the admin imported no CRL for is not thereby revoked…
                .with_status_policy(UnknownStatusPolicy::Allow)
                // …and a CRL past its next update still lists what it lists.
                .with_expiration_policy(ExpirationPolicy::Ignore)
                .build()
        });
        let result = match purpose {
            Purpose::Authentication => ee.verify_for_usage(
                ALGORITHMS,
                &anchors,
                &[],
                now,
                KeyUsage::client_auth(),
                revocation,
                None,
            ),
            Purpose::Signature => ee.verify_for_usage(
                ALGORITHMS,
                &anchors,
                &[],
                now,
                AnyExtendedKeyUsage,
                revocation,
                None,
            ),
        };
        if let Err(e) = result {
            use webpki::Error as W;
            let code = match e {
                W::CertExpired { .. } | W::CertNotValidYet { .. } | W::InvalidCertValidity => {
                    ErrorCode::CardCertificateExpired
                }
                W::CertRevoked => ErrorCode::CardCertificateRevoked,
                W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => {
                    ErrorCode::CardCertificateUsage
                }
                W::CaUsedAsEndEntity => ErrorCode::CardCertificateUsage,
                _ => ErrorCode::CardCertificateUntrusted,
            };
            return Err(refuse(code, format!("{e:?}")));
        }
        let (_, x509) = X509Certificate::from_der(der).map_err(|e| {
            refuse(
                ErrorCode::AuthFormatInvalid,
                format!("certificate does not parse: {e}"),
            )
        })?;
        check_key_usage(&x509, purpose)?;
        holder(&x509, &self.country)
    }
}

fn check_key_usage(x509: &X509Certificate<'_>, purpose: Purpose) -> Result<(), Refusal> {
    let ku = x509
        .key_usage()
        .map_err(|e| {
            refuse(
                ErrorCode::CardCertificateUsage,
                format!("bad keyUsage: {e}"),
            )
        })?
        .map(|ext| ext.value);
    let allowed = match (ku, purpose) {
        (Some(ku), Purpose::Authentication) => ku.digital_signature(),
        (Some(ku), Purpose::Signature) => ku.non_repudiation(),
        // An eID certificate without keyUsage says nothing about what it is for.
        (None, _) => false,
    };
    if allowed {
        Ok(())
    } else {
        let needed = match purpose {
            Purpose::Authentication => "digitalSignature",
            Purpose::Signature => "nonRepudiation",
        };
        Err(refuse(
            ErrorCode::CardCertificateUsage,
            format!("keyUsage lacks {needed}"),
        ))
    }
}

/// The CUI from `serialNumber=PNO<CC>-<CUI>` and the name from the CN.
fn holder(x509: &X509Certificate<'_>, country: &str) -> Result<CardHolder, Refusal> {
    let subject = x509.subject();
    let prefix = format!("PNO{country}-");
    let cui = subject
        .iter_by_oid(&x509_parser::oid_registry::OID_X509_SERIALNUMBER)
        .filter_map(|attr| attr.as_str().ok())
        .find_map(|text| text.strip_prefix(&prefix).map(Cui::parse))
        .ok_or_else(|| {
            refuse(
                ErrorCode::CardCertificateNoCui,
                format!("no serialNumber {prefix}<CUI>"),
            )
        })?
        .map_err(|e| refuse(ErrorCode::CardCertificateNoCui, e.to_string()))?;
    let name = subject
        .iter_common_name()
        .filter_map(|cn| cn.as_str().ok())
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok(CardHolder { cui, name })
}

/// Verifies a signature made by the key of an already verified certificate.
pub fn verify_signature(
    cert_der: &[u8],
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Refusal> {
    let cert_der = CertificateDer::from(cert_der);
    let ee = EndEntityCert::try_from(&cert_der).map_err(|e| {
        refuse(
            ErrorCode::AuthFormatInvalid,
            format!("certificate does not parse: {e}"),
        )
    })?;
    let alg = match algorithm {
        SignatureAlgorithm::ES256 => webpki::aws_lc_rs::ECDSA_P256_SHA256,
        SignatureAlgorithm::ES384 => webpki::aws_lc_rs::ECDSA_P384_SHA384,
        SignatureAlgorithm::RS256 => webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
    };
    ee.verify_signature(alg, message, signature)
        .map_err(|e| refuse(ErrorCode::SignatureInvalid, format!("{e:?}")))
}
