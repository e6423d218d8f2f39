//! The part of [`Store`](super::Store) behind follow-up cases (issue 18).

use padron_shared::cases::CaseState;

use super::StoreError;
use super::auth::StoredRequest;
use crate::audit::AuditRecord;

/// A row of a new case: what the server checked against the job's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCaseRow {
    pub fila: u32,
    pub referencia: String,
    pub resultado: String,
    pub consulta: String,
}

/// A verified, signed case to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub id: String,
    pub institution_id: i64,
    pub job_id: String,
    pub coordinator_cui: String,
    pub workstation_id: i64,
    pub payload: Vec<u8>,
    pub algorithm: String,
    pub signature: Vec<u8>,
    pub certificate: Vec<u8>,
    pub rows: Vec<NewCaseRow>,
    pub at: String,
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub id: String,
    pub institution_id: i64,
    pub institution_code: String,
    pub job_id: String,
    pub coordinator_cui: String,
    pub workstation_id: i64,
    pub state: CaseState,
    /// The signed bytes (empty once purged).
    pub payload: Vec<u8>,
    pub received_at: String,
    pub in_process_at: Option<String>,
    pub closed_at: Option<String>,
    pub purged_at: Option<String>,
    pub rows_total: u32,
    pub rows_answered: u32,
}

/// A stored row of a case, with the registry's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRowRecord {
    pub fila: u32,
    pub referencia: String,
    pub resultado: String,
    pub consulta: String,
    pub outcome: Option<String>,
    pub outcome_cui: Option<String>,
    pub note: Option<String>,
    pub updated_at: Option<String>,
}

/// What an update of a case found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseChange {
    Done,
    NoSuchCase,
    NoSuchRow,
    Closed,
}

pub trait CaseStore {
    /// Keeps a case and its rows with its audit entry; `false` if the id exists.
    fn add_case(&self, case: &NewCase, audit: &AuditRecord) -> Result<bool, StoreError>;
    fn case(&self, id: &str) -> Result<Option<CaseRecord>, StoreError>;
    fn case_rows(&self, id: &str) -> Result<Vec<CaseRowRecord>, StoreError>;
    /// Cases, newest first; of one institution and in one state when given.
    fn cases(
        &self,
        institution_id: Option<i64>,
        state: Option<CaseState>,
    ) -> Result<Vec<CaseRecord>, StoreError>;
    /// Records a row's outcome; the first outcome moves the case RECIBIDO → EN_PROCESO.
    #[allow(clippy::too_many_arguments)]
    fn update_case_row(
        &self,
        id: &str,
        fila: u32,
        outcome: &str,
        outcome_cui: Option<&str>,
        note: Option<&str>,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<CaseChange, StoreError>;
    fn close_case(&self, id: &str, at: &str, audit: &AuditRecord)
    -> Result<CaseChange, StoreError>;
    /// The signed bytes of every case not purged, for `audit verify`.
    fn stored_case_requests(&self) -> Result<Vec<StoredRequest>, StoreError>;
    /// Deletes the personal data of cases closed before `cutoff`; returns their ids.
    fn purge_cases(
        &self,
        cutoff: &str,
        at: &str,
        audit: &dyn Fn(&str) -> AuditRecord,
    ) -> Result<Vec<String>, StoreError>;
}
