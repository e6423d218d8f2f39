//! The HTTPS API under `/v1`.
//!
//! Layers, outermost first: [`errors::localize`] renders every refusal as an
//! [`ErrorBody`](padron_shared::ErrorBody) in the caller's language;
//! [`identity::require_workstation`] turns the TLS client certificate into
//! the calling [`Workstation`](crate::store::Workstation) (or refuses);
//! then the handlers.

pub mod errors;
pub mod identity;
mod routes;

use std::sync::Arc;

use axum::Router;
use axum::middleware;

use crate::clock::Clock;
use crate::store::Store;

/// What every handler can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(routes::v1())
        .fallback(errors::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            identity::require_workstation,
        ))
        .layer(middleware::from_fn(errors::localize))
        .with_state(state)
}
