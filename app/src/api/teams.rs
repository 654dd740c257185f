//! Server functions of the rest of Manage Team: the tree view, the Roles and Groups tabs,
//! Deactivate Users and reactivation.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::guard;
use crate::AppError;
use crate::model::{Choice, TeamQuery};
use crate::teams::{DeactivationReview, GroupRow, RoleChange, RolesTab, TreeLevel};

#[cfg(feature = "ssr")]
async fn reader() -> Result<(crate::model::Viewer, crate::teams::Scope), AppError> {
    let viewer = guard::signed_in().await?;
    let scope = crate::teams::Scope::of(&viewer).ok_or(AppError::Forbidden)?;
    Ok((viewer, scope))
}

/// One level of the team as a tree: the people at the top (an admin's organisation, or the
/// leader themselves), or the direct reports of `parent`, each with their team's head counts.
#[server(prefix = "/api", endpoint = "team_tree")]
pub async fn load_team_tree(parent: Option<i64>) -> Result<TreeLevel, AppError> {
    use crate::teams::Scope;
    use roster::UserId;
    use roster::hierarchy::Hierarchy;
    let state = guard::state()?; // before the first await, as in `team_options`
    let (viewer, scope) = reader().await?;
    let members = state.store.hierarchy(viewer.org_id).await.map_err(guard::store_error)?;
    let tree = Hierarchy::new(members);
    let nodes = match (scope, parent) {
        (Scope::Organisation, None) => tree.roots(),
        (Scope::TeamOf(me), None) => tree.get(UserId(me)).into_iter().collect(),
        (Scope::Organisation, Some(id)) => tree.reports_of(UserId(id)),
        (Scope::TeamOf(me), Some(id)) if tree.is_within(UserId(me), UserId(id)) => tree.reports_of(UserId(id)),
        (Scope::TeamOf(_), Some(_)) => return Err(AppError::NotFound),
    };
    Ok(TreeLevel { nodes })
}

/// The Roles tab.
#[server(prefix = "/api", endpoint = "roles")]
pub async fn load_roles() -> Result<RolesTab, AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.roles(viewer.org_id).await.map_err(guard::store_error)
}

#[cfg(feature = "ssr")]
fn name_error(error: roster::organisation::NameError) -> AppError {
    AppError::Form(vec![error.to_string()])
}

#[server(prefix = "/api", endpoint = "create_role")]
pub async fn add_role(name: String) -> Result<i64, AppError> {
    use roster::organisation::RoleName;
    let viewer = guard::admin().await?;
    let name = RoleName::parse(&name).map_err(name_error)?;
    guard::state()?.store.create_role(viewer.org_id, viewer.user_id, &name).await.map_err(guard::store_error)
}

#[server(prefix = "/api", endpoint = "rename_role")]
pub async fn rename_role(id: i64, name: String) -> Result<(), AppError> {
    use roster::organisation::RoleName;
    let viewer = guard::admin().await?;
    let name = RoleName::parse(&name).map_err(name_error)?;
    guard::state()?.store.rename_role(viewer.org_id, viewer.user_id, id, &name).await.map_err(guard::store_error)
}

/// Deactivates, reactivates or deletes a custom role. A role people hold is only deactivated.
#[server(prefix = "/api", endpoint = "change_role")]
pub async fn change_role(id: i64, change: RoleChange) -> Result<(), AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.change_role(viewer.org_id, viewer.user_id, id, change).await.map_err(guard::store_error)
}

/// Turns the organisation's "uses custom roles" setting on or off.
#[server(prefix = "/api", endpoint = "set_custom_roles")]
pub async fn set_custom_roles(on: bool) -> Result<(), AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.set_uses_custom_roles(viewer.org_id, viewer.user_id, on).await.map_err(guard::store_error)
}

/// The Groups tab.
#[server(prefix = "/api", endpoint = "groups")]
pub async fn load_groups() -> Result<Vec<GroupRow>, AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.groups(viewer.org_id).await.map_err(guard::store_error)
}

#[server(prefix = "/api", endpoint = "create_group")]
pub async fn add_group(name: String) -> Result<i64, AppError> {
    use roster::organisation::GroupName;
    let viewer = guard::admin().await?;
    let name = GroupName::parse(&name).map_err(name_error)?;
    guard::state()?.store.create_group(viewer.org_id, Some(viewer.user_id), &name).await.map_err(guard::store_error)
}

#[server(prefix = "/api", endpoint = "rename_group")]
pub async fn rename_group(id: i64, name: String) -> Result<(), AppError> {
    use roster::organisation::GroupName;
    let viewer = guard::admin().await?;
    let name = GroupName::parse(&name).map_err(name_error)?;
    guard::state()?.store.rename_group(viewer.org_id, Some(viewer.user_id), id, &name).await.map_err(guard::store_error)
}

/// Deletes a group; its members lose only that membership. Returns how many it had.
#[server(prefix = "/api", endpoint = "delete_group")]
pub async fn remove_group(id: i64) -> Result<i64, AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.delete_group(viewer.org_id, Some(viewer.user_id), id).await.map_err(guard::store_error)
}

/// Most users one Deactivate Users selection holds.
pub const MAX_SELECTION: usize = 10_000;

/// Every user who is not deactivated and matches the filters of Deactivate Users, to select at once.
#[server(prefix = "/api", endpoint = "select_matching", input = Json)]
pub async fn select_matching(query: TeamQuery) -> Result<Vec<Choice>, AppError> {
    let viewer = guard::admin().await?;
    let limit = MAX_SELECTION as i64 + 1;
    let users = guard::state()?.store.matching_users(viewer.org_id, &query, limit).await.map_err(guard::store_error)?;
    if users.len() > MAX_SELECTION {
        return Err(AppError::Form(vec![format!(
            "More than {MAX_SELECTION} users match; narrow the filters (by team leader, group or last sign-in, say) and deactivate them in parts."
        )]));
    }
    Ok(users)
}

/// What deactivating `ids` involves: who they are, and which teams need a new leader first.
#[server(prefix = "/api", endpoint = "review_deactivation", input = Json)]
pub async fn review_deactivation(ids: Vec<i64>) -> Result<DeactivationReview, AppError> {
    use crate::teams::TeamToReassign;
    use roster::UserId;
    use roster::deactivate::orphaned_teams;
    let viewer = guard::admin().await?;
    let (_, directory) = guard::state()?.store.snapshot(viewer.org_id).await.map_err(guard::store_error)?.into_parts();
    let selected: Vec<UserId> = ids.iter().copied().map(UserId).collect();
    let choice = |user: &roster::KnownUser| Choice {
        id: user.id.0,
        label: user.display_name.clone(),
        reference: user.email_key.clone().or_else(|| user.employee_id.clone()),
    };
    let users: Vec<Choice> = selected.iter().filter_map(|&id| directory.get(id)).map(choice).collect();
    if users.len() != ids.len() {
        return Err(AppError::NotFound);
    }
    let teams = orphaned_teams(&directory, &selected)
        .into_iter()
        .map(|team| TeamToReassign {
            leader_id: team.leader.0,
            leader_name: directory.get(team.leader).map(|u| u.display_name.clone()).unwrap_or_default(),
            reports: team.reports.len(),
        })
        .collect();
    let mut candidates: Vec<Choice> = directory
        .users()
        .iter()
        .filter(|u| u.can_manage_teams && !u.deactivated && !selected.contains(&u.id))
        .map(choice)
        .collect();
    candidates.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(DeactivationReview { users, teams, candidates })
}

/// Deactivates `ids` in one audited transaction, after moving each team they leave behind to
/// its new leader (`replacements`: old leader, new leader). Returns how many were deactivated.
#[server(prefix = "/api", endpoint = "deactivate_users", input = Json)]
pub async fn deactivate_users(ids: Vec<i64>, replacements: Vec<(i64, i64)>) -> Result<usize, AppError> {
    use roster::UserId;
    let viewer = guard::admin().await?;
    let selected: Vec<UserId> = ids.into_iter().map(UserId).collect();
    let replacements: Vec<(UserId, UserId)> = replacements.into_iter().map(|(a, b)| (UserId(a), UserId(b))).collect();
    guard::state()?
        .store
        .deactivate_users(viewer.org_id, Some(viewer.user_id), &selected, &replacements)
        .await
        .map_err(guard::store_error)?
        .map_err(|errors| AppError::Form(errors.iter().map(ToString::to_string).collect()))
}

#[server(prefix = "/api", endpoint = "reactivate_user")]
pub async fn reactivate_user(id: i64) -> Result<(), AppError> {
    let viewer = guard::admin().await?;
    guard::state()?
        .store
        .reactivate_user(viewer.org_id, Some(viewer.user_id), id)
        .await
        .map_err(guard::store_error)?
        .map_err(AppError::Conflict)
}
