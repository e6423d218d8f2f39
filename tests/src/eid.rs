//! A test eID authority in software (rcgen), for the attack tests that need
//! certificates no real card would carry (expired, wrong key usage, from an
//! unknown CA) and signatures over the wrong data. The happy paths use the
//! real virtual card (`padron-card` in vpcd) instead.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use padron_shared::auth::{AUTH_FORMAT, AuthToken, SignatureAlgorithm, login_message};
use padron_shared::canonical::to_canonical_json;
use padron_shared::users::{
    REQUEST_FORMAT, RequestAction, RequestPayload, SignedRequest, UserChange,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    RevokedCertParams, SerialNumber, SigningKey,
};
use time::{Duration, OffsetDateTime};

/// A certification authority issuing national eID certificates.
#[derive(Debug)]
pub struct TestEid {
    issuer: Issuer<'static, KeyPair>,
    pub ca_pem: String,
    next_serial: std::sync::atomic::AtomicU8,
}

/// How a person's certificates deviate from a proper card's.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flaws {
    pub expired: bool,
    pub no_digital_signature: bool,
}

/// One person's card contents: two certificates and their keys.
#[derive(Debug)]
pub struct TestPerson {
    pub cui: String,
    pub auth_der: Vec<u8>,
    auth_key: KeyPair,
    pub auth_serial: Vec<u8>,
    pub sign_der: Vec<u8>,
    sign_key: KeyPair,
}

impl TestEid {
    pub fn new(name: &str) -> TestEid {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "GT");
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = OffsetDateTime::now_utc() - Duration::days(365);
        params.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
        let cert = params.self_signed(&key).expect("CA certificate");
        TestEid {
            ca_pem: cert.pem(),
            issuer: Issuer::new(params, key),
            next_serial: std::sync::atomic::AtomicU8::new(1),
        }
    }

    fn leaf(
        &self,
        cui: &str,
        name: &str,
        usage: KeyUsagePurpose,
        eku: Option<ExtendedKeyUsagePurpose>,
        flaws: Flaws,
    ) -> (Vec<u8>, KeyPair, Vec<u8>) {
        let key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "GT");
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 5]),
            format!("PNOGT-{cui}"),
        );
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.key_usages = vec![usage];
        params.extended_key_usages = eku.into_iter().collect();
        let now = OffsetDateTime::now_utc();
        if flaws.expired {
            params.not_before = now - Duration::days(800);
            params.not_after = now - Duration::days(1);
        } else {
            params.not_before = now - Duration::days(10);
            params.not_after = now + Duration::days(1000);
        }
        let serial = vec![
            0x10,
            self.next_serial
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        ];
        params.serial_number = Some(SerialNumber::from_slice(&serial));
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("leaf certificate");
        (cert.der().to_vec(), key, serial)
    }

    pub fn person(&self, cui: &str, name: &str, flaws: Flaws) -> TestPerson {
        let auth_usage = if flaws.no_digital_signature {
            KeyUsagePurpose::KeyEncipherment
        } else {
            KeyUsagePurpose::DigitalSignature
        };
        let (auth_der, auth_key, auth_serial) = self.leaf(
            cui,
            name,
            auth_usage,
            Some(ExtendedKeyUsagePurpose::ClientAuth),
            flaws,
        );
        let (sign_der, sign_key, _) =
            self.leaf(cui, name, KeyUsagePurpose::ContentCommitment, None, flaws);
        TestPerson {
            cui: cui.to_owned(),
            auth_der,
            auth_key,
            auth_serial,
            sign_der,
            sign_key,
        }
    }

    /// A CRL (PEM) revoking these certificate serials.
    pub fn crl(&self, serials: &[&[u8]]) -> String {
        let now = OffsetDateTime::now_utc();
        let params = CertificateRevocationListParams {
            this_update: now - Duration::hours(1),
            next_update: now + Duration::days(7),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: serials
                .iter()
                .map(|s| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(s),
                    revocation_time: now - Duration::minutes(30),
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        params
            .signed_by(&self.issuer)
            .expect("CRL")
            .pem()
            .expect("CRL PEM")
    }
}

impl TestPerson {
    /// The login token for `nonce` on the server with this fingerprint.
    pub fn login_token(&self, server_fingerprint: &str, nonce: &str) -> AuthToken {
        let message = login_message(server_fingerprint, nonce);
        AuthToken {
            format: AUTH_FORMAT.to_owned(),
            certificate: STANDARD.encode(&self.auth_der),
            algorithm: SignatureAlgorithm::ES256,
            signature: STANDARD.encode(self.auth_key.sign(&message).expect("sign")),
            nonce: nonce.to_owned(),
        }
    }

    /// A payload as the agent would build it.
    pub fn payload(
        &self,
        installation: &str,
        action: RequestAction,
        institution: &str,
        workstation_id: i64,
        user: UserChange,
        created_at: OffsetDateTime,
    ) -> RequestPayload {
        RequestPayload {
            format: REQUEST_FORMAT.to_owned(),
            action,
            institution: institution.to_owned(),
            installation: installation.to_owned(),
            request_id: uuid::Uuid::new_v4().to_string(),
            created_at: created_at
                .format(&time::format_description::well_known::Rfc3339)
                .expect("time"),
            workstation_id,
            user,
        }
    }

    /// Signs the canonical bytes of `payload` with the signature key.
    pub fn sign(&self, payload: &RequestPayload) -> SignedRequest {
        let bytes = to_canonical_json(payload).expect("canonical");
        self.sign_bytes(&bytes)
    }

    pub fn sign_bytes(&self, bytes: &[u8]) -> SignedRequest {
        SignedRequest {
            payload: STANDARD.encode(bytes),
            algorithm: SignatureAlgorithm::ES256,
            signature: STANDARD.encode(self.sign_key.sign(bytes).expect("sign")),
            certificate: STANDARD.encode(&self.sign_der),
        }
    }
}

/// A complete ADD for a test user.
pub fn new_user(cui: &str, name: &str) -> UserChange {
    UserChange {
        cui: cui.to_owned(),
        full_name: Some(name.to_owned()),
        email: Some("operador@mides.gob.gt".to_owned()),
        phone: Some("5555-1234".to_owned()),
        extension: Some("210".to_owned()),
        department: Some("Dirección de Programas Sociales".to_owned()),
        post: Some("Analista".to_owned()),
        programme: Some("Bolsa Social".to_owned()),
        reason: None,
    }
}
