//! The HTTPS API under `/v1`.
//!
//! Layers, outermost first: [`errors::localize`] renders every refusal as an
//! [`ErrorBody`](padron_shared::ErrorBody) in the caller's language;
//! [`identity::require_workstation`] turns the TLS client certificate into
//! the calling [`Workstation`](crate::store::Workstation) (or refuses);
//! [`rate::limit`] spends that workstation's tokens on the endpoints that
//! cost the most (challenge, login, upload, result download); then the
//! handlers. Store, card and parsing work runs in `blocking`, never on
//! the async threads.

mod account;
mod cases;
pub mod errors;
pub mod identity;
pub mod observe;
pub mod one_query;
pub mod openapi;
mod queries;
pub mod rate;
mod reports;
mod routes;
pub mod session;
mod tickets;

use std::sync::Arc;

use axum::Router;
use axum::middleware;

use crate::services::Services;

/// What every handler can reach: the domain's [`Services`] (through
/// `Deref`, so `state.store` reads as before) and what only HTTP needs.
#[derive(Clone, Debug)]
pub struct AppState {
    pub services: Services,
    /// Token buckets per workstation and endpoint.
    pub rates: Arc<rate::RateLimits>,
    /// `[service_desk] contact`: shown in every kiosk's footer.
    pub service_desk: String,
    /// The consulta individual's per-person rates and open registries.
    pub desk: Arc<crate::desk::answer::DeskState>,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}

/// The caller's language: `Accept-Language`, Spanish by default.
pub fn lang(headers: &axum::http::HeaderMap) -> padron_shared::Lang {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(padron_shared::Lang::from_accept_language)
        .unwrap_or_default()
}

/// Runs blocking work (SQLite, card, parsing) on tokio's blocking pool,
/// off the threads that drive connections.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, errors::ApiError> + Send + 'static,
) -> Result<T, errors::ApiError> {
    crate::request_id::spawn_blocking(f)
        .await
        .map_err(|_| errors::ApiError::new(padron_shared::ErrorCode::Internal))?
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(routes::v1())
        .merge(account::v1())
        .merge(queries::v1())
        .merge(one_query::v1())
        .merge(cases::v1())
        .merge(tickets::v1())
        .merge(reports::v1())
        .fallback(errors::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), rate::limit))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            identity::require_workstation,
        ))
        .layer(middleware::from_fn(errors::body_deadline))
        .layer(middleware::from_fn(errors::localize))
        .layer(middleware::from_fn(observe::observe))
        .with_state(state)
}
