//! The one error type every server function returns. What a person can act on travels in full;
//! anything internal is logged on the server and reaches the browser only as an opaque reference.

use roster::Problem;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Nobody is signed in, or the session has ended.
    #[error("Please sign in to continue.")]
    SignInRequired,
    /// A set-password link that is unknown, used or expired.
    #[error("This link has expired or was already used. Ask your admin to send you a new welcome email.")]
    LinkExpired,
    /// Signed in with a temporary password, which must be changed before anything else.
    #[error("Choose a new password before you continue.")]
    PasswordChangeRequired,
    /// Signed in, but this is not theirs to see or do.
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("That was not found; it may have been removed.")]
    NotFound,
    /// The email or password did not match (never says which).
    #[error("That organisation, email address and password do not match an account.")]
    BadCredentials,
    #[error("Too many failed sign-ins for this account; wait {minutes} minutes and try again.")]
    Throttled { minutes: u32 },
    /// An API key made more calls than its limit allows.
    #[error(
        "This API key made more calls than its limit allows; wait {retry_after} seconds (Retry-After) and try again."
    )]
    RateLimited { retry_after: u64 },
    /// The input breaks the rules; each problem names its field.
    #[error("Please correct the highlighted fields.")]
    Invalid(Vec<Problem>),
    /// A form whose fields are not profile columns (set-up, sign-in settings): its messages in order.
    #[error("{}", .0.join(" "))]
    Form(Vec<String>),
    /// A request that is wrong as a whole (not a single field).
    #[error("{0}")]
    BadRequest(String),
    /// An automation request came without an API key.
    #[error("Send your organisation's API key as the header `Authorization: Bearer <key>`.")]
    ApiKeyRequired,
    /// An automation request's API key is unknown or revoked.
    #[error("That API key is not valid (it may have been revoked).")]
    BadApiKey,
    /// The request body is larger than the server accepts.
    #[error(
        "The file is larger than the {limit_mb} MB this server accepts. Split it into smaller files (each with the header row), or ask whoever runs Roster to raise ROSTER_BODY_LIMIT_MB."
    )]
    TooLarge { limit_mb: usize },
    /// The request conflicts with the record as it is: someone else changed it since it was
    /// loaded, a name is taken, a rule refused.
    #[error("{0}")]
    Conflict(String),
    /// Something failed on the server; details are in the server log under this reference.
    #[error(
        "Something went wrong on our side (reference {0}). Please try again; if it keeps happening, contact support with the reference."
    )]
    Internal(String),
    /// The request could not be carried out at all (network, encoding).
    #[error("The request could not be completed: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::Deserialization(message) => {
                AppError::BadRequest(format!("The form could not be read: {message}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

impl AppError {
    /// The problems of one field, for showing them beside it.
    pub fn problems_for(&self, column: roster::Column) -> Vec<String> {
        match self {
            AppError::Invalid(problems) => {
                problems.iter().filter(|p| p.column == column).map(|p| p.message.clone()).collect()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status this error is sent with.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::SignInRequired | AppError::BadCredentials | AppError::ApiKeyRequired | AppError::BadApiKey => {
                StatusCode::UNAUTHORIZED
            }
            AppError::Forbidden | AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::LinkExpired => StatusCode::GONE,
            AppError::Throttled { .. } | AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Invalid(_) | AppError::Form(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Logs an internal error and returns the opaque wire error. Its reference is the request's id
/// (the `x-request-id` every answer carries, and a field of every log line of the request), so
/// that whoever runs Roster finds the whole request from what a person reports.
#[cfg(feature = "ssr")]
pub fn internal(error: impl std::fmt::Display) -> AppError {
    let reference = crate::ssr::request::id().unwrap_or_else(crate::ssr::request::new_id);
    tracing::error!(%reference, %error, "internal error");
    AppError::Internal(reference)
}

/// Storage's refusals in the words of a server function; anything internal is logged and hidden.
/// (The APIs word `Stale` their own way: a 412 that says to read the record again.)
#[cfg(feature = "ssr")]
impl From<crate::ssr::StoreError> for AppError {
    fn from(error: crate::ssr::StoreError) -> AppError {
        use crate::ssr::StoreError;
        match error {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Stale => AppError::Conflict(
                "Someone else changed this user while you were editing; reload the page to see their changes, then make yours again."
                    .into(),
            ),
            StoreError::Taken(what) => AppError::Conflict(format!("That {what} is already taken; choose another.")),
            StoreError::InUse { name, holders } => {
                AppError::Conflict(roster::organisation::role_in_use(&name, holders))
            }
            StoreError::BuiltIn => AppError::Conflict(
                "Admin, Team Leader and Team Member are built in: they cannot be renamed, deactivated or deleted."
                    .into(),
            ),
            StoreError::CannotLead(message) => AppError::BadRequest(message),
            StoreError::AlreadySetUp => AppError::Conflict("Roster is already set up; sign in instead.".into()),
            StoreError::CannotDeactivate(errors) => AppError::Form(errors.iter().map(ToString::to_string).collect()),
            StoreError::CannotReactivate(error) => AppError::Conflict(error.to_string()),
            StoreError::Internal(error) => internal(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster::{Code, Column};

    #[test]
    fn field_problems_are_found_by_column() {
        let error = AppError::Invalid(vec![
            Problem::new(Column::FirstName, Code::Required, "First Name is required."),
            Problem::new(Column::EmailAddress, Code::InvalidEmail, "Bad email."),
        ]);
        assert_eq!(error.problems_for(Column::EmailAddress), vec!["Bad email.".to_string()]);
        assert!(error.problems_for(Column::LastName).is_empty());
    }
}
