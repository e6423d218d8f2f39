//! The server's storage, behind a narrow interface.
//!
//! Everything the rest of the server needs from a database goes through
//! [`Store`], so that a PostgreSQL backend can sit beside [`SqliteStore`]
//! without the HTTP layer or the admin CLI noticing. Methods are synchronous
//! (both rusqlite and the `postgres` crate are); async callers use
//! `spawn_blocking`. Every mutating method takes the [`AuditRecord`] that
//! describes it and writes both in one transaction: an action is never
//! recorded without happening, nor happens without being recorded.

mod auth;
mod backend;
mod cases;
mod gauges;
mod jobs;
mod lifecycle;
mod migrations;
mod names;
mod nodes;
mod people;
pub mod postgres;
mod reports;
mod single;
pub mod snapshot;
mod sqlite;
mod status;
mod tickets;
mod trust;

pub use auth::{
    AuthStore, NewRequest, NewSession, NonceRefusal, Principal, RequestRow, RequestVerdict,
    SessionRow, StoredRequest, UserRow,
};
pub use backend::{Database, WorkstationSource};
pub use cases::{CaseChange, CaseRecord, CaseRowRecord, CaseStore, NewCase, NewCaseRow};
pub use jobs::{JobPage, JobRow, JobStore, MonthlyQuota, NewJob};
pub use lifecycle::{Agreement, LifecycleFacts, LifecycleStore};
pub use nodes::{NodeBeat, NodeStore, PublishedRegistry};
pub use people::{
    DesignatedRole, Designation, EvidenceRoot, NewDesignation, PeopleStore, PersonBlock,
};
pub use reports::{JanuaryDeactivation, ReportStore};
pub use single::{ONE_QUERY_FILE_NAME, SingleQueryStore};
pub use sqlite::{SqliteStore, WorkstationReader, WorkstationsSummary};
pub use status::StatusStore;
pub use tickets::{NewTicketRecord, TicketChange, TicketMessageRecord, TicketRecord, TicketStore};
pub use trust::{IssuerSettings, StoredCrl, StoredIntermediate, StoredRoot, TrustSet, TrustStore};

use padron_shared::Cui;

use crate::audit::{AuditEntry, AuditRecord};

/// Latest schema version this build knows.
pub fn schema_version() -> u32 {
    migrations::MIGRATIONS.len() as u32
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("PostgreSQL error: {0}")]
    Postgres(#[from] ::postgres::Error),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("the database schema is version {found}; this build supports up to {supported}")]
    SchemaTooNew { found: u32, supported: u32 },
    #[error("institution {0} does not exist")]
    InstitutionUnknown(String),
    #[error("institution {0} already exists")]
    InstitutionExists(String),
    #[error("person {cui} is already a coordinator of {institution}")]
    CoordinatorExists { institution: String, cui: Cui },
    #[error("{cui} is not an active coordinator or legal representative of {institution}")]
    CoordinatorUnknown { institution: String, cui: String },
    #[error("workstation {0} does not exist")]
    WorkstationNotFound(i64),
    #[error("workstation {0} was already revoked")]
    WorkstationAlreadyRevoked(i64),
    #[error("issuing the workstation certificate failed: {0}")]
    Issuance(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("stored data is corrupt: {0}")]
    UnknownName(#[from] padron_shared::wire::UnknownName),
    #[error("the monthly quota leaves {remaining} rows")]
    QuotaExceeded { remaining: i64 },
}

/// Institution status (DOMAIN.md, "Institution status").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstitutionStatus {
    Active,
    Inactive,
    Cancelled,
}

impl InstitutionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InstitutionStatus::Active => "ACTIVE",
            InstitutionStatus::Inactive => "INACTIVE",
            InstitutionStatus::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(text: &str) -> Option<InstitutionStatus> {
        match text {
            "ACTIVE" => Some(InstitutionStatus::Active),
            "INACTIVE" => Some(InstitutionStatus::Inactive),
            "CANCELLED" => Some(InstitutionStatus::Cancelled),
            _ => None,
        }
    }

    /// The Spanish word an admin reads.
    pub fn label_es(self) -> &'static str {
        match self {
            InstitutionStatus::Active => "activa",
            InstitutionStatus::Inactive => "inactiva",
            InstitutionStatus::Cancelled => "cancelada",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Institution {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub status: InstitutionStatus,
    /// Why it is inactive or cancelled: `PAYMENT`, `BREACH`, `AGREEMENT_EXPIRED`, `NO_QUERIES_90_DAYS`.
    pub status_cause: Option<String>,
    /// The particulars of the cause (the unpaid period, a note).
    pub status_note: Option<String>,
    pub status_since: String,
    pub last_query_at: Option<String>,
    pub created_at: String,
}

/// Head counts shown with an institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InstitutionCounts {
    pub coordinators: u32,
    pub active_users: u32,
    pub workstations: u32,
    pub revoked_workstations: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coordinator {
    pub id: i64,
    pub institution_code: String,
    pub cui: Cui,
    pub full_name: String,
    pub active: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// The server generated the key and handed it over in the bundle.
    Generated,
    /// The workstation generated its key and sent a CSR; the key never left it.
    Csr,
}

impl KeyOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyOrigin::Generated => "GENERATED",
            KeyOrigin::Csr => "CSR",
        }
    }
}

/// A certificate issued for a workstation, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCertificate {
    pub serial_hex: String,
    pub fingerprint_hex: String,
    pub pem: String,
    pub not_before: String,
    pub not_after: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workstation {
    pub id: i64,
    pub institution_id: i64,
    pub institution_code: String,
    pub institution_name: String,
    pub site: String,
    pub certificate: IssuedCertificate,
    pub key_origin: String,
    pub enrolled_at: String,
    pub revoked_at: Option<String>,
}

impl Workstation {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// The narrow interface the server keeps its state through. Card login,
/// sessions and user requests are in [`AuthStore`]; the query queue in [`JobStore`].
pub trait Store:
    AuthStore
    + JobStore
    + StatusStore
    + LifecycleStore
    + ReportStore
    + TrustStore
    + PeopleStore
    + SingleQueryStore
    + CaseStore
    + TicketStore
    + NodeStore
    + Send
    + Sync
    + std::fmt::Debug
{
    fn add_institution(
        &self,
        code: &str,
        name: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Institution, StoreError>;
    fn institutions(&self) -> Result<Vec<Institution>, StoreError>;
    fn institution(&self, code: &str) -> Result<Option<Institution>, StoreError>;
    fn institution_counts(&self, code: &str) -> Result<InstitutionCounts, StoreError>;

    fn add_coordinator(
        &self,
        institution_code: &str,
        cui: Cui,
        full_name: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Coordinator, StoreError>;
    fn coordinators(&self, institution_code: Option<&str>) -> Result<Vec<Coordinator>, StoreError>;

    /// Creates the workstation row, then calls `issue` with its new id to get
    /// the certificate (which names that id), all in one transaction: a
    /// failed issuance leaves no half-enrolled workstation behind.
    fn enroll_workstation(
        &self,
        institution_code: &str,
        site: &str,
        key_origin: KeyOrigin,
        at: &str,
        audit: &AuditRecord,
        issue: &mut dyn FnMut(i64) -> Result<IssuedCertificate, String>,
    ) -> Result<Workstation, StoreError>;
    fn workstations(&self) -> Result<Vec<Workstation>, StoreError>;
    fn workstation(&self, id: i64) -> Result<Option<Workstation>, StoreError>;
    /// The workstation whose certificate has this SHA-256 fingerprint (hex).
    fn workstation_by_fingerprint(
        &self,
        fingerprint_hex: &str,
    ) -> Result<Option<Workstation>, StoreError>;
    fn revoke_workstation(
        &self,
        id: i64,
        reason: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Workstation, StoreError>;

    /// Appends an entry that is not tied to a state change (e.g. a refusal).
    fn append_audit(&self, audit: &AuditRecord) -> Result<AuditEntry, StoreError>;
    /// Entries in order, starting after `after_seq`, at most `limit`.
    fn audit_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;

    /// A cheap query proving the database answers (for `/v1/health`).
    fn ping(&self) -> Result<(), StoreError>;
}
