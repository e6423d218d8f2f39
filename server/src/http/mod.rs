//! The HTTPS API under `/v1`.
//!
//! Layers, outermost first: [`errors::localize`] renders every refusal as an
//! [`ErrorBody`](padron_shared::ErrorBody) in the caller's language;
//! [`identity::require_workstation`] turns the TLS client certificate into
//! the calling [`Workstation`](crate::store::Workstation) (or refuses);
//! [`rate::limit`] spends that workstation's tokens on the endpoints that
//! cost the most (challenge, login, upload, result download); then the
//! handlers. Store, card and parsing work runs in [`blocking`], never on
//! the async threads.

mod account;
pub mod errors;
pub mod identity;
pub mod observe;
pub mod openapi;
mod queries;
pub mod rate;
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
    /// The enrolled workstations, in memory (kept current from the store).
    pub enrolled: Arc<crate::enrolled::EnrolledWorkstations>,
    /// Token buckets per workstation and endpoint.
    pub rates: Arc<rate::RateLimits>,
    /// Repeated refusals, audited once a minute.
    pub refusals: Arc<crate::refusal_tally::RefusalTally>,
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
