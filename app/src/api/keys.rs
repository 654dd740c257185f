//! Server functions of the API Keys tab: create (the secret is answered once), list, revoke.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::guard;
use crate::AppError;
use crate::keys::{ApiKeyRow, NewApiKey};

/// The organisation's API keys, newest first.
#[server(prefix = "/api", endpoint = "api_keys")]
pub async fn load_api_keys() -> Result<Vec<ApiKeyRow>, AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.api_keys(viewer.org_id).await?)
}

/// Creates a key; its secret is in this answer and nowhere else, ever.
#[server(prefix = "/api", endpoint = "create_api_key")]
pub async fn add_api_key(name: String) -> Result<NewApiKey, AppError> {
    use crate::ssr::auth;
    use roster::organisation::ApiKeyName;
    let viewer = guard::admin().await?;
    let name = ApiKeyName::parse(&name).map_err(|error| AppError::Form(vec![error.to_string()]))?;
    let (secret, hash) = auth::new_api_key();
    let store = guard::state()?.store;
    let id = store.create_api_key(viewer.org_id, Some(viewer.user_id), &name, &hash).await?;
    Ok(NewApiKey { id, name: name.as_str().to_owned(), secret })
}

/// Revokes a key: from now on it is refused.
#[server(prefix = "/api", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    let viewer = guard::admin().await?;
    Ok(guard::state()?.store.revoke_api_key(viewer.org_id, viewer.user_id, id).await?)
}
