//! `padron-server restore`: a backup into a new data directory.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::after::{LaterChange, changes_after};
use super::encryption;
use super::{BackupError, FORMAT, MANIFEST, Manifest, SUMS, io_err, random_suffix};
use crate::datadir::{CONFIG_FILE, DATABASE_FILE, DataDir};
use crate::error::ServerError;
use crate::store::{SqliteStore, snapshot};
use padron_consulta::registry::store::STORE_FILE as REGISTRY_FILE;

#[derive(Debug, Clone)]
pub struct RestoreOptions {
    pub from: PathBuf,
    /// The new data directory: absent or empty.
    pub data: PathBuf,
    /// age identity file, for an encrypted backup.
    pub identity: Option<PathBuf>,
    /// The live system's `audit export`, to list what the backup lacks.
    pub audit_export: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct RestoreSummary {
    pub manifest: Manifest,
    pub files: usize,
    pub encrypted: bool,
    /// Audit entries the restored chain verified.
    pub audit_entries: u64,
    /// With `--audit-export`: revocations, blocks and removals made on the
    /// live system after the backup (not in the restored directory).
    pub later_changes: Option<Vec<LaterChange>>,
}

/// The manifest's largest plausible size; more is not a Padrón backup.
const MANIFEST_MAX: u64 = 64 * 1024;
/// The checksum list's: one line per file, jobs included.
const SUMS_MAX: u64 = 64 * 1024 * 1024;

/// Where an entry may go: the data directory's own layout, nothing else.
fn allowed(name: &str) -> bool {
    let parts: Vec<&str> = name.split('/').collect();
    let plain = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    };
    match parts.as_slice() {
        [f] => [DATABASE_FILE, CONFIG_FILE, REGISTRY_FILE].contains(f),
        ["pki", f] => plain(f),
        ["queries", "uploads" | "results", f] => plain(f),
        _ => false,
    }
}

fn entry_name(path: &Path) -> Result<String, BackupError> {
    let ok = path.components().all(|c| matches!(c, Component::Normal(_)));
    match path.to_str() {
        Some(s) if ok => Ok(s.to_owned()),
        _ => Err(BackupError::Corrupt(format!(
            "entry {:?} is not a relative path",
            crate::audit::untrusted(&path.to_string_lossy())
        ))),
    }
}

fn corrupt(what: impl Into<String>) -> BackupError {
    BackupError::Corrupt(what.into())
}

pub fn restore(options: &RestoreOptions) -> Result<RestoreSummary, ServerError> {
    let root = &options.data;
    match fs::read_dir(root) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(BackupError::TargetExists(root.clone()).into());
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(_) => return Err(BackupError::TargetExists(root.clone()).into()),
    }
    let parent = match root.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "padron".into());
    let staging = parent.join(format!(".{name}.restore-{}", random_suffix()?));
    let result = restore_into(&staging, options).and_then(|summary| {
        if root.exists() {
            fs::remove_dir(root).map_err(|_| BackupError::TargetExists(root.clone()))?;
        }
        fs::rename(&staging, root).map_err(io_err(root))?;
        Ok(summary)
    });
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

fn restore_into(staging: &Path, options: &RestoreOptions) -> Result<RestoreSummary, ServerError> {
    let file = File::open(&options.from).map_err(io_err(&options.from))?;
    let mut input = BufReader::new(file);
    let encrypted = encryption::is_encrypted(input.fill_buf().map_err(io_err(&options.from))?);
    let reader: Box<dyn Read> = match (encrypted, &options.identity) {
        (true, Some(identity)) => encryption::decrypt(input, identity)?,
        (true, None) => return Err(BackupError::Encrypted.into()),
        (false, _) => Box::new(input),
    };
    fs::DirBuilder::new()
        .mode(0o700)
        .create(staging)
        .map_err(io_err(staging))?;
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|e| corrupt(format!("not a tar archive: {e}")))?;
    let mut manifest: Option<Manifest> = None;
    let mut sums_text: Option<String> = None;
    let mut written: BTreeMap<String, String> = BTreeMap::new();
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(format!("archive: {e}")))?;
        if sums_text.is_some() {
            return Err(corrupt(format!("an entry follows {SUMS}")).into());
        }
        let path = entry
            .path()
            .map_err(|e| corrupt(format!("entry name: {e}")))?
            .into_owned();
        let name = entry_name(&path)?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(corrupt(format!("{name} is not a regular file")).into());
        }
        if manifest.is_none() {
            if name != MANIFEST {
                return Err(corrupt(format!("the first entry is {name}, not {MANIFEST}")).into());
            }
            let text = read_small(&mut entry, MANIFEST_MAX, MANIFEST)?;
            let m: Manifest =
                serde_json::from_str(&text).map_err(|e| corrupt(format!("{MANIFEST}: {e}")))?;
            if m.format != FORMAT {
                return Err(corrupt(format!("format {:?}, not {FORMAT}", m.format)).into());
            }
            manifest = Some(m);
            continue;
        }
        if name == SUMS {
            sums_text = Some(read_small(&mut entry, SUMS_MAX, SUMS)?);
            continue;
        }
        if !allowed(&name) {
            return Err(corrupt(format!(
                "unexpected entry {}",
                crate::audit::untrusted(&name)
            ))
            .into());
        }
        if written.contains_key(&name) {
            return Err(corrupt(format!("{name} appears twice")).into());
        }
        let sum = write_entry(staging, &name, &mut entry)?;
        written.insert(name, sum);
    }
    let manifest = manifest.ok_or_else(|| corrupt("the archive is empty"))?;
    let sums_text = sums_text.ok_or_else(|| corrupt(format!("{SUMS} is missing (truncated?)")))?;

    // Every entry has the checksum the backup recorded, and no entry is
    // missing or extra.
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    for line in sums_text.lines() {
        let (sum, name) = line
            .split_once("  ")
            .ok_or_else(|| corrupt(format!("{SUMS}: line {line:?}")))?;
        expected.insert(name.to_owned(), sum.to_owned());
    }
    let manifest_sum = expected.remove(MANIFEST);
    if manifest_sum.is_none() {
        return Err(corrupt(format!("{SUMS} does not list {MANIFEST}")).into());
    }
    for (name, sum) in &written {
        match expected.get(name) {
            Some(want) if want == sum => {}
            Some(_) => return Err(corrupt(format!("{name}: SHA-256 does not match")).into()),
            None => return Err(corrupt(format!("{name} is not in {SUMS}")).into()),
        }
    }
    if let Some(missing) = expected.keys().find(|n| !written.contains_key(*n)) {
        return Err(corrupt(format!("{missing} is listed but missing")).into());
    }
    for required in [DATABASE_FILE, CONFIG_FILE] {
        if !written.contains_key(required) {
            return Err(corrupt(format!("{required} is missing")).into());
        }
    }

    // The database is the one the manifest describes.
    let db = staging.join(DATABASE_FILE);
    let facts = snapshot::facts(&db)?;
    let head = facts.audit_head.clone().unwrap_or_default();
    if facts.installation_id != manifest.installation_id
        || head.0 != manifest.audit_head_seq
        || head.1 != manifest.audit_head_hash
    {
        return Err(corrupt("the database is not the one the manifest describes").into());
    }
    // Private like `init` makes it: 0700 directories.
    for sub in ["pki", "queries", "queries/uploads", "queries/results"] {
        let path = staging.join(sub);
        if !path.exists() {
            fs::DirBuilder::new()
                .mode(0o700)
                .create(&path)
                .map_err(io_err(&path))?;
        }
    }
    // Opening brings an older schema up to date (a newer one is refused),
    // and the chain must verify before anything is put in place.
    let store = SqliteStore::open(&db, false)?;
    let dir = DataDir::open(staging)?;
    dir.check_private()?;
    let country = dir.config()?.eid_country;
    let verified = crate::evidence::verify::verify(&store, &country)?;
    drop(store);

    let later_changes = match &options.audit_export {
        Some(export) => Some(changes_after(
            export,
            manifest.audit_head_seq,
            &manifest.audit_head_hash,
        )?),
        None => None,
    };
    if let Ok(d) = File::open(staging) {
        let _ = d.sync_all();
    }
    Ok(RestoreSummary {
        files: written.len(),
        encrypted,
        audit_entries: verified.entries,
        later_changes,
        manifest,
    })
}

fn read_small(entry: &mut impl Read, max: u64, name: &str) -> Result<String, BackupError> {
    let mut text = String::new();
    entry
        .take(max + 1)
        .read_to_string(&mut text)
        .map_err(|e| corrupt(format!("{name}: {e}")))?;
    if text.len() as u64 > max {
        return Err(corrupt(format!("{name} is larger than {max} bytes")));
    }
    Ok(text)
}

/// Writes one entry under `staging` (0700 directories, 0600 files but
/// certificates and server.toml 0644), returning its SHA-256.
fn write_entry(staging: &Path, name: &str, entry: &mut impl Read) -> Result<String, BackupError> {
    let path = staging.join(name);
    if let Some(parent) = path.parent() {
        fs::DirBuilder::new()
            .mode(0o700)
            .recursive(true)
            .create(parent)
            .map_err(io_err(parent))?;
    }
    let public = name == CONFIG_FILE || (name.starts_with("pki/") && name.ends_with(".crt"));
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(if public { 0o644 } else { 0o600 })
        .open(&path)
        .map_err(io_err(&path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = entry
            .read(&mut buf)
            .map_err(|e| corrupt(format!("{name}: {e}")))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n]).map_err(io_err(&path))?;
    }
    file.sync_all().map_err(io_err(&path))?;
    Ok(hex::encode(hasher.finalize()))
}
