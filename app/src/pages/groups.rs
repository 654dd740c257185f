//! The Groups tab: create, rename and delete groups, with their member counts. Membership is
//! edited on each user's page, and in bulk with the Group Assignments column of a spreadsheet.

use leptos::prelude::*;
use leptos_router::components::A;

use super::feedback::{Messages, Outcome};
use super::team::TeamTabs;
use crate::api::{AddGroup, RemoveGroup, RenameGroup, load_groups};
use crate::layout::{Guarded, admins};
use crate::organisation::GroupRow;
use crate::team::TeamQuery;

#[component]
pub fn Groups() -> impl IntoView {
    let create = ServerAction::<AddGroup>::new();
    let rename = ServerAction::<RenameGroup>::new();
    let remove = ServerAction::<RemoveGroup>::new();
    let groups = Resource::new(
        move || (create.version().get(), rename.version().get(), remove.version().get()),
        |_| load_groups(),
    );
    let messages = Messages::new();
    messages.follow(move || create.value().get(), |_| "Group created.".into());
    messages.follow(move || rename.value().get(), |_| "Group renamed.".into());
    messages.follow(
        move || remove.value().get(),
        |members| match members {
            0 => "Group deleted.".to_owned(),
            1 => "Group deleted; its 1 member is in one group fewer.".to_owned(),
            n => format!("Group deleted; its {n} members are in one group fewer."),
        },
    );
    view! {
        <Guarded allow=admins>
            <div class="page-head"><h1>"Groups"</h1></div>
            <TeamTabs current="/team/groups" />
            <p class="hint">"Group names are matched exactly in spreadsheets, written as {Group A},{Group B}. Add people to groups on their user page, or in bulk with Bulk Update Users."</p>
            <Outcome message=messages.signal() />
            <Suspense fallback=|| view! { <p class="loading">"Loading groups…"</p> }>
                {move || Suspend::new(async move {
                    match groups.await {
                        Ok(rows) if rows.is_empty() => view! { <p>"No groups yet."</p> }.into_any(),
                        Ok(rows) => view! {
                            <table class="roster groups">
                                <thead><tr><th>"Group"</th><th>"Members"</th><th>"Actions"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|group| view! { <GroupLine group rename remove /> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"Create a group"</h2>
            <ActionForm action=create attr:class="inline-form">
                <label>"Name" <input name="name" required maxlength="60" /></label>
                <button type="submit" class="primary">"Create Group"</button>
            </ActionForm>
        </Guarded>
    }
}

/// What the admin confirms before a group is deleted.
fn delete_question(name: &str, members: i64) -> String {
    match members {
        0 => format!("Delete the group {name}?"),
        1 => format!("Delete the group {name}? Its 1 member loses only this membership."),
        n => format!("Delete the group {name}? Its {n} members lose only this membership."),
    }
}

#[component]
fn GroupLine(group: GroupRow, rename: ServerAction<RenameGroup>, remove: ServerAction<RemoveGroup>) -> impl IntoView {
    let GroupRow { id, name, members } = group;
    let rename_label = format!("New name for {name}");
    let current = name.clone();
    let members_href = TeamQuery { group: Some(id), ..TeamQuery::default() }.href();
    let question = delete_question(&name, members);
    view! {
        <tr data-group=name.clone()>
            <td>{name.clone()}</td>
            <td><A href=members_href>{members}</A></td>
            <td class="actions">
                <ActionForm action=rename attr:class="inline-form">
                    <input type="hidden" name="id" value=id.to_string() />
                    <input name="name" value=current aria-label=rename_label required maxlength="60" />
                    <button type="submit">"Rename"</button>
                </ActionForm>
                <button type="button" class="danger" on:click=move |_| {
                    if window().confirm_with_message(&question).unwrap_or(false) {
                        remove.dispatch(RemoveGroup { id });
                    }
                }>"Delete"</button>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_a_group_says_how_many_lose_the_membership() {
        assert_eq!(delete_question("Nights", 0), "Delete the group Nights?");
        assert_eq!(delete_question("Nights", 12), "Delete the group Nights? Its 12 members lose only this membership.");
    }
}
