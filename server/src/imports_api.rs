//! Bulk import over HTTP, for automation: `POST /api/v1/imports` with the file as the body and an
//! organisation API key as `Authorization: Bearer …`. The same path as the browser's commit.
//!
//! Query: `mode=create` or `mode=update` (required), `dry_run=true`, `delay_welcome_emails=true`
//! (create), `file_name=…`. Header `Idempotency-Key`: a retry with the same key saves nothing twice.
//! Answers the import report as JSON: 200 when committed (or checked, for a dry run), 422 when the
//! file has errors (nothing written), and an error object with its status otherwise.

use std::sync::Arc;

use app::AppError;
use app::bulk::{ImportFile, ImportStatus};
use app::ssr::{Importer, Store, auth, import};
use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster::sheet::Mode;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    mode: Option<String>,
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    delay_welcome_emails: bool,
    file_name: Option<String>,
}

pub fn error(error: AppError) -> Response {
    (error.status(), Json(error)).into_response()
}

/// The organisation and key id of the request's API key.
pub async fn authorise(store: &dyn Store, headers: &HeaderMap) -> Result<(i64, i64), AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::ApiKeyRequired)?;
    store.api_key(&auth::token_hash(token), auth::now()).await.map_err(app::error::internal)?.ok_or(AppError::BadApiKey)
}

pub async fn post_import(
    store: Arc<dyn Store>,
    query: Result<Query<ImportQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (org_id, key_id) = match authorise(store.as_ref(), &headers).await {
        Ok(found) => found,
        Err(failure) => return error(failure),
    };
    let Ok(Query(query)) = query else {
        return error(AppError::BadRequest(
            "The query must be mode=create or mode=update, with optional dry_run=true, delay_welcome_emails=true and file_name=…."
                .into(),
        ));
    };
    let mode = match query.mode.as_deref() {
        Some("create") => Mode::Create,
        Some("update") => Mode::Update,
        _ => {
            return error(AppError::BadRequest(
                "Set mode=create to add new users or mode=update to change existing ones (by User ID).".into(),
            ));
        }
    };
    let file = ImportFile {
        file_name: query.file_name.unwrap_or_else(|| "upload".into()),
        bytes: body.to_vec(),
        delay_welcome_emails: query.delay_welcome_emails,
        idempotency_key: headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned),
    };
    match import::import(store.as_ref(), org_id, Importer::ApiKey(key_id), mode, &file, query.dry_run).await {
        Ok(result) => {
            let status =
                if result.status == ImportStatus::Rejected { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            (status, Json(result)).into_response()
        }
        Err(failure) => error(failure),
    }
}
