//! Pages reached from the Manage Team menus whose flows arrive in later work, and the 404 page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::layout::{Guarded, admins};

#[component]
fn Upcoming(title: &'static str, what: &'static str) -> impl IntoView {
    view! {
        <Guarded allow=admins>
            <h1>{title}</h1>
            <p>{what}</p>
            <p><A href="/team">"Back to Manage Team"</A></p>
        </Guarded>
    }
}

#[component]
pub fn DelayedWelcomeEmails() -> impl IntoView {
    view! { <Upcoming title="Send Delayed Welcome Emails" what="Welcome emails are not available yet." /> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="narrow">
            <h1>"Page not found"</h1>
            <p><a href="/">"Go to your home page"</a></p>
        </main>
    }
}
