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
    /// The CA's key (PKCS#8 PEM), for `openssl ocsp`.
    pub key_pem: String,
    /// The CA's own serial (for a CRL of its parent that revokes it).
    pub serial: Vec<u8>,
    next_serial: std::sync::atomic::AtomicU8,
}

/// How a person's certificates deviate from a proper card's.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flaws {
    pub expired: bool,
    pub no_digital_signature: bool,
}

/// The kind of key a test card carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CardKey {
    #[default]
    P256,
    /// Refused: curve not on the allow-list.
    P521,
    /// Refused: RSA under 2048 bits (the public key comes from `openssl genrsa`).
    Rsa1024,
}

/// What an authentication certificate carries beyond a plain card's.
#[derive(Debug, Clone, Default)]
pub struct CardOptions {
    pub flaws: Flaws,
    /// No extendedKeyUsage at all (some national cards).
    pub no_eku: bool,
    /// certificatePolicies OIDs.
    pub policies: Vec<Vec<u64>>,
    /// AIA: the OCSP responder URL.
    pub ocsp_url: Option<String>,
    /// CRL distribution point URL.
    pub crl_url: Option<String>,
    pub key: CardKey,
}

/// A CRL's content, for tests that need chosen numbers and dates.
#[derive(Debug, Clone)]
pub struct CrlSpec<'a> {
    pub number: u64,
    pub revoked: &'a [&'a [u8]],
    pub this_update: OffsetDateTime,
    pub next_update: OffsetDateTime,
}

impl<'a> CrlSpec<'a> {
    /// Issued an hour ago, next update in a week.
    pub fn new(number: u64, revoked: &'a [&'a [u8]]) -> CrlSpec<'a> {
        let now = OffsetDateTime::now_utc();
        CrlSpec {
            number,
            revoked,
            this_update: now - Duration::hours(1),
            next_update: now + Duration::days(7),
        }
    }
}

fn serial_hex(serial: &[u8]) -> String {
    hex::encode_upper(serial)
}

/// A DER extension value made with RustCrypto's x509-cert types.
fn ext_der(value: &impl der::Encode) -> Vec<u8> {
    value.to_der().expect("extension DER")
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
    pub sign_serial: Vec<u8>,
}

impl TestEid {
    fn ca_params(name: &str, serial: &[u8]) -> CertificateParams {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "GT");
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = OffsetDateTime::now_utc() - Duration::days(365);
        params.not_after = OffsetDateTime::now_utc() + Duration::days(3650);
        params.serial_number = Some(SerialNumber::from_slice(serial));
        params
    }

    pub fn new(name: &str) -> TestEid {
        let key = KeyPair::generate().expect("CA key");
        let serial = vec![0x01];
        let params = TestEid::ca_params(name, &serial);
        let cert = params.self_signed(&key).expect("CA certificate");
        TestEid {
            ca_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            serial,
            issuer: Issuer::new(params, key),
            next_serial: std::sync::atomic::AtomicU8::new(1),
        }
    }

    /// An issuing CA under this one (root → issuing CA → cards).
    pub fn intermediate(&self, name: &str) -> TestEid {
        let key = KeyPair::generate().expect("CA key");
        let serial = vec![
            0x20,
            self.next_serial
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        ];
        let mut params = TestEid::ca_params(name, &serial);
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("CA certificate");
        TestEid {
            ca_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            serial,
            issuer: Issuer::new(params, key),
            // Cards of different CAs never share a serial in one test.
            next_serial: std::sync::atomic::AtomicU8::new(0x80),
        }
    }

    /// An OCSP responder certificate this CA delegates to (EKU OCSPSigning):
    /// (certificate PEM, key PEM).
    pub fn ocsp_responder(&self, name: &str) -> (String, String) {
        let key = KeyPair::generate().expect("key");
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "GT");
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::OcspSigning];
        params.not_before = OffsetDateTime::now_utc() - Duration::days(1);
        params.not_after = OffsetDateTime::now_utc() + Duration::days(30);
        params.serial_number = Some(SerialNumber::from_slice(&[
            0x30,
            self.next_serial
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        ]));
        let cert = params.signed_by(&key, &self.issuer).expect("responder");
        (cert.pem(), key.serialize_pem())
    }

    /// An `openssl ca` index line for a certificate of this CA: `V`alid or
    /// `R`evoked (now).
    pub fn index_line(serial: &[u8], revoked: bool) -> String {
        let expiry = "391231235959Z";
        if revoked {
            let at = OffsetDateTime::now_utc() - Duration::minutes(5);
            let at = format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}Z",
                at.year() % 100,
                u8::from(at.month()),
                at.day(),
                at.hour(),
                at.minute(),
                at.second()
            );
            format!(
                "R\t{expiry}\t{at}\t{}\tunknown\t/CN=card-{}\n",
                serial_hex(serial),
                serial_hex(serial)
            )
        } else {
            format!(
                "V\t{expiry}\t\t{}\tunknown\t/CN=card-{}\n",
                serial_hex(serial),
                serial_hex(serial)
            )
        }
    }

    fn leaf(
        &self,
        cui: &str,
        name: &str,
        usage: KeyUsagePurpose,
        eku: Option<ExtendedKeyUsagePurpose>,
        options: &CardOptions,
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
        if options.flaws.expired {
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
        if let Some(url) = &options.crl_url {
            params.crl_distribution_points = vec![rcgen::CrlDistributionPoint {
                uris: vec![url.clone()],
            }];
        }
        if let Some(url) = &options.ocsp_url {
            use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
            use x509_cert::ext::pkix::name::GeneralName;
            let aia = AuthorityInfoAccessSyntax(vec![x509_cert::ext::pkix::AccessDescription {
                access_method: der::oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1"),
                access_location: GeneralName::UniformResourceIdentifier(
                    der::asn1::Ia5String::new(url).expect("URL"),
                ),
            }]);
            params
                .custom_extensions
                .push(rcgen::CustomExtension::from_oid_content(
                    &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                    ext_der(&aia),
                ));
        }
        if !options.policies.is_empty() {
            use x509_cert::ext::pkix::CertificatePolicies;
            use x509_cert::ext::pkix::certpolicy::PolicyInformation;
            let policies = CertificatePolicies(
                options
                    .policies
                    .iter()
                    .map(|arcs| PolicyInformation {
                        policy_identifier: der::oid::ObjectIdentifier::new(
                            &arcs
                                .iter()
                                .map(u64::to_string)
                                .collect::<Vec<_>>()
                                .join("."),
                        )
                        .expect("OID"),
                        policy_qualifiers: None,
                    })
                    .collect(),
            );
            params
                .custom_extensions
                .push(rcgen::CustomExtension::from_oid_content(
                    &[2, 5, 29, 32],
                    ext_der(&policies),
                ));
        }
        let cert = match options.key {
            CardKey::P256 => params.signed_by(&key, &self.issuer),
            CardKey::P521 => {
                let k = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("P-521 key");
                params.signed_by(&k, &self.issuer)
            }
            CardKey::Rsa1024 => {
                let spki = rsa_1024_spki();
                let public = rcgen::SubjectPublicKeyInfo::from_der(&spki).expect("SPKI");
                params.signed_by(&public, &self.issuer)
            }
        }
        .expect("leaf certificate");
        (cert.der().to_vec(), key, serial)
    }

    /// A proper card with these extras in its authentication certificate.
    pub fn card(&self, cui: &str, name: &str, options: CardOptions) -> TestPerson {
        let auth_usage = if options.flaws.no_digital_signature {
            KeyUsagePurpose::KeyEncipherment
        } else {
            KeyUsagePurpose::DigitalSignature
        };
        let eku = (!options.no_eku).then_some(ExtendedKeyUsagePurpose::ClientAuth);
        let (auth_der, auth_key, auth_serial) = self.leaf(cui, name, auth_usage, eku, &options);
        let sign_options = CardOptions {
            flaws: options.flaws,
            ocsp_url: options.ocsp_url.clone(),
            crl_url: options.crl_url.clone(),
            ..CardOptions::default()
        };
        let (sign_der, sign_key, sign_serial) = self.leaf(
            cui,
            name,
            KeyUsagePurpose::ContentCommitment,
            None,
            &sign_options,
        );
        TestPerson {
            cui: cui.to_owned(),
            auth_der,
            auth_key,
            auth_serial,
            sign_der,
            sign_key,
            sign_serial,
        }
    }

    pub fn person(&self, cui: &str, name: &str, flaws: Flaws) -> TestPerson {
        self.card(
            cui,
            name,
            CardOptions {
                flaws,
                ..CardOptions::default()
            },
        )
    }

    /// A CRL (PEM) revoking these certificate serials.
    pub fn crl(&self, serials: &[&[u8]]) -> String {
        self.crl_with(&CrlSpec::new(1, serials))
    }

    /// A CRL (PEM) with a chosen number and dates.
    pub fn crl_with(&self, spec: &CrlSpec<'_>) -> String {
        let now = OffsetDateTime::now_utc();
        let params = CertificateRevocationListParams {
            this_update: spec.this_update,
            next_update: spec.next_update,
            crl_number: SerialNumber::from(spec.number),
            issuing_distribution_point: None,
            revoked_certs: spec
                .revoked
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

/// The SubjectPublicKeyInfo (DER) of a fresh 1024-bit RSA key, from openssl.
fn rsa_1024_spki() -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("rsa1024.pem");
    let status = std::process::Command::new("openssl")
        .args(["genrsa", "-out"])
        .arg(&key)
        .arg("1024")
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is required for this test (genrsa)");
    assert!(status.success(), "openssl genrsa failed");
    let out = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .expect("openssl pkey");
    assert!(out.status.success(), "openssl pkey failed");
    out.stdout
}
