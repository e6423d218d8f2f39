//! TLS for `serve`: the server's identity and who may connect.
//!
//! Only enrolled workstations connect. The handshake itself refuses a
//! client that presents no certificate, one not issued by the workstation
//! CA, or an expired one (rustls-webpki does the chain and time checks);
//! [`WorkstationVerifier`] then asks the in-memory list of enrolled
//! workstations ([`EnrolledWorkstations`], never the database: a handshake
//! must not wait on a lock) whether that exact certificate belongs to an
//! enrolled, unrevoked workstation. The list is brought up to date before
//! each handshake, so a revocation takes effect on the next handshake
//! without a restart. Session resumption is off: a resumed session would
//! skip that check. TLS 1.3 only, unless `[tls] allow_tls12` says otherwise.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{NoServerSessionStorage, WebPkiClientVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, RootCertStore, SignatureScheme,
};

use crate::access::enrolled::{EnrolledWorkstations, Lookup};
use crate::access::pki::fingerprint_hex;

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("cannot read {path}: {message}")]
    Pem { path: String, message: String },
    #[error("TLS configuration error: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("client verifier: {0}")]
    Verifier(#[from] rustls::server::VerifierBuilderError),
}

fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsSetupError::Pem {
            path: path.display().to_string(),
            message: e.to_string(),
        })
}

fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsSetupError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| TlsSetupError::Pem {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Checks, after the standard chain validation, that the certificate is one
/// the store knows and has not revoked.
#[derive(Debug)]
pub struct WorkstationVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    enrolled: Arc<EnrolledWorkstations>,
}

impl ClientCertVerifier for WorkstationVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        let fingerprint = fingerprint_hex(end_entity);
        if let Err(e) = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)
        {
            tracing::warn!(fingerprint = %&fingerprint[..16], error = %e, "client certificate refused");
            return Err(e);
        }
        match self.enrolled.lookup(&fingerprint) {
            Lookup::Known(ws) if ws.is_revoked() => {
                tracing::warn!(workstation = ws.id, "revoked workstation refused");
                Err(rustls::Error::InvalidCertificate(CertificateError::Revoked))
            }
            Lookup::Known(_) => Ok(ClientCertVerified::assertion()),
            Lookup::Unknown => {
                // Issued by our CA but not in the store: a certificate from a
                // data directory restored from an older backup, or forged with
                // a stolen CA key. Either way, not a workstation we know.
                tracing::warn!(fingerprint = %&fingerprint[..16], "certificate of no enrolled workstation refused");
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::ApplicationVerificationFailure,
                ))
            }
            Lookup::Unavailable => {
                // Fail closed: without the store we cannot tell revoked from valid.
                tracing::error!("store unavailable during client verification");
                Err(rustls::Error::General(
                    "workstation registry unavailable".into(),
                ))
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The rustls configuration `serve` runs with.
pub fn server_config(
    server_cert: &Path,
    server_key: &Path,
    workstation_ca: &Path,
    enrolled: Arc<EnrolledWorkstations>,
    allow_tls12: bool,
) -> Result<rustls::ServerConfig, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = RootCertStore::empty();
    for ca in load_certs(workstation_ca)? {
        roots.add(ca)?;
    }
    let inner =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build()?;
    let verifier = Arc::new(WorkstationVerifier { inner, enrolled });
    let versions: &[&rustls::SupportedProtocolVersion] = if allow_tls12 {
        &[&rustls::version::TLS13, &rustls::version::TLS12]
    } else {
        &[&rustls::version::TLS13]
    };
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(load_certs(server_cert)?, load_key(server_key)?)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.session_storage = Arc::new(NoServerSessionStorage {});
    config.send_tls13_tickets = 0;
    Ok(config)
}
