//! OCSP as Web eID validates it (RFC 6960): one request for the card
//! certificate, with a nonce unless the responder is configured without
//! one; the response must be signed by the card's issuer, by a responder
//! certificate the issuer issued with the OCSP-signing EKU, or by the
//! designated responder the admin configured; its `thisUpdate` must be
//! within the allowed clock skew and maximum age; `unknown` counts as
//! revoked. The ASN.1 is x509-ocsp's (RustCrypto); signatures are checked
//! with webpki's algorithms (aws-lc-rs), the same as the card chains.

use der::asn1::{GeneralizedTime, OctetString};
use der::{Decode, Encode};
use padron_shared::ErrorCode;
use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};
use webpki::EndEntityCert;
use x509_cert::ext::Extension;
use x509_cert::serial_number::SerialNumber;
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspRequest, OcspResponse, OcspResponseStatus, Request,
    TbsRequest, Version,
};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::auth::eid::{EidError, Refusal};

const ID_SHA_256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_PKIX_OCSP_NONCE: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.2");
const ID_PKIX_OCSP_BASIC: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1.1");

/// The time rules (Web eID's defaults: 15 minutes of skew, 2 minutes of age).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcspTiming {
    pub clock_skew: Duration,
    pub max_age: Duration,
}

/// What to ask and whom to believe.
#[derive(Debug, Clone, Copy)]
pub struct OcspQuery<'a> {
    pub cert_der: &'a [u8],
    pub issuer_der: &'a [u8],
    /// A designated responder's certificate the admin trusts directly.
    pub designated_responder: Option<&'a [u8]>,
    pub nonce: bool,
}

/// Why no status came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OcspFailure {
    /// The responder could not be reached or did not answer in time: the
    /// caller's policy decides (refuse, or fall back to the CRL).
    Unavailable(String),
    /// An answer that refuses the card or cannot be trusted.
    Refused(EidError),
}

fn refused(code: ErrorCode, reason: impl Into<String>) -> OcspFailure {
    OcspFailure::Refused(Refusal {
        code,
        reason: reason.into(),
    })
}

fn invalid(reason: impl Into<String>) -> OcspFailure {
    refused(ErrorCode::OcspResponseInvalid, reason)
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, OcspFailure> {
    X509Certificate::from_der(der)
        .map(|(_, c)| c)
        .map_err(|e| invalid(format!("certificate does not parse: {e}")))
}

/// The CertID of `cert` (SHA-256 of the issuer's name and key).
fn cert_id(
    cert: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
) -> Result<CertId, OcspFailure> {
    let octets = |bytes: &[u8]| {
        OctetString::new(Sha256::digest(bytes).to_vec()).map_err(|e| invalid(e.to_string()))
    };
    Ok(CertId {
        hash_algorithm: spki::AlgorithmIdentifierOwned {
            oid: ID_SHA_256,
            parameters: Some(der::asn1::Null.into()),
        },
        issuer_name_hash: octets(issuer.subject().as_raw())?,
        issuer_key_hash: octets(&issuer.public_key().subject_public_key.data)?,
        serial_number: SerialNumber::new(cert.raw_serial()).map_err(|e| invalid(e.to_string()))?,
    })
}

fn same_cert_id(a: &CertId, b: &CertId) -> bool {
    a.hash_algorithm.oid == b.hash_algorithm.oid
        && a.issuer_name_hash == b.issuer_name_hash
        && a.issuer_key_hash == b.issuer_key_hash
        && a.serial_number == b.serial_number
}

/// The DER request and the nonce extension it carries (if any).
pub fn request(
    query: &OcspQuery<'_>,
    nonce: Option<&[u8]>,
) -> Result<(Vec<u8>, CertId, Option<Extension>), OcspFailure> {
    let cert = parse(query.cert_der)?;
    let issuer = parse(query.issuer_der)?;
    let id = cert_id(&cert, &issuer)?;
    let nonce_ext = match nonce {
        Some(bytes) => {
            // The extension's value is an OCTET STRING holding the nonce (RFC 8954).
            let inner = OctetString::new(bytes.to_vec())
                .and_then(|o| o.to_der())
                .map_err(|e| invalid(e.to_string()))?;
            Some(Extension {
                extn_id: ID_PKIX_OCSP_NONCE,
                critical: false,
                extn_value: OctetString::new(inner).map_err(|e| invalid(e.to_string()))?,
            })
        }
        None => None,
    };
    let req = OcspRequest {
        tbs_request: TbsRequest {
            version: Version::V1,
            requestor_name: None,
            request_list: vec![Request {
                req_cert: id.clone(),
                single_request_extensions: None,
            }],
            request_extensions: nonce_ext.clone().map(|e| vec![e]),
        },
        optional_signature: None,
    };
    let der = req.to_der().map_err(|e| invalid(e.to_string()))?;
    Ok((der, id, nonce_ext))
}

fn to_time(t: &GeneralizedTime) -> Result<OffsetDateTime, OcspFailure> {
    OffsetDateTime::from_unix_timestamp(t.to_unix_duration().as_secs() as i64)
        .map_err(|e| invalid(e.to_string()))
}

/// Verifies `message`'s signature with the key of `signer_der`.
fn signed_by(
    signer_der: &[u8],
    alg: &der::oid::ObjectIdentifier,
    message: &[u8],
    signature: &[u8],
) -> bool {
    let der = CertificateDer::from(signer_der);
    let Ok(cert) = EndEntityCert::try_from(&der) else {
        return false;
    };
    let candidates: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] =
        match alg.to_string().as_str() {
            // ecdsa-with-SHA256 / SHA384
            "1.2.840.10045.4.3.2" => &[
                webpki::aws_lc_rs::ECDSA_P256_SHA256,
                webpki::aws_lc_rs::ECDSA_P384_SHA256,
            ],
            "1.2.840.10045.4.3.3" => &[
                webpki::aws_lc_rs::ECDSA_P256_SHA384,
                webpki::aws_lc_rs::ECDSA_P384_SHA384,
            ],
            // sha256/384/512WithRSAEncryption
            "1.2.840.113549.1.1.11" => &[webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256],
            "1.2.840.113549.1.1.12" => &[webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA384],
            "1.2.840.113549.1.1.13" => &[webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA512],
            _ => &[],
        };
    candidates
        .iter()
        .any(|a| cert.verify_signature(*a, message, signature).is_ok())
}

/// A responder certificate the issuer delegated OCSP to: issued (signed)
/// by the issuer, with the OCSP-signing EKU, valid now.
fn delegated_by(responder_der: &[u8], issuer: &X509Certificate<'_>, now: OffsetDateTime) -> bool {
    let Ok((_, responder)) = X509Certificate::from_der(responder_der) else {
        return false;
    };
    let eku_ok = matches!(responder.extended_key_usage(), Ok(Some(eku)) if eku.value.ocsp_signing);
    let valid = responder.validity().not_before.to_datetime() <= now
        && now <= responder.validity().not_after.to_datetime();
    eku_ok
        && valid
        && responder.issuer().as_raw() == issuer.subject().as_raw()
        && responder
            .verify_signature(Some(issuer.public_key()))
            .is_ok()
}

/// Checks `response` (DER) for the request made with `id` and `nonce_ext`.
pub fn check_response(
    query: &OcspQuery<'_>,
    id: &CertId,
    nonce_ext: Option<&Extension>,
    response: &[u8],
    timing: OcspTiming,
    now: OffsetDateTime,
) -> Result<(), OcspFailure> {
    let issuer = parse(query.issuer_der)?;
    let outer = OcspResponse::from_der(response).map_err(|e| invalid(format!("response: {e}")))?;
    if outer.response_status != OcspResponseStatus::Successful {
        return Err(invalid(format!(
            "responder status {:?}",
            outer.response_status
        )));
    }
    let bytes = outer
        .response_bytes
        .ok_or_else(|| invalid("successful response without a body"))?;
    if bytes.response_type != ID_PKIX_OCSP_BASIC {
        return Err(invalid(format!("response type {}", bytes.response_type)));
    }
    let basic = BasicOcspResponse::from_der(bytes.response.as_bytes())
        .map_err(|e| invalid(format!("basic response: {e}")))?;
    let tbs = basic
        .tbs_response_data
        .to_der()
        .map_err(|e| invalid(e.to_string()))?;
    let signature = basic
        .signature
        .as_bytes()
        .ok_or_else(|| invalid("signature with unused bits"))?;
    let alg = basic.signature_algorithm.oid;
    // Whom to believe: the designated responder, the issuer itself, or any
    // certificate in the response that the issuer delegated OCSP to.
    let embedded: Vec<Vec<u8>> = basic
        .certs
        .iter()
        .flatten()
        .filter_map(|c| c.to_der().ok())
        .collect();
    let trusted_signer = query
        .designated_responder
        .into_iter()
        .chain(std::iter::once(query.issuer_der))
        .any(|signer| signed_by(signer, &alg, &tbs, signature))
        || embedded
            .iter()
            .any(|c| delegated_by(c, &issuer, now) && signed_by(c, &alg, &tbs, signature));
    if !trusted_signer {
        return Err(refused(
            ErrorCode::OcspSignerUntrusted,
            "signed neither by the issuer nor by a responder it delegated to",
        ));
    }
    if let Some(sent) = nonce_ext {
        let echoed = basic
            .tbs_response_data
            .response_extensions
            .iter()
            .flatten()
            .find(|e| e.extn_id == ID_PKIX_OCSP_NONCE);
        if echoed.map(|e| &e.extn_value) != Some(&sent.extn_value) {
            return Err(refused(
                ErrorCode::OcspNonceMismatch,
                "the response's nonce is missing or another request's",
            ));
        }
    }
    let single = basic
        .tbs_response_data
        .responses
        .iter()
        .find(|r| same_cert_id(&r.cert_id, id))
        .ok_or_else(|| invalid("no response for this certificate"))?;
    let this_update = to_time(&single.this_update.0)?;
    if this_update > now + timing.clock_skew {
        return Err(refused(
            ErrorCode::OcspResponseStale,
            format!("thisUpdate {this_update} is in the future"),
        ));
    }
    if this_update < now - timing.max_age - timing.clock_skew {
        return Err(refused(
            ErrorCode::OcspResponseStale,
            format!("thisUpdate {this_update} is too old"),
        ));
    }
    if let Some(next) = &single.next_update {
        let next = to_time(&next.0)?;
        if next < now - timing.clock_skew || next < this_update {
            return Err(refused(
                ErrorCode::OcspResponseStale,
                format!("nextUpdate {next} has passed"),
            ));
        }
    }
    match &single.cert_status {
        CertStatus::Good(_) => Ok(()),
        CertStatus::Revoked(info) => Err(refused(
            ErrorCode::CardCertificateRevoked,
            format!("OCSP: revoked at {:?}", info.revocation_time),
        )),
        // Web eID: a certificate the responder does not know is not good.
        CertStatus::Unknown(_) => Err(refused(
            ErrorCode::CardCertificateRevoked,
            "OCSP: status unknown (counted as revoked)",
        )),
    }
}

/// The OCSP responder URL in the certificate's AIA extension.
pub fn aia_responder(cert_der: &[u8]) -> Option<String> {
    use x509_parser::extensions::{GeneralName, ParsedExtension};
    let (_, cert) = X509Certificate::from_der(cert_der).ok()?;
    cert.iter_extensions()
        .find_map(|ext| match ext.parsed_extension() {
            ParsedExtension::AuthorityInfoAccess(aia) => {
                aia.iter()
                    .find_map(|desc| match (&desc.access_method, &desc.access_location) {
                        (m, GeneralName::URI(uri))
                            if *m == x509_parser::oid_registry::OID_PKIX_ACCESS_DESCRIPTOR_OCSP =>
                        {
                            Some((*uri).to_owned())
                        }
                        _ => None,
                    })
            }
            _ => None,
        })
}
