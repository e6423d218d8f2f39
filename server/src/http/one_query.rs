//! `POST /v1/queries/one`: the consulta individual. The session extractor
//! refuses an inactive or cancelled institution and a blocked person; the
//! rest (the per-person rate, the agreement, the quota, the engine, the
//! charge and its audit) is `desk::answer`.

use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use padron_shared::ErrorCode;
use padron_shared::single::OneQuery;

use super::AppState;
use super::errors::ApiError;
use super::session::Caller;

pub fn v1() -> Router<AppState> {
    Router::new().route("/v1/queries/one", post(one))
}

#[utoipa::path(post, path = "/v1/queries/one", tag = "queries", operation_id = "one_query", security(("workstation" = [], "session" = [])),
    request_body(content = padron_shared::single::OneQuery),
    responses((status = 200, description = "The answer, as a workbook row.", body = padron_shared::single::OneAnswer), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn one(
    State(state): State<AppState>,
    _headers: HeaderMap,
    caller: Caller,
    Json(query): Json<OneQuery>,
) -> Result<Response, ApiError> {
    // Session, rate and answer in one blocking call: a clerk at the desk
    // waits for every hand-off.
    let answer = caller
        .run(&state, move |state, auth| {
            if let Err(retry_after) = state.desk.take(&auth.session.cui, Instant::now()) {
                state.refusals.note(
                    auth.workstation.0.id,
                    ErrorCode::SingleQueryRateLimited,
                    state.clock.now(),
                );
                return Ok(Err(retry_after));
            }
            crate::desk::answer::answer(
                &state.services,
                &state.desk,
                &auth.session,
                &auth.workstation.0,
                &query,
            )
            .map(Ok)
        })
        .await?;
    let answer = match answer {
        Ok(answer) => answer,
        Err(retry_after) => {
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
    };
    Ok(Json(answer).into_response())
}
