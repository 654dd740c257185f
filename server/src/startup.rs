//! Builds the HTTP application (Leptos pages and server functions, the routes of [`crate::api`],
//! static files, the Origin check, security headers, the body limit, request tracing) and runs it
//! with the mail worker beside it until it is told to stop.
//!
//! Stopping (SIGTERM or SIGINT, or [`Shutdown::trigger`]): the listener stops taking connections,
//! requests in flight finish, the mail worker stops between sends, and the import worker lets its
//! job finish (or hands it back to the next process after the job's lease).

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use app::ssr::AppState;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware::Next;
use axum::response::Response;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::Config;
use crate::api::call_log::{CallLogWriter, call_log};
use crate::api::key::Keys;
use crate::api::rate_limit::RateLimiter;
use crate::jobs::ImportWorker;
use crate::mail::{Outbox, Transport};
use crate::storage::SqlStore;

/// What every handler may ask for, by type (`State<SqlStore>`, `State<AppState>`, …).
#[derive(Clone, FromRef)]
pub struct ServerState {
    pub leptos_options: LeptosOptions,
    pub app: AppState,
    pub store: SqlStore,
}

/// Tells a running application to stop, gracefully.
#[derive(Clone, Default)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Shutdown {
    pub fn new() -> Shutdown {
        Shutdown(Arc::new(watch::channel(false).0))
    }

    pub fn trigger(&self) {
        self.0.send_replace(true);
    }

    /// Whether the application has been told to stop.
    pub fn is_triggered(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the application has been told to stop.
    pub fn stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut receiver = self.0.subscribe();
        async move {
            let _ = receiver.wait_for(|stop| *stop).await;
        }
    }
}

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    router: Router,
    pub store: SqlStore,
    /// The mail worker that runs beside the server.
    pub outbox: Outbox,
    /// The import worker that runs beside the server.
    pub imports: ImportWorker,
    /// Writes the API calls' audit trail beside the server.
    calls: CallLogWriter,
    shutdown: Shutdown,
    /// Every route besides the pages and server functions, as registered: what the permissions
    /// matrix test must cover.
    pub http_routes: Vec<&'static str>,
    /// The pages, as the router serves them.
    pub page_routes: Vec<String>,
}

impl Application {
    /// Connects to the database (running migrations) and binds the address; port 0 picks a free one.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let store = SqlStore::connect(&config.database_url).await?.with_jobs(config.jobs);
        let listener =
            TcpListener::bind(config.addr).await.with_context(|| format!("could not listen on {}", config.addr))?;
        let addr = listener.local_addr()?;
        let leptos_options = LeptosOptions::builder()
            .output_name("roster")
            .site_root(config.site_root.clone())
            .site_pkg_dir("pkg")
            .site_addr(addr)
            .build();
        let transport = Transport::new(&config.mail)?;
        let outbox = Outbox::new(store.clone(), transport, config.mail.clone());
        let app = AppState {
            store: Arc::new(store.clone()),
            config: app::ssr::Config { secure_cookies: config.secure_cookies, ..app::ssr::Config::default() },
        };
        let (calls, call_writer) = call_log(store.clone());
        let limiter = Arc::new(RateLimiter::new(config.api_calls_per_minute));
        let keys = Keys { store: store.clone(), limiter, calls };
        let state = ServerState { leptos_options, app, store: store.clone() };
        let (router, http_routes, page_routes) = router(state, &keys, config.body_limit);
        let imports = ImportWorker::new(store.clone());
        let shutdown = Shutdown::new();
        Ok(Application {
            listener,
            router,
            store,
            outbox,
            imports,
            calls: call_writer,
            shutdown,
            http_routes,
            page_routes,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// What stops this application when triggered.
    pub fn shutdown(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Serves requests, with the mail worker beside them, until SIGTERM or SIGINT (or
    /// [`Shutdown::trigger`]); then stops gracefully.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            signal().await;
            tracing::info!("stop signal received");
            shutdown.trigger();
        });
        self.run().await
    }

    /// Serves until [`Shutdown::trigger`]; then stops taking connections, lets the requests in
    /// flight finish, stops the mail worker between sends, and lets the running import finish (or
    /// hands it back after its lease).
    pub async fn run(self) -> std::io::Result<()> {
        let worker = tokio::spawn(self.outbox.run(self.shutdown.stopped()));
        let imports = tokio::spawn(self.imports.run(self.shutdown.clone()));
        // Ends once the router (and with it every recorder) is gone and the backlog is written.
        let calls = tokio::spawn(self.calls.run());
        let stopped = self.shutdown.stopped();
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async move {
                stopped.await;
                tracing::info!("shutting down: no new connections; finishing the requests in flight");
            })
            .await;
        if let Err(error) = worker.await {
            tracing::error!(%error, "the mail worker did not stop cleanly");
        }
        if let Err(error) = imports.await {
            tracing::error!(%error, "the import worker did not stop cleanly");
        }
        match tokio::time::timeout(std::time::Duration::from_secs(10), calls).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!(%error, "the API call log did not stop cleanly"),
            Err(_) => tracing::error!("the API call log was not written within 10 seconds of stopping"),
        }
        tracing::info!("stopped");
        served
    }
}

/// SIGTERM (what a service manager or container runtime sends) or SIGINT (Ctrl-C).
async fn signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}

/// The header that carries a request's id, in and out.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A request's id: a proxy's `x-request-id` when it is a plain token, otherwise a fresh one.
#[derive(Clone, Debug)]
struct RequestId(String);

fn request_id_of(request: &Request<Body>) -> String {
    request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| (1..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
        .map_or_else(app::ssr::request::new_id, str::to_owned)
}

/// Gives every request an id: on the request (for the trace span, so every log line of the
/// request carries it), as the reference of any internal error, and on the response.
async fn with_request_id(mut request: Request<Body>, next: Next) -> Response {
    let id = request_id_of(&request);
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = app::ssr::request::scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    response
}

fn router(state: ServerState, keys: &Keys, body_limit: usize) -> (Router, Vec<&'static str>, Vec<String>) {
    let options = state.leptos_options.clone();
    let routes = generate_route_list(App);
    let page_routes = routes.iter().map(|route| route.path().to_owned()).collect();
    let mut router: Router<ServerState> = Router::new();
    let mut paths = Vec::new();
    for (path, methods) in crate::api::routes(keys) {
        router = router.route(path, methods);
        paths.push(path);
    }
    let app = state.app.clone();
    let context = move || provide_context(app.clone());
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<Body>| {
            let id = request.extensions().get::<RequestId>().map_or("", |id| id.0.as_str());
            tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    let router = router
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(context, shell))
        .with_state(state)
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
        ))
        .layer(trace)
        .layer(axum::middleware::from_fn(with_request_id));
    (router, paths, page_routes)
}
