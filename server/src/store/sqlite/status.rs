//! [`StatusStore`] on SQLite.

use rusqlite::{OptionalExtension, params};

use super::{INSTITUTION_COLUMNS, append_audit_in, institution_from_row};
use crate::audit::AuditRecord;
use crate::store::status::StatusStore;
use crate::store::{Institution, InstitutionStatus, SqliteStore, StoreError};

impl StatusStore for SqliteStore {
    fn institution_by_id(&self, id: i64) -> Result<Option<Institution>, StoreError> {
        let conn = self.read()?;
        let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE id = ?1");
        Ok(conn
            .query_row(&sql, [id], institution_from_row)
            .optional()?)
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
                "UPDATE institutions SET status = ?2, status_cause = ?3, status_note = ?4, status_since = ?5
                 WHERE code = ?1",
                params![code, status.as_str(), cause, note, at],
            )?;
            if n == 0 {
                return Err(StoreError::InstitutionUnknown(code.to_owned()));
            }
            if status != InstitutionStatus::Active {
                tx.execute(
                    "UPDATE sessions SET ended_at = ?2, end_reason = 'INSTITUTION_' || ?3
                     WHERE ended_at IS NULL AND institution_id = (SELECT id FROM institutions WHERE code = ?1)",
                    params![code, at, status.as_str()],
                )?;
            }
            append_audit_in(tx, audit)?;
            let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE code = ?1");
            Ok(tx.query_row(&sql, [code], institution_from_row)?)
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
            let id: i64 = tx
                .query_row("SELECT id FROM institutions WHERE code = ?1", [code], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::InstitutionUnknown(code.to_owned()))?;
            tx.execute(
                "INSERT INTO payments (institution_id, period, amount_cents, recorded_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, period, amount_cents, at],
            )?;
            // Only a suspension for unpaid consumption is lifted by paying;
            // a breach of the agreement needs an admin's decision.
            tx.execute(
                "UPDATE institutions SET status = 'ACTIVE', status_cause = NULL, status_note = NULL, status_since = ?2
                 WHERE id = ?1 AND status = 'INACTIVE' AND status_cause = 'PAYMENT'",
                params![id, at],
            )?;
            append_audit_in(tx, audit)?;
            let sql = format!("SELECT {INSTITUTION_COLUMNS} FROM institutions WHERE id = ?1");
            Ok(tx.query_row(&sql, [id], institution_from_row)?)
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
                        "UPDATE users SET blocked_at = ?2, block_reason = ?3 WHERE cui = ?1",
                        params![cui, at, reason],
                    )?;
                    tx.execute(
                        "UPDATE sessions SET ended_at = ?2, end_reason = 'USER_BLOCKED'
                         WHERE cui = ?1 AND role = 'USER' AND ended_at IS NULL",
                        params![cui, at],
                    )?;
                    n
                }
                None => tx.execute(
                    "UPDATE users SET blocked_at = NULL, block_reason = NULL WHERE cui = ?1",
                    [cui],
                )?,
            };
            if n > 0 {
                append_audit_in(tx, audit)?;
            }
            Ok(n)
        })
    }
}
