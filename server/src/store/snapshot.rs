//! A consistent copy of the live database, and the facts of a copy that a
//! backup records (for `backup`, `restore` and `doctor`).
//!
//! `VACUUM INTO` reads the whole database inside one read transaction: in
//! WAL mode that never blocks the server's writers, and the copy is the
//! database as of one commit (no torn state between the audit chain and the
//! tables it describes). The online backup API would restart whenever
//! another process commits, which under load may be never-ending.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::StoreError;
use super::migrations::MIGRATIONS;

/// What a snapshot holds, read from the snapshot itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFacts {
    /// `PRAGMA user_version`: the schema version.
    pub schema_version: u32,
    /// The installation id signed requests name (absent before V6).
    pub installation_id: Option<String>,
    /// Number of audit entries.
    pub audit_entries: i64,
    /// The last audit entry: sequence number, hash, time.
    pub audit_head: Option<(i64, String, String)>,
    /// Every query job's id (their files are copied beside the database).
    pub job_ids: Vec<String>,
}

/// The schema version this build writes.
pub fn supported_schema_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// Writes a consistent copy of the database at `db` to `out` (which must
/// not exist). The live database is opened read-only.
pub fn vacuum_into(db: &Path, out: &Path) -> Result<(), StoreError> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // A writer checkpointing the WAL can hold a lock briefly.
    conn.busy_timeout(Duration::from_secs(30))?;
    let target = out
        .to_str()
        .ok_or_else(|| StoreError::Corrupt(format!("{} is not UTF-8", out.display())))?;
    conn.execute("VACUUM INTO ?1", [target])?;
    Ok(())
}

/// Reads the facts of a database file without changing it (read-only, no
/// migration).
pub fn facts(db: &Path) -> Result<SnapshotFacts, StoreError> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    let schema_version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let has_table = |name: &str| -> Result<bool, StoreError> {
        Ok(conn
            .query_row(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    };
    let installation_id = if has_table("installation")? {
        conn.query_row("SELECT id FROM installation", [], |r| r.get(0))
            .optional()?
    } else {
        None
    };
    let (audit_entries, audit_head) = if has_table("audit_log")? {
        let entries: i64 = conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?;
        let head = conn
            .query_row(
                "SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        (entries, head)
    } else {
        (0, None)
    };
    let job_ids = if has_table("query_jobs")? {
        let mut stmt = conn.prepare("SELECT id FROM query_jobs ORDER BY seq")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?
    } else {
        Vec::new()
    };
    Ok(SnapshotFacts {
        schema_version,
        installation_id,
        audit_entries,
        audit_head,
        job_ids,
    })
}

/// Runs SQLite's own consistency check on a database file (read-only).
/// Returns the problems it reports (empty: sound).
pub fn quick_check(db: &Path) -> Result<Vec<String>, StoreError> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    let mut stmt = conn.prepare("PRAGMA quick_check")?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows.into_iter().filter(|r| r != "ok").collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::store::SqliteStore;

    #[test]
    fn a_snapshot_is_the_database_with_its_schema_version_and_chain() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("padron.db");
        drop(SqliteStore::open(&db, true).unwrap());
        let out = tmp.path().join("copy.db");
        vacuum_into(&db, &out).unwrap();
        let original = facts(&db).unwrap();
        let copy = facts(&out).unwrap();
        assert_eq!(copy, original);
        assert_eq!(copy.schema_version, supported_schema_version());
        assert!(copy.installation_id.is_some());
        assert!(quick_check(&out).unwrap().is_empty());
        // Never over an existing file.
        assert!(vacuum_into(&db, &out).is_err());
    }
}
