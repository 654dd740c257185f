//! Server functions of one user at a time (the Create User and Edit User forms) and of
//! Deactivate Users and reactivation.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[cfg(feature = "ssr")]
use super::guard;
use crate::AppError;
use crate::team::{Choice, DeactivationReview, TeamQuery};
use crate::user::{UserForm, UserStatus};

/// A user as the edit form shows them.
#[server(prefix = "/api", endpoint = "load_user")]
pub async fn load_user(id: i64) -> Result<(UserForm, UserStatus), AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.user_form(viewer.org_id, id).await?.ok_or(AppError::NotFound)
}

/// Creates or updates one user with the rules of the spreadsheet. Returns the user's id.
#[server(prefix = "/api", endpoint = "save_user")]
pub async fn save_user(form: UserForm) -> Result<i64, AppError> {
    use crate::ssr::users::{self, Writer};
    let viewer = guard::admin().await?;
    let store = guard::state()?.store;
    let (org_id, actor) = (viewer.org_id, Some(viewer.user_id));
    let Some(id) = form.id else {
        return users::create_user(store.as_ref(), org_id, actor, &form.to_input(), Default::default(), Writer::Admin)
            .await;
    };
    let version = form
        .version
        .ok_or_else(|| AppError::BadRequest("The form is missing the user's version; reload the page.".into()))?;
    users::update_user::<AppError>(store.as_ref(), org_id, actor, None, id, version, &form.to_input(), Writer::Admin)
        .await?;
    Ok(id)
}

/// Most users one Deactivate Users selection holds.
pub const MAX_SELECTION: usize = 10_000;

/// Every user who is not deactivated and matches the filters of Deactivate Users, to select at once.
#[server(prefix = "/api", endpoint = "select_matching", input = Json)]
pub async fn select_matching(query: TeamQuery) -> Result<Vec<Choice>, AppError> {
    let viewer = guard::admin().await?;
    let limit = MAX_SELECTION as i64 + 1;
    let users = guard::state()?.store.matching_users(viewer.org_id, &query, limit).await?;
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
    use crate::team::TeamToReassign;
    use roster::UserId;
    use roster::deactivate::orphaned_teams;
    let viewer = guard::admin().await?;
    let (_, directory) = guard::state()?.store.snapshot(viewer.org_id).await?.into_parts();
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
    let store = guard::state()?.store;
    Ok(store.deactivate_users(viewer.org_id, Some(viewer.user_id), &selected, &replacements).await?)
}

#[server(prefix = "/api", endpoint = "reactivate_user")]
pub async fn reactivate_user(id: i64) -> Result<(), AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.reactivate_user(viewer.org_id, Some(viewer.user_id), id).await?)
}
