//! Download Current Team over HTTP: `GET /api/export/current-team`, for an admin signed in in the
//! browser (the session cookie) or for automation (`Authorization: Bearer <org API key>`); a team
//! leader gets Download Roster, the same file with only their team. Answers the file as an
//! attachment: UTF-16LE with a byte-order mark, ready for Excel.

use std::sync::Arc;

use app::AppError;
use app::ssr::{Store, auth};
use app::teams::Scope;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use roster::UserId;
use roster::current::{CurrentTeam, CurrentUser};

use crate::imports_api::{authorise, error};

/// The organisation whose team the request may download, and how much of it.
async fn organisation(store: &dyn Store, headers: &HeaderMap) -> Result<(i64, Scope), AppError> {
    if headers.contains_key(header::AUTHORIZATION) {
        return authorise(store, headers).await.map(|(org_id, _)| (org_id, Scope::Organisation));
    }
    let viewer = crate::session::session_viewer(store, headers).await?;
    let scope = Scope::of(&viewer).ok_or(AppError::Forbidden)?;
    Ok((viewer.org_id, scope))
}

/// The users of `team` that `scope` may read.
async fn within(store: &dyn Store, org_id: i64, scope: Scope, team: CurrentTeam) -> Result<CurrentTeam, AppError> {
    let Scope::TeamOf(leader) = scope else { return Ok(team) };
    let ids: std::collections::HashSet<i64> =
        store.team_ids(org_id, leader).await.map_err(app::error::internal)?.into_iter().collect();
    let users: Vec<CurrentUser> = team.into();
    Ok(users
        .into_iter()
        .filter(|user: &CurrentUser| ids.contains(&user.id.0) && user.id != UserId(leader))
        .collect::<Vec<_>>()
        .into())
}

pub async fn current_team(store: Arc<dyn Store>, headers: HeaderMap) -> Response {
    let (org_id, scope) = match organisation(store.as_ref(), &headers).await {
        Ok(found) => found,
        Err(failure) => return error(failure),
    };
    let team = match store.current_team(org_id).await {
        Ok(snapshot) => snapshot.team,
        Err(failure) => return error(app::error::internal(failure)),
    };
    let team = match within(store.as_ref(), org_id, scope, team).await {
        Ok(team) => team,
        Err(failure) => return error(failure),
    };
    let bytes = match tokio::task::spawn_blocking(move || roster::current::export(&team)).await {
        Ok(bytes) => bytes,
        Err(failure) => return error(app::error::internal(failure)),
    };
    let date = app::model::utc_time(auth::now());
    let file = if scope == Scope::Organisation { "roster-current-team" } else { "roster-my-team" };
    let name = format!("attachment; filename=\"{file}-{}.txt\"", date.get(..10).unwrap_or("today"));
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-16"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    (headers, bytes).into_response()
}
