//! Server functions of the welcome flow: delayed and single welcome emails for admins; the
//! set-password link, the temporary password's replacement, the profile a newcomer completes,
//! and the Stream.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard;
use crate::AppError;
use crate::welcome::{LinkOwner, OwnProfile, StreamPage, WelcomeState};

/// How many welcome emails "Delay welcome emails" is holding.
#[server(prefix = "/api", endpoint = "held_welcome_emails")]
pub async fn held_welcome_emails() -> Result<i64, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.held_welcome_emails(viewer.org_id).await?)
}

/// Sends every held welcome email as one batch. `expected` is the number the admin confirmed; if
/// more or fewer are held now, nothing is sent and the admin sees the new number.
#[server(prefix = "/api", endpoint = "send_delayed_welcome_emails")]
pub async fn send_delayed_welcome_emails(expected: i64) -> Result<i64, AppError> {
    let viewer = guard::admin().await?;
    let store = guard::state()?.store;
    let held = store.held_welcome_emails(viewer.org_id).await?;
    if held != expected {
        return Err(AppError::Conflict(format!(
            "{held} welcome emails are held now, not {expected}: another admin or import changed them. Review the number and confirm again."
        )));
    }
    Ok(store.send_held_welcome_emails(viewer.org_id, viewer.user_id).await?)
}

/// Where a user's latest welcome email is.
#[server(prefix = "/api", endpoint = "welcome_email_state")]
pub async fn welcome_email_state(user_id: i64) -> Result<WelcomeState, AppError> {
    let viewer = guard::admin().await?;
    let store = guard::state()?.store;
    store.user_form(viewer.org_id, user_id).await?.ok_or(AppError::NotFound)?;
    Ok(store.welcome_state(viewer.org_id, user_id).await?)
}

/// Sends one user's welcome email now (again, if it was sent before: the older link stops working).
#[server(prefix = "/api", endpoint = "send_welcome_email")]
pub async fn send_welcome_email(user_id: i64) -> Result<(), AppError> {
    let viewer = guard::admin().await?;
    let store = guard::state()?.store;
    crate::ssr::users::invite_user(store.as_ref(), viewer.org_id, Some(viewer.user_id), user_id).await
}

/// Whose set-password link this is; `LinkExpired` when it cannot be used.
#[server(prefix = "/api", endpoint = "welcome_link")]
pub async fn welcome_link(token: String) -> Result<LinkOwner, AppError> {
    use crate::ssr::auth;
    let store = guard::state()?.store;
    let owner = store.link_owner(&auth::token_hash(token.trim()), auth::now()).await?;
    owner.map(|(owner, _)| owner).ok_or(AppError::LinkExpired)
}

/// Sets the password from a welcome email's link (once), signs the person in and sends them on:
/// to complete their profile, or straight to the Stream.
#[server(prefix = "/api", endpoint = "set_password_from_link")]
pub async fn set_password_from_link(token: String, password: String, confirmation: String) -> Result<(), AppError> {
    use crate::ssr::auth;
    let store = guard::state()?.store;
    let token_hash = auth::token_hash(token.trim());
    let (_, words) = store.link_owner(&token_hash, auth::now()).await?.ok_or(AppError::LinkExpired)?;
    let chosen = choose(&password, &confirmation, &words)?;
    let password_hash = guard::hash_password(chosen).await?;
    let (org_id, user_id) =
        store.set_password_with_link(&token_hash, &password_hash, auth::now()).await?.ok_or(AppError::LinkExpired)?;
    guard::start_session(org_id, user_id).await?;
    let next = store.own_profile(org_id, user_id).await?.next_page();
    leptos_axum::redirect(next);
    Ok(())
}

#[cfg(feature = "ssr")]
fn choose(password: &str, confirmation: &str, words: &crate::ssr::PersonalWords) -> Result<String, AppError> {
    let names: Vec<&str> = words.names.iter().map(String::as_str).collect();
    roster::welcome::choose_password(password, confirmation, words.email.as_deref(), &names)
        .map(|chosen| chosen.expose().to_owned())
        .map_err(|problem| AppError::Form(vec![problem.to_string()]))
}

/// Replaces the signed-in person's password: the temporary one they signed in with, or their own.
/// Every other session of theirs ends.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(password: String, confirmation: String) -> Result<(), AppError> {
    use crate::session::Permission;
    let viewer = guard::viewer().await?.ok_or(AppError::SignInRequired)?;
    let store = guard::state()?.store;
    let words = store.personal_words(viewer.org_id, viewer.user_id).await?;
    let chosen = choose(&password, &confirmation, &words)?;
    let password_hash = guard::hash_password(chosen).await?;
    let keep = guard::session_hash().unwrap_or_default();
    store.set_own_password(viewer.org_id, viewer.user_id, &password_hash, &keep).await?;
    let next = if viewer.permission == Permission::Admin {
        "/"
    } else {
        store.own_profile(viewer.org_id, viewer.user_id).await?.next_page()
    };
    leptos_axum::redirect(next);
    Ok(())
}

/// The signed-in person's own profile.
#[server(prefix = "/api", endpoint = "load_own_profile")]
pub async fn load_own_profile() -> Result<OwnProfile, AppError> {
    let viewer = guard::signed_in().await?;
    Ok(guard::state()?.store.own_profile(viewer.org_id, viewer.user_id).await?)
}

/// Saves the bio and state or country a newcomer completes. Each one their profile misses is
/// required here; the rules crate checks them as it checks a spreadsheet's cells.
#[server(prefix = "/api", endpoint = "complete_profile")]
pub async fn complete_profile(bio: Option<String>, state_or_country: Option<String>) -> Result<(), AppError> {
    use roster::Column;
    use roster::fields::{Bio, ShortText};
    use roster::welcome::Missing;
    let viewer = guard::signed_in().await?;
    let store = guard::state()?.store;
    let before = store.own_profile(viewer.org_id, viewer.user_id).await?;
    let missing = before.missing();
    let mut problems = Vec::new();
    let bio = completed(
        Bio::parse(bio.as_deref().unwrap_or_default()),
        missing.contains(&Missing::Bio),
        Column::Profile,
        &mut problems,
    );
    let state = completed(
        ShortText::parse(Column::StateOrCountry, state_or_country.as_deref().unwrap_or_default()),
        missing.contains(&Missing::StateOrCountry),
        Column::StateOrCountry,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    store
        .complete_profile(
            viewer.org_id,
            viewer.user_id,
            bio.as_ref().map(|b| b.as_str()),
            state.as_ref().map(|s| s.as_str()),
        )
        .await?;
    let after = store.own_profile(viewer.org_id, viewer.user_id).await?;
    leptos_axum::redirect(after.next_page());
    Ok(())
}

/// A field of the complete-profile form, checked by the rules crate: required when the profile
/// misses it; its problem, if any, joins `problems`.
#[cfg(feature = "ssr")]
fn completed<T>(
    parsed: Result<Option<T>, roster::Problem>,
    required: bool,
    column: roster::Column,
    problems: &mut Vec<roster::Problem>,
) -> Option<T> {
    match parsed {
        Ok(None) if required => {
            let message = format!("{column} is required to complete your profile.");
            problems.push(roster::Problem::new(column, roster::Code::Required, message));
            None
        }
        Ok(value) => value,
        Err(problem) => {
            problems.push(problem);
            None
        }
    }
}

/// The Stream: the signed-in person's profile, team leader and teammates.
#[server(prefix = "/api", endpoint = "load_stream")]
pub async fn load_stream() -> Result<StreamPage, AppError> {
    let viewer = guard::signed_in().await?;
    Ok(guard::state()?.store.stream(viewer.org_id, viewer.user_id).await?)
}
