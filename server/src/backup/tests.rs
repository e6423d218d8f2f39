#![allow(clippy::unwrap_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use age::secrecy::ExposeSecret;
use padron_shared::ErrorCode;
use time::OffsetDateTime;

use super::*;
use crate::datadir::DataDir;
use crate::error::ServerError;

fn installation(tmp: &Path) -> DataDir {
    DataDir::init(&tmp.join("live"), "localhost", OffsetDateTime::now_utc()).unwrap()
}

fn options(out: &Path) -> BackupOptions {
    BackupOptions {
        out: out.to_owned(),
        encrypt_to: Vec::new(),
        with_registry: false,
    }
}

fn restore_options(from: &Path, data: &Path) -> RestoreOptions {
    RestoreOptions {
        from: from.to_owned(),
        data: data.to_owned(),
        identity: None,
        audit_export: None,
    }
}

fn code(e: ServerError) -> ErrorCode {
    e.code()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// An age identity file and its recipient.
fn age_key(dir: &Path, name: &str) -> (PathBuf, String) {
    let identity = age::x25519::Identity::generate();
    let path = dir.join(name);
    fs::write(&path, format!("{}\n", identity.to_string().expose_secret())).unwrap();
    (path, identity.to_public().to_string())
}

#[test]
fn a_backup_restores_the_same_keys_config_and_database() {
    let tmp = tempfile::tempdir().unwrap();
    let live = installation(tmp.path());
    fs::write(live.path().join("registry.sqlite"), b"not copied").unwrap();
    let out = tmp.path().join("b.tar");
    let summary = backup(&live, &options(&out), OffsetDateTime::now_utc()).unwrap();
    assert!(summary.registry_left_out);
    assert_eq!(mode(&out), 0o600);
    // A plain tar: the standard tool lists it.
    let listing = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&out)
        .output()
        .unwrap();
    let listing = String::from_utf8(listing.stdout).unwrap();
    assert!(listing.starts_with("padron-backup.json\n"), "{listing}");
    assert!(listing.ends_with("padron-backup.sha256\n"), "{listing}");
    assert!(!listing.contains("registry.sqlite"), "{listing}");

    let restored = tmp.path().join("restored");
    let r = restore(&restore_options(&out, &restored)).unwrap();
    assert!(!r.encrypted);
    assert_eq!(r.manifest.audit_head_seq, summary.manifest.audit_head_seq);
    for file in [
        "server.toml",
        "pki/server-ca.key",
        "pki/workstation-ca.key",
        "pki/server.crt",
        "pki/audit-checkpoint.key",
    ] {
        assert_eq!(
            fs::read(restored.join(file)).unwrap(),
            fs::read(live.path().join(file)).unwrap(),
            "{file}"
        );
    }
    assert_eq!(mode(&restored), 0o700);
    assert_eq!(mode(&restored.join("pki")), 0o700);
    assert_eq!(mode(&restored.join("pki/workstation-ca.key")), 0o600);
    assert!(!restored.join("registry.sqlite").exists());
    let dir = DataDir::open(&restored).unwrap();
    dir.check_private().unwrap();
    dir.open_store().unwrap();
    // No working files are left beside the backup or the restore.
    let mut names: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["b.tar", "live", "restored"]);
}

#[test]
fn the_registry_is_in_the_backup_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let live = installation(tmp.path());
    fs::write(live.path().join("registry.sqlite"), b"registry bytes").unwrap();
    let out = tmp.path().join("b.tar");
    let mut o = options(&out);
    o.with_registry = true;
    let summary = backup(&live, &o, OffsetDateTime::now_utc()).unwrap();
    assert!(!summary.registry_left_out);
    let restored = tmp.path().join("r");
    restore(&restore_options(&out, &restored)).unwrap();
    assert_eq!(
        fs::read(restored.join("registry.sqlite")).unwrap(),
        b"registry bytes"
    );
}

#[test]
fn an_encrypted_backup_needs_the_identity_it_was_made_for() {
    let tmp = tempfile::tempdir().unwrap();
    let live = installation(tmp.path());
    let (identity, recipient) = age_key(tmp.path(), "key.txt");
    let (other, _) = age_key(tmp.path(), "other.txt");
    let out = tmp.path().join("b.age");
    let mut o = options(&out);
    o.encrypt_to = vec![recipient];
    assert!(
        backup(&live, &o, OffsetDateTime::now_utc())
            .unwrap()
            .manifest
            .encrypted
    );
    let bytes = fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    // Nothing of the keys shows through.
    let key = fs::read(live.workstation_ca_key()).unwrap();
    assert!(!bytes.windows(40).any(|w| key.windows(40).any(|k| k == w)));

    let target = tmp.path().join("r");
    let err = restore(&restore_options(&out, &target)).unwrap_err();
    assert_eq!(code(err), ErrorCode::BackupEncrypted);
    let mut r = restore_options(&out, &target);
    r.identity = Some(other);
    assert_eq!(
        code(restore(&r).unwrap_err()),
        ErrorCode::BackupIdentityInvalid
    );
    r.identity = Some(tmp.path().join("missing.txt"));
    assert_eq!(
        code(restore(&r).unwrap_err()),
        ErrorCode::BackupIdentityInvalid
    );
    assert!(!target.exists());
    r.identity = Some(identity);
    assert!(restore(&r).unwrap().encrypted);
    assert_eq!(
        fs::read(target.join("pki/workstation-ca.key")).unwrap(),
        key
    );
}

#[test]
fn refusals_have_their_codes_and_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let live = installation(tmp.path());
    let out = tmp.path().join("b.tar");
    let mut bad = options(&out);
    bad.encrypt_to = vec!["age1notakey".into()];
    assert_eq!(
        code(backup(&live, &bad, OffsetDateTime::now_utc()).unwrap_err()),
        ErrorCode::BackupRecipientInvalid
    );
    assert!(!out.exists());
    backup(&live, &options(&out), OffsetDateTime::now_utc()).unwrap();
    let before = fs::read(&out).unwrap();
    assert_eq!(
        code(backup(&live, &options(&out), OffsetDateTime::now_utc()).unwrap_err()),
        ErrorCode::BackupOutputExists
    );
    assert_eq!(fs::read(&out).unwrap(), before);
    // Never into an installation.
    assert_eq!(
        code(restore(&restore_options(&out, live.path())).unwrap_err()),
        ErrorCode::DataDirExists
    );
}

/// A tar with the given entries (name, bytes), no checks.
fn raw_tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o600);
        h.set_entry_type(tar::EntryType::Regular);
        // set_path refuses `..`; write the raw name as an attacker would.
        let raw = &mut h.as_old_mut().name;
        raw[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        b.append(&h, *bytes).unwrap();
    }
    b.into_inner().unwrap()
}

#[test]
fn a_damaged_or_foreign_archive_restores_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let live = installation(tmp.path());
    let out = tmp.path().join("b.tar");
    backup(&live, &options(&out), OffsetDateTime::now_utc()).unwrap();
    let good = fs::read(&out).unwrap();
    let target = tmp.path().join("r");
    let attempt = |bytes: &[u8], name: &str| {
        let file = tmp.path().join(name);
        fs::write(&file, bytes).unwrap();
        let err = restore(&restore_options(&file, &target)).unwrap_err();
        assert!(!target.exists(), "{name}");
        (code(err), ())
    };
    // One flipped byte in the middle (inside some file's data).
    let mut flipped = good.clone();
    let at = good.len() / 2;
    flipped[at] ^= 0x55;
    assert_eq!(attempt(&flipped, "flipped").0, ErrorCode::BackupCorrupt);
    // Cut short: no checksums at the end.
    assert_eq!(
        attempt(&good[..good.len() / 3], "truncated").0,
        ErrorCode::BackupCorrupt
    );
    // Not a backup at all.
    assert_eq!(attempt(b"hello", "text").0, ErrorCode::BackupCorrupt);
    // A path that climbs out of the directory.
    let manifest = fs::read(&out).unwrap();
    let _ = manifest;
    let evil = raw_tar(&[
        ("padron-backup.json", br#"{"format":"padron-backup:1"}"#),
        ("../escaped", b"x"),
    ]);
    assert_eq!(attempt(&evil, "evil").0, ErrorCode::BackupCorrupt);
    assert!(!tmp.path().join("escaped").exists());
    let elsewhere = raw_tar(&[("pki/../../x", b"x")]);
    assert_eq!(attempt(&elsewhere, "elsewhere").0, ErrorCode::BackupCorrupt);
    // No staging directory is left behind.
    assert!(
        fs::read_dir(tmp.path()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with('.'))
    );
}
