//! The enrolled-workstations reader (`crate::access::enrolled`) on PostgreSQL: a
//! connection of its own, so a check never waits for the store's pool.
//! PostgreSQL readers never wait on writers, so the zero-wait promise of
//! the SQLite reader holds; a database that does not answer within
//! `statement_timeout` is an error, and the list fails closed after
//! `enrolled::STALE_AFTER`.

use std::sync::atomic::{AtomicI64, Ordering};

use super::{Pool, WORKSTATION_SELECT, workstation_from_row};
use crate::store::{StoreError, Workstation, WorkstationSource, WorkstationsSummary};

#[derive(Debug)]
pub struct PgWorkstationReader {
    pool: Pool,
    checks: AtomicI64,
}

impl PgWorkstationReader {
    pub fn open(url: &str, password: Option<&str>) -> Result<PgWorkstationReader, StoreError> {
        Ok(PgWorkstationReader {
            pool: Pool::new(url, password, 1)?,
            checks: AtomicI64::new(0),
        })
    }
}

impl WorkstationSource for PgWorkstationReader {
    /// PostgreSQL has no `data_version`: every check reads the summary
    /// (one small query), so this number changes on every call.
    fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self.checks.fetch_add(1, Ordering::Relaxed))
    }

    fn summary(&self) -> Result<WorkstationsSummary, StoreError> {
        let mut c = self.pool.get()?;
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
    }

    fn workstations(&self) -> Result<Vec<Workstation>, StoreError> {
        let mut c = self.pool.get()?;
        let sql = format!("{WORKSTATION_SELECT} WHERE w.cert_fingerprint IS NOT NULL");
        c.query(&sql, &[])?
            .iter()
            .map(workstation_from_row)
            .collect()
    }
}
