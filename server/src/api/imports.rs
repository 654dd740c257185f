//! Bulk import over HTTP, for automation, with an organisation API key as `Authorization: Bearer
//! …` (through the key's gate). The same path as the browser's commit.
//!
//! * `POST /api/v1/imports` with the file as the body. Query: `mode=create` or `mode=update`
//!   (required), `dry_run=true`, `delay_welcome_emails=true` (create), `file_name=…`. Header
//!   `Idempotency-Key`: a retry with the same key finds the first job. A dry run answers the
//!   report at once (200, or 422 when the file has errors); a commit answers **202** with the job
//!   (and `Location: /api/v1/imports/{id}`), which a worker runs, or 422 with the job already
//!   rejected when the file is refused before any worker sees it (not Unicode Text, a weak
//!   temporary password).
//! * `GET /api/v1/imports/{id}`: the job as it stands: its state, phase and progress, and once it
//!   ended the same report a dry run gives (`result`), or why it failed (`failure`).

use app::AppError;
use app::bulk::job::{ImportJob, JobState};
use app::bulk::{ImportFile, ImportStatus};
use app::ssr::{ImportStore, Importer, import};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster::sheet::Mode;
use serde::Deserialize;

use super::JsonError;
use super::key::Caller;
use crate::storage::SqlStore;

/// What the query asks.
#[derive(Debug, Deserialize, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(UnreadableQuery))]
pub struct ImportQuery {
    mode: Option<Mode>,
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    delay_welcome_emails: bool,
    file_name: Option<String>,
}

/// A query that could not be read: what it may hold.
pub struct UnreadableQuery;

impl From<QueryRejection> for UnreadableQuery {
    fn from(_: QueryRejection) -> UnreadableQuery {
        UnreadableQuery
    }
}

impl IntoResponse for UnreadableQuery {
    fn into_response(self) -> Response {
        JsonError(AppError::BadRequest(
            "The query must be mode=create or mode=update, with optional dry_run=true, delay_welcome_emails=true and file_name=…."
                .into(),
        ))
        .into_response()
    }
}

pub async fn post_import(
    State(store): State<SqlStore>,
    caller: Caller,
    query: ImportQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, JsonError> {
    let mode = query.mode.ok_or_else(|| {
        AppError::BadRequest(
            "Set mode=create to add new users or mode=update to change existing ones (by User ID).".into(),
        )
    })?;
    let file = ImportFile {
        file_name: query.file_name.unwrap_or_else(|| "upload".into()),
        bytes: body.to_vec(),
        delay_welcome_emails: query.delay_welcome_emails,
        idempotency_key: headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned),
    };
    if query.dry_run {
        let result = import::dry_run(&store, caller.org_id, mode, &file).await?;
        let status =
            if result.status == ImportStatus::Rejected { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
        return Ok((status, Json(result)).into_response());
    }
    let job = import::submit(&store, caller.org_id, Importer::ApiKey(caller.key_id), mode, &file).await?;
    // A file refused before any worker saw it (not Unicode Text, a weak temporary password).
    let status = if job.state == JobState::Rejected { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::ACCEPTED };
    let mut response = (status, Json(&job)).into_response();
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/imports/{}", job.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// A job's id in the path: a number this API gave.
pub struct JobId(i64);

impl<S: Send + Sync> FromRequestParts<S> for JobId {
    type Rejection = JsonError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let refuse = || {
            JsonError(AppError::BadRequest(
                "The import id must be the number the POST answered, as in /api/v1/imports/42.".into(),
            ))
        };
        let Path(id) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| refuse())?;
        id.trim().parse::<i64>().ok().filter(|id| *id > 0).map(JobId).ok_or_else(refuse)
    }
}

/// The job as it stands; another organisation's, or none, is a 404.
pub async fn get_import(
    State(store): State<SqlStore>,
    caller: Caller,
    JobId(id): JobId,
) -> Result<Json<ImportJob>, JsonError> {
    Ok(Json(store.import_job(caller.org_id, id).await?.ok_or(AppError::NotFound)?))
}
