#![allow(clippy::unwrap_used)]
//! Each check, broken on purpose.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use time::{Duration, OffsetDateTime};

use super::*;
use crate::access::pki::{WORKSTATION_VALIDITY, WorkstationCa};
use crate::admin::Admin;
use crate::audit::AuditRecord;
use crate::clock::FixedClock;
use crate::datadir::DataDir;
use crate::store::StoredCrl;

fn fresh(tmp: &Path) -> DataDir {
    let dir = DataDir::init(&tmp.join("data"), "localhost", OffsetDateTime::now_utc()).unwrap();
    let store = dir.open_store().unwrap();
    let clock = FixedClock(OffsetDateTime::now_utc());
    Admin::at_terminal(&*store, &clock)
        .add_institution("MIDES", "Ministerio de Desarrollo Social")
        .unwrap();
    dir
}

fn doctor(dir: &DataDir, now: OffsetDateTime) -> Report {
    run(&DoctorOptions::new(dir.path(), now))
}

fn with_registry(dir: &DataDir) {
    let csv = dir.path().join("r.csv");
    let mut bytes = Vec::new();
    padron_consulta::registry::generate::generate(50, 7, &mut bytes, |_| {}).unwrap();
    fs::write(&csv, bytes).unwrap();
    padron_consulta::registry::import::import(dir.path(), &csv, &indicatif::ProgressBar::hidden())
        .unwrap();
    fs::remove_file(csv).unwrap();
}

#[test]
fn a_fresh_installation_lacks_only_the_registry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fresh(tmp.path());
    let report = doctor(&dir, OffsetDateTime::now_utc());
    assert_eq!(report.level_of("REGISTRY"), Some(Level::Warning));
    assert_eq!(report.exit_status(), 1, "{report:#?}");
    for id in [
        "FILE_MODES",
        "CLOCK",
        "CERT_SERVER",
        "CERT_SERVER_CA",
        "CERT_WORKSTATION_CA",
        "CERT_WORKSTATIONS",
        "CRL",
        "DISK",
        "DATABASE",
        "SCHEMA",
    ] {
        assert_eq!(report.level_of(id), Some(Level::Ok), "{id}: {report:#?}");
    }
    // Every finding says what it found in both languages, and what to do
    // unless it is fine.
    for f in &report.findings {
        assert!(!f.found_es.is_empty() && !f.found_en.is_empty());
        assert_eq!(f.level == Level::Ok, f.todo_es.is_empty(), "{f:?}");
    }
    with_registry(&dir);
    let report = doctor(&dir, OffsetDateTime::now_utc());
    assert_eq!(report.exit_status(), 0, "{report:#?}");
}

#[test]
fn a_readable_key_is_an_error_naming_the_chmod() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fresh(tmp.path());
    let key = dir.workstation_ca_key();
    fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
    let report = doctor(&dir, OffsetDateTime::now_utc());
    assert_eq!(report.level_of("FILE_MODES"), Some(Level::Error));
    assert_eq!(report.exit_status(), 2);
    let f = report.by_id("FILE_MODES")[0];
    assert!(
        f.todo_en.contains(&format!("chmod 600 {}", key.display())),
        "{f:?}"
    );
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let f = &doctor(&dir, OffsetDateTime::now_utc()).by_id("FILE_MODES")[0]
        .todo_en
        .clone();
    assert!(
        f.contains(&format!("chmod 700 {}", dir.path().display())),
        "{f}"
    );
}

/// A certificate made by rcgen with the given validity.
fn cert_pem(not_before: OffsetDateTime, not_after: OffsetDateTime) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
    params.not_before = not_before;
    params.not_after = not_after;
    params.self_signed(&key).unwrap().pem()
}

#[test]
fn expired_and_expiring_certificates_are_found() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fresh(tmp.path());
    let now = OffsetDateTime::now_utc();
    let server_crt = dir.server_cert();
    fs::remove_file(&server_crt).unwrap();
    fs::write(
        &server_crt,
        cert_pem(now - Duration::days(400), now - Duration::days(1)),
    )
    .unwrap();
    let report = doctor(&dir, now);
    assert_eq!(report.level_of("CERT_SERVER"), Some(Level::Error));
    assert!(report.by_id("CERT_SERVER")[0].found_en.contains("expired"));
    fs::remove_file(&server_crt).unwrap();
    fs::write(
        &server_crt,
        cert_pem(now - Duration::days(400), now + Duration::days(10)),
    )
    .unwrap();
    let report = doctor(&dir, now);
    assert_eq!(report.level_of("CERT_SERVER"), Some(Level::Warning));
    assert!(
        report.by_id("CERT_SERVER")[0]
            .found_en
            .contains("in 9 days")
            || report.by_id("CERT_SERVER")[0]
                .found_en
                .contains("in 10 days")
    );
    // A CA that is not valid yet: the clock is behind.
    let ca = dir.workstation_ca_cert();
    fs::remove_file(&ca).unwrap();
    fs::write(
        &ca,
        cert_pem(now + Duration::days(2), now + Duration::days(900)),
    )
    .unwrap();
    assert_eq!(
        doctor(&dir, now).level_of("CERT_WORKSTATION_CA"),
        Some(Level::Error)
    );
}

#[test]
fn workstations_expiring_within_30_days_are_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fresh(tmp.path());
    let store = dir.open_store().unwrap();
    let clock = FixedClock(OffsetDateTime::now_utc());
    let ca = WorkstationCa::load(&dir.workstation_ca_cert(), &dir.workstation_ca_key()).unwrap();
    let admin = Admin::at_terminal(&*store, &clock);
    admin
        .enroll_workstation(&ca, "MIDES", "Central", None)
        .unwrap();
    let revoked = admin
        .enroll_workstation(&ca, "MIDES", "Norte", None)
        .unwrap();
    admin
        .revoke_workstation(revoked.workstation.id, "x")
        .unwrap();
    let later = OffsetDateTime::now_utc() + WORKSTATION_VALIDITY - Duration::days(10);
    let report = doctor(&dir, later);
    let f = report.by_id("CERT_WORKSTATIONS");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].level, Level::Warning);
    assert!(f[0].found_en.contains("#1 MIDES Central"), "{f:?}");
    // The revoked one does not count.
    assert!(!f[0].found_en.contains("#2"), "{f:?}");
    let past = OffsetDateTime::now_utc() + WORKSTATION_VALIDITY + Duration::days(1);
    let report = doctor(&dir, past);
    assert!(
        report.by_id("CERT_WORKSTATIONS")[0]
            .found_en
            .contains("expired")
    );
}

#[test]
fn a_stale_crl_is_an_error_and_one_in_grace_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fresh(tmp.path());
    let store = dir.open_store().unwrap();
    let now = OffsetDateTime::now_utc();
    let stamp = crate::clock::timestamp;
    let crl = StoredCrl {
        issuer: "CN=Test eID CA GT".into(),
        fingerprint: "ab".repeat(32),
        der: vec![0x30, 0x00],
        crl_number: Some("1".into()),
        this_update: stamp(now - Duration::days(8)),
        next_update: Some(stamp(now - Duration::days(1))),
        source: "import".into(),
        fetched_at: stamp(now - Duration::days(8)),
        checked_at: None,
        last_error: None,
    };
    let audit = AuditRecord::ok(
        &stamp(now),
        "admin:test",
        "trust.add_crl",
        "crl:test".into(),
        serde_json::json!({}),
    );
    assert!(store.put_current_crl(&crl, None, &audit).unwrap());
    // Default grace: 24 h.
    let report = doctor(&dir, now);
    assert_eq!(report.level_of("CRL"), Some(Level::Error), "{report:#?}");
    assert!(report.by_id("CRL")[0].todo_en.contains("trust add-crl"));
    let report = doctor(&dir, now - Duration::hours(12));
    assert_eq!(report.level_of("CRL"), Some(Level::Warning));
    let report = doctor(&dir, now - Duration::days(3));
    assert_eq!(report.level_of("CRL"), Some(Level::Ok));
}

#[test]
fn a_damaged_registry_or_database_and_a_newer_schema_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fresh(tmp.path());
    fs::write(dir.path().join("registry.sqlite"), b"garbage").unwrap();
    assert_eq!(
        doctor(&dir, OffsetDateTime::now_utc()).level_of("REGISTRY"),
        Some(Level::Error)
    );
    let db = rusqlite::Connection::open(dir.database()).unwrap();
    db.execute_batch("PRAGMA user_version = 999").unwrap();
    drop(db);
    let report = doctor(&dir, OffsetDateTime::now_utc());
    assert_eq!(report.level_of("SCHEMA"), Some(Level::Error));
    assert!(report.by_id("SCHEMA")[0].found_en.contains("version 999"));
    fs::write(dir.database(), b"not a database at all, just text").unwrap();
    let report = doctor(&dir, OffsetDateTime::now_utc());
    assert_eq!(
        report.level_of("DATABASE"),
        Some(Level::Error),
        "{report:#?}"
    );
    assert_eq!(report.exit_status(), 2);
}

#[test]
fn a_clock_behind_the_audit_log_and_a_full_disk_are_found() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = fresh(tmp.path());
    let report = doctor(&dir, OffsetDateTime::now_utc() - Duration::days(1));
    assert_eq!(report.level_of("CLOCK"), Some(Level::Error), "{report:#?}");
    assert!(report.by_id("CLOCK")[0].todo_en.contains("NTP"));
    let mut options = DoctorOptions::new(dir.path(), OffsetDateTime::now_utc());
    options.min_free_bytes = u64::MAX;
    assert_eq!(run(&options).level_of("DISK"), Some(Level::Warning));
}

#[test]
fn a_directory_that_is_no_installation_is_one_error() {
    let tmp = tempfile::tempdir().unwrap();
    let report = run(&DoctorOptions::new(
        &tmp.path().join("nothing"),
        OffsetDateTime::now_utc(),
    ));
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.level_of("DATA_DIR"), Some(Level::Error));
    assert_eq!(report.exit_status(), 2);
}
