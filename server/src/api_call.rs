//! What every call of the provisioning APIs (REST and SCIM) goes through: the organisation API key
//! is checked, the key's rate limit is applied, the call runs, and its outcome is audited with the
//! key that made it. Each API renders the refusals in its own error shape.

use std::sync::Arc;

use app::AppError;
use app::ssr::{AppState, Store};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use crate::imports_api::authorise;
use crate::rate_limit::RateLimiter;

/// Largest JSON body the provisioning APIs read: far more than any one user or group needs.
pub const BODY_LIMIT: usize = 256 * 1024;

/// The state the provisioning APIs share: the application's, and the keys' rate limits.
#[derive(Clone)]
pub struct Api {
    pub state: AppState,
    pub limiter: Arc<RateLimiter>,
}

impl Api {
    pub fn store(&self) -> &dyn Store {
        self.state.store.as_ref()
    }
}

/// Why a call did not run.
#[derive(Debug)]
pub enum Refusal {
    /// No key, an unknown or revoked key, or a failure reading keys.
    Key(AppError),
    /// The key spent its allowance; the next call is allowed in this many seconds.
    RateLimited { retry_after: u64 },
}

impl Refusal {
    /// The message a refused caller reads.
    pub fn message(&self) -> String {
        match self {
            Refusal::Key(error) => error.to_string(),
            Refusal::RateLimited { retry_after } => format!(
                "This API key made more calls than its limit allows; wait {retry_after} seconds (Retry-After) and try again."
            ),
        }
    }
}

/// Adds `Retry-After` to a 429.
pub fn retry_after(mut response: Response, seconds: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Authorises the request's key within its rate limit, runs `call` with the key's organisation,
/// and audits the call (`name`) with the key and the status it got. A refused call runs nothing;
/// only calls with a valid key are audited (a flood over the limit is logged, not written).
pub async fn audited<F, Fut>(
    api: &Api,
    headers: &HeaderMap,
    name: String,
    refused: fn(Refusal) -> Response,
    call: F,
) -> Response
where
    F: FnOnce(i64) -> Fut,
    Fut: Future<Output = Response>,
{
    let (org_id, key_id) = match authorise(api.store(), headers).await {
        Ok(found) => found,
        Err(error) => return refused(Refusal::Key(error)),
    };
    if let Err(retry_after) = api.limiter.take(key_id) {
        tracing::info!(key_id, retry_after, call = %name, "API key over its rate limit");
        return refused(Refusal::RateLimited { retry_after });
    }
    let response = call(org_id).await;
    if let Err(error) = api.store().audit_api_call(org_id, key_id, &name, response.status().as_u16()).await {
        return refused(Refusal::Key(app::error::internal(error)));
    }
    response
}

/// Whether an `If-Match` header allows changing a record at `version` (its ETag `"<version>"`);
/// no header allows it.
pub fn if_match_allows(headers: &HeaderMap, version: i64) -> bool {
    let Some(value) = headers.get(header::IF_MATCH) else { return true };
    let Ok(value) = value.to_str() else { return false };
    let current = etag(version);
    value.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == current)
}

/// The ETag of a record at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// Sets the ETag of a record at `version`.
pub fn with_etag(mut response: Response, version: i64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn if_match(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MATCH, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn if_match_allows_the_current_version_any_version_or_no_header() {
        assert!(if_match_allows(&HeaderMap::new(), 3));
        for allowed in ["\"3\"", "W/\"3\"", "*", "\"2\", \"3\""] {
            assert!(if_match_allows(&if_match(allowed), 3), "{allowed}");
        }
        for refused in ["\"2\"", "3", "W/\"4\"", ""] {
            assert!(!if_match_allows(&if_match(refused), 3), "{refused}");
        }
    }
}
