//! The Roles tab: the default roles, custom roles (create, rename, deactivate, delete when
//! unused) and the organisation's "uses custom roles" setting.

use leptos::prelude::*;

use super::feedback::{Messages, Outcome};
use super::team::TeamTabs;
use crate::api::{AddRole, ChangeRole, RenameRole, SetCustomRoles, load_roles};
use crate::layout::{Guarded, admins};
use crate::organisation::{RoleChange, RoleRow};

#[component]
pub fn Roles() -> impl IntoView {
    let create = ServerAction::<AddRole>::new();
    let rename = ServerAction::<RenameRole>::new();
    let change = ServerAction::<ChangeRole>::new();
    let setting = ServerAction::<SetCustomRoles>::new();
    let roles = Resource::new(
        move || (create.version().get(), rename.version().get(), change.version().get(), setting.version().get()),
        |_| load_roles(),
    );
    let messages = Messages::new();
    messages.follow(move || create.value().get(), |_| "Role created.".into());
    messages.follow(move || rename.value().get(), |_| "Role renamed.".into());
    messages.follow(move || change.value().get(), |_| "Role updated.".into());
    messages.follow(move || setting.value().get(), |_| "Setting saved.".into());
    view! {
        <Guarded allow=admins>
            <div class="page-head"><h1>"Roles"</h1></div>
            <TeamTabs current="/team/roles" />
            <Outcome message=messages.signal() />
            <Suspense fallback=|| view! { <p class="loading">"Loading roles…"</p> }>
                {move || Suspend::new(async move {
                    match roles.await {
                        Ok(tab) => {
                            let on = tab.uses_custom_roles;
                            view! {
                                <section class="setting" aria-label="Custom roles setting">
                                    <p>{if on {
                                        "This organisation uses custom roles: Role is required in spreadsheets and on the user form."
                                    } else {
                                        "Custom roles are off: a blank Role is derived from the hierarchy (Can Manage Teams y → Team Leader, otherwise Team Member)."
                                    }}</p>
                                    <ActionForm action=setting>
                                        <input type="hidden" name="on" value=(!on).to_string() />
                                        <button type="submit">{if on { "Stop using custom roles" } else { "Use custom roles" }}</button>
                                    </ActionForm>
                                </section>
                                <table class="roster roles">
                                    <thead><tr><th>"Role"</th><th>"Kind"</th><th>"Status"</th><th>"Users"</th><th>"Actions"</th></tr></thead>
                                    <tbody>
                                        {tab.roles.into_iter().map(|role| view! { <RoleLine role rename change /> }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"Create a role"</h2>
            <ActionForm action=create attr:class="inline-form">
                <label>"Name" <input name="name" required maxlength="60" /></label>
                <button type="submit" class="primary">"Create Role"</button>
            </ActionForm>
        </Guarded>
    }
}

#[component]
fn RoleLine(role: RoleRow, rename: ServerAction<RenameRole>, change: ServerAction<ChangeRole>) -> impl IntoView {
    let RoleRow { id, name, built_in, active, holders } = role;
    let rename_label = format!("New name for {name}");
    let current = name.clone();
    let kind = if built_in { "Built in" } else { "Custom" };
    let status = if active { "Active" } else { "Deactivated" };
    let toggle = if active { RoleChange::Deactivate } else { RoleChange::Reactivate };
    let toggle_label = if active { "Deactivate" } else { "Reactivate" };
    view! {
        <tr data-role=name.clone()>
            <td>{name.clone()}</td>
            <td>{kind}</td>
            <td>{status}</td>
            <td>{holders}</td>
            <td class="actions">
                {(!built_in).then(|| view! {
                    <ActionForm action=rename attr:class="inline-form">
                        <input type="hidden" name="id" value=id.to_string() />
                        <input name="name" value=current aria-label=rename_label required maxlength="60" />
                        <button type="submit">"Rename"</button>
                    </ActionForm>
                    <button type="button" on:click=move |_| { change.dispatch(ChangeRole { id, change: toggle }); }>{toggle_label}</button>
                    <button type="button" class="danger" on:click=move |_| { change.dispatch(ChangeRole { id, change: RoleChange::Delete }); }>"Delete"</button>
                })}
            </td>
        </tr>
    }
}
