//! The request body limit, told in words: a body larger than `ROSTER_BODY_LIMIT_MB` is refused
//! with a 413 whose JSON body is an [`AppError::TooLarge`] that says the limit and what to do.
//! (Bodies without a length are still cut off at the limit by axum, and answered the same way.)
//!
//! The refused body is read and thrown away first, up to a few times the limit: a client still
//! sending its upload when the answer comes would otherwise see a broken connection instead of the
//! message. Anything larger is answered at once.

use app::AppError;
use axum::Json;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

/// Refused bodies up to this many times the limit are read to the end before the answer.
const DRAIN_FACTOR: u64 = 4;

pub async fn refuse_too_large(limit: usize, request: Request<Body>, next: Next) -> Response {
    let length =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = length.filter(|&length| length > limit as u64) {
        tracing::info!(path = %request.uri().path(), length, "refused a request body over the limit");
        if length <= limit as u64 * DRAIN_FACTOR {
            let mut body = request.into_body().into_data_stream();
            while let Some(Ok(_)) = body.next().await {}
        }
        return too_large(limit);
    }
    let response = next.run(request).await;
    // A route with a smaller limit of its own answers in its own words (JSON); axum's plain-text
    // refusal is replaced by this one.
    let told = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("application/scim+json"));
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && !told { too_large(limit) } else { response }
}

fn too_large(limit: usize) -> Response {
    let error = AppError::TooLarge { limit_mb: limit / (1024 * 1024) };
    (StatusCode::PAYLOAD_TOO_LARGE, Json(error)).into_response()
}
