//! The part of [`Store`](super::Store) behind the reports.

use super::{JobRow, StoreError};

/// A user the January pass deactivated, as it was that day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JanuaryDeactivation {
    pub year: i32,
    pub institution_code: String,
    pub institution_name: String,
    pub user_cui: String,
    pub full_name: String,
    pub programme: String,
    pub deactivated_at: String,
}

pub trait ReportStore {
    /// Jobs acknowledged in `[from, to)`, oldest first: of one institution
    /// (and one of its users) or, with `institution_id: None`, of all.
    fn jobs_between(
        &self,
        institution_id: Option<i64>,
        user_cui: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<JobRow>, StoreError>;
    /// Who the January pass of `year` deactivated, by institution and name.
    fn january_deactivations(&self, year: i32) -> Result<Vec<JanuaryDeactivation>, StoreError>;
}
