//! [`Store`] on an embedded SQLite database (rusqlite, bundled).
//!
//! WAL mode lets the admin CLI write while `serve` reads the same file;
//! `synchronous = FULL` because an acknowledged action (an upload, a
//! revocation) must survive a power cut. Writers take the lock up front
//! (`BEGIN IMMEDIATE`) so two processes never fork the audit chain.

mod auth;
mod cases;
mod jobs;
mod lifecycle;
mod nodes;
mod people;
mod reports;
mod single;
mod status;
mod tickets;
mod trust;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use padron_shared::Cui;
use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior, params,
};

use crate::audit::{AuditEntry, AuditRecord, GENESIS_HASH};
use crate::store::migrations::migrate;
use crate::store::{
    Coordinator, Institution, InstitutionCounts, InstitutionStatus, IssuedCertificate, KeyOrigin,
    Store, StoreError, Workstation,
};

/// One writer connection (SQLite allows one writer at a time anyway) and a
/// few read-only ones. Reads never queue behind a write's fsync: in WAL mode
/// a reader sees the last commit while a writer works, so a status poll is
/// not delayed by an upload being acknowledged or a job's progress.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

/// Read-only connections opened beside the writer: enough for the two
/// cores' request threads and the job runner to read at once.
const READERS: usize = 4;
/// Prepared statements kept per connection: every hot path's, with room.
const STATEMENT_CACHE: usize = 64;
/// Page cache per connection, KiB. SQLite's default (2 MiB) on each of the
/// five connections filled for a quarter of an hour of load as the store
/// grew, so the server's resident size rose by about 1 MiB a minute; 512 KiB
/// holds what the hot paths read (sessions, workstations, the newest jobs
/// and their indexes) and is full within the warm-up. The rest stays in the
/// kernel's file cache, one `pread` away.
const PAGE_CACHE_KIB: u32 = 512;

impl SqliteStore {
    /// Opens (creating if asked) the database and brings its schema up to date.
    pub fn open(path: &Path, create: bool) -> Result<SqliteStore, StoreError> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let mut conn = Connection::open_with_flags(path, flags)?;
        Self::configure_writer(&conn)?;
        migrate(&mut conn)?;
        // Opened after the migrations, so every reader sees today's schema.
        let readers = (0..READERS)
            .map(|_| Self::open_reader(path).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    fn open_reader(path: &Path) -> Result<Connection, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::configure_connection(&conn)?;
        Ok(conn)
    }

    /// A private in-memory database, for unit tests.
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let mut conn = Connection::open_in_memory()?;
        Self::configure_writer(&conn)?;
        migrate(&mut conn)?;
        // A private in-memory database has no second connection: reads go
        // through the writer.
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
        })
    }

    /// What every connection, writer or reader, is given: the lock wait and
    /// the bounded caches.
    fn configure_connection(conn: &Connection) -> Result<(), StoreError> {
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // A negative cache_size is in KiB rather than pages.
        conn.execute_batch(&format!("PRAGMA cache_size = -{PAGE_CACHE_KIB}"))?;
        Ok(())
    }

    fn configure_writer(conn: &Connection) -> Result<(), StoreError> {
        Self::configure_connection(conn)?;
        // journal_mode answers with a row, so it is read rather than executed.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
        Ok(())
    }

    /// The writer connection, for statements that change the database.
    pub(super) fn lock(&self) -> TimedConnection<'_> {
        timed(&self.conn)
    }

    /// A connection inside a read transaction, so that the several
    /// statements of one read see one snapshot; it ends (nothing to keep)
    /// when the value is dropped.
    pub(super) fn read(&self) -> Result<ReadConnection<'_>, StoreError> {
        let conn = if self.readers.is_empty() {
            self.lock()
        } else {
            let n = self.readers.len();
            let start = self.next_reader.fetch_add(1, Ordering::Relaxed) % n;
            // A free reader if there is one, else wait for the next in turn.
            (0..n)
                .find_map(|i| self.readers[(start + i) % n].try_lock().ok())
                .map(|guard| {
                    metrics::histogram!(crate::metrics::names::DATABASE_WAIT).record(0.0);
                    TimedConnection {
                        guard,
                        got: std::time::Instant::now(),
                    }
                })
                .unwrap_or_else(|| timed(&self.readers[start]))
        };
        // Cached statements: parsing SQL was a tenth of a status poll's CPU.
        conn.prepare_cached("BEGIN DEFERRED")?.execute([])?;
        Ok(ReadConnection { conn })
    }

    pub(super) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

fn timed(mutex: &Mutex<Connection>) -> TimedConnection<'_> {
    // A panic while holding the lock cannot leave SQLite inconsistent
    // (the transaction rolls back on drop), so a poisoned lock is usable.
    let asked = std::time::Instant::now();
    let guard = mutex.lock().unwrap_or_else(|p| p.into_inner());
    let got = std::time::Instant::now();
    metrics::histogram!(crate::metrics::names::DATABASE_WAIT)
        .record(got.duration_since(asked).as_secs_f64());
    TimedConnection { guard, got }
}

/// A connection inside a read transaction (see [`SqliteStore::read`]).
pub(super) struct ReadConnection<'a> {
    conn: TimedConnection<'a>,
}

impl std::ops::Deref for ReadConnection<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

impl Drop for ReadConnection<'_> {
    fn drop(&mut self) {
        // Nothing was written: ending the transaction either way releases
        // the snapshot. A failure here means the transaction is gone already.
        if let Ok(mut rollback) = self.conn.prepare_cached("ROLLBACK") {
            let _ = rollback.execute([]);
        }
    }
}

/// The store's connection while an operation holds it; the time it was
/// waited for and held is the database latency of the metrics.
pub(super) struct TimedConnection<'a> {
    guard: MutexGuard<'a, Connection>,
    got: std::time::Instant,
}

impl std::ops::Deref for TimedConnection<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.guard
    }
}

impl std::ops::DerefMut for TimedConnection<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.guard
    }
}

impl Drop for TimedConnection<'_> {
    fn drop(&mut self) {
        metrics::histogram!(crate::metrics::names::DATABASE_HELD)
            .record(self.got.elapsed().as_secs_f64());
    }
}

fn institution_id(tx: &Connection, code: &str) -> Result<i64, StoreError> {
    tx.query_row("SELECT id FROM institutions WHERE code = ?1", [code], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| StoreError::InstitutionUnknown(code.to_owned()))
}

/// Appends to the chain inside the caller's transaction.
pub(super) fn append_audit_in(
    tx: &Connection,
    record: &AuditRecord,
) -> Result<AuditEntry, StoreError> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut entry = AuditEntry {
        seq,
        at: record.at.clone(),
        actor: record.actor.clone(),
        workstation_id: record.workstation_id,
        action: record.action.clone(),
        subject: record.subject.clone(),
        outcome: record.outcome.clone(),
        // With the request's id, when a request caused it (hashed like the rest).
        detail: crate::request_id::annotate(&record.detail),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.recompute_hash();
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor, workstation_id, action, subject, outcome, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            entry.seq,
            entry.at,
            entry.actor,
            entry.workstation_id,
            entry.action,
            entry.subject,
            entry.outcome,
            entry.detail,
            entry.prev_hash,
            entry.hash
        ],
    )?;
    Ok(entry)
}

pub(super) const INSTITUTION_COLUMNS: &str =
    "id, code, name, status, status_cause, status_since, last_query_at, created_at, status_note";

pub(super) fn institution_from_row(r: &Row<'_>) -> rusqlite::Result<Institution> {
    let status: String = r.get(3)?;
    let status = InstitutionStatus::parse(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, status.into())
    })?;
    Ok(Institution {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        status,
        status_cause: r.get(4)?,
        status_since: r.get(5)?,
        last_query_at: r.get(6)?,
        created_at: r.get(7)?,
        status_note: r.get(8)?,
    })
}

pub(super) fn cui_column(r: &Row<'_>, index: usize) -> rusqlite::Result<Cui> {
    let text: String = r.get(index)?;
    Cui::parse(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    })
}

const COORDINATOR_SELECT: &str = "SELECT c.id, i.code, c.cui, c.full_name, c.active, c.created_at
     FROM coordinators c JOIN institutions i ON i.id = c.institution_id";

fn coordinator_from_row(r: &Row<'_>) -> rusqlite::Result<Coordinator> {
    Ok(Coordinator {
        id: r.get(0)?,
        institution_code: r.get(1)?,
        cui: cui_column(r, 2)?,
        full_name: r.get(3)?,
        active: r.get(4)?,
        created_at: r.get(5)?,
    })
}

const WORKSTATION_SELECT: &str =
    "SELECT w.id, i.code, i.name, w.site, w.cert_serial, w.cert_fingerprint,
            w.cert_pem, w.not_before, w.not_after, w.key_origin, w.enrolled_at, w.revoked_at, i.id
     FROM workstations w JOIN institutions i ON i.id = w.institution_id";

fn workstation_from_row(r: &Row<'_>) -> rusqlite::Result<Workstation> {
    Ok(Workstation {
        id: r.get(0)?,
        institution_id: r.get(12)?,
        institution_code: r.get(1)?,
        institution_name: r.get(2)?,
        site: r.get(3)?,
        certificate: IssuedCertificate {
            serial_hex: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            fingerprint_hex: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
            pem: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            not_before: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
            not_after: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
        },
        key_origin: r.get(9)?,
        enrolled_at: r.get(10)?,
        revoked_at: r.get(11)?,
    })
}

pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        // A text primary key (user_requests.id) reports PRIMARYKEY, not UNIQUE.
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

impl Store for SqliteStore {
    fn add_institution(
        &self,
        code: &str,
        name: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Institution, StoreError> {
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT INTO institutions (code, name, status, status_since, created_at)
                 VALUES (?1, ?2, 'ACTIVE', ?3, ?3)",
                params![code, name, at],
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::InstitutionExists(code.to_owned()));
                }
                other => other?,
            };
            append_audit_in(tx, audit)?;
            let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE code = ?1");
            Ok(tx.query_row(&sql, [code], institution_from_row)?)
        })
    }

    fn institutions(&self) -> Result<Vec<Institution>, StoreError> {
        let conn = self.read()?;
        let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions ORDER BY code");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([], institution_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn institution(&self, code: &str) -> Result<Option<Institution>, StoreError> {
        let conn = self.read()?;
        let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE code = ?1");
        Ok(conn
            .query_row(&sql, [code], institution_from_row)
            .optional()?)
    }

    fn institution_counts(&self, code: &str) -> Result<InstitutionCounts, StoreError> {
        let conn = self.read()?;
        let id = institution_id(&conn, code)?;
        let count =
            |sql: &str| -> Result<u32, StoreError> { Ok(conn.query_row(sql, [id], |r| r.get(0))?) };
        Ok(InstitutionCounts {
            coordinators: count(
                "SELECT count(*) FROM coordinators WHERE institution_id = ?1 AND active = 1",
            )?,
            active_users: count(
                "SELECT count(*) FROM users WHERE institution_id = ?1 AND status = 'ACTIVE' AND blocked_at IS NULL",
            )?,
            workstations: count(
                "SELECT count(*) FROM workstations WHERE institution_id = ?1 AND revoked_at IS NULL",
            )?,
            revoked_workstations: count(
                "SELECT count(*) FROM workstations WHERE institution_id = ?1 AND revoked_at IS NOT NULL",
            )?,
        })
    }

    fn add_coordinator(
        &self,
        institution_code: &str,
        cui: Cui,
        full_name: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Coordinator, StoreError> {
        self.write(|tx| {
            let institution = institution_id(tx, institution_code)?;
            let inserted = tx.execute(
                "INSERT INTO coordinators (institution_id, cui, full_name, role, active, created_at)
                 VALUES (?1, ?2, ?3, 'COORDINATOR', 1, ?4)",
                params![institution, cui.to_string(), full_name, at],
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::CoordinatorExists {
                        institution: institution_code.to_owned(),
                        cui,
                    });
                }
                other => other?,
            };
            let id = tx.last_insert_rowid();
            append_audit_in(tx, audit)?;
            let sql = format!("{COORDINATOR_SELECT} WHERE c.id = ?1");
            Ok(tx.query_row(&sql, [id], coordinator_from_row)?)
        })
    }

    fn coordinators(&self, institution_code: Option<&str>) -> Result<Vec<Coordinator>, StoreError> {
        let conn = self.read()?;
        if let Some(code) = institution_code {
            institution_id(&conn, code)?;
        }
        let sql = format!(
            "{COORDINATOR_SELECT} WHERE ?1 IS NULL OR i.code = ?1 ORDER BY i.code, c.full_name"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([institution_code], coordinator_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn enroll_workstation(
        &self,
        institution_code: &str,
        site: &str,
        key_origin: KeyOrigin,
        at: &str,
        audit: &AuditRecord,
        issue: &mut dyn FnMut(i64) -> Result<IssuedCertificate, String>,
    ) -> Result<Workstation, StoreError> {
        self.write(|tx| {
            let institution = institution_id(tx, institution_code)?;
            tx.execute(
                "INSERT INTO workstations (institution_id, site, key_origin, enrolled_at) VALUES (?1, ?2, ?3, ?4)",
                params![institution, site, key_origin.as_str(), at],
            )?;
            let id = tx.last_insert_rowid();
            let cert = issue(id).map_err(StoreError::Issuance)?;
            tx.execute(
                "UPDATE workstations SET cert_serial = ?2, cert_fingerprint = ?3, cert_pem = ?4,
                        not_before = ?5, not_after = ?6
                 WHERE id = ?1",
                params![id, cert.serial_hex, cert.fingerprint_hex, cert.pem, cert.not_before, cert.not_after],
            )?;
            let mut audit = audit.clone();
            audit.subject = format!("workstation:{id}");
            if let Some(detail) = audit.detail.as_object_mut() {
                detail.insert("workstation_id".into(), id.into());
                detail.insert("certificate_serial".into(), cert.serial_hex.clone().into());
            }
            append_audit_in(tx, &audit)?;
            let sql = format!("{WORKSTATION_SELECT} WHERE w.id = ?1");
            Ok(tx.query_row(&sql, [id], workstation_from_row)?)
        })
    }

    fn workstations(&self) -> Result<Vec<Workstation>, StoreError> {
        let conn = self.read()?;
        let sql = format!("{WORKSTATION_SELECT} ORDER BY w.id");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([], workstation_from_row)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn workstation(&self, id: i64) -> Result<Option<Workstation>, StoreError> {
        let conn = self.read()?;
        let sql = format!("{WORKSTATION_SELECT} WHERE w.id = ?1");
        Ok(conn
            .query_row(&sql, [id], workstation_from_row)
            .optional()?)
    }

    fn workstation_by_fingerprint(
        &self,
        fingerprint_hex: &str,
    ) -> Result<Option<Workstation>, StoreError> {
        let conn = self.read()?;
        let sql = format!("{WORKSTATION_SELECT} WHERE w.cert_fingerprint = ?1");
        Ok(conn
            .query_row(&sql, [fingerprint_hex], workstation_from_row)
            .optional()?)
    }

    fn revoke_workstation(
        &self,
        id: i64,
        reason: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Workstation, StoreError> {
        self.write(|tx| {
            let revoked_at: Option<Option<String>> = tx
                .query_row(
                    "SELECT revoked_at FROM workstations WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()?;
            match revoked_at {
                None => return Err(StoreError::WorkstationNotFound(id)),
                Some(Some(_)) => return Err(StoreError::WorkstationAlreadyRevoked(id)),
                Some(None) => {}
            }
            tx.execute(
                "UPDATE workstations SET revoked_at = ?2, revoke_reason = ?3 WHERE id = ?1",
                params![id, at, reason],
            )?;
            append_audit_in(tx, audit)?;
            let sql = format!("{WORKSTATION_SELECT} WHERE w.id = ?1");
            Ok(tx.query_row(&sql, [id], workstation_from_row)?)
        })
    }

    fn append_audit(&self, audit: &AuditRecord) -> Result<AuditEntry, StoreError> {
        self.write(|tx| append_audit_in(tx, audit))
    }

    fn audit_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
            "SELECT seq, at, actor, workstation_id, action, subject, outcome, detail, prev_hash, hash
             FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt
            .query_map(params![after_seq, limit], |r| {
                Ok(AuditEntry {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    workstation_id: r.get(3)?,
                    action: r.get(4)?,
                    subject: r.get(5)?,
                    outcome: r.get(6)?,
                    detail: r.get(7)?,
                    prev_hash: r.get(8)?,
                    hash: r.get(9)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    fn ping(&self) -> Result<(), StoreError> {
        let conn = self.read()?;
        let _: i64 = conn.query_row("SELECT count(*) FROM institutions", [], |r| r.get(0))?;
        Ok(())
    }
}

/// A read-only connection of its own for the in-memory list of enrolled
/// workstations (`crate::access::enrolled`). It never waits on a lock: in WAL mode
/// a reader does not wait for writers, and its busy timeout is zero, so a
/// rare `SQLITE_BUSY` comes back at once and the caller keeps what it has.
#[derive(Debug)]
pub struct WorkstationReader {
    conn: Mutex<Connection>,
}

/// What changes when a workstation is enrolled or revoked: cheap to read
/// on every check, unlike the whole list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkstationsSummary {
    pub data_version: i64,
    pub count: i64,
    pub max_id: i64,
    pub revoked: i64,
    pub with_certificate: i64,
}

impl WorkstationReader {
    pub fn open(path: &Path) -> Result<WorkstationReader, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::ZERO)?;
        Ok(WorkstationReader {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `PRAGMA data_version` changes whenever another connection (of this
    /// process or another) commits; the counts say whether it was a
    /// workstation change.
    pub fn summary(&self) -> Result<WorkstationsSummary, StoreError> {
        let conn = self.lock();
        let data_version: i64 = conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?;
        let (count, max_id, revoked, with_certificate) = conn.prepare_cached(
            "SELECT count(*), coalesce(max(id), 0), count(revoked_at), count(cert_fingerprint) FROM workstations",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(WorkstationsSummary {
            data_version,
            count,
            max_id,
            revoked,
            with_certificate,
        })
    }

    /// `PRAGMA data_version` alone: the cheapest "anything changed?".
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .lock()
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?)
    }

    /// Every workstation with a certificate, revoked ones included.
    pub fn workstations(&self) -> Result<Vec<Workstation>, StoreError> {
        let conn = self.lock();
        let sql = format!("{WORKSTATION_SELECT} WHERE w.cert_fingerprint IS NOT NULL");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([], workstation_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    /// A read must not queue behind a write in progress (its fsync was the
    /// tail latency of status polls under load).
    #[test]
    fn a_read_goes_on_while_a_write_holds_the_writer() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = std::sync::Arc::new(
            SqliteStore::open(&dir.path().join("padron.db"), true).expect("store"),
        );
        let (started, wait_started) = mpsc::channel();
        let (release, wait_release) = mpsc::channel::<()>();
        let writer = {
            let store = store.clone();
            std::thread::spawn(move || {
                store
                    .write(|tx| {
                        tx.execute_batch("CREATE TABLE held (x INTEGER)")?;
                        started.send(()).expect("main thread waits");
                        // Held until the main thread has read.
                        let _ = wait_release.recv_timeout(Duration::from_secs(30));
                        Ok(())
                    })
                    .expect("write")
            })
        };
        wait_started.recv().expect("writer started");
        let (done, wait_done) = mpsc::channel();
        {
            let store = store.clone();
            std::thread::spawn(move || {
                let _ = done.send(store.institutions().map(|v| v.len()));
            });
        }
        let read = wait_done.recv_timeout(Duration::from_secs(5));
        release.send(()).expect("writer waits");
        writer.join().expect("writer thread");
        assert_eq!(
            read.expect("the read finished while the write was open")
                .expect("read"),
            0
        );
    }

    /// Reader connections cannot write: a write sent down the read path by
    /// mistake fails instead of bypassing the writer's lock.
    #[test]
    fn the_read_path_refuses_writes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("padron.db"), true).expect("store");
        let conn = store.read().expect("reader");
        assert!(conn.execute_batch("CREATE TABLE nope (x INTEGER)").is_err());
    }

    /// Every connection's page cache is bounded: SQLite's default on each
    /// of five connections was the server's resident size creeping up for a
    /// quarter of an hour under load.
    #[test]
    fn every_connection_has_the_bounded_page_cache() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("padron.db"), true).expect("store");
        let expected = -i64::from(PAGE_CACHE_KIB);
        let writer: i64 = store
            .lock()
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .expect("writer");
        assert_eq!(writer, expected);
        for reader in &store.readers {
            let got: i64 = reader
                .lock()
                .expect("reader")
                .query_row("PRAGMA cache_size", [], |r| r.get(0))
                .expect("reader");
            assert_eq!(got, expected);
        }
        assert_eq!(store.readers.len(), READERS);
    }
}
