//! Server-side only: the application state handed to server functions, the storage port the
//! server crate implements, and the sign-in helpers.

pub mod auth;
pub mod import;
pub mod security;
pub mod setup;
pub mod state;
pub mod store;
pub mod users;

pub use state::{AppState, Config};
pub use store::{
    Committed, CreateBatch, FileBatch, Importer, NewUser, PersonalWords, PriorBatch, Provisioning, SignInRecord, Store,
    StoreError, store_error,
};
