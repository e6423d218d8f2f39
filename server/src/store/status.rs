//! The part of [`Store`](super::Store) behind institution status and user blocks.

use super::{Institution, InstitutionStatus, StoreError};
use crate::audit::AuditRecord;

pub trait StatusStore {
    fn institution_by_id(&self, id: i64) -> Result<Option<Institution>, StoreError>;
    /// Sets status, cause and note; ends the sessions of an institution that
    /// stops being active.
    #[allow(clippy::too_many_arguments)]
    fn set_institution_status(
        &self,
        code: &str,
        status: InstitutionStatus,
        cause: Option<&str>,
        note: Option<&str>,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Institution, StoreError>;
    /// Records a payment; an institution suspended for payment is active again.
    fn record_payment(
        &self,
        code: &str,
        period: &str,
        amount_cents: i64,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Institution, StoreError>;
    /// Blocks (or, with `reason: None`, unblocks) a person as user in every
    /// institution; blocking ends their sessions. Returns how many user rows changed.
    fn set_user_block(
        &self,
        cui: &str,
        reason: Option<&str>,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<usize, StoreError>;
}
