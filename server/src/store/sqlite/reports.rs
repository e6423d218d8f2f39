//! [`ReportStore`] on SQLite.

use rusqlite::params;

use super::jobs::{JOB_COLUMNS, job_from_row};
use crate::store::reports::{JanuaryDeactivation, ReportStore};
use crate::store::{JobRow, SqliteStore, StoreError};

impl ReportStore for SqliteStore {
    fn jobs_between(
        &self,
        institution_id: Option<i64>,
        user_cui: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<JobRow>, StoreError> {
        let conn = self.read()?;
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM query_jobs
             WHERE (?1 IS NULL OR institution_id = ?1) AND (?2 IS NULL OR user_cui = ?2)
               AND created_at >= ?3 AND created_at < ?4
             ORDER BY seq"
        );
        let rows = conn
            .prepare(&sql)?
            .query_map(params![institution_id, user_cui, from, to], job_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn january_deactivations(&self, year: i32) -> Result<Vec<JanuaryDeactivation>, StoreError> {
        let conn = self.read()?;
        let rows = conn
            .prepare(
                "SELECT d.year, i.code, i.name, d.user_cui, d.full_name, d.programme, d.deactivated_at
                 FROM january_deactivations d JOIN institutions i ON i.id = d.institution_id
                 WHERE d.year = ?1 ORDER BY i.code, d.full_name, d.user_cui",
            )?
            .query_map([year], |r| {
                Ok(JanuaryDeactivation {
                    year: r.get(0)?,
                    institution_code: r.get(1)?,
                    institution_name: r.get(2)?,
                    user_cui: r.get(3)?,
                    full_name: r.get(4)?,
                    programme: r.get(5)?,
                    deactivated_at: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
