//! [`TrustStore`] on SQLite.

use rusqlite::{OptionalExtension, params};

use super::append_audit_in;
use crate::audit::AuditRecord;
use crate::store::trust::{
    IssuerSettings, StoredCrl, StoredIntermediate, StoredRoot, TrustSet, TrustStore,
};
use crate::store::{SqliteStore, StoreError};

impl TrustStore for SqliteStore {
    fn trust_set(&self) -> Result<TrustSet, StoreError> {
        let conn = self.read()?;
        let roots = conn
            .prepare(
                "SELECT fingerprint, subject, der, added_at, allow_no_eku, policy_oids
                 FROM eid_roots ORDER BY id",
            )?
            .query_map([], |r| {
                let oids: String = r.get(5)?;
                Ok(StoredRoot {
                    fingerprint: r.get(0)?,
                    subject: r.get(1)?,
                    der: r.get(2)?,
                    added_at: r.get(3)?,
                    allow_no_eku: r.get(4)?,
                    policy_oids: oids.split_whitespace().map(str::to_owned).collect(),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let intermediates = conn
            .prepare(
                "SELECT fingerprint, subject, issuer, der, added_at FROM eid_intermediates ORDER BY id",
            )?
            .query_map([], |r| {
                Ok(StoredIntermediate {
                    fingerprint: r.get(0)?,
                    subject: r.get(1)?,
                    issuer: r.get(2)?,
                    der: r.get(3)?,
                    added_at: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let crls = conn
            .prepare(
                "SELECT issuer, fingerprint, der, crl_number, this_update, next_update, source,
                        fetched_at, checked_at, last_error
                 FROM eid_current_crls ORDER BY issuer",
            )?
            .query_map([], |r| {
                Ok(StoredCrl {
                    issuer: r.get(0)?,
                    fingerprint: r.get(1)?,
                    der: r.get(2)?,
                    crl_number: r.get(3)?,
                    this_update: r.get(4)?,
                    next_update: r.get(5)?,
                    source: r.get(6)?,
                    fetched_at: r.get(7)?,
                    checked_at: r.get(8)?,
                    last_error: r.get(9)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let issuers = conn
            .prepare(
                "SELECT issuer, crl_url, ocsp_url, ocsp_responder_der, ocsp_nonce, ocsp_fallback
                 FROM eid_issuer_settings ORDER BY issuer",
            )?
            .query_map([], |r| {
                let fallback: String = r.get(5)?;
                Ok(IssuerSettings {
                    issuer: r.get(0)?,
                    crl_url: r.get(1)?,
                    ocsp_url: r.get(2)?,
                    ocsp_responder_der: r.get(3)?,
                    ocsp_nonce: r.get(4)?,
                    ocsp_fallback_crl: fallback == "CRL",
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustSet {
            roots,
            intermediates,
            crls,
            issuers,
        })
    }

    fn put_current_crl(
        &self,
        crl: &StoredCrl,
        replaces: Option<&str>,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let current: Option<String> = tx
                .query_row(
                    "SELECT fingerprint FROM eid_current_crls WHERE issuer = ?1",
                    [&crl.issuer],
                    |r| r.get(0),
                )
                .optional()?;
            if current.as_deref() != replaces {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO eid_current_crls (issuer, fingerprint, der, crl_number, this_update,
                     next_update, source, fetched_at, checked_at, last_error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, NULL)
                 ON CONFLICT (issuer) DO UPDATE SET fingerprint = excluded.fingerprint,
                     der = excluded.der, crl_number = excluded.crl_number,
                     this_update = excluded.this_update, next_update = excluded.next_update,
                     source = excluded.source, fetched_at = excluded.fetched_at,
                     checked_at = excluded.checked_at, last_error = NULL",
                params![
                    crl.issuer,
                    crl.fingerprint,
                    crl.der,
                    crl.crl_number,
                    crl.this_update,
                    crl.next_update,
                    crl.source,
                    crl.fetched_at
                ],
            )?;
            tx.execute(
                "INSERT INTO eid_crls (issuer, fingerprint, der, this_update, next_update, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (fingerprint) DO NOTHING",
                params![
                    crl.issuer,
                    crl.fingerprint,
                    crl.der,
                    crl.this_update,
                    crl.next_update,
                    crl.fetched_at
                ],
            )?;
            append_audit_in(tx, audit)?;
            Ok(true)
        })
    }

    fn note_crl_check(
        &self,
        issuer: &str,
        at: &str,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let conn = self.lock();
        match error {
            // A fetch that worked but was not newer is still a good fetch.
            None => conn.execute(
                "UPDATE eid_current_crls SET checked_at = ?2, fetched_at = ?2, last_error = NULL
                 WHERE issuer = ?1",
                params![issuer, at],
            )?,
            Some(e) => conn.execute(
                "UPDATE eid_current_crls SET checked_at = ?2, last_error = ?3 WHERE issuer = ?1",
                params![issuer, at, e],
            )?,
        };
        Ok(())
    }

    fn add_eid_intermediate(
        &self,
        i: &StoredIntermediate,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO eid_intermediates (subject, issuer, fingerprint, der, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (fingerprint) DO NOTHING",
                params![i.subject, i.issuer, i.fingerprint, i.der, i.added_at],
            )?;
            if n > 0 {
                append_audit_in(tx, audit)?;
            }
            Ok(n > 0)
        })
    }

    fn remove_eid_root(
        &self,
        fingerprint: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Option<usize>, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "DELETE FROM eid_roots WHERE fingerprint = ?1",
                [fingerprint],
            )?;
            if n == 0 {
                return Ok(None);
            }
            let ended = tx.execute(
                "UPDATE sessions SET ended_at = ?2, end_reason = 'TRUST_ROOT_REMOVED'
                 WHERE ended_at IS NULL
                   AND (eid_root_fingerprint = ?1 OR eid_root_fingerprint IS NULL)",
                params![fingerprint, at],
            )?;
            append_audit_in(tx, audit)?;
            Ok(Some(ended))
        })
    }

    fn set_eid_root_policy(
        &self,
        fingerprint: &str,
        allow_no_eku: bool,
        policy_oids: &[String],
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE eid_roots SET allow_no_eku = ?2, policy_oids = ?3 WHERE fingerprint = ?1",
                params![fingerprint, allow_no_eku, policy_oids.join(" ")],
            )?;
            if n > 0 {
                append_audit_in(tx, audit)?;
            }
            Ok(n > 0)
        })
    }

    fn set_issuer_settings(
        &self,
        s: &IssuerSettings,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO eid_issuer_settings (issuer, crl_url, ocsp_url, ocsp_responder_der,
                     ocsp_nonce, ocsp_fallback, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (issuer) DO UPDATE SET crl_url = excluded.crl_url,
                     ocsp_url = excluded.ocsp_url, ocsp_responder_der = excluded.ocsp_responder_der,
                     ocsp_nonce = excluded.ocsp_nonce, ocsp_fallback = excluded.ocsp_fallback,
                     updated_at = excluded.updated_at",
                params![
                    s.issuer,
                    s.crl_url,
                    s.ocsp_url,
                    s.ocsp_responder_der,
                    s.ocsp_nonce,
                    if s.ocsp_fallback_crl { "CRL" } else { "REFUSE" },
                    at
                ],
            )?;
            append_audit_in(tx, audit)?;
            Ok(())
        })
    }

    fn bind_session_root(
        &self,
        token_hash: &str,
        root_fingerprint: &str,
    ) -> Result<(), StoreError> {
        let conn = self.lock();
        conn.execute(
            "UPDATE sessions SET eid_root_fingerprint = ?2 WHERE token_hash = ?1",
            params![token_hash, root_fingerprint],
        )?;
        Ok(())
    }
}
