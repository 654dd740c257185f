//! The id of the request being served: set by the server's tracing layer for the whole of a
//! request, read wherever an internal error is logged so that its reference is the request's id.

use std::future::Future;

use rand::Rng;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `work` as the request `id`.
pub async fn scope<F: Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}

/// The id of the request being served, if any.
pub fn id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// A fresh request id: 10 random letters and digits.
pub fn new_id() -> String {
    rand::thread_rng().sample_iter(&rand::distributions::Alphanumeric).take(10).map(char::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_request_id_is_known_inside_its_scope_only() {
        assert_eq!(id(), None);
        let seen = scope("abc".into(), async { id() }).await;
        assert_eq!(seen.as_deref(), Some("abc"));
        assert_eq!(new_id().len(), 10);
    }
}
