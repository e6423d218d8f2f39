//! The logged-in person behind a request: `Authorization: Bearer <token>`.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use padron_shared::ErrorCode;

use super::AppState;
use super::errors::ApiError;
use super::identity::CallingWorkstation;
use crate::store::SessionRow;

/// A valid session of the calling workstation. Extracting it checks the
/// token, the binding to this workstation's certificate and both timeouts,
/// and records the activity.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub session: SessionRow,
    pub token_hash: String,
    pub workstation: CallingWorkstation,
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let workstation = parts
            .extensions
            .get::<CallingWorkstation>()
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorCode::WorkstationCertificateMissing))?;
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        let state = state.clone();
        let ws = Arc::clone(&workstation.0);
        let (session, token_hash) = super::blocking(move || {
            crate::auth::login::authenticate(&state, &ws, bearer.as_deref())
        })
        .await?;
        Ok(Authenticated {
            session,
            token_hash,
            workstation,
        })
    }
}
