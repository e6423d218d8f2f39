//! `/v1/reports/*`: what a coordinator may learn of its users' queries.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use padron_shared::auth::Role;
use padron_shared::reports::{UserActivityParams, UserActivityReport};
use padron_shared::{Cui, ErrorCode};
use serde_json::json;

use super::AppState;
use super::errors::ApiError;
use super::session::Authenticated;
use crate::audit::AuditRecord;
use crate::clock::timestamp;
use crate::error::ServerError;
use crate::institutions::calendar::parse_days;

pub fn v1() -> Router<AppState> {
    Router::new().route("/v1/reports/user-activity", get(user_activity))
}

/// One user's queries between two days. Coordinators only, and only for a
/// person of their own institution: anyone else is `USER_UNKNOWN`, so the
/// endpoint cannot be used to learn who works elsewhere.
#[utoipa::path(get, path = "/v1/reports/user-activity", tag = "reports", operation_id = "user_activity", security(("workstation" = [], "session" = [])),
    params(UserActivityParams),
    responses((status = 200, description = "OK.", body = UserActivityReport), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn user_activity(
    State(state): State<AppState>,
    auth: Authenticated,
    Query(params): Query<UserActivityParams>,
) -> Result<Json<UserActivityReport>, ApiError> {
    if auth.session.role != Role::Coordinator {
        return Err(ApiError::new(ErrorCode::CoordinatorOnly));
    }
    let cui = Cui::parse(&params.cui).map_err(|e| {
        ApiError::new(ErrorCode::CuiInvalid).with_detail(e.to_string(), e.message_en())
    })?;
    let period = parse_days(&params.from, &params.to).map_err(|e| {
        let text = e.to_string();
        ApiError::new(ErrorCode::ReportPeriodInvalid).with_detail(text.clone(), text)
    })?;
    let report = crate::request_id::spawn_blocking(move || {
        let now = timestamp(state.clock.now());
        let institution = auth.session.institution_id;
        let report = crate::reports::activity::user_activity(
            &*state.store,
            institution,
            &cui,
            period,
            &state.clock.zone(),
            &now,
        );
        let outcome = match &report {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("refused:{}", e.code()),
        };
        // Who looked at whose activity is itself on the record.
        let audit = AuditRecord {
            at: now,
            actor: format!("cui:{}", auth.session.cui),
            workstation_id: Some(auth.workstation.0.id),
            action: "report.user_activity".to_owned(),
            subject: format!("user:{}", cui.as_string()),
            outcome,
            detail: json!({ "from": params.from, "to": params.to }),
        };
        state
            .store
            .append_audit(&audit)
            .map_err(ServerError::from)?;
        report
    })
    .await
    .map_err(|_| ApiError::new(ErrorCode::Internal))?
    .map_err(ApiError::from)?;
    Ok(Json(report))
}
