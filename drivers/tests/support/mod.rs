//! What the card tests share: a locked test bed with a test CA, signature
//! checks by an independent implementation (aws-lc), and the behavioural
//! suite every driver must pass.
// Test-only code: a panic is how a test fails.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use padron_drivers::testbed::{self, TestbedLock};
use padron_drivers::{
    Card, CardError, CertificateInfo, Digest, HashAlgorithm, KeyAlgorithm, KeySlot, Pin,
};
use tempfile::TempDir;
use x509_parser::prelude::{FromDer, X509Certificate};

pub const PIN: &str = "123456";

pub fn padron_card() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_padron-card"))
}

/// A locked test bed with a running pcscd and a fresh test CA.
pub struct Bed {
    pub dir: TempDir,
    pub ca: PathBuf,
    pub ctx: pcsc::Context,
    _lock: TestbedLock,
}

impl Bed {
    pub fn new() -> Bed {
        let lock = testbed::lock().expect("card test lock");
        let ctx = testbed::ensure_pcscd()
            .expect("pcscd with vpcd must be running for card tests (packaging/dev/pcscd.sh)");
        Bed::with(lock, ctx)
    }

    fn with(lock: TestbedLock, ctx: pcsc::Context) -> Bed {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca = dir.path().join("ca");
        testbed::init_ca(padron_card(), &ca).expect("padron-card ca init");
        Bed {
            dir,
            ca,
            ctx,
            _lock: lock,
        }
    }

    /// Issues a card with `padron-card issue`.
    pub fn issue(
        &self,
        name: &str,
        cui: &str,
        given: &str,
        surnames: &str,
        algorithm: &str,
    ) -> PathBuf {
        let out = self.dir.path().join(name);
        testbed::issue_card(
            padron_card(),
            &self.ca,
            &out,
            cui,
            given,
            surnames,
            algorithm,
        )
        .expect("padron-card issue");
        out
    }

    pub fn insert(&self, card: &Path, slot: u8) -> testbed::VirtualCard {
        testbed::VirtualCard::insert(padron_card(), card, slot).expect("insert virtual card")
    }
}

/// A card directory's certificate, DER.
pub fn card_certificate(card: &Path, slot: KeySlot) -> Vec<u8> {
    let file = match slot {
        KeySlot::Authentication => "auth.crt.pem",
        KeySlot::Signature => "sign.crt.pem",
    };
    let pem = std::fs::read_to_string(card.join(file)).expect("certificate file");
    padron_drivers::virtual_card::files::pem_to_der(&pem, "CERTIFICATE").expect("PEM certificate")
}

/// Checks `signature` over `message` with the certificate's public key,
/// using aws-lc (not the code that made the signature).
pub fn signature_verifies(
    cert_der: &[u8],
    hash: HashAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> bool {
    use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
    let (_, cert) = X509Certificate::from_der(cert_der).expect("certificate");
    let key = cert.public_key().subject_public_key.data.to_vec();
    let alg = padron_drivers::certificate::key_algorithm(cert_der)
        .expect("parse")
        .expect("supported key");
    let verifier: &'static dyn VerificationAlgorithm = match (alg, hash) {
        (KeyAlgorithm::EcP256, HashAlgorithm::Sha256) => &signature::ECDSA_P256_SHA256_ASN1,
        (KeyAlgorithm::EcP256, HashAlgorithm::Sha384) => &signature::ECDSA_P256_SHA384_ASN1,
        (KeyAlgorithm::EcP384, HashAlgorithm::Sha384) => &signature::ECDSA_P384_SHA384_ASN1,
        (KeyAlgorithm::EcP384, HashAlgorithm::Sha256) => &signature::ECDSA_P384_SHA256_ASN1,
        (KeyAlgorithm::Rsa2048, HashAlgorithm::Sha256) => &signature::RSA_PKCS1_2048_8192_SHA256,
        (KeyAlgorithm::Rsa2048, HashAlgorithm::Sha384) => &signature::RSA_PKCS1_2048_8192_SHA384,
        (KeyAlgorithm::Rsa2048, HashAlgorithm::Sha512) => &signature::RSA_PKCS1_2048_8192_SHA512,
        other => panic!("no verifier for {other:?}"),
    };
    UnparsedPublicKey::new(verifier, key)
        .verify(message, signature)
        .is_ok()
}

/// What the behavioural suite expects of a card.
pub struct Expected {
    pub cui: String,
    pub holder: String,
    pub authentication: Vec<u8>,
    pub signature: Vec<u8>,
    /// Whether the signature key needs the PIN right before each use.
    pub signature_pin_always: bool,
}

impl Expected {
    pub fn from_card_dir(card: &Path, cui: &str, holder: &str) -> Expected {
        Expected {
            cui: cui.to_owned(),
            holder: holder.to_owned(),
            authentication: card_certificate(card, KeySlot::Authentication),
            signature: card_certificate(card, KeySlot::Signature),
            signature_pin_always: true,
        }
    }
}

/// The behaviour every driver must show, whatever is under it.
pub fn behaviour_suite(card: &mut dyn Card, expected: &Expected) {
    let pin = Pin::new(PIN).unwrap();
    // Both certificates, exactly as issued, naming the holder.
    assert_eq!(
        card.certificate(KeySlot::Authentication).unwrap(),
        expected.authentication
    );
    assert_eq!(
        card.certificate(KeySlot::Signature).unwrap(),
        expected.signature
    );
    let info = CertificateInfo::parse(&expected.authentication).unwrap();
    assert_eq!(
        info.cui().map(|c| c.to_string()).as_deref(),
        Some(expected.cui.as_str())
    );
    assert_eq!(
        info.holder_name().as_deref(),
        Some(expected.holder.as_str())
    );
    let status = card.pin_status().unwrap();
    assert!(!status.blocked && !status.verified, "{status:?}");

    let hash = match info.key_algorithm {
        Some(KeyAlgorithm::EcP384) => HashAlgorithm::Sha384,
        _ => HashAlgorithm::Sha256,
    };
    let message = b"Padron: alta de usuario 42";
    let digest = Digest::of(hash, message);

    // No signature before the PIN.
    match card.sign(KeySlot::Authentication, &digest, None) {
        Err(CardError::PinRequired) => {}
        other => panic!("signing before the PIN: {other:?}"),
    }
    // A wrong PIN is refused.
    match card.verify_pin(&Pin::new("000000").unwrap()) {
        Err(CardError::PinIncorrect { .. }) => {}
        other => panic!("wrong PIN: {other:?}"),
    }
    card.verify_pin(&pin).unwrap();
    assert!(card.pin_status().unwrap().verified);

    let sig = card.sign(KeySlot::Authentication, &digest, None).unwrap();
    assert!(
        signature_verifies(&expected.authentication, hash, message, &sig),
        "authentication signature"
    );
    // A signature by one key does not verify with the other's certificate.
    assert!(!signature_verifies(
        &expected.signature,
        hash,
        message,
        &sig
    ));

    if expected.signature_pin_always {
        match card.sign(KeySlot::Signature, &digest, None) {
            Err(CardError::PinRequired) => {}
            other => panic!("signature key without a fresh PIN: {other:?}"),
        }
    }
    for _ in 0..2 {
        let sig = card.sign(KeySlot::Signature, &digest, Some(&pin)).unwrap();
        assert!(
            signature_verifies(&expected.signature, hash, message, &sig),
            "signature-key signature"
        );
    }
}
