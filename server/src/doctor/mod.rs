//! `padron-server doctor`: checks a data directory the way an operations
//! team would before (or while) it serves, and says what to do about each
//! finding. It only reads: the database is opened read-only and never
//! migrated.
//!
//! Exit status for scripts: 0 all good, 1 warnings, 2 errors.

mod checks;
pub mod cli;

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warning,
    Error,
}

/// One check's result: a stable id for scripts, what was found and what to
/// do, in Spanish and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable: `FILE_MODES`, `CLOCK`, `CERT_SERVER`, `CERT_SERVER_CA`,
    /// `CERT_WORKSTATION_CA`, `CERT_WORKSTATIONS`, `CRL`, `DISK`,
    /// `DATABASE`, `SCHEMA`, `REGISTRY`, `DATA_DIR`.
    pub id: &'static str,
    pub level: Level,
    pub found_es: String,
    pub found_en: String,
    /// Empty when there is nothing to do.
    pub todo_es: String,
    pub todo_en: String,
}

impl Finding {
    fn ok(id: &'static str, es: impl Into<String>, en: impl Into<String>) -> Finding {
        Finding {
            id,
            level: Level::Ok,
            found_es: es.into(),
            found_en: en.into(),
            todo_es: String::new(),
            todo_en: String::new(),
        }
    }

    fn bad(
        id: &'static str,
        level: Level,
        found: (String, String),
        todo: (String, String),
    ) -> Finding {
        Finding {
            id,
            level,
            found_es: found.0,
            found_en: found.1,
            todo_es: todo.0,
            todo_en: todo.1,
        }
    }
}

/// What the checks are measured against.
#[derive(Debug, Clone)]
pub struct DoctorOptions {
    pub data: PathBuf,
    pub now: OffsetDateTime,
    /// Certificates expiring within this many days are a warning.
    pub expiry_warning_days: i64,
    /// Free space for uploads under this is a warning (bytes).
    pub min_free_bytes: u64,
}

impl DoctorOptions {
    pub fn new(data: &Path, now: OffsetDateTime) -> DoctorOptions {
        DoctorOptions {
            data: data.to_owned(),
            now,
            expiry_warning_days: 30,
            min_free_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// Every finding, in the order checked.
#[derive(Debug, Clone)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn worst(&self) -> Level {
        self.findings
            .iter()
            .map(|f| f.level)
            .max()
            .unwrap_or(Level::Ok)
    }

    /// 0 all good, 1 warnings, 2 errors.
    pub fn exit_status(&self) -> u8 {
        match self.worst() {
            Level::Ok => 0,
            Level::Warning => 1,
            Level::Error => 2,
        }
    }

    /// The findings with that id.
    #[cfg(test)]
    pub fn by_id(&self, id: &str) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.id == id).collect()
    }

    #[cfg(test)]
    pub fn level_of(&self, id: &str) -> Option<Level> {
        self.by_id(id).iter().map(|f| f.level).max()
    }
}

/// Runs every check.
pub fn run(options: &DoctorOptions) -> Report {
    Report {
        findings: checks::all(options),
    }
}

#[cfg(test)]
mod tests;
