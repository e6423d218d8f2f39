//! `POST /v1/queries/one`: the consulta individual. Answered at once, not
//! behind the FIFO queue of workbooks; refused with the same codes as an
//! upload (the session extractor refuses an inactive or cancelled
//! institution and a blocked person; here the agreement, its services and
//! the month's quota), and rate-limited per person so that it cannot be
//! used to query a list around the workbook limits. Each answer is a
//! one-row job in the query log and a chained audit entry.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use padron_shared::ErrorCode;
use padron_shared::queries::JobCounts;
use padron_shared::reports::ResultCounts;
use padron_shared::single::{OneAnswer, OneQuery};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::errors::ApiError;
use super::session::Authenticated;
use super::{AppState, blocking};
use crate::access::limits::{Limits, Rate};
use crate::audit::AuditRecord;
use crate::clock::timestamp;
use crate::desk::single::{self, Asked, RegistryPool};
use crate::error::ServerError;
use crate::store::{MonthlyQuota, NewJob, ONE_QUERY_FILE_NAME};
use padron_consulta::matching::RowOutcome;
use padron_consulta::matching::engine::MatchingSettings;

pub fn v1() -> Router<AppState> {
    Router::new().route("/v1/queries/one", post(one))
}

/// What the consulta individual keeps between requests.
#[derive(Debug)]
pub struct DeskState {
    rate: Rate,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
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
            buckets: Mutex::new(HashMap::new()),
            pool: RegistryPool::new(data_dir),
            settings,
        }
    }

    /// Spends one of this person's tokens; `Err(seconds)` until the next one.
    pub fn take(&self, cui: &str, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.rate.burst.max(1));
        let per_second = f64::from(self.rate.per_minute.max(1)) / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, at) = buckets.entry(cui.to_owned()).or_insert((capacity, now));
        let elapsed = now.saturating_duration_since(*at).as_secs_f64();
        *tokens = (*tokens + elapsed * per_second).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

fn store_err(e: crate::store::StoreError) -> ApiError {
    ApiError::from(ServerError::from(e))
}

fn new_id() -> Result<String, ApiError> {
    let mut b = [0u8; 16];
    crate::access::pki::fill_random(&mut b).map_err(|_| ApiError::new(ErrorCode::Internal))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

async fn one(
    State(state): State<AppState>,
    _headers: HeaderMap,
    auth: Authenticated,
    Json(query): Json<OneQuery>,
) -> Result<Response, ApiError> {
    let ws_id = auth.workstation.0.id;
    if let Err(retry_after) = state.desk.take(&auth.session.cui, Instant::now()) {
        state
            .refusals
            .note(ws_id, ErrorCode::SingleQueryRateLimited, state.clock.now());
        let mut response = ApiError::new(ErrorCode::SingleQueryRateLimited)
            .with_detail(
                format!("Intente de nuevo en {retry_after} s."),
                format!("Try again in {retry_after} s."),
            )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(response);
    }
    let answer = blocking(move || answer(&state, &auth, &query)).await?;
    Ok(Json(answer).into_response())
}

fn answer(state: &AppState, auth: &Authenticated, query: &OneQuery) -> Result<OneAnswer, ApiError> {
    let code = &auth.workstation.0.institution_code;
    let agreement = state.store.agreement(code).map_err(store_err)?;
    if let Some(refusal) =
        crate::institutions::status::agreement_refusal(agreement.as_ref(), state.clock.today())
    {
        return Err(refusal);
    }
    let asked = single::parse(query).map_err(|e| {
        let text = e.to_string();
        let (es, en) = text.split_once(" / ").unwrap_or((&text, &text));
        ApiError::new(ErrorCode::SingleQueryInvalid).with_detail(es.to_owned(), en.to_owned())
    })?;
    let names = matches!(asked, Asked::Names { .. });
    crate::queue::submit::service_allowed(agreement.as_ref(), names)?;
    // The programme must be one the agreement covers, as every workbook
    // row's is (when the registry recorded them).
    let covered = state.store.programmes(code).map_err(store_err)?;
    if !covered.is_empty()
        && !covered
            .iter()
            .any(|c| crate::institutions::admin::same_programme(c, &query.programme))
    {
        let list = covered.join(", ");
        let asked = crate::audit::untrusted(&query.programme);
        return Err(
            ApiError::new(ErrorCode::ProgrammeNotInAgreement).with_detail(
                format!("«{asked}». Programas del convenio: {list}."),
                format!("«{asked}». The agreement's programmes: {list}."),
            ),
        );
    }
    let quota = crate::queue::submit::month_quota(&state.services, agreement.as_ref());
    // Refused before the engine runs when the month is already spent; the
    // store checks again in the transaction that records the query.
    if let Some(q) = &quota {
        let used = state
            .store
            .rows_used(auth.session.institution_id, &q.from, &q.to)
            .map_err(store_err)?;
        if used >= q.limit {
            return Err(quota_refusal(0, q));
        }
    }
    let settings = state.desk.settings;
    let decision = state
        .desk
        .pool
        .with(|registry| single::decide(registry, settings, &asked))
        .and_then(|r| r)
        .map_err(|e| ApiError::new(e.code()).logged(format!("consulta individual: {e}")))?;
    let id = new_id()?;
    let at = timestamp(state.clock.now());
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
        institution_id: auth.session.institution_id,
        user_cui: auth.session.cui.clone(),
        workstation_id: auth.workstation.0.id,
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
        actor: format!("cui:{}", auth.session.cui),
        workstation_id: Some(auth.workstation.0.id),
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
    match state
        .store
        .record_one_query(&job, &counts, quota.as_ref(), &audit)
    {
        Ok(_) => {}
        Err(crate::store::StoreError::QuotaExceeded { remaining }) => {
            let q = quota
                .as_ref()
                .ok_or_else(|| ApiError::new(ErrorCode::Internal))?;
            return Err(quota_refusal(remaining, q));
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

fn quota_refusal(remaining: i64, q: &MonthlyQuota) -> ApiError {
    let reset = q.to.get(..10).unwrap_or_default().to_owned();
    ApiError::new(ErrorCode::QuotaExceeded).with_detail(
        format!("Quedan {remaining} filas este mes; la consulta individual cuenta una. La cuota se renueva el {reset}."),
        format!("{remaining} rows remain this month; an individual query counts one. The quota renews on {reset}."),
    )
}
