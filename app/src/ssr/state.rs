//! The state every server function receives through Leptos context.

use std::sync::Arc;

use leptos::prelude::use_context;

use super::Store;
use crate::AppError;

/// Settings the server functions need.
#[derive(Clone, Debug)]
pub struct Config {
    /// Add `Secure` to cookies (set when the app is served over HTTPS).
    pub secure_cookies: bool,
    /// How long a session lasts, in seconds.
    pub session_seconds: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config { secure_cookies: false, session_seconds: 12 * 60 * 60 }
    }
}

/// Shared by every request: storage and settings. Injected with `provide_context`, never global.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Config,
}

impl AppState {
    /// The state of the current request.
    pub fn current() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| crate::error::internal("AppState missing from context"))
    }
}
