//! The OpenAPI 3.1 document of the REST API (`server/api/openapi.json`), served at
//! `/api/v2/openapi.json`. The integration tests hold the implementation to it: every route it
//! names answers as it says, every `/api/v2` route is in it, and a user's JSON has exactly the
//! properties its `Employee` schema lists.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

pub const DOCUMENT: &str = include_str!("../../api/openapi.json");

pub async fn document() -> Response {
    let mut response = DOCUMENT.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
