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
use crate::mail::{Outbox, Transport};
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
        let (router, http_routes, page_routes) = router(options, state, config.body_limit);
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

/// The routes that are neither pages nor server functions: automation and files.
fn http_routes(state: &AppState) -> Vec<(&'static str, MethodRouter<LeptosOptions>)> {
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
            get({
                let store = state.store.clone();
                move |headers, query| crate::rest::list(store.clone(), headers, query)
            })
            .post({
                let state = state.clone();
                move |headers, body| crate::rest::create(state.clone(), headers, body)
            }),
        ),
        (
            "/api/v2/employees/{reference}",
            get({
                let store = state.store.clone();
                move |headers, path| crate::rest::one(store.clone(), headers, path)
            }),
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

fn router(options: LeptosOptions, state: AppState, body_limit: usize) -> (Router, Vec<&'static str>, Vec<String>) {
    let routes = generate_route_list(App);
    let page_routes = routes.iter().map(|route| route.path().to_owned()).collect();
    let mut router = Router::new();
    let mut paths = Vec::new();
    for (path, methods) in http_routes(&state) {
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
