//! The storage port: what the server functions need from storage, as one small trait per feature.
//! The server crate implements each trait beside the SQL it runs; [`Store`] is all of them, so
//! that the application state can hold one `Arc<dyn Store>`. Every method that touches tenant data
//! takes the organisation id.
//!
//! What only the server's own routes need (the provisioning APIs, photos, the command line) is not
//! here: those are methods of the server's store, and their types never reach the browser's bundle.

mod accounts;
mod column_names;
mod imports;
mod keys;
mod organisation;
mod team;
mod users;
mod welcome;

pub use accounts::{AccountStore, SignInRecord};
pub use column_names::ColumnNameStore;
pub use imports::{ImportStore, Importer, NewJob, Submitted};
pub use keys::ApiKeyStore;
pub use organisation::OrganisationStore;
pub use team::TeamStore;
pub use users::{CheckedProfile, NewUser, ProviderIds, UserStore};
pub use welcome::{PersonalWords, WelcomeStore};

use roster::deactivate::{DeactivationError, ReactivationError};

/// Why storage refused. Each surface (a server function, the REST API, SCIM) words these at its
/// own edge: see the `From` conversions of their error types.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record changed since it was read (optimistic concurrency).
    #[error("the record was changed by someone else")]
    Stale,
    /// A uniqueness rule was broken by a concurrent write.
    #[error("{0} is already taken")]
    Taken(&'static str),
    /// The thing does not exist (in this organisation).
    #[error("not found")]
    NotFound,
    /// A role people hold cannot be deleted.
    #[error("the role {name} is held by {holders} users")]
    InUse { name: String, holders: i64 },
    /// The default roles cannot be renamed, deactivated or deleted.
    #[error("a built-in role cannot be changed")]
    BuiltIn,
    /// The one-time set-up was already done: an organisation exists.
    #[error("Roster is already set up")]
    AlreadySetUp,
    /// The rules refused a deactivation, checked against live data.
    #[error("the deactivation was refused")]
    CannotDeactivate(Vec<DeactivationError>),
    /// The rules refused a reactivation, checked against live data.
    #[error(transparent)]
    CannotReactivate(ReactivationError),
    /// Someone chosen to lead cannot (the rules' message, checked against live data).
    #[error("{0}")]
    CannotLead(String),
    /// Anything else; logged, never shown.
    #[error(transparent)]
    Internal(#[from] Box<dyn std::error::Error + Send + Sync>),
}

/// Every storage feature at once: what the application state holds.
pub trait Store:
    AccountStore + UserStore + TeamStore + OrganisationStore + ImportStore + ColumnNameStore + ApiKeyStore + WelcomeStore
{
}

impl<T> Store for T where
    T: AccountStore
        + UserStore
        + TeamStore
        + OrganisationStore
        + ImportStore
        + ColumnNameStore
        + ApiKeyStore
        + WelcomeStore
{
}
