//! The User Provisioning API over REST, for scripts: `/api/v2/employees`, JSON, authorised by an
//! organisation API key (`Authorization: Bearer …`) within the key's rate limit, every call
//! audited with its key ([`super::key`]). Errors are JSON naming the parameter or field and the
//! rule: `{"error": {"status": 400, "code": "invalid_parameter", "field": "limit", "message": "…"}}`.
//! The OpenAPI document at `/api/v2/openapi.json` describes every route (`super::openapi`).
//!
//! * `GET /api/v2/employees`: one page, by id ([`list`]).
//! * `GET /api/v2/employees/{reference}`: one user by email address or employee ID, with an ETag.
//! * `POST /api/v2/employees`: creates a user from a JSON object of the profile's fields
//!   ([`body`]), checked by the spreadsheet's rules with the same messages; 201 with the user, 422
//!   with every problem by field.
//! * `PATCH /api/v2/employees/{reference}`: changes the fields the body names (`null` clears one),
//!   checked as a whole by the same rules; `If-Match` with the ETag makes it 412 if someone changed
//!   the user since.
//! * `POST /api/v2/employees/{reference}/invite`, `/activate`, `/deactivate`: sends the welcome
//!   email; reactivates; deactivates (their reports move to `new_team_leader` if the body names
//!   one, otherwise to the user's own team leader).
//!
//! Handlers are in [`employees`]; this file holds the error shape and the typed extractors whose
//! rejections are told in it.

pub mod body;
pub mod employees;
pub mod list;

pub use employees::{activate, create, deactivate, invite, one, update};
pub use list::list;

use app::AppError;
use app::ssr::StoreError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use roster::deactivate::DeactivationError;
use serde::Serialize;

use super::key::BODY_LIMIT;

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
    fn new(status: StatusCode, code: &'static str, field: Option<String>, message: String) -> ApiError {
        ApiError { status, code, field, message, problems: Vec::new() }
    }

    pub fn parameter(field: &str, message: String) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", Some(field.to_owned()), message)
    }

    pub fn body(field: &str, message: String) -> ApiError {
        ApiError { code: "invalid_body", ..ApiError::parameter(field, message) }
    }

    pub fn not_found(reference: &str) -> ApiError {
        let message = format!("No user has the email address or employee ID \"{reference}\".");
        ApiError::new(StatusCode::NOT_FOUND, "not_found", None, message)
    }

    pub fn too_large() -> ApiError {
        let message =
            format!("The body is larger than the {} KB this API reads; send one user per call.", BODY_LIMIT / 1024);
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", Some("body".into()), message)
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> ApiError {
        let code = match &error {
            AppError::ApiKeyRequired => "api_key_required",
            AppError::BadApiKey => "bad_api_key",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal(_) => "internal",
            _ => "refused",
        };
        let message = match &error {
            AppError::Invalid(problems) if problems.len() == 1 => {
                "The user breaks 1 rule; nothing was saved.".to_owned()
            }
            AppError::Invalid(problems) => format!("The user breaks {} rules; nothing was saved.", problems.len()),
            other => other.to_string(),
        };
        let status = error.status();
        let problems = match error {
            AppError::Invalid(problems) => problems
                .into_iter()
                .map(|p| FieldProblem { field: p.column.key().to_owned(), code: p.code.as_str(), message: p.message })
                .collect(),
            _ => Vec::new(),
        };
        ApiError { status, code, field: None, message, problems }
    }
}

/// Storage's refusals as this API tells them: a user changed since the caller's version is a 412;
/// a deactivation the rules refuse names the field that would fix it.
impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::Stale => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "version_changed",
                None,
                "The user changed since you read them; GET them again (a new ETag) and send your change again.".into(),
            ),
            StoreError::CannotDeactivate(errors) => {
                let field = errors
                    .iter()
                    .any(|e| {
                        matches!(e, DeactivationError::NeedsLeader { .. } | DeactivationError::BadReplacement { .. })
                    })
                    .then(|| "new_team_leader".to_owned());
                let message = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
                ApiError::new(StatusCode::CONFLICT, "cannot_deactivate", field, message)
            }
            other => AppError::from(other).into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(serde_json::json!({ "error": self }))).into_response()
    }
}

/// A JSON body; a body that is too large, not JSON, or not the JSON this API reads is refused
/// in the API's shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct JsonBody<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::too_large();
        }
        ApiError::body("body", format!("The body is not JSON this API reads: {}", rejection.body_text()))
    }
}

/// The query string's parameters.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Params<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::parameter(
            "query",
            format!("The query string could not be read ({rejection}); percent-encode its values."),
        )
    }
}

/// The user a path names: an email address or employee ID, percent-decoded, one line of text.
pub struct Reference(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Reference {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(reference) = Path::<String>::from_request_parts(parts, state).await.map_err(|rejection| {
            ApiError::parameter(
                "reference",
                format!("The user reference could not be read ({rejection}); percent-encode it as UTF-8."),
            )
        })?;
        if reference.chars().any(char::is_control) {
            return Err(ApiError::parameter(
                "reference",
                "The user reference contains an invisible control character; send an email address or employee ID."
                    .into(),
            ));
        }
        Ok(Reference(reference))
    }
}

/// A body read as bytes (the deactivation's optional JSON); one over the limit is refused in the
/// API's shape.
pub struct RawBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(request, state).await.map(RawBody).map_err(|rejection: BytesRejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large()
            } else {
                ApiError::body("body", format!("The body could not be read: {}", rejection.body_text()))
            }
        })
    }
}
