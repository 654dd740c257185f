//! The Stream: a team member's home page.

use leptos::prelude::*;

use crate::api::current_viewer;
use crate::layout::{Guarded, everyone};

#[component]
pub fn Stream() -> impl IntoView {
    let viewer = Resource::new(|| (), |_| current_viewer());
    view! {
        <Guarded allow=everyone>
            <h1>"Stream"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let name = viewer.await.ok().flatten().map(|v| v.display_name).unwrap_or_default();
                    view! { <p>"Welcome, " {name} "."</p> }
                })}
            </Suspense>
        </Guarded>
    }
}
