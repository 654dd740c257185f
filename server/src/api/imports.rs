//! Bulk import over HTTP, for automation: `POST /api/v1/imports` with the file as the body and an
//! organisation API key as `Authorization: Bearer …`. The same path as the browser's commit.
//!
//! Query: `mode=create` or `mode=update` (required), `dry_run=true`, `delay_welcome_emails=true`
//! (create), `file_name=…`. Header `Idempotency-Key`: a retry with the same key saves nothing twice.
//! Answers the import report as JSON: 200 when committed (or checked, for a dry run), 422 when the
//! file has errors (nothing written), and an error object with its status otherwise.

use app::AppError;
use app::bulk::{ImportFile, ImportStatus};
use app::ssr::{Importer, import};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, State};
use axum::http::{HeaderMap, StatusCode};
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
    let importer = Importer::ApiKey(caller.key_id);
    let result = import::import(&store, caller.org_id, importer, mode, &file, query.dry_run).await?;
    let status =
        if result.status == ImportStatus::Rejected { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Json(result)).into_response())
}
