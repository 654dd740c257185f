//! Logging with `tracing`: one line per event on standard error (standard output is the command
//! line's answers, such as an import's JSON report), inside the request's span (its id, method and
//! path) when there is one. `RUST_LOG` overrides the default level.

use tracing_subscriber::EnvFilter;

fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
}

pub fn init() {
    // A second initialisation is harmless and ignored.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter("info,sqlx=warn,tower_http=info"))
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}

/// For tests that start many apps: warnings and errors only (unless `RUST_LOG` says otherwise),
/// written where the test harness captures them.
pub fn init_for_tests() {
    let _ = tracing_subscriber::fmt().with_env_filter(filter("warn")).with_target(false).with_test_writer().try_init();
}
