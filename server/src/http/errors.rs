//! Refusals as HTTP responses, in the caller's language.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use padron_shared::{ErrorBody, ErrorCode, Lang};

/// The domain's [`Refusal`](crate::refusal::Refusal), as the handlers name it. The body is written
/// by [`localize`], which knows the language the caller asked for.
pub use crate::refusal::Refusal as ApiError;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

pub async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
}

/// Writes the JSON body of every error response, including the ones axum
/// produces itself (405, 413, rejected extractors), so a client never sees
/// an empty or plain-text refusal.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = super::lang(request.headers());
    let mut response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let api_error = response
        .extensions_mut()
        .remove::<ApiError>()
        .unwrap_or_else(|| {
            let code = match status {
                StatusCode::NOT_FOUND => ErrorCode::NotFound,
                StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
                StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
                s if s.is_server_error() => ErrorCode::Internal,
                _ => ErrorCode::BadRequest,
            };
            ApiError::new(code)
        });
    let detail = api_error
        .detail
        .map(|(es, en)| if lang == Lang::En { en } else { es });
    // Headers a refusal means something by: when to retry, and that the
    // connection is not kept.
    let kept: Vec<_> = [header::RETRY_AFTER, header::CONNECTION, header::ALLOW]
        .into_iter()
        .filter_map(|name| response.headers().get(&name).cloned().map(|v| (name, v)))
        .collect();
    let body = ErrorBody::new(api_error.code, lang, detail);
    let json = serde_json::to_vec(&body).unwrap_or_default();
    let status = StatusCode::from_u16(api_error.code.http_status()).unwrap_or(status);
    let mut out = Response::new(Body::from(json));
    *out.status_mut() = status;
    out.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    out.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.tag()),
    );
    for (name, value) in kept {
        out.headers_mut().insert(name, value);
    }
    // For the metrics (refusals by code), outside this layer.
    out.extensions_mut().insert(api_error.code);
    out
}

/// A request whose body was cut off at the body timeout is refused as
/// such (`REQUEST_BODY_TIMEOUT`), whatever the handler made of the broken
/// body; the connection is not kept.
pub async fn body_deadline(request: Request, next: Next) -> Response {
    let deadline = request
        .extensions()
        .get::<crate::access::connections::BodyDeadline>()
        .cloned();
    let response = next.run(request).await;
    if deadline.is_some_and(|d| d.expired()) {
        tracing::warn!("request body not received within the body timeout");
        let mut response =
            ApiError::new(padron_shared::ErrorCode::RequestBodyTimeout).into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    response
}
