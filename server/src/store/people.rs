//! The part of [`Store`](super::Store) about people across institutions:
//! blocks on the person (by CUI, registry-wide), coordinators and legal
//! representatives designated and removed, the installation's identity and
//! the eID roots kept as evidence.

use padron_shared::Cui;

use super::StoreError;
use crate::audit::AuditRecord;

/// A block on a person, in force or lifted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonBlock {
    pub cui: String,
    pub cause: String,
    pub blocked_at: String,
    pub blocked_by: String,
    pub lifted_at: Option<String>,
    pub lifted_by: Option<String>,
}

/// What a person designated by an institution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignatedRole {
    Coordinator,
    /// At most one in force per institution: designating a new one removes the old.
    LegalRepresentative,
}

impl DesignatedRole {
    pub fn as_str(self) -> &'static str {
        match self {
            DesignatedRole::Coordinator => "COORDINATOR",
            DesignatedRole::LegalRepresentative => "LEGAL_REPRESENTATIVE",
        }
    }
}

/// A coordinator or legal representative, current or former.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Designation {
    pub institution_code: String,
    pub cui: Cui,
    pub full_name: String,
    pub role: String,
    pub designated_at: String,
    pub designation_reference: Option<String>,
    pub removed_at: Option<String>,
    pub removal_reference: Option<String>,
    pub removal_reason: Option<String>,
}

/// A designation to make, on the institution's written request.
#[derive(Debug, Clone)]
pub struct NewDesignation<'a> {
    pub institution_code: &'a str,
    pub cui: Cui,
    pub full_name: &'a str,
    pub role: DesignatedRole,
    pub reference: Option<&'a str>,
    pub at: &'a str,
}

/// An eID root as the evidence store keeps it (never deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRoot {
    pub fingerprint: String,
    pub subject: String,
    pub der: Vec<u8>,
    pub first_trusted_at: String,
}

pub trait PeopleStore {
    /// Blocks a person everywhere and ends all their sessions (any role) in
    /// the same transaction; `false` if a block was already in force.
    fn block_person(
        &self,
        cui: &str,
        cause: &str,
        by: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Lifts the block in force; `false` if there was none.
    fn unblock_person(
        &self,
        cui: &str,
        by: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
    /// The block in force on this CUI, if any.
    fn person_block(&self, cui: &str) -> Result<Option<PersonBlock>, StoreError>;
    /// Blocks, in force only or also lifted ones, newest first.
    fn person_blocks(&self, include_lifted: bool) -> Result<Vec<PersonBlock>, StoreError>;

    /// Designates a coordinator or legal representative. A new legal
    /// representative replaces the one in force, whose sessions end; the
    /// replaced ones are returned.
    fn designate(
        &self,
        d: &NewDesignation<'_>,
        audit: &AuditRecord,
    ) -> Result<(Designation, Vec<Designation>), StoreError>;
    /// Removes a coordinator or legal representative in force and ends
    /// their sessions at once.
    fn remove_designation(
        &self,
        institution_code: &str,
        cui: &str,
        reference: &str,
        reason: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Designation, StoreError>;
    /// Coordinators and legal representatives, current and former.
    fn designations(&self, institution_code: Option<&str>) -> Result<Vec<Designation>, StoreError>;
    /// When this person stopped being a coordinator or legal
    /// representative of the institution (`None`: in force, or never was).
    fn designation_removed_at(
        &self,
        institution_id: i64,
        cui: &str,
    ) -> Result<Option<String>, StoreError>;

    /// The installation id, made with the database.
    fn installation_id(&self) -> Result<String, StoreError>;
    /// Every eID root ever trusted.
    fn evidence_roots(&self) -> Result<Vec<EvidenceRoot>, StoreError>;
}
