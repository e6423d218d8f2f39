//! [`SingleQueryStore`] on SQLite.

use padron_shared::queries::JobCounts;
use rusqlite::params;

use super::append_audit_in;
use super::jobs::{JOB_COLUMNS, job_from_row};
use crate::audit::AuditRecord;
use crate::store::jobs::{JobRow, MonthlyQuota, NewJob};
use crate::store::single::SingleQueryStore;
use crate::store::{SqliteStore, StoreError};

impl SingleQueryStore for SqliteStore {
    fn record_one_query(
        &self,
        job: &NewJob,
        counts: &JobCounts,
        quota: Option<&MonthlyQuota>,
        audit: &AuditRecord,
    ) -> Result<JobRow, StoreError> {
        let counts = crate::store::names::counts_text(counts)?;
        self.write(|tx| {
            if let Some(q) = quota {
                let used: i64 = tx.query_row(
                    "SELECT coalesce(sum(rows), 0) FROM query_jobs
                     WHERE institution_id = ?1 AND state != 'FAILED' AND created_at >= ?2 AND created_at < ?3",
                    params![job.institution_id, q.from, q.to],
                    |r| r.get(0),
                )?;
                if used + job.rows > q.limit {
                    return Err(StoreError::QuotaExceeded {
                        remaining: (q.limit - used).max(0),
                    });
                }
            }
            tx.execute(
                "INSERT INTO query_jobs (id, institution_id, user_cui, workstation_id, file_name, mode, rows,
                                         upload_sha256, created_at, programmes, state, progress_done, counts,
                                         started_at, finished_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'DONE', ?7, ?11, ?9, ?9)",
                params![
                    job.id,
                    job.institution_id,
                    job.user_cui,
                    job.workstation_id,
                    job.file_name,
                    job.mode.as_str(),
                    job.rows,
                    job.upload_sha256,
                    job.created_at,
                    job.programmes,
                    counts
                ],
            )?;
            tx.execute(
                "UPDATE institutions SET last_query_at = ?2 WHERE id = ?1",
                params![job.institution_id, job.created_at],
            )?;
            append_audit_in(tx, audit)?;
            let sql = format!("SELECT {JOB_COLUMNS} FROM query_jobs WHERE id = ?1");
            Ok(tx.query_row(&sql, [&job.id], job_from_row)?)
        })
    }
}
