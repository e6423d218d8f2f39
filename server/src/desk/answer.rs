//! The consulta individual as an action (issue 18): one person verified at
//! the desk, answered at once rather than behind the FIFO queue of
//! workbooks, refused with the same codes as an upload, charged as one row
//! and audited. The per-person rate that keeps it from being used to query
//! a list around the workbook limits lives here too. No HTTP here:
//! `http/one_query.rs` extracts the caller and responds.

use std::time::Instant;

use padron_consulta::matching::RowOutcome;
use padron_consulta::matching::engine::MatchingSettings;
use padron_shared::ErrorCode;
use padron_shared::queries::JobCounts;
use padron_shared::reports::ResultCounts;
use padron_shared::single::{OneAnswer, OneQuery};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::access::buckets::Buckets;
use crate::access::limits::{Limits, Rate};
use crate::audit::AuditRecord;
use crate::clock::timestamp;
use crate::desk::single::{self, Asked, RegistryPool};
use crate::error::ServerError;
use crate::refusal::Refusal;
use crate::services::Services;
use crate::store::{MonthlyQuota, NewJob, ONE_QUERY_FILE_NAME, SessionRow, Workstation};

/// What the consulta individual keeps between requests.
#[derive(Debug)]
pub struct DeskState {
    rate: Rate,
    buckets: Buckets<String>,
    pub pool: RegistryPool,
    pub settings: MatchingSettings,
}

impl DeskState {
    pub fn new(
        limits: &Limits,
        data_dir: std::path::PathBuf,
        settings: MatchingSettings,
    ) -> DeskState {
        DeskState {
            rate: limits.one_query_rate(),
            buckets: Buckets::default(),
            pool: RegistryPool::new(data_dir),
            settings,
        }
    }

    /// Spends one of this person's tokens; `Err(seconds)` until the next one.
    pub fn take(&self, cui: &str, now: Instant) -> Result<(), u64> {
        self.buckets.take(cui.to_owned(), self.rate, now)
    }
}

/// Answers one consulta individual asked by `session`'s person at
/// `workstation`: the agreement in force, its service and programmes, the
/// month's quota, the engine, then the charge and its audit entry in one
/// store transaction.
pub fn answer(
    services: &Services,
    desk: &DeskState,
    session: &SessionRow,
    workstation: &Workstation,
    query: &OneQuery,
) -> Result<OneAnswer, Refusal> {
    let code = &workstation.institution_code;
    let agreement = services.store.agreement(code).map_err(store_err)?;
    if let Some(refusal) =
        crate::institutions::status::agreement_refusal(agreement.as_ref(), services.clock.today())
    {
        return Err(refusal);
    }
    let asked = single::parse(query).map_err(|e| {
        let text = e.to_string();
        let (es, en) = text.split_once(" / ").unwrap_or((&text, &text));
        Refusal::new(ErrorCode::SingleQueryInvalid).with_detail(es.to_owned(), en.to_owned())
    })?;
    let names = matches!(asked, Asked::Names { .. });
    crate::queue::submit::service_allowed(agreement.as_ref(), names)?;
    programme_covered(services, code, &query.programme)?;
    let quota = crate::queue::submit::month_quota(services, agreement.as_ref());
    // Refused before the engine runs when the month is already spent; the
    // store checks again in the transaction that records the query.
    if let Some(q) = &quota {
        let used = services
            .store
            .rows_used(session.institution_id, &q.from, &q.to)
            .map_err(store_err)?;
        if used >= q.limit {
            return Err(quota_refusal(0, q, services));
        }
    }
    let settings = desk.settings;
    let decision = desk
        .pool
        .with(|registry| single::decide(registry, settings, &asked))
        .and_then(|r| r)
        .map_err(|e| Refusal::new(e.code()).logged(format!("consulta individual: {e}")))?;
    let id = uuid::Uuid::new_v4().to_string();
    let at = timestamp(services.clock.now());
    let programme = query.programme.trim().to_owned();
    let body_hash = hex::encode(Sha256::digest(
        serde_json::to_vec(query).unwrap_or_default(),
    ));
    let mut programmes = serde_json::Map::new();
    programmes.insert(programme.to_uppercase(), 1.into());
    let counts = JobCounts::from_results(ResultCounts::from_array(
        RowOutcome::ALL.map(|o| u64::from(o == decision.outcome)),
    ));
    let job = NewJob {
        id: id.clone(),
        institution_id: session.institution_id,
        user_cui: session.cui.clone(),
        workstation_id: workstation.id,
        file_name: ONE_QUERY_FILE_NAME.to_owned(),
        mode: asked.mode(),
        rows: 1,
        upload_sha256: body_hash,
        programmes: serde_json::Value::Object(programmes).to_string(),
        created_at: at.clone(),
    };
    let found_cui = decision.person.as_ref().map(|p| p.cui.to_string());
    let audit = AuditRecord {
        at: at.clone(),
        actor: format!("cui:{}", session.cui),
        workstation_id: Some(workstation.id),
        action: "query.one".to_owned(),
        subject: format!("query:{id}"),
        outcome: "ok".to_owned(),
        detail: json!({
            "mode": job.mode,
            "programme": crate::audit::untrusted(&programme),
            "resultado": decision.outcome.as_str(),
            "cui": found_cui,
            "candidates": decision.candidates.len(),
        }),
    };
    match services
        .store
        .record_one_query(&job, &counts, quota.as_ref(), &audit)
    {
        Ok(_) => {}
        Err(crate::store::StoreError::QuotaExceeded { remaining }) => {
            let q = quota
                .as_ref()
                .ok_or_else(|| Refusal::new(ErrorCode::Internal))?;
            return Err(quota_refusal(remaining, q, services));
        }
        Err(e) => return Err(store_err(e)),
    }
    let read_as = match &asked {
        Asked::Names { read_as, .. } => Some(read_as.clone()),
        Asked::Cui(_) => None,
    };
    Ok(OneAnswer {
        id,
        mode: job.mode,
        programme,
        reference: query.reference.clone().filter(|r| !r.trim().is_empty()),
        resultado: decision.outcome.as_str().to_owned(),
        puntaje: decision.probability.map(single::score),
        person: decision.person.as_ref().map(single::fields),
        candidates: single::candidates(&decision),
        observaciones: decision.notes.clone(),
        read_as,
        at,
    })
}

fn quota_refusal(remaining: i64, q: &MonthlyQuota, services: &Services) -> Refusal {
    // The month's end is the next month's first local midnight.
    let reset = services.clock.zone().stamp_day(&q.to);
    Refusal::new(ErrorCode::QuotaExceeded).with_detail(
        format!("Quedan {remaining} filas este mes; la consulta individual cuenta una. La cuota se renueva el {reset}."),
        format!("{remaining} rows remain this month; an individual query counts one. The quota renews on {reset}."),
    )
}

/// The programme must be one the agreement covers, as every workbook row's
/// is (when the registry recorded the agreement's programmes).
fn programme_covered(services: &Services, code: &str, programme: &str) -> Result<(), Refusal> {
    let covered = services.store.programmes(code).map_err(store_err)?;
    if covered.is_empty()
        || covered
            .iter()
            .any(|c| crate::institutions::admin::same_programme(c, programme))
    {
        return Ok(());
    }
    let list = covered.join(", ");
    let asked = crate::audit::untrusted(programme);
    Err(
        Refusal::new(ErrorCode::ProgrammeNotInAgreement).with_detail(
            format!("«{asked}». Programas del convenio: {list}."),
            format!("«{asked}». The agreement's programmes: {list}."),
        ),
    )
}

fn store_err(e: crate::store::StoreError) -> Refusal {
    Refusal::from(ServerError::from(e))
}
