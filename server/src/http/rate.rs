//! Request rates per workstation: a token bucket per (workstation,
//! endpoint class) on the endpoints that cost the most or could be used to
//! guess: login challenges, logins, uploads and result downloads.
//!
//! A request over the rate is refused with `429 RATE_LIMITED` and a
//! `Retry-After`, before any store or card work; the refusals are counted
//! in [`RefusalTally`](crate::access::refusal_tally::RefusalTally), which audits
//! them once per workstation, code and minute.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use padron_shared::ErrorCode;

use super::AppState;
use super::errors::ApiError;
use super::identity::PresentedWorkstation;
use crate::access::buckets::Buckets;
use crate::access::limits::{Limits, Rate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Challenge,
    Login,
    Upload,
    Download,
}

impl Class {
    /// Which class a request falls in, if any.
    pub fn of(method: &Method, path: &str) -> Option<Class> {
        match (method, path) {
            (&Method::POST, "/v1/auth/challenge") => Some(Class::Challenge),
            (&Method::POST, "/v1/auth/login") => Some(Class::Login),
            (&Method::POST, "/v1/queries") => Some(Class::Upload),
            (&Method::GET, p)
                if p.starts_with("/v1/queries/")
                    && p.ends_with("/result")
                    && p.matches('/').count() == 4 =>
            {
                Some(Class::Download)
            }
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct RateLimits {
    challenge: Rate,
    login: Rate,
    upload: Rate,
    download: Rate,
    buckets: Buckets<(i64, Class)>,
}

impl RateLimits {
    pub fn new(limits: &Limits) -> RateLimits {
        RateLimits {
            challenge: limits.challenge_rate(),
            login: limits.login_rate(),
            upload: limits.upload_rate(),
            download: limits.download_rate(),
            buckets: Buckets::default(),
        }
    }

    fn rate(&self, class: Class) -> Rate {
        match class {
            Class::Challenge => self.challenge,
            Class::Login => self.login,
            Class::Upload => self.upload,
            Class::Download => self.download,
        }
    }

    /// Spends one token; `Err(seconds)` says when the next one is there.
    pub fn take(&self, workstation_id: i64, class: Class, now: Instant) -> Result<(), u64> {
        self.buckets
            .take((workstation_id, class), self.rate(class), now)
    }
}

/// The middleware: inside `require_workstation`, so the caller is known.
pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(class) = Class::of(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let Some(PresentedWorkstation {
        workstation: ws, ..
    }) = request.extensions().get::<PresentedWorkstation>().cloned()
    else {
        return next.run(request).await;
    };
    match state.rates.take(ws.id, class, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(retry_after) => {
            state
                .refusals
                .note(ws.id, ErrorCode::RateLimited, state.clock.now());
            let mut response = ApiError::new(ErrorCode::RateLimited)
                .with_detail(
                    format!("Intente de nuevo en {retry_after} s."),
                    format!("Try again in {retry_after} s."),
                )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_then_the_refill_rate() {
        let limits = Limits {
            challenge_per_minute: 60,
            challenge_burst: 3,
            ..Limits::default()
        };
        let rates = RateLimits::new(&limits);
        let t = Instant::now();
        for _ in 0..3 {
            assert_eq!(rates.take(1, Class::Challenge, t), Ok(()));
        }
        assert_eq!(rates.take(1, Class::Challenge, t), Err(1));
        // Another workstation, another class: their own buckets.
        assert_eq!(rates.take(2, Class::Challenge, t), Ok(()));
        assert_eq!(rates.take(1, Class::Login, t), Ok(()));
        // One per second comes back.
        let later = t + Duration::from_millis(1_100);
        assert_eq!(rates.take(1, Class::Challenge, later), Ok(()));
        assert!(rates.take(1, Class::Challenge, later).is_err());
    }

    #[test]
    fn classes_by_method_and_path() {
        assert_eq!(
            Class::of(&Method::POST, "/v1/auth/challenge"),
            Some(Class::Challenge)
        );
        assert_eq!(Class::of(&Method::GET, "/v1/auth/challenge"), None);
        assert_eq!(Class::of(&Method::POST, "/v1/queries"), Some(Class::Upload));
        assert_eq!(
            Class::of(&Method::GET, "/v1/queries/abc/result"),
            Some(Class::Download)
        );
        assert_eq!(Class::of(&Method::GET, "/v1/queries/abc"), None);
        assert_eq!(Class::of(&Method::GET, "/v1/queries"), None);
    }
}
