//! Reports (DOMAIN.md, "Institution status", "Users"): what a coordinator
//! may learn of a user's queries, and what the registry admin reads each
//! month. Built from the queue's rows and the lifecycle's facts; never from
//! the workbooks, so no beneficiary's personal data can reach a report.
//!
//! - [`activity`]: one user's queries over a period (coordinator, API);
//! - [`usage`]: a month's consumption by institution and user, institutions
//!   approaching cancellation, users deactivated in January (admin);
//! - [`usage_xlsx`]: that month as a workbook with a chart sheet.

pub mod activity;
pub mod usage;
pub mod usage_xlsx;

use padron_shared::queries::{JobCounts, JobState};
use padron_shared::reports::{ProgrammeRows, ResultCounts};

use crate::store::JobRow;

/// The rows by result a finished job stored.
pub(crate) fn job_results(job: &JobRow) -> Option<ResultCounts> {
    job.counts.as_ref().map(JobCounts::results)
}

/// The rows per programme a job's workbook named, largest first.
pub(crate) fn job_programmes(job: &JobRow) -> Vec<ProgrammeRows> {
    let Some(text) = job.programmes.as_deref() else {
        return Vec::new();
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text) else {
        return Vec::new();
    };
    let mut out: Vec<ProgrammeRows> = map
        .into_iter()
        .filter_map(|(programme, rows)| {
            Some(ProgrammeRows {
                programme,
                rows: rows.as_u64()?,
            })
        })
        .collect();
    out.sort_by(|a, b| b.rows.cmp(&a.rows).then(a.programme.cmp(&b.programme)));
    out
}

/// Rows the quota counts: those of every job that did not fail.
pub(crate) fn charged(job: &JobRow) -> u64 {
    if job.state == JobState::Failed {
        0
    } else {
        job.rows.max(0) as u64
    }
}
