//! Bulk Update Users: download the current team, edit it in a spreadsheet, then upload, preview
//! (every change green as old → new, errors red, unchanged rows counted) and confirm it all or
//! nothing (the shared flow in [`super::bulk_flow`]).

use leptos::prelude::*;
use roster::sheet::Mode;

use super::bulk_flow::BulkPage;

/// Where Download Current Team is served (an attachment; the browser saves it).
pub const CURRENT_TEAM_URL: &str = "/api/export/current-team";

#[component]
pub fn BulkUpdate() -> impl IntoView {
    view! {
        <BulkPage title="Bulk Update Users" mode=Mode::Update>
            <Steps />
        </BulkPage>
    }
}

/// The help page's steps.
#[component]
fn Steps() -> impl IntoView {
    view! {
        <ol class="steps">
            <li>
                "Download your current team: every profile, deactivated ones too. "
                <a class="button" href=CURRENT_TEAM_URL download rel="external">"Download Current Team"</a>
            </li>
            <li>
                "Make your changes. Keep the User ID and Version columns as they are; set Deactivated to y or n. "
                "You may delete the columns you are not changing: a column the file leaves out keeps everyone's "
                "value as it is, and only User ID is required. "
                "All required fields must be filled in on the rows you change. Remove deactivated team members with "
                "incomplete profiles if you change them."
            </li>
            <li>"Save the file as Unicode Text or UTF-16 Unicode Text: the upload accepts only these formats."</li>
            <li>"Upload it and click Preview: changes are shown in green, errors in red."</li>
            <li>"Click Confirm to save every change at once. If anything is wrong, nothing is saved."</li>
        </ol>
        <p class="hint">
            "Team leaders and admins (Can Manage Teams = y) keep their team leader and cannot be deactivated here: "
            "change those on their profile page once their reports have a new team leader. Photos are not updated in bulk."
        </p>
    }
}
