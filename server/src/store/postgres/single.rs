//! [`SingleQueryStore`] on PostgreSQL: the quota is counted and the
//! finished one-row job inserted in one transaction under the write lock,
//! as [`enqueue`](crate::store::JobStore::enqueue) does.

use padron_shared::queries::JobCounts;

use super::jobs::{JOB_COLUMNS, job_from_row, used_in};
use super::{PgStore, append_audit_in};
use crate::audit::AuditRecord;
use crate::store::StoreError;
use crate::store::jobs::{JobRow, MonthlyQuota, NewJob};
use crate::store::single::SingleQueryStore;

impl SingleQueryStore for PgStore {
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
                let used = used_in(tx, job.institution_id, &q.from, &q.to)?;
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
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'DONE', $7, $11, $9, $9)",
                &[
                    &job.id,
                    &job.institution_id,
                    &job.user_cui,
                    &job.workstation_id,
                    &job.file_name,
                    &job.mode.as_str(),
                    &job.rows,
                    &job.upload_sha256,
                    &job.created_at,
                    &job.programmes,
                    &counts,
                ],
            )?;
            tx.execute(
                "UPDATE institutions SET last_query_at = $2 WHERE id = $1",
                &[&job.institution_id, &job.created_at],
            )?;
            append_audit_in(tx, audit)?;
            let sql = format!("SELECT {JOB_COLUMNS} FROM query_jobs WHERE id = $1");
            job_from_row(&tx.query_one(&sql, &[&job.id])?)
        })
    }
}
