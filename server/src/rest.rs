//! The User Provisioning API over REST, for scripts: `/api/v2/employees`, JSON, authorised by an
//! organisation API key (`Authorization: Bearer …`). Every call an API key makes is audited with
//! that key. Errors are JSON naming the parameter or field and the rule:
//! `{"error": {"status": 400, "code": "invalid_parameter", "field": "limit", "message": "…"}}`.
//!
//! * `GET /api/v2/employees`: one page, by id, `limit` 1–500 (100 by default), then `cursor` =
//!   the previous page's `next_cursor`; filters `status`, `employment_status`, `team_leader`
//!   (email address or employee ID), `group` (exact name), `role`, `q` (name, email, employee ID).
//! * `GET /api/v2/employees/{reference}`: one user by email address or employee ID.

use std::collections::HashMap;
use std::sync::Arc;

use app::AppError;
use app::model::UserStatus;
use app::provisioning::{DEFAULT_PAGE, EmployeeFilter, EmployeePage, MAX_PAGE, cursor_after, read_cursor};
use app::ssr::Store;
use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use roster::fields::EmploymentStatus;
use serde::Serialize;

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
}

fn as_u16<S: serde::Serializer>(status: &StatusCode, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u16(status.as_u16())
}

impl ApiError {
    fn parameter(field: &str, message: String) -> ApiError {
        ApiError { status: StatusCode::BAD_REQUEST, code: "invalid_parameter", field: Some(field.to_owned()), message }
    }

    fn from_app(error: AppError) -> ApiError {
        let code = match &error {
            AppError::ApiKeyRequired => "api_key_required",
            AppError::BadApiKey => "bad_api_key",
            AppError::NotFound => "not_found",
            AppError::Internal(_) => "internal",
            _ => "refused",
        };
        ApiError { status: error.status(), code, field: None, message: error.to_string() }
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
            }),
        }
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
