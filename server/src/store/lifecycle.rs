//! The part of [`Store`](super::Store) behind agreements and the lifecycle pass.

use super::StoreError;
use crate::audit::AuditRecord;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub institution_code: String,
    pub starts_on: String,
    pub ends_on: String,
    pub service_cui: bool,
    pub service_names: bool,
    pub monthly_quota: Option<i64>,
}

/// What the pass needs of an institution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleFacts {
    pub code: String,
    pub status: String,
    pub status_cause: Option<String>,
    pub created_at: String,
    pub last_query_at: Option<String>,
    /// The current agreement, if any.
    pub agreement: Option<Agreement>,
    /// Years for which continuity was requested.
    pub continuity_years: Vec<i32>,
}

pub trait LifecycleStore {
    /// Records a new agreement (the latest one is current); a cancelled
    /// institution whose new agreement covers `today` is active again.
    fn set_agreement(
        &self,
        agreement: &Agreement,
        today: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError>;
    fn agreement(&self, code: &str) -> Result<Option<Agreement>, StoreError>;
    /// Replaces the social programmes the institution's agreement covers.
    fn set_programmes(
        &self,
        code: &str,
        programmes: &[String],
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError>;
    /// The programmes the agreement covers, sorted; empty: not recorded
    /// (any programme is accepted).
    fn programmes(&self, code: &str) -> Result<Vec<String>, StoreError>;
    fn request_continuity(
        &self,
        code: &str,
        year: i32,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError>;
    fn lifecycle_facts(&self) -> Result<Vec<LifecycleFacts>, StoreError>;
    /// Whether a named one-off step (e.g. `january:2027`) has run; marks it.
    fn mark_once(&self, name: &str, at: &str) -> Result<bool, StoreError>;
    /// Deactivates every active user of the institution (January of the
    /// registry's local `year`); returns how many.
    fn deactivate_users(
        &self,
        code: &str,
        year: i32,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<usize, StoreError>;
}
