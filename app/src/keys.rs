//! Organisation API keys, as the API Keys tab shows them. The secret itself is shown once, when
//! the key is created, and stored only as its SHA-256.

use serde::{Deserialize, Serialize};

/// A key as listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A key just created, with the secret the admin copies now or never.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiKey {
    pub id: i64,
    pub name: String,
    pub secret: String,
}

/// "Never", or when the key was last used.
pub fn last_used(row: &ApiKeyRow) -> String {
    row.last_used_at.map_or_else(|| "Never".to_owned(), roster::time::utc_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_never_used_says_so() {
        let row = ApiKeyRow { id: 1, name: "Okta".into(), created_at: 0, last_used_at: None, revoked_at: None };
        assert_eq!(last_used(&row), "Never");
        assert_eq!(last_used(&ApiKeyRow { last_used_at: Some(0), ..row }), "1970-01-01 00:00 UTC");
    }
}
