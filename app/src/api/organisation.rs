//! Server functions of the Roles and Groups tabs.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard;
use crate::AppError;
use crate::organisation::{GroupRow, Provisioning, ProvisioningForm, RoleChange, RolesTab};

#[cfg(feature = "ssr")]
fn name_error(error: roster::organisation::NameError) -> AppError {
    AppError::Form(vec![error.to_string()])
}

/// The Roles tab.
#[server(prefix = "/api", endpoint = "roles")]
pub async fn load_roles() -> Result<RolesTab, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.roles(viewer.org_id).await?)
}

#[server(prefix = "/api", endpoint = "create_role")]
pub async fn add_role(name: String) -> Result<i64, AppError> {
    use roster::organisation::RoleName;
    let viewer = guard::admin().await?;
    let name = RoleName::parse(&name).map_err(name_error)?;
    Ok(guard::state()?.store.create_role(viewer.org_id, viewer.user_id, &name).await?)
}

#[server(prefix = "/api", endpoint = "rename_role")]
pub async fn rename_role(id: i64, name: String) -> Result<(), AppError> {
    use roster::organisation::RoleName;
    let viewer = guard::admin().await?;
    let name = RoleName::parse(&name).map_err(name_error)?;
    Ok(guard::state()?.store.rename_role(viewer.org_id, viewer.user_id, id, &name).await?)
}

/// Deactivates, reactivates or deletes a custom role. A role people hold is only deactivated.
#[server(prefix = "/api", endpoint = "change_role")]
pub async fn change_role(id: i64, change: RoleChange) -> Result<(), AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.change_role(viewer.org_id, viewer.user_id, id, change).await?)
}

/// Turns the organisation's "uses custom roles" setting on or off.
#[server(prefix = "/api", endpoint = "set_custom_roles")]
pub async fn set_custom_roles(on: bool) -> Result<(), AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.set_uses_custom_roles(viewer.org_id, viewer.user_id, on).await?)
}

/// The Groups tab.
#[server(prefix = "/api", endpoint = "groups")]
pub async fn load_groups() -> Result<Vec<GroupRow>, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.groups(viewer.org_id).await?)
}

#[server(prefix = "/api", endpoint = "create_group")]
pub async fn add_group(name: String) -> Result<i64, AppError> {
    use roster::organisation::GroupName;
    let viewer = guard::admin().await?;
    let name = GroupName::parse(&name).map_err(name_error)?;
    Ok(guard::state()?.store.create_group(viewer.org_id, Some(viewer.user_id), &name).await?)
}

#[server(prefix = "/api", endpoint = "rename_group")]
pub async fn rename_group(id: i64, name: String) -> Result<(), AppError> {
    use roster::organisation::GroupName;
    let viewer = guard::admin().await?;
    let name = GroupName::parse(&name).map_err(name_error)?;
    Ok(guard::state()?.store.rename_group(viewer.org_id, Some(viewer.user_id), id, &name).await?)
}

/// Deletes a group; its members lose only that membership. Returns how many it had.
#[server(prefix = "/api", endpoint = "delete_group")]
pub async fn remove_group(id: i64) -> Result<i64, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.delete_group(viewer.org_id, Some(viewer.user_id), id).await?)
}

/// Where people sent by identity providers and scripts land (the API Keys tab).
#[server(prefix = "/api", endpoint = "provisioning")]
pub async fn load_provisioning() -> Result<Provisioning, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.provisioning(viewer.org_id).await?)
}

/// Saves the provisioning defaults; the default team leader must be able to lead.
#[server(prefix = "/api", endpoint = "set_provisioning")]
pub async fn save_provisioning(form: ProvisioningForm) -> Result<(), AppError> {
    let viewer = guard::admin().await?;
    let defaults = form.defaults().map_err(|message| AppError::Form(vec![message]))?;
    Ok(guard::state()?.store.set_provisioning(viewer.org_id, viewer.user_id, &defaults).await?)
}
