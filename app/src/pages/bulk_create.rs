//! Bulk Create Team Members: download the template, then upload, preview and commit a file of new
//! users (the shared flow in [`super::bulk_flow`]).

use leptos::prelude::*;
use roster::sheet::Mode;

use super::bulk_flow::BulkPage;
use crate::browser;

#[component]
pub fn BulkCreate() -> impl IntoView {
    view! {
        <BulkPage title="Bulk Create Team Members" mode=Mode::Create>
            <Steps />
        </BulkPage>
    }
}

/// The help page's steps, and the template.
#[component]
fn Steps() -> impl IntoView {
    view! {
        <ol class="steps">
            <li>
                "Download the template, add a row for each new team member, and save it as Unicode Text (UTF-16). "
                <button type="button" on:click=|_| browser::download("roster-bulk-create-template.txt", "text/plain", &roster::write::template())>
                    "Download the template"
                </button>
            </li>
            <li>"Upload the file, choose whether to delay the welcome emails, and click Preview."</li>
            <li>"If everything looks good, click Continue to create the users."</li>
        </ol>
        <p class="hint">
            "Tip: create admins and team leaders first, or put them in the same file (any row order), "
            "so that others can name them as their Team Leader by email address or employee ID."
        </p>
    }
}
