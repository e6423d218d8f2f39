//! [`CaseStore`] on SQLite.

use padron_shared::cases::CaseState;
use rusqlite::{OptionalExtension, Row, params};

use super::append_audit_in;
use crate::audit::AuditRecord;
use crate::store::auth::StoredRequest;
use crate::store::cases::{CaseChange, CaseRecord, CaseRowRecord, CaseStore, NewCase};
use crate::store::{SqliteStore, StoreError, names};

const CASE_SELECT: &str =
    "SELECT c.id, c.institution_id, i.code, c.job_id, c.coordinator_cui, c.workstation_id,
        c.state, c.payload, c.received_at, c.in_process_at, c.closed_at, c.purged_at,
        (SELECT count(*) FROM case_rows r WHERE r.case_id = c.id),
        (SELECT count(*) FROM case_rows r WHERE r.case_id = c.id AND r.outcome IS NOT NULL)
    FROM cases c JOIN institutions i ON i.id = c.institution_id";

fn case_from_row(r: &Row<'_>) -> rusqlite::Result<CaseRecord> {
    Ok(CaseRecord {
        id: r.get(0)?,
        institution_id: r.get(1)?,
        institution_code: r.get(2)?,
        job_id: r.get(3)?,
        coordinator_cui: r.get(4)?,
        workstation_id: r.get(5)?,
        state: names::sqlite(r, 6)?,
        payload: r.get(7)?,
        received_at: r.get(8)?,
        in_process_at: r.get(9)?,
        closed_at: r.get(10)?,
        purged_at: r.get(11)?,
        rows_total: r.get(12)?,
        rows_answered: r.get(13)?,
    })
}

fn state_of(tx: &rusqlite::Connection, id: &str) -> rusqlite::Result<Option<CaseState>> {
    tx.query_row("SELECT state FROM cases WHERE id = ?1", [id], |r| {
        names::sqlite(r, 0)
    })
    .optional()
}

impl CaseStore for SqliteStore {
    fn add_case(&self, case: &NewCase, audit: &AuditRecord) -> Result<bool, StoreError> {
        self.write(|tx| {
            if state_of(tx, &case.id)?.is_some() {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO cases (id, institution_id, job_id, coordinator_cui, workstation_id, payload,
                                    algorithm, signature, certificate, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    case.id,
                    case.institution_id,
                    case.job_id,
                    case.coordinator_cui,
                    case.workstation_id,
                    case.payload,
                    case.algorithm,
                    case.signature,
                    case.certificate,
                    case.at
                ],
            )?;
            for row in &case.rows {
                tx.execute(
                    "INSERT INTO case_rows (case_id, fila, referencia, resultado, consulta)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![case.id, row.fila, row.referencia, row.resultado, row.consulta],
                )?;
            }
            append_audit_in(tx, audit)?;
            Ok(true)
        })
    }

    fn case(&self, id: &str) -> Result<Option<CaseRecord>, StoreError> {
        let conn = self.read()?;
        let sql = format!("{CASE_SELECT} WHERE c.id = ?1");
        Ok(conn.query_row(&sql, [id], case_from_row).optional()?)
    }

    fn case_rows(&self, id: &str) -> Result<Vec<CaseRowRecord>, StoreError> {
        let conn = self.read()?;
        let rows = conn
            .prepare(
                "SELECT fila, referencia, resultado, consulta, outcome, outcome_cui, note, updated_at
                 FROM case_rows WHERE case_id = ?1 ORDER BY fila",
            )?
            .query_map([id], |r| {
                Ok(CaseRowRecord {
                    fila: r.get(0)?,
                    referencia: r.get(1)?,
                    resultado: r.get(2)?,
                    consulta: r.get(3)?,
                    outcome: r.get(4)?,
                    outcome_cui: r.get(5)?,
                    note: r.get(6)?,
                    updated_at: r.get(7)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn cases(
        &self,
        institution_id: Option<i64>,
        state: Option<CaseState>,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        let state = state.map(CaseState::as_str);
        let conn = self.read()?;
        let sql = format!(
            "{CASE_SELECT} WHERE (?1 IS NULL OR c.institution_id = ?1) AND (?2 IS NULL OR c.state = ?2)
             ORDER BY c.received_at DESC, c.id LIMIT 1000"
        );
        let rows = conn
            .prepare(&sql)?
            .query_map(params![institution_id, state], case_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn update_case_row(
        &self,
        id: &str,
        fila: u32,
        outcome: &str,
        outcome_cui: Option<&str>,
        note: Option<&str>,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<CaseChange, StoreError> {
        self.write(|tx| {
            match state_of(tx, id)? {
                None => return Ok(CaseChange::NoSuchCase),
                Some(CaseState::Cerrado) => return Ok(CaseChange::Closed),
                Some(_) => {}
            }
            let n = tx.execute(
                "UPDATE case_rows SET outcome = ?3, outcome_cui = ?4, note = ?5, updated_at = ?6
                 WHERE case_id = ?1 AND fila = ?2",
                params![id, fila, outcome, outcome_cui, note, at],
            )?;
            if n == 0 {
                return Ok(CaseChange::NoSuchRow);
            }
            tx.execute(
                "UPDATE cases SET state = 'EN_PROCESO', in_process_at = ?2 WHERE id = ?1 AND state = 'RECIBIDO'",
                params![id, at],
            )?;
            append_audit_in(tx, audit)?;
            Ok(CaseChange::Done)
        })
    }

    fn close_case(
        &self,
        id: &str,
        at: &str,
        audit: &AuditRecord,
    ) -> Result<CaseChange, StoreError> {
        self.write(|tx| {
            match state_of(tx, id)? {
                None => return Ok(CaseChange::NoSuchCase),
                Some(CaseState::Cerrado) => return Ok(CaseChange::Closed),
                Some(_) => {}
            }
            tx.execute(
                "UPDATE cases SET state = 'CERRADO', closed_at = ?2,
                        in_process_at = coalesce(in_process_at, ?2)
                 WHERE id = ?1",
                params![id, at],
            )?;
            append_audit_in(tx, audit)?;
            Ok(CaseChange::Done)
        })
    }

    fn stored_case_requests(&self) -> Result<Vec<StoredRequest>, StoreError> {
        let conn = self.read()?;
        let rows = conn
            .prepare(
                "SELECT id, payload, algorithm, signature, certificate FROM cases
                 WHERE purged_at IS NULL ORDER BY received_at",
            )?
            .query_map([], |r| {
                Ok(StoredRequest {
                    id: r.get(0)?,
                    payload: r.get(1)?,
                    algorithm: r.get(2)?,
                    signature: r.get(3)?,
                    certificate: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn purge_cases(
        &self,
        cutoff: &str,
        at: &str,
        audit: &dyn Fn(&str) -> AuditRecord,
    ) -> Result<Vec<String>, StoreError> {
        self.write(|tx| {
            let ids = tx
                .prepare(
                    "SELECT id FROM cases WHERE state = 'CERRADO' AND purged_at IS NULL AND closed_at < ?1",
                )?
                .query_map([cutoff], |r| r.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            for id in &ids {
                tx.execute(
                    "UPDATE cases SET payload = X'', purged_at = ?2 WHERE id = ?1",
                    params![id, at],
                )?;
                tx.execute(
                    "UPDATE case_rows SET consulta = '', note = NULL WHERE case_id = ?1",
                    [id],
                )?;
                append_audit_in(tx, &audit(id))?;
            }
            Ok(ids)
        })
    }
}
