//! Roster's user interface: Leptos components and the server functions they call.
//!
//! The rules live in the pure [`roster`] crate, which this crate re-exports. The components (in
//! [`pages`]) render; plain types do the thinking that can be tested without a browser, one module
//! per feature: [`session`] (who is asking), [`team`] (the roster), [`user`] (one user and the
//! form), [`organisation`] (roles and groups), [`bulk`] (imports and the preview), [`welcome`]
//! and [`keys`]. The server functions are in [`api`], the server-side port and helpers in `ssr`.

#![recursion_limit = "256"]

pub mod api;
pub mod browser;
pub mod bulk;
pub mod error;
pub mod keys;
pub mod layout;
pub mod mark;
pub mod organisation;
pub mod pages;
pub mod plural;
pub mod session;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod team;
pub mod user;
pub mod welcome;

pub use error::AppError;
pub use roster;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use pages::welcome as first_steps;
use pages::{
    account, api_keys, batches, bulk_create, bulk_update, deactivate, groups, hierarchy, not_found, roles, stream,
    user_form, welcome_emails,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::security::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Tells end-to-end tests (and anyone curious) that the page is interactive.
    Effect::new(|| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/roster.css" />
        <Title text="Roster" />
        <Router>
            <Routes fallback=|| view! { <not_found::NotFound /> }>
                <Route path=path!("/") view=account::Home />
                <Route path=path!("/setup") view=account::SetUp />
                <Route path=path!("/sign-in") view=account::SignIn />
                <Route path=path!("/team") view=pages::team::ManageTeam />
                <Route path=path!("/team/hierarchy") view=hierarchy::Hierarchy />
                <Route path=path!("/team/roles") view=roles::Roles />
                <Route path=path!("/team/groups") view=groups::Groups />
                <Route path=path!("/team/api-keys") view=api_keys::ApiKeys />
                <Route path=path!("/team/deactivate") view=deactivate::DeactivateUsersPage />
                <Route path=path!("/team/users/new") view=user_form::CreateUser />
                <Route path=path!("/team/users/:id") view=user_form::EditUser />
                <Route path=path!("/team/bulk-create") view=bulk_create::BulkCreate />
                <Route path=path!("/team/batches") view=batches::BatchHistory />
                <Route path=path!("/team/batches/:id") view=batches::BatchView />
                <Route path=path!("/team/bulk-update") view=bulk_update::BulkUpdate />
                <Route path=path!("/team/delayed-welcome-emails") view=welcome_emails::DelayedWelcomeEmails />
                <Route path=path!("/stream") view=stream::Stream />
                <Route path=path!("/set-password/:token") view=first_steps::SetPassword />
                <Route path=path!("/change-password") view=first_steps::ChangePasswordPage />
                <Route path=path!("/welcome/profile") view=first_steps::CompleteProfilePage />
            </Routes>
        </Router>
    }
}
