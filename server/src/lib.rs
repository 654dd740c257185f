//! Roster's server: storage for SQLite and PostgreSQL, the HTTP application, and the command line.

pub mod api_call;
pub mod api_status;
pub mod body_limit;
pub mod cli;
pub mod config;
pub mod export;
pub mod imports_api;
pub mod mail;
pub mod openapi;
pub mod origin;
pub mod photos;
pub mod rate_limit;
pub mod rest;
pub mod scim;
pub mod session;
pub mod startup;
pub mod storage;
pub mod telemetry;

pub use config::Config;
pub use startup::Application;
