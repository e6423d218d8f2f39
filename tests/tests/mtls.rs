//! The server accepts only enrolled, unrevoked workstations, checked in the
//! TLS handshake, with real processes and real certificates.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use std::fs;
use std::path::Path;

use padron_shared::protocol::{Health, WhoAmI};
use padron_tests::{Installation, Server, https_client, ok, path_str, run, stderr, stdout};
use rcgen::{
    CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, Issuer, KeyPair,
};
use sha2::Digest;
use time::{Duration, OffsetDateTime};

fn identity(bundle: &Path) -> Vec<u8> {
    let mut pem = fs::read(bundle.join("workstation.crt")).unwrap();
    pem.extend(fs::read(bundle.join("workstation.key")).unwrap());
    pem
}

fn server_ca(inst: &Installation) -> Vec<u8> {
    fs::read(inst.data.join("pki/server-ca.crt")).unwrap()
}

fn agent_status(bundle: &Path) -> std::process::Output {
    run(
        "padron-agent",
        &["--config", path_str(&bundle.join("agent.toml")), "status"],
    )
}

/// A client certificate signed by `issuer_cert`/`issuer_key` PEM files.
fn client_cert(issuer_cert: &str, issuer_key: &str, not_after: OffsetDateTime) -> (String, String) {
    let issuer =
        Issuer::from_ca_cert_pem(issuer_cert, KeyPair::from_pem(issuer_key).unwrap()).unwrap();
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "intruder");
    params.distinguished_name = dn;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.not_before = OffsetDateTime::now_utc() - Duration::days(60);
    params.not_after = not_after;
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

#[test]
fn enrolled_workstation_is_recognised_with_its_institution_and_site() {
    let inst = Installation::new();
    let server = Server::start(&inst.data);
    let bundle = inst.enroll("MIDES", "Oficina central", &server.url());

    let client = https_client(&server_ca(&inst), Some(identity(&bundle)));
    let response = client
        .get(format!("{}/v1/whoami", server.url()))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let me: WhoAmI = response.json().unwrap();
    assert_eq!(me.workstation_id, 1);
    assert_eq!(me.institution_code, "MIDES");
    assert_eq!(me.institution_name, "Ministerio de Desarrollo Social");
    assert_eq!(me.site, "Oficina central");
    let health: Health = client
        .get(format!("{}/v1/health", server.url()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health.status, "ok");
    assert_eq!(health.database, "ok");

    let out = agent_status(&bundle);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Estación de trabajo: 1"), "{text}");
    assert!(
        text.contains("MIDES — Ministerio de Desarrollo Social"),
        "{text}"
    );
    assert!(text.contains("sede: Oficina central"), "{text}");
    assert!(text.contains("en servicio"), "{text}");
}

#[test]
fn no_client_certificate_fails_the_handshake() {
    let inst = Installation::new();
    let server = Server::start(&inst.data);
    let client = https_client(&server_ca(&inst), None);
    let result = client.get(format!("{}/v1/health", server.url())).send();
    assert!(
        result.is_err(),
        "a client without certificate got {:?}",
        result.map(|r| r.status())
    );
    let log = server.wait_for_log("TLS handshake refused");
    assert!(
        log.contains("NoCertificatesPresented") || log.contains("certificate"),
        "{log}"
    );
}

#[test]
fn certificate_from_a_foreign_ca_is_refused() {
    let inst = Installation::new();
    let server = Server::start(&inst.data);
    let bundle = inst.enroll("MIDES", "Sede norte", &server.url());

    // A CA the server never heard of issues a well-formed client certificate.
    let foreign_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::default();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "Padrón CA de estaciones de trabajo");
    ca.distinguished_name = dn;
    let foreign_ca = ca.self_signed(&foreign_key).unwrap();
    let (cert, key) = client_cert(
        &foreign_ca.pem(),
        &foreign_key.serialize_pem(),
        OffsetDateTime::now_utc() + Duration::days(300),
    );

    let client = https_client(
        &server_ca(&inst),
        Some([cert.as_bytes(), key.as_bytes()].concat()),
    );
    assert!(
        client
            .get(format!("{}/v1/whoami", server.url()))
            .send()
            .is_err()
    );
    server.wait_for_log("UnknownIssuer");

    // The agent with the same forged identity says so in words.
    fs::write(bundle.join("workstation.crt"), cert).unwrap();
    fs::write(bundle.join("workstation.key"), key).unwrap();
    let out = agent_status(&bundle);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("WORKSTATION_CERTIFICATE_REFUSED"), "{err}");
    assert!(
        err.contains("El servidor rechazó el certificado de esta estación de trabajo."),
        "{err}"
    );
}

#[test]
fn expired_certificate_is_refused_even_when_enrolled() {
    let inst = Installation::new();
    let server = Server::start(&inst.data);
    let ca_cert = fs::read_to_string(inst.data.join("pki/workstation-ca.crt")).unwrap();
    let ca_key = fs::read_to_string(inst.data.join("pki/workstation-ca.key")).unwrap();
    let (cert, key) = client_cert(
        &ca_cert,
        &ca_key,
        OffsetDateTime::now_utc() - Duration::days(1),
    );

    // Record it as an enrolled workstation, so expiry is the only thing wrong.
    let der = x509_parser::pem::parse_x509_pem(cert.as_bytes())
        .unwrap()
        .1
        .contents;
    let fingerprint = hex::encode(sha2::Sha256::digest(&der));
    assert!(!cert.contains('\''), "a PEM has no quote");
    inst.sql(&format!(
        "INSERT INTO workstations (institution_id, site, cert_fingerprint, cert_pem, key_origin, enrolled_at)
         VALUES (1, 'Caducada', '{fingerprint}', '{cert}', 'GENERATED', '2020-01-01T00:00:00.000Z')"
    ));

    let client = https_client(
        &server_ca(&inst),
        Some([cert.as_bytes(), key.as_bytes()].concat()),
    );
    assert!(
        client
            .get(format!("{}/v1/whoami", server.url()))
            .send()
            .is_err()
    );
    server.wait_for_log("certificate expired");
}

#[test]
fn revoked_workstation_is_refused_at_once_without_restart() {
    let inst = Installation::new();
    let server = Server::start(&inst.data);
    let bundle = inst.enroll("MIDES", "Sede sur", &server.url());
    let other = inst.enroll("MIDES", "Sede este", &server.url());

    // One client keeps its connection open across the revocation.
    let client = https_client(&server_ca(&inst), Some(identity(&bundle)));
    let url = format!("{}/v1/whoami", server.url());
    assert_eq!(client.get(&url).send().unwrap().status(), 200);

    let out = ok(
        "padron-server",
        &[
            "workstation",
            "revoke",
            "--data",
            inst.data(),
            "--id",
            "1",
            "--reason",
            "equipo robado",
        ],
    );
    assert!(out.contains("Estación revocada: 1"), "{out}");

    // The kept-alive connection is refused on its next request…
    // (If the pool had dropped it, the new handshake is refused, as below.)
    if let Ok(response) = client.get(&url).send() {
        assert_eq!(response.status(), 403);
        let body: serde_json::Value = response.json().unwrap();
        assert_eq!(body["code"], "WORKSTATION_REVOKED");
    }
    // A new connection is refused in the handshake.
    let fresh = https_client(&server_ca(&inst), Some(identity(&bundle)));
    assert!(fresh.get(&url).send().is_err());
    server.wait_for_log("revoked workstation refused");

    let out = agent_status(&bundle);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("WORKSTATION_REVOKED"), "{err}");
    assert!(err.contains("fue revocada"), "{err}");

    // Other workstations are unaffected.
    assert!(agent_status(&other).status.success());
    let list = ok(
        "padron-server",
        &["workstation", "list", "--data", inst.data()],
    );
    assert!(
        list.lines()
            .any(|l| l.starts_with("1 ") && l.contains("revocada")),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.starts_with("2 ") && l.contains("activa")),
        "{list}"
    );
}

#[test]
fn csr_enrolment_keeps_the_key_on_the_workstation() {
    let inst = Installation::new();
    let server = Server::start(&inst.data);
    let station = inst.tmp.path().join("station");
    let out = ok(
        "padron-agent",
        &["enroll-request", "--out", path_str(&station)],
    );
    assert!(out.contains("workstation.csr"), "{out}");
    let key_before = fs::read(station.join("workstation.key")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        fs::metadata(station.join("workstation.key"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );

    let out = ok(
        "padron-server",
        &[
            "workstation",
            "enroll",
            "--data",
            inst.data(),
            "--institution",
            "MIDES",
            "--site",
            "Quetzaltenango",
            "--csr",
            path_str(&station.join("workstation.csr")),
            "--out",
            path_str(&station),
            "--server-url",
            &server.url(),
        ],
    );
    assert!(
        out.contains("La llave privada quedó en la estación"),
        "{out}"
    );
    assert_eq!(
        fs::read(station.join("workstation.key")).unwrap(),
        key_before,
        "the server must not touch the key"
    );

    let status = agent_status(&station);
    assert!(status.status.success(), "{}", stderr(&status));
    assert!(stdout(&status).contains("sede: Quetzaltenango"));

    let list = ok(
        "padron-server",
        &["workstation", "list", "--data", inst.data()],
    );
    assert!(list.contains("CSR"), "{list}");
}

#[test]
fn a_tampered_csr_is_refused_and_nothing_is_enrolled() {
    let inst = Installation::new();
    let station = inst.tmp.path().join("station");
    ok(
        "padron-agent",
        &["enroll-request", "--out", path_str(&station)],
    );
    let csr = fs::read_to_string(station.join("workstation.csr")).unwrap();
    // Flip one base64 character inside the body: the self-signature breaks.
    let mut lines: Vec<String> = csr.lines().map(str::to_owned).collect();
    let line = &mut lines[2];
    let flipped = if line.starts_with('A') { "B" } else { "A" };
    line.replace_range(0..1, flipped);
    fs::write(station.join("bad.csr"), lines.join("\n")).unwrap();
    let out = run(
        "padron-server",
        &[
            "workstation",
            "enroll",
            "--data",
            inst.data(),
            "--institution",
            "MIDES",
            "--site",
            "X",
            "--csr",
            path_str(&station.join("bad.csr")),
            "--out",
            path_str(&inst.tmp.path().join("b")),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("CSR_INVALID"), "{}", stderr(&out));
    let list = ok(
        "padron-server",
        &["workstation", "list", "--data", inst.data()],
    );
    assert_eq!(list.lines().count(), 1, "only the header: {list}");
}

#[test]
fn errors_are_json_in_the_callers_language() {
    let inst = Installation::new();
    let server = Server::start(&inst.data);
    let bundle = inst.enroll("MIDES", "Central", &server.url());
    let client = https_client(&server_ca(&inst), Some(identity(&bundle)));

    let response = client
        .get(format!("{}/v1/nothing-here", server.url()))
        .send()
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body["code"], "NOT_FOUND");
    assert_eq!(body["message"], "El recurso solicitado no existe.");

    let response = client
        .get(format!("{}/v1/nothing-here", server.url()))
        .header("Accept-Language", "en-US,en;q=0.9")
        .send()
        .unwrap();
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body["message"], "The requested resource does not exist.");

    let response = client
        .post(format!("{}/v1/whoami", server.url()))
        .send()
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: serde_json::Value = response.json().unwrap();
    assert_eq!(body["code"], "METHOD_NOT_ALLOWED");
}

#[test]
fn curl_from_outside_needs_the_workstation_certificate() {
    let inst = Installation::new();
    let server = Server::start(&inst.data);
    let bundle = inst.enroll("MIDES", "Central", &server.url());
    let ca = inst.data.join("pki/server-ca.crt");
    let url = format!("{}/v1/whoami", server.url());
    let with_cert = std::process::Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--fail",
            "--cacert",
            path_str(&ca),
        ])
        .args(["--cert", path_str(&bundle.join("workstation.crt"))])
        .args(["--key", path_str(&bundle.join("workstation.key"))])
        .arg(&url)
        .output()
        .expect("curl is installed by packaging/dev/setup.sh");
    assert!(
        with_cert.status.success(),
        "{}",
        String::from_utf8_lossy(&with_cert.stderr)
    );
    let body: WhoAmI = serde_json::from_slice(&with_cert.stdout).unwrap();
    assert_eq!(body.site, "Central");

    let without = std::process::Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--fail",
            "--cacert",
            path_str(&ca),
        ])
        .arg(&url)
        .output()
        .unwrap();
    assert!(!without.status.success());
}
