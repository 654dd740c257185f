//! The User Provisioning API over REST, for scripts: `/api/v2/employees`, JSON, authorised by an
//! organisation API key (`Authorization: Bearer …`). Every call an API key makes is audited with
//! that key. Errors are JSON naming the parameter or field and the rule:
//! `{"error": {"status": 400, "code": "invalid_parameter", "field": "limit", "message": "…"}}`.
//!
//! * `GET /api/v2/employees`: one page, by id, `limit` 1–500 (100 by default), then `cursor` =
//!   the previous page's `next_cursor`; filters `status`, `employment_status`, `team_leader`
//!   (email address or employee ID), `group` (exact name), `role`, `q` (name, email, employee ID).
//! * `GET /api/v2/employees/{reference}`: one user by email address or employee ID.
//! * `POST /api/v2/employees`: creates a user from a JSON object of the profile's fields (the
//!   spreadsheet's columns by their keys, `groups` as a list, the channels and Can Manage Teams as
//!   booleans), checked by the same rules with the same messages; 201 with the user, 422 with every
//!   problem by field.

use std::collections::HashMap;
use std::sync::Arc;

use app::AppError;
use app::model::UserStatus;
use app::provisioning::{DEFAULT_PAGE, EmployeeFilter, EmployeePage, MAX_PAGE, cursor_after, read_cursor};
use app::ssr::AppState;
use app::ssr::Store;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use roster::fields::EmploymentStatus;
use roster::{Column, ProfileInput};
use serde::Serialize;
use serde_json::Value;

use crate::imports_api::authorise;

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

    fn from_app(error: AppError) -> ApiError {
        let code = match &error {
            AppError::ApiKeyRequired => "api_key_required",
            AppError::BadApiKey => "bad_api_key",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
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

/// Authorises the request's key, runs `call`, and audits the call with the key and its status.
async fn audited<F, Fut>(store: &Arc<dyn Store>, headers: &HeaderMap, name: String, call: F) -> Response
where
    F: FnOnce(i64) -> Fut,
    Fut: Future<Output = Result<Response, ApiError>>,
{
    let (org_id, key_id) = match authorise(store.as_ref(), headers).await {
        Ok(found) => found,
        Err(error) => return ApiError::from_app(error).into_response(),
    };
    let response = call(org_id).await.unwrap_or_else(IntoResponse::into_response);
    if let Err(error) = store.audit_api_call(org_id, key_id, &name, response.status().as_u16()).await {
        return ApiError::from_app(app::error::internal(error)).into_response();
    }
    response
}

fn internal(error: app::ssr::StoreError) -> ApiError {
    ApiError::from_app(app::error::internal(error))
}

pub async fn list(
    store: Arc<dyn Store>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let store_for_call = store.clone();
    audited(&store, &headers, "GET /api/v2/employees".into(), |org_id| async move {
        let Query(query) = query.map_err(|rejection| {
            ApiError::parameter(
                "query",
                format!("The query string could not be read ({rejection}); percent-encode its values."),
            )
        })?;
        let (filter, after, limit) = list_parameters(&query)?;
        // One more than asked tells whether another page follows.
        let mut data = store_for_call.employees(org_id, &filter, after, limit + 1).await.map_err(internal)?;
        let more = data.len() as i64 > limit;
        data.truncate(limit as usize);
        let next_cursor = if more { data.last().map(|e| cursor_after(e.id)) } else { None };
        Ok(Json(EmployeePage { data, next_cursor }).into_response())
    })
    .await
}

pub async fn one(store: Arc<dyn Store>, headers: HeaderMap, path: Result<Path<String>, PathRejection>) -> Response {
    let store_for_call = store.clone();
    let reference = match path {
        Ok(Path(reference)) => reference,
        Err(rejection) => {
            let message = format!("The user reference could not be read ({rejection}); percent-encode it as UTF-8.");
            return ApiError::parameter("reference", message).into_response();
        }
    };
    audited(&store, &headers, format!("GET /api/v2/employees/{reference}"), |org_id| async move {
        match store_for_call.employee(org_id, &reference).await.map_err(internal)? {
            Some(employee) => Ok(Json(employee).into_response()),
            None => Err(ApiError {
                status: StatusCode::NOT_FOUND,
                code: "not_found",
                field: None,
                message: format!("No user has the email address or employee ID \"{reference}\"."),
                problems: Vec::new(),
            }),
        }
    })
    .await
}

/// The fields a body may carry: the spreadsheet's columns by their keys, `groups` for Group
/// Assignments.
fn body_column(field: &str) -> Option<Column> {
    Column::ALL.into_iter().find(|c| *c != Column::GroupAssignments && c.key() == field)
}

const FLAGS: [Column; 4] = [Column::CanManageTeams, Column::PhoneChannel, Column::ChatChannel, Column::EmailChannel];

/// Reads a create body into the cells the rules read; a field that is unknown or of the wrong JSON
/// type is refused by name (the rules then judge the values).
pub fn employee_input(body: &Value) -> Result<ProfileInput, ApiError> {
    let Some(fields) = body.as_object() else {
        return Err(ApiError::body("body", "Send the user as a JSON object of their fields.".into()));
    };
    let mut input = ProfileInput::new();
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
            input.set(Column::GroupAssignments, cell.join(","));
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
        input.set(column, cell);
    }
    Ok(input)
}

pub async fn create(state: AppState, headers: HeaderMap, body: Result<Json<Value>, JsonRejection>) -> Response {
    let store = state.store.clone();
    audited(&state.store, &headers, "POST /api/v2/employees".into(), |org_id| async move {
        let Json(body) = body
            .map_err(|rejection| ApiError::body("body", format!("The body is not JSON this API reads: {rejection}")))?;
        let input = employee_input(&body)?;
        let id = app::ssr::users::create_user(store.as_ref(), org_id, None, &input, app::ssr::store_error)
            .await
            .map_err(ApiError::from_app)?;
        state.mail_wake.notify_one();
        let reference = [Column::EmailAddress, Column::EmployeeId]
            .into_iter()
            .map(|c| input.get(c).trim().to_owned())
            .find(|r| !r.is_empty())
            .unwrap_or_default();
        let employee = store.employee(org_id, &reference).await.map_err(internal)?.filter(|e| e.id == id);
        let employee = employee.ok_or_else(|| internal(app::ssr::StoreError::NotFound))?;
        let location = format!(
            "/api/v2/employees/{}",
            employee.email.clone().or(employee.employee_id.clone()).unwrap_or_default()
        );
        let mut response = (StatusCode::CREATED, Json(employee)).into_response();
        if let Ok(value) = axum::http::HeaderValue::from_str(&location) {
            response.headers_mut().insert(axum::http::header::LOCATION, value);
        }
        Ok(response)
    })
    .await
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
