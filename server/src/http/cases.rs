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

async fn unresolved(
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

async fn submit(
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

async fn list(
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

async fn show(
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
