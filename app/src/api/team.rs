//! Server functions of reading the roster: the Manage Team table and its choices, and the
//! hierarchy tree. An admin reads the whole organisation, a team leader their own team.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::guard;
use crate::AppError;
use crate::team::{TeamChoices, TeamPage, TeamQuery, TreeLevel};

/// Who is reading, and whose roster they may read.
#[cfg(feature = "ssr")]
async fn reader() -> Result<(crate::session::Viewer, crate::session::Scope), AppError> {
    let viewer = guard::signed_in().await?;
    let scope = crate::session::Scope::of(&viewer).ok_or(AppError::Forbidden)?;
    Ok((viewer, scope))
}

/// Roles, groups and team leaders for the filters and the user form; a team leader is offered
/// only the leaders in their team.
#[server(prefix = "/api", endpoint = "team_options")]
pub async fn team_options() -> Result<TeamChoices, AppError> {
    // The state is taken before the first await: during server rendering, Suspense may drop
    // this call's resource (and its context) while it waits, and the answer is then unused.
    let state = guard::state()?;
    let (viewer, scope) = reader().await?;
    Ok(state.store.team_options(viewer.org_id, scope).await?)
}

/// One page of the roster, searched, filtered and sorted: the whole organisation for an admin,
/// their own team (direct and indirect reports) for a team leader.
#[server(prefix = "/api", endpoint = "list_team", input = Json)]
pub async fn list_team(query: TeamQuery) -> Result<TeamPage, AppError> {
    let state = guard::state()?; // before the first await, as in `team_options`
    let (viewer, scope) = reader().await?;
    Ok(state.store.list_team(viewer.org_id, scope, &query).await?)
}

/// One level of the team as a tree: the people at the top (an admin's organisation, or the
/// leader themselves), or the direct reports of `parent`, each with their team's head counts.
#[server(prefix = "/api", endpoint = "team_tree")]
pub async fn load_team_tree(parent: Option<i64>) -> Result<TreeLevel, AppError> {
    use crate::session::Scope;
    use roster::UserId;
    use roster::hierarchy::Hierarchy;
    let state = guard::state()?; // before the first await, as in `team_options`
    let (viewer, scope) = reader().await?;
    let tree = Hierarchy::new(state.store.hierarchy(viewer.org_id).await?);
    let nodes = match (scope, parent) {
        (Scope::Organisation, None) => tree.roots(),
        (Scope::TeamOf(me), None) => tree.get(UserId(me)).into_iter().collect(),
        (Scope::Organisation, Some(id)) => tree.reports_of(UserId(id)),
        (Scope::TeamOf(me), Some(id)) if tree.is_within(UserId(me), UserId(id)) => tree.reports_of(UserId(id)),
        (Scope::TeamOf(_), Some(_)) => return Err(AppError::NotFound),
    };
    Ok(TreeLevel { nodes })
}
