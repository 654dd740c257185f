//! Server functions of signing in: the one-time set-up, sign-in and sign-out, and who is signed in.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard;
use crate::AppError;
use crate::session::Viewer;

/// True while no organisation exists and the one-time set-up page is open.
#[server(prefix = "/api", endpoint = "needs_setup")]
pub async fn needs_setup() -> Result<bool, AppError> {
    Ok(guard::state()?.store.needs_setup().await?)
}

/// Creates the first organisation and its admin, then signs the admin in. Refused once any
/// organisation exists.
#[server(prefix = "/api", endpoint = "set_up")]
pub async fn set_up(
    organisation: String,
    slug: String,
    first_name: String,
    last_name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use crate::ssr::NewUser;
    let state = guard::state()?;
    let (slug, name, admin) =
        crate::ssr::setup::parse_first_admin(&organisation, &slug, &first_name, &last_name, &email, &password)
            .map_err(AppError::Form)?;
    let password_hash = guard::hash_password(admin.password).await?;
    let new_user = NewUser { password_hash: Some(password_hash), ..admin.user };
    let (org_id, user_id) = state.store.set_up_first_org(&slug, &name, &new_user).await?;
    guard::start_session(org_id, user_id).await?;
    leptos_axum::redirect("/team");
    Ok(())
}

/// Signs in with organisation, email address and password.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(organisation: String, email: String, password: String) -> Result<(), AppError> {
    use crate::ssr::auth;
    let state = guard::state()?;
    // No account has an invisible character in its organisation or address (and PostgreSQL
    // cannot even look one up): the same answer as any unknown account.
    if organisation.chars().chain(email.chars()).any(char::is_control) {
        return Err(AppError::BadCredentials);
    }
    let email_key = email.trim().to_lowercase();
    let account = auth::account_key(&organisation, &email_key);
    let now = auth::now();
    let failures = state.store.recent_failures(&account, now - auth::THROTTLE_WINDOW).await?;
    if let Some(minutes) = auth::throttled_minutes(&failures, now) {
        return Err(AppError::Throttled { minutes });
    }
    let record = state.store.sign_in_record(organisation.trim(), &email_key).await?;
    let stored_hash = record.as_ref().and_then(|r| r.password_hash.clone());
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, stored_hash.as_deref()))
        .await
        .map_err(crate::error::internal)?;
    match record {
        Some(record) if matches && !record.deactivated => {
            state.store.clear_failures(&account).await?;
            if record.must_change_password {
                // A temporary password signs in once: it is forgotten now, and the session it
                // opens can do nothing but choose the real password.
                let hash = record.password_hash.as_deref().unwrap_or_default();
                if !state.store.consume_temporary_password(record.user_id, hash).await? {
                    return Err(AppError::BadCredentials);
                }
                guard::start_session(record.org_id, record.user_id).await?;
                leptos_axum::redirect(crate::welcome::CHANGE_PASSWORD);
                return Ok(());
            }
            guard::start_session(record.org_id, record.user_id).await?;
            leptos_axum::redirect("/");
            Ok(())
        }
        _ => {
            state.store.record_failure(&account, now).await?;
            Err(AppError::BadCredentials)
        }
    }
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    guard::end_session().await?;
    leptos_axum::redirect("/sign-in");
    Ok(())
}

/// The signed-in person, or `None`.
#[server(prefix = "/api", endpoint = "current_viewer")]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    guard::viewer().await
}
