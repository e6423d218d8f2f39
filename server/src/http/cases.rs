//! `/v1/cases` and `/v1/queries/{id}/unresolved`: follow-up cases, for the
//! institution's coordinators only (a user, or another institution's
//! coordinator, is refused; another institution's case does not exist).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use padron_shared::ErrorCode;
use padron_shared::auth::Role;
use padron_shared::cases::{CaseView, UnresolvedRow};
use padron_shared::users::SignedRequest;

use super::errors::ApiError;
use super::session::Authenticated;
use super::{AppState, blocking};
use crate::error::ServerError;

pub fn v1() -> Router<AppState> {
    Router::new()
        .route("/v1/cases", get(list).post(submit))
        .route("/v1/cases/{id}", get(show))
        .route("/v1/queries/{id}/unresolved", get(unresolved))
}

fn store_err(e: crate::store::StoreError) -> ApiError {
    ApiError::from(ServerError::from(e))
}

fn coordinator(auth: &Authenticated) -> Result<(), ApiError> {
    if auth.session.role == Role::Coordinator {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::CoordinatorOnly))
    }
}

#[utoipa::path(get, path = "/v1/queries/{id}/unresolved", tag = "cases", operation_id = "unresolved_rows", security(("workstation" = [], "session" = [])),
    params(("id" = String, Path, description = "The finished job's id.")),
    responses((status = 200, description = "The finished job's NO_ENCONTRADO and AMBIGUO rows (coordinators only).", body = Vec<padron_shared::cases::UnresolvedRow>), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn unresolved(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<Vec<UnresolvedRow>>, ApiError> {
    coordinator(&auth)?;
    let rows = blocking(move || {
        let job = state
            .store
            .job(&id)
            .map_err(store_err)?
            .filter(|j| j.institution_id == auth.session.institution_id)
            .ok_or_else(|| ApiError::new(ErrorCode::QueryNotFound))?;
        crate::desk::cases::unresolved_rows(&state.data_dir, &job)
    })
    .await?;
    Ok(Json(rows))
}

#[utoipa::path(post, path = "/v1/cases", tag = "cases", operation_id = "case_submit", security(("workstation" = [], "session" = [])),
    request_body(content = padron_shared::users::SignedRequest, description = "A follow-up case signed with the coordinator's card (canonical JSON of a `CasePayload`)."),
    responses((status = 201, description = "Received by the registry's identity-verification desk.", body = padron_shared::cases::CaseView), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn submit(
    State(state): State<AppState>,
    auth: Authenticated,
    Json(signed): Json<SignedRequest>,
) -> Result<(axum::http::StatusCode, Json<CaseView>), ApiError> {
    let view = blocking(move || {
        crate::desk::cases::submit(&state, &auth.workstation.0, &auth.session, &signed)
    })
    .await?;
    Ok((axum::http::StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/v1/cases", tag = "cases", operation_id = "case_list", security(("workstation" = [], "session" = [])),
    responses((status = 200, description = "The institution's cases (coordinators only).", body = Vec<padron_shared::cases::CaseView>), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<CaseView>>, ApiError> {
    coordinator(&auth)?;
    let views = blocking(move || {
        let cases = state
            .store
            .cases(Some(auth.session.institution_id), None)
            .map_err(store_err)?;
        Ok(cases
            .iter()
            .map(|c| crate::desk::cases::view(c, &[], false))
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(Json(views))
}

#[utoipa::path(get, path = "/v1/cases/{id}", tag = "cases", operation_id = "case_show", security(("workstation" = [], "session" = [])),
    params(("id" = String, Path, description = "The case's id.")),
    responses((status = 200, description = "The case with each row's outcome.", body = padron_shared::cases::CaseView), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn show(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    coordinator(&auth)?;
    let view = blocking(move || {
        let case = state
            .store
            .case(&id)
            .map_err(store_err)?
            .filter(|c| c.institution_id == auth.session.institution_id)
            .ok_or_else(|| ApiError::new(ErrorCode::CaseNotFound))?;
        let rows = state.store.case_rows(&case.id).map_err(store_err)?;
        Ok(crate::desk::cases::view(&case, &rows, true))
    })
    .await?;
    Ok(Json(view))
}
