//! `/v1` handlers.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use padron_shared::protocol::{Health, PROTOCOL_VERSION, WhoAmI};

use super::AppState;
use super::identity::CallingWorkstation;
use crate::clock::timestamp;

pub fn v1() -> Router<AppState> {
    Router::new()
        .route("/v1/whoami", get(whoami))
        .route("/v1/health", get(health))
        .route("/v1/openapi.json", get(openapi_json))
}

/// This document.
#[utoipa::path(get, path = "/v1/openapi.json", tag = "workstation", operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document of /v1.", body = serde_json::Value), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    super::openapi::serve_document().await
}

/// Who the server thinks is calling, from the client certificate.
#[utoipa::path(get, path = "/v1/whoami", tag = "workstation", operation_id = "whoami",
    responses((status = 200, description = "OK.", body = WhoAmI), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn whoami(
    State(state): State<AppState>,
    CallingWorkstation(ws): CallingWorkstation,
) -> Json<WhoAmI> {
    // From memory only: the kiosk asks every 30 s, and this answers even
    // while another process holds the database.
    Json(WhoAmI {
        time_zone: state.clock.zone().name().to_owned(),
        service_desk: state.service_desk.clone(),
        workstation_id: ws.id,
        institution_code: ws.institution_code.clone(),
        institution_name: ws.institution_name.clone(),
        site: ws.site.clone(),
        certificate_not_after: ws.certificate.not_after.clone(),
    })
}

/// For monitoring: the version and whether the database answers.
#[utoipa::path(get, path = "/v1/health", tag = "workstation", operation_id = "health",
    responses((status = 200, description = "OK.", body = Health), (status = "default", description = "A refusal: its stable code, a sentence in the caller's language (`Accept-Language`), and what in particular was refused.", body = padron_shared::ErrorBody)))]
pub(super) async fn health(State(state): State<AppState>) -> Json<Health> {
    let store = state.store.clone();
    let local = state.local_registry.clone();
    let checked = tokio::task::spawn_blocking(move || {
        store.ping()?;
        let standing = crate::cluster::standing(store.as_ref(), &local)?;
        Ok::<_, crate::store::StoreError>((local.version(), standing))
    })
    .await;
    let (database, registry_version, registry_current) = match checked {
        Ok(Ok((version, standing))) => ("ok".to_owned(), version, standing.is_current()),
        Ok(Err(e)) => (e.to_string(), state.local_registry.version(), None),
        Err(e) => (e.to_string(), None, None),
    };
    let healthy = database == "ok" && registry_current != Some(false);
    Json(Health {
        status: if healthy { "ok" } else { "degraded" }.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        protocol: PROTOCOL_VERSION,
        database,
        node: Some(crate::services::node_id().to_owned()),
        registry_version,
        registry_current,
        server_time: timestamp(state.clock.now()),
    })
}
