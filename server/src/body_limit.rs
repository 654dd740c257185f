//! The request body limit, told in words: a body larger than `ROSTER_BODY_LIMIT_MB` is refused
//! with a 413 whose JSON body is an [`AppError::TooLarge`] that says the limit and what to do,
//! before any of it is read. (Bodies without a length are still cut off at the limit by axum.)

use app::AppError;
use axum::Json;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn refuse_too_large(limit: usize, request: Request<Body>, next: Next) -> Response {
    let length =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if length.is_some_and(|length| length > limit as u64) {
        tracing::info!(path = %request.uri().path(), ?length, "refused a request body over the limit");
        return too_large(limit);
    }
    let response = next.run(request).await;
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE { too_large(limit) } else { response }
}

fn too_large(limit: usize) -> Response {
    let error = AppError::TooLarge { limit_mb: limit / (1024 * 1024) };
    (StatusCode::PAYLOAD_TOO_LARGE, Json(error)).into_response()
}
