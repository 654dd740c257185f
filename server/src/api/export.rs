//! Download Current Team over HTTP: `GET /api/export/current-team`, for an admin signed in in the
//! browser (the session cookie) or for automation (an organisation API key, through the key's
//! gate); a team leader gets Download Roster, the same file with only their team. Answers the
//! file as an attachment: UTF-16LE with a byte-order mark, ready for Excel.

use std::collections::HashSet;

use app::AppError;
use app::session::Scope;
use app::ssr::{ImportStore, auth};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use roster::UserId;
use roster::current::{CurrentTeam, CurrentUser};

use super::JsonError;
use super::key::Caller;
use crate::session::session_viewer;
use crate::storage::SqlStore;

/// The users of `team` that `scope` may read.
async fn within(store: &SqlStore, org_id: i64, scope: Scope, team: CurrentTeam) -> Result<CurrentTeam, JsonError> {
    let Scope::TeamOf(leader) = scope else { return Ok(team) };
    let ids: HashSet<i64> = store.team_ids(org_id, leader).await?.into_iter().collect();
    let users: Vec<CurrentUser> = team.into();
    Ok(users
        .into_iter()
        .filter(|user| ids.contains(&user.id.0) && user.id != UserId(leader))
        .collect::<Vec<_>>()
        .into())
}

pub async fn current_team(
    State(store): State<SqlStore>,
    caller: Option<Caller>,
    headers: HeaderMap,
) -> Result<Response, JsonError> {
    let (org_id, scope) = match caller {
        Some(caller) => (caller.org_id, Scope::Organisation),
        None => {
            let viewer = session_viewer(&store, &headers).await?;
            (viewer.org_id, Scope::of(&viewer).ok_or(AppError::Forbidden)?)
        }
    };
    let team = within(&store, org_id, scope, store.current_team(org_id).await?.team).await?;
    let bytes =
        tokio::task::spawn_blocking(move || roster::current::export(&team)).await.map_err(app::error::internal)?;
    let date = roster::time::utc_time(auth::now());
    let file = if scope == Scope::Organisation { "roster-current-team" } else { "roster-my-team" };
    let name = format!("attachment; filename=\"{file}-{}.txt\"", date.get(..10).unwrap_or("today"));
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-16"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok((headers, bytes).into_response())
}
