//! The eID trust the admin configures beyond roots: one current CRL per
//! issuing CA, intermediate CAs, each root's purpose policy and each
//! issuer's revocation settings (CRL URL, OCSP).

use super::StoreError;
use crate::audit::AuditRecord;

/// A trusted root with its policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRoot {
    pub fingerprint: String,
    pub subject: String,
    pub der: Vec<u8>,
    pub added_at: String,
    /// The admin's documented exception: authentication certificates under
    /// this root may lack extendedKeyUsage.
    pub allow_no_eku: bool,
    /// Certificate policy OIDs accepted (empty: any).
    pub policy_oids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIntermediate {
    pub fingerprint: String,
    pub subject: String,
    pub issuer: String,
    pub der: Vec<u8>,
    pub added_at: String,
}

/// The CRL in force for one issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCrl {
    pub issuer: String,
    pub fingerprint: String,
    pub der: Vec<u8>,
    pub crl_number: Option<String>,
    pub this_update: String,
    pub next_update: Option<String>,
    /// `import` or the URL it was fetched from.
    pub source: String,
    /// The last good import or fetch.
    pub fetched_at: String,
    pub checked_at: Option<String>,
    pub last_error: Option<String>,
}

/// How the revocation of one issuer's certificates is checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IssuerSettings {
    pub issuer: String,
    /// Where `serve` fetches this issuer's CRL (else the certificates' CRL
    /// distribution point).
    pub crl_url: Option<String>,
    /// A designated OCSP responder (else the certificate's AIA).
    pub ocsp_url: Option<String>,
    /// The designated responder's own certificate, trusted directly.
    pub ocsp_responder_der: Option<Vec<u8>>,
    /// Send a nonce (off only for responders that do not support one).
    pub ocsp_nonce: bool,
    /// When the responder does not answer: use the CRL (true) or refuse.
    pub ocsp_fallback_crl: bool,
}

/// Everything the card checks need, read in one go.
#[derive(Debug, Clone, Default)]
pub struct TrustSet {
    pub roots: Vec<StoredRoot>,
    pub intermediates: Vec<StoredIntermediate>,
    pub crls: Vec<StoredCrl>,
    pub issuers: Vec<IssuerSettings>,
}

pub trait TrustStore {
    fn trust_set(&self) -> Result<TrustSet, StoreError>;
    /// Makes `crl` the current one of its issuer if the current one still
    /// has fingerprint `replaces` (None: there was none), and keeps it in the
    /// history; `false` if another import got there first.
    fn put_current_crl(
        &self,
        crl: &StoredCrl,
        replaces: Option<&str>,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Records a refresh attempt of an issuer's CRL (`error` None: it was
    /// not newer, nothing to replace).
    fn note_crl_check(&self, issuer: &str, at: &str, error: Option<&str>)
    -> Result<(), StoreError>;
    /// Adds an intermediate CA; `false` if it was already there.
    fn add_eid_intermediate(
        &self,
        intermediate: &StoredIntermediate,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
    /// Removes a root and ends, at once, the sessions of cards under it (and
    /// those whose root is unknown). `None` if there is no such root, else
    /// the number of sessions ended.
    fn remove_eid_root(
        &self,
        fingerprint: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Option<usize>, StoreError>;
    /// Sets a root's purpose policy; `false` if there is no such root.
    fn set_eid_root_policy(
        &self,
        fingerprint: &str,
        allow_no_eku: bool,
        policy_oids: &[String],
        audit: &AuditRecord,
    ) -> Result<bool, StoreError>;
    fn set_issuer_settings(
        &self,
        settings: &IssuerSettings,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError>;
    /// Records which root a session's card chained to.
    fn bind_session_root(&self, token_hash: &str, root_fingerprint: &str)
    -> Result<(), StoreError>;
}
