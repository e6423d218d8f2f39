//! The part of [`Store`](super::Store) behind the consulta individual.
//!
//! A consulta individual is kept as a finished one-row job in the query
//! table: the quota, the institution's last query date and every report
//! (built from that table) count it exactly like a workbook row, and the
//! FIFO worker, which claims only `QUEUED` jobs, never sees it.

use padron_shared::queries::JobCounts;

use super::StoreError;
use super::jobs::{JobRow, MonthlyQuota, NewJob};
use crate::audit::AuditRecord;

/// The `file_name` a consulta individual is listed under.
pub const ONE_QUERY_FILE_NAME: &str = "(consulta individual)";

pub trait SingleQueryStore {
    /// Records a consulta individual already answered: `job.rows` (1) must
    /// fit the month's quota, checked in the same transaction as the insert
    /// (as [`enqueue`](super::JobStore::enqueue) does), then the row is
    /// stored `DONE` with `counts`, the institution's last query date moves,
    /// and `audit` is appended.
    fn record_one_query(
        &self,
        job: &NewJob,
        counts: &JobCounts,
        quota: Option<&MonthlyQuota>,
        audit: &AuditRecord,
    ) -> Result<JobRow, StoreError>;
}
