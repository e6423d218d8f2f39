//! [`LifecycleStore`] on SQLite.

use rusqlite::{OptionalExtension, params};

use super::append_audit_in;
use crate::audit::AuditRecord;
use crate::store::lifecycle::{Agreement, LifecycleFacts, LifecycleStore};
use crate::store::{SqliteStore, StoreError};

const AGREEMENT_SELECT: &str =
    "SELECT i.code, a.starts_on, a.ends_on, a.service_cui, a.service_names, a.monthly_quota
     FROM agreements a JOIN institutions i ON i.id = a.institution_id
     WHERE i.code = ?1 ORDER BY a.id DESC LIMIT 1";

fn agreement_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Agreement> {
    Ok(Agreement {
        institution_code: r.get(0)?,
        starts_on: r.get(1)?,
        ends_on: r.get(2)?,
        service_cui: r.get(3)?,
        service_names: r.get(4)?,
        monthly_quota: r.get(5)?,
    })
}

impl LifecycleStore for SqliteStore {
    fn set_agreement(
        &self,
        a: &Agreement,
        today: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let id: i64 = tx
                .query_row("SELECT id FROM institutions WHERE code = ?1", [&a.institution_code], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::InstitutionUnknown(a.institution_code.clone()))?;
            tx.execute(
                "INSERT INTO agreements (institution_id, starts_on, ends_on, service_cui, service_names, monthly_quota,
                                         created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, a.starts_on, a.ends_on, a.service_cui, a.service_names, a.monthly_quota, at],
            )?;
            // Cancellation is undone only by an agreement in force; last_query_at
            // restarts the 90-day count from the renewal.
            tx.execute(
                "UPDATE institutions SET status = 'ACTIVE', status_cause = NULL, status_note = NULL, status_since = ?2,
                        last_query_at = ?2
                 WHERE id = ?1 AND status = 'CANCELLED' AND ?3 BETWEEN ?4 AND ?5",
                params![id, at, today, a.starts_on, a.ends_on],
            )?;
            append_audit_in(tx, audit)?;
            Ok(())
        })
    }

    fn agreement(&self, code: &str) -> Result<Option<Agreement>, StoreError> {
        let conn = self.read()?;
        Ok(conn
            .query_row(AGREEMENT_SELECT, [code], agreement_from_row)
            .optional()?)
    }

    fn set_programmes(
        &self,
        code: &str,
        programmes: &[String],
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let id: i64 = tx
                .query_row("SELECT id FROM institutions WHERE code = ?1", [code], |r| {
                    r.get(0)
                })
                .optional()?
                .ok_or_else(|| StoreError::InstitutionUnknown(code.to_owned()))?;
            tx.execute(
                "DELETE FROM agreement_programmes WHERE institution_id = ?1",
                [id],
            )?;
            for p in programmes {
                tx.execute(
                    "INSERT INTO agreement_programmes (institution_id, programme, set_at)
                     VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                    params![id, p, at],
                )?;
            }
            append_audit_in(tx, audit)?;
            Ok(())
        })
    }

    fn programmes(&self, code: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.read()?;
        let rows = conn
            .prepare_cached(
                "SELECT p.programme FROM agreement_programmes p
                 JOIN institutions i ON i.id = p.institution_id
                 WHERE i.code = ?1 ORDER BY p.programme",
            )?
            .query_map([code], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    }

    fn request_continuity(
        &self,
        code: &str,
        year: i32,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let id: i64 = tx
                .query_row("SELECT id FROM institutions WHERE code = ?1", [code], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::InstitutionUnknown(code.to_owned()))?;
            tx.execute(
                "INSERT INTO continuity_requests (institution_id, year, requested_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                params![id, year, at],
            )?;
            append_audit_in(tx, audit)?;
            Ok(())
        })
    }

    fn lifecycle_facts(&self) -> Result<Vec<LifecycleFacts>, StoreError> {
        let conn = self.read()?;
        // (id, code, status, cause, created_at, last_query_at)
        type Row = (i64, String, String, Option<String>, String, Option<String>);
        let base: Vec<Row> = conn
            .prepare(
                "SELECT id, code, status, status_cause, created_at, last_query_at FROM institutions ORDER BY code",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(base.len());
        for (id, code, status, status_cause, created_at, last_query_at) in base {
            let agreement = conn
                .query_row(AGREEMENT_SELECT, [&code], agreement_from_row)
                .optional()?;
            let continuity_years = conn
                .prepare("SELECT year FROM continuity_requests WHERE institution_id = ?1")?
                .query_map([id], |r| r.get(0))?
                .collect::<Result<Vec<i32>, _>>()?;
            out.push(LifecycleFacts {
                code,
                status,
                status_cause,
                created_at,
                last_query_at,
                agreement,
                continuity_years,
            });
        }
        Ok(out)
    }

    fn mark_once(&self, name: &str, at: &str) -> Result<bool, StoreError> {
        let conn = self.lock();
        let n = conn.execute(
            "INSERT INTO lifecycle_marks (name, at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![name, at],
        )?;
        Ok(n == 1)
    }

    fn deactivate_users(
        &self,
        code: &str,
        year: i32,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<usize, StoreError> {
        // The local year of the pass (its UTC stamp may still be December's).
        self.write(|tx| {
            // Kept apart from `users`, whose row changes again when the
            // coordinator re-adds the person.
            tx.execute(
                "INSERT INTO january_deactivations (year, institution_id, user_cui, full_name, programme, deactivated_at)
                 SELECT ?3, institution_id, cui, full_name, programme, ?2 FROM users
                 WHERE status = 'ACTIVE' AND institution_id = (SELECT id FROM institutions WHERE code = ?1)
                 ON CONFLICT DO NOTHING",
                params![code, at, year],
            )?;
            let n = tx.execute(
                "UPDATE users SET status = 'INACTIVE', status_since = ?2, removal_reason = 'JANUARY_DEACTIVATION'
                 WHERE status = 'ACTIVE' AND institution_id = (SELECT id FROM institutions WHERE code = ?1)",
                params![code, at],
            )?;
            tx.execute(
                "UPDATE sessions SET ended_at = ?2, end_reason = 'JANUARY_DEACTIVATION'
                 WHERE role = 'USER' AND ended_at IS NULL
                   AND institution_id = (SELECT id FROM institutions WHERE code = ?1)",
                params![code, at],
            )?;
            if n > 0 {
                let mut audit = audit.clone();
                if let Some(d) = audit.detail.as_object_mut() {
                    d.insert("users".into(), n.into());
                }
                append_audit_in(tx, &audit)?;
            }
            Ok(n)
        })
    }
}
