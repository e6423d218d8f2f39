//! `/v1/tickets`: the service desk for any logged-in person. A user sees
//! their own tickets, a coordinator the institution's; another
//! institution's ticket does not exist (`TICKET_NOT_FOUND`).

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use padron_shared::ErrorCode;
use padron_shared::auth::Role;
use padron_shared::tickets::{NewTicket, TicketText, TicketView};

use super::errors::ApiError;
use super::session::Authenticated;
use super::{AppState, blocking};
use crate::clock::timestamp;
use crate::error::ServerError;

pub fn v1() -> Router<AppState> {
    Router::new()
        .route("/v1/tickets", get(list).post(open))
        .route("/v1/tickets/{id}", get(show))
        .route("/v1/tickets/{id}/reopen", post(reopen))
}

fn store_err(e: crate::store::StoreError) -> ApiError {
    ApiError::from(ServerError::from(e))
}

#[utoipa::path(post, path = "/v1/tickets", tag = "tickets", operation_id = "ticket_open", security(("workstation" = [], "session" = [])),
    request_body(content = padron_shared::tickets::NewTicket),
    responses((status = 201, description = "Opened.", body = padron_shared::tickets::TicketView), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn open(
    State(state): State<AppState>,
    auth: Authenticated,
    Json(t): Json<NewTicket>,
) -> Result<(axum::http::StatusCode, Json<TicketView>), ApiError> {
    let view = blocking(move || {
        crate::desk::tickets::open(
            state.store.as_ref(),
            state.clock.now(),
            &auth.workstation.0,
            &auth.session,
            &t,
        )
    })
    .await?;
    Ok((axum::http::StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/v1/tickets", tag = "tickets", operation_id = "ticket_list", security(("workstation" = [], "session" = [])),
    responses((status = 200, description = "The caller's tickets.", body = Vec<padron_shared::tickets::TicketView>), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn list(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<TicketView>>, ApiError> {
    let views = blocking(move || {
        let only = (auth.session.role == Role::User).then(|| auth.session.cui.clone());
        let rows = state
            .store
            .tickets(
                Some(auth.session.institution_id),
                only.as_deref(),
                None,
                None,
            )
            .map_err(store_err)?;
        Ok(rows
            .iter()
            .map(|t| {
                let mut v = crate::desk::tickets::view(t, &[], false);
                // The badge is for the author: a coordinator reading a user's ticket is not them.
                v.unread &= t.author_cui == auth.session.cui;
                v
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(Json(views))
}

fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse()
        .map_err(|_| ApiError::new(ErrorCode::TicketNotFound))
}

#[utoipa::path(get, path = "/v1/tickets/{id}", tag = "tickets", operation_id = "ticket_show", security(("workstation" = [], "session" = [])),
    params(("id" = String, Path, description = "The ticket's id.")),
    responses((status = 200, description = "The ticket with its replies.", body = padron_shared::tickets::TicketView), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn show(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<TicketView>, ApiError> {
    let id = parse_id(&id)?;
    let view = blocking(move || {
        let t = state
            .store
            .ticket(id)
            .map_err(store_err)?
            .filter(|t| crate::desk::tickets::visible(&auth.session, t))
            .ok_or_else(|| ApiError::new(ErrorCode::TicketNotFound))?;
        let messages = state.store.ticket_messages(id).map_err(store_err)?;
        let mut v = crate::desk::tickets::view(&t, &messages, true);
        if t.author_cui == auth.session.cui {
            // Opened by its author: the replies so far are read.
            state
                .store
                .ticket_seen(id, &timestamp(state.clock.now()))
                .map_err(store_err)?;
        } else {
            v.unread = false;
        }
        Ok(v)
    })
    .await?;
    Ok(Json(view))
}

#[utoipa::path(post, path = "/v1/tickets/{id}/reopen", tag = "tickets", operation_id = "ticket_reopen", security(("workstation" = [], "session" = [])),
    params(("id" = String, Path, description = "The ticket's id.")),
    request_body(content = padron_shared::tickets::TicketText),
    responses((status = 200, description = "Reopened (its author, within 15 days of its resolution).", body = padron_shared::tickets::TicketView), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn reopen(
    State(state): State<AppState>,
    auth: Authenticated,
    Path(id): Path<String>,
    Json(body): Json<TicketText>,
) -> Result<Json<TicketView>, ApiError> {
    let id = parse_id(&id)?;
    let view = blocking(move || {
        crate::desk::tickets::reopen(
            state.store.as_ref(),
            state.clock.now(),
            &auth.workstation.0,
            &auth.session,
            id,
            &body.text,
        )
    })
    .await?;
    Ok(Json(view))
}
