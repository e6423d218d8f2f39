//! [`JobStore`] on PostgreSQL: one FIFO queue for every node.
//!
//! `seq` is an identity taken inside the write-locked transaction that
//! acknowledges the upload, so its order is the order of acknowledgement
//! across nodes. A claim takes the first job in `seq` order that is
//! waiting, or running under a lapsed lease or for a worker known dead,
//! and skips rows another node is claiming at that moment (`FOR UPDATE
//! SKIP LOCKED`); a job running under a live lease elsewhere is passed
//! over, so each node's worker takes the next one.

use padron_shared::queries::{JobCounts, JobState};
use postgres::{GenericClient, Row};

use super::{PgStore, append_audit_in, opt_row};
use crate::audit::AuditRecord;
use crate::store::jobs::{JobPage, JobRow, JobStore, MonthlyQuota, NewJob};
use crate::store::{StoreError, names};

pub(super) const JOB_COLUMNS: &str =
    "seq, id, institution_id, user_cui, workstation_id, file_name, mode, rows, state,
    progress_done, counts, fail_code, attempts, worker, created_at, started_at, finished_at, programmes,
    registry_version";

pub(super) fn job_from_row(r: &Row) -> Result<JobRow, StoreError> {
    Ok(JobRow {
        seq: r.get(0),
        id: r.get(1),
        institution_id: r.get(2),
        user_cui: r.get(3),
        workstation_id: r.get(4),
        file_name: r.get(5),
        mode: names::pg(r, 6)?,
        rows: r.get(7),
        state: names::pg(r, 8)?,
        progress_done: r.get(9),
        counts: names::pg_counts(r, 10)?,
        fail_code: r.get(11),
        attempts: r.get(12),
        worker: r.get(13),
        created_at: r.get(14),
        started_at: r.get(15),
        finished_at: r.get(16),
        programmes: r.get(17),
        registry_version: r.get(18),
    })
}

pub(super) fn used_in(
    c: &mut impl GenericClient,
    institution_id: i64,
    from: &str,
    to: &str,
) -> Result<i64, StoreError> {
    // sum(bigint) is numeric in PostgreSQL: cast back.
    Ok(c.query_one(
        "SELECT coalesce(sum(rows), 0)::BIGINT FROM query_jobs
         WHERE institution_id = $1 AND state != 'FAILED' AND created_at >= $2 AND created_at < $3",
        &[&institution_id, &from, &to],
    )?
    .get(0))
}

fn job_by_id(c: &mut impl GenericClient, id: &str) -> Result<Option<JobRow>, StoreError> {
    let sql = format!("SELECT {JOB_COLUMNS} FROM query_jobs WHERE id = $1");
    opt_row(c, &sql, &[&id])?
        .as_ref()
        .map(job_from_row)
        .transpose()
}

impl JobStore for PgStore {
    fn enqueue(
        &self,
        job: &NewJob,
        quota: Option<&MonthlyQuota>,
        audit: &AuditRecord,
    ) -> Result<JobRow, StoreError> {
        self.write(|tx| {
            // Under the write lock: no other upload is counted in between.
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
                                         upload_sha256, created_at, programmes)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
                ],
            )?;
            append_audit_in(tx, audit)?;
            job_by_id(tx, &job.id)?
                .ok_or_else(|| StoreError::Corrupt(format!("job {} vanished", job.id)))
        })
    }

    fn rows_used(&self, institution_id: i64, from: &str, to: &str) -> Result<i64, StoreError> {
        self.read(|c| used_in(c, institution_id, from, to))
    }

    fn job(&self, id: &str) -> Result<Option<JobRow>, StoreError> {
        self.read(|c| job_by_id(c, id))
    }

    fn jobs(
        &self,
        institution_id: i64,
        user_cui: Option<&str>,
        page: JobPage,
    ) -> Result<Vec<JobRow>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {JOB_COLUMNS} FROM query_jobs
                 WHERE institution_id = $1 AND ($2::TEXT IS NULL OR user_cui = $2)
                 AND ($3::BIGINT IS NULL OR seq < $3) ORDER BY seq DESC LIMIT $4"
            );
            let limit = i64::from(page.limit);
            c.query(&sql, &[&institution_id, &user_cui, &page.before, &limit])?
                .iter()
                .map(job_from_row)
                .collect()
        })
    }

    fn jobs_ahead(&self, seq: i64) -> Result<i64, StoreError> {
        self.read(|c| {
            Ok(c.query_one(
                "SELECT count(*) FROM query_jobs WHERE seq < $1 AND state IN ('QUEUED', 'RUNNING')",
                &[&seq],
            )?
            .get(0))
        })
    }

    fn claim_next(
        &self,
        worker: &str,
        now: &str,
        lease_until: &str,
        is_dead: &dyn Fn(&str) -> bool,
    ) -> Result<Option<JobRow>, StoreError> {
        self.transaction(|tx| {
            // Jobs under a live lease whose worker this host knows is gone
            // (a restarted node) need not wait for the lease to lapse.
            let dead: Vec<String> = tx
                .query(
                    "SELECT id, worker FROM query_jobs
                     WHERE state = 'RUNNING' AND lease_until >= $1 AND worker IS NOT NULL AND worker <> $2",
                    &[&now, &worker],
                )?
                .iter()
                .filter(|r| is_dead(r.get::<_, &str>(1)))
                .map(|r| r.get(0))
                .collect();
            let head = opt_row(
                tx,
                "SELECT id, state, worker FROM query_jobs
                 WHERE state = 'QUEUED'
                    OR (state = 'RUNNING' AND worker IS DISTINCT FROM $2
                        AND (lease_until IS NULL OR lease_until < $1 OR id = ANY($3)))
                 ORDER BY seq LIMIT 1
                 FOR UPDATE SKIP LOCKED",
                &[&now, &worker, &dead],
            )?;
            let Some(head) = head else {
                return Ok(None);
            };
            let (id, state): (String, JobState) = (head.get(0), names::pg(&head, 1)?);
            if state == JobState::Running {
                let previous: Option<String> = head.get(2);
                tracing::warn!(job = %id, previous = ?previous, "resuming a job left by a stopped worker");
            }
            tx.execute(
                "UPDATE query_jobs SET state = 'RUNNING', worker = $2, lease_until = $3, attempts = attempts + 1,
                        progress_done = 0, started_at = $4
                 WHERE id = $1",
                &[&id, &worker, &lease_until, &now],
            )?;
            job_by_id(tx, &id)
        })
    }

    fn job_progress(
        &self,
        id: &str,
        worker: &str,
        done: i64,
        lease_until: &str,
    ) -> Result<bool, StoreError> {
        self.read(|c| {
            let n = c.execute(
                "UPDATE query_jobs SET progress_done = $3, lease_until = $4
                 WHERE id = $1 AND worker = $2 AND state = 'RUNNING'",
                &[&id, &worker, &done, &lease_until],
            )?;
            Ok(n == 1)
        })
    }

    fn job_done(
        &self,
        id: &str,
        worker: &str,
        counts: &JobCounts,
        now: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let counts = names::counts_text(counts)?;
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE query_jobs SET state = 'DONE', progress_done = rows, counts = $3, finished_at = $4,
                        lease_until = NULL
                 WHERE id = $1 AND worker = $2 AND state = 'RUNNING'",
                &[&id, &worker, &counts, &now],
            )?;
            if n == 1 {
                tx.execute(
                    "UPDATE institutions SET last_query_at = $2
                     WHERE id = (SELECT institution_id FROM query_jobs WHERE id = $1)",
                    &[&id, &now],
                )?;
                append_audit_in(tx, audit)?;
            }
            Ok(n == 1)
        })
    }

    fn job_failed(
        &self,
        id: &str,
        worker: &str,
        code: &str,
        now: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE query_jobs SET state = 'FAILED', fail_code = $3, finished_at = $4, lease_until = NULL
                 WHERE id = $1 AND worker = $2 AND state = 'RUNNING'",
                &[&id, &worker, &code, &now],
            )?;
            if n == 1 {
                append_audit_in(tx, audit)?;
            }
            Ok(n == 1)
        })
    }

    fn expire_jobs(&self, cutoff: &str) -> Result<Vec<String>, StoreError> {
        self.write(|tx| {
            Ok(tx
                .query(
                    "UPDATE query_jobs SET state = 'EXPIRED'
                     WHERE state IN ('DONE', 'FAILED') AND finished_at < $1 RETURNING id",
                    &[&cutoff],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect())
        })
    }
}
