//! Manage Team: the roster table with search, filters, sorting and paging, and the menus that
//! lead to the other admin pages.

use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

use super::bulk_update::CURRENT_TEAM_URL;
use super::options::options_html;
use crate::api::{list_team, team_options};
use crate::layout::{Guarded, readers, use_viewer};
use crate::session::Permission;
use crate::team::{Choice, SortKey, TeamChoices, TeamPage, TeamQuery};
use crate::user::UserStatus;

#[component]
pub fn ManageTeam() -> impl IntoView {
    view! {
        <Guarded allow=readers>
            <TeamPageBody />
        </Guarded>
    }
}

/// Whether the signed-in person administers the organisation (rather than reading their team).
pub fn viewer_is_admin() -> bool {
    use_viewer().is_some_and(|viewer| viewer.permission == Permission::Admin)
}

/// The tabs of Manage Team; a team leader sees Users and Hierarchy only.
#[component]
pub fn TeamTabs(current: &'static str) -> impl IntoView {
    let tabs: &[(&str, &str)] = if viewer_is_admin() {
        &[
            ("/team", "Users"),
            ("/team/hierarchy", "Hierarchy"),
            ("/team/roles", "Roles"),
            ("/team/groups", "Groups"),
            ("/team/api-keys", "API Keys"),
        ]
    } else {
        &[("/team", "Users"), ("/team/hierarchy", "Hierarchy")]
    };
    view! {
        <nav class="tabs" aria-label="Manage Team">
            {tabs.iter().map(|(href, label)| {
                let here = *href == current;
                view! { <A href=*href attr:aria-current=here.then_some("page")>{*label}</A> }
            }).collect_view()}
        </nav>
    }
}

#[component]
fn TeamPageBody() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| TeamQuery::from_params(|key| p.get(key))));
    let page = Resource::new(move || query.get(), list_team);
    let options = Resource::new(|| (), |_| team_options());
    let admin = viewer_is_admin();

    view! {
        <div class="page-head">
            <h1>{if admin { "Manage Team" } else { "My Team" }}</h1>
            {if admin {
                view! { <Menus /> }.into_any()
            } else {
                view! { <a class="button" href=CURRENT_TEAM_URL download rel="external">"Download Roster"</a> }.into_any()
            }}
        </div>
        <TeamTabs current="/team" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let options = options.await.unwrap_or_default();
                view! { <Filters query=query.get_untracked() options page="/team" /> }
            })}
        </Suspense>
        <Transition fallback=|| view! { <p class="loading">"Loading the roster…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <TeamTable page query=query.get_untracked() admin /> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Add Users ▾ and Bulk Actions ▾. Native disclosure elements: keyboard-accessible, no script needed.
#[component]
fn Menus() -> impl IntoView {
    view! {
        <nav class="menus" aria-label="Team actions">
            <details class="menu">
                <summary>"Add Users ▾"</summary>
                <ul>
                    <li><A href="/team/users/new">"Create User"</A></li>
                    <li><A href="/team/bulk-create">"Bulk Create Users"</A></li>
                </ul>
            </details>
            <details class="menu">
                <summary>"Bulk Actions ▾"</summary>
                <ul>
                    <li><A href="/team/bulk-update">"Bulk Update Users"</A></li>
                    <li><A href="/team/delayed-welcome-emails">"Send Delayed Welcome Emails"</A></li>
                    <li><A href="/team/deactivate">"Deactivate Users"</A></li>
                    <li><a href=CURRENT_TEAM_URL download rel="external">"Download Current Team"</a></li>
                    <li><A href="/team/batches">"Batch History"</A></li>
                </ul>
            </details>
        </nav>
    }
}

/// A filter select's options: "any" first, then each choice, the current one selected.
fn choice_options(any: &str, choices: &[Choice], selected: Option<i64>) -> String {
    options_html(any, choices.iter().map(|c| (c.id.to_string(), c.label.as_str(), selected == Some(c.id))))
}

/// Search and filters of a page that lists users (`page`: Manage Team or Deactivate Users, which
/// also filters by last sign-in).
#[component]
pub fn Filters(query: TeamQuery, options: TeamChoices, page: &'static str) -> impl IntoView {
    let status = query.status;
    let by_sign_in = page != "/team";
    view! {
        <Form method="GET" action=page attr:class="filters" attr:role="search">
            <label class="grow">"Search"
                <input type="search" name="q" value=query.q.clone() placeholder="Name, email address or employee ID" />
            </label>
            <label>"Role"
                <select name="role" inner_html=choice_options("Any role", &options.roles, query.role)></select>
            </label>
            <label>"Team leader"
                <select name="leader" inner_html=choice_options("Any team leader", &options.leaders, query.leader)></select>
            </label>
            <label>"Status"
                <select name="status" inner_html=options_html(
                    "Any status",
                    UserStatus::ALL.map(|s| (s.as_str().to_owned(), s.label(), status == Some(s))),
                )></select>
            </label>
            <label>"Group"
                <select name="group" inner_html=choice_options("Any group", &options.groups, query.group)></select>
            </label>
            {(!by_sign_in).then(|| view! {
                <label class="check">
                    <input type="checkbox" name="needs_leader" value="1" checked=query.needs_leader />
                    "Needs a team leader"
                </label>
            })}
            {by_sign_in.then(|| view! {
                <label>"Not signed in since"
                    <input type="date" name="idle_since" value=query.idle_since.clone().unwrap_or_default() />
                </label>
            })}
            {(query.sort != SortKey::Name).then(|| view! { <input type="hidden" name="sort" value=query.sort.as_str() /> })}
            {query.descending.then(|| view! { <input type="hidden" name="dir" value="desc" /> })}
            <button type="submit">"Search"</button>
        </Form>
    }
}

#[component]
fn TeamTable(page: TeamPage, query: TeamQuery, admin: bool) -> impl IntoView {
    let header = |key: SortKey| {
        let sorted = query.sort == key;
        let aria = match (sorted, query.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        };
        let arrow = match (sorted, query.descending) {
            (false, _) => "",
            (true, false) => " ▲",
            (true, true) => " ▼",
        };
        view! { <th aria-sort=aria><A href=query.sorted_by(key).href()>{key.label()}{arrow}</A></th> }
    };
    let pages = page.page_count();
    let current = page.page.min(pages - 1);
    let summary = match page.total {
        0 => "No users match.".to_owned(),
        1 => "1 user".to_owned(),
        n => format!("{n} users"),
    };
    let waiting = (admin && page.needs_leader > 0 && !query.needs_leader).then(|| {
        let show = TeamQuery { needs_leader: true, ..TeamQuery::default() }.href();
        view! {
            <p class="notice needs-leader" role="status">
                {format!(
                    "{}: an identity provider or a script sent them without one. ",
                    roster::provisioning::needs_team_leader_label(page.needs_leader)
                )}
                <A href=show>"Show them"</A>
            </p>
        }
    });
    view! {
        {waiting}
        <p class="summary" aria-live="polite">{summary}</p>
        <table class="roster">
            <thead>
                <tr>
                    {header(SortKey::Name)}
                    {header(SortKey::Email)}
                    {header(SortKey::EmployeeId)}
                    {header(SortKey::Role)}
                    <th>"Team Leader"</th>
                    {header(SortKey::Status)}
                </tr>
            </thead>
            <tbody>
                {page.rows.into_iter().map(|row| view! {
                    <tr>
                        <td>{if admin {
                            view! { <A href=format!("/team/users/{}", row.id)>{row.name}</A> }.into_any()
                        } else {
                            row.name.into_any()
                        }}</td>
                        <td>{row.email.unwrap_or_default()}</td>
                        <td>{row.employee_id.unwrap_or_default()}</td>
                        <td>{row.role}</td>
                        <td>{match (row.team_leader, row.needs_leader) {
                            (Some(leader), _) => leader.into_any(),
                            (None, true) => view! { <span class="needs-leader">"Needs a team leader"</span> }.into_any(),
                            (None, false) => ().into_any(),
                        }}</td>
                        <td><span class=format!("status {}", row.status.as_str())>{row.status.label()}</span></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {(current > 0).then(|| view! { <A href=query.at_page(current - 1).href()>"← Previous"</A> })}
            <span>{format!("Page {} of {}", current + 1, pages)}</span>
            {(current + 1 < pages).then(|| view! { <A href=query.at_page(current + 1).href()>"Next →"</A> })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_options_are_escaped_and_the_current_one_is_selected() {
        let choices = [
            Choice { id: 1, label: "Ada <Admin> & \"co\"".into(), reference: None },
            Choice { id: 2, label: "Bob".into(), reference: None },
        ];
        assert_eq!(
            choice_options("Any", &choices, Some(2)),
            "<option value=\"\">Any</option><option value=\"1\">Ada &lt;Admin&gt; &amp; &quot;co&quot;</option><option value=\"2\" selected>Bob</option>"
        );
    }
}
