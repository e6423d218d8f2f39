//! Which database a data directory uses, and opening it behind the
//! [`Store`] trait object: SQLite (`padron.db` in the data directory, the
//! default) or PostgreSQL (`database = "postgresql://…"` in server.toml).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::postgres::{PgStore, PgWorkstationReader};
use super::{SqliteStore, Store, StoreError, Workstation, WorkstationReader, WorkstationsSummary};

/// Where the store lives.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres {
        url: String,
        /// From `database_password_file` or `PADRON_DATABASE_PASSWORD`.
        password: Option<String>,
    },
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            // Never the password.
            Database::Postgres { url, .. } => f.debug_tuple("Postgres").field(url).finish(),
        }
    }
}

impl Database {
    pub fn is_postgres(&self) -> bool {
        matches!(self, Database::Postgres { .. })
    }

    /// Opens the store, creating the SQLite file only if `create`; a
    /// PostgreSQL database must exist (its schema is created or brought up
    /// to date either way).
    pub fn open(&self, create: bool) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self {
            Database::Sqlite(path) => Arc::new(SqliteStore::open(path, create)?),
            Database::Postgres { url, password } => {
                Arc::new(PgStore::open(url, password.as_deref())?)
            }
        })
    }

    /// The enrolled-workstations reader of `crate::access::enrolled`.
    pub fn workstation_reader(&self) -> Result<Box<dyn WorkstationSource>, StoreError> {
        Ok(match self {
            Database::Sqlite(path) => Box::new(WorkstationReader::open(path)?),
            Database::Postgres { url, password } => {
                Box::new(PgWorkstationReader::open(url, password.as_deref())?)
            }
        })
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Database::Sqlite(path) => Some(path),
            Database::Postgres { .. } => None,
        }
    }
}

/// What `crate::access::enrolled` reads: cheap change detection, then the list.
pub trait WorkstationSource: Send + Sync + std::fmt::Debug {
    fn data_version(&self) -> Result<i64, StoreError>;
    fn summary(&self) -> Result<WorkstationsSummary, StoreError>;
    fn workstations(&self) -> Result<Vec<Workstation>, StoreError>;
}

impl WorkstationSource for WorkstationReader {
    fn data_version(&self) -> Result<i64, StoreError> {
        WorkstationReader::data_version(self)
    }
    fn summary(&self) -> Result<WorkstationsSummary, StoreError> {
        WorkstationReader::summary(self)
    }
    fn workstations(&self) -> Result<Vec<Workstation>, StoreError> {
        WorkstationReader::workstations(self)
    }
}
