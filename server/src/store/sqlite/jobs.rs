//! [`JobStore`] on SQLite.

use padron_shared::queries::{JobCounts, JobState};
use rusqlite::{OptionalExtension, Row, params};

use super::append_audit_in;
use crate::audit::AuditRecord;
use crate::store::jobs::{JobPage, JobRow, JobStore, MonthlyQuota, NewJob};
use crate::store::{SqliteStore, StoreError, names};

pub(super) const JOB_COLUMNS: &str =
    "seq, id, institution_id, user_cui, workstation_id, file_name, mode, rows, state,
    progress_done, counts, fail_code, attempts, worker, created_at, started_at, finished_at, programmes,
    registry_version";

pub(super) fn job_from_row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        seq: r.get(0)?,
        id: r.get(1)?,
        institution_id: r.get(2)?,
        user_cui: r.get(3)?,
        workstation_id: r.get(4)?,
        file_name: r.get(5)?,
        mode: names::sqlite(r, 6)?,
        rows: r.get(7)?,
        state: names::sqlite(r, 8)?,
        progress_done: r.get(9)?,
        counts: names::sqlite_counts(r, 10)?,
        fail_code: r.get(11)?,
        attempts: r.get(12)?,
        worker: r.get(13)?,
        created_at: r.get(14)?,
        started_at: r.get(15)?,
        finished_at: r.get(16)?,
        programmes: r.get(17)?,
        registry_version: r.get(18)?,
    })
}

fn used_in(
    conn: &rusqlite::Connection,
    institution_id: i64,
    from: &str,
    to: &str,
) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT coalesce(sum(rows), 0) FROM query_jobs
         WHERE institution_id = ?1 AND state != 'FAILED' AND created_at >= ?2 AND created_at < ?3",
        params![institution_id, from, to],
        |r| r.get(0),
    )
}

impl JobStore for SqliteStore {
    fn enqueue(
        &self,
        job: &NewJob,
        quota: Option<&MonthlyQuota>,
        audit: &AuditRecord,
    ) -> Result<JobRow, StoreError> {
        self.write(|tx| {
            if let Some(q) = quota {
                let used = used_in(tx, job.institution_id, &q.from, &q.to)?;
                if used + job.rows > q.limit {
                    return Err(StoreError::QuotaExceeded { remaining: (q.limit - used).max(0) });
                }
            }
            tx.execute(
                "INSERT INTO query_jobs (id, institution_id, user_cui, workstation_id, file_name, mode, rows,
                                         upload_sha256, created_at, programmes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
                    job.programmes
                ],
            )?;
            append_audit_in(tx, audit)?;
            let sql = format!("SELECT {JOB_COLUMNS} FROM query_jobs WHERE id = ?1");
            Ok(tx.query_row(&sql, [&job.id], job_from_row)?)
        })
    }

    fn rows_used(&self, institution_id: i64, from: &str, to: &str) -> Result<i64, StoreError> {
        let conn = self.read()?;
        Ok(used_in(&conn, institution_id, from, to)?)
    }

    fn job(&self, id: &str) -> Result<Option<JobRow>, StoreError> {
        let conn = self.read()?;
        let sql = format!("SELECT {JOB_COLUMNS} FROM query_jobs WHERE id = ?1");
        Ok(conn
            .prepare_cached(&sql)?
            .query_row([id], job_from_row)
            .optional()?)
    }

    fn jobs(
        &self,
        institution_id: i64,
        user_cui: Option<&str>,
        page: JobPage,
    ) -> Result<Vec<JobRow>, StoreError> {
        let conn = self.read()?;
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM query_jobs WHERE institution_id = ?1 AND (?2 IS NULL OR user_cui = ?2)
             AND (?3 IS NULL OR seq < ?3) ORDER BY seq DESC LIMIT ?4"
        );
        let rows = conn
            .prepare_cached(&sql)?
            .query_map(
                params![institution_id, user_cui, page.before, page.limit],
                job_from_row,
            )?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn jobs_ahead(&self, seq: i64) -> Result<i64, StoreError> {
        let conn = self.read()?;
        Ok(conn
            .prepare_cached(
                "SELECT count(*) FROM query_jobs WHERE seq < ?1 AND state IN ('QUEUED', 'RUNNING')",
            )?
            .query_row([seq], |r| r.get(0))?)
    }

    fn claim_next(
        &self,
        worker: &str,
        now: &str,
        lease_until: &str,
        is_dead: &dyn Fn(&str) -> bool,
    ) -> Result<Option<JobRow>, StoreError> {
        self.write(|tx| {
            // Strict FIFO: the head of the queue is the lowest unfinished seq,
            // whether it is waiting or was left running by a dead worker.
            let head: Option<(String, JobState, Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT id, state, worker, lease_until FROM query_jobs
                     WHERE state IN ('QUEUED', 'RUNNING') ORDER BY seq LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, names::sqlite(r, 1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((id, state, holder, lease)) = head else {
                return Ok(None);
            };
            if state == JobState::Running {
                let holder = holder.unwrap_or_default();
                let expired = lease.is_none_or(|l| l.as_str() < now);
                if holder == worker || !(expired || is_dead(&holder)) {
                    return Ok(None);
                }
                tracing::warn!(job = %id, previous = %holder, "resuming a job left by a stopped worker");
            }
            tx.execute(
                "UPDATE query_jobs SET state = 'RUNNING', worker = ?2, lease_until = ?3, attempts = attempts + 1,
                        progress_done = 0, started_at = ?4
                 WHERE id = ?1",
                params![id, worker, lease_until, now],
            )?;
            let sql = format!("SELECT {JOB_COLUMNS} FROM query_jobs WHERE id = ?1");
            Ok(Some(tx.query_row(&sql, [&id], job_from_row)?))
        })
    }

    fn job_progress(
        &self,
        id: &str,
        worker: &str,
        done: i64,
        lease_until: &str,
    ) -> Result<bool, StoreError> {
        let conn = self.lock();
        let n = conn.execute(
            "UPDATE query_jobs SET progress_done = ?3, lease_until = ?4
             WHERE id = ?1 AND worker = ?2 AND state = 'RUNNING'",
            params![id, worker, done, lease_until],
        )?;
        Ok(n == 1)
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
                "UPDATE query_jobs SET state = 'DONE', progress_done = rows, counts = ?3, finished_at = ?4,
                        lease_until = NULL
                 WHERE id = ?1 AND worker = ?2 AND state = 'RUNNING'",
                params![id, worker, counts, now],
            )?;
            if n == 1 {
                tx.execute(
                    "UPDATE institutions SET last_query_at = ?2
                     WHERE id = (SELECT institution_id FROM query_jobs WHERE id = ?1)",
                    params![id, now],
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
                "UPDATE query_jobs SET state = 'FAILED', fail_code = ?3, finished_at = ?4, lease_until = NULL
                 WHERE id = ?1 AND worker = ?2 AND state = 'RUNNING'",
                params![id, worker, code, now],
            )?;
            if n == 1 {
                append_audit_in(tx, audit)?;
            }
            Ok(n == 1)
        })
    }

    fn expire_jobs(&self, cutoff: &str) -> Result<Vec<String>, StoreError> {
        self.write(|tx| {
            let ids = tx
                .prepare(
                    "SELECT id FROM query_jobs WHERE state IN ('DONE', 'FAILED') AND finished_at < ?1",
                )?
                .query_map([cutoff], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            tx.execute(
                "UPDATE query_jobs SET state = 'EXPIRED' WHERE state IN ('DONE', 'FAILED') AND finished_at < ?1",
                [cutoff],
            )?;
            Ok(ids)
        })
    }
}
