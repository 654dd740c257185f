//! Server functions of the bulk flows: the snapshots the browser checks a file against, the jobs
//! that commit a file all or nothing (submitted, then watched), and the batch history.

use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

#[cfg(feature = "ssr")]
use super::guard;
use crate::AppError;
use crate::bulk::job::ImportJob;
use crate::bulk::{BatchRow, ImportFile};

/// What the browser needs to check a bulk file exactly as the server will: the organisation's
/// rules and every user, in a compact binary encoding.
#[server(prefix = "/api", endpoint = "bulk_snapshot", output = Postcard)]
pub async fn bulk_snapshot() -> Result<roster::Snapshot, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.snapshot(viewer.org_id).await?)
}

/// Submits a job that creates every user of a bulk-create file, or none (a worker checks the file
/// again inside its transaction). Answers the job at once; a retry with the same idempotency key
/// answers the first job.
#[server(prefix = "/api", endpoint = "bulk_create", input = Postcard, output = Postcard)]
pub async fn bulk_create(file: ImportFile) -> Result<ImportJob, AppError> {
    submit(roster::sheet::Mode::Create, file).await
}

/// What the browser needs to check a bulk-update file exactly as the server will: the
/// organisation's rules and every user with their current values, in a compact binary encoding.
#[server(prefix = "/api", endpoint = "bulk_update_snapshot", output = Postcard)]
pub async fn bulk_update_snapshot() -> Result<roster::current::TeamSnapshot, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.current_team(viewer.org_id).await?)
}

/// Submits a job that updates every user a bulk-update file changes, or none (a worker checks the
/// file again inside its transaction, against the live team). Answers the job at once; a retry
/// with the same idempotency key answers the first job.
#[server(prefix = "/api", endpoint = "bulk_update", input = Postcard, output = Postcard)]
pub async fn bulk_update(file: ImportFile) -> Result<ImportJob, AppError> {
    submit(roster::sheet::Mode::Update, file).await
}

/// An admin's commit of a bulk file, as a job.
#[cfg(feature = "ssr")]
async fn submit(mode: roster::sheet::Mode, file: ImportFile) -> Result<ImportJob, AppError> {
    use crate::ssr::{Importer, import};
    let viewer = guard::admin().await?;
    let store = guard::state()?.store;
    import::submit(store.as_ref(), viewer.org_id, Importer::Admin(viewer.user_id), mode, &file).await
}

/// A job of the organisation as it stands now, for watching it.
#[server(prefix = "/api", endpoint = "import_job")]
pub async fn load_import_job(id: i64) -> Result<ImportJob, AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.import_job(viewer.org_id, id).await?.ok_or(AppError::NotFound)
}

/// The organisation's jobs that are under way, and those that ended in the last day, newest first:
/// what the bulk pages and the history show to every admin.
#[server(prefix = "/api", endpoint = "recent_import_jobs")]
pub async fn recent_import_jobs() -> Result<Vec<ImportJob>, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.recent_import_jobs(viewer.org_id).await?)
}

/// The organisation's committed batches, newest first.
#[server(prefix = "/api", endpoint = "list_batches")]
pub async fn list_batches(page: i64) -> Result<Vec<BatchRow>, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.list_batches(viewer.org_id, page.max(0)).await?)
}

/// A batch and one page of the users it created.
#[server(prefix = "/api", endpoint = "batch_detail")]
pub async fn batch_detail(id: i64, page: i64) -> Result<crate::bulk::BatchDetail, AppError> {
    let viewer = guard::admin().await?;
    guard::state()?.store.batch_detail(viewer.org_id, id, page.max(0)).await?.ok_or(AppError::NotFound)
}

/// The header names the organisation has taught Roster, in the order of their headers.
#[server(prefix = "/api", endpoint = "column_names")]
pub async fn column_names() -> Result<Vec<roster::stray::ColumnName>, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.column_names(viewer.org_id).await?)
}

/// Remembers what a header holds (`meaning`: a column's key, or "ignore"), for this and every
/// later file of the organisation; answers the organisation's names as they are now.
#[server(prefix = "/api", endpoint = "remember_column_name")]
pub async fn remember_column_name(header: String, meaning: String) -> Result<Vec<roster::stray::ColumnName>, AppError> {
    let viewer = guard::admin().await?;
    let name =
        roster::stray::ColumnName::parse(&header, &meaning).map_err(|error| AppError::Form(vec![error.to_string()]))?;
    let store = guard::state()?.store;
    store.remember_column_name(viewer.org_id, viewer.user_id, &name).await?;
    Ok(store.column_names(viewer.org_id).await?)
}

/// Forgets a header's name: files with that header have a stray column again.
#[server(prefix = "/api", endpoint = "forget_column_name")]
pub async fn forget_column_name(header: String) -> Result<(), AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.forget_column_name(viewer.org_id, viewer.user_id, &header).await?)
}
