//! `/v1/queries`: upload a workbook, follow its job, download the result.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use padron_shared::ErrorCode;
use padron_shared::auth::Role;
use padron_shared::queries::{JobListParams, JobState, QueryJob};
use serde::Deserialize;

use super::errors::ApiError;
use super::session::{Authenticated, Caller};
use super::{AppState, blocking};
use crate::queue::submit::{Upload, submit};
use crate::queue::{uploads, view};
use crate::store::{JobPage, JobRow};
use padron_consulta::queries::MAX_FILE_BYTES;

pub fn v1() -> Router<AppState> {
    Router::new()
        .route("/v1/queries", get(list).post(upload))
        // Above the 20 MB file limit, so that an oversize file gets its own
        // refusal (WORKBOOK_TOO_LARGE) rather than a bare 413.
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES as usize + 1024 * 1024))
        .route("/v1/queries/{id}", get(status))
        .route("/v1/queries/{id}/result", get(result))
        .route("/v1/queries/{id}/attention", get(attention))
}

use super::lang;

fn store_err(e: crate::store::StoreError) -> ApiError {
    ApiError::from(e)
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
    let services = state.services.clone();
    let job = blocking(move || {
        let upload = Upload {
            session: &auth.session,
            workstation: &auth.workstation.0,
            file_name: name,
            bytes: &body,
        };
        submit(&services, upload, lang)
    })
    .await?;
    // Wake the worker; if it is busy it will look again when it finishes.
    let _ = state.wake.send(());
    Ok((axum::http::StatusCode::ACCEPTED, Json(job)))
}

/// A user sees their own jobs; a coordinator those of the institution.
/// Anything else does not exist, as far as the caller can tell.
fn visible(auth: &Authenticated, job: &JobRow) -> bool {
    job.institution_id == auth.session.institution_id
        && (auth.session.role == Role::Coordinator || job.user_cui == auth.session.cui)
}

/// The job, if the caller may see it; blocking (inside [`Caller::run`]).
fn find(state: &AppState, auth: &Authenticated, id: &str) -> Result<JobRow, ApiError> {
    match state.store.job(id).map_err(store_err)? {
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
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<QueryJob>, ApiError> {
    let (job, ahead) = caller
        .run(&state, move |state, auth| {
            let job = find(state, &auth, &id)?;
            let ahead = state.store.jobs_ahead(job.seq).map_err(store_err)?;
            Ok((job, ahead))
        })
        .await?;
    Ok(Json(view(&job, Some(ahead), lang(&headers))))
}

/// The caller's jobs (a coordinator: the institution's), newest first, one
/// page at a time.
#[utoipa::path(get, path = "/v1/queries", tag = "queries", operation_id = "list", security(("workstation" = [], "session" = [])),
    params(JobListParams),
    responses((status = 200, description = "OK.", body = Vec<QueryJob>), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
    Query(params): Query<JobListParams>,
) -> Result<Json<Vec<QueryJob>>, ApiError> {
    let rows = caller
        .run(&state, move |state, auth| {
            let limit = params.page_size().ok_or_else(|| {
                let max = JobListParams::MAX_LIMIT;
                ApiError::new(ErrorCode::BadRequest).with_detail(
                    format!("limit debe estar entre 1 y {max}"),
                    format!("limit must be between 1 and {max}"),
                )
            })?;
            // The cursor is a job the caller may see; anyone else's id is
            // unknown, as everywhere else.
            let before = match &params.before {
                Some(id) => Some(find(state, &auth, id)?.seq),
                None => None,
            };
            let only = (auth.session.role == Role::User).then_some(auth.session.cui.as_str());
            let page = JobPage { before, limit };
            state
                .store
                .jobs(auth.session.institution_id, only, page)
                .map_err(store_err)
        })
        .await?;
    let lang = lang(&headers);
    Ok(Json(rows.iter().map(|r| view(r, None, lang)).collect()))
}

/// The rows of a finished job that need a look (its owner only, as the
/// result); a job finished before they were kept has none.
#[utoipa::path(get, path = "/v1/queries/{id}/attention", tag = "queries", operation_id = "attention", security(("workstation" = [], "session" = [])),
    params(("id" = String, Path, description = "The job's id.")),
    responses((status = 200, description = "The rows of a finished job that need a look.", body = Vec<padron_shared::queries::AttentionRow>), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn attention(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<padron_shared::queries::AttentionRow>>, ApiError> {
    let rows = caller
        .run(&state, move |state, auth| {
            let job = find(state, &auth, &id)?;
            match job.state {
                JobState::Done => {}
                JobState::Expired => return Err(ApiError::new(ErrorCode::QueryExpired)),
                JobState::Failed => return Err(ApiError::new(ErrorCode::QueryFailed)),
                JobState::Queued | JobState::Running => {
                    return Err(ApiError::new(ErrorCode::QueryNotReady));
                }
            }
            let path = uploads::attention_path(&state.data_dir, &job.id).map_err(|e| {
                ApiError::new(ErrorCode::Internal).logged(format!("attention: {e}"))
            })?;
            match std::fs::read(&path) {
                Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                    ApiError::new(ErrorCode::Internal).logged(format!("attention unreadable: {e}"))
                }),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
                Err(e) => {
                    Err(ApiError::new(ErrorCode::Internal)
                        .logged(format!("attention unreadable: {e}")))
                }
            }
        })
        .await?;
    Ok(Json(rows))
}

/// The result workbook of a finished job.
#[utoipa::path(get, path = "/v1/queries/{id}/result", tag = "queries", operation_id = "result", security(("workstation" = [], "session" = [])),
    params(("id" = String, Path, description = "The job's id.")),
    responses((status = 200, description = "The result workbook.", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = super::openapi::Binary), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn result(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (job, bytes) = caller
        .run(&state, move |state, auth| {
            let job = find(state, &auth, &id)?;
            match job.state {
                // A consulta individual was answered in full at once: it has no workbook.
                JobState::Done if job.file_name == crate::store::ONE_QUERY_FILE_NAME => {
                    return Err(ApiError::new(ErrorCode::QueryNotFound));
                }
                JobState::Done => {}
                JobState::Expired => return Err(ApiError::new(ErrorCode::QueryExpired)),
                JobState::Failed => return Err(ApiError::new(ErrorCode::QueryFailed)),
                JobState::Queued | JobState::Running => {
                    return Err(ApiError::new(ErrorCode::QueryNotReady));
                }
            }
            let bytes = uploads::result_path(&state.data_dir, &job.id)
                .and_then(std::fs::read)
                .map_err(|e| {
                    ApiError::new(ErrorCode::Internal).logged(format!("result unreadable: {e}"))
                })?;
            Ok((job, bytes))
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
