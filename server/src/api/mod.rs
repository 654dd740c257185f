//! The HTTP routes beside the pages and server functions: the machine APIs (the REST User
//! Provisioning API, SCIM 2.0, the HTTP bulk import), Download Current Team and profile photos.
//!
//! Where things go:
//! * **A REST endpoint**: a handler in [`rest`] (thin: extractors, the one-user path or storage,
//!   `?`), a row in [`routes`], the OpenAPI document (`server/api/openapi.json`) and a row in the
//!   permissions matrix test.
//! * **A SCIM endpoint**: the same, in [`scim`].
//! * Whatever an API key does passes [`key::gate`] (authorisation, rate limit, audit), applied by
//!   [`routes`]; handlers take the [`key::Caller`] it leaves.
//! * Each API answers errors in its own shape: [`rest::ApiError`], [`scim::ScimError`], and
//!   [`JsonError`] (the wire error as JSON) for the import, the export and photos. Each converts
//!   from the app's error and storage's with `From`, so handlers use `?`.

pub mod call_log;
pub mod export;
pub mod imports;
pub mod key;
pub mod openapi;
pub mod photos;
pub mod rate_limit;
pub mod rest;
pub mod scim;

use app::AppError;
use app::ssr::StoreError;
use axum::Json;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get, post};

use self::key::{BODY_LIMIT, Keys};
use self::rest::ApiError;
use self::scim::ScimError;
use crate::startup::ServerState;

/// An error answered as the wire error's JSON, as the server functions answer it.
#[derive(Debug)]
pub struct JsonError(pub AppError);

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        (self.0.status(), Json(self.0)).into_response()
    }
}

impl From<AppError> for JsonError {
    fn from(error: AppError) -> JsonError {
        JsonError(error)
    }
}

impl From<StoreError> for JsonError {
    fn from(error: StoreError) -> JsonError {
        JsonError(error.into())
    }
}

/// Every route of this module, as registered: what the permissions matrix test must cover.
pub fn routes(keys: &Keys) -> Vec<(&'static str, MethodRouter<ServerState>)> {
    let rest = |methods: MethodRouter<ServerState>| {
        methods.layer(DefaultBodyLimit::max(BODY_LIMIT)).layer(from_fn_with_state(keys.clone(), key::gate::<ApiError>))
    };
    let scim = |methods: MethodRouter<ServerState>| {
        methods.layer(DefaultBodyLimit::max(BODY_LIMIT)).layer(from_fn_with_state(keys.clone(), key::gate::<ScimError>))
    };
    use scim::{discovery, groups, users};
    vec![
        ("/api/v1/imports", post(imports::post_import).layer(from_fn_with_state(keys.clone(), key::gate::<JsonError>))),
        (
            "/api/v1/imports/{id}",
            get(imports::get_import).layer(from_fn_with_state(keys.clone(), key::gate::<JsonError>)),
        ),
        (
            "/api/export/current-team",
            get(export::current_team).layer(from_fn_with_state(keys.clone(), key::gate_if_key::<JsonError>)),
        ),
        ("/api/v2/employees", rest(get(rest::list).post(rest::create))),
        ("/api/v2/employees/{reference}", rest(get(rest::one).patch(rest::update))),
        ("/api/v2/employees/{reference}/invite", rest(post(rest::invite))),
        ("/api/v2/employees/{reference}/activate", rest(post(rest::activate))),
        ("/api/v2/employees/{reference}/deactivate", rest(post(rest::deactivate))),
        ("/api/v2/openapi.json", get(openapi::document)),
        ("/scim/v2/ServiceProviderConfig", scim(get(discovery::get_service_provider_config))),
        ("/scim/v2/ResourceTypes", scim(get(discovery::list_resource_types))),
        ("/scim/v2/ResourceTypes/{id}", scim(get(discovery::get_resource_type))),
        ("/scim/v2/Schemas", scim(get(discovery::list_schemas))),
        ("/scim/v2/Schemas/{id}", scim(get(discovery::get_schema))),
        ("/scim/v2/Users", scim(get(users::list_users).post(users::create_user))),
        ("/scim/v2/Users/.search", scim(post(users::search_users))),
        (
            "/scim/v2/Users/{id}",
            scim(get(users::get_user).put(users::replace_user).patch(users::patch_user).delete(users::delete_user)),
        ),
        ("/scim/v2/Groups", scim(get(groups::list_groups).post(groups::create_group))),
        ("/scim/v2/Groups/.search", scim(post(groups::search_groups))),
        ("/scim/v2/.search", scim(post(scim::search_everything))),
        (
            "/scim/v2/Groups/{id}",
            scim(
                get(groups::get_group)
                    .put(groups::replace_group)
                    .patch(groups::patch_group)
                    .delete(groups::delete_group),
            ),
        ),
        ("/scim/v2/{*unknown}", scim(any(scim::unknown_path))),
        ("/api/photos/{user}", get(photos::get_photo).post(photos::post_photo)),
    ]
}
