//! A newcomer's first steps: set a password from the welcome email's link (or replace a
//! temporary one), then complete the profile before the Stream.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use roster::Column;
use roster::welcome::{Missing, PhotoProblem};

use super::account::ActionError;
use crate::AppError;
use crate::api::{ChangePassword, CompleteProfile, SetPasswordFromLink, load_own_profile, welcome_link};
use crate::layout::{Guarded, everyone};
use crate::welcome::{OwnProfile, STREAM, photo_url};

/// The password policy, as the form shows it.
const POLICY: &str =
    "At least 10 characters; a short phrase of a few words works well. Not your name or email address.";

/// The two password boxes every password form has.
#[component]
fn NewPasswordFields() -> impl IntoView {
    view! {
        <label>"New password"<input name="password" type="password" required minlength="10" maxlength="128" autocomplete="new-password" /></label>
        <label>"Type it again"<input name="confirmation" type="password" required minlength="10" maxlength="128" autocomplete="new-password" /></label>
        <p class="hint">{POLICY}</p>
    }
}

/// `/set-password/:token`: the welcome email's link.
#[component]
pub fn SetPassword() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let owner = Resource::new(token, welcome_link);
    let action = ServerAction::<SetPasswordFromLink>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err).map(|e| e.to_string()));
    view! {
        <main class="narrow">
            <h1>"Welcome to Roster"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match owner.await {
                        Ok(owner) => view! {
                            <p>{format!("Hello {}, {} has created your Roster profile. Choose your password to sign in.", owner.first_name, owner.org_name)}</p>
                            <ActionForm action=action attr:class="stacked">
                                <input type="hidden" name="token" value=token() />
                                <NewPasswordFields />
                                <ActionError error />
                                <button type="submit" class="primary">"Set password"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(error) => view! {
                            <p class="error" role="alert">{error.to_string()}</p>
                            <p><a href="/sign-in">"Sign in"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// `/change-password`: after signing in with a temporary password (and for anyone who wants a new one).
#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err).map(|e| e.to_string()));
    view! {
        <main class="narrow">
            <h1>"Choose your password"</h1>
            <p>"The password you signed in with was temporary and no longer works. Choose your own to continue."</p>
            <ActionForm action=action attr:class="stacked">
                <NewPasswordFields />
                <ActionError error />
                <button type="submit" class="primary">"Save password"</button>
            </ActionForm>
        </main>
    }
}

/// The message of a refused photo, from the code the upload sent back.
pub fn photo_error(code: Option<String>) -> Option<String> {
    code.as_deref().and_then(PhotoProblem::from_code).map(|problem| problem.to_string())
}

/// The photo upload form: a plain multipart form that works before (and without) WebAssembly.
#[component]
pub fn PhotoForm(user: String, return_to: String, has_photo: bool) -> impl IntoView {
    let query = use_query_map();
    let error = move || photo_error(query.with(|q| q.get("photo_error")));
    let label = if has_photo { "Replace photo" } else { "Upload photo" };
    view! {
        <form class="stacked photo" method="post" enctype="multipart/form-data" action=format!("/api/photos/{user}")>
            <input type="hidden" name="return_to" value=return_to />
            <label>"Photo (JPEG, PNG or WebP, at most 2 MB)"
                <input name="photo" type="file" accept="image/jpeg,image/png,image/webp" required />
            </label>
            {move || error().map(|message| view! { <p class="error" role="alert">{message}</p> })}
            <button type="submit">{label}</button>
        </form>
    }
}

/// `/welcome/profile`: what the newcomer's profile misses (bio, state or country, photo).
#[component]
pub fn CompleteProfilePage() -> impl IntoView {
    let action = ServerAction::<CompleteProfile>::new();
    let profile = Resource::new(move || action.version().get(), |_| load_own_profile());
    view! {
        <Guarded allow=everyone>
            <h1>"Complete your profile"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match profile.await {
                        Ok(profile) => view! { <Completion profile action /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Guarded>
    }
}

#[component]
fn Completion(profile: OwnProfile, action: ServerAction<CompleteProfile>) -> impl IntoView {
    let missing = profile.missing();
    if missing.is_empty() {
        return view! {
            <p>"Your profile is complete."</p>
            <p><a href=STREAM class="button primary">"Go to the Stream"</a></p>
        }
        .into_any();
    }
    let field_error = move |column: Column| {
        move || match action.value().get() {
            Some(Err(error)) => error.problems_for(column).join(" "),
            _ => String::new(),
        }
    };
    let general = Signal::derive(move || match action.value().get() {
        Some(Err(AppError::Invalid(_))) | None | Some(Ok(())) => None,
        Some(Err(error)) => Some(error.to_string()),
    });
    let (needs_bio, needs_state) = (missing.contains(&Missing::Bio), missing.contains(&Missing::StateOrCountry));
    let needs_photo = missing.contains(&Missing::Photo);
    let needs_text = needs_bio || needs_state;
    let text_form = needs_text.then(|| {
        view! {
            <ActionForm action=action attr:class="stacked">
                {needs_bio.then(|| view! {
                    <label>"About you (shown on your profile)"
                        <textarea name="bio" rows="4" maxlength="2000" required></textarea>
                    </label>
                    <p class="field-error">{field_error(Column::Profile)}</p>
                })}
                {needs_state.then(|| view! {
                    <label>"State or country"<input name="state_or_country" maxlength="100" required /></label>
                    <p class="field-error">{field_error(Column::StateOrCountry)}</p>
                })}
                <ActionError error=general />
                <button type="submit" class="primary">"Save"</button>
            </ActionForm>
        }
    });
    let photo = needs_photo.then(|| {
        view! {
            <h2>"Your photo"</h2>
            <PhotoForm user="me".into() return_to="/welcome/profile".into() has_photo=false />
        }
    });
    view! {
        <p>{format!("Welcome, {}! Your teammates will see these on your profile.", profile.first_name)}</p>
        {text_form}
        {profile.has_photo.then(|| view! { <img class="avatar large" src=photo_url(profile.user_id) alt="Your photo" /> })}
        {photo}
    }
    .into_any()
}
