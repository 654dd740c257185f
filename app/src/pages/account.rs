//! Arriving: the home redirect, the one-time set-up page and sign-in.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::{SetUp as SetUpFn, SignIn as SignInFn, current_viewer, needs_setup};
use crate::session::Permission;

/// `/`: sends each person to their place.
#[component]
pub fn Home() -> impl IntoView {
    let state = Resource::new(|| (), |_| async { (needs_setup().await, current_viewer().await) });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let path = match state.await {
                    (Ok(true), _) => "/setup",
                    // Admins manage the team; team leaders review theirs.
                    (_, Ok(Some(viewer))) if viewer.permission != Permission::Member => "/team",
                    (_, Ok(Some(_))) => "/stream",
                    _ => "/sign-in",
                };
                view! { <Redirect path=path /> }
            })}
        </Suspense>
    }
}

/// Shows an action's error, if any, as an alert.
#[component]
pub fn ActionError(error: Signal<Option<String>>) -> impl IntoView {
    move || error.get().map(|message| view! { <p class="error" role="alert">{message}</p> })
}

/// `/setup`: on an empty database, creates the first organisation and its admin.
#[component]
pub fn SetUp() -> impl IntoView {
    let open = Resource::new(|| (), |_| needs_setup());
    let action = ServerAction::<SetUpFn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err).map(|e| e.to_string()));
    view! {
        <main class="narrow">
            <h1>"Set up Roster"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match open.await {
                        Ok(true) => view! {
                            <p>"Create your organisation and its first admin. This page is available only once."</p>
                            <ActionForm action=action attr:class="stacked">
                                <label>"Organisation name"<input name="organisation" required autocomplete="organization" /></label>
                                <label>"Short name (used to sign in)"<input name="slug" required placeholder="acme-support" /></label>
                                <label>"Your first name"<input name="first_name" required autocomplete="given-name" /></label>
                                <label>"Your last name"<input name="last_name" required autocomplete="family-name" /></label>
                                <label>"Your email address"<input name="email" type="email" required autocomplete="email" /></label>
                                <label>"Password (at least 10 characters)"<input name="password" type="password" required minlength="10" autocomplete="new-password" /></label>
                                <ActionError error />
                                <button type="submit" class="primary">"Create organisation"</button>
                            </ActionForm>
                        }.into_any(),
                        _ => view! { <p>"Roster is already set up. " <a href="/sign-in">"Sign in"</a></p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// `/sign-in`.
#[component]
pub fn SignIn() -> impl IntoView {
    let action = ServerAction::<SignInFn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err).map(|e| e.to_string()));
    view! {
        <main class="narrow">
            <h1>"Sign in to Roster"</h1>
            <ActionForm action=action attr:class="stacked">
                <label>"Organisation"<input name="organisation" required autocomplete="organization" /></label>
                <label>"Email address"<input name="email" type="email" required autocomplete="username" /></label>
                <label>"Password"<input name="password" type="password" required autocomplete="current-password" /></label>
                <ActionError error />
                <button type="submit" class="primary">"Sign in"</button>
            </ActionForm>
        </main>
    }
}
