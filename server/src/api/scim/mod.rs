//! SCIM 2.0 (RFC 7643 and 7644) under `/scim/v2`, for identity providers: Okta, Microsoft Entra ID
//! and OneLogin provision users and groups without a spreadsheet. Authorised by an organisation
//! API key (`Authorization: Bearer …`) within its rate limit, and every call audited, like the
//! REST API. Users are checked by the spreadsheet's rules, with the same messages.
//!
//! * `ServiceProviderConfig`, `Schemas`, `ResourceTypes`: what this service supports.
//! * `Users` and `Groups`: create (POST), read (GET), replace (PUT), PATCH (atomic: every
//!   operation or none), delete, and list with `filter`, `startIndex`/`count` (at most 500),
//!   `attributes` and `excludedAttributes`. A user's `meta.version` is their ETag; `If-Match` with
//!   a stale one is a 412.
//! * Deleting a user deactivates them (Roster keeps everyone's history), as `active: false` does;
//!   their team moves to their own team leader.
//!
//! This file holds the frame: the error shape, SCIM's JSON, the typed extractors and what a PUT
//! or PATCH asks. Lists and projections are in [`query`]; each resource's mapping and handlers
//! are in [`users`] and [`groups`].
//!
//! Every error is a SCIM error body with a string status, e.g.
//! `{"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400",
//! "scimType": "invalidFilter", "detail": "…"}`.

pub mod discovery;
pub mod filter;
pub mod groups;
pub mod narrow;
pub mod patch;
pub mod query;
pub mod users;

use app::AppError;
use app::ssr::StoreError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster::{Code, Column};
use serde_json::{Value, json};

use crate::api::key::BODY_LIMIT;

pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const CONTENT_TYPE: &str = "application/scim+json";

/// A SCIM error (RFC 7644 §3.12).
#[derive(Debug)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> ScimError {
        ScimError { status, scim_type, detail: detail.into() }
    }

    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }

    pub fn not_found(what: &str, id: &str) -> ScimError {
        ScimError::new(StatusCode::NOT_FOUND, None, format!("No {what} has the id \"{id}\"."))
    }

    /// A SCIM error for something that failed on the server (logged with the request's reference).
    pub fn internal(error: impl std::fmt::Display) -> ScimError {
        app::error::internal(error).into()
    }
}

impl From<AppError> for ScimError {
    fn from(error: AppError) -> ScimError {
        match error {
            AppError::Invalid(problems) => {
                let duplicate =
                    problems.iter().any(|p| matches!(p.code, Code::DuplicateEmail | Code::DuplicateEmployeeId));
                let detail = problems
                    .iter()
                    .map(|p| format!("{}: {}", scim_name(p.column), p.message))
                    .collect::<Vec<_>>()
                    .join(" ");
                if duplicate {
                    ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), detail)
                } else {
                    ScimError::bad("invalidValue", detail)
                }
            }
            AppError::Conflict(message) => ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), message),
            AppError::BadRequest(message) => ScimError::bad("invalidValue", message),
            other => ScimError::new(other.status(), None, other.to_string()),
        }
    }
}

/// Storage's refusals as SCIM tells them: a user changed since the caller's version is a 412; the
/// rules' refusal of a status change is a 409 that says why.
impl From<StoreError> for ScimError {
    fn from(error: StoreError) -> ScimError {
        match error {
            StoreError::Stale => ScimError::new(
                StatusCode::PRECONDITION_FAILED,
                None,
                "The user changed since you read them; read them again and retry.",
            ),
            StoreError::CannotDeactivate(errors) => {
                let detail = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
                ScimError::new(StatusCode::CONFLICT, None, detail)
            }
            StoreError::CannotReactivate(error) => ScimError::new(StatusCode::CONFLICT, None, error.to_string()),
            other => AppError::from(other).into(),
        }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({ "schemas": [ERROR], "status": self.status.as_u16().to_string(), "detail": self.detail });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type);
        }
        scim_json(self.status, &body)
    }
}

/// Anything under `/scim/v2/` that is none of its endpoints: a SCIM 404, never the app's page.
pub async fn unknown_path(uri: axum::http::Uri) -> ScimError {
    ScimError::new(
        StatusCode::NOT_FOUND,
        None,
        format!(
            "{} is not part of this SCIM service; it has /Users, /Groups, /Schemas, /ResourceTypes and /ServiceProviderConfig.",
            uri.path().chars().take(100).collect::<String>()
        ),
    )
}

/// `POST /.search` across resource types, which this service does not offer: a 501 (RFC 7644
/// §3.12), pointing at the per-type searches.
pub async fn search_everything() -> ScimError {
    ScimError::new(
        StatusCode::NOT_IMPLEMENTED,
        None,
        "Searching several resource types at once is not supported; use POST /Users/.search or POST /Groups/.search.",
    )
}

/// The SCIM attribute a column is written in, for messages.
fn scim_name(column: Column) -> String {
    match column {
        Column::EmailAddress => "userName".into(),
        Column::EmployeeId => "employeeNumber".into(),
        Column::FirstName => "name.givenName".into(),
        Column::LastName => "name.familyName".into(),
        Column::TeamLeader => "manager".into(),
        column => users::EXTENSION
            .iter()
            .find(|(_, c)| *c == column)
            .map_or_else(|| column.header().to_owned(), |(name, _)| (*name).to_owned()),
    }
}

/// A SCIM answer: JSON as `application/scim+json`.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// A JSON body, whatever its content type (identity providers send `application/scim+json`, and
/// some `application/json` or none).
pub struct ScimJson(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimJson {
    type Rejection = ScimError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ScimError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Some("tooMany"),
                    format!("The body is larger than the {} KB this service reads.", BODY_LIMIT / 1024),
                )
            } else {
                ScimError::bad("invalidSyntax", format!("The body could not be read: {rejection}"))
            }
        })?;
        serde_json::from_slice(&bytes)
            .map(ScimJson)
            .map_err(|e| ScimError::bad("invalidSyntax", format!("The body is not JSON: {e}")))
    }
}

/// A resource's id from the path: as sent, and as a number when it is one of ours.
pub struct ResourceId {
    pub text: String,
    pub number: Option<i64>,
}

impl<S: Send + Sync> FromRequestParts<S> for ResourceId {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ScimError::bad("invalidValue", "The id in the path could not be read."))?;
        let number = text.parse::<i64>().ok().filter(|n| *n > 0);
        Ok(ResourceId { text, number })
    }
}

/// What a PUT or a PATCH body asks: the current resource becomes the desired one.
pub enum Change {
    Replace(Value),
    Patch(Vec<patch::Operation>),
}

impl Change {
    pub fn read(body: Value, patching: bool) -> Result<Change, ScimError> {
        if patching {
            patch::operations(&body).map(Change::Patch).map_err(|e| ScimError::bad(e.scim_type, e.detail))
        } else if body.is_object() {
            Ok(Change::Replace(body))
        } else {
            Err(ScimError::bad("invalidSyntax", "Send the whole resource as a JSON object."))
        }
    }

    pub fn apply(&self, current: &Value) -> Result<Value, ScimError> {
        match self {
            Change::Replace(body) => Ok(patch::replace(current, body)),
            Change::Patch(operations) => {
                patch::apply(current, operations).map_err(|e| ScimError::bad(e.scim_type, e.detail))
            }
        }
    }
}
