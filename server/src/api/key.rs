//! What every call an organisation API key makes goes through, whichever API it calls (REST,
//! SCIM, the HTTP import, Download Current Team): the key is checked, its rate limit applied, the
//! call runs with the key's organisation as its [`Caller`], and its outcome is audited with the
//! key that made it. One middleware does all of it; each API answers refusals in its own error
//! shape ([`Surface`]).

use std::sync::Arc;

use app::AppError;
use app::ssr::auth;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::call_log::CallLog;
use super::rate_limit::RateLimiter;
use crate::storage::SqlStore;

/// Largest JSON body the provisioning APIs read: far more than any one user or group needs.
pub const BODY_LIMIT: usize = 256 * 1024;

/// What the key middleware needs.
#[derive(Clone)]
pub struct Keys {
    pub store: SqlStore,
    pub limiter: Arc<RateLimiter>,
    pub calls: CallLog,
}

/// An API's own error shape, in which a refused call is answered.
pub trait Surface: IntoResponse + From<AppError> {}

impl<T: IntoResponse + From<AppError>> Surface for T {}

/// The organisation and key of an authorised call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caller {
    pub org_id: i64,
    pub key_id: i64,
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Caller>().copied().ok_or_else(|| {
            let error = app::error::internal(format!("{} was routed without the key middleware", parts.uri.path()));
            (error.status(), axum::Json(error)).into_response()
        })
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Caller>().copied())
    }
}

/// The token of an `Authorization: Bearer …` header, the scheme in any case (RFC 7235 §2.1:
/// identity providers send `Bearer`, `bearer` and `BEARER`).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

/// The organisation and key id of the request's bearer token.
pub async fn authorise(store: &SqlStore, headers: &HeaderMap) -> Result<Caller, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::ApiKeyRequired)?;
    let (org_id, key_id) = store.api_key(&auth::token_hash(token)).await?.ok_or(AppError::BadApiKey)?;
    Ok(Caller { org_id, key_id })
}

/// The key middleware: authorises the request's key within its rate limit, runs the call as its
/// [`Caller`], and records the call with the key and the status it got in the [`CallLog`]. A refused call runs
/// nothing; only calls with a valid key are audited (a flood over the limit is logged, not
/// written).
pub async fn gate<E: Surface>(State(keys): State<Keys>, mut request: Request, next: Next) -> Response {
    let caller = match authorise(&keys.store, request.headers()).await {
        Ok(caller) => caller,
        Err(error) => return E::from(error).into_response(),
    };
    let call = format!("{} {}", request.method(), percent_decoded(request.uri().path()));
    if let Err(retry_after) = keys.limiter.take(caller.key_id) {
        tracing::info!(key_id = caller.key_id, retry_after, %call, "API key over its rate limit");
        return with_retry_after(E::from(AppError::RateLimited { retry_after }).into_response(), retry_after);
    }
    request.extensions_mut().insert(caller);
    let response = next.run(request).await;
    keys.calls.record(caller.org_id, caller.key_id, call, response.status().as_u16()).await;
    response
}

/// [`gate`] for a route that also serves signed-in people: a request with an `Authorization`
/// header goes through the key's gate, any other is left to the handler's session check.
pub async fn gate_if_key<E: Surface>(keys: State<Keys>, request: Request, next: Next) -> Response {
    if request.headers().contains_key(header::AUTHORIZATION) {
        gate::<E>(keys, request, next).await
    } else {
        next.run(request).await
    }
}

/// A URL path with its `%XX` escapes decoded (for the audit, which names what was called).
fn percent_decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Adds `Retry-After` to a 429.
fn with_retry_after(mut response: Response, seconds: u64) -> Response {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
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

    #[test]
    fn the_audit_names_a_path_as_it_was_meant() {
        assert_eq!(percent_decoded("/api/v2/employees/ada%40acme.test"), "/api/v2/employees/ada@acme.test");
        assert_eq!(percent_decoded("/x/%zz%4"), "/x/%zz%4");
    }
}
