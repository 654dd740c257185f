//! The frame around every signed-in page, and the guards that decide who may see a page.

use leptos::prelude::*;
use leptos_router::components::{A, Redirect};

use crate::api::{SignOut, current_viewer};
use crate::session::{Permission, Viewer};

/// Renders `children` for a signed-in person allowed by `allow`; sends everyone else elsewhere.
#[component]
pub fn Guarded(allow: fn(Permission) -> bool, children: ChildrenFn) -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match viewer.await {
                    Ok(Some(viewer)) if viewer.must_change_password => {
                        view! { <Redirect path=crate::welcome::CHANGE_PASSWORD /> }.into_any()
                    }
                    Ok(Some(viewer)) if allow(viewer.permission) => {
                        view! { <Frame viewer>{children.read_value()()}</Frame> }.into_any()
                    }
                    Ok(Some(_)) => view! { <Redirect path="/" /> }.into_any(),
                    Ok(None) => view! { <Redirect path="/sign-in" /> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

pub fn admins(permission: Permission) -> bool {
    permission == Permission::Admin
}

/// Admins and team leaders: those who read a roster.
pub fn readers(permission: Permission) -> bool {
    matches!(permission, Permission::Admin | Permission::Leader)
}

pub fn everyone(_: Permission) -> bool {
    true
}

/// The signed-in person, for a page inside [`Guarded`].
pub fn use_viewer() -> Option<Viewer> {
    use_context::<Viewer>()
}

/// The page header (organisation, person, sign-out) and the page itself, which finds the viewer
/// with [`use_viewer`].
#[component]
fn Frame(viewer: Viewer, children: Children) -> impl IntoView {
    provide_context(viewer.clone());
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <header class="top">
            <A href="/" attr:class="brand">"Roster"</A>
            <span class="org">{viewer.org_name.clone()}</span>
            <span class="who">{viewer.display_name.clone()}</span>
            <ActionForm action=sign_out attr:class="sign-out">
                <button type="submit">"Sign out"</button>
            </ActionForm>
        </header>
        <main>{children()}</main>
    }
}
