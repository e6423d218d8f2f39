//! `/v1/queries`: upload a workbook, follow its job, download the result.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use padron_shared::auth::Role;
use padron_shared::queries::QueryJob;
use padron_shared::{ErrorCode, Lang};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::errors::ApiError;
use super::session::Authenticated;
use super::{AppState, blocking};
use crate::audit::AuditRecord;
use crate::clock::timestamp;
use crate::error::ServerError;
use crate::queue::{uploads, view};
use crate::store::{JobRow, MonthlyQuota, NewJob};
use crate::workbook::QueryMode;
use crate::workbook::read::MAX_FILE_BYTES;
use crate::workbook::sandbox::{Parser, Wait};

pub fn v1() -> Router<AppState> {
    Router::new()
        .route("/v1/queries", get(list).post(upload))
        // Above the 20 MB file limit, so that an oversize file gets its own
        // refusal (WORKBOOK_TOO_LARGE) rather than a bare 413.
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES as usize + 1024 * 1024))
        .route("/v1/queries/{id}", get(status))
        .route("/v1/queries/{id}/result", get(result))
}

fn lang(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

fn store_err(e: crate::store::StoreError) -> ApiError {
    ApiError::from(ServerError::from(e))
}

#[derive(Debug, Deserialize)]
pub(super) struct UploadParams {
    /// The workbook's file name, for the result and the job list.
    name: Option<String>,
}

/// Only the last path component, printable, at most 120 characters.
fn clean_name(name: Option<String>) -> String {
    let name = name.unwrap_or_default();
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if clean.trim().is_empty() {
        "consulta.xlsx".to_owned()
    } else {
        clean
    }
}

/// A query workbook (xlsx, xls or ods; CUI or names), refused whole or queued.
#[utoipa::path(post, path = "/v1/queries", tag = "queries", operation_id = "upload", security(("workstation" = [], "session" = [])),
    params(("name" = Option<String>, Query, description = "The workbook's file name, for the result and the job list.")),
    request_body(content = super::openapi::Binary, content_type = "application/octet-stream", description = "The workbook's bytes (at most 20 MB)."),
    responses((status = 202, description = "Queued.", body = QueryJob), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: Authenticated,
    Query(params): Query<UploadParams>,
    body: Bytes,
) -> Result<(axum::http::StatusCode, Json<QueryJob>), ApiError> {
    let lang = lang(&headers);
    let name = clean_name(params.name);
    let job = blocking(move || {
        // No agreement in force, no service: refused before the file is read.
        let in_force = state.store.agreement(&auth.workstation.0.institution_code).map_err(store_err)?;
        if let Some(refusal) =
            crate::institution_status::agreement_refusal(in_force.as_ref(), state.clock.now().date())
        {
            return Err(refusal);
        }
        if body.len() as u64 > MAX_FILE_BYTES {
            return Err(ApiError::new(ErrorCode::WorkbookTooLarge));
        }
        // Every whole-file refusal happens here, before anything is queued,
        // and the file is read in a sandboxed child process.
        let workbook = Parser::of(&state.data_dir).parse(&body, Wait::Bounded).map_err(|e| {
            let en = e.to_string();
            ApiError::new(e.code())
                .with_detail(e.to_string(), en)
                .logged("workbook refused")
        })?;
        // What the agreement allows: the services, and the month's rows.
        let agreement = state.store.agreement(&auth.workstation.0.institution_code).map_err(store_err)?;
        let names = workbook.mode == QueryMode::Names;
        if let Some(a) = &agreement
            && ((names && !a.service_names) || (!names && !a.service_cui))
        {
            let (es, en) = if names { ("por nombres", "by names") } else { ("por CUI", "by CUI") };
            return Err(ApiError::new(ErrorCode::ServiceNotInAgreement)
                .with_detail(format!("Consulta {es}."), format!("Query {en}.")));
        }
        let rows = workbook.rows.len() as i64;
        let quota = agreement.and_then(|a| a.monthly_quota).map(|limit| {
            let month = crate::calendar::month_of(state.clock.now().date());
            MonthlyQuota { limit, from: month.from_stamp(), to: month.to_stamp() }
        });
        let id = uuid_v4()?;
        uploads::store_upload(&state.data_dir, &id, &body).map_err(|e| {
            ApiError::new(ErrorCode::Internal).logged(format!("cannot store upload: {e}"))
        })?;
        let ws = &auth.workstation.0;
        let new = NewJob {
            id: id.clone(),
            institution_id: auth.session.institution_id,
            user_cui: auth.session.cui.clone(),
            workstation_id: ws.id,
            file_name: name,
            mode: match workbook.mode {
                QueryMode::Cui => "CUI",
                QueryMode::Names => "NAMES",
            }
            .to_owned(),
            rows: workbook.rows.len() as i64,
            upload_sha256: hex::encode(Sha256::digest(&body)),
            programmes: serde_json::to_string(&workbook.programme_rows())
                .unwrap_or_else(|_| "{}".to_owned()),
            created_at: timestamp(state.clock.now()),
        };
        let audit = AuditRecord {
            at: new.created_at.clone(),
            actor: format!("cui:{}", auth.session.cui),
            workstation_id: Some(ws.id),
            action: "query.upload".to_owned(),
            subject: format!("query:{id}"),
            outcome: "ok".to_owned(),
            detail: json!({ "mode": new.mode, "rows": new.rows }),
        };
        let row = match state.store.enqueue(&new, quota.as_ref(), &audit) {
            Ok(row) => row,
            Err(e) => {
                // Not acknowledged: the file must not linger as an orphan.
                uploads::delete_job_files(&state.data_dir, &id);
                if let crate::store::StoreError::QuotaExceeded { remaining } = e {
                    let reset = quota.as_ref().map(|q| q.to[..10].to_owned()).unwrap_or_default();
                    return Err(ApiError::new(ErrorCode::QuotaExceeded).with_detail(
                        format!("Quedan {remaining} filas este mes; el archivo tiene {rows}. La cuota se renueva el {reset}."),
                        format!("{remaining} rows remain this month; the file has {rows}. The quota renews on {reset}."),
                    ));
                }
                return Err(store_err(e));
            }
        };
        let ahead = state.store.jobs_ahead(row.seq).map_err(store_err)?;
        Ok(view(&row, Some(ahead), lang))
    })
    .await?;
    // Wake the worker; if it is busy it will look again when it finishes.
    let _ = state.wake.send(());
    Ok((axum::http::StatusCode::ACCEPTED, Json(job)))
}

fn uuid_v4() -> Result<String, ApiError> {
    let mut b = [0u8; 16];
    crate::pki::fill_random(&mut b).map_err(|_| ApiError::new(ErrorCode::Internal))?;
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

/// A user sees their own jobs; a coordinator those of the institution.
/// Anything else does not exist, as far as the caller can tell.
fn visible(auth: &Authenticated, job: &JobRow) -> bool {
    job.institution_id == auth.session.institution_id
        && (auth.session.role == Role::Coordinator || job.user_cui == auth.session.cui)
}

async fn find(state: &AppState, auth: &Authenticated, id: String) -> Result<JobRow, ApiError> {
    let store = state.store.clone();
    let job = blocking(move || store.job(&id).map_err(store_err)).await?;
    match job {
        Some(job) if visible(auth, &job) => Ok(job),
        _ => Err(ApiError::new(ErrorCode::QueryNotFound)),
    }
}

/// A job's state, progress and place in the queue.
#[utoipa::path(get, path = "/v1/queries/{id}", tag = "queries", operation_id = "status", security(("workstation" = [], "session" = [])),
    params(("id" = String, Path, description = "The job's id.")),
    responses((status = 200, description = "OK.", body = QueryJob), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<QueryJob>, ApiError> {
    let job = find(&state, &auth, id).await?;
    let store = state.store.clone();
    let seq = job.seq;
    let ahead = blocking(move || store.jobs_ahead(seq).map_err(store_err)).await?;
    Ok(Json(view(&job, Some(ahead), lang(&headers))))
}

/// The caller's jobs (a coordinator: the institution's).
#[utoipa::path(get, path = "/v1/queries", tag = "queries", operation_id = "list", security(("workstation" = [], "session" = [])),
    responses((status = 200, description = "OK.", body = Vec<QueryJob>), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: Authenticated,
) -> Result<Json<Vec<QueryJob>>, ApiError> {
    let institution = auth.session.institution_id;
    let only = (auth.session.role == Role::User).then(|| auth.session.cui.clone());
    let store = state.store.clone();
    let rows =
        blocking(move || store.jobs(institution, only.as_deref()).map_err(store_err)).await?;
    let lang = lang(&headers);
    Ok(Json(rows.iter().map(|r| view(r, None, lang)).collect()))
}

/// The result workbook of a finished job.
#[utoipa::path(get, path = "/v1/queries/{id}/result", tag = "queries", operation_id = "result", security(("workstation" = [], "session" = [])),
    params(("id" = String, Path, description = "The job's id.")),
    responses((status = 200, description = "The result workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = super::openapi::Binary), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn result(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let job = find(&state, &auth, id).await?;
    match job.state.as_str() {
        "DONE" => {}
        "EXPIRED" => return Err(ApiError::new(ErrorCode::QueryExpired)),
        "FAILED" => return Err(ApiError::new(ErrorCode::QueryFailed)),
        _ => return Err(ApiError::new(ErrorCode::QueryNotReady)),
    }
    let dir = state.data_dir.clone();
    let job_id = job.id.clone();
    let bytes = blocking(move || {
        uploads::result_path(&dir, &job_id)
            .and_then(std::fs::read)
            .map_err(|e| {
                ApiError::new(ErrorCode::Internal).logged(format!("result unreadable: {e}"))
            })
    })
    .await?;
    let stem = job
        .file_name
        .trim_end_matches(".xlsx")
        .trim_end_matches(".xls")
        .trim_end_matches(".ods");
    let download = format!("{stem}-resultado.xlsx").replace('"', "");
    let mut response = bytes.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        download.escape_default()
    )) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}
