//! [`PeopleStore`] on PostgreSQL.

use postgres::{GenericClient, Row};

use super::{PgStore, append_audit_in, cui_column, institution_id, opt_row};
use crate::audit::AuditRecord;
use crate::store::StoreError;
use crate::store::people::{
    DesignatedRole, Designation, EvidenceRoot, NewDesignation, PeopleStore, PersonBlock,
};

const BLOCK_SELECT: &str =
    "SELECT cui, cause, blocked_at, blocked_by, lifted_at, lifted_by FROM person_blocks";

fn block_from_row(r: &Row) -> PersonBlock {
    PersonBlock {
        cui: r.get(0),
        cause: r.get(1),
        blocked_at: r.get(2),
        blocked_by: r.get(3),
        lifted_at: r.get(4),
        lifted_by: r.get(5),
    }
}

const DESIGNATION_SELECT: &str = "SELECT i.code, c.cui, c.full_name, c.role, c.created_at,
            c.designation_reference, c.removed_at, c.removal_reference, c.removal_reason
     FROM coordinators c JOIN institutions i ON i.id = c.institution_id";

fn designation_from_row(r: &Row) -> Result<Designation, StoreError> {
    Ok(Designation {
        institution_code: r.get(0),
        cui: cui_column(r, 1)?,
        full_name: r.get(2),
        role: r.get(3),
        designated_at: r.get(4),
        designation_reference: r.get(5),
        removed_at: r.get(6),
        removal_reference: r.get(7),
        removal_reason: r.get(8),
    })
}

/// Marks a designation removed and ends that person's coordinator
/// sessions in the institution, inside the caller's transaction.
fn remove_in(
    tx: &mut impl GenericClient,
    institution: i64,
    cui: &str,
    reference: &str,
    reason: &str,
    at: &str,
) -> Result<u64, StoreError> {
    let n = tx.execute(
        "UPDATE coordinators SET active = FALSE, removed_at = $3, removal_reference = $4, removal_reason = $5
         WHERE institution_id = $1 AND cui = $2 AND active",
        &[&institution, &cui, &at, &reference, &reason],
    )?;
    if n > 0 {
        tx.execute(
            "UPDATE sessions SET ended_at = $3, end_reason = 'COORDINATOR_REMOVED'
             WHERE institution_id = $1 AND cui = $2 AND role = 'COORDINATOR' AND ended_at IS NULL",
            &[&institution, &cui, &at],
        )?;
    }
    Ok(n)
}

impl PeopleStore for PgStore {
    fn block_person(
        &self,
        cui: &str,
        cause: &str,
        by: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "INSERT INTO person_blocks (cui, cause, blocked_at, blocked_by) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (cui) WHERE lifted_at IS NULL DO NOTHING",
                &[&cui, &cause, &at, &by],
            )?;
            if n == 0 {
                return Ok(false);
            }
            tx.execute(
                "UPDATE users SET blocked_at = $2, block_reason = $3 WHERE cui = $1",
                &[&cui, &at, &cause],
            )?;
            tx.execute(
                "UPDATE sessions SET ended_at = $2, end_reason = 'PERSON_BLOCKED'
                 WHERE cui = $1 AND ended_at IS NULL",
                &[&cui, &at],
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
                "UPDATE person_blocks SET lifted_at = $2, lifted_by = $3 WHERE cui = $1 AND lifted_at IS NULL",
                &[&cui, &at, &by],
            )?;
            if n == 0 {
                return Ok(false);
            }
            tx.execute(
                "UPDATE users SET blocked_at = NULL, block_reason = NULL WHERE cui = $1",
                &[&cui],
            )?;
            append_audit_in(tx, audit)?;
            Ok(true)
        })
    }

    fn person_block(&self, cui: &str) -> Result<Option<PersonBlock>, StoreError> {
        self.read(|c| {
            let sql = format!("{BLOCK_SELECT} WHERE cui = $1 AND lifted_at IS NULL");
            Ok(opt_row(c, &sql, &[&cui])?.as_ref().map(block_from_row))
        })
    }

    fn person_blocks(&self, include_lifted: bool) -> Result<Vec<PersonBlock>, StoreError> {
        self.read(|c| {
            let sql = format!(
                "{BLOCK_SELECT} WHERE $1 OR lifted_at IS NULL ORDER BY blocked_at DESC, id DESC"
            );
            Ok(c.query(&sql, &[&include_lifted])?
                .iter()
                .map(block_from_row)
                .collect())
        })
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
                    "{DESIGNATION_SELECT} WHERE c.institution_id = $1 AND c.role = 'LEGAL_REPRESENTATIVE'
                     AND c.active AND c.cui <> $2"
                );
                let old: Vec<Designation> = tx
                    .query(&sql, &[&institution, &cui])?
                    .iter()
                    .map(designation_from_row)
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
            let row = opt_row(
                tx,
                "INSERT INTO coordinators (institution_id, cui, full_name, role, active, created_at,
                                           designation_reference)
                 VALUES ($1, $2, $3, $4, TRUE, $5, $6)
                 ON CONFLICT (institution_id, cui) DO NOTHING RETURNING id",
                &[&institution, &cui, &d.full_name, &d.role.as_str(), &d.at, &d.reference],
            )?;
            let Some(row) = row else {
                return Err(StoreError::CoordinatorExists {
                    institution: d.institution_code.to_owned(),
                    cui: d.cui,
                });
            };
            let id: i64 = row.get(0);
            append_audit_in(tx, audit)?;
            let sql = format!("{DESIGNATION_SELECT} WHERE c.id = $1");
            let new = designation_from_row(&tx.query_one(&sql, &[&id])?)?;
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
            let sql = format!("{DESIGNATION_SELECT} WHERE c.institution_id = $1 AND c.cui = $2");
            designation_from_row(&tx.query_one(&sql, &[&institution, &cui])?)
        })
    }

    fn designations(&self, institution_code: Option<&str>) -> Result<Vec<Designation>, StoreError> {
        self.read(|c| {
            if let Some(code) = institution_code {
                institution_id(c, code)?;
            }
            let sql = format!(
                "{DESIGNATION_SELECT} WHERE $1::TEXT IS NULL OR i.code = $1
                 ORDER BY i.code COLLATE \"C\", c.removed_at IS NOT NULL, c.role, c.created_at"
            );
            c.query(&sql, &[&institution_code])?
                .iter()
                .map(designation_from_row)
                .collect()
        })
    }

    fn designation_removed_at(
        &self,
        institution_id: i64,
        cui: &str,
    ) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            Ok(opt_row(
                c,
                "SELECT removed_at FROM coordinators WHERE institution_id = $1 AND cui = $2 AND NOT active",
                &[&institution_id, &cui],
            )?
            .and_then(|r| r.get::<_, Option<String>>(0)))
        })
    }

    fn installation_id(&self) -> Result<String, StoreError> {
        self.read(|c| {
            opt_row(c, "SELECT id FROM installation LIMIT 1", &[])?
                .map(|r| r.get(0))
                .ok_or_else(|| StoreError::Corrupt("the installation id is missing".into()))
        })
    }

    fn evidence_roots(&self) -> Result<Vec<EvidenceRoot>, StoreError> {
        self.read(|c| {
            Ok(c.query(
                "SELECT fingerprint, subject, der, first_trusted_at FROM evidence_roots ORDER BY first_trusted_at",
                &[],
            )?
            .iter()
            .map(|r| EvidenceRoot {
                fingerprint: r.get(0),
                subject: r.get(1),
                der: r.get(2),
                first_trusted_at: r.get(3),
            })
            .collect())
        })
    }
}
