//! [`CaseStore`] on PostgreSQL: the SQLite statements of
//! `store/sqlite/cases.rs`, each write in one transaction under the write
//! lock with its audit entry.

use padron_shared::cases::CaseState;
use postgres::{GenericClient, Row};

use super::{PgStore, append_audit_in, count_u32, opt_row};
use crate::audit::AuditRecord;
use crate::store::auth::StoredRequest;
use crate::store::cases::{CaseChange, CaseRecord, CaseRowRecord, CaseStore, NewCase};
use crate::store::{StoreError, names};

const CASE_SELECT: &str =
    "SELECT c.id, c.institution_id, i.code, c.job_id, c.coordinator_cui, c.workstation_id,
        c.state, c.payload, c.received_at, c.in_process_at, c.closed_at, c.purged_at,
        (SELECT count(*) FROM case_rows r WHERE r.case_id = c.id),
        (SELECT count(*) FROM case_rows r WHERE r.case_id = c.id AND r.outcome IS NOT NULL)
    FROM cases c JOIN institutions i ON i.id = c.institution_id";

fn case_from_row(r: &Row) -> Result<CaseRecord, StoreError> {
    Ok(CaseRecord {
        id: r.get(0),
        institution_id: r.get(1),
        institution_code: r.get(2),
        job_id: r.get(3),
        coordinator_cui: r.get(4),
        workstation_id: r.get(5),
        state: names::pg(r, 6)?,
        payload: r.get(7),
        received_at: r.get(8),
        in_process_at: r.get(9),
        closed_at: r.get(10),
        purged_at: r.get(11),
        rows_total: count_u32(r.get(12)),
        rows_answered: count_u32(r.get(13)),
    })
}

/// A row number as stored (`BIGINT`) and back.
fn fila_from(stored: i64) -> Result<u32, StoreError> {
    u32::try_from(stored).map_err(|_| StoreError::Corrupt(format!("case row number {stored}")))
}

fn state_of(c: &mut impl GenericClient, id: &str) -> Result<Option<CaseState>, StoreError> {
    opt_row(c, "SELECT state FROM cases WHERE id = $1", &[&id])?
        .map(|r| names::pg(&r, 0))
        .transpose()
}

impl CaseStore for PgStore {
    fn add_case(&self, case: &NewCase, audit: &AuditRecord) -> Result<bool, StoreError> {
        self.write(|tx| {
            if state_of(tx, &case.id)?.is_some() {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO cases (id, institution_id, job_id, coordinator_cui, workstation_id, payload,
                                    algorithm, signature, certificate, received_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &case.id,
                    &case.institution_id,
                    &case.job_id,
                    &case.coordinator_cui,
                    &case.workstation_id,
                    &case.payload,
                    &case.algorithm,
                    &case.signature,
                    &case.certificate,
                    &case.at,
                ],
            )?;
            for row in &case.rows {
                tx.execute(
                    "INSERT INTO case_rows (case_id, fila, referencia, resultado, consulta)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &case.id,
                        &i64::from(row.fila),
                        &row.referencia,
                        &row.resultado,
                        &row.consulta,
                    ],
                )?;
            }
            append_audit_in(tx, audit)?;
            Ok(true)
        })
    }

    fn case(&self, id: &str) -> Result<Option<CaseRecord>, StoreError> {
        self.read(|c| {
            let sql = format!("{CASE_SELECT} WHERE c.id = $1");
            opt_row(c, &sql, &[&id])?
                .as_ref()
                .map(case_from_row)
                .transpose()
        })
    }

    fn case_rows(&self, id: &str) -> Result<Vec<CaseRowRecord>, StoreError> {
        self.read(|c| {
            c.query(
                "SELECT fila, referencia, resultado, consulta, outcome, outcome_cui, note, updated_at
                 FROM case_rows WHERE case_id = $1 ORDER BY fila",
                &[&id],
            )?
            .iter()
            .map(|r| {
                Ok(CaseRowRecord {
                    fila: fila_from(r.get(0))?,
                    referencia: r.get(1),
                    resultado: r.get(2),
                    consulta: r.get(3),
                    outcome: r.get(4),
                    outcome_cui: r.get(5),
                    note: r.get(6),
                    updated_at: r.get(7),
                })
            })
            .collect()
        })
    }

    fn cases(
        &self,
        institution_id: Option<i64>,
        state: Option<CaseState>,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        let state = state.map(CaseState::as_str);
        self.read(|c| {
            let sql = format!(
                "{CASE_SELECT} WHERE ($1::BIGINT IS NULL OR c.institution_id = $1)
                   AND ($2::TEXT IS NULL OR c.state = $2)
                 ORDER BY c.received_at DESC, c.id LIMIT 1000"
            );
            c.query(&sql, &[&institution_id, &state])?
                .iter()
                .map(case_from_row)
                .collect()
        })
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
                "UPDATE case_rows SET outcome = $3, outcome_cui = $4, note = $5, updated_at = $6
                 WHERE case_id = $1 AND fila = $2",
                &[&id, &i64::from(fila), &outcome, &outcome_cui, &note, &at],
            )?;
            if n == 0 {
                return Ok(CaseChange::NoSuchRow);
            }
            tx.execute(
                "UPDATE cases SET state = 'EN_PROCESO', in_process_at = $2
                 WHERE id = $1 AND state = 'RECIBIDO'",
                &[&id, &at],
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
                "UPDATE cases SET state = 'CERRADO', closed_at = $2,
                        in_process_at = coalesce(in_process_at, $2)
                 WHERE id = $1",
                &[&id, &at],
            )?;
            append_audit_in(tx, audit)?;
            Ok(CaseChange::Done)
        })
    }

    fn stored_case_requests(&self) -> Result<Vec<StoredRequest>, StoreError> {
        self.read(|c| {
            Ok(c.query(
                "SELECT id, payload, algorithm, signature, certificate FROM cases
                 WHERE purged_at IS NULL ORDER BY received_at",
                &[],
            )?
            .iter()
            .map(|r| StoredRequest {
                id: r.get(0),
                payload: r.get(1),
                algorithm: r.get(2),
                signature: r.get(3),
                certificate: r.get(4),
            })
            .collect())
        })
    }

    fn purge_cases(
        &self,
        cutoff: &str,
        at: &str,
        audit: &dyn Fn(&str) -> AuditRecord,
    ) -> Result<Vec<String>, StoreError> {
        self.write(|tx| {
            let ids: Vec<String> = tx
                .query(
                    "SELECT id FROM cases
                     WHERE state = 'CERRADO' AND purged_at IS NULL AND closed_at < $1
                     ORDER BY received_at, id",
                    &[&cutoff],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect();
            for id in &ids {
                tx.execute(
                    "UPDATE cases SET payload = ''::BYTEA, purged_at = $2 WHERE id = $1",
                    &[id, &at],
                )?;
                tx.execute(
                    "UPDATE case_rows SET consulta = '', note = NULL WHERE case_id = $1",
                    &[id],
                )?;
                append_audit_in(tx, &audit(id))?;
            }
            Ok(ids)
        })
    }
}
