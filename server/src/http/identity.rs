//! Who is calling: the workstation behind the TLS client certificate.
//!
//! Every request is checked twice, cheaply first: the middleware looks the
//! certificate up in the in-memory list (no database, no thread hand-off)
//! and refuses an unknown or revoked workstation at once. Whatever reads or
//! changes data then confirms the workstation against the database in the
//! same blocking call that does its work ([`confirm`], through
//! [`CallingWorkstation`] or [`super::session::Caller`]): a workstation
//! revoked while it holds a keep-alive connection is refused on its very
//! next request, and a status poll costs one hand-off to the blocking pool,
//! not three.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use padron_shared::ErrorCode;
use tracing::Instrument;

use super::AppState;
use super::errors::ApiError;
use crate::access::connections::PeerIdentity;
use crate::access::enrolled::{EnrolledWorkstations, Lookup};
use crate::access::pki::fingerprint_hex;
use crate::store::Workstation;

/// The workstation as the in-memory list knew it when the request arrived
/// (not yet confirmed against the database): for the rate limits and the
/// log span, and what [`confirm`] re-reads.
#[derive(Debug, Clone)]
pub struct PresentedWorkstation {
    pub workstation: Arc<Workstation>,
    pub fingerprint: String,
}

/// The calling workstation, confirmed against the database for this request.
#[derive(Debug, Clone)]
pub struct CallingWorkstation(pub Arc<Workstation>);

/// The in-memory list's answer, as a refusal when it is not a current,
/// unrevoked workstation.
fn admit(found: Lookup) -> Result<Arc<Workstation>, ApiError> {
    let workstation = match found {
        Lookup::Known(ws) => ws,
        Lookup::Unknown => return Err(ApiError::new(ErrorCode::WorkstationUnknown)),
        Lookup::Unavailable => {
            tracing::error!("store unavailable resolving workstation");
            return Err(ApiError::new(ErrorCode::StoreUnavailable));
        }
    };
    if let Some(when) = &workstation.revoked_at {
        tracing::warn!(
            workstation = workstation.id,
            "request from revoked workstation refused"
        );
        return Err(ApiError::new(ErrorCode::WorkstationRevoked).with_detail(
            format!("Revocada el {when}."),
            format!("Revoked on {when}."),
        ));
    }
    Ok(workstation)
}

/// Brings the list up to date with the database, then looks the caller up
/// again. Blocking (a read that never waits on a lock, or a round trip to
/// PostgreSQL): call it inside the request's blocking work.
pub fn confirm(
    enrolled: &EnrolledWorkstations,
    presented: &PresentedWorkstation,
) -> Result<Arc<Workstation>, ApiError> {
    admit(enrolled.fresh_lookup(&presented.fingerprint))
}

/// The middleware: refuses, from memory, a request without a client
/// certificate or from an unknown or revoked workstation, and opens the
/// request's log span.
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
    let workstation = match admit(state.enrolled.lookup(&fingerprint)) {
        Ok(ws) => ws,
        Err(refusal) => return refusal.into_response(),
    };
    let span = tracing::info_span!(
        "request",
        workstation = workstation.id,
        method = %request.method(),
        path = %request.uri().path()
    );
    request.extensions_mut().insert(PresentedWorkstation {
        workstation,
        fingerprint,
    });
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

/// What the middleware put on the request; missing only if a route were
/// mounted outside it.
pub(super) fn presented(parts: &Parts) -> Result<PresentedWorkstation, ApiError> {
    parts
        .extensions
        .get::<PresentedWorkstation>()
        .cloned()
        .ok_or_else(|| ApiError::new(ErrorCode::WorkstationCertificateMissing))
}

impl FromRequestParts<AppState> for CallingWorkstation {
    type Rejection = ApiError;

    /// For handlers without a session (login, whoami): one blocking call to
    /// confirm the workstation.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let presented = presented(parts)?;
        let enrolled = state.enrolled.clone();
        super::blocking(move || confirm(&enrolled, &presented))
            .await
            .map(CallingWorkstation)
    }
}
