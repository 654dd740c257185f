//! Logging with `tracing`. `RUST_LOG` overrides the default level.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // A second initialisation (tests start many apps) is harmless and ignored.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}
