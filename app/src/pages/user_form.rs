//! Create User and Edit User: one profile through the rules crate, with the spreadsheet's messages
//! shown beside each field.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use roster::Column;
use roster::fields::EmploymentStatus;

use super::feedback::{Messages, Outcome};
use super::options::options_html;
use crate::AppError;
use crate::api::{ReactivateUser, SaveUser, load_user, team_options};
use crate::layout::{Guarded, admins};
use crate::mark::{Icon, Mark};
use crate::pages::welcome::PhotoForm;
use crate::pages::welcome_emails::WelcomeEmailPanel;
use crate::team::{TeamChoices, TeamQuery};
use crate::user::{UserForm, UserStatus};
use crate::welcome::photo_url;

#[component]
pub fn CreateUser() -> impl IntoView {
    let options = Resource::new(|| (), |_| team_options());
    view! {
        <Guarded allow=admins>
            <h1>"Create User"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match options.await {
                        Ok(options) => view! { <ProfileForm initial=UserForm::default() options /> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Guarded>
    }
}

#[component]
pub fn EditUser() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let loaded = Resource::new(id, |id| async move {
        let id = id.ok_or(AppError::NotFound)?;
        let (form, status) = load_user(id).await?;
        let options = team_options().await?;
        Ok::<_, AppError>((form, status, options))
    });
    view! {
        <Guarded allow=admins>
            <h1>"Edit User"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok((initial, status, options)) => {
                            let user_id = initial.id.unwrap_or_default();
                            let reference = if initial.email.is_empty() { initial.employee_id.clone() } else { initial.email.clone() };
                            view! {
                                <AccountStatus user_id status reference />
                                <ProfileForm initial options />
                                <WelcomeEmailPanel user_id />
                                <section class="photo" aria-label="Photo">
                                    <h2>"Photo"</h2>
                                    <Photo user_id />
                                    <PhotoForm user=user_id.to_string() return_to=format!("/team/users/{user_id}") has_photo=false />
                                </section>
                            }.into_any()
                        }
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </Guarded>
    }
}

/// Deactivated or not, and the way to change it.
#[component]
fn AccountStatus(user_id: i64, status: UserStatus, reference: String) -> impl IntoView {
    let reactivate = ServerAction::<ReactivateUser>::new();
    let messages = Messages::new();
    messages.follow(move || reactivate.value().get(), |_| "Reactivated: they can sign in again.".into());
    let reactivated = move || matches!(reactivate.value().get(), Some(Ok(())));
    let deactivate_href = TeamQuery { q: reference, ..TeamQuery::default() }.href_on("/team/deactivate");
    view! {
        <section class="account-status" aria-label="Account status">
            <p>"Status: " <span class=format!("status {}", status.as_str())>{status.label()}</span></p>
            {if status == UserStatus::Deactivated {
                view! {
                    <button type="button" hidden=reactivated on:click=move |_| { reactivate.dispatch(ReactivateUser { id: user_id }); }>
                        "Reactivate"
                    </button>
                }.into_any()
            } else {
                view! { <A href=deactivate_href>"Deactivate…"</A> }.into_any()
            }}
            <Outcome message=messages.signal() />
        </section>
    }
}

/// The user's photo, if they have one. Created in the browser, so that the error event of a
/// missing photo hides it (an inline handler would break the Content Security Policy).
#[component]
fn Photo(user_id: i64) -> impl IntoView {
    let mounted = RwSignal::new(false);
    let missing = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    move || {
        (mounted.get() && !missing.get()).then(|| {
            view! { <img class="avatar large" src=photo_url(user_id) alt="" on:error=move |_| missing.set(true) /> }
        })
    }
}

/// True when the Group Assignments cell names `group`.
fn in_group_list(cell: &str, group: &str) -> bool {
    roster::fields::GroupList::parse(cell).is_ok_and(|list| list.names().iter().any(|n| n == group))
}

/// The Group Assignments cell with `group` ticked or unticked. A cell that does not parse is left
/// for its error message to explain.
fn toggle_group(cell: &str, group: &str, on: bool) -> String {
    let Ok(list) = roster::fields::GroupList::parse(cell) else { return cell.to_owned() };
    let mut names: Vec<String> = list.names().iter().map(|n| n.to_string()).filter(|n| n != group).collect();
    if on {
        names.push(group.to_owned());
    }
    roster::fields::GroupList::from_names(names).to_cell()
}

/// The messages of one field after a failed save.
fn field_errors(result: Option<Result<i64, AppError>>, column: Column) -> Vec<String> {
    match result {
        Some(Err(error)) => error.problems_for(column),
        _ => Vec::new(),
    }
}

#[component]
fn ProfileForm(initial: UserForm, options: TeamChoices) -> impl IntoView {
    let action = ServerAction::<SaveUser>::new();
    let creating = initial.id.is_none();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = action.value().get() {
            navigate("/team", Default::default());
        }
    });
    let general_error = move || match action.value().get() {
        Some(Err(AppError::Invalid(_))) => Some("Please correct the fields marked below.".to_owned()),
        Some(Err(error)) => Some(error.to_string()),
        _ => None,
    };
    let invalid = move |column: Column| !field_errors(action.value().get(), column).is_empty();
    // Messages sit outside the label and are tied to the control by aria-describedby, so a
    // screen reader reads them after the field's name.
    let errors = move |column: Column| {
        view! {
            <span class="field-error" id=format!("e-{}", column.key()) aria-live="polite">
                {move || field_errors(action.value().get(), column).into_iter().map(|message| view! { <span><Icon mark=Mark::Error />{message}</span> }).collect_view()}
            </span>
        }
    };
    let text = move |column: Column, label: &'static str, value: String, kind: &'static str| {
        let id = format!("f-{}", column.key());
        view! {
            <div class="field" class:invalid=move || invalid(column)>
                <label for=id.clone()>{label}</label>
                <input id=id type=kind name=format!("form[{}]", column.key()) value=value
                    aria-describedby=format!("e-{}", column.key()) aria-invalid=move || invalid(column).to_string() />
                {errors(column)}
            </div>
        }
    };
    let flag = move |column: Column, label: &'static str, checked: bool| {
        let id = format!("f-{}", column.key());
        view! {
            <div class="field check">
                <input id=id.clone() type="checkbox" name=format!("form[{}]", column.key()) value="y" checked=checked
                    aria-describedby=format!("e-{}", column.key()) />
                <label for=id>{label}</label>
                {errors(column)}
            </div>
        }
    };
    let role_hint = if options.uses_custom_roles { "Role (required)" } else { "Role (blank: from the hierarchy)" };
    let status = initial.employment_status.clone();
    let groups = RwSignal::new(initial.group_assignments.clone());
    let group_hint = if options.groups.is_empty() {
        "No groups exist yet.".to_owned()
    } else {
        format!("Groups: {}", options.groups.iter().map(|g| format!("{{{}}}", g.label)).collect::<Vec<_>>().join(", "))
    };

    view! {
        <ActionForm action=action attr:class="profile-form" attr:novalidate=true>
            {initial.id.map(|id| view! { <input type="hidden" name="form[id]" value=id.to_string() /> })}
            {initial.version.map(|v| view! { <input type="hidden" name="form[version]" value=v.to_string() /> })}
            <p class="error" role="alert">{general_error}</p>
            <fieldset>
                <legend>"Identity"</legend>
                {text(Column::FirstName, "First Name *", initial.first_name.clone(), "text")}
                {text(Column::LastName, "Last Name *", initial.last_name.clone(), "text")}
                {text(Column::EmailAddress, "Email Address", initial.email.clone(), "email")}
                {text(Column::EmployeeId, "Employee ID", initial.employee_id.clone(), "text")}
                <p class="hint">"An email address or an employee ID (or both) is required."</p>
            </fieldset>
            <fieldset>
                <legend>"Team"</legend>
                <div class="field" class:invalid=move || invalid(Column::Role)>
                    <label for="f-role">{role_hint}</label>
                    <select id="f-role" name="form[role]" aria-describedby="e-role" inner_html=options_html(
                        "—",
                        options.roles.iter().map(|role| (role.label.clone(), role.label.as_str(), role.label == initial.role)),
                    )></select>
                    {errors(Column::Role)}
                </div>
                {flag(Column::CanManageTeams, "Can Manage Teams", initial.can_manage_teams.is_some())}
                <div class="field" class:invalid=move || invalid(Column::TeamLeader)>
                    <label for="f-team_leader">"Team Leader (email address or employee ID)"</label>
                    <input id="f-team_leader" name="form[team_leader]" list="leaders" value=initial.team_leader.clone()
                        aria-describedby="e-team_leader" aria-invalid=move || invalid(Column::TeamLeader).to_string() />
                    <datalist id="leaders">
                        {options.leaders.iter().map(|l| view! {
                            <option value=l.reference.clone().unwrap_or_default()>{l.label.clone()}</option>
                        }).collect_view()}
                    </datalist>
                    {errors(Column::TeamLeader)}
                </div>
                <div class="field" class:invalid=move || invalid(Column::GroupAssignments)>
                    <label for="f-group_assignments">"Group Assignments"</label>
                    <input id="f-group_assignments" name="form[group_assignments]" prop:value=move || groups.get()
                        on:input=move |ev| groups.set(event_target_value(&ev))
                        aria-describedby="e-group_assignments" aria-invalid=move || invalid(Column::GroupAssignments).to_string() />
                    {errors(Column::GroupAssignments)}
                </div>
                {(!options.groups.is_empty()).then(|| view! {
                    <fieldset class="group-picks">
                        <legend>"Groups"</legend>
                        {options.groups.iter().map(|group| {
                            let name = group.label.clone();
                            let id = format!("g-{}", group.id);
                            let checked_name = name.clone();
                            view! {
                                <span class="check">
                                    <input type="checkbox" id=id.clone()
                                        prop:checked=move || in_group_list(&groups.get(), &checked_name)
                                        on:change=move |ev| groups.update(|cell| *cell = toggle_group(cell, &name, event_target_checked(&ev))) />
                                    <label for=id>{group.label.clone()}</label>
                                </span>
                            }
                        }).collect_view()}
                    </fieldset>
                })}
                <p class="hint">{group_hint}</p>
            </fieldset>
            <fieldset>
                <legend>"Channels"</legend>
                {flag(Column::PhoneChannel, "Phone Channel", initial.phone_channel.is_some())}
                {flag(Column::ChatChannel, "Chat Channel", initial.chat_channel.is_some())}
                {flag(Column::EmailChannel, "Email Channel", initial.email_channel.is_some())}
            </fieldset>
            <fieldset>
                <legend>"Profile"</legend>
                {text(Column::HomeTown, "Home Town", initial.home_town.clone(), "text")}
                {text(Column::StateOrCountry, "State or Country", initial.state_or_country.clone(), "text")}
                <div class="field" class:invalid=move || invalid(Column::Profile)>
                    <label for="f-profile">"Profile (bio)"</label>
                    <textarea id="f-profile" name="form[profile]" rows="4" aria-describedby="e-profile">{initial.profile.clone()}</textarea>
                    {errors(Column::Profile)}
                </div>
                <div class="field" class:invalid=move || invalid(Column::EmploymentStatus)>
                    <label for="f-employment_status">"Employment Status"</label>
                    <select id="f-employment_status" name="form[employment_status]" aria-describedby="e-employment_status" inner_html=options_html(
                        "—",
                        EmploymentStatus::ALL.map(|s| (s.as_str().to_owned(), s.as_str(), status == s.as_str())),
                    )></select>
                    {errors(Column::EmploymentStatus)}
                </div>
                {text(Column::StartDate, "Start Date", initial.start_date.clone(), "date")}
            </fieldset>
            {creating.then(|| view! {
                <fieldset>
                    <legend>"Sign-in"</legend>
                    {text(Column::TemporaryPassword, "Temporary Password (optional)", String::new(), "password")}
                </fieldset>
            })}
            <div class="actions">
                <button type="submit" class="primary">{if creating { "Create User" } else { "Save Changes" }}</button>
                <A href="/team">"Cancel"</A>
            </div>
        </ActionForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticking_a_group_adds_it_to_the_cell_and_unticking_removes_it() {
        assert_eq!(toggle_group("", "Nights", true), "{Nights}");
        assert_eq!(toggle_group("{Tier 1}", "Nights, EU", true), "{Tier 1},{Nights, EU}");
        assert_eq!(toggle_group("{Tier 1},{Nights}", "Tier 1", false), "{Nights}");
        assert!(in_group_list("{Tier 1},{Nights}", "Nights"));
        assert!(!in_group_list("{Tier 1}", "Tier"));
    }

    #[test]
    fn a_cell_that_does_not_parse_is_left_as_typed() {
        assert_eq!(toggle_group("Tier 1", "Nights", true), "Tier 1");
    }
}
