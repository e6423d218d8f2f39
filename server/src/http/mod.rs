//! The HTTPS API under `/v1`.
//!
//! Layers, outermost first: [`errors::localize`] renders every refusal as an
//! [`ErrorBody`](padron_shared::ErrorBody) in the caller's language;
//! [`identity::require_workstation`] turns the TLS client certificate into
//! the calling [`Workstation`](crate::store::Workstation) (or refuses);
//! then the handlers.

mod account;
pub mod errors;
pub mod identity;
mod queries;
mod reports;
mod routes;
pub mod session;

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
    /// Lowercase hex SHA-256 of the server's TLS certificate: the identity
    /// card logins are bound to.
    pub server_fingerprint: String,
    /// ETSI country code of the eID certificates' `serialNumber` (`GT`).
    pub eid_country: String,
    /// Where uploads and results live.
    pub data_dir: crate::datadir::DataDir,
    /// Tells the queue worker a job was queued.
    pub wake: std::sync::mpsc::Sender<()>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(routes::v1())
        .merge(account::v1())
        .merge(queries::v1())
        .merge(reports::v1())
        .fallback(errors::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            identity::require_workstation,
        ))
        .layer(middleware::from_fn(errors::localize))
        .with_state(state)
}
