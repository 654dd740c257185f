//! Download Current Team over HTTP: `GET /api/export/current-team`, for an admin signed in in the
//! browser (the session cookie) or for automation (`Authorization: Bearer <org API key>`). Answers
//! the file as an attachment: UTF-16LE with a byte-order mark, ready for Excel.

use std::sync::Arc;

use app::AppError;
use app::model::Permission;
use app::ssr::{Store, auth};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::imports_api::{authorise, error};

/// The organisation whose team the request may download.
async fn organisation(store: &dyn Store, headers: &HeaderMap) -> Result<i64, AppError> {
    if headers.contains_key(header::AUTHORIZATION) {
        return authorise(store, headers).await.map(|(org_id, _)| org_id);
    }
    let viewer = crate::session::session_viewer(store, headers).await?;
    if viewer.permission != Permission::Admin {
        return Err(AppError::Forbidden);
    }
    Ok(viewer.org_id)
}

pub async fn current_team(store: Arc<dyn Store>, headers: HeaderMap) -> Response {
    let org_id = match organisation(store.as_ref(), &headers).await {
        Ok(org_id) => org_id,
        Err(failure) => return error(failure),
    };
    let team = match store.current_team(org_id).await {
        Ok(snapshot) => snapshot.team,
        Err(failure) => return error(app::error::internal(failure)),
    };
    let bytes = match tokio::task::spawn_blocking(move || roster::current::export(&team)).await {
        Ok(bytes) => bytes,
        Err(failure) => return error(app::error::internal(failure)),
    };
    let date = app::model::utc_time(auth::now());
    let name = format!("attachment; filename=\"roster-current-team-{}.txt\"", date.get(..10).unwrap_or("today"));
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-16"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    (headers, bytes).into_response()
}
