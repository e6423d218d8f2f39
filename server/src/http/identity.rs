//! Who is calling: the workstation behind the TLS client certificate.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use padron_shared::ErrorCode;
use tracing::Instrument;

use super::AppState;
use super::errors::ApiError;
use crate::access::connections::PeerIdentity;
use crate::access::enrolled::Lookup;
use crate::access::pki::fingerprint_hex;
use crate::store::Workstation;

/// The calling workstation, for handlers: `Extension<CallingWorkstation>`.
#[derive(Debug, Clone)]
pub struct CallingWorkstation(pub Arc<Workstation>);

/// Resolves the workstation on every request, not once per connection: a
/// workstation revoked while it holds a keep-alive connection is refused on
/// its very next request. The lookup is the in-memory list, brought up to
/// date first (off the async threads; it never waits on a database lock).
pub async fn require_workstation(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(der) = request
        .extensions()
        .get::<PeerIdentity>()
        .and_then(|peer| peer.certificates.first().cloned())
    else {
        return ApiError::new(ErrorCode::WorkstationCertificateMissing).into_response();
    };
    let fingerprint = fingerprint_hex(&der);
    let enrolled = state.enrolled.clone();
    let found = tokio::task::spawn_blocking(move || enrolled.fresh_lookup(&fingerprint)).await;
    let workstation = match found {
        Ok(Lookup::Known(ws)) => ws,
        Ok(Lookup::Unknown) => return ApiError::new(ErrorCode::WorkstationUnknown).into_response(),
        Ok(Lookup::Unavailable) => {
            tracing::error!("store unavailable resolving workstation");
            return ApiError::new(ErrorCode::StoreUnavailable).into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "workstation lookup task failed");
            return ApiError::new(ErrorCode::Internal).into_response();
        }
    };
    if let Some(when) = &workstation.revoked_at {
        tracing::warn!(
            workstation = workstation.id,
            "request from revoked workstation refused"
        );
        return ApiError::new(ErrorCode::WorkstationRevoked)
            .with_detail(
                format!("Revocada el {when}."),
                format!("Revoked on {when}."),
            )
            .into_response();
    }
    let span = tracing::info_span!(
        "request",
        workstation = workstation.id,
        method = %request.method(),
        path = %request.uri().path()
    );
    request
        .extensions_mut()
        .insert(CallingWorkstation(workstation));
    let started = std::time::Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "handled"
        );
    });
    response
}
