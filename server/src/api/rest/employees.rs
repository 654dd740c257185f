//! The REST API's handlers for one user: read, create, update, invite, activate, deactivate.
//! Each is thin: the key's gate has run ([`Caller`]), the extractors have read the request, the
//! one-user path (`app::ssr::users`) applies the rules, and `?` words every refusal.

use app::ssr::users::{self, Writer};
use app::ssr::{OrganisationStore, StoreError, UserStore};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster::{Column, UserId};
use serde_json::Value;

use super::body::{body_cells, employee_input, new_team_leader};
use super::{ApiError, JsonBody, RawBody, Reference};
use crate::api::key::{Caller, if_match_allows, with_etag};
use crate::storage::{Employee, SqlStore};

async fn found(store: &SqlStore, org_id: i64, reference: &str) -> Result<Employee, ApiError> {
    store.employee(org_id, reference).await?.ok_or_else(|| ApiError::not_found(reference))
}

/// The user as they are now, with their ETag.
async fn answer(store: &SqlStore, org_id: i64, id: i64, status: StatusCode) -> Result<Response, ApiError> {
    let employee = store
        .employee_by_id(org_id, id)
        .await?
        .ok_or_else(|| ApiError::from(app::error::internal(format!("user {id}, just written, is missing"))))?;
    let version = employee.version;
    Ok(with_etag((status, Json(employee)).into_response(), version))
}

pub async fn one(
    State(store): State<SqlStore>,
    caller: Caller,
    Reference(reference): Reference,
) -> Result<Response, ApiError> {
    let employee = found(&store, caller.org_id, &reference).await?;
    let version = employee.version;
    Ok(with_etag(Json(employee).into_response(), version))
}

pub async fn create(
    State(store): State<SqlStore>,
    caller: Caller,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let mut input = employee_input(&body)?;
    // A script may leave out Roster's flags and the team leader: the organisation's defaults.
    let provisioning = store.provisioning(caller.org_id).await?;
    provisioning.defaults.fill_flags(&mut input, |column| body.get(column.key()).is_some_and(|v| !v.is_null()));
    let writer = Writer::Provider(&provisioning);
    let id = users::create_user::<ApiError>(&store, caller.org_id, None, &input, Default::default(), writer).await?;
    let mut response = answer(&store, caller.org_id, id, StatusCode::CREATED).await?;
    let location = [Column::EmailAddress, Column::EmployeeId]
        .into_iter()
        .map(|c| input.get(c).trim().to_owned())
        .find(|r| !r.is_empty())
        .map(|reference| format!("/api/v2/employees/{reference}"));
    if let Some(value) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

pub async fn update(
    State(store): State<SqlStore>,
    caller: Caller,
    headers: HeaderMap,
    Reference(reference): Reference,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    let changes = body_cells(&body)?;
    if changes.iter().any(|(column, _)| *column == Column::TemporaryPassword) {
        return Err(ApiError::body(
            Column::TemporaryPassword.key(),
            "A temporary password is set only when a user is created; send them a welcome email instead (POST …/invite)."
                .into(),
        ));
    }
    let org_id = caller.org_id;
    let id = found(&store, org_id, &reference).await?.id;
    let (form, _) = store.user_form(org_id, id).await?.ok_or_else(|| ApiError::not_found(&reference))?;
    let version = form.version.unwrap_or_default();
    if !if_match_allows(&headers, version) {
        return Err(StoreError::Stale.into());
    }
    let mut input = form.to_input();
    for (column, cell) in changes {
        input.set(column, cell);
    }
    let provisioning = store.provisioning(org_id).await?;
    let key = Some(caller.key_id);
    users::update_user::<ApiError>(&store, org_id, None, key, id, version, &input, Writer::Provider(&provisioning))
        .await?;
    answer(&store, org_id, id, StatusCode::OK).await
}

pub async fn invite(
    State(store): State<SqlStore>,
    caller: Caller,
    Reference(reference): Reference,
) -> Result<Response, ApiError> {
    let id = found(&store, caller.org_id, &reference).await?.id;
    users::invite_user::<ApiError>(&store, caller.org_id, None, id).await?;
    answer(&store, caller.org_id, id, StatusCode::OK).await
}

pub async fn activate(
    State(store): State<SqlStore>,
    caller: Caller,
    Reference(reference): Reference,
) -> Result<Response, ApiError> {
    let id = found(&store, caller.org_id, &reference).await?.id;
    store.reactivate_user(caller.org_id, None, id).await?;
    answer(&store, caller.org_id, id, StatusCode::OK).await
}

/// Deactivates the user; the team they leave behind moves to `new_team_leader`, or else to their
/// own team leader.
pub async fn deactivate(
    State(store): State<SqlStore>,
    caller: Caller,
    Reference(reference): Reference,
    RawBody(body): RawBody,
) -> Result<Response, ApiError> {
    let org_id = caller.org_id;
    let new_leader = new_team_leader(&body)?;
    let user = found(&store, org_id, &reference).await?;
    let new_leader = match new_leader {
        None => None,
        Some(leader) => Some(
            store
                .employee(org_id, &leader)
                .await?
                .ok_or_else(|| {
                    ApiError::body(
                        "new_team_leader",
                        format!("No user has the email address or employee ID \"{leader}\"."),
                    )
                })?
                .id,
        ),
    };
    let moves: Vec<(UserId, UserId)> =
        new_leader.or(user.team_leader_id).map(|to| (UserId(user.id), UserId(to))).into_iter().collect();
    store.deactivate_users(org_id, None, &[UserId(user.id)], &moves).await?;
    answer(&store, org_id, user.id, StatusCode::OK).await
}
