//! The User Provisioning API over REST, for scripts: `/api/v2/employees`, JSON, authorised by an
//! organisation API key (`Authorization: Bearer …`), within the key's rate limit. Every call a key
//! makes is audited with that key. Errors are JSON naming the parameter or field and the rule:
//! `{"error": {"status": 400, "code": "invalid_parameter", "field": "limit", "message": "…"}}`.
//! The OpenAPI document at `/api/v2/openapi.json` describes every route (`crate::openapi`).
//!
//! * `GET /api/v2/employees`: one page, by id, `limit` 1–500 (100 by default), then `cursor` =
//!   the previous page's `next_cursor`; filters `status`, `employment_status`, `team_leader`
//!   (email address or employee ID), `group` (exact name), `role`, `q` (name, email, employee ID).
//! * `GET /api/v2/employees/{reference}`: one user by email address or employee ID, with an ETag.
//! * `POST /api/v2/employees`: creates a user from a JSON object of the profile's fields (the
//!   spreadsheet's columns by their keys, `groups` as a list, the channels and Can Manage Teams as
//!   booleans), checked by the same rules with the same messages; 201 with the user, 422 with every
//!   problem by field.
//! * `PATCH /api/v2/employees/{reference}`: changes the fields the body names (`null` clears one),
//!   checked as a whole by the same rules; `If-Match` with the ETag makes it 412 if someone changed
//!   the user since.
//! * `POST /api/v2/employees/{reference}/invite`, `/activate`, `/deactivate`: sends the welcome
//!   email; reactivates; deactivates (their reports move to `new_team_leader` if the body names
//!   one, otherwise to the user's own team leader).

use std::collections::HashMap;

use app::AppError;
use app::model::UserStatus;
use app::provisioning::{DEFAULT_PAGE, Employee, EmployeeFilter, EmployeePage, MAX_PAGE, cursor_after, read_cursor};
use app::ssr::{StoreError, store_error};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use roster::deactivate::DeactivationError;
use roster::fields::EmploymentStatus;
use roster::{Column, ProfileInput, UserId};
use serde::Serialize;
use serde_json::Value;

use crate::api_call::{Api, BODY_LIMIT, Refusal, audited, if_match_allows, retry_after, with_etag};

/// An answer that is not what was asked for, in the API's error shape.
#[derive(Debug, Serialize)]
pub struct ApiError {
    #[serde(serialize_with = "as_u16")]
    pub status: StatusCode,
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
    /// Every rule a body broke, by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FieldProblem>,
}

/// One broken rule of a body: the field, the rule's stable code, what to do.
#[derive(Debug, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

fn as_u16<S: serde::Serializer>(status: &StatusCode, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u16(status.as_u16())
}

impl ApiError {
    fn parameter(field: &str, message: String) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameter",
            field: Some(field.to_owned()),
            message,
            problems: Vec::new(),
        }
    }

    fn body(field: &str, message: String) -> ApiError {
        ApiError { code: "invalid_body", ..ApiError::parameter(field, message) }
    }

    fn not_found(reference: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            field: None,
            message: format!("No user has the email address or employee ID \"{reference}\"."),
            problems: Vec::new(),
        }
    }

    /// A body that could not be read: too large, not JSON, or not the JSON this API reads.
    fn unreadable(rejection: JsonRejection) -> ApiError {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::too_large();
        }
        ApiError::body("body", format!("The body is not JSON this API reads: {}", rejection.body_text()))
    }

    fn too_large() -> ApiError {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "body_too_large",
            field: Some("body".into()),
            message: format!(
                "The body is larger than the {} KB this API reads; send one user per call.",
                BODY_LIMIT / 1024
            ),
            problems: Vec::new(),
        }
    }

    fn refused(refusal: Refusal) -> Response {
        match refusal {
            Refusal::Key(error) => ApiError::from_app(error).into_response(),
            Refusal::RateLimited { retry_after: seconds } => {
                let error = ApiError {
                    status: StatusCode::TOO_MANY_REQUESTS,
                    code: "rate_limited",
                    field: None,
                    message: refusal.message(),
                    problems: Vec::new(),
                };
                retry_after(error.into_response(), seconds)
            }
        }
    }

    fn from_app(error: AppError) -> ApiError {
        let code = match &error {
            AppError::ApiKeyRequired => "api_key_required",
            AppError::BadApiKey => "bad_api_key",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::VersionChanged(_) => "version_changed",
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid",
            AppError::Internal(_) => "internal",
            _ => "refused",
        };
        let problems = match &error {
            AppError::Invalid(problems) => problems
                .iter()
                .map(|p| FieldProblem {
                    field: p.column.key().to_owned(),
                    code: p.code.as_str(),
                    message: p.message.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let message = match &error {
            AppError::Invalid(problems) if problems.len() == 1 => {
                "The user breaks 1 rule; nothing was saved.".to_owned()
            }
            AppError::Invalid(problems) => format!("The user breaks {} rules; nothing was saved.", problems.len()),
            other => other.to_string(),
        };
        ApiError { status: error.status(), code, field: None, message, problems }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self }))).into_response()
    }
}

/// The parameters the list takes.
const LIST_PARAMETERS: [&str; 8] =
    ["cursor", "limit", "status", "employment_status", "team_leader", "group", "role", "q"];

/// Reads the list's parameters; anything unknown or unreadable is refused by name.
fn list_parameters(query: &HashMap<String, String>) -> Result<(EmployeeFilter, i64, i64), ApiError> {
    if let Some(unknown) = query.keys().find(|k| !LIST_PARAMETERS.contains(&k.as_str())) {
        return Err(ApiError::parameter(
            unknown,
            format!("There is no parameter \"{unknown}\"; the list takes {}.", LIST_PARAMETERS.join(", ")),
        ));
    }
    if let Some((key, _)) = query.iter().find(|(_, v)| v.chars().any(char::is_control)) {
        return Err(ApiError::parameter(key, format!("{key} contains an invisible control character; remove it.")));
    }
    let text = |key: &str| query.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()).map(str::to_owned);
    let limit = match text("limit") {
        None => DEFAULT_PAGE,
        Some(v) => v.parse::<i64>().ok().filter(|n| (1..=MAX_PAGE).contains(n)).ok_or_else(|| {
            ApiError::parameter("limit", format!("limit must be a whole number from 1 to {MAX_PAGE}; \"{v}\" is not."))
        })?,
    };
    let after = match text("cursor") {
        None => 0,
        Some(v) => read_cursor(&v).ok_or_else(|| {
            ApiError::parameter(
                "cursor",
                "That cursor was not given by this API; pass the next_cursor of the previous page, or none for the first."
                    .into(),
            )
        })?,
    };
    let status = match text("status") {
        None => None,
        Some(v) => Some(UserStatus::parse(&v.to_lowercase()).ok_or_else(|| {
            ApiError::parameter(
                "status",
                format!("status must be created, invited, active or deactivated; \"{v}\" is not."),
            )
        })?),
    };
    let employment_status = match text("employment_status") {
        None => None,
        Some(v) => {
            EmploymentStatus::parse(&v).map_err(|problem| ApiError::parameter("employment_status", problem.message))?
        }
    };
    let filter = EmployeeFilter {
        status,
        employment_status,
        team_leader: text("team_leader"),
        group: text("group"),
        role: text("role"),
        text: text("q"),
    };
    Ok((filter, after, limit))
}

fn internal(error: StoreError) -> ApiError {
    ApiError::from_app(app::error::internal(error))
}

/// Storage errors as this API tells them: a user changed since the caller's version is a 412.
fn api_store_error(error: StoreError) -> AppError {
    match error {
        StoreError::Stale => AppError::VersionChanged(
            "The user changed since you read them; GET them again (a new ETag) and send your change again.".into(),
        ),
        other => store_error(other),
    }
}

/// Runs a call of this API: key, rate limit, audit, and errors in this API's shape.
async fn call<F, Fut>(api: &Api, headers: &HeaderMap, name: String, body: F) -> Response
where
    F: FnOnce(i64) -> Fut,
    Fut: Future<Output = Result<Response, ApiError>>,
{
    audited(api, headers, name, ApiError::refused, |org_id| async move {
        body(org_id).await.unwrap_or_else(IntoResponse::into_response)
    })
    .await
}

/// The user a path names, or why the path could not be read.
fn reference(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let Path(reference) = path.map_err(|rejection| {
        ApiError::parameter(
            "reference",
            format!("The user reference could not be read ({rejection}); percent-encode it as UTF-8."),
        )
    })?;
    if reference.chars().any(char::is_control) {
        return Err(ApiError::parameter(
            "reference",
            "The user reference contains an invisible control character; send an email address or employee ID.".into(),
        ));
    }
    Ok(reference)
}

async fn found(api: &Api, org_id: i64, reference: &str) -> Result<Employee, ApiError> {
    api.store().employee(org_id, reference).await.map_err(internal)?.ok_or_else(|| ApiError::not_found(reference))
}

/// The user as they are now, with their ETag.
async fn answer(api: &Api, org_id: i64, id: i64, status: StatusCode) -> Result<Response, ApiError> {
    let employee = api
        .store()
        .employee_by_id(org_id, id)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal(StoreError::NotFound))?;
    let version = employee.version;
    Ok(with_etag((status, Json(employee)).into_response(), version))
}

pub async fn list(
    api: Api,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let (api, headers) = (&api, &headers);
    call(api, headers, "GET /api/v2/employees".into(), |org_id| async move {
        let Query(query) = query.map_err(|rejection| {
            ApiError::parameter(
                "query",
                format!("The query string could not be read ({rejection}); percent-encode its values."),
            )
        })?;
        let (filter, after, limit) = list_parameters(&query)?;
        // One more than asked tells whether another page follows.
        let mut data = api.store().employees(org_id, &filter, after, limit + 1).await.map_err(internal)?;
        let more = data.len() as i64 > limit;
        data.truncate(limit as usize);
        let next_cursor = if more { data.last().map(|e| cursor_after(e.id)) } else { None };
        Ok(Json(EmployeePage { data, next_cursor }).into_response())
    })
    .await
}

pub async fn one(api: Api, headers: HeaderMap, path: Result<Path<String>, PathRejection>) -> Response {
    let reference = match reference(path) {
        Ok(reference) => reference,
        Err(error) => return error.into_response(),
    };
    let (api, headers) = (&api, &headers);
    call(api, headers, format!("GET /api/v2/employees/{reference}"), |org_id| async move {
        let employee = found(api, org_id, &reference).await?;
        let version = employee.version;
        Ok(with_etag(Json(employee).into_response(), version))
    })
    .await
}

/// The fields a body may carry: the spreadsheet's columns by their keys, `groups` for Group
/// Assignments.
fn body_column(field: &str) -> Option<Column> {
    Column::ALL.into_iter().find(|c| *c != Column::GroupAssignments && c.key() == field)
}

const FLAGS: [Column; 4] = [Column::CanManageTeams, Column::PhoneChannel, Column::ChatChannel, Column::EmailChannel];

/// Reads a body into the cells it sets, as the rules read them; a field that is unknown or of the
/// wrong JSON type is refused by name (the rules then judge the values).
pub fn body_cells(body: &Value) -> Result<Vec<(Column, String)>, ApiError> {
    let Some(fields) = body.as_object() else {
        return Err(ApiError::body("body", "Send the user as a JSON object of their fields.".into()));
    };
    let mut cells = Vec::new();
    for (field, value) in fields {
        if field == "groups" {
            let names = match value {
                Value::Null => Vec::new(),
                Value::Array(items) => items
                    .iter()
                    .map(|item| item.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| ApiError::body("groups", "groups must be a list of group names.".into()))?,
                _ => return Err(ApiError::body("groups", "groups must be a list of group names.".into())),
            };
            if names.iter().any(|n| n.contains(['{', '}'])) {
                return Err(ApiError::body("groups", "A group name cannot contain braces; no group has one.".into()));
            }
            let cell: Vec<String> = names.iter().map(|n| format!("{{{n}}}")).collect();
            cells.push((Column::GroupAssignments, cell.join(",")));
            continue;
        }
        let Some(column) = body_column(field) else {
            let known: Vec<&str> =
                Column::ALL.iter().map(|c| if *c == Column::GroupAssignments { "groups" } else { c.key() }).collect();
            return Err(ApiError::body(
                field,
                format!("There is no field \"{field}\"; a user has {}.", known.join(", ")),
            ));
        };
        let cell = match (value, FLAGS.contains(&column)) {
            (Value::Null, _) => String::new(),
            (Value::Bool(flag), true) => if *flag { "y" } else { "n" }.to_owned(),
            (Value::String(text), _) => text.clone(),
            (_, true) => return Err(ApiError::body(field, format!("{field} must be true or false."))),
            (_, false) => {
                return Err(ApiError::body(
                    field,
                    format!("{field} must be a string (an employee ID keeps its leading zeros as text)."),
                ));
            }
        };
        cells.push((column, cell));
    }
    Ok(cells)
}

/// Reads a create body into the cells the rules read.
pub fn employee_input(body: &Value) -> Result<ProfileInput, ApiError> {
    let mut input = ProfileInput::new();
    for (column, cell) in body_cells(body)? {
        input.set(column, cell);
    }
    Ok(input)
}

pub async fn create(api: Api, headers: HeaderMap, body: Result<Json<Value>, JsonRejection>) -> Response {
    let (api, headers) = (&api, &headers);
    call(api, headers, "POST /api/v2/employees".into(), |org_id| async move {
        let Json(body) = body.map_err(ApiError::unreadable)?;
        let input = employee_input(&body)?;
        let id = app::ssr::users::create_user(api.store(), org_id, None, &input, None, api_store_error)
            .await
            .map_err(ApiError::from_app)?;
        api.state.mail_wake.notify_one();
        let mut response = answer(api, org_id, id, StatusCode::CREATED).await?;
        let location = [Column::EmailAddress, Column::EmployeeId]
            .into_iter()
            .map(|c| input.get(c).trim().to_owned())
            .find(|r| !r.is_empty())
            .map(|reference| format!("/api/v2/employees/{reference}"));
        if let Some(value) = location.and_then(|l| axum::http::HeaderValue::from_str(&l).ok()) {
            response.headers_mut().insert(axum::http::header::LOCATION, value);
        }
        Ok(response)
    })
    .await
}

pub async fn update(
    api: Api,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<Value>, JsonRejection>,
) -> Response {
    let reference = match reference(path) {
        Ok(reference) => reference,
        Err(error) => return error.into_response(),
    };
    let (api, headers) = (&api, &headers);
    call(api, headers, format!("PATCH /api/v2/employees/{reference}"), |org_id| async move {
        let Json(body) = body.map_err(ApiError::unreadable)?;
        let changes = body_cells(&body)?;
        if changes.iter().any(|(column, _)| *column == Column::TemporaryPassword) {
            return Err(ApiError::body(
                Column::TemporaryPassword.key(),
                "A temporary password is set only when a user is created; send them a welcome email instead (POST …/invite)."
                    .into(),
            ));
        }
        let id = found(api, org_id, &reference).await?.id;
        let (form, _) = api.store().user_form(org_id, id).await.map_err(internal)?.ok_or_else(|| ApiError::not_found(&reference))?;
        let version = form.version.unwrap_or_default();
        if !if_match_allows(headers, version) {
            return Err(ApiError::from_app(api_store_error(StoreError::Stale)));
        }
        let mut input = form.to_input();
        for (column, cell) in changes {
            input.set(column, cell);
        }
        app::ssr::users::update_user(api.store(), org_id, None, id, version, &input, None, api_store_error)
            .await
            .map_err(ApiError::from_app)?;
        answer(api, org_id, id, StatusCode::OK).await
    })
    .await
}

pub async fn invite(api: Api, headers: HeaderMap, path: Result<Path<String>, PathRejection>) -> Response {
    let reference = match reference(path) {
        Ok(reference) => reference,
        Err(error) => return error.into_response(),
    };
    let (api, headers) = (&api, &headers);
    call(api, headers, format!("POST /api/v2/employees/{reference}/invite"), |org_id| async move {
        let id = found(api, org_id, &reference).await?.id;
        app::ssr::users::invite_user(api.store(), org_id, None, id, api_store_error)
            .await
            .map_err(ApiError::from_app)?;
        api.state.mail_wake.notify_one();
        answer(api, org_id, id, StatusCode::OK).await
    })
    .await
}

pub async fn activate(api: Api, headers: HeaderMap, path: Result<Path<String>, PathRejection>) -> Response {
    let reference = match reference(path) {
        Ok(reference) => reference,
        Err(error) => return error.into_response(),
    };
    let (api, headers) = (&api, &headers);
    call(api, headers, format!("POST /api/v2/employees/{reference}/activate"), |org_id| async move {
        let id = found(api, org_id, &reference).await?.id;
        api.store()
            .reactivate_user(org_id, None, id)
            .await
            .map_err(internal)?
            .map_err(|message| ApiError::from_app(AppError::Conflict(message)))?;
        answer(api, org_id, id, StatusCode::OK).await
    })
    .await
}

/// Deactivates `user` for an API key; the team they leave behind moves to `new_leader`, or else
/// to their own team leader. Shared with SCIM (`active: false`).
pub async fn deactivate_user(
    api: &Api,
    org_id: i64,
    user: &Employee,
    new_leader: Option<i64>,
) -> Result<Result<(), Vec<DeactivationError>>, StoreError> {
    let replacements: Vec<(UserId, UserId)> =
        new_leader.or(user.team_leader_id).map(|to| (UserId(user.id), UserId(to))).into_iter().collect();
    let outcome = api.store().deactivate_users(org_id, None, &[UserId(user.id)], &replacements).await?;
    Ok(outcome.map(|_| ()))
}

pub async fn deactivate(
    api: Api,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let reference = match reference(path) {
        Ok(reference) => reference,
        Err(error) => return error.into_response(),
    };
    let (api, headers) = (&api, &headers);
    call(api, headers, format!("POST /api/v2/employees/{reference}/deactivate"), |org_id| async move {
        let body = body.map_err(|_| ApiError::too_large())?;
        let new_leader = new_team_leader(&body)?;
        let user = found(api, org_id, &reference).await?;
        let new_leader = match new_leader {
            None => None,
            Some(leader) => Some(
                api.store()
                    .employee(org_id, &leader)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| {
                        ApiError::body(
                            "new_team_leader",
                            format!("No user has the email address or employee ID \"{leader}\"."),
                        )
                    })?
                    .id,
            ),
        };
        deactivate_user(api, org_id, &user, new_leader).await.map_err(internal)?.map_err(|errors| {
            let field = errors
                .iter()
                .any(|e| matches!(e, DeactivationError::NeedsLeader { .. } | DeactivationError::BadReplacement { .. }))
                .then(|| "new_team_leader".to_owned());
            let message = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
            ApiError { status: StatusCode::CONFLICT, code: "cannot_deactivate", field, message, problems: Vec::new() }
        })?;
        answer(api, org_id, user.id, StatusCode::OK).await
    })
    .await
}

/// Reads the optional body of a deactivation: nothing, `{}` or `{"new_team_leader": "<reference>"}`.
fn new_team_leader(body: &[u8]) -> Result<Option<String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let shape = || {
        ApiError::body(
            "body",
            "Send nothing, or {\"new_team_leader\": \"<email address or employee ID>\"} for the team they leave."
                .into(),
        )
    };
    let value: Value = serde_json::from_slice(body).map_err(|_| shape())?;
    let fields = value.as_object().ok_or_else(shape)?;
    if let Some(unknown) = fields.keys().find(|k| *k != "new_team_leader") {
        return Err(ApiError::body(
            unknown,
            format!("There is no field \"{unknown}\"; a deactivation takes new_team_leader."),
        ));
    }
    match fields.get("new_team_leader") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(reference)) if !reference.trim().is_empty() && !reference.chars().any(char::is_control) => {
            Ok(Some(reference.trim().to_owned()))
        }
        Some(_) => {
            Err(ApiError::body("new_team_leader", "new_team_leader must be an email address or employee ID.".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn the_list_defaults_to_the_first_hundred() {
        let (filter, after, limit) = list_parameters(&query(&[])).unwrap();
        assert_eq!((filter, after, limit), (EmployeeFilter::default(), 0, 100));
    }

    #[test]
    fn each_unreadable_parameter_is_named() {
        for (key, value) in [
            ("limit", "0"),
            ("limit", "501"),
            ("limit", "ten"),
            ("cursor", "not-ours"),
            ("status", "retired"),
            ("employment_status", "Seasonal"),
            ("colour", "blue"),
        ] {
            let error = list_parameters(&query(&[(key, value)])).unwrap_err();
            assert_eq!((error.status, error.field.as_deref()), (StatusCode::BAD_REQUEST, Some(key)), "{key}={value}");
        }
    }

    #[test]
    fn filters_are_read_as_given() {
        let (filter, after, limit) = list_parameters(&query(&[
            ("status", "Active"),
            ("employment_status", "Part Time"),
            ("team_leader", " lead@acme.test "),
            ("q", "ada"),
            ("limit", "500"),
            ("cursor", &cursor_after(41)),
        ]))
        .unwrap();
        assert_eq!(filter.status, Some(UserStatus::Active));
        assert_eq!(filter.employment_status, Some(EmploymentStatus::PartTime));
        assert_eq!(filter.team_leader.as_deref(), Some("lead@acme.test"));
        assert_eq!((filter.text.as_deref(), after, limit), (Some("ada"), 41, 500));
    }
}
