//! Follow-up cases (seed 000, 6.1.6): a coordinator sends unresolved rows
//! of a finished query (`NO_ENCONTRADO`, `AMBIGUO`) with what is known to
//! locate each person to the registry's identity-verification desk, as one
//! case signed with the card. Verified like a user request (`user_requests`):
//! the bytes as received, then canonical form, format, installation,
//! institution, workstation, age, replay; kept byte for byte with SHA-256 of
//! payload, signature and certificate in the chained audit entry, so
//! `audit verify` re-checks them. Only the institution's coordinators see
//! its cases; the rows hold personal data and are purged with the
//! retention period; no report reads them.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use padron_shared::cases::{
    CASE_FORMAT, CasePayload, CaseRowInput, CaseRowView, CaseView, MAX_CASE_FIELD_CHARS,
    MAX_CASE_ROWS, UnresolvedRow,
};
use padron_shared::queries::{JobState, QueryMode};
use padron_shared::users::SignedRequest;
use padron_shared::{Cui, ErrorCode};
use serde_json::json;
use time::OffsetDateTime;

use crate::audit::AuditRecord;
use crate::clock::timestamp;
use crate::datadir::DataDir;
use crate::queue::sandbox::{Parser, Wait};
use crate::queue::uploads;
use crate::refusal::Refusal;
use crate::services::Services;
use crate::store::{
    CaseChange, CaseRecord, CaseRowRecord, JobRow, NewCase, NewCaseRow, SessionRow, Store,
    Workstation,
};
use padron_consulta::queries::RowQuery;

fn store_err(e: crate::store::StoreError) -> Refusal {
    Refusal::from(e)
}

fn rows_invalid(es: impl Into<String>, en: impl Into<String>) -> Refusal {
    let es = es.into();
    Refusal::new(ErrorCode::CaseRowsInvalid)
        .with_detail(es.clone(), en)
        .logged(es)
}

/// The job's rows that the registry could not resolve, in result order.
/// The results are read from the server's own result workbook; what was
/// asked for a names row comes from the upload, read again in the sandbox.
pub fn unresolved_rows(dir: &DataDir, job: &JobRow) -> Result<Vec<UnresolvedRow>, Refusal> {
    match job.state {
        JobState::Done if job.file_name != crate::store::ONE_QUERY_FILE_NAME => {}
        JobState::Expired => return Err(Refusal::new(ErrorCode::QueryExpired)),
        JobState::Done => {
            return Err(rows_invalid(
                "una consulta individual no tiene filas para un caso",
                "an individual query has no rows for a case",
            ));
        }
        JobState::Queued | JobState::Running | JobState::Failed => {
            return Err(Refusal::new(ErrorCode::QueryNotReady));
        }
    }
    let internal = |what: &str, e: String| {
        Refusal::new(ErrorCode::Internal).logged(format!("case rows: {what}: {e}"))
    };
    let result = uploads::result_path(dir, &job.id)
        .and_then(std::fs::read)
        .map_err(|e| internal("result", e.to_string()))?;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(result))
        .map_err(|e: calamine::XlsxError| internal("result workbook", e.to_string()))?;
    let range = book
        .worksheet_range("resultados")
        .map_err(|e| internal("resultados", e.to_string()))?;
    let cell = |r: usize, c: usize| match range.get((r, c)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let mut out = Vec::new();
    let height = range.height();
    let mut asked: Option<Vec<String>> = None;
    for r in 1..height {
        let resultado = cell(r, 16);
        if resultado != "NO_ENCONTRADO" && resultado != "AMBIGUO" {
            continue;
        }
        let consulta = if job.mode == QueryMode::Cui {
            format!("CUI {}", cell(r, 1))
        } else {
            if asked.is_none() {
                asked = Some(names_asked(dir, &job.id)?);
            }
            asked
                .as_ref()
                .and_then(|a| a.get(r - 1).cloned())
                .unwrap_or_default()
        };
        out.push(UnresolvedRow {
            fila: r as u32,
            referencia: cell(r, 0),
            resultado,
            consulta,
        });
    }
    Ok(out)
}

/// What each row of a names upload asked, in row order.
fn names_asked(dir: &DataDir, job_id: &str) -> Result<Vec<String>, Refusal> {
    let bytes = uploads::upload_path(dir, job_id)
        .and_then(std::fs::read)
        .map_err(|_| Refusal::new(ErrorCode::QueryExpired))?;
    let workbook = Parser::of(dir).parse(&bytes, Wait::Bounded).map_err(|e| {
        let en = e.to_string();
        Refusal::new(e.code()).with_detail(e.to_string(), en)
    })?;
    Ok(workbook
        .rows
        .iter()
        .map(|row| match &row.query {
            RowQuery::Cui(c) => format!("CUI {c}"),
            RowQuery::Names(q) => {
                let mut words: Vec<&str> = q
                    .given
                    .iter()
                    .chain([&q.first_surname, &q.second_surname, &q.married_surname])
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect();
                let born = q.born.map(|d| {
                    let (y, m, dd) = d.ymd();
                    format!("nacimiento {dd:02}/{m:02}/{y}")
                });
                let born_text = born.unwrap_or_default();
                if !born_text.is_empty() {
                    words.push("—");
                    words.push(&born_text);
                }
                words.join(" ")
            }
        })
        .collect())
}

fn field_ok(text: &str) -> bool {
    text.chars().count() <= MAX_CASE_FIELD_CHARS && !text.chars().any(char::is_control)
}

/// Verifies, checks and keeps a signed case from a coordinator session.
pub fn submit(
    state: &Services,
    ws: &Workstation,
    session: &SessionRow,
    signed: &SignedRequest,
) -> Result<CaseView, Refusal> {
    let mut case_id = String::from("?");
    let result = check_and_keep(state, ws, session, signed, &mut case_id);
    if let Err(e) = &result {
        let record = AuditRecord {
            at: timestamp(state.clock.now()),
            actor: format!("cui:{}", session.cui),
            workstation_id: Some(ws.id),
            action: "case.submit".to_owned(),
            subject: format!("case:{case_id}"),
            outcome: format!("refused:{}", e.code.as_str()),
            detail: json!({ "reason": e.log_reason.clone().unwrap_or_default() }),
        };
        if let Err(err) = state.store.append_audit(&record) {
            tracing::error!(error = %err, "cannot audit a refused case");
        }
    }
    result
}

fn check_and_keep(
    state: &Services,
    ws: &Workstation,
    session: &SessionRow,
    signed: &SignedRequest,
    case_id: &mut String,
) -> Result<CaseView, Refusal> {
    let crate::auth::signed::Verified {
        payload,
        signature,
        certificate,
    } = crate::auth::signed::verify(state, ws, session, signed)?;
    let now = state.clock.now();
    let case: CasePayload = serde_json::from_slice(&payload)
        .map_err(|e| Refusal::new(ErrorCode::AuthFormatInvalid).logged(format!("payload: {e}")))?;
    if case.format != CASE_FORMAT || !crate::users::requests::is_uuid_v4(&case.case_id) {
        return Err(Refusal::new(ErrorCode::AuthFormatInvalid).logged("format or case id"));
    }
    *case_id = case.case_id.clone();
    crate::auth::signed::check_binding(
        state,
        ws,
        &crate::auth::signed::Binding {
            installation: &case.installation,
            institution: &case.institution,
            workstation_id: case.workstation_id,
            created_at: &case.created_at,
        },
    )?;
    if state
        .store
        .case(&case.case_id)
        .map_err(store_err)?
        .is_some()
    {
        return Err(Refusal::new(ErrorCode::RequestReplayed).logged("case id seen before"));
    }
    // The job: the institution's own, finished. Another institution's job
    // does not exist as far as the caller can tell.
    let job = state
        .store
        .job(&case.job_id)
        .map_err(store_err)?
        .filter(|j| j.institution_id == ws.institution_id)
        .ok_or_else(|| Refusal::new(ErrorCode::QueryNotFound).logged("case job"))?;
    if case.rows.is_empty() || case.rows.len() > MAX_CASE_ROWS {
        return Err(rows_invalid(
            format!("un caso lleva de 1 a {MAX_CASE_ROWS} filas"),
            format!("a case holds 1 to {MAX_CASE_ROWS} rows"),
        ));
    }
    let unresolved = unresolved_rows(&state.data_dir, &job)?;
    let mut rows = Vec::with_capacity(case.rows.len());
    let mut seen = std::collections::HashSet::new();
    for input in &case.rows {
        let fila = input.fila;
        let Some(found) = unresolved.iter().find(|u| u.fila == fila) else {
            return Err(rows_invalid(
                format!("la fila {fila} no es NO_ENCONTRADO ni AMBIGUO en esa consulta"),
                format!("row {fila} is neither NO_ENCONTRADO nor AMBIGUO in that query"),
            ));
        };
        if found.referencia != input.referencia {
            return Err(rows_invalid(
                format!("la referencia de la fila {fila} no es la del resultado"),
                format!("the reference of row {fila} is not the result's"),
            ));
        }
        if !seen.insert(fila) {
            return Err(rows_invalid(
                format!("la fila {fila} está repetida"),
                format!("row {fila} is repeated"),
            ));
        }
        let locating = [
            &input.direccion,
            &input.comunidad,
            &input.municipio,
            &input.telefono,
            &input.observaciones,
        ];
        if locating.iter().all(|t| t.trim().is_empty()) {
            return Err(rows_invalid(
                format!("la fila {fila} no trae datos para ubicar a la persona"),
                format!("row {fila} carries nothing to locate the person"),
            ));
        }
        if !locating.iter().all(|t| field_ok(t)) || !field_ok(&input.referencia) {
            return Err(rows_invalid(
                format!(
                    "la fila {fila} tiene un campo demasiado largo o con caracteres de control"
                ),
                format!("row {fila} has a field too long or with control characters"),
            ));
        }
        rows.push(NewCaseRow {
            fila,
            referencia: found.referencia.clone(),
            resultado: found.resultado.clone(),
            consulta: found.consulta.clone(),
        });
    }
    let at = timestamp(now);
    let new = NewCase {
        id: case.case_id.clone(),
        institution_id: ws.institution_id,
        job_id: job.id.clone(),
        coordinator_cui: session.cui.clone(),
        workstation_id: ws.id,
        payload,
        algorithm: signed.algorithm.as_str().to_owned(),
        signature,
        certificate,
        rows,
        at: at.clone(),
    };
    let audit = AuditRecord {
        at: at.clone(),
        actor: format!("cui:{}", session.cui),
        workstation_id: Some(ws.id),
        action: "case.submit".to_owned(),
        subject: format!("case:{}", case.case_id),
        outcome: "ok".to_owned(),
        // `request_id` and the hashes: what `audit verify` binds the stored case to.
        detail: json!({
            "request_id": case.case_id,
            "institution": ws.institution_code,
            "job_id": job.id,
            "rows": new.rows.len(),
            "payload_sha256": crate::audit::sha256_hex(&new.payload),
            "signature_sha256": crate::audit::sha256_hex(&new.signature),
            "certificate_sha256": crate::audit::sha256_hex(&new.certificate),
        }),
    };
    if !state.store.add_case(&new, &audit).map_err(store_err)? {
        return Err(Refusal::new(ErrorCode::RequestReplayed).logged("case id seen before (race)"));
    }
    let record = state
        .store
        .case(&case.case_id)
        .map_err(store_err)?
        .ok_or_else(|| Refusal::new(ErrorCode::Internal))?;
    let rows = state.store.case_rows(&record.id).map_err(store_err)?;
    Ok(view(&record, &rows, true))
}

/// A stored case as its institution (or the registry) sees it; `with_rows`
/// adds each row with its locating data from the signed payload.
pub fn view(c: &CaseRecord, rows: &[CaseRowRecord], with_rows: bool) -> CaseView {
    let signed: Option<CasePayload> = serde_json::from_slice(&c.payload).ok();
    let rows = if with_rows {
        rows.iter()
            .map(|r| {
                let input = signed
                    .as_ref()
                    .and_then(|p| p.rows.iter().find(|i| i.fila == r.fila).cloned())
                    .unwrap_or_else(|| CaseRowInput {
                        fila: r.fila,
                        referencia: r.referencia.clone(),
                        ..Default::default()
                    });
                CaseRowView {
                    input,
                    resultado: r.resultado.clone(),
                    consulta: r.consulta.clone(),
                    outcome: r.outcome.clone(),
                    outcome_cui: r.outcome_cui.clone(),
                    note: r.note.clone(),
                    updated_at: r.updated_at.clone(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    CaseView {
        id: c.id.clone(),
        institution: c.institution_code.clone(),
        job_id: c.job_id.clone(),
        coordinator_cui: c.coordinator_cui.clone(),
        state: c.state,
        received_at: c.received_at.clone(),
        in_process_at: c.in_process_at.clone(),
        closed_at: c.closed_at.clone(),
        rows_total: c.rows_total,
        rows_answered: c.rows_answered,
        rows,
        purged: c.purged_at.is_some(),
    }
}

/// A row outcome the registry records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Verified(Cui),
    NotFound,
    VisitNeeded,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Verified(_) => "VERIFIED",
            Outcome::NotFound => "NOT_FOUND",
            Outcome::VisitNeeded => "VISIT_NEEDED",
        }
    }
}

/// Why a registry action on a case was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("no existe el caso {0} / there is no case {0}")]
    NotFound(String),
    #[error("el caso {0} no tiene la fila {1} / case {0} has no row {1}")]
    NoRow(String, u32),
    #[error("el caso {0} está cerrado / case {0} is closed")]
    Closed(String),
    #[error("{0}")]
    Store(String),
}

impl CaseError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CaseError::NotFound(_) => ErrorCode::CaseNotFound,
            CaseError::NoRow(..) => ErrorCode::CaseRowsInvalid,
            CaseError::Closed(_) => ErrorCode::CaseStateConflict,
            CaseError::Store(_) => ErrorCode::StoreUnavailable,
        }
    }
}

fn change(id: &str, fila: u32, c: CaseChange) -> Result<(), CaseError> {
    match c {
        CaseChange::Done => Ok(()),
        CaseChange::NoSuchCase => Err(CaseError::NotFound(id.to_owned())),
        CaseChange::NoSuchRow => Err(CaseError::NoRow(id.to_owned(), fila)),
        CaseChange::Closed => Err(CaseError::Closed(id.to_owned())),
    }
}

/// `case update`: a row's outcome, by the registry's desk.
pub fn update_row(
    store: &dyn Store,
    actor: &str,
    now: OffsetDateTime,
    id: &str,
    fila: u32,
    outcome: &Outcome,
    note: Option<&str>,
) -> Result<(), CaseError> {
    let at = timestamp(now);
    let cui = match outcome {
        Outcome::Verified(c) => Some(c.to_string()),
        _ => None,
    };
    let audit = AuditRecord {
        at: at.clone(),
        actor: actor.to_owned(),
        workstation_id: None,
        action: "case.update".to_owned(),
        subject: format!("case:{id}"),
        outcome: "ok".to_owned(),
        detail: json!({ "fila": fila, "outcome": outcome.as_str() }),
    };
    let c = store
        .update_case_row(
            id,
            fila,
            outcome.as_str(),
            cui.as_deref(),
            note,
            &at,
            &audit,
        )
        .map_err(|e| CaseError::Store(e.to_string()))?;
    change(id, fila, c)
}

/// `case close`.
pub fn close(
    store: &dyn Store,
    actor: &str,
    now: OffsetDateTime,
    id: &str,
) -> Result<(), CaseError> {
    let at = timestamp(now);
    let audit = AuditRecord {
        at: at.clone(),
        actor: actor.to_owned(),
        workstation_id: None,
        action: "case.close".to_owned(),
        subject: format!("case:{id}"),
        outcome: "ok".to_owned(),
        detail: json!({}),
    };
    let c = store
        .close_case(id, &at, &audit)
        .map_err(|e| CaseError::Store(e.to_string()))?;
    change(id, 0, c)
}
