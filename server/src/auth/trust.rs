//! Reading and accepting the eID trust files an admin imports: root and
//! intermediate certificates and certificate revocation lists, in PEM or
//! DER. A CRL is accepted only if a trusted root or intermediate signed it,
//! and becomes its issuer's current CRL only if it is newer than the
//! current one: by CRL number, or by thisUpdate when either has none.

use padron_shared::ErrorCode;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer};
use serde_json::json;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::revocation_list::CertificateRevocationList;

use crate::admin::Admin;
use crate::clock::timestamp;
use crate::error::ServerError;
use crate::store::{IssuerSettings, StoredCrl, StoredIntermediate, TrustSet};

/// What an admin is told about an imported CRL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrlInfo {
    pub issuer: String,
    pub number: Option<String>,
    pub this_update: String,
    pub next_update: Option<String>,
    pub revoked: usize,
}

/// What became of an imported or fetched CRL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrlOutcome {
    /// It is now its issuer's current CRL.
    Current,
    /// It was already the current one.
    AlreadyCurrent,
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

/// The CRL's DER and what an admin is told about it.
pub fn crl(bytes: &[u8]) -> Result<(Vec<u8>, CrlInfo), ServerError> {
    let der = match CertificateRevocationListDer::from_pem_slice(bytes) {
        Ok(d) => d.as_ref().to_vec(),
        Err(_) => bytes.to_vec(),
    };
    // webpki's reading too: it refuses delta CRLs and unknown critical
    // extensions, which Padrón's lookup would otherwise not understand.
    webpki::OwnedCertRevocationList::from_der(&der)
        .map_err(|e| invalid(format!("not a usable CRL: {e:?}")))?;
    let (_, parsed) = CertificateRevocationList::from_der(&der)
        .map_err(|e| invalid(format!("not a CRL: {e}")))?;
    let to_text = |t: x509_parser::time::ASN1Time| timestamp(t.to_datetime());
    let info = CrlInfo {
        issuer: parsed.issuer().to_string(),
        number: parsed.crl_number().map(|n| n.to_string()),
        this_update: to_text(parsed.last_update()),
        next_update: parsed.next_update().map(to_text),
        revoked: parsed.iter_revoked_certificates().count(),
    };
    Ok((der, info))
}

/// The trusted CAs (roots and intermediates) as DER.
fn trusted_cas(set: &TrustSet) -> impl Iterator<Item = &[u8]> {
    set.roots
        .iter()
        .map(|r| r.der.as_slice())
        .chain(set.intermediates.iter().map(|i| i.der.as_slice()))
}

/// Whether a trusted CA with the CRL's issuer name signed it (and may sign
/// CRLs: keyUsage cRLSign when it has a keyUsage).
fn crl_signed_by_trusted_ca(crl: &CertificateRevocationList<'_>, set: &TrustSet) -> bool {
    trusted_cas(set).any(|der| {
        let Ok((_, ca)) = X509Certificate::from_der(der) else {
            return false;
        };
        let may_sign = match ca.key_usage() {
            Ok(Some(ku)) => ku.value.crl_sign(),
            Ok(None) => true,
            Err(_) => false,
        };
        may_sign
            && ca.subject().as_raw() == crl.issuer().as_raw()
            && crl.verify_signature(ca.public_key()).is_ok()
    })
}

/// Web PKI's order of CRLs: the CRL number when both have one, else thisUpdate.
fn is_newer(new: &CertificateRevocationList<'_>, current: &CertificateRevocationList<'_>) -> bool {
    match (new.crl_number(), current.crl_number()) {
        (Some(a), Some(b)) => a > b,
        _ => new.last_update().to_datetime() > current.last_update().to_datetime(),
    }
}

impl Admin<'_> {
    /// Trusts an eID root certificate (PEM or DER) for card logins.
    pub fn add_eid_root(&self, bytes: &[u8]) -> Result<(String, bool), ServerError> {
        let ders = crate::auth::trust::certificates(bytes)?;
        let mut last = (String::new(), false);
        for der in ders {
            let subject = crate::auth::trust::root_subject(&der)?;
            let fingerprint = crate::access::pki::fingerprint_hex(&der);
            let (at, audit) = self.record(
                "trust.add_eid_root",
                format!("eid_root:{}", &fingerprint[..16]),
                json!({ "subject": subject, "fingerprint": fingerprint }),
            );
            let added = self
                .store
                .add_eid_root(&subject, &fingerprint, &der, &at, &audit)?;
            last = (subject, added);
        }
        Ok(last)
    }

    /// Imports (CLI) or accepts (refresh; `source` is the URL) a CRL of an
    /// eID authority: refused unless a trusted root or intermediate signed
    /// it and it is newer than its issuer's current one.
    pub fn add_eid_crl_from(
        &self,
        bytes: &[u8],
        source: &str,
    ) -> Result<(CrlInfo, CrlOutcome), ServerError> {
        let (der, info) = crl(bytes)?;
        let (_, parsed) = CertificateRevocationList::from_der(&der)
            .map_err(|e| invalid(format!("not a CRL: {e}")))?;
        let set = self.store.trust_set()?;
        if !crl_signed_by_trusted_ca(&parsed, &set) {
            return Err(ServerError::Trust(
                ErrorCode::CrlSignatureInvalid,
                format!(
                    "no trusted root or intermediate named {} signed it",
                    info.issuer
                ),
            ));
        }
        let fingerprint = crate::access::pki::fingerprint_hex(&der);
        let current = set.crls.iter().find(|c| c.issuer == info.issuer);
        if let Some(current) = current {
            if current.fingerprint == fingerprint {
                return Ok((info, CrlOutcome::AlreadyCurrent));
            }
            let (_, current_parsed) = CertificateRevocationList::from_der(&current.der)
                .map_err(|e| invalid(format!("the current CRL does not parse: {e}")))?;
            if !is_newer(&parsed, &current_parsed) {
                return Err(ServerError::Trust(
                    ErrorCode::CrlNotNewer,
                    format!(
                        "CRL number {:?} of {} is not newer than the current {:?} of {}",
                        info.number, info.this_update, current.crl_number, current.this_update
                    ),
                ));
            }
        }
        let (at, audit) = self.record(
            "trust.add_crl",
            format!("crl:{}", &fingerprint[..16]),
            json!({
                "issuer": info.issuer, "crl_number": info.number, "this_update": info.this_update,
                "revoked": info.revoked, "source": source,
                "replaces": current.map(|c| c.fingerprint.clone()),
            }),
        );
        let stored = StoredCrl {
            issuer: info.issuer.clone(),
            fingerprint,
            der,
            crl_number: info.number.clone(),
            this_update: info.this_update.clone(),
            next_update: info.next_update.clone(),
            source: source.to_owned(),
            fetched_at: at,
            checked_at: None,
            last_error: None,
        };
        let replaced =
            self.store
                .put_current_crl(&stored, current.map(|c| c.fingerprint.as_str()), &audit)?;
        if !replaced {
            // Another import changed the current CRL meanwhile: decide again.
            return Err(ServerError::Trust(
                ErrorCode::CrlNotNewer,
                "the current CRL changed during the import; run it again".into(),
            ));
        }
        Ok((info, CrlOutcome::Current))
    }

    /// `trust add-crl`.
    pub fn add_eid_crl(&self, bytes: &[u8]) -> Result<(CrlInfo, CrlOutcome), ServerError> {
        self.add_eid_crl_from(bytes, "import")
    }

    /// Trusts an intermediate CA issued by a trusted root or intermediate.
    pub fn add_eid_intermediate(&self, bytes: &[u8]) -> Result<Vec<(String, bool)>, ServerError> {
        let mut out = Vec::new();
        for der in certificates(bytes)? {
            let set = self.store.trust_set()?;
            let (_, cert) = X509Certificate::from_der(&der)
                .map_err(|e| invalid(format!("not an X.509 certificate: {e}")))?;
            let untrusted = |why: &str| {
                ServerError::Trust(ErrorCode::TrustIntermediateUntrusted, why.to_owned())
            };
            if !cert.is_ca() {
                return Err(untrusted("not a certification authority (CA:FALSE)"));
            }
            let issued_by_trusted = trusted_cas(&set).any(|ca_der| {
                X509Certificate::from_der(ca_der).is_ok_and(|(_, ca)| {
                    ca.is_ca()
                        && ca.subject().as_raw() == cert.issuer().as_raw()
                        && cert.verify_signature(Some(ca.public_key())).is_ok()
                })
            });
            if !issued_by_trusted {
                return Err(untrusted(
                    "not signed by a trusted eID root or intermediate",
                ));
            }
            let fingerprint = crate::access::pki::fingerprint_hex(&der);
            let subject = cert.subject().to_string();
            let (at, audit) = self.record(
                "trust.add_intermediate",
                format!("eid_intermediate:{}", &fingerprint[..16]),
                json!({ "subject": subject, "issuer": cert.issuer().to_string() }),
            );
            let added = self.store.add_eid_intermediate(
                &StoredIntermediate {
                    fingerprint,
                    subject: subject.clone(),
                    issuer: cert.issuer().to_string(),
                    der: der.clone(),
                    added_at: at,
                },
                &audit,
            )?;
            out.push((subject, added));
        }
        Ok(out)
    }

    /// Removes a root (by the certificate file or its SHA-256 fingerprint)
    /// and ends the sessions of cards under it; returns (subject, sessions ended).
    pub fn remove_eid_root(&self, which: &str) -> Result<(String, usize), ServerError> {
        let set = self.store.trust_set()?;
        let wanted = which.trim().to_ascii_lowercase().replace(':', "");
        let root = set
            .roots
            .iter()
            .find(|r| r.fingerprint == wanted)
            .ok_or_else(|| {
                ServerError::Trust(
                    ErrorCode::TrustRootUnknown,
                    format!("no trusted eID root has fingerprint {wanted}"),
                )
            })?;
        let (at, audit) = self.record(
            "trust.remove_eid_root",
            format!(
                "eid_root:{}",
                root.fingerprint.get(..16).unwrap_or(&root.fingerprint)
            ),
            json!({ "subject": root.subject }),
        );
        let ended = self
            .store
            .remove_eid_root(&root.fingerprint, &at, &audit)?
            .ok_or_else(|| {
                ServerError::Trust(ErrorCode::TrustRootUnknown, "removed meanwhile".into())
            })?;
        Ok((root.subject.clone(), ended))
    }

    /// Sets a root's purpose policy (EKU exception, accepted policy OIDs).
    pub fn set_eid_root_policy(
        &self,
        fingerprint: &str,
        allow_no_eku: bool,
        policy_oids: &[String],
    ) -> Result<(), ServerError> {
        let wanted = fingerprint.trim().to_ascii_lowercase().replace(':', "");
        for oid in policy_oids {
            let ok = oid.split('.').count() >= 2
                && oid
                    .split('.')
                    .all(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(invalid(format!("{oid:?} is not a dotted OID")));
            }
        }
        let (_, audit) = self.record(
            "trust.root_policy",
            format!("eid_root:{}", wanted.get(..16).unwrap_or(&wanted)),
            json!({ "allow_no_eku": allow_no_eku, "policy_oids": policy_oids }),
        );
        if self
            .store
            .set_eid_root_policy(&wanted, allow_no_eku, policy_oids, &audit)?
        {
            Ok(())
        } else {
            Err(ServerError::Trust(
                ErrorCode::TrustRootUnknown,
                format!("no trusted eID root has fingerprint {wanted}"),
            ))
        }
    }

    /// Sets how one issuer's certificates are checked for revocation. The
    /// issuer is named by its certificate (a trusted root or intermediate).
    pub fn set_eid_issuer(
        &self,
        issuer_cert: &[u8],
        settings: IssuerSettings,
    ) -> Result<IssuerSettings, ServerError> {
        let der = certificates(issuer_cert)?
            .into_iter()
            .next()
            .ok_or_else(|| invalid("no certificate"))?;
        let set = self.store.trust_set()?;
        if !trusted_cas(&set).any(|ca| ca == der.as_slice()) {
            return Err(ServerError::Trust(
                ErrorCode::TrustRootUnknown,
                "the issuer is not a trusted eID root or intermediate".into(),
            ));
        }
        let (_, cert) = X509Certificate::from_der(&der)
            .map_err(|e| invalid(format!("not an X.509 certificate: {e}")))?;
        for url in [&settings.crl_url, &settings.ocsp_url]
            .into_iter()
            .flatten()
        {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(invalid(format!("{url:?} is not an http(s) URL")));
            }
        }
        if let Some(responder) = &settings.ocsp_responder_der {
            X509Certificate::from_der(responder)
                .map_err(|e| invalid(format!("responder: not an X.509 certificate: {e}")))?;
        }
        let settings = IssuerSettings {
            issuer: cert.subject().to_string(),
            ..settings
        };
        let (at, audit) = self.record(
            "trust.issuer_settings",
            format!("eid_issuer:{}", settings.issuer),
            json!({
                "crl_url": settings.crl_url, "ocsp_url": settings.ocsp_url,
                "designated_responder": settings.ocsp_responder_der.is_some(),
                "ocsp_nonce": settings.ocsp_nonce, "ocsp_fallback_crl": settings.ocsp_fallback_crl,
            }),
        );
        self.store.set_issuer_settings(&settings, &at, &audit)?;
        Ok(settings)
    }
}
