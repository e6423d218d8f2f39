//! [`StatusStore`] on PostgreSQL.

use super::{
    INSTITUTION_COLUMNS, PgStore, append_audit_in, institution_from_row, institution_id, opt_row,
};
use crate::audit::AuditRecord;
use crate::store::status::StatusStore;
use crate::store::{Institution, InstitutionStatus, StoreError};

impl StatusStore for PgStore {
    fn institution_by_id(&self, id: i64) -> Result<Option<Institution>, StoreError> {
        self.read(|c| {
            let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE id = $1");
            opt_row(c, &sql, &[&id])?
                .as_ref()
                .map(institution_from_row)
                .transpose()
        })
    }

    fn set_institution_status(
        &self,
        code: &str,
        status: InstitutionStatus,
        cause: Option<&str>,
        note: Option<&str>,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Institution, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE institutions SET status = $2, status_cause = $3, status_note = $4, status_since = $5
                 WHERE code = $1",
                &[&code, &status.as_str(), &cause, &note, &at],
            )?;
            if n == 0 {
                return Err(StoreError::InstitutionUnknown(code.to_owned()));
            }
            if status != InstitutionStatus::Active {
                tx.execute(
                    "UPDATE sessions SET ended_at = $2, end_reason = 'INSTITUTION_' || $3::TEXT
                     WHERE ended_at IS NULL AND institution_id = (SELECT id FROM institutions WHERE code = $1)",
                    &[&code, &at, &status.as_str()],
                )?;
            }
            append_audit_in(tx, audit)?;
            let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE code = $1");
            institution_from_row(&tx.query_one(&sql, &[&code])?)
        })
    }

    fn record_payment(
        &self,
        code: &str,
        period: &str,
        amount_cents: i64,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<Institution, StoreError> {
        self.write(|tx| {
            let id = institution_id(tx, code)?;
            tx.execute(
                "INSERT INTO payments (institution_id, period, amount_cents, recorded_at) VALUES ($1, $2, $3, $4)",
                &[&id, &period, &amount_cents, &at],
            )?;
            tx.execute(
                "UPDATE institutions SET status = 'ACTIVE', status_cause = NULL, status_note = NULL, status_since = $2
                 WHERE id = $1 AND status = 'INACTIVE' AND status_cause = 'PAYMENT'",
                &[&id, &at],
            )?;
            append_audit_in(tx, audit)?;
            let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE id = $1");
            institution_from_row(&tx.query_one(&sql, &[&id])?)
        })
    }

    fn set_user_block(
        &self,
        cui: &str,
        reason: Option<&str>,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<usize, StoreError> {
        self.write(|tx| {
            let n = match reason {
                Some(reason) => {
                    let n = tx.execute(
                        "UPDATE users SET blocked_at = $2, block_reason = $3 WHERE cui = $1",
                        &[&cui, &at, &reason],
                    )?;
                    tx.execute(
                        "UPDATE sessions SET ended_at = $2, end_reason = 'USER_BLOCKED'
                         WHERE cui = $1 AND role = 'USER' AND ended_at IS NULL",
                        &[&cui, &at],
                    )?;
                    n
                }
                None => tx.execute(
                    "UPDATE users SET blocked_at = NULL, block_reason = NULL WHERE cui = $1",
                    &[&cui],
                )?,
            };
            if n > 0 {
                append_audit_in(tx, audit)?;
            }
            Ok(n as usize)
        })
    }
}
