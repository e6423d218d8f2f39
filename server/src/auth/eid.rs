//! National eID card certificates: does this certificate come from an eID
//! authority the registry trusts, may it be used for this, and whose is it?
//!
//! Chain building (through the trusted intermediates) and validity are
//! rustls-webpki's; what is Padrón's is the policy around it, as Web eID
//! checks it (key usage per purpose, EKU clientAuth for authentication,
//! allowed policies, keys and curves, which subject attribute carries the
//! CUI), the CRL check of every certificate under the root against the one
//! current CRL of its issuer (with the revocation date, so that an audit can
//! ask "as of when it was signed"), and the mapping of every failure to its
//! own refusal code, in the order the checks are specified: chain,
//! validity, usage, revocation, then (by the caller) the signature.

use padron_shared::auth::SignatureAlgorithm;
use padron_shared::{Cui, ErrorCode};
use rustls_pki_types::{CertificateDer, UnixTime};
use webpki::{EndEntityCert, KeyPurposeIdIter};
use x509_parser::prelude::{FromDer, ParsedExtension, X509Certificate};
use x509_parser::public_key::PublicKey;
use x509_parser::revocation_list::CertificateRevocationList;

/// What the certificate is presented for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Login: keyUsage digitalSignature and extendedKeyUsage clientAuth.
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

/// A trusted eID root with the admin's policy for certificates under it.
#[derive(Debug, Clone, Default)]
pub struct TrustRoot {
    /// SHA-256 (hex) of the root certificate.
    pub fingerprint: String,
    pub der: Vec<u8>,
    /// The documented exception for a national card whose authentication
    /// certificate lacks extendedKeyUsage.
    pub allow_no_eku: bool,
    /// Certificate policy OIDs accepted (dotted); empty: any.
    pub policy_oids: Vec<String>,
}

/// The trust the admin configured: eID roots, intermediate CAs and the
/// current CRL of each issuing CA (exactly one per issuer: a second one for
/// the same issuer would be ignored by whoever looked first).
#[derive(Debug, Clone, Default)]
pub struct EidTrust {
    pub roots: Vec<TrustRoot>,
    pub intermediates: Vec<Vec<u8>>,
    pub crls: Vec<Vec<u8>>,
    /// The ETSI country code in `serialNumber=PNO<CC>-<CUI>`.
    pub country: String,
    /// How long past its nextUpdate an issuer's CRL still counts.
    pub crl_grace: time::Duration,
}

/// A certificate that chains to a trusted root, may be used for the
/// purpose, and was not revoked per the current CRLs at the time asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCard {
    pub holder: CardHolder,
    /// SHA-256 (hex) of the root the chain ends at.
    pub root_fingerprint: String,
    /// The certificate's issuer (an intermediate CA or the root), DER.
    pub issuer_der: Vec<u8>,
    /// Whether a CRL of the certificate's issuer was consulted.
    pub issuer_crl_checked: bool,
}

/// Refusals of the eID checks (the same type as [`Refusal`]).
pub type EidError = Refusal;

/// The curves Padrón accepts for card keys (Web eID's: P-256, P-384).
const ALLOWED_CURVES: &[&str] = &["1.2.840.10045.3.1.7", "1.3.132.0.34"];
const MIN_RSA_BITS: usize = 2048;

impl EidTrust {
    /// Verifies `cert_der` for `purpose` as of `at`: the chain to a trusted
    /// root through the trusted intermediates, validity, key usage and
    /// purpose (EKU, policies, key), and revocation of the certificate and
    /// of every CA under the root by the current CRLs (a CRL past its
    /// nextUpdate plus the grace period at `at` makes the status unknown:
    /// refused). No network: online checks (OCSP) are `revocation`'s.
    ///
    /// `audit verify` calls this with the time a request was signed.
    pub fn verify_card_chain_at(
        &self,
        cert_der: &[u8],
        at: time::OffsetDateTime,
        purpose: Purpose,
    ) -> Result<VerifiedCard, EidError> {
        let ee_der = CertificateDer::from(cert_der);
        let ee = EndEntityCert::try_from(&ee_der).map_err(|e| {
            refuse(
                ErrorCode::AuthFormatInvalid,
                format!("certificate does not parse: {e}"),
            )
        })?;
        let root_ders: Vec<CertificateDer<'_>> = self
            .roots
            .iter()
            .map(|r| CertificateDer::from(r.der.as_slice()))
            .collect();
        let mut anchors = Vec::new();
        let mut anchor_roots = Vec::new();
        for (root, der) in self.roots.iter().zip(&root_ders) {
            if let Ok(anchor) = webpki::anchor_from_trusted_cert(der) {
                anchors.push(anchor);
                anchor_roots.push(root);
            }
        }
        let intermediates: Vec<CertificateDer<'_>> = self
            .intermediates
            .iter()
            .map(|c| CertificateDer::from(c.as_slice()))
            .collect();
        let path = ee
            .verify_for_usage(
                ALGORITHMS,
                &anchors,
                &intermediates,
                unix_time(at),
                // Padrón checks the EKU itself, with the per-root exception.
                AnyExtendedKeyUsage,
                None,
                None,
            )
            .map_err(|e| {
                use webpki::Error as W;
                let code = match e {
                    W::CertExpired { .. } | W::CertNotValidYet { .. } | W::InvalidCertValidity => {
                        ErrorCode::CardCertificateExpired
                    }
                    W::CaUsedAsEndEntity => ErrorCode::CardCertificateUsage,
                    _ => ErrorCode::CardCertificateUntrusted,
                };
                refuse(code, format!("{e:?}"))
            })?;
        let anchor = path.anchor();
        let root = anchors
            .iter()
            .position(|a| {
                a.subject == anchor.subject
                    && a.subject_public_key_info == anchor.subject_public_key_info
            })
            .and_then(|i| anchor_roots.get(i).copied())
            .ok_or_else(|| refuse(ErrorCode::CardCertificateUntrusted, "anchor not found"))?;
        // The chain from the card up to and including the root.
        let path_intermediates: Vec<Vec<u8>> = path
            .intermediate_certificates()
            .map(|c| c.der().as_ref().to_vec())
            .collect();
        let mut chain: Vec<&[u8]> = vec![cert_der];
        chain.extend(path_intermediates.iter().map(Vec::as_slice));
        chain.push(&root.der);
        let parsed: Vec<X509Certificate<'_>> = chain
            .iter()
            .map(|der| X509Certificate::from_der(der).map(|(_, c)| c))
            .collect::<Result<_, _>>()
            .map_err(|e| {
                refuse(
                    ErrorCode::AuthFormatInvalid,
                    format!("certificate does not parse: {e}"),
                )
            })?;
        // Each certificate under the root with its issuer in the path (found
        // by name: the order webpki keeps the intermediates in is its own).
        let issuer_of = |cert: &X509Certificate<'_>| {
            parsed
                .iter()
                .skip(1)
                .find(|c| c.subject().as_raw() == cert.issuer().as_raw())
        };
        let Some(x509) = parsed.first() else {
            return Err(refuse(ErrorCode::CardCertificateUntrusted, "empty chain"));
        };
        let issuer = issuer_of(x509)
            .ok_or_else(|| refuse(ErrorCode::CardCertificateUntrusted, "no issuer in path"))?;
        check_key_usage(x509, purpose)?;
        if purpose == Purpose::Authentication {
            check_client_auth(x509, root.allow_no_eku)?;
        }
        check_policies(x509, &root.policy_oids)?;
        for cert in &parsed[..parsed.len() - 1] {
            check_key(cert)?;
        }
        let issuer_crl_checked = self.crl_status(x509, issuer, at, true)?;
        for cert in &parsed[1..parsed.len() - 1] {
            let ca_issuer = issuer_of(cert)
                .ok_or_else(|| refuse(ErrorCode::CardCertificateUntrusted, "no issuer in path"))?;
            self.crl_status(cert, ca_issuer, at, false)?;
        }
        Ok(VerifiedCard {
            holder: holder(x509, &self.country)?,
            root_fingerprint: root.fingerprint.clone(),
            issuer_der: issuer.as_raw().to_vec(),
            issuer_crl_checked,
        })
    }

    /// Checks `cert` against the current CRL of `issuer`; `false` if the
    /// admin has none for that issuer (not revoked thereby).
    fn crl_status(
        &self,
        cert: &X509Certificate<'_>,
        issuer: &X509Certificate<'_>,
        at: time::OffsetDateTime,
        is_card: bool,
    ) -> Result<bool, EidError> {
        let what = if is_card {
            "the card certificate"
        } else {
            "an issuing CA"
        };
        for der in &self.crls {
            let Ok((_, crl)) = CertificateRevocationList::from_der(der) else {
                continue;
            };
            if crl.issuer().as_raw() != issuer.subject().as_raw()
                || crl.verify_signature(issuer.public_key()).is_err()
            {
                continue;
            }
            if let Some(next) = crl.next_update()
                && next.to_datetime() + self.crl_grace < at
            {
                return Err(refuse(
                    ErrorCode::CardRevocationUnknown,
                    format!(
                        "the CRL of {} expired at {} (plus grace)",
                        issuer.subject(),
                        next.to_datetime()
                    ),
                ));
            }
            let revoked = crl.iter_revoked_certificates().any(|r| {
                r.raw_serial() == cert.raw_serial() && r.revocation_date.to_datetime() <= at
            });
            if revoked {
                return Err(refuse(
                    ErrorCode::CardCertificateRevoked,
                    format!("{what} is listed in the CRL of {}", issuer.subject()),
                ));
            }
            return Ok(true);
        }
        Ok(false)
    }
}

fn unix_time(at: time::OffsetDateTime) -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        at.unix_timestamp().max(0) as u64
    ))
}

/// Web eID: the authentication certificate must say it is for client
/// authentication; without any EKU only under the admin's exception.
fn check_client_auth(x509: &X509Certificate<'_>, allow_no_eku: bool) -> Result<(), Refusal> {
    let eku = x509.extended_key_usage().map_err(|e| {
        refuse(
            ErrorCode::CardCertificateUsage,
            format!("bad extendedKeyUsage: {e}"),
        )
    })?;
    match eku {
        Some(eku) if eku.value.client_auth => Ok(()),
        Some(_) => Err(refuse(
            ErrorCode::CardCertificateNoClientAuth,
            "extendedKeyUsage lacks clientAuth",
        )),
        None if allow_no_eku => Ok(()),
        None => Err(refuse(
            ErrorCode::CardCertificateNoClientAuth,
            "no extendedKeyUsage (and no exception set for the root)",
        )),
    }
}

fn check_policies(x509: &X509Certificate<'_>, allowed: &[String]) -> Result<(), Refusal> {
    if allowed.is_empty() {
        return Ok(());
    }
    let present: Vec<String> = x509
        .iter_extensions()
        .filter_map(|ext| match ext.parsed_extension() {
            ParsedExtension::CertificatePolicies(policies) => Some(policies),
            _ => None,
        })
        .flatten()
        .map(|p| p.policy_id.to_id_string())
        .collect();
    if present.iter().any(|oid| allowed.contains(oid)) {
        Ok(())
    } else {
        Err(refuse(
            ErrorCode::CardCertificatePolicy,
            format!("policies {present:?}, allowed {allowed:?}"),
        ))
    }
}

/// RSA of at least 2048 bits, or EC on P-256 or P-384.
fn check_key(x509: &X509Certificate<'_>) -> Result<(), Refusal> {
    let spki = x509.public_key();
    let bad = |why: String| Err(refuse(ErrorCode::CardCertificateKey, why));
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            let modulus = rsa.modulus;
            let significant = modulus
                .iter()
                .position(|b| *b != 0)
                .unwrap_or(modulus.len());
            let bytes = &modulus[significant..];
            let bits = bytes
                .first()
                .map(|b| bytes.len() * 8 - b.leading_zeros() as usize)
                .unwrap_or(0);
            if bits >= MIN_RSA_BITS {
                Ok(())
            } else {
                bad(format!("RSA key of {bits} bits"))
            }
        }
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string())
                .unwrap_or_default();
            if ALLOWED_CURVES.contains(&curve.as_str()) {
                Ok(())
            } else {
                bad(format!("EC key on curve {curve:?}"))
            }
        }
        _ => bad(format!("key algorithm {}", spki.algorithm.algorithm)),
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
