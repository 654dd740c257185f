//! Who is asking, and may they: the session behind a server function's request, and the
//! sign-in's session cookie.

use axum::http::{HeaderValue, header, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::AppError;
use crate::session::{Permission, Viewer};
use crate::ssr::{AppState, auth};

pub use crate::ssr::users::hash_password;

/// The application state of this request.
pub fn state() -> Result<AppState, AppError> {
    AppState::current()
}

fn session_token() -> Option<String> {
    let parts = use_context::<Parts>()?;
    let header = parts.headers.get(header::COOKIE)?.to_str().ok()?;
    auth::token_from_cookie_header(header).map(str::to_owned)
}

/// The signed-in person, if any.
pub async fn viewer() -> Result<Option<Viewer>, AppError> {
    let Some(token) = session_token() else { return Ok(None) };
    Ok(state()?.store.session_viewer(&auth::token_hash(&token), auth::now()).await?)
}

/// The signed-in person, who has no temporary password left to change.
pub async fn signed_in() -> Result<Viewer, AppError> {
    let viewer = viewer().await?.ok_or(AppError::SignInRequired)?;
    if viewer.must_change_password { Err(AppError::PasswordChangeRequired) } else { Ok(viewer) }
}

/// The SHA-256 of the request's session token, if it has one.
pub fn session_hash() -> Option<String> {
    session_token().map(|token| auth::token_hash(&token))
}

pub async fn admin() -> Result<Viewer, AppError> {
    let viewer = signed_in().await?;
    if viewer.permission == Permission::Admin { Ok(viewer) } else { Err(AppError::Forbidden) }
}

/// Starts a session for a user and sets its cookie on the response. A session the request
/// already carried ends: the id always changes at sign-in.
pub async fn start_session(org_id: i64, user_id: i64) -> Result<(), AppError> {
    let state = state()?;
    if let Some(old) = session_hash() {
        state.store.delete_session(&old).await?;
    }
    let (token, hash) = auth::new_session_token();
    let now = auth::now();
    let seconds = state.config.session_seconds;
    state.store.create_session(&hash, org_id, user_id, now, now + seconds).await?;
    set_cookie(&auth::session_cookie(&token, seconds, state.config.secure_cookies));
    Ok(())
}

pub async fn end_session() -> Result<(), AppError> {
    let state = state()?;
    if let Some(token) = session_token() {
        state.store.delete_session(&auth::token_hash(&token)).await?;
    }
    set_cookie(&auth::clearing_cookie(state.config.secure_cookies));
    Ok(())
}

fn set_cookie(value: &str) {
    if let (Some(response), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(value)) {
        response.append_header(header::SET_COOKIE, value);
    }
}
