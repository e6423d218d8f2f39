//! The part of [`Store`](super::Store) behind card login, sessions and
//! signed user requests.

use padron_shared::ErrorCode;
use padron_shared::auth::Role;
use padron_shared::users::{RequestAction, RequestState, UserChange};

use super::StoreError;
use crate::audit::AuditRecord;

/// Why a login nonce is refused, in the order the checks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceRefusal {
    Unknown,
    Expired,
    Reused,
    OtherWorkstation,
}

impl NonceRefusal {
    pub fn code(self) -> ErrorCode {
        match self {
            NonceRefusal::Unknown => ErrorCode::NonceUnknown,
            NonceRefusal::Expired => ErrorCode::NonceExpired,
            NonceRefusal::Reused => ErrorCode::NonceReused,
            NonceRefusal::OtherWorkstation => ErrorCode::NonceOtherWorkstation,
        }
    }
}

/// Someone the institution knows, as found by CUI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub role: Role,
    pub full_name: String,
    /// For users: blocked for misuse.
    pub blocked: bool,
    /// Coordinators: active; users: status ACTIVE.
    pub active: bool,
    /// For a user who is not active: why (`JANUARY_DEACTIVATION`,
    /// `EMPLOYMENT_ENDED`, …, or `PENDING`) and since when.
    pub inactive_cause: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token_hash: String,
    pub workstation_id: i64,
    pub cert_fingerprint: String,
    pub institution_id: i64,
    pub cui: String,
    pub full_name: String,
    pub role: Role,
    pub created_at: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub workstation_id: i64,
    pub cert_fingerprint: String,
    pub institution_id: i64,
    pub cui: String,
    pub full_name: String,
    pub role: Role,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
    pub ended_at: Option<String>,
    /// `LOGOUT`, `IDLE_TIMEOUT`, `USER_REMOVED`, `USER_BLOCKED`, `INSTITUTION_…`.
    pub end_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub cui: String,
    pub full_name: String,
    pub email: String,
    pub phone: String,
    pub extension: Option<String>,
    pub department: String,
    pub post: String,
    pub programme: String,
    pub status: String,
    pub status_since: String,
    pub blocked: bool,
}

/// A verified, signed request, ready to be kept and applied.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub id: String,
    pub institution_id: i64,
    pub coordinator_cui: String,
    pub workstation_id: i64,
    pub action: RequestAction,
    pub user: UserChange,
    pub payload: Vec<u8>,
    pub algorithm: String,
    pub signature: Vec<u8>,
    pub certificate: Vec<u8>,
    pub at: String,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestVerdict {
    Done,
    Rejected(ErrorCode),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: String,
    pub action: RequestAction,
    pub user_cui: String,
    pub state: RequestState,
    pub reject_code: Option<String>,
    pub coordinator_cui: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A stored request as evidence: what was signed, by which certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    pub id: String,
    pub payload: Vec<u8>,
    pub algorithm: Option<String>,
    pub signature: Vec<u8>,
    pub certificate: Vec<u8>,
}

/// Trusted eID roots and imported CRLs, each as DER.
pub type TrustDers = (Vec<Vec<u8>>, Vec<Vec<u8>>);

pub trait AuthStore {
    /// Adds a trusted eID root; `false` if it was already there.
    fn add_eid_root(
        &self,
        subject: &str,
        fingerprint: &str,
        der: &[u8],
        at: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Adds a CRL; `false` if the same CRL was already there.
    #[allow(clippy::too_many_arguments)]
    fn add_eid_crl(
        &self,
        issuer: &str,
        fingerprint: &str,
        der: &[u8],
        this_update: &str,
        next_update: Option<&str>,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
    /// (roots, CRLs) as DER.
    fn eid_trust(&self) -> Result<TrustDers, StoreError>;
    /// (subject or issuer, added at, kind) for `trust list`.
    fn eid_trust_list(&self) -> Result<Vec<(String, String, String)>, StoreError>;

    fn insert_nonce(
        &self,
        nonce_hash: &str,
        workstation_id: i64,
        issued_at: &str,
        expires_at: &str,
    ) -> Result<(), StoreError>;
    /// Inserts a nonce unless the workstation already holds `cap` unspent,
    /// unexpired ones (checked in the same transaction, so concurrent
    /// challenges cannot overshoot). `false`: refused, nothing inserted.
    fn insert_nonce_capped(
        &self,
        nonce_hash: &str,
        workstation_id: i64,
        issued_at: &str,
        expires_at: &str,
        cap: u32,
    ) -> Result<bool, StoreError>;
    /// Checks and spends a nonce in one transaction.
    fn consume_nonce(
        &self,
        nonce_hash: &str,
        workstation_id: i64,
        now: &str,
    ) -> Result<Result<(), NonceRefusal>, StoreError>;

    /// The coordinator or user with this CUI in this institution.
    fn principal(&self, institution_id: i64, cui: &str) -> Result<Option<Principal>, StoreError>;

    fn create_session(&self, session: &NewSession, audit: &AuditRecord) -> Result<(), StoreError>;
    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError>;
    fn touch_session(&self, token_hash: &str, now: &str) -> Result<(), StoreError>;
    /// Ends a session (logout, timeout); audited when `audit` is given.
    fn end_session(
        &self,
        token_hash: &str,
        reason: &str,
        now: &str,
        audit: Option<&AuditRecord>,
    ) -> Result<(), StoreError>;

    fn users(&self, institution_id: i64) -> Result<Vec<UserRow>, StoreError>;
    fn requests(&self, institution_id: i64) -> Result<Vec<RequestRow>, StoreError>;
    fn request_exists(&self, id: &str) -> Result<bool, StoreError>;
    /// Keeps the request and applies it (RECEIVED → PROCESSING → DONE or
    /// REJECTED), all in one transaction with its audit entry. Removing a
    /// user also ends that user's sessions.
    fn submit_request(
        &self,
        request: &NewRequest,
        audit: &AuditRecord,
    ) -> Result<RequestVerdict, StoreError>;
    /// Every stored request, for `audit verify`.
    fn stored_requests(&self) -> Result<Vec<StoredRequest>, StoreError>;
}
