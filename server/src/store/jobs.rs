//! The part of [`Store`](super::Store) behind the Consulta Social queue.

use padron_shared::queries::{JobCounts, JobState, QueryMode};

use super::StoreError;
use crate::audit::AuditRecord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub id: String,
    pub institution_id: i64,
    pub user_cui: String,
    pub workstation_id: i64,
    pub file_name: String,
    pub mode: QueryMode,
    pub rows: i64,
    pub upload_sha256: String,
    /// Rows per programme named in the workbook, as a JSON object.
    pub programmes: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub seq: i64,
    pub id: String,
    pub institution_id: i64,
    pub user_cui: String,
    pub workstation_id: i64,
    pub file_name: String,
    pub mode: QueryMode,
    pub rows: i64,
    pub state: JobState,
    pub progress_done: i64,
    pub counts: Option<JobCounts>,
    pub fail_code: Option<String>,
    pub attempts: i64,
    pub worker: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Rows per programme (JSON object); `None` for jobs queued before v5.
    pub programmes: Option<String>,
    /// The registry version the job ran against (its last attempt's);
    /// `None` before a worker opened the registry for it.
    pub registry_version: Option<String>,
}

/// A page of a job list: the jobs older than `before` (a `seq`), at most
/// `limit` of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobPage {
    pub before: Option<i64>,
    pub limit: u32,
}

/// A monthly row quota and the month it is counted in (timestamps, `[from, to)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyQuota {
    pub limit: i64,
    pub from: String,
    pub to: String,
}

pub trait JobStore {
    /// Records an acknowledged upload at the end of the queue; returns its
    /// place. With a quota, the rows already queried this month (by jobs
    /// that did not fail) plus this job's must fit, checked in the same
    /// transaction so that two uploads cannot both squeeze in.
    fn enqueue(
        &self,
        job: &NewJob,
        quota: Option<&MonthlyQuota>,
        audit: &AuditRecord,
    ) -> Result<JobRow, StoreError>;
    /// Rows queried by the institution in `[from, to)` by jobs that did not fail.
    fn rows_used(&self, institution_id: i64, from: &str, to: &str) -> Result<i64, StoreError>;
    fn job(&self, id: &str) -> Result<Option<JobRow>, StoreError>;
    /// One page of an institution's jobs, or of one person's, newest first.
    fn jobs(
        &self,
        institution_id: i64,
        user_cui: Option<&str>,
        page: JobPage,
    ) -> Result<Vec<JobRow>, StoreError>;
    /// Jobs ahead of `seq` that are not finished.
    fn jobs_ahead(&self, seq: i64) -> Result<i64, StoreError>;
    /// Takes the first job in FIFO order that is queued, or running under a
    /// lease that expired or a worker `is_dead` says is gone.
    fn claim_next(
        &self,
        worker: &str,
        now: &str,
        lease_until: &str,
        is_dead: &dyn Fn(&str) -> bool,
    ) -> Result<Option<JobRow>, StoreError>;
    /// Records progress and renews the lease; `false` if the job is no longer ours.
    fn job_progress(
        &self,
        id: &str,
        worker: &str,
        done: i64,
        lease_until: &str,
    ) -> Result<bool, StoreError>;
    /// Finishes a job, once: `false` if it is no longer ours.
    fn job_done(
        &self,
        id: &str,
        worker: &str,
        counts: &JobCounts,
        now: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
    fn job_failed(
        &self,
        id: &str,
        worker: &str,
        code: &str,
        now: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Marks finished jobs older than `cutoff` expired; returns their ids.
    fn expire_jobs(&self, cutoff: &str) -> Result<Vec<String>, StoreError>;
}
