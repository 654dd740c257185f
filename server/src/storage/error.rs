//! Storage's own error: a database failure (internal: logged with a reference at the edge, never
//! shown) or one of the port's refusals. Inside storage `?` converts every sqlx error into it; it
//! becomes the port's [`StoreError`] once, where a port method returns ([`db`]).

use app::ssr::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Refused(#[from] StoreError),
    #[error("a storage task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// Stored data that breaks one of storage's own invariants.
    #[error("{0}")]
    Invariant(String),
}

pub type DbResult<T> = Result<T, DbError>;

impl From<DbError> for StoreError {
    fn from(error: DbError) -> StoreError {
        match error {
            DbError::Refused(refusal) => refusal,
            other => StoreError::Internal(Box::new(other)),
        }
    }
}

/// Runs a storage operation and converts its error for the port.
pub async fn db<T>(work: impl Future<Output = DbResult<T>>) -> Result<T, StoreError> {
    work.await.map_err(StoreError::from)
}

/// A user write's error: a broken unique index becomes the refusal that names the field.
pub fn user_write(error: sqlx::Error) -> DbError {
    if let sqlx::Error::Database(db) = &error
        && db.is_unique_violation()
    {
        let text = format!("{} {}", db.message(), db.constraint().unwrap_or_default());
        let taken = if text.contains("scim_user_name") {
            Some("userName")
        } else if text.contains("email_key") {
            Some("email address")
        } else if text.contains("employee_id") {
            Some("employee ID")
        } else if text.contains("slug") {
            Some("organisation short name")
        } else {
            None
        };
        if let Some(what) = taken {
            return StoreError::Taken(what).into();
        }
    }
    error.into()
}
