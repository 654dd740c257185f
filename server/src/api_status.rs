//! Gives every failed server-function response the HTTP status of its error. Server functions
//! answer errors with a 500 and the error as JSON (`AppError`), whether the function returned it or
//! the arguments could not be read; this reads that error and sets 400, 401, 403, 404, 409, 422,
//! 429 or 500 accordingly, in one place.

use app::AppError;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Error bodies are a few hundred bytes; a validation error lists at most a profile's fields.
const MAX_ERROR_BODY: usize = 256 * 1024;

pub async fn status_from_error(request: Request<Body>, next: Next) -> Response {
    let is_server_function = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_server_function || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}
