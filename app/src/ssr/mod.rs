//! Server-side only: the application state handed to server functions, the storage port the
//! server crate implements, the request's id, and the sign-in helpers.

pub mod auth;
pub mod import;
pub mod request;
pub mod security;
pub mod setup;
pub mod state;
pub mod store;
pub mod users;

pub use state::{AppState, Config};
pub use store::{
    AccountStore, ApiKeyStore, CheckedProfile, ColumnNameStore, ImportStore, Importer, NewJob, NewUser,
    OrganisationStore, PersonalWords, ProviderIds, SignInRecord, Store, StoreError, Submitted, TeamStore, UserStore,
    WelcomeStore,
};
