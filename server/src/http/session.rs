//! The logged-in person behind a request: `Authorization: Bearer <token>`.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::AppState;
use super::errors::ApiError;
use super::identity::{CallingWorkstation, PresentedWorkstation, confirm, presented};
use crate::store::SessionRow;

/// A valid session of the calling workstation: the token, its binding to
/// this workstation's certificate and both timeouts checked, the activity
/// recorded.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub session: SessionRow,
    pub token_hash: String,
    pub workstation: CallingWorkstation,
}

/// A request that says it has a session, not yet checked. Extracting it
/// touches nothing; [`Caller::run`] checks workstation and session and does
/// the handler's work in one blocking call (the status poll, the job list,
/// the consulta individual: the requests that come by the thousand).
#[derive(Debug, Clone)]
pub struct Caller {
    presented: PresentedWorkstation,
    bearer: Option<String>,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        Ok(Caller {
            presented: presented(parts)?,
            bearer,
        })
    }
}

impl Caller {
    /// The workstation confirmed, the session checked: blocking, so only
    /// inside [`run`](Self::run).
    fn authenticate(&self, state: &AppState) -> Result<Authenticated, ApiError> {
        let ws = confirm(&state.enrolled, &self.presented)?;
        let (session, token_hash) =
            crate::auth::login::authenticate(state, &ws, self.bearer.as_deref())?;
        Ok(Authenticated {
            session,
            token_hash,
            workstation: CallingWorkstation(ws),
        })
    }

    /// Authenticates, then runs `work` with the session, on the blocking
    /// pool, in one hand-off.
    pub async fn run<T: Send + 'static>(
        self,
        state: &AppState,
        work: impl FnOnce(&AppState, Authenticated) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = state.clone();
        super::blocking(move || {
            let auth = self.authenticate(&state)?;
            work(&state, auth)
        })
        .await
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    /// For handlers whose work is not in the same call: one blocking call
    /// for workstation and session together.
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.run(state, |_, auth| Ok(auth)).await
    }
}
