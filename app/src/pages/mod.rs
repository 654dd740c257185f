//! One module per page or family of pages.

pub mod account;
pub mod api_keys;
pub mod batches;
pub mod bulk_create;
pub mod bulk_flow;
pub mod bulk_update;
pub mod deactivate;
pub mod feedback;
pub mod groups;
pub mod hierarchy;
pub mod not_found;
pub mod options;
pub mod roles;
pub mod stream;
pub mod team;
pub mod user_form;
pub mod welcome;
pub mod welcome_emails;
