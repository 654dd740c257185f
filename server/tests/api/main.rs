//! Server integration tests: each test starts the app on a random port with a fresh database and
//! runs once against SQLite and once against PostgreSQL (`sqlite::…` and `postgres::…`).

mod helpers;
mod smtp;

mod accounts;
mod bulk_create;
mod bulk_update;
mod cli;
mod keys;
mod permissions;
mod rest;
mod scim;
mod storage;
mod team;
mod teams;
mod welcome;
