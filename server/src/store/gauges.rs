//! The counts the metrics scrape reads (`crate::metrics::gauges::GaugeSource`), from
//! either backend, on a connection of its own: SQLite read-only with a
//! short busy timeout (a WAL reader never blocks writers, and a scrape
//! must not wait behind a long write), PostgreSQL one pooled connection
//! (its readers never wait on writers).

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::postgres::Pool;
use super::{Database, StoreError, names};
use crate::metrics::gauges::{GaugeSource, StoreGauges};

const OPEN_SESSIONS: &str = "SELECT count(*) FROM sessions
     WHERE ended_at IS NULL AND expires_at > $1 AND last_seen_at > $2";
const ACTIVE_JOBS: &str = "SELECT mode, state, count(*) FROM query_jobs
     WHERE state IN ('QUEUED', 'RUNNING') GROUP BY mode, state";
const AUDIT_ENTRIES: &str = "SELECT coalesce(max(seq), 0) FROM audit_log";

impl Database {
    /// The metrics scrape's reader of this database.
    pub fn gauge_source(&self) -> Result<Box<dyn GaugeSource>, StoreError> {
        Ok(match self {
            Database::Sqlite(path) => Box::new(SqliteGauges::new(path)),
            Database::Postgres { url, password } => Box::new(PgGauges {
                pool: Pool::new(url, password.as_deref(), 1)?,
            }),
        })
    }
}

/// Opened at the first scrape and again after an error.
#[derive(Debug)]
struct SqliteGauges {
    path: std::path::PathBuf,
    conn: Mutex<Option<Connection>>,
}

impl SqliteGauges {
    fn new(path: &Path) -> SqliteGauges {
        SqliteGauges {
            path: path.to_owned(),
            conn: Mutex::new(None),
        }
    }

    fn read_with(conn: &Connection, now: &str, idle_since: &str) -> rusqlite::Result<StoreGauges> {
        let open_sessions = conn.query_row(OPEN_SESSIONS, [now, idle_since], |r| r.get(0))?;
        let mut stmt = conn.prepare_cached(ACTIVE_JOBS)?;
        let active_jobs = stmt
            .query_map([], |r| {
                Ok((names::sqlite(r, 0)?, names::sqlite(r, 1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let audit_entries = conn.query_row(AUDIT_ENTRIES, [], |r| r.get(0))?;
        Ok(StoreGauges {
            open_sessions,
            active_jobs,
            audit_entries,
        })
    }
}

impl GaugeSource for SqliteGauges {
    fn read(&self, now: &str, idle_since: &str) -> anyhow::Result<StoreGauges> {
        let mut guard = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let conn = Connection::open_with_flags(
                &self.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(StoreError::from)?;
            conn.busy_timeout(Duration::from_millis(500))
                .map_err(StoreError::from)?;
            *guard = Some(conn);
        }
        let result = match guard.as_ref() {
            Some(conn) => SqliteGauges::read_with(conn, now, idle_since),
            None => return Ok(StoreGauges::default()),
        };
        if result.is_err() {
            *guard = None;
        }
        Ok(result.map_err(StoreError::from)?)
    }
}

#[derive(Debug)]
struct PgGauges {
    pool: Pool,
}

impl PgGauges {
    fn read_store(&self, now: &str, idle_since: &str) -> Result<StoreGauges, StoreError> {
        let mut c = self.pool.get()?;
        let open_sessions = c.query_one(OPEN_SESSIONS, &[&now, &idle_since])?.get(0);
        let active_jobs = c
            .query(ACTIVE_JOBS, &[])?
            .iter()
            .map(|r| Ok((names::pg(r, 0)?, names::pg(r, 1)?, r.try_get(2)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let audit_entries = c.query_one(AUDIT_ENTRIES, &[])?.get(0);
        Ok(StoreGauges {
            open_sessions,
            active_jobs,
            audit_entries,
        })
    }
}

impl GaugeSource for PgGauges {
    fn read(&self, now: &str, idle_since: &str) -> anyhow::Result<StoreGauges> {
        Ok(self.read_store(now, idle_since)?)
    }
}
