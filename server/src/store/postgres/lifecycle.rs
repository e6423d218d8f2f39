//! [`LifecycleStore`] on PostgreSQL.

use postgres::{GenericClient, Row};

use super::{PgStore, append_audit_in, institution_id, opt_row};
use crate::audit::AuditRecord;
use crate::store::StoreError;
use crate::store::lifecycle::{Agreement, LifecycleFacts, LifecycleStore};

const AGREEMENT_SELECT: &str =
    "SELECT i.code, a.starts_on, a.ends_on, a.service_cui, a.service_names, a.monthly_quota
     FROM agreements a JOIN institutions i ON i.id = a.institution_id
     WHERE i.code = $1 ORDER BY a.id DESC LIMIT 1";

fn agreement_from_row(r: &Row) -> Agreement {
    Agreement {
        institution_code: r.get(0),
        starts_on: r.get(1),
        ends_on: r.get(2),
        service_cui: r.get(3),
        service_names: r.get(4),
        monthly_quota: r.get(5),
    }
}

fn agreement_of(c: &mut impl GenericClient, code: &str) -> Result<Option<Agreement>, StoreError> {
    Ok(opt_row(c, AGREEMENT_SELECT, &[&code])?
        .as_ref()
        .map(agreement_from_row))
}

impl LifecycleStore for PgStore {
    fn set_programmes(
        &self,
        code: &str,
        programmes: &[String],
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let id = institution_id(tx, code)?;
            tx.execute(
                "DELETE FROM agreement_programmes WHERE institution_id = $1",
                &[&id],
            )?;
            for p in programmes {
                tx.execute(
                    "INSERT INTO agreement_programmes (institution_id, programme, set_at)
                     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    &[&id, p, &at],
                )?;
            }
            append_audit_in(tx, audit)?;
            Ok(())
        })
    }

    fn programmes(&self, code: &str) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let rows = c.query(
                "SELECT p.programme FROM agreement_programmes p
                 JOIN institutions i ON i.id = p.institution_id
                 WHERE i.code = $1 ORDER BY p.programme",
                &[&code],
            )?;
            Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
        })
    }

    fn set_agreement(
        &self,
        a: &Agreement,
        today: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let id = institution_id(tx, &a.institution_code)?;
            tx.execute(
                "INSERT INTO agreements (institution_id, starts_on, ends_on, service_cui, service_names, monthly_quota,
                                         created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&id, &a.starts_on, &a.ends_on, &a.service_cui, &a.service_names, &a.monthly_quota, &at],
            )?;
            tx.execute(
                "UPDATE institutions SET status = 'ACTIVE', status_cause = NULL, status_note = NULL, status_since = $2,
                        last_query_at = $2
                 WHERE id = $1 AND status = 'CANCELLED' AND $3::TEXT BETWEEN $4::TEXT AND $5::TEXT",
                &[&id, &at, &today, &a.starts_on, &a.ends_on],
            )?;
            append_audit_in(tx, audit)?;
            Ok(())
        })
    }

    fn agreement(&self, code: &str) -> Result<Option<Agreement>, StoreError> {
        self.read(|c| agreement_of(c, code))
    }

    fn request_continuity(
        &self,
        code: &str,
        year: i32,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            let id = institution_id(tx, code)?;
            tx.execute(
                "INSERT INTO continuity_requests (institution_id, year, requested_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&id, &year, &at],
            )?;
            append_audit_in(tx, audit)?;
            Ok(())
        })
    }

    fn lifecycle_facts(&self) -> Result<Vec<LifecycleFacts>, StoreError> {
        self.read(|c| {
            let base = c.query(
                "SELECT id, code, status, status_cause, created_at, last_query_at FROM institutions ORDER BY code",
                &[],
            )?;
            let mut out = Vec::with_capacity(base.len());
            for r in base {
                let id: i64 = r.get(0);
                let code: String = r.get(1);
                let agreement = agreement_of(c, &code)?;
                let continuity_years = c
                    .query(
                        "SELECT year FROM continuity_requests WHERE institution_id = $1",
                        &[&id],
                    )?
                    .iter()
                    .map(|y| y.get(0))
                    .collect();
                out.push(LifecycleFacts {
                    code,
                    status: r.get(2),
                    status_cause: r.get(3),
                    created_at: r.get(4),
                    last_query_at: r.get(5),
                    agreement,
                    continuity_years,
                });
            }
            Ok(out)
        })
    }

    fn mark_once(&self, name: &str, at: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            let n = c.execute(
                "INSERT INTO lifecycle_marks (name, at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&name, &at],
            )?;
            Ok(n == 1)
        })
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
            tx.execute(
                "INSERT INTO january_deactivations (year, institution_id, user_cui, full_name, programme, deactivated_at)
                 SELECT $3::INTEGER, institution_id, cui, full_name, programme, $2::TEXT FROM users
                 WHERE status = 'ACTIVE' AND institution_id = (SELECT id FROM institutions WHERE code = $1)
                 ON CONFLICT DO NOTHING",
                &[&code, &at, &year],
            )?;
            let n = tx.execute(
                "UPDATE users SET status = 'INACTIVE', status_since = $2, removal_reason = 'JANUARY_DEACTIVATION'
                 WHERE status = 'ACTIVE' AND institution_id = (SELECT id FROM institutions WHERE code = $1)",
                &[&code, &at],
            )? as usize;
            tx.execute(
                "UPDATE sessions SET ended_at = $2, end_reason = 'JANUARY_DEACTIVATION'
                 WHERE role = 'USER' AND ended_at IS NULL
                   AND institution_id = (SELECT id FROM institutions WHERE code = $1)",
                &[&code, &at],
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
