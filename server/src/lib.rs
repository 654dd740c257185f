//! Roster's server: storage for SQLite and PostgreSQL, the HTTP application, and the command line.
//!
//! * [`storage`]: the port's implementation and the server-only queries, one file per feature.
//! * [`api`]: the HTTP routes beside the pages and server functions (REST, SCIM, the HTTP import,
//!   the export, photos), and the API key's gate they share.
//! * [`startup`]: the router, its middleware, and running it until it is told to stop.
//! * [`jobs`]: the import worker, which runs the bulk imports' jobs.
//! * [`mail`]: the outbox's worker and the messages it sends.
//! * [`cli`], [`config`], [`telemetry`]: the command line, settings, logging.
//! * [`origin`], [`body_limit`], [`api_status`], [`session`]: the browser-facing middleware and the
//!   session behind a route outside the server functions.

pub mod api;
pub mod api_status;
pub mod body_limit;
pub mod cli;
pub mod config;
pub mod jobs;
pub mod mail;
pub mod origin;
pub mod session;
pub mod startup;
pub mod storage;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;
