//! The outermost layer: a request id for every request, the request's log
//! span, and the request metrics (by route template, never by raw path,
//! so that the number of series stays bounded whatever clients send).

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use metrics::{counter, histogram};
use padron_shared::ErrorCode;
use tracing::Instrument;

use crate::metrics::names;
use crate::request_id::{self, RequestId};

/// The route whose outcomes are the login metrics.
const LOGIN_ROUTE: &str = "/v1/auth/login";

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

pub async fn observe(request: Request, next: Next) -> Response {
    let id = RequestId::generate();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(request.method());
    let span = tracing::info_span!("request", request_id = %id, method, route = %route);
    let started = Instant::now();
    let mut response = request_id::scope(id.clone(), next.run(request))
        .instrument(span)
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status();
    counter!(names::HTTP_REQUESTS, "method" => method, "route" => route.clone(), "status" => status.as_u16().to_string())
        .increment(1);
    histogram!(names::HTTP_DURATION, "method" => method, "route" => route.clone()).record(elapsed);
    let code = response.extensions().get::<ErrorCode>().copied();
    if let Some(code) = code {
        counter!(names::HTTP_REFUSALS, "route" => route.clone(), "code" => code.as_str())
            .increment(1);
    }
    if route == LOGIN_ROUTE && method == "POST" {
        match code {
            None if status.is_success() => counter!(names::LOGINS).increment(1),
            Some(code) => counter!(names::LOGIN_REFUSALS, "code" => code.as_str()).increment(1),
            None => {}
        }
    }
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(request_id::HEADER, value);
    }
    response
}
