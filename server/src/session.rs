//! The person behind a request's session cookie, for the routes outside server functions.

use app::AppError;
use app::model::Viewer;
use app::ssr::{Store, auth};
use axum::http::{HeaderMap, header};

/// The person the request's session cookie belongs to.
pub async fn session_viewer(store: &dyn Store, headers: &HeaderMap) -> Result<Viewer, AppError> {
    let token = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(auth::token_from_cookie_header)
        .ok_or(AppError::SignInRequired)?;
    let viewer = store
        .session_viewer(&auth::token_hash(token), auth::now())
        .await
        .map_err(app::error::internal)?
        .ok_or(AppError::SignInRequired)?;
    if viewer.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(viewer)
}
