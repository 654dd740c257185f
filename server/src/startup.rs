//! Builds the HTTP application: Leptos pages and server functions, static files, the Origin check,
//! security headers and the body limit.

use std::sync::Arc;

use anyhow::Context;
use app::ssr::AppState;
use app::{App, shell};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{MethodRouter, get, post};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::Config;
use crate::api_call::Api;
use crate::mail::{Outbox, Transport};
use crate::rate_limit::RateLimiter;
use crate::scim;
use crate::storage::SqlStore;

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pub store: SqlStore,
    /// The mail worker that runs beside the server.
    pub outbox: Outbox,
    /// Every route besides the pages and server functions, as registered: what the permissions
    /// matrix test must cover.
    pub http_routes: Vec<&'static str>,
    /// The pages, as the router serves them.
    pub page_routes: Vec<String>,
}

impl Application {
    /// Connects to the database (running migrations) and binds the address; port 0 picks a free one.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let store = SqlStore::connect(&config.database_url).await?;
        let listener =
            TcpListener::bind(config.addr).await.with_context(|| format!("could not listen on {}", config.addr))?;
        let addr = listener.local_addr()?;
        let options = LeptosOptions::builder()
            .output_name("roster")
            .site_root(config.site_root.clone())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let mail_wake = Arc::new(tokio::sync::Notify::new());
        let transport = Transport::new(&config.mail)?;
        let outbox = Outbox::new(store.clone(), transport, config.mail.clone(), mail_wake.clone());
        let state = AppState {
            store: Arc::new(store.clone()),
            config: app::ssr::Config { secure_cookies: config.secure_cookies, ..app::ssr::Config::default() },
            mail_wake,
        };
        let api = Api { state: state.clone(), limiter: Arc::new(RateLimiter::new(config.api_calls_per_minute)) };
        let (router, http_routes, page_routes) = router(options, state, api, config.body_limit);
        Ok(Application { listener, router, store, outbox, http_routes, page_routes })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves requests, with the mail worker beside them.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = tokio::spawn(self.outbox.run());
        let served = axum::serve(self.listener, self.router).await;
        worker.abort();
        served
    }
}

/// A handler of the provisioning APIs, given their shared state first and the rest extracted.
macro_rules! with_api {
    ($api:ident, $handler:path, $($extracted:ident),+) => {{
        let api = $api.clone();
        move |$($extracted),+| $handler(api.clone(), $($extracted),+)
    }};
}

/// The routes that are neither pages nor server functions: automation and files.
fn http_routes(state: &AppState, api: &Api) -> Vec<(&'static str, MethodRouter<LeptosOptions>)> {
    let store = state.store.clone();
    let export_store = state.store.clone();
    let photo_state = state.clone();
    let mail_wake = state.mail_wake.clone();
    vec![
        (
            "/api/v1/imports",
            post(move |query, headers, body| {
                let (store, mail_wake) = (store.clone(), mail_wake.clone());
                async move {
                    let response = crate::imports_api::post_import(store, query, headers, body).await;
                    // New users' welcome emails go out now rather than at the worker's next poll.
                    mail_wake.notify_one();
                    response
                }
            }),
        ),
        ("/api/export/current-team", get(move |headers| crate::export::current_team(export_store.clone(), headers))),
        (
            "/api/v2/employees",
            get(with_api!(api, crate::rest::list, headers, query)).post(with_api!(
                api,
                crate::rest::create,
                headers,
                body
            )),
        ),
        (
            "/api/v2/employees/{reference}",
            get(with_api!(api, crate::rest::one, headers, path)).patch(with_api!(
                api,
                crate::rest::update,
                headers,
                path,
                body
            )),
        ),
        ("/api/v2/employees/{reference}/invite", post(with_api!(api, crate::rest::invite, headers, path))),
        ("/api/v2/employees/{reference}/activate", post(with_api!(api, crate::rest::activate, headers, path))),
        (
            "/api/v2/employees/{reference}/deactivate",
            post(with_api!(api, crate::rest::deactivate, headers, path, body)),
        ),
        ("/api/v2/openapi.json", get(crate::openapi::document)),
        ("/scim/v2/ServiceProviderConfig", get(with_api!(api, scim::discovery::get_service_provider_config, headers))),
        ("/scim/v2/ResourceTypes", get(with_api!(api, scim::discovery::list_resource_types, headers))),
        ("/scim/v2/ResourceTypes/{id}", get(with_api!(api, scim::discovery::get_resource_type, headers, path))),
        ("/scim/v2/Schemas", get(with_api!(api, scim::discovery::list_schemas, headers))),
        ("/scim/v2/Schemas/{id}", get(with_api!(api, scim::discovery::get_schema, headers, path))),
        (
            "/scim/v2/Users",
            get(with_api!(api, scim::list_users, headers, query)).post(with_api!(
                api,
                scim::create_user,
                headers,
                body
            )),
        ),
        (
            "/scim/v2/Users/{id}",
            get(with_api!(api, scim::get_user, headers, path, query))
                .put(with_api!(api, scim::replace_user, headers, path, body))
                .patch(with_api!(api, scim::patch_user, headers, path, body))
                .delete(with_api!(api, scim::delete_user, headers, path)),
        ),
        (
            "/scim/v2/Groups",
            get(with_api!(api, scim::groups::list_groups, headers, query)).post(with_api!(
                api,
                scim::groups::create_group,
                headers,
                body
            )),
        ),
        (
            "/scim/v2/Groups/{id}",
            get(with_api!(api, scim::groups::get_group, headers, path, query))
                .put(with_api!(api, scim::groups::replace_group, headers, path, body))
                .patch(with_api!(api, scim::groups::patch_group, headers, path, body))
                .delete(with_api!(api, scim::groups::delete_group, headers, path)),
        ),
        (
            "/api/photos/{user}",
            get({
                let state = photo_state.clone();
                move |path, headers| crate::photos::get_photo(state.clone(), path, headers)
            })
            .post(move |path, headers, multipart| {
                crate::photos::post_photo(photo_state.clone(), path, headers, multipart)
            }),
        ),
    ]
}

fn router(
    options: LeptosOptions,
    state: AppState,
    api: Api,
    body_limit: usize,
) -> (Router, Vec<&'static str>, Vec<String>) {
    let routes = generate_route_list(App);
    let page_routes = routes.iter().map(|route| route.path().to_owned()).collect();
    let mut router = Router::new();
    let mut paths = Vec::new();
    for (path, methods) in http_routes(&state, &api) {
        // The provisioning APIs read small JSON bodies; files go to the other routes.
        let methods = if path.starts_with("/api/v2/") || path.starts_with("/scim/v2") {
            methods.layer(DefaultBodyLimit::max(crate::api_call::BODY_LIMIT))
        } else {
            methods
        };
        router = router.route(path, methods);
        paths.push(path);
    }
    let context = move || provide_context(state.clone());
    let router = router
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(context, shell))
        .with_state(options)
        .layer(axum::middleware::from_fn(crate::api_status::status_from_error))
        .layer(axum::middleware::from_fn(crate::origin::same_origin_only))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn(move |request, next| {
            crate::body_limit::refuse_too_large(body_limit, request, next)
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(app::ssr::security::NOT_A_PAGE),
        ));
    (router, paths, page_routes)
}
