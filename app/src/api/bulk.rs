//! Server functions of the bulk flows: the snapshots the browser checks a file against, the
//! all-or-nothing commits, and the batch history.

use leptos::prelude::*;
use leptos::server_fn::codec::Postcard;

#[cfg(feature = "ssr")]
use super::guard;
use crate::AppError;
use crate::bulk::{BatchRow, ImportFile, ImportResult};

/// What the browser needs to check a bulk file exactly as the server will: the organisation's
/// rules and every user, in a compact binary encoding.
#[server(prefix = "/api", endpoint = "bulk_snapshot", output = Postcard)]
pub async fn bulk_snapshot() -> Result<roster::Snapshot, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.snapshot(viewer.org_id).await?)
}

/// Creates every user of a bulk-create file, or none: the server checks the file again inside
/// the transaction. A retry with the same idempotency key creates nothing twice.
#[server(prefix = "/api", endpoint = "bulk_create", input = Postcard, output = Postcard)]
pub async fn bulk_create(file: ImportFile) -> Result<ImportResult, AppError> {
    commit(roster::sheet::Mode::Create, file).await
}

/// What the browser needs to check a bulk-update file exactly as the server will: the
/// organisation's rules and every user with their current values, in a compact binary encoding.
#[server(prefix = "/api", endpoint = "bulk_update_snapshot", output = Postcard)]
pub async fn bulk_update_snapshot() -> Result<roster::current::TeamSnapshot, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.current_team(viewer.org_id).await?)
}

/// Updates every user a bulk-update file changes, or none: the server checks the file again
/// inside the transaction, against the live team. A retry with the same idempotency key saves
/// nothing twice.
#[server(prefix = "/api", endpoint = "bulk_update", input = Postcard, output = Postcard)]
pub async fn bulk_update(file: ImportFile) -> Result<ImportResult, AppError> {
    commit(roster::sheet::Mode::Update, file).await
}

/// An admin's commit of a bulk file.
#[cfg(feature = "ssr")]
async fn commit(mode: roster::sheet::Mode, file: ImportFile) -> Result<ImportResult, AppError> {
    use crate::ssr::{Importer, import};
    let viewer = guard::admin().await?;
    let store = guard::state()?.store;
    import::import(store.as_ref(), viewer.org_id, Importer::Admin(viewer.user_id), mode, &file, false).await
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
