//! [`Store`] on PostgreSQL (15, Debian's package), for installations that
//! run several `padron-server serve` nodes on one database.
//!
//! The `postgres` crate (synchronous, like rusqlite: the store is called
//! from blocking sections) over a small pool of our own ([`pool::Pool`]).
//! Every audited write runs in one transaction that first takes
//! [`WRITE_LOCK`] (`pg_advisory_xact_lock`), the counterpart of SQLite's
//! `BEGIN IMMEDIATE`: audit appends are serialized across every node, so
//! the chain never forks, and the counts some rules depend on (the
//! 10-user limit, the monthly quota, outstanding challenges) are read and
//! acted on with no other writer in between. Reads never wait (MVCC), and
//! the queue's claim and progress do not take the lock: a claim locks only
//! its row (`FOR UPDATE SKIP LOCKED`).

mod auth;
mod cases;
mod jobs;
mod lifecycle;
pub(crate) mod migrations;
mod nodes;
mod people;
mod pool;
mod reader;
mod reports;
mod single;
mod status;
mod tickets;
pub(crate) mod tls;
pub mod transfer;
mod trust;

use padron_shared::Cui;
use postgres::types::ToSql;
use postgres::{GenericClient, Row, Transaction};

use super::{
    Coordinator, Institution, InstitutionCounts, InstitutionStatus, IssuedCertificate, KeyOrigin,
    Store, StoreError, Workstation, WorkstationsSummary,
};
use crate::audit::{AuditEntry, AuditRecord, GENESIS_HASH};
pub use pool::Pool;
pub use reader::PgWorkstationReader;
pub use transfer::migrate_command;

/// The advisory lock every audited write holds until it commits ("PADRON-W").
pub const WRITE_LOCK: i64 = 0x5041_4452_4f4e_2d57;

/// A database URL: `postgresql://` or `postgres://`.
pub fn is_postgres_url(text: &str) -> bool {
    text.starts_with("postgresql://") || text.starts_with("postgres://")
}

#[derive(Debug)]
pub struct PgStore {
    pool: Pool,
}

impl PgStore {
    /// Connects (the password, if any, is in the URL or given apart) and
    /// brings the schema up to date.
    pub fn open(url: &str, password: Option<&str>) -> Result<PgStore, StoreError> {
        let pool = Pool::new(url, password, 16)?;
        {
            let mut client = pool.get()?;
            migrations::migrate(&mut client)?;
        }
        Ok(PgStore { pool })
    }

    /// Connects without touching the schema: the version found and the one
    /// this build knows, and the store only when they are equal (an older
    /// schema would be migrated by [`PgStore::open`], which `doctor` must
    /// not do).
    pub fn inspect(
        url: &str,
        password: Option<&str>,
    ) -> Result<(u32, u32, Option<PgStore>), StoreError> {
        let pool = Pool::new(url, password, 2)?;
        let (found, supported) = {
            let mut client = pool.get()?;
            migrations::versions(&mut client)?
        };
        let store = (found == supported).then_some(PgStore { pool });
        Ok((found, supported, store))
    }

    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Whether the database already holds an installation's records.
    pub fn holds_installation(&self) -> Result<bool, StoreError> {
        self.read(|c| {
            Ok(c.query_one(
                "SELECT EXISTS (SELECT 1 FROM audit_log) OR EXISTS (SELECT 1 FROM institutions)",
                &[],
            )?
            .get(0))
        })
    }

    /// A read outside any transaction.
    pub(super) fn read<T>(
        &self,
        f: impl FnOnce(&mut postgres::Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.pool.get()?;
        f(&mut client)
    }

    /// An audited write: one transaction holding [`WRITE_LOCK`].
    pub(super) fn write<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.pool.get()?;
        let mut tx = client.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// A transaction without the write lock (the queue's claim).
    pub(super) fn transaction<T>(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut client = self.pool.get()?;
        let mut tx = client.transaction()?;
        let out = f(&mut tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// What changes when a workstation is enrolled or revoked (see
    /// `crate::access::enrolled`); `data_version` is a count of every change to
    /// the table, kept by PostgreSQL's statistics of this database.
    pub fn workstations_summary(&self) -> Result<WorkstationsSummary, StoreError> {
        self.read(|c| {
            let r = c.query_one(
                "SELECT count(*), coalesce(max(id), 0), count(revoked_at), count(cert_fingerprint)
                 FROM workstations",
                &[],
            )?;
            Ok(WorkstationsSummary {
                data_version: 0,
                count: r.get(0),
                max_id: r.get(1),
                revoked: r.get(2),
                with_certificate: r.get(3),
            })
        })
    }

    /// Every workstation with a certificate, revoked ones included.
    pub fn workstations_with_certificate(&self) -> Result<Vec<Workstation>, StoreError> {
        self.read(|c| {
            let sql = format!("{WORKSTATION_SELECT} WHERE w.cert_fingerprint IS NOT NULL");
            c.query(&sql, &[])?
                .iter()
                .map(workstation_from_row)
                .collect()
        })
    }
}

pub(super) fn opt_row(
    c: &mut impl GenericClient,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>, StoreError> {
    Ok(c.query_opt(sql, params)?)
}

fn institution_id(tx: &mut impl GenericClient, code: &str) -> Result<i64, StoreError> {
    opt_row(tx, "SELECT id FROM institutions WHERE code = $1", &[&code])?
        .map(|r| r.get(0))
        .ok_or_else(|| StoreError::InstitutionUnknown(code.to_owned()))
}

/// Appends to the chain inside the caller's transaction, which holds
/// [`WRITE_LOCK`]: no other append can read the same head.
pub(super) fn append_audit_in(
    tx: &mut impl GenericClient,
    record: &AuditRecord,
) -> Result<AuditEntry, StoreError> {
    let last = opt_row(
        tx,
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
        &[],
    )?;
    let (seq, prev_hash) = match last {
        Some(r) => (r.get::<_, i64>(0) + 1, r.get::<_, String>(1)),
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
        // With the request's id, when a request caused it (hashed like the
        // rest), as the SQLite store writes it.
        detail: crate::request_id::annotate(&record.detail),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.recompute_hash();
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor, workstation_id, action, subject, outcome, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &entry.seq,
            &entry.at,
            &entry.actor,
            &entry.workstation_id,
            &entry.action,
            &entry.subject,
            &entry.outcome,
            &entry.detail,
            &entry.prev_hash,
            &entry.hash,
        ],
    )?;
    Ok(entry)
}

pub(super) const INSTITUTION_COLUMNS: &str =
    "id, code, name, status, status_cause, status_since, last_query_at, created_at, status_note";

pub(super) fn institution_from_row(r: &Row) -> Result<Institution, StoreError> {
    let status: String = r.get(3);
    let status = InstitutionStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("institution status {status:?}")))?;
    Ok(Institution {
        id: r.get(0),
        code: r.get(1),
        name: r.get(2),
        status,
        status_cause: r.get(4),
        status_since: r.get(5),
        last_query_at: r.get(6),
        created_at: r.get(7),
        status_note: r.get(8),
    })
}

pub(super) fn cui_column(r: &Row, index: usize) -> Result<Cui, StoreError> {
    let text: String = r.get(index);
    Cui::parse(&text).map_err(|e| StoreError::Corrupt(format!("stored CUI {text:?}: {e}")))
}

const COORDINATOR_SELECT: &str = "SELECT c.id, i.code, c.cui, c.full_name, c.active, c.created_at
     FROM coordinators c JOIN institutions i ON i.id = c.institution_id";

fn coordinator_from_row(r: &Row) -> Result<Coordinator, StoreError> {
    Ok(Coordinator {
        id: r.get(0),
        institution_code: r.get(1),
        cui: cui_column(r, 2)?,
        full_name: r.get(3),
        active: r.get(4),
        created_at: r.get(5),
    })
}

const WORKSTATION_SELECT: &str =
    "SELECT w.id, i.code, i.name, w.site, w.cert_serial, w.cert_fingerprint,
            w.cert_pem, w.not_before, w.not_after, w.key_origin, w.enrolled_at, w.revoked_at, i.id
     FROM workstations w JOIN institutions i ON i.id = w.institution_id";

fn workstation_from_row(r: &Row) -> Result<Workstation, StoreError> {
    let text = |i: usize| r.get::<_, Option<String>>(i).unwrap_or_default();
    Ok(Workstation {
        id: r.get(0),
        institution_id: r.get(12),
        institution_code: r.get(1),
        institution_name: r.get(2),
        site: r.get(3),
        certificate: IssuedCertificate {
            serial_hex: text(4),
            fingerprint_hex: text(5),
            pem: text(6),
            not_before: text(7),
            not_after: text(8),
        },
        key_origin: r.get(9),
        enrolled_at: r.get(10),
        revoked_at: r.get(11),
    })
}

/// A `count(*)` as the `u32` the store's types use.
fn count_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Store for PgStore {
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
                 VALUES ($1, $2, 'ACTIVE', $3, $3) ON CONFLICT (code) DO NOTHING",
                &[&code, &name, &at],
            )?;
            if inserted == 0 {
                return Err(StoreError::InstitutionExists(code.to_owned()));
            }
            append_audit_in(tx, audit)?;
            let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE code = $1");
            institution_from_row(&tx.query_one(&sql, &[&code])?)
        })
    }

    fn institutions(&self) -> Result<Vec<Institution>, StoreError> {
        self.read(|c| {
            let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions ORDER BY code");
            c.query(&sql, &[])?
                .iter()
                .map(institution_from_row)
                .collect()
        })
    }

    fn institution(&self, code: &str) -> Result<Option<Institution>, StoreError> {
        self.read(|c| {
            let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE code = $1");
            opt_row(c, &sql, &[&code])?
                .as_ref()
                .map(institution_from_row)
                .transpose()
        })
    }

    fn institution_counts(&self, code: &str) -> Result<InstitutionCounts, StoreError> {
        self.read(|c| {
            let id = institution_id(c, code)?;
            let r = c.query_one(
                "SELECT
                   (SELECT count(*) FROM coordinators WHERE institution_id = $1 AND active),
                   (SELECT count(*) FROM users WHERE institution_id = $1 AND status = 'ACTIVE'
                                                 AND blocked_at IS NULL),
                   (SELECT count(*) FROM workstations WHERE institution_id = $1 AND revoked_at IS NULL),
                   (SELECT count(*) FROM workstations WHERE institution_id = $1 AND revoked_at IS NOT NULL)",
                &[&id],
            )?;
            Ok(InstitutionCounts {
                coordinators: count_u32(r.get(0)),
                active_users: count_u32(r.get(1)),
                workstations: count_u32(r.get(2)),
                revoked_workstations: count_u32(r.get(3)),
            })
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
            let row = opt_row(
                tx,
                "INSERT INTO coordinators (institution_id, cui, full_name, role, active, created_at)
                 VALUES ($1, $2, $3, 'COORDINATOR', TRUE, $4)
                 ON CONFLICT (institution_id, cui) DO NOTHING RETURNING id",
                &[&institution, &cui.to_string(), &full_name, &at],
            )?;
            let Some(row) = row else {
                return Err(StoreError::CoordinatorExists {
                    institution: institution_code.to_owned(),
                    cui,
                });
            };
            let id: i64 = row.get(0);
            append_audit_in(tx, audit)?;
            let sql = format!("{COORDINATOR_SELECT} WHERE c.id = $1");
            coordinator_from_row(&tx.query_one(&sql, &[&id])?)
        })
    }

    fn coordinators(&self, institution_code: Option<&str>) -> Result<Vec<Coordinator>, StoreError> {
        self.read(|c| {
            if let Some(code) = institution_code {
                institution_id(c, code)?;
            }
            let sql = format!(
                "{COORDINATOR_SELECT} WHERE $1::TEXT IS NULL OR i.code = $1 ORDER BY i.code, c.full_name"
            );
            c.query(&sql, &[&institution_code])?
                .iter()
                .map(coordinator_from_row)
                .collect()
        })
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
            let id: i64 = tx
                .query_one(
                    "INSERT INTO workstations (institution_id, site, key_origin, enrolled_at)
                     VALUES ($1, $2, $3, $4) RETURNING id",
                    &[&institution, &site, &key_origin.as_str(), &at],
                )?
                .get(0);
            let cert = issue(id).map_err(StoreError::Issuance)?;
            tx.execute(
                "UPDATE workstations SET cert_serial = $2, cert_fingerprint = $3, cert_pem = $4,
                        not_before = $5, not_after = $6
                 WHERE id = $1",
                &[
                    &id,
                    &cert.serial_hex,
                    &cert.fingerprint_hex,
                    &cert.pem,
                    &cert.not_before,
                    &cert.not_after,
                ],
            )?;
            let mut audit = audit.clone();
            audit.subject = format!("workstation:{id}");
            if let Some(detail) = audit.detail.as_object_mut() {
                detail.insert("workstation_id".into(), id.into());
                detail.insert("certificate_serial".into(), cert.serial_hex.clone().into());
            }
            append_audit_in(tx, &audit)?;
            let sql = format!("{WORKSTATION_SELECT} WHERE w.id = $1");
            workstation_from_row(&tx.query_one(&sql, &[&id])?)
        })
    }

    fn workstations(&self) -> Result<Vec<Workstation>, StoreError> {
        self.read(|c| {
            let sql = format!("{WORKSTATION_SELECT} ORDER BY w.id");
            c.query(&sql, &[])?
                .iter()
                .map(workstation_from_row)
                .collect()
        })
    }

    fn workstation(&self, id: i64) -> Result<Option<Workstation>, StoreError> {
        self.read(|c| {
            let sql = format!("{WORKSTATION_SELECT} WHERE w.id = $1");
            opt_row(c, &sql, &[&id])?
                .as_ref()
                .map(workstation_from_row)
                .transpose()
        })
    }

    fn workstation_by_fingerprint(
        &self,
        fingerprint_hex: &str,
    ) -> Result<Option<Workstation>, StoreError> {
        self.read(|c| {
            let sql = format!("{WORKSTATION_SELECT} WHERE w.cert_fingerprint = $1");
            opt_row(c, &sql, &[&fingerprint_hex])?
                .as_ref()
                .map(workstation_from_row)
                .transpose()
        })
    }

    fn revoke_workstation(
        &self,
        id: i64,
        reason: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Workstation, StoreError> {
        self.write(|tx| {
            let revoked_at = opt_row(
                tx,
                "SELECT revoked_at FROM workstations WHERE id = $1",
                &[&id],
            )?
            .map(|r| r.get::<_, Option<String>>(0));
            match revoked_at {
                None => return Err(StoreError::WorkstationNotFound(id)),
                Some(Some(_)) => return Err(StoreError::WorkstationAlreadyRevoked(id)),
                Some(None) => {}
            }
            tx.execute(
                "UPDATE workstations SET revoked_at = $2, revoke_reason = $3 WHERE id = $1",
                &[&id, &at, &reason],
            )?;
            append_audit_in(tx, audit)?;
            let sql = format!("{WORKSTATION_SELECT} WHERE w.id = $1");
            workstation_from_row(&tx.query_one(&sql, &[&id])?)
        })
    }

    fn append_audit(&self, audit: &AuditRecord) -> Result<AuditEntry, StoreError> {
        self.write(|tx| append_audit_in(tx, audit))
    }

    fn audit_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|c| {
            let rows = c.query(
                "SELECT seq, at, actor, workstation_id, action, subject, outcome, detail, prev_hash, hash
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after_seq, &i64::from(limit)],
            )?;
            Ok(rows
                .iter()
                .map(|r| AuditEntry {
                    seq: r.get(0),
                    at: r.get(1),
                    actor: r.get(2),
                    workstation_id: r.get(3),
                    action: r.get(4),
                    subject: r.get(5),
                    outcome: r.get(6),
                    detail: r.get(7),
                    prev_hash: r.get(8),
                    hash: r.get(9),
                })
                .collect())
        })
    }

    fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| {
            c.query_one("SELECT count(*) FROM institutions", &[])?;
            Ok(())
        })
    }
}
