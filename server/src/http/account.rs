//! `/v1/auth/*`, `/v1/session`, `/v1/users`, `/v1/requests`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use padron_shared::auth::{AuthToken, Challenge, Role, SESSION_IDLE_SECONDS, SessionInfo};
use padron_shared::users::{RequestView, SignedRequest, UserView};
use padron_shared::{Cui, ErrorCode};

use super::errors::ApiError;
use super::identity::CallingWorkstation;
use super::session::{Authenticated, Caller};
use super::{AppState, blocking};
use crate::error::ServerError;

pub fn v1() -> Router<AppState> {
    Router::new()
        .route("/v1/auth/challenge", post(challenge))
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/session", get(session))
        .route("/v1/users", get(users))
        .route("/v1/requests", get(requests).post(submit))
}

use super::lang;

/// A single-use nonce (5 min) for the card to sign.
#[utoipa::path(post, path = "/v1/auth/challenge", tag = "auth", operation_id = "challenge",
    responses((status = 200, description = "OK.", body = Challenge), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn challenge(
    State(state): State<AppState>,
    CallingWorkstation(ws): CallingWorkstation,
) -> Result<Json<Challenge>, ApiError> {
    blocking(move || crate::auth::login::challenge(&state, &ws))
        .await
        .map(Json)
}

/// The card's signature over the server's identity and the nonce: a session.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", operation_id = "login",
    request_body = AuthToken,
    responses((status = 200, description = "OK.", body = SessionInfo), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn login(
    State(state): State<AppState>,
    CallingWorkstation(ws): CallingWorkstation,
    Json(token): Json<AuthToken>,
) -> Result<Json<SessionInfo>, ApiError> {
    blocking(move || crate::auth::login::login(&state, &ws, &token))
        .await
        .map(Json)
}

/// Ends the session.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", operation_id = "logout", security(("workstation" = [], "session" = [])),
    responses((status = 200, description = "`{\"ended\": true}`", body = serde_json::Value), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn logout(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<serde_json::Value>, ApiError> {
    blocking(move || {
        crate::auth::login::logout(&state, &auth.workstation.0, &auth.session, &auth.token_hash)
    })
    .await?;
    Ok(Json(serde_json::json!({ "ended": true })))
}

/// The session of the bearer token (its `token` field empty).
#[utoipa::path(get, path = "/v1/session", tag = "auth", operation_id = "session", security(("workstation" = [], "session" = [])),
    responses((status = 200, description = "OK.", body = SessionInfo), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn session(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SessionInfo>, ApiError> {
    let (auth, installation_id, programmes) = caller
        .run(&state, |state, auth| {
            let programmes = state
                .store
                .programmes(&auth.workstation.0.institution_code)
                .map_err(|e| ApiError::from(crate::error::ServerError::from(e)))?;
            let installation_id = crate::auth::login::installation_id(state)?;
            Ok((auth, installation_id, programmes))
        })
        .await?;
    let ws = &auth.workstation.0;
    let s = auth.session;
    let cui = Cui::parse(&s.cui).map_err(|_| ApiError::new(ErrorCode::Internal))?;
    Ok(Json(SessionInfo {
        token: String::new(),
        role: s.role,
        cui,
        name: s.full_name,
        institution_code: ws.institution_code.clone(),
        institution_name: ws.institution_name.clone(),
        workstation_id: ws.id,
        idle_timeout_seconds: SESSION_IDLE_SECONDS,
        expires_at: s.expires_at,
        installation_id,
        programmes,
    }))
}

fn coordinator(auth: &Authenticated) -> Result<(), ApiError> {
    if auth.session.role == Role::Coordinator {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::CoordinatorOnly))
    }
}

/// The institution's users (coordinators only).
#[utoipa::path(get, path = "/v1/users", tag = "coordination", operation_id = "users", security(("workstation" = [], "session" = [])),
    responses((status = 200, description = "OK.", body = Vec<UserView>), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn users(
    State(state): State<AppState>,
    auth: Authenticated,
) -> Result<Json<Vec<UserView>>, ApiError> {
    coordinator(&auth)?;
    let institution = auth.session.institution_id;
    let rows = blocking(move || {
        state
            .store
            .users(institution)
            .map_err(|e| ApiError::from(ServerError::from(e)))
    })
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|u| UserView {
                cui: u.cui,
                full_name: u.full_name,
                email: u.email,
                phone: u.phone,
                extension: u.extension,
                department: u.department,
                post: u.post,
                programme: u.programme,
                status: u.status,
                since: u.status_since,
                blocked: u.blocked,
            })
            .collect(),
    ))
}

/// The institution's signed user requests (coordinators only).
#[utoipa::path(get, path = "/v1/requests", tag = "coordination", operation_id = "requests", security(("workstation" = [], "session" = [])),
    responses((status = 200, description = "OK.", body = Vec<RequestView>), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn requests(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: Authenticated,
) -> Result<Json<Vec<RequestView>>, ApiError> {
    coordinator(&auth)?;
    let institution = auth.session.institution_id;
    let lang = lang(&headers);
    let rows = blocking(move || {
        state
            .store
            .requests(institution)
            .map_err(|e| ApiError::from(ServerError::from(e)))
    })
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| crate::users::requests::view(r, lang))
            .collect(),
    ))
}

/// A user change signed with the coordinator's card.
#[utoipa::path(post, path = "/v1/requests", tag = "coordination", operation_id = "submit", security(("workstation" = [], "session" = [])),
    request_body = SignedRequest,
    responses((status = 200, description = "OK.", body = RequestView), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn submit(
    State(state): State<AppState>,
    auth: Authenticated,
    Json(signed): Json<SignedRequest>,
) -> Result<Json<RequestView>, ApiError> {
    blocking(move || {
        crate::users::requests::submit(&state, &auth.workstation.0, &auth.session, &signed)
    })
    .await
    .map(Json)
}
