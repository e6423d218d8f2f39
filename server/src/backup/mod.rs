//! Backups of a data directory and their restore.
//!
//! A backup is one tar archive (the `tar` crate; inspect it with `tar -t`),
//! optionally encrypted to age recipients (the `age` crate; `age -d -i KEY`
//! decrypts it too). Entries, in order:
//!
//! ```text
//! padron-backup.json      the manifest: format, time, installation, schema,
//!                         audit head at the copy, whether the registry is in it
//! padron.db               a consistent copy of the database (VACUUM INTO)
//! server.toml
//! pki/…                   every file of pki/ (keys 0600)
//! queries/uploads/ID.xlsx the files of the jobs the copied database knows
//! queries/results/ID.xlsx
//! registry.sqlite         only with --with-registry (it can be re-imported)
//! padron-backup.sha256    SHA-256 of every entry above (sha256sum format), last
//! ```
//!
//! The database is copied first; the files after it, and only those of jobs
//! the copy has, so the archive never names a job its database lacks.
//! `restore` writes into a hidden sibling of the new directory, checks every
//! SHA-256, the manifest against the copied database and the audit chain,
//! and only then renames it into place: a damaged backup restores nothing.

mod after;
pub mod cli;
mod create;
mod encryption;
mod restore;

use std::path::PathBuf;

use padron_shared::ErrorCode;
use serde::{Deserialize, Serialize};

pub use create::{BackupOptions, backup};
pub use restore::{RestoreOptions, restore};

/// `format` of the manifest; `restore` refuses others.
pub const FORMAT: &str = "padron-backup:1";
/// The manifest's entry name (first in the archive).
pub const MANIFEST: &str = "padron-backup.json";
/// The checksums' entry name (last in the archive).
pub const SUMS: &str = "padron-backup.sha256";

/// The manifest (`padron-backup.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// When the database was copied (UTC, `clock::timestamp`).
    pub created_at: String,
    /// The `padron-server` that wrote it.
    pub padron_version: String,
    /// `hostname` of server.toml.
    pub hostname: String,
    pub installation_id: Option<String>,
    pub schema_version: u32,
    pub audit_entries: i64,
    /// The last audit entry in the copy: everything after it is not in the backup.
    pub audit_head_seq: i64,
    pub audit_head_hash: String,
    pub audit_head_at: String,
    pub with_registry: bool,
    /// Query jobs in the copied database.
    pub jobs: usize,
    /// Whether it was encrypted (informative: the reader knows anyway).
    pub encrypted: bool,
}

/// A backup or restore refusal; each maps to a stable code.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; a backup is never written over a file")]
    OutputExists(PathBuf),
    #[error("{0:?} is not an age recipient (age1…)")]
    Recipient(String),
    #[error("not a Padrón backup, or damaged: {0}")]
    Corrupt(String),
    #[error("the backup is encrypted; give --identity FILE")]
    Encrypted,
    #[error("identity file: {0}")]
    Identity(String),
    #[error("audit export: {0}")]
    AuditExport(String),
    #[error("the store is PostgreSQL: back it up with pg_dump (see the README)")]
    NeedsPgDump,
    #[error("{0} already holds files; restore only into a new or empty directory")]
    TargetExists(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl BackupError {
    pub fn code(&self) -> ErrorCode {
        match self {
            BackupError::OutputExists(_) => ErrorCode::BackupOutputExists,
            BackupError::Recipient(_) => ErrorCode::BackupRecipientInvalid,
            BackupError::Corrupt(_) => ErrorCode::BackupCorrupt,
            BackupError::Encrypted => ErrorCode::BackupEncrypted,
            BackupError::Identity(_) => ErrorCode::BackupIdentityInvalid,
            BackupError::AuditExport(_) => ErrorCode::AuditExportInvalid,
            BackupError::NeedsPgDump => ErrorCode::BackupNeedsPgDump,
            BackupError::TargetExists(_) => ErrorCode::DataDirExists,
            BackupError::Io { .. } => ErrorCode::Internal,
        }
    }
}

pub(crate) fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A random hex suffix for hidden working names beside a target.
pub(crate) fn random_suffix() -> Result<String, crate::access::pki::PkiError> {
    let mut bytes = [0u8; 6];
    crate::access::pki::fill_random(&mut bytes)?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests;
