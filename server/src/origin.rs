//! Refuses cross-site requests to server functions. Browsers send `Origin` (and `Sec-Fetch-Site`)
//! with every POST; a request whose origin is not this site is refused before it reaches any
//! server function. Requests with neither header come from non-browser clients, which cannot carry
//! a victim's cookie, so they pass (the same rule as Go's `CrossOriginProtection`).

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// True when the request is from another site.
pub fn is_cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("null");
    origin_host != host
}

pub async fn same_origin_only(request: Request<Body>, next: Next) -> Response {
    if is_cross_site(request.method(), request.headers()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return (StatusCode::FORBIDDEN, "Cross-site requests are not allowed.").into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn a_post_from_another_origin_is_cross_site() {
        let h = headers(&[("host", "roster.example"), ("origin", "https://evil.example")]);
        assert!(is_cross_site(&Method::POST, &h));
        let h = headers(&[("host", "roster.example"), ("origin", "https://roster.example")]);
        assert!(!is_cross_site(&Method::POST, &h));
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(is_cross_site(&Method::POST, &headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&Method::POST, &headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&Method::POST, &headers(&[("sec-fetch-site", "same-origin")])));
    }

    #[test]
    fn reads_and_header_less_clients_pass() {
        assert!(!is_cross_site(&Method::GET, &headers(&[("origin", "https://evil.example")])));
        assert!(!is_cross_site(&Method::POST, &HeaderMap::new()));
    }
}
