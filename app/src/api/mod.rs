//! Server functions. Each is thin: find out who is asking and whether they may, run the rules,
//! call storage, map errors. Endpoints are explicit so that their URLs are stable.

use leptos::prelude::*;
use leptos::server_fn::codec::{Json, Postcard};

use crate::AppError;
use crate::model::{TeamChoices, TeamPage, TeamQuery, UserForm, UserStatus, Viewer};

mod keys;
mod teams;
mod welcome;
pub use keys::*;
pub use teams::*;
pub use welcome::*;

#[cfg(feature = "ssr")]
mod guard {
    //! Who is asking, and may they.
    use axum::http::{HeaderValue, header, request::Parts};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    use crate::AppError;
    use crate::model::{Permission, Viewer};
    use crate::ssr::{AppState, auth};

    pub fn state() -> Result<AppState, AppError> {
        AppState::current()
    }

    pub use crate::ssr::store_error;

    fn session_token() -> Option<String> {
        let parts = use_context::<Parts>()?;
        let header = parts.headers.get(header::COOKIE)?.to_str().ok()?;
        auth::token_from_cookie_header(header).map(str::to_owned)
    }

    /// The signed-in person, if any.
    pub async fn viewer() -> Result<Option<Viewer>, AppError> {
        let Some(token) = session_token() else { return Ok(None) };
        state()?.store.session_viewer(&auth::token_hash(&token), auth::now()).await.map_err(store_error)
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

    /// Wakes the mail worker: emails were scheduled or released.
    pub fn wake_mail() {
        if let Ok(state) = state() {
            state.mail_wake.notify_one();
        }
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
            state.store.delete_session(&old).await.map_err(store_error)?;
        }
        let (token, hash) = auth::new_session_token();
        let now = auth::now();
        let seconds = state.config.session_seconds;
        state.store.create_session(&hash, org_id, user_id, now, now + seconds).await.map_err(store_error)?;
        set_cookie(&auth::session_cookie(&token, seconds, state.config.secure_cookies));
        Ok(())
    }

    pub async fn end_session() -> Result<(), AppError> {
        let state = state()?;
        if let Some(token) = session_token() {
            state.store.delete_session(&auth::token_hash(&token)).await.map_err(store_error)?;
        }
        set_cookie(&auth::clearing_cookie(state.config.secure_cookies));
        Ok(())
    }

    fn set_cookie(value: &str) {
        if let (Some(response), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(value)) {
            response.append_header(header::SET_COOKIE, value);
        }
    }

    pub use crate::ssr::users::hash_password;
}

/// True while no organisation exists and the one-time set-up page is open.
#[server(prefix = "/api", endpoint = "needs_setup")]
pub async fn needs_setup() -> Result<bool, AppError> {
    guard::state()?.store.needs_setup().await.map_err(guard::store_error)
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
    let (org_id, user_id) =
        state.store.set_up_first_org(&slug, &name, &new_user).await.map_err(|error| match error {
            crate::ssr::StoreError::Stale => AppError::Conflict("Roster is already set up; sign in instead.".into()),
            other => guard::store_error(other),
        })?;
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
    let failures =
        state.store.recent_failures(&account, now - auth::THROTTLE_WINDOW).await.map_err(guard::store_error)?;
    if let Some(minutes) = auth::throttled_minutes(&failures, now) {
        return Err(AppError::Throttled { minutes });
    }
    let record = state.store.sign_in_record(organisation.trim(), &email_key).await.map_err(guard::store_error)?;
    let stored_hash = record.as_ref().and_then(|r| r.password_hash.clone());
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, stored_hash.as_deref()))
        .await
        .map_err(crate::error::internal)?;
    match record {
        Some(record) if matches && !record.deactivated => {
            state.store.clear_failures(&account).await.map_err(guard::store_error)?;
            if record.must_change_password {
                // A temporary password signs in once: it is forgotten now, and the session it
                // opens can do nothing but choose the real password.
                let hash = record.password_hash.as_deref().unwrap_or_default();
                if !state.store.consume_temporary_password(record.user_id, hash).await.map_err(guard::store_error)? {
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
            state.store.record_failure(&account, now).await.map_err(guard::store_error)?;
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

/// Roles, groups and team leaders for the filters and the user form; a team leader is offered
/// only the leaders in their team.
#[server(prefix = "/api", endpoint = "team_options")]
pub async fn team_options() -> Result<TeamChoices, AppError> {
    // The state is taken before the first await: during server rendering, Suspense may drop
    // this call's resource (and its context) while it waits, and the answer is then unused.
    let state = guard::state()?;
    let viewer = guard::signed_in().await?;
    let scope = crate::teams::Scope::of(&viewer).ok_or(AppError::Forbidden)?;
    state.store.team_options(viewer.org_id, scope).await.map_err(guard::store_error)
}

/// One page of the roster, searched, filtered and sorted: the whole organisation for an admin,
/// their own team (direct and indirect reports) for a team leader.
#[server(prefix = "/api", endpoint = "list_team", input = Json)]
pub async fn list_team(query: TeamQuery) -> Result<TeamPage, AppError> {
    let state = guard::state()?; // before the first await, as in `team_options`
    let viewer = guard::signed_in().await?;
    let scope = crate::teams::Scope::of(&viewer).ok_or(AppError::Forbidden)?;
    state.store.list_team(viewer.org_id, scope, &query).await.map_err(guard::store_error)
}

/// A user as the edit form shows them.
#[server(prefix = "/api", endpoint = "load_user")]
pub async fn load_user(id: i64) -> Result<(UserForm, UserStatus), AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.user_form(viewer.org_id, id).await.map_err(guard::store_error)?.ok_or(AppError::NotFound)
}

/// Creates or updates one user with the rules of the spreadsheet. Returns the user's id.
#[server(prefix = "/api", endpoint = "save_user")]
pub async fn save_user(form: UserForm) -> Result<i64, AppError> {
    let viewer = guard::admin().await?;
    let store = guard::state()?.store;
    let Some(id) = form.id else {
        let id = crate::ssr::users::create_user(
            store.as_ref(),
            viewer.org_id,
            Some(viewer.user_id),
            &form.to_input(),
            None,
            guard::store_error,
        )
        .await?;
        guard::wake_mail();
        return Ok(id);
    };
    let version = form
        .version
        .ok_or_else(|| AppError::BadRequest("The form is missing the user's version; reload the page.".into()))?;
    crate::ssr::users::update_user(
        store.as_ref(),
        viewer.org_id,
        Some(viewer.user_id),
        id,
        version,
        &form.to_input(),
        None,
        guard::store_error,
    )
    .await?;
    Ok(id)
}

/// What the browser needs to check a bulk file exactly as the server will: the organisation's
/// rules and every user, in a compact binary encoding.
#[server(prefix = "/api", endpoint = "bulk_snapshot", output = Postcard)]
pub async fn bulk_snapshot() -> Result<roster::Snapshot, AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.snapshot(viewer.org_id).await.map_err(guard::store_error)
}

/// Creates every user of a bulk-create file, or none: the server checks the file again inside
/// the transaction. A retry with the same idempotency key creates nothing twice.
#[server(prefix = "/api", endpoint = "bulk_create", input = Postcard, output = Postcard)]
pub async fn bulk_create(file: crate::bulk::ImportFile) -> Result<crate::bulk::ImportResult, AppError> {
    use crate::ssr::{Importer, import};
    use roster::sheet::Mode;
    let viewer = guard::admin().await?;
    let store = guard::state()?.store;
    let result =
        import::import(store.as_ref(), viewer.org_id, Importer::Admin(viewer.user_id), Mode::Create, &file, false)
            .await?;
    guard::wake_mail();
    Ok(result)
}

/// What the browser needs to check a bulk-update file exactly as the server will: the
/// organisation's rules and every user with their current values, in a compact binary encoding.
#[server(prefix = "/api", endpoint = "bulk_update_snapshot", output = Postcard)]
pub async fn bulk_update_snapshot() -> Result<roster::current::TeamSnapshot, AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.current_team(viewer.org_id).await.map_err(guard::store_error)
}

/// Updates every user a bulk-update file changes, or none: the server checks the file again
/// inside the transaction, against the live team. A retry with the same idempotency key saves
/// nothing twice.
#[server(prefix = "/api", endpoint = "bulk_update", input = Postcard, output = Postcard)]
pub async fn bulk_update(file: crate::bulk::ImportFile) -> Result<crate::bulk::ImportResult, AppError> {
    use crate::ssr::{Importer, import};
    use roster::sheet::Mode;
    let viewer = guard::admin().await?;
    let store = guard::state()?.store;
    import::import(store.as_ref(), viewer.org_id, Importer::Admin(viewer.user_id), Mode::Update, &file, false).await
}

/// The organisation's committed batches, newest first.
#[server(prefix = "/api", endpoint = "list_batches")]
pub async fn list_batches(page: i64) -> Result<Vec<crate::bulk::BatchRow>, AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.list_batches(viewer.org_id, page.max(0)).await.map_err(guard::store_error)
}

/// A batch and one page of the users it created.
#[server(prefix = "/api", endpoint = "batch_detail")]
pub async fn batch_detail(id: i64, page: i64) -> Result<crate::bulk::BatchDetail, AppError> {
    let viewer = guard::admin().await?;
    guard::state()?
        .store
        .batch_detail(viewer.org_id, id, page.max(0))
        .await
        .map_err(guard::store_error)?
        .ok_or(AppError::NotFound)
}
