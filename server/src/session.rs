//! The person behind a request's session cookie, for the routes outside server functions: the
//! [`SignedIn`] extractor, and [`session_viewer`] for a handler that also serves API keys.

use app::AppError;
use app::session::Viewer;
use app::ssr::{AccountStore, auth};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::api::JsonError;
use crate::storage::SqlStore;

/// The person the request's session cookie belongs to.
pub async fn session_viewer(store: &SqlStore, headers: &HeaderMap) -> Result<Viewer, AppError> {
    let token = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(auth::token_from_cookie_header)
        .ok_or(AppError::SignInRequired)?;
    let viewer = store.session_viewer(&auth::token_hash(token), auth::now()).await?.ok_or(AppError::SignInRequired)?;
    if viewer.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(viewer)
}

/// The signed-in person, who has no temporary password left to change; refused (401 or 403)
/// before anything else of the request is read.
pub struct SignedIn(pub Viewer);

impl<S> FromRequestParts<S> for SignedIn
where
    SqlStore: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = JsonError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(SignedIn(session_viewer(&SqlStore::from_ref(state), &parts.headers).await?))
    }
}
