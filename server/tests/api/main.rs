//! Server integration tests: each test starts the app on a random port with a fresh database and
//! runs once against SQLite and once against PostgreSQL (`sqlite::…` and `postgres::…`).

// A test may unwrap: a panic here is a failed test, never a failed request.
#![allow(clippy::unwrap_used)]

mod files;
mod helpers;
mod process;
mod smtp;

mod accounts;
mod bulk_create;
mod bulk_update;
mod cli;
mod jobs;
mod keys;
mod operability;
mod organisation;
mod permissions;
mod provisioning;
mod rest;
mod roster;
mod scim;
mod storage;
mod welcome;
