//! TLS to PostgreSQL (issue 15): a real PostgreSQL with `ssl = on` that
//! accepts only TLS over TCP (`hostssl`), its certificate from a test CA.
//! `sslmode=verify-full&sslrootcert=CA` works end to end; a wrong CA, a
//! certificate for another host name, an unverified `sslmode` and plain
//! text are each refused, and nothing is written.
#![allow(clippy::unwrap_used)]

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

use padron_tests::postgres::TestPostgres;
use padron_tests::{ok, run, stderr};

struct Ca {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

fn ca(name: &str) -> Ca {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let cert = params.self_signed(&key).unwrap();
    Ca {
        pem: cert.pem(),
        issuer: Issuer::new(params, key),
    }
}

/// A server certificate for `names` (IP addresses or DNS names), and its key.
fn server_cert(ca: &Ca, names: &[&str]) -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::default();
    params.subject_alt_names = names
        .iter()
        .map(|n| match n.parse() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName((*n).try_into().unwrap()),
        })
        .collect();
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// `init` on `url`, in a fresh directory; the command's output.
fn init(tmp: &std::path::Path, name: &str, url: &str) -> std::process::Output {
    let data = tmp.join(name);
    run(
        "padron-server",
        &["init", "--data", data.to_str().unwrap(), "--database", url],
    )
}

#[test]
fn only_verified_tls_reaches_a_tls_only_postgres() {
    let tmp = tempfile::tempdir().unwrap();
    let good = ca("Padrón DB test CA");
    let (cert, key) = server_cert(&good, &["127.0.0.1", "localhost"]);
    let pg = TestPostgres::start_tls(&cert, &key);
    let ca_file = tmp.path().join("db-ca.pem");
    std::fs::write(&ca_file, &good.pem).unwrap();
    let other = ca("Another CA");
    let other_file = tmp.path().join("other-ca.pem");
    std::fs::write(&other_file, &other.pem).unwrap();

    // Plain text: the server accepts only TLS over TCP.
    let plain = pg.create_database("plain");
    let out = init(tmp.path(), "plain", &plain);
    assert!(!out.status.success(), "plain text accepted");
    assert!(!tmp.path().join("plain").exists(), "nothing left behind");

    // Unverified TLS is not offered: the setting to use is named.
    let db = pg.create_database("required");
    let out = init(tmp.path(), "required", &format!("{db}?sslmode=require"));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("verify-full"), "{}", stderr(&out));

    // A CA that did not sign the server's certificate.
    let db = pg.create_database("wrongca");
    let url = format!(
        "{db}?sslmode=verify-full&sslrootcert={}",
        other_file.display()
    );
    let out = init(tmp.path(), "wrongca", &url);
    assert!(!out.status.success(), "a server of another CA accepted");
    assert!(
        stderr(&out).to_lowercase().contains("certificate"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        pg.psql(
            "wrongca",
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ),
        "0",
        "nothing was written over the unverified connection"
    );

    // verify-full: the chain and the host name; the installation works.
    let db = pg.create_database("padron");
    let url = format!("{db}?sslmode=verify-full&sslrootcert={}", ca_file.display());
    let out = init(tmp.path(), "data", &url);
    assert!(out.status.success(), "{}", stderr(&out));
    let data = tmp.path().join("data");
    let data = data.to_str().unwrap();
    ok(
        "padron-server",
        &[
            "institution",
            "add",
            "--data",
            data,
            "--code",
            "MIDES",
            "--name",
            "Ministerio",
        ],
    );
    assert_eq!(pg.psql("padron", "SELECT code FROM institutions"), "MIDES");
    // pg_hba.conf accepts only `hostssl` over TCP: the institution above
    // crossed TLS, and so does the audit read.
    let verify = ok("padron-server", &["audit", "verify", "--data", data]);
    assert!(!verify.is_empty());
}

#[test]
fn a_certificate_for_another_host_name_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let good = ca("Padrón DB test CA");
    // Right CA, but issued to another machine.
    let (cert, key) = server_cert(&good, &["db.example.org"]);
    let pg = TestPostgres::start_tls(&cert, &key);
    let ca_file = tmp.path().join("db-ca.pem");
    std::fs::write(&ca_file, &good.pem).unwrap();
    let db = pg.create_database("padron");
    let url = format!("{db}?sslmode=verify-full&sslrootcert={}", ca_file.display());
    let out = init(tmp.path(), "data", &url);
    assert!(
        !out.status.success(),
        "a certificate for another host accepted"
    );
    assert!(!tmp.path().join("data").exists());
}
