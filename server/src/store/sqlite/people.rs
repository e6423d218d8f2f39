//! [`PeopleStore`] on SQLite.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{append_audit_in, cui_column, is_unique_violation};
use crate::audit::AuditRecord;
use crate::store::people::{
    DesignatedRole, Designation, EvidenceRoot, NewDesignation, PeopleStore, PersonBlock,
};
use crate::store::{SqliteStore, StoreError};

const BLOCK_SELECT: &str =
    "SELECT cui, cause, blocked_at, blocked_by, lifted_at, lifted_by FROM person_blocks";

fn block_from_row(r: &Row<'_>) -> rusqlite::Result<PersonBlock> {
    Ok(PersonBlock {
        cui: r.get(0)?,
        cause: r.get(1)?,
        blocked_at: r.get(2)?,
        blocked_by: r.get(3)?,
        lifted_at: r.get(4)?,
        lifted_by: r.get(5)?,
    })
}

const DESIGNATION_SELECT: &str = "SELECT i.code, c.cui, c.full_name, c.role, c.created_at,
            c.designation_reference, c.removed_at, c.removal_reference, c.removal_reason
     FROM coordinators c JOIN institutions i ON i.id = c.institution_id";

fn designation_from_row(r: &Row<'_>) -> rusqlite::Result<Designation> {
    Ok(Designation {
        institution_code: r.get(0)?,
        cui: cui_column(r, 1)?,
        full_name: r.get(2)?,
        role: r.get(3)?,
        designated_at: r.get(4)?,
        designation_reference: r.get(5)?,
        removed_at: r.get(6)?,
        removal_reference: r.get(7)?,
        removal_reason: r.get(8)?,
    })
}

fn institution_id(conn: &Connection, code: &str) -> Result<i64, StoreError> {
    conn.query_row("SELECT id FROM institutions WHERE code = ?1", [code], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| StoreError::InstitutionUnknown(code.to_owned()))
}

/// Marks a designation removed and ends that person's coordinator
/// sessions in the institution, inside the caller's transaction.
fn remove_in(
    tx: &Connection,
    institution: i64,
    cui: &str,
    reference: &str,
    reason: &str,
    at: &str,
) -> Result<usize, StoreError> {
    let n = tx.execute(
        "UPDATE coordinators SET active = 0, removed_at = ?3, removal_reference = ?4, removal_reason = ?5
         WHERE institution_id = ?1 AND cui = ?2 AND active = 1",
        params![institution, cui, at, reference, reason],
    )?;
    if n > 0 {
        tx.execute(
            "UPDATE sessions SET ended_at = ?3, end_reason = 'COORDINATOR_REMOVED'
             WHERE institution_id = ?1 AND cui = ?2 AND role = 'COORDINATOR' AND ended_at IS NULL",
            params![institution, cui, at],
        )?;
    }
    Ok(n)
}

impl PeopleStore for SqliteStore {
    fn block_person(
        &self,
        cui: &str,
        cause: &str,
        by: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let inserted = tx.execute(
                "INSERT INTO person_blocks (cui, cause, blocked_at, blocked_by) VALUES (?1, ?2, ?3, ?4)",
                params![cui, cause, at, by],
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => return Ok(false),
                other => other?,
            };
            // Kept in step for the users' own view of their row.
            tx.execute(
                "UPDATE users SET blocked_at = ?2, block_reason = ?3 WHERE cui = ?1",
                params![cui, at, cause],
            )?;
            // Every open session of the person, whatever the role or institution, ends now.
            tx.execute(
                "UPDATE sessions SET ended_at = ?2, end_reason = 'PERSON_BLOCKED'
                 WHERE cui = ?1 AND ended_at IS NULL",
                params![cui, at],
            )?;
            append_audit_in(tx, audit)?;
            Ok(true)
        })
    }

    fn unblock_person(
        &self,
        cui: &str,
        by: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE person_blocks SET lifted_at = ?2, lifted_by = ?3 WHERE cui = ?1 AND lifted_at IS NULL",
                params![cui, at, by],
            )?;
            if n == 0 {
                return Ok(false);
            }
            tx.execute(
                "UPDATE users SET blocked_at = NULL, block_reason = NULL WHERE cui = ?1",
                [cui],
            )?;
            append_audit_in(tx, audit)?;
            Ok(true)
        })
    }

    fn person_block(&self, cui: &str) -> Result<Option<PersonBlock>, StoreError> {
        let conn = self.read()?;
        let sql = format!("{BLOCK_SELECT} WHERE cui = ?1 AND lifted_at IS NULL");
        Ok(conn.query_row(&sql, [cui], block_from_row).optional()?)
    }

    fn person_blocks(&self, include_lifted: bool) -> Result<Vec<PersonBlock>, StoreError> {
        let conn = self.read()?;
        let sql = format!(
            "{BLOCK_SELECT} WHERE ?1 OR lifted_at IS NULL ORDER BY blocked_at DESC, id DESC"
        );
        let rows = conn
            .prepare(&sql)?
            .query_map([include_lifted], block_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn designate(
        &self,
        d: &NewDesignation<'_>,
        audit: &AuditRecord,
    ) -> Result<(Designation, Vec<Designation>), StoreError> {
        self.write(|tx| {
            let institution = institution_id(tx, d.institution_code)?;
            let cui = d.cui.to_string();
            let mut replaced = Vec::new();
            if d.role == DesignatedRole::LegalRepresentative {
                let sql = format!(
                    "{DESIGNATION_SELECT} WHERE c.institution_id = ?1 AND c.role = 'LEGAL_REPRESENTATIVE'
                     AND c.active = 1 AND c.cui <> ?2"
                );
                let old: Vec<Designation> = tx
                    .prepare(&sql)?
                    .query_map(params![institution, cui], designation_from_row)?
                    .collect::<Result<_, _>>()?;
                let reason = format!("reemplazado(a) por {cui}");
                for o in &old {
                    remove_in(
                        tx,
                        institution,
                        &o.cui.to_string(),
                        d.reference.unwrap_or(""),
                        &reason,
                        d.at,
                    )?;
                }
                replaced = old;
            }
            let inserted = tx.execute(
                "INSERT INTO coordinators (institution_id, cui, full_name, role, active, created_at,
                                           designation_reference)
                 VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)",
                params![institution, cui, d.full_name, d.role.as_str(), d.at, d.reference],
            );
            match inserted {
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::CoordinatorExists {
                        institution: d.institution_code.to_owned(),
                        cui: d.cui,
                    });
                }
                other => other?,
            };
            // Read before the audit entry, whose insert moves last_insert_rowid.
            let id = tx.last_insert_rowid();
            append_audit_in(tx, audit)?;
            let sql = format!("{DESIGNATION_SELECT} WHERE c.id = ?1");
            let new = tx.query_row(&sql, [id], designation_from_row)?;
            Ok((new, replaced))
        })
    }

    fn remove_designation(
        &self,
        institution_code: &str,
        cui: &str,
        reference: &str,
        reason: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Designation, StoreError> {
        self.write(|tx| {
            let institution = institution_id(tx, institution_code)?;
            if remove_in(tx, institution, cui, reference, reason, at)? == 0 {
                return Err(StoreError::CoordinatorUnknown {
                    institution: institution_code.to_owned(),
                    cui: cui.to_owned(),
                });
            }
            append_audit_in(tx, audit)?;
            let sql = format!("{DESIGNATION_SELECT} WHERE c.institution_id = ?1 AND c.cui = ?2");
            Ok(tx.query_row(&sql, params![institution, cui], designation_from_row)?)
        })
    }

    fn designations(&self, institution_code: Option<&str>) -> Result<Vec<Designation>, StoreError> {
        let conn = self.read()?;
        if let Some(code) = institution_code {
            institution_id(&conn, code)?;
        }
        let sql = format!(
            "{DESIGNATION_SELECT} WHERE ?1 IS NULL OR i.code = ?1
             ORDER BY i.code, c.removed_at IS NOT NULL, c.role, c.created_at"
        );
        let rows = conn
            .prepare(&sql)?
            .query_map([institution_code], designation_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn designation_removed_at(
        &self,
        institution_id: i64,
        cui: &str,
    ) -> Result<Option<String>, StoreError> {
        let conn = self.read()?;
        Ok(conn
            .query_row(
                "SELECT removed_at FROM coordinators WHERE institution_id = ?1 AND cui = ?2 AND active = 0",
                params![institution_id, cui],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    fn installation_id(&self) -> Result<String, StoreError> {
        let conn = self.read()?;
        conn.prepare_cached("SELECT id FROM installation LIMIT 1")?
            .query_row([], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::Corrupt("the installation id is missing".into()))
    }

    fn evidence_roots(&self) -> Result<Vec<EvidenceRoot>, StoreError> {
        let conn = self.read()?;
        let rows = conn
            .prepare(
                "SELECT fingerprint, subject, der, first_trusted_at FROM evidence_roots ORDER BY first_trusted_at",
            )?
            .query_map([], |r| {
                Ok(EvidenceRoot {
                    fingerprint: r.get(0)?,
                    subject: r.get(1)?,
                    der: r.get(2)?,
                    first_trusted_at: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
