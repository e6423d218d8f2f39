//! [`ReportStore`] on PostgreSQL.

use super::PgStore;
use super::jobs::{JOB_COLUMNS, job_from_row};
use crate::store::reports::{JanuaryDeactivation, ReportStore};
use crate::store::{JobRow, StoreError};

impl ReportStore for PgStore {
    fn jobs_between(
        &self,
        institution_id: Option<i64>,
        user_cui: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<JobRow>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "SELECT {JOB_COLUMNS} FROM query_jobs
                 WHERE ($1::BIGINT IS NULL OR institution_id = $1) AND ($2::TEXT IS NULL OR user_cui = $2)
                   AND created_at >= $3 AND created_at < $4
                 ORDER BY seq"
            );
            c.query(&sql, &[&institution_id, &user_cui, &from, &to])?
                .iter()
                .map(job_from_row)
                .collect()
        })
    }

    fn january_deactivations(&self, year: i32) -> Result<Vec<JanuaryDeactivation>, StoreError> {
        self.read(|c| {
            Ok(c.query(
                "SELECT d.year, i.code, i.name, d.user_cui, d.full_name, d.programme, d.deactivated_at
                 FROM january_deactivations d JOIN institutions i ON i.id = d.institution_id
                 WHERE d.year = $1
                 ORDER BY i.code COLLATE \"C\", d.full_name COLLATE \"C\", d.user_cui",
                &[&year],
            )?
            .iter()
            .map(|r| JanuaryDeactivation {
                year: r.get(0),
                institution_code: r.get(1),
                institution_name: r.get(2),
                user_cui: r.get(3),
                full_name: r.get(4),
                programme: r.get(5),
                deactivated_at: r.get(6),
            })
            .collect())
        })
    }
}
